"""The date rule (:mod:`jifen_dsl.timeline.dates`) as polars expressions: month ends, 29 February, whole years.

THE RULE: adding months keeps the day of the month, or takes the last day of
the month reached (2020-02-29 + 1 year = 2021-02-28; 2020-01-31 + 1 month =
2020-02-29). A duration moves by its years and months together, then by its
days. ``full_years(a, b)`` is the largest n with ``a + n years <= b``
(negative, symmetrically, when b is earlier). Python's dates run from year 1 to
9999: a result outside them raises there, so here it is marked (``outside``)
for the caller to report as trouble.

Dates are polars ``Date`` (days since 1970-01-01), dates and times
``Datetime("us")``; a date and time keeps its time of day when it moves.
"""

from __future__ import annotations

import datetime as _dt

import polars as pl

from jifen_dsl.compile.columnar.values import Dur, lit128
from jifen_dsl.compile.columnar.values import negate as negate_

__all__ = [
    "US_PER_DAY", "MIN_DAY", "MAX_DAY", "day_number", "time_of_day", "from_day_number",
    "add_months", "add_days", "add_duration", "full_between", "days_between",
]

US_PER_DAY = 86_400_000_000
_EPOCH = _dt.date(1970, 1, 1)
MIN_DAY = (_dt.date(1, 1, 1) - _EPOCH).days  # the first and last days Python's dates hold
MAX_DAY = (_dt.date(9999, 12, 31) - _EPOCH).days
_MONTH_DAYS = pl.Series("month_days", [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=pl.Int64)
_FAR_MONTHS = 12 * 10_000 + 12  # a shift of more months leaves the calendar from any date
_FAR_DAYS = 4_000_000


def day_number(value: pl.Expr, timed: bool) -> pl.Expr:
    """Days since 1970-01-01 of the date (of a date and time, its date), Int64."""
    if timed:
        return value.dt.epoch("us").floordiv(US_PER_DAY)
    return value.cast(pl.Int32).cast(pl.Int64)


def time_of_day(value: pl.Expr) -> pl.Expr:
    """Microseconds since midnight of a date and time."""
    return value.dt.epoch("us").mod(US_PER_DAY)


def from_day_number(days: pl.Expr, timed: bool, like: pl.Expr | None = None) -> pl.Expr:
    """The date with this day number; a date and time with the time of day of ``like``."""
    if timed:
        return (days * US_PER_DAY + time_of_day(like)).cast(pl.Datetime("us"))
    return days.cast(pl.Int32).cast(pl.Date)


def _leap(year: pl.Expr) -> pl.Expr:
    return ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)


def days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    return pl.lit(_MONTH_DAYS).gather(month - 1) + ((month == 2) & _leap(year)).cast(pl.Int64)


def _civil(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    """The day number of a valid year, month and day (proleptic Gregorian, as Python's dates)."""
    return pl.date(year, month, day).cast(pl.Int32).cast(pl.Int64)


def add_months(value: pl.Expr, months, timed: bool) -> tuple[pl.Expr, pl.Expr | None]:
    """``value`` moved by whole months (an int or an Int64 expression); and where the year leaves 1..9999.

    Zero months leave the value as it is, as in Python (no check either).
    """
    if isinstance(months, int) and months == 0:
        return value, None
    year, month, day = (value.dt.year().cast(pl.Int64), value.dt.month().cast(pl.Int64), value.dt.day().cast(pl.Int64))
    index = year * 12 + (month - 1) + months
    new_year = index.floordiv(12)
    new_month = index.mod(12) + 1
    outside = (new_year < 1) | (new_year > 9999)
    safe_year = new_year.clip(1, 9999)
    new_day = pl.min_horizontal(day, days_in_month(safe_year, new_month))
    moved = from_day_number(_civil(safe_year, new_month, new_day), timed, value)
    if isinstance(months, int):
        return moved, outside
    return pl.when(months == 0).then(value).otherwise(moved), outside & (months != 0)


def add_days(value: pl.Expr, days, timed: bool) -> tuple[pl.Expr, pl.Expr | None]:
    """``value + days`` (an int or an Int64 expression); and where the date leaves 1..9999."""
    if isinstance(days, int) and days == 0:
        return value, None
    number = day_number(value, timed) + days
    outside = (number < MIN_DAY) | (number > MAX_DAY)
    moved = from_day_number(number.clip(MIN_DAY, MAX_DAY), timed, value)  # kept in Python's range where outside
    if isinstance(days, int):
        return moved, outside
    return pl.when(days == 0).then(value).otherwise(moved), outside & (days != 0)


def _either(a: pl.Expr | None, b: pl.Expr | None) -> pl.Expr | None:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def add_duration(value: pl.Expr, duration: Dur, timed: bool, negate: bool = False) -> tuple[pl.Expr, pl.Expr | None]:
    """``value + duration`` (``- duration`` with ``negate``): years and months together, then days."""
    if duration.const is not None:
        years, months, days = duration.const
        total = years * 12 + months
        if negate:
            total, days = -total, -days  # Python ints
        if abs(total) > _FAR_MONTHS or abs(days) > _FAR_DAYS:
            return value, pl.lit(True)
        moved, outside = add_months(value, total, timed)
        moved, later = add_days(moved, days, timed)
        return moved, _either(outside, later)
    total = duration.y * lit128(12) + duration.m
    days = duration.d
    if negate:
        total, days = negate_(total), negate_(days)
    far = (total.abs() > _FAR_MONTHS) | (days.abs() > _FAR_DAYS)
    moved, outside = add_months(value, total.clip(-_FAR_MONTHS, _FAR_MONTHS).cast(pl.Int64), timed)
    moved, later = add_days(moved, days.clip(-_FAR_DAYS, _FAR_DAYS).cast(pl.Int64), timed)
    return moved, _either(_either(outside, later), far)


def full_between(start: pl.Expr, end: pl.Expr, unit: str, timed: bool) -> pl.Expr:
    """``full_years`` or ``full_months``: the largest n with ``start + n units <= end``; negative when end is earlier."""
    swap = end < start
    a = pl.when(swap).then(end).otherwise(start)
    b = pl.when(swap).then(start).otherwise(end)
    years = b.dt.year().cast(pl.Int64) - a.dt.year().cast(pl.Int64)
    if unit == "years":
        n, months = years, years * 12
    else:
        n = years * 12 + (b.dt.month().cast(pl.Int64) - a.dt.month().cast(pl.Int64))
        months = n
    reached, _outside = add_months(a, months, timed)  # lands in b's year: never outside
    n = n - (reached > b).cast(pl.Int64)
    return pl.when(swap).then(-n).otherwise(n)


def days_between(start: pl.Expr, end: pl.Expr, timed: bool) -> pl.Expr:
    """Whole days from start to end, negative when end is earlier; a part day does not count either way."""
    if not timed:
        return day_number(end, False) - day_number(start, False)
    difference = end.dt.epoch("us") - start.dt.epoch("us")
    whole = difference.abs().floordiv(US_PER_DAY)
    return pl.when(difference < 0).then(-whole).otherwise(whole)
