"""Working-day arithmetic as polars expressions: a few array lookups by day, as the calendar itself does.

:class:`jifen_dsl.timeline.workdays.Calendar` numbers its working days once;
here the same tables are built from its public questions (``years``,
``is_workday``) into polars Series - for each day of the covered range whether
its year is declared, whether it counts, the running count of working days and
of days of undeclared years - and each operation gathers from them by day. A
date outside the tables, a count that runs off their ends, or a span that
crosses an undeclared year is where ``Calendar`` raises CalendarError: it is
marked for the caller to report as trouble.
"""

from __future__ import annotations

import datetime as _dt
import functools

import attrs
import polars as pl

from jifen_dsl.compile.columnar.dates import day_number, from_day_number
from jifen_dsl.timeline.workdays import Calendar

__all__ = ["Tables", "tables", "add", "between"]

_EPOCH = _dt.date(1970, 1, 1)
_DAY = _dt.timedelta(days=1)


@attrs.frozen
class Tables:
    first: int  # day number (since 1970-01-01) of 1 January of the first covered year
    size: int
    declared: pl.Series  # 1 where the day's year is declared
    counted: pl.Series  # 1 where the day counts as a working day
    cum: pl.Series  # working days up to and including the day
    unknown: pl.Series  # days of undeclared years up to and including the day
    work: pl.Series  # day number of each working day, in order


@functools.lru_cache(maxsize=8)
def tables(calendar: Calendar) -> Tables:
    """The lookup tables of a calendar, built once."""
    years = sorted(calendar.years)
    if not years:
        empty = pl.Series([], dtype=pl.Int64)
        return Tables(0, 0, empty, empty, empty, empty, empty)
    day = _dt.date(years[0], 1, 1)
    last = _dt.date(years[-1], 12, 31)
    first = (day - _EPOCH).days
    declared, counted, cum, unknown, work = [], [], [], [], []
    working = gaps = 0
    number = first
    while day <= last:
        known = day.year in calendar.years
        counts = known and calendar.is_workday(day)
        gaps += not known
        working += counts
        declared.append(int(known))
        counted.append(int(counts))
        cum.append(working)
        unknown.append(gaps)
        if counts:
            work.append(number)
        day += _DAY
        number += 1
    series = lambda name, values: pl.Series(name, values, dtype=pl.Int64)  # noqa: E731
    return Tables(first, len(cum), series("declared", declared), series("counted", counted), series("cum", cum), series("unknown", unknown), series("work", work))


def _at(table: pl.Series, index: pl.Expr, size: int) -> pl.Expr:
    return pl.lit(table).gather(index.clip(0, size - 1))


def _index(t: Tables, value: pl.Expr, timed: bool) -> tuple[pl.Expr, pl.Expr]:
    """The day's position in the tables, and whether the calendar covers it."""
    i = day_number(value, timed) - t.first
    covered = (i >= 0) & (i < t.size) & (_at(t.declared, i, t.size) == 1)
    return i, covered


def _crosses_unknown(t: Tables, i: pl.Expr, j: pl.Expr) -> pl.Expr:
    """Whether the days from i to j (either order) include a day of an undeclared year."""
    lo = pl.min_horizontal(i, j)
    hi = pl.max_horizontal(i, j)
    before = pl.when(lo > 0).then(_at(t.unknown, lo - 1, t.size)).otherwise(0)
    return _at(t.unknown, hi, t.size) != before


def add(calendar: Calendar, value: pl.Expr, n: pl.Expr, timed: bool) -> tuple[pl.Expr, pl.Expr]:
    """``value + n workdays`` (n an Int128 expression, negative to go back); and where Calendar.add raises."""
    t = tables(calendar)
    if t.size == 0 or len(t.work) == 0:
        return value, pl.lit(True)
    size, count = t.size, len(t.work)
    i, covered = _index(t, value, timed)
    steps = n.clip(-(count + 2), count + 2).cast(pl.Int64)
    cum = _at(t.cum, i, size)
    forward = cum + steps - 1  # working day number cum + n, counted from 1
    backward = cum - _at(t.counted, i, size) + steps
    k = pl.when(steps > 0).then(forward).otherwise(backward)
    off_end = pl.when(steps > 0).then(forward >= count).otherwise(backward < 0)
    result = pl.lit(t.work).gather(k.clip(0, count - 1))
    crosses = _crosses_unknown(t, i, result - t.first)
    raises = ~covered | ((steps != 0) & (off_end | crosses))
    moved = pl.when(steps == 0).then(value).otherwise(from_day_number(result, timed, value))
    return moved, raises


def between(calendar: Calendar, start: pl.Expr, end: pl.Expr, timed: tuple[bool, bool]) -> tuple[pl.Expr, pl.Expr]:
    """Working days after ``start`` up to and including ``end`` (negative when end is earlier); and where it raises.

    ``timed`` says of each whether it is a date and time (only its date counts).
    """
    t = tables(calendar)
    if t.size == 0:
        return pl.lit(0, dtype=pl.Int64), pl.lit(True)
    i, covered_i = _index(t, start, timed[0])
    j, covered_j = _index(t, end, timed[1])
    raises = ~covered_i | ~covered_j | _crosses_unknown(t, i, j)
    return _at(t.cum, j, t.size) - _at(t.cum, i, t.size), raises
