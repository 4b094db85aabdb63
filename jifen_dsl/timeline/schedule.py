"""A policy's schedule: phases with their windows, and the points-verification deadline.

A window includes both its ends. A window of dates covers whole days: a date and
time falls in it when its date does. A window of dates and times is exact to the
second: 2022-05-10 17:00:00 is inside a window that ends at 17:00, and
17:00:01 is not. Asked about a whole day, a window of dates and times is open
on that day when it is open at any moment of it.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from jifen_dsl.timeline import dates
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.errors import Span
from jifen_dsl.timeline.workdays import Calendar, Workdays

__all__ = ["Window", "Phase", "Verification", "Schedule", "Deadline", "deadline", "moment_key"]

_DAY = _dt.timedelta(days=1)
_SECOND = _dt.timedelta(seconds=1)


def _text(value) -> str:
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    return value.isoformat()


def moment_key(value, *, end: bool = False) -> _dt.datetime:
    """A bound as an instant on one time line; an end bound is exclusive (a date's end is the next midnight)."""
    if isinstance(value, _dt.datetime):
        return value + _SECOND if end else value
    at = _dt.datetime.combine(value, _dt.time())
    return at + _DAY if end else at


@attrs.frozen
class Window:
    """When a phase is open: from ``start`` (None: no published start) to ``end``, both included."""

    start: Any  # a date, a datetime or None
    end: Any  # a date or a datetime, of the same kind as start

    @property
    def has_time(self) -> bool:
        """Whether the bounds are dates and times rather than whole days."""
        return isinstance(self.end, _dt.datetime)

    def contains(self, moment) -> bool:
        """Whether ``moment`` (a date or a date and time) falls in the window."""
        return self.status(moment) == "open"

    def status(self, moment) -> str:
        """'upcoming', 'open' or 'closed' at ``moment``; a date stands for the whole day."""
        if isinstance(moment, _dt.datetime) and not self.has_time:
            moment = moment.date()
        if isinstance(moment, _dt.datetime) or not self.has_time:
            if self.start is not None and moment < self.start:
                return "upcoming"
            return "open" if moment <= self.end else "closed"
        if self.start is not None and moment < self.start.date():
            return "upcoming"
        return "open" if moment <= self.end.date() else "closed"

    def __str__(self) -> str:
        if self.start is None:
            return f".. {_text(self.end)}"
        return f"{_text(self.start)} .. {_text(self.end)}"


@attrs.frozen
class Phase:
    """A named phase; ``window`` is None when only its length is published."""

    index: int
    name: str
    title: str
    cite: str | None
    window: Window | None
    length: Duration | Workdays | None
    follows: bool  # declared with 'then'
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Verification:
    """Points accepted on day d are verified at the latest on d + ``length``."""

    length: Duration | Workdays
    after: int | None  # index of the phase in which points are accepted
    needed_for: int | None  # index of the phase that needs verified points
    span: Span | None = attrs.field(default=None, eq=False)

    def verified_by(self, accepted: _dt.date, calendar: Calendar) -> _dt.date:
        """The latest day points accepted on ``accepted`` are verified."""
        if isinstance(self.length, Workdays):
            return calendar.add(accepted, self.length)
        return dates.add_duration(accepted, self.length)

    def latest_acceptance(self, verified_by: _dt.date, calendar: Calendar) -> _dt.date:
        """The last day points can be accepted and still be verified by ``verified_by``."""
        if isinstance(self.length, Workdays):
            return calendar.latest_start(verified_by, int(self.length))
        day = dates.sub_duration(verified_by, self.length)
        # The month-end rule has no exact inverse: step to the last day that fits.
        while dates.add_duration(day, self.length) > verified_by:
            day -= _DAY
        while dates.add_duration(day + _DAY, self.length) <= verified_by:
            day += _DAY
        return day


@attrs.frozen
class Schedule:
    """The phases of a policy in declaration order, and how points verification is timed."""

    phases: tuple[Phase, ...]
    verification: Verification | None
    makeup_counted: bool
    cite: str | None = None

    def phase(self, name: str) -> Phase:
        for p in self.phases:
            if p.name == name:
                return p
        raise KeyError(name)

    def open_at(self, moment) -> tuple[Phase, ...]:
        """The phases open at ``moment``, in declaration order."""
        return tuple(p for p in self.phases if p.window is not None and p.window.contains(moment))


@attrs.frozen
class Deadline:
    """What acceptance on one day means for an applicant's verified points."""

    accepted: _dt.date
    verified_by: _dt.date
    length: Duration | Workdays
    acceptance: Phase | None  # the phase points must be accepted in, if the policy names one
    acceptance_status: str | None  # 'upcoming', 'open' or 'closed' on the day of acceptance
    needed_for: Phase | None  # the phase that needs verified points, if the policy names one
    in_time: bool | None  # verified by the last day of needed_for (None: no such phase)
    latest_acceptance: _dt.date | None  # the last acceptance day still in time for needed_for

    @property
    def accepted_in_time(self) -> bool | None:
        """Whether the acceptance day is inside the acceptance phase (None: no such phase)."""
        return None if self.acceptance_status is None else self.acceptance_status == "open"


def deadline(schedule: Schedule, calendar: Calendar, accepted: _dt.date) -> Deadline:
    """When points accepted on ``accepted`` are verified, and whether that is in time."""
    rule = schedule.verification
    assert rule is not None
    verified_by = rule.verified_by(accepted, calendar)
    acceptance = schedule.phases[rule.after] if rule.after is not None else None
    status = acceptance.window.status(accepted) if acceptance is not None and acceptance.window is not None else None
    needed = schedule.phases[rule.needed_for] if rule.needed_for is not None else None
    in_time = latest = None
    if needed is not None and needed.window is not None:
        last_day = needed.window.end.date() if needed.window.has_time else needed.window.end
        in_time = verified_by <= last_day
        latest = rule.latest_acceptance(last_day, calendar)
    return Deadline(accepted, verified_by, rule.length, acceptance, status, needed, in_time, latest)
