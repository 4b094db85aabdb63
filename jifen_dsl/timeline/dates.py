"""Date arithmetic under one rule for month ends and 29 February.

THE RULE. Adding years or months to a date keeps its day of the month; when
that day does not exist in the month reached, the result is the last day of
that month. Everything else is derived from this one rule:

* ``2020-02-29 + 1 year  = 2021-02-28``; ``2020-01-31 + 1 month = 2020-02-29``;
  ``2021-03-31 - 1 month = 2021-02-28``.
* ``full_years(a, b)`` is the largest n such that ``a + n years <= b`` (for
  ``b >= a``; it is negative, symmetrically, when ``b`` comes before ``a``).
  ``full_months`` likewise with months.
* Age on a date is ``full_years(birth, date)``: a child born on 2016-02-29 is
  six years old from 2022-02-28 (the day 2016-02-29 + 6 years falls on),
  and a child born on 2016-08-31 is six on 2022-08-31 itself.
* Durations with several units add their years and months together, as a
  number of months, and then the days: ``2020-02-29 + 1 year 1 month`` is
  ``2020-02-29 + 13 months = 2021-03-29``, and ``2020-01-31 + 1 month 1 day =
  2020-03-01``.

Points-system durations ("held a residence permit for 1 year by 31 August")
read naturally under this rule: ``permit_start + 1 year <= 2022-08-31``.

Working days (``35 workdays``) are not a length of calendar time and follow
their own rules, with the State Council's holiday calendar: see
:mod:`jifen_dsl.timeline.workdays` and ``docs/dates.md``.
"""

from __future__ import annotations

import calendar
import datetime as _dt

from jifen_dsl.messages import Message, N, T

__all__ = ["Duration", "add_months", "add_duration", "sub_duration", "full_years", "full_months", "days_between"]


class Duration(tuple):
    """A calendar duration: whole years, months and days (each may be negative)."""

    __slots__ = ()

    def __new__(cls, years: int = 0, months: int = 0, days: int = 0):
        return tuple.__new__(cls, (years, months, days))

    def __getnewargs__(self) -> tuple[int, int, int]:  # a copy or a pickle is made from the three numbers
        return (self[0], self[1], self[2])

    @property
    def years(self) -> int:
        return self[0]

    @property
    def months(self) -> int:
        return self[1]

    @property
    def days(self) -> int:
        return self[2]

    def __add__(self, other):  # type: ignore[override]
        return Duration(self[0] + other[0], self[1] + other[1], self[2] + other[2])

    def __neg__(self):
        return Duration(-self[0], -self[1], -self[2])

    def scaled(self, factor: int) -> "Duration":
        return Duration(self[0] * factor, self[1] * factor, self[2] * factor)

    def __repr__(self) -> str:
        return f"Duration({self[0]}, {self[1]}, {self[2]})"

    def __str__(self) -> str:
        parts = []
        for amount, unit in zip(self, ("year", "month", "day")):
            if amount:
                parts.append(f"{amount} {unit}{'s' if abs(amount) != 1 else ''}")
        return " ".join(parts) or "0 days"

    def words(self) -> Message:
        """The duration as a message says it, in the language shown: '1 year 6 months' / '1年6个月'."""
        parts = [
            form(abs(amount), count=amount)
            for amount, form in zip(self, (_YEARS, _MONTHS, _DAYS))
            if amount
        ]
        if not parts:
            return _DAYS(0)
        said = parts[0]
        for part in parts[1:]:
            said = T("{first} {then}", first=said, then=part)
        return said


def _YEARS(n: int, **values) -> Message:
    return N("{count} year", "{count} years", n, **values)


def _MONTHS(n: int, **values) -> Message:
    return N("{count} month", "{count} months", n, **values)


def _DAYS(n: int, **values) -> Message:
    return N("{count} day", "{count} days", n, **values)


def add_months(day, months: int):
    """``day`` (a date or datetime) moved by whole months; a missing day becomes the month's last."""
    if not months:
        return day
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")  # internal: callers report it in their own words
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


def add_duration(day, duration: Duration):
    """``day + duration``: years and months first (by the month-end rule), then days."""
    moved = add_months(day, duration[0] * 12 + duration[1])
    if duration[2]:
        moved = moved + _dt.timedelta(days=duration[2])
    return moved


def sub_duration(day, duration: Duration):
    """``day - duration``, by the same rule as :func:`add_duration`."""
    return add_duration(day, -duration)


def full_months(start, end) -> int:
    """Whole months from ``start`` to ``end``: the largest n with ``start + n months <= end``."""
    if end < start:
        return -full_months(end, start)
    n = (end.year - start.year) * 12 + (end.month - start.month)
    if add_months(start, n) > end:
        n -= 1
    return n


def full_years(start, end) -> int:
    """Whole years from ``start`` to ``end``: the largest n with ``start + n years <= end``."""
    if end < start:
        return -full_years(end, start)
    n = end.year - start.year
    if n and add_months(start, 12 * n) > end:
        n -= 1
    return n


def days_between(start, end) -> int:
    """Whole days from ``start`` to ``end``, negative when ``end`` is earlier (a part day does not count either way)."""
    difference = end - start
    return difference.days if difference.days >= 0 else -((-difference).days)
