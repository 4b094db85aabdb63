"""Working days in mainland China, and arithmetic on them.

THE CALENDAR. A day is a working day (工作日) when it is a Monday to Friday that
is not a statutory holiday, or a make-up working day (调休上班日): a Saturday or
Sunday the State Council's yearly notice turns into a working day to lengthen a
holiday. The holidays and make-up days of 2004-2026 come from the
``chinesecalendar`` package, which follows the State Council's notices; later
years (or corrections) come from ``calendar`` declarations in policy files. A
year must be known as a whole: a date in a year that neither source covers is an
error naming the date and saying how to declare the year, never a guess that
treats Monday to Friday as working days.

THE CONVENTION for ``d + N workdays``:

* ``d`` itself never counts (受理当日不计入): the result is the N-th working day
  after ``d``. So ``d + 1 workday`` is the next working day, whatever ``d`` is.
* ``d`` may be a holiday or a weekend: counting still starts the day after, so
  Saturday + 1 workday is the Monday (when that is a working day).
* ``d + 0 workdays`` is ``d``; ``d - N workdays`` is the N-th working day before ``d``.
* A date and time keeps its time of day; only the date moves.
* ``workdays_between(a, b)`` counts the working days after ``a`` up to and
  including ``b`` (negative when ``b`` is earlier), so that
  ``workdays_between(a, a + N workdays) = N``.
* Make-up working days count, as the State Council's calendar says - unless a
  policy declares ``makeup_days not_counted`` (``调休上班日 不计入``); then the
  working days are Monday to Friday except holidays. Conghua's 2020 notice counts
  that way: accepted 2020-04-30, verified "at the latest on 06-23" is 35 such
  days; counting the make-up Saturday 2020-05-09 gives 06-22.

Arithmetic is two array lookups: the calendar numbers its working days once,
when it is built, so no operation walks the days one by one.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
from array import array
from typing import Mapping

import attrs

from jifen_dsl.errors import EvaluationError
from jifen_dsl.messages import M, Message, N, T

__all__ = ["Calendar", "CalendarError", "Workdays", "builtin_calendar", "year_ranges"]

_DAY = _dt.timedelta(days=1)


class CalendarError(EvaluationError):
    """A working-day question about a date the calendar does not cover; ``message`` says which, in any language."""

    def __init__(self, message: Message):
        super().__init__(message)
        self.message = message


class Workdays(int):
    """A number of working days: the value of ``35 workdays`` (``35个工作日``)."""

    __slots__ = ()

    def __neg__(self) -> "Workdays":
        return Workdays(-int(self))

    def __repr__(self) -> str:
        return f"Workdays({int(self)})"

    def __str__(self) -> str:
        return f"{int(self)} working day{'s' if abs(int(self)) != 1 else ''}"

    def words(self) -> Message:
        """The number as a message says it: '35 working days' / '35个工作日'."""
        return N("{count} working day", "{count} working days", abs(int(self)), count=int(self))


def year_ranges(years) -> str:
    """'2004-2026' or '2004-2026, 2030': a set of years as runs."""
    ordered = sorted(years)
    if not ordered:
        return "no years"
    runs: list[list[int]] = [[ordered[0], ordered[0]]]
    for year in ordered[1:]:
        if year == runs[-1][1] + 1:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


def _day(value) -> _dt.date:
    return value.date() if isinstance(value, _dt.datetime) else value


def _like(original, day: _dt.date):
    """``day`` as the same kind of value as ``original``: a datetime keeps its time of day."""
    if isinstance(original, _dt.datetime):
        return _dt.datetime.combine(day, original.timetz())
    return day


@attrs.frozen(eq=False, repr=False)
class Calendar:
    """The working days of the known years, numbered once for constant-time arithmetic."""

    years: frozenset[int]
    holidays: frozenset[_dt.date]
    makeup_days: frozenset[_dt.date]
    makeup_counted: bool = True
    # Derived once, in __attrs_post_init__: for day i from 1 January of the first
    # year, _counted[i] (1 when a working day), _cum[i] (working days up to and
    # including it), _unknown[i] (days of undeclared years up to and including
    # it); _work[k] is the ordinal of working day k + 1.
    _first: int = attrs.field(init=False)
    _counted: bytes = attrs.field(init=False)
    _cum: array = attrs.field(init=False)
    _unknown: array = attrs.field(init=False)
    _work: array = attrs.field(init=False)
    _digest: str = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        first_year = min(self.years) if self.years else 2000
        last_year = max(self.years) if self.years else 1999
        first = _dt.date(first_year, 1, 1).toordinal()
        last = _dt.date(last_year, 12, 31).toordinal()
        size = max(last - first + 1, 0)
        counted = bytearray(size)
        cum = array("l", bytes(size * array("l").itemsize))
        unknown = array("l", bytes(size * array("l").itemsize))
        work = array("l")
        working = gaps = 0
        day = _dt.date(first_year, 1, 1)
        for i in range(size):
            if day.year not in self.years:
                gaps += 1
            elif (day.weekday() < 5 and day not in self.holidays) or (self.makeup_counted and day in self.makeup_days):
                counted[i] = 1
                working += 1
                work.append(first + i)
            cum[i] = working
            unknown[i] = gaps
            day += _DAY
        content = repr((sorted(self.years), sorted(self.holidays), sorted(self.makeup_days), self.makeup_counted))
        for name, value in (
            ("_first", first), ("_counted", bytes(counted)), ("_cum", cum), ("_unknown", unknown), ("_work", work),
            ("_digest", hashlib.sha256(content.encode()).hexdigest()[:12]),
        ):
            object.__setattr__(self, name, value)

    # ---------------------------------------------------------------- identity
    def __eq__(self, other) -> bool:
        return isinstance(other, Calendar) and self._digest == other._digest

    def __hash__(self) -> int:
        return hash(self._digest)

    def __repr__(self) -> str:
        counted = "counted" if self.makeup_counted else "not counted"
        return f"Calendar({self.covered()}, make-up days {counted}, {self._digest})"

    def covered(self) -> str:
        """The known years, e.g. '2004-2026'."""
        return year_ranges(self.years)

    # ---------------------------------------------------------------- building
    def declare(self, years: Mapping[int, tuple[frozenset[_dt.date], frozenset[_dt.date]]]) -> "Calendar":
        """This calendar with whole years declared (replacing any data it had for them)."""
        if not years:
            return self
        replaced = set(years)
        holidays = {d for d in self.holidays if d.year not in replaced}
        makeup = {d for d in self.makeup_days if d.year not in replaced}
        for year_holidays, year_makeup in years.values():
            holidays |= year_holidays
            makeup |= year_makeup
        return Calendar(self.years | replaced, frozenset(holidays), frozenset(makeup), self.makeup_counted)

    def with_makeup_counted(self, counted: bool) -> "Calendar":
        """This calendar under the other reading of make-up working days."""
        if counted == self.makeup_counted:
            return self
        return Calendar(self.years, self.holidays, self.makeup_days, counted)

    # ---------------------------------------------------------------- questions
    def covers(self, value) -> bool:
        """Whether the calendar knows the working days of the year ``value`` falls in."""
        return _day(value).year in self.years

    def _index(self, value) -> int:
        day = _day(value)
        i = day.toordinal() - self._first
        if not (0 <= i < len(self._counted)) or day.year not in self.years:
            raise CalendarError(self._outside(day))
        return i

    def _covered_words(self) -> Message | str:
        """The known years, for a message ('2004-2026'; 'no years')."""
        return self.covered() if self.years else T("no years")

    def _outside(self, day: _dt.date) -> Message:
        return M(
            "K0001",
            "{day} is outside the working-day calendar, which covers {years}; declare {year} in a calendar file and import it "
            "(calendar {{ year {year} holiday ... workday ... }})",
            day=day, years=self._covered_words(), year=day.year,
        )

    def _check_span(self, i: int, j: int, what: Message) -> None:
        """Raise when days ``i`` .. ``j`` cross a year the calendar does not cover."""
        lo, hi = (i, j) if i <= j else (j, i)
        before = self._unknown[lo - 1] if lo > 0 else 0
        if self._unknown[hi] != before:
            for k in range(lo, hi + 1):  # only on the way to an error
                if self._unknown[k] != (self._unknown[k - 1] if k > 0 else 0):
                    year = _dt.date.fromordinal(self._first + k).year
                    raise CalendarError(M(
                        "K0002",
                        "{what} crosses {year}, which the working-day calendar does not cover ({years}); declare {year} in a calendar file and import it",
                        what=what, year=year, years=self._covered_words(),
                    ))

    def is_workday(self, value) -> bool:
        """Whether the date counts as a working day under this calendar's reading."""
        return bool(self._counted[self._index(value)])

    def add(self, value, n: int):
        """``value + n workdays``: the n-th working day after it (before it, for n < 0)."""
        i = self._index(value)
        n = int(n)
        if n == 0:
            return value
        if n > 0:
            k = self._cum[i] + n - 1
            if k >= len(self._work):
                raise CalendarError(self._past_end(_day(value), n))
        else:
            k = self._cum[i] - self._counted[i] + n
            if k < 0:
                raise CalendarError(M(
                    "K0003",
                    "{day} - {count} runs before {first}-01-01, the start of the working-day calendar ({years})",
                    day=_day(value), count=Workdays(-n).words(), first=min(self.years), years=self._covered_words(),
                ))
        result = self._work[k]
        if n > 0:
            moved = T("{day} + {count}", day=_day(value), count=Workdays(n).words())
        else:
            moved = T("{day} - {count}", day=_day(value), count=Workdays(-n).words())
        self._check_span(i, result - self._first, moved)
        return _like(value, _dt.date.fromordinal(result))

    def _past_end(self, day: _dt.date, n: int) -> Message:
        last = max(self.years)
        return M(
            "K0004",
            "{day} + {count} runs past {last}-12-31, the end of the working-day calendar ({years}); declare {next} in a calendar file and import it",
            day=day, count=Workdays(n).words(), last=last, years=self._covered_words(), next=last + 1,
        )

    def between(self, start, end) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier."""
        i, j = self._index(start), self._index(end)
        self._check_span(i, j, T("the working days from {start} to {end}", start=_day(start), end=_day(end)))
        return self._cum[j] - self._cum[i]

    def latest_start(self, end, n: int) -> _dt.date:
        """The latest working day ``d`` with ``d + n workdays`` on or before ``end`` (n >= 1)."""
        j = self._index(end)
        k = self._cum[j] - n - 1  # d must be working day number cum[end] - n
        if k < 0:
            raise CalendarError(M(
                "K0005",
                "{count} before {day} runs before {first}-01-01, the start of the working-day calendar ({years})",
                count=Workdays(n).words(), day=_day(end), first=min(self.years), years=self._covered_words(),
            ))
        start = self._work[k]
        self._check_span(start - self._first, j, T("the {count} before {day}", count=Workdays(n).words(), day=_day(end)))
        return _dt.date.fromordinal(start)


@functools.lru_cache(maxsize=2)
def builtin_calendar(makeup_counted: bool = True) -> Calendar:
    """The State Council's holidays and make-up days of the years ``chinesecalendar`` covers."""
    from chinese_calendar import constants  # imported here: only policies that count working days pay for it

    holidays = frozenset(constants.holidays)
    years = frozenset(range(min(d.year for d in holidays), max(d.year for d in holidays) + 1))
    return Calendar(years, holidays, frozenset(constants.workdays), makeup_counted)
