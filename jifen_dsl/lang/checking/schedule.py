"""Checks of the schedule and calendar sections.

Part of the checker (see :mod:`jifen_dsl.lang.checking.checker`), kept apart because time is a
concept of its own: it builds the policy's working-day calendar from the
built-in data and the declared years, and checks the phases - windows that end
before they start, phases declared to follow one another ('then') that overlap
or run backwards, lengths that disagree with their windows, and references to
phases that do not exist. Every problem is recorded, never raised.
"""

from __future__ import annotations

import datetime as _dt

from jifen_dsl.lang import syntax
from jifen_dsl.timeline import dates
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.errors import Span
from jifen_dsl.messages import M, Message, T, quoted
from jifen_dsl.timeline.schedule import Phase, Schedule, Verification, Window, moment_key
from jifen_dsl.lang.typesys import DATE, DATETIME, window_of
from jifen_dsl.timeline.workdays import Calendar, CalendarError, Workdays, builtin_calendar

__all__ = ["ScheduleChecking"]

_DAY = _dt.timedelta(days=1)
_WEEKDAYS = (T("Monday"), T("Tuesday"), T("Wednesday"), T("Thursday"), T("Friday"), T("Saturday"), T("Sunday"))
_SEQUENCE_HINT = T("a phase after 'then' (随后) starts once the phase before it has ended; leave out 'then' for phases that run side by side")


def _text(value) -> str:
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    return value.isoformat()


def _length(node: syntax.DurationLit | syntax.WorkdaysLit) -> Duration | Workdays:
    if isinstance(node, syntax.WorkdaysLit):
        return Workdays(node.count)
    return Duration(node.years, node.months, node.days)


def _first_at(first: Span | None, span: Span | None) -> Message | None:
    """The hint pointing at the first of two declarations that may be made once (naming its file if it is another)."""
    if first is None:
        return None
    if span is not None and first.path != span.path:
        return T("the first is at line {line} of {path}", line=first.line, path=first.path)
    return T("the first is at line {line}", line=first.line)


def _between(a: Span | None, b: Span | None) -> Span | None:
    """A span from the start of ``a`` to the end of ``b``."""
    if a is None or b is None:
        return a or b
    return Span(a.path, a.line, a.column, b.end_line, b.end_column, a.start, b.end)


class ScheduleChecking:
    """Mixin of the checker for the schedule and calendar sections."""

    # ------------------------------------------------------------- calendar
    def _makeup_counted(self, block: syntax.ScheduleBlock | None) -> bool:
        settings = [item for item in block.items if isinstance(item, syntax.MakeupSetting)] if block else []
        for extra in settings[1:]:
            self.error(M("C0601", "makeup_days is given twice"), extra.span, _first_at(settings[0].span, None))
        return settings[0].counted if settings else True

    def _build_calendar(self, blocks: list[syntax.CalendarBlock], makeup_counted: bool) -> Calendar:
        """The built-in calendar with every declared year; records the problems of the declarations."""
        base = builtin_calendar(makeup_counted)
        years: dict[int, Span | None] = {}
        for block in blocks:
            for item in block.items:
                if not isinstance(item, syntax.CalendarYear):
                    continue
                if item.year in years:
                    self.error(M("C0602", "the calendar declares {year} twice", year=item.year), item.span, _first_at(years[item.year], item.span))
                elif not 1949 <= item.year <= 2200:
                    self.error(M("C0603", "{year} is not a plausible calendar year", year=item.year), item.span)
                else:
                    years[item.year] = item.span
                    if item.year in base.years:
                        self.warn(
                            M("C0604", "{year} is already in the built-in calendar ({covered}); this declaration replaces it", year=item.year, covered=base.covered()),
                            item.span,
                            T("declare only years the built-in data lacks, unless it needs correcting"),
                        )
        holidays: dict[int, set[_dt.date]] = {year: set() for year in years}
        makeup: dict[int, set[_dt.date]] = {year: set() for year in years}
        first_kind: dict[_dt.date, str] = {}
        for block in blocks:
            for item in block.items:
                if isinstance(item, syntax.CalendarDays):
                    self._calendar_days(item, years, holidays, makeup, first_kind)
        self.calendar_years = tuple(sorted(years))
        return base.declare({year: (frozenset(holidays[year]), frozenset(makeup[year])) for year in years})

    def _calendar_days(self, item: syntax.CalendarDays, years, holidays, makeup, first_kind) -> None:
        end = item.end or item.start
        if end < item.start:
            self.error(
                M("C0605", "the range ends before it starts: {end} is earlier than {start}", end=end, start=item.start),
                item.span,
                T("write the earlier date first"),
            )
            return
        day = item.start
        while day <= end:
            if day.year not in years:
                self.error(
                    M("C0606", "{day} is in {year}, which no calendar section declares as a year", day=day, year=day.year),
                    item.span,
                    T("add 'year {year}' and list every holiday and make-up working day of {year}", year=day.year),
                )
                return
            if item.kind == "workday" and day.weekday() < 5:
                self.error(
                    M(
                        "C0607", "{day} is a {weekday}, a working day anyway; a make-up working day is a Saturday or a Sunday",
                        day=day, weekday=_WEEKDAYS[day.weekday()],
                    ),
                    item.span,
                )
                return
            other = first_kind.setdefault(day, item.kind)
            if other != item.kind:
                self.error(M("C0608", "{day} is declared both a holiday and a make-up working day", day=day), item.span)
                return
            (holidays if item.kind == "holiday" else makeup)[day.year].add(day)
            day += _DAY

    # -------------------------------------------------------------- phases
    def _declare_phases(self, block: syntax.ScheduleBlock | None) -> None:
        """Every phase, under its name, before any expression is typed."""
        self.phases: list[Phase] = []
        if block is None:
            return
        for item in block.items:
            if not isinstance(item, syntax.Phase):
                continue
            window = self._phase_window(item)
            length = _length(item.length) if item.length is not None else None
            index = len(self.phases)
            span = item.name_span or item.span
            phase = Phase(index, item.name, item.title, item.cite, window, length, item.follows, span=item.span)
            self.phases.append(phase)
            element = None if window is None else (DATETIME if window.has_time else DATE)
            self._declare_symbol(item.name, "phase", index, window_of(element), span, T("the phase"))

    def _phase_window(self, item: syntax.Phase) -> Window | None:
        start = item.start.value if item.start is not None else None
        end = item.end.value if item.end is not None else None
        if end is None:
            return None
        if start is not None:
            if isinstance(start, _dt.datetime) != isinstance(end, _dt.datetime):
                self.error(
                    M("C0609", "a window's two ends must be of one kind: both dates, or both dates and times"),
                    _between(item.start.span, item.end.span),
                    T("add a time to the date, e.g. 2022-04-25 09:00, or drop the time"),
                )
                return None
            if end < start:
                self.error(
                    M(
                        "C0610", "the window of phase {name} ends before it starts: {end} is earlier than {start}",
                        name=quoted(item.name), end=_text(end), start=_text(start),
                    ),
                    _between(item.start.span, item.end.span),
                    T("write the earlier bound after 'from' (自) and the later after 'to' (至)"),
                )
                return None
        window = Window(start, end)
        if item.length is not None and start is not None:
            self._check_length(item, window)
        return window

    def _check_length(self, item: syntax.Phase, window: Window) -> None:
        length = _length(item.length)
        if window.has_time:
            self.error(
                M("C0611", "a length can be checked only against a window of whole days"),
                item.length.span,
                T("give the dates without times, or leave out the length"),
            )
            return
        if isinstance(length, Workdays):
            try:
                held = self.calendar.between(window.start, window.end) + self.calendar.is_workday(window.start)
            except CalendarError as exc:
                self.error(exc.message, item.span)
                return
            if held != length:
                self.error(
                    M("C0612", "the window {window} holds {held} working days, not {length}", window=str(window), held=held, length=int(length)),
                    item.length.span,
                )
            return
        try:
            expected = dates.add_duration(window.start, length) - _DAY
        except (OverflowError, ValueError):
            self.error(M("C0613", "{start} + {length} is outside the calendar", start=window.start, length=length.words()), item.length.span)
            return
        if expected != window.end:
            self.error(
                M(
                    "C0614", "a phase of {length} from {start} ends on {expected}, not {end}",
                    length=length.words(), start=window.start, expected=expected, end=window.end,
                ),
                item.length.span,
                T("both ends of a window count: 5 days from 06-01 end on 06-05"),
            )

    def _check_sequence(self, block: syntax.ScheduleBlock | None) -> None:
        """Phases declared with 'then' must come after the phase before them, without overlap."""
        if block is None:
            return
        previous: Phase | None = None
        for phase in self.phases:
            if phase.follows and previous is None:
                self.error(M("C0615", "'then' (随后) needs a phase before it, but {name} is the first", name=quoted(phase.name)), phase.span)
            elif phase.follows and previous.window is not None and phase.window is not None:
                self._check_follows(previous, phase)
            previous = phase

    def _check_follows(self, before: Phase, after: Phase) -> None:
        p, q = before.window, after.window
        p_start = moment_key(p.start) if p.start is not None else None
        p_end = moment_key(p.end, end=True)
        q_end = moment_key(q.end, end=True)
        names = dict(after=quoted(after.name), before=quoted(before.name))
        if q.start is None:
            if q_end <= p_end:
                self.error(
                    M(
                        "C0616", "the phase {after} is declared to follow {before} ('then', 随后) but ends {end}, no later than {before} ends ({before_end})",
                        **names, end=_text(q.end), before_end=_text(p.end),
                    ),
                    after.span,
                    _SEQUENCE_HINT,
                )
            return
        if moment_key(q.start) >= p_end:
            return
        if p_start is not None and q_end <= p_start:
            self.error(
                M(
                    "C0617", "the phase {after} is declared to follow {before} ('then', 随后) but runs before it: it ends {end}, and {before} starts {before_start}",
                    **names, end=_text(q.end), before_start=_text(p.start),
                ),
                after.span,
                _SEQUENCE_HINT,
            )
        else:
            self.error(
                M(
                    "C0618", "the phase {after} is declared to follow {before} ('then', 随后) but overlaps it: it starts {start}, before {before} ends ({before_end})",
                    **names, start=_text(q.start), before_end=_text(p.end),
                ),
                after.span,
                _SEQUENCE_HINT,
            )

    def _phase_named(self, name: str, span: Span | None, no_dates: Message) -> int | None:
        """The index of the phase a verification rule names; ``no_dates`` is the message if it has no dates."""
        for phase in self.phases:
            if phase.name == name:
                if phase.window is None:
                    self.error(no_dates.with_args(name=quoted(name)), span, T("give the phase its dates: from ... to ..."))
                    return None
                return phase.index
        self.error(M("C0224", "unknown phase {name}", name=quoted(name)), span, self._phase_hint(name))
        return None

    def _verification(self, block: syntax.ScheduleBlock | None) -> Verification | None:
        rules = [item for item in block.items if isinstance(item, syntax.Verification)] if block else []
        for extra in rules[1:]:
            self.error(M("C0620", "the verification period is given twice"), extra.span, _first_at(rules[0].span, None))
        if not rules:
            return None
        rule = rules[0]
        length = _length(rule.length)
        if (isinstance(length, Workdays) and length <= 0) or (isinstance(length, Duration) and not any(length)):
            self.error(M("C0621", "the verification period must be longer than nothing"), rule.length.span)
            return None
        after = (
            self._phase_named(rule.after, rule.after_span, M("C0619", "the phase {name} has no dates, so acceptance in it cannot be timed"))
            if rule.after is not None else None
        )
        needed = (
            self._phase_named(rule.needed_for, rule.needed_for_span, M("C0619", "the phase {name} has no dates, so the points it needs cannot be timed"))
            if rule.needed_for is not None else None
        )
        verification = Verification(length, after, needed, span=rule.span)
        if after is not None and needed is not None:
            last = self.phases[after].window.end
            last = last.date() if isinstance(last, _dt.datetime) else last
            needed_end = self.phases[needed].window.end
            needed_end = needed_end.date() if isinstance(needed_end, _dt.datetime) else needed_end
            try:
                verified = verification.verified_by(last, self.calendar)
            except CalendarError as exc:
                self.error(exc.message, rule.span)
                return verification
            if verified > needed_end:
                self.warn(
                    M(
                        "C0622", "points accepted on the last day of {after} ({last}) are verified only by {verified}, after {needed} ends ({needed_end})",
                        after=quoted(rule.after), last=last, verified=verified, needed=quoted(rule.needed_for), needed_end=needed_end,
                    ),
                    rule.span,
                    T("check the dates against the notice"),
                )
        return verification

    def _schedule(self, block: syntax.ScheduleBlock | None, makeup_counted: bool) -> Schedule | None:
        """The checked schedule section (phases were declared earlier, so rules could name them)."""
        if block is None:
            return None
        self._check_sequence(block)
        return Schedule(tuple(self.phases), self._verification(block), makeup_counted, block.cite)
