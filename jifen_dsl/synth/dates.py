"""Dates as day ordinals and moments as minutes, with their texts cached.

The generator does its date arithmetic on integers and turns each day into text
once, which is most of what keeps a million rows fast.
"""

from __future__ import annotations

import calendar
import datetime as _dt

__all__ = ["full_years", "iso", "minutes", "ordinal"]

_ISO: dict[int, str] = {}
_YMD: dict[int, tuple[int, int, int]] = {}


def iso(ordinal: int) -> str:
    """The ISO text of a day ordinal."""
    text = _ISO.get(ordinal)
    if text is None:
        text = _ISO[ordinal] = _dt.date.fromordinal(ordinal).isoformat()
    return text


def _ymd(ordinal: int) -> tuple[int, int, int]:
    parts = _YMD.get(ordinal)
    if parts is None:
        day = _dt.date.fromordinal(ordinal)
        parts = _YMD[ordinal] = (day.year, day.month, day.day)
    return parts


def ordinal(text: str) -> int:
    """The day ordinal of an ISO date."""
    return _dt.date.fromisoformat(text).toordinal()


def full_years(start: int, end: int) -> int:
    """Whole years from start to end (end >= start), by jifen_dsl.timeline.dates' 29 February rule."""
    sy, sm, sd = _ymd(start)
    ey, em, ed = _ymd(end)
    if sm == 2 and sd == 29 and not calendar.isleap(ey):
        sd = 28  # 29 February plus n years falls on 28 February in a common year
    return ey - sy - ((em, ed) < (sm, sd))


def minutes(text: str) -> int:
    """A 'YYYY-MM-DD HH:MM' moment as minutes since day ordinal 0."""
    moment = _dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
    return moment.date().toordinal() * 1440 + moment.hour * 60 + moment.minute
