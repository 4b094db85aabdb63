"""What each operation of the language does, defined once: for constant folding and for compiled policies.

The checker folds constant sub-expressions with :func:`fold`; generated code
calls the same functions, through the namespace that
:mod:`jifen_dsl.compile.namespace` builds from them (under made-up ASCII names,
with no builtins), so a folded constant and a computed value can never differ.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any, Callable

from jifen_dsl.timeline import dates
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.errors import EvaluationError
from jifen_dsl.timeline.workdays import CalendarError
from jifen_dsl.messages import M, Message, T

__all__ = ["Missing", "OperationError", "OPS", "DECIMAL_CONTEXT", "fold"]

# Points and money: exact for + - *; division to 28 significant digits, half-up;
# round() is half-up too (四舍五入), as the policies' own tables are written.
DECIMAL_CONTEXT = decimal.Context(prec=28, rounding=decimal.ROUND_HALF_UP, traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow])


class Missing(Exception):
    """Raised when an expression needs a value the applicant left empty."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class OperationError(EvaluationError):
    """An operation that cannot be done (a division by zero, a date beyond the calendar), at a place of the policy.

    Its message is '<where>: <problem>'; ``where`` is the place (``path:line:column``)
    and ``problem`` what went wrong without it, for a message that names the place itself.
    """

    def __init__(self, where: str, problem: Message):
        super().__init__(T("{where}: {problem}", where=where, problem=problem))
        self.where = where
        self.problem = problem

    def __reduce__(self):
        return (type(self), (self.where, self.problem))


def missing(name: str):
    raise Missing(name)


def missing_name(exc: Missing) -> str:
    return exc.name


def _decides(side, value: bool, unknown: Missing) -> bool:
    """Whether ``side`` evaluates to ``value``; a second missing value reports the first."""
    try:
        return bool(side()) is value
    except Missing:
        raise unknown from None


def kleene_or(left, right):
    """``left or right`` when either side may need a missing value.

    Three-valued, as in Kleene's logic: a true side decides the result whatever
    the other; only when the outcome depends on a missing value is it missing.
    Both sides are thunks, so a side is computed only when needed.
    """
    try:
        if left():
            return True
    except Missing as unknown:
        if _decides(right, True, unknown):
            return True
        raise unknown
    return right()


def kleene_and(left, right):
    """``left and right`` when either side may need a missing value (a false side decides)."""
    try:
        if not left():
            return False
    except Missing as unknown:
        if _decides(right, False, unknown):
            return False
        raise unknown
    return right()


def div(a, b, where: str):
    if b == 0:
        raise OperationError(where, M("E0001", "division by zero"))
    return Decimal(a) / Decimal(b)


def round_half_up(value, places: int):
    quantum = Decimal(1).scaleb(-places)
    return Decimal(value).quantize(quantum, rounding=decimal.ROUND_HALF_UP)


def add_date(day, duration: Duration, where: str):
    try:
        return dates.add_duration(day, duration)
    except (OverflowError, ValueError):
        raise OperationError(where, M("E0002", "{day} + {duration} is outside the calendar", day=day, duration=_words(duration))) from None


def sub_date(day, duration: Duration, where: str):
    try:
        return dates.sub_duration(day, duration)
    except (OverflowError, ValueError):
        raise OperationError(where, M("E0002", "{day} - {duration} is outside the calendar", day=day, duration=_words(duration))) from None


def add_workdays(day, count, calendar, where: str):
    """``day + count workdays`` under the policy's calendar (see :mod:`jifen_dsl.timeline.workdays`)."""
    try:
        return calendar.add(day, count)
    except CalendarError as exc:
        raise OperationError(where, exc.message) from None


def sub_workdays(day, count, calendar, where: str):
    return add_workdays(day, -count, calendar, where)


def workdays_between(start, end, calendar, where: str):
    try:
        return calendar.between(start, end)
    except CalendarError as exc:
        raise OperationError(where, exc.message) from None


def _words(duration):
    """A duration as a message says it, in the language shown."""
    return duration.words() if isinstance(duration, Duration) else duration


_ZERO = Decimal(0)


def evidence_sum(items, low, high):
    """The values of the evidence items dated from ``low`` to ``high``, both included."""
    total = _ZERO
    for day, value in items:
        if low <= day <= high:
            total += value
    return total


def evidence_total(items):
    """The values of every evidence item."""
    total = _ZERO
    for _day, value in items:
        total += value
    return total


def to_decimal(value):
    return value if isinstance(value, Decimal) else Decimal(value)


# Each operation: (code template, Python function). Templates use {0}, {1} ... for
# the compiled arguments; {w} is the constant naming the policy location.
OPS: dict[str, tuple[str, Callable[..., Any]]] = {
    "add": ("({0} + {1})", lambda a, b: a + b),
    "sub": ("({0} - {1})", lambda a, b: a - b),
    "mul": ("({0} * {1})", lambda a, b: a * b),
    "div": ("h_div({0}, {1}, {w})", div),
    "neg": ("(-{0})", lambda a: -a),
    "add_date": ("h_add_date({0}, {1}, {w})", add_date),
    "sub_date": ("h_sub_date({0}, {1}, {w})", sub_date),
    "add_dur": ("({0} + {1})", lambda a, b: a + b),
    "sub_dur": ("({0} + -{1})", lambda a, b: a + -b),
    "neg_dur": ("(-{0})", lambda a: -a),
    "scale_dur": ("h_scale({0}, {1})", Duration.scaled),
    "eq": ("({0} == {1})", lambda a, b: a == b),
    "ne": ("({0} != {1})", lambda a, b: a != b),
    "lt": ("({0} < {1})", lambda a, b: a < b),
    "le": ("({0} <= {1})", lambda a, b: a <= b),
    "gt": ("({0} > {1})", lambda a, b: a > b),
    "ge": ("({0} >= {1})", lambda a, b: a >= b),
    "and": ("({0} and {1})", lambda a, b: a and b),
    "or": ("({0} or {1})", lambda a, b: a or b),
    "not": ("(not {0})", lambda a: not a),
    "in": ("({0} in {1})", lambda a, b: a in b),
    "not_in": ("({0} not in {1})", lambda a, b: a not in b),
    "between": ("({1} <= {0} <= {2})", lambda a, lo, hi: lo <= a <= hi),
    "if": ("({1} if {0} else {2})", lambda c, t, e: t if c else e),
    "min": ("h_min({args})", min),
    "max": ("h_max({args})", max),
    "full_years": ("h_full_years({0}, {1})", dates.full_years),
    "full_months": ("h_full_months({0}, {1})", dates.full_months),
    "days_between": ("h_days_between({0}, {1})", dates.days_between),
    "round": ("h_round({0}, {1})", round_half_up),
    "count": ("h_len({0})", len),
    "year_of": ("h_year_of({0})", lambda d: d.year),
    "month_of": ("h_month_of({0})", lambda d: d.month),
    "day_of": ("h_day_of({0})", lambda d: d.day),
    "date_of": ("h_date_of({0})", lambda d: d.date()),
    "to_decimal": ("h_to_decimal({0})", to_decimal),
    "add_workdays": ("h_add_workdays({0}, {1}, {2}, {w})", add_workdays),
    "sub_workdays": ("h_sub_workdays({0}, {1}, {2}, {w})", sub_workdays),
    "workdays_between": ("h_workdays_between({0}, {1}, {2}, {w})", workdays_between),
    "neg_workdays": ("h_neg_workdays({0})", lambda n: -n),
    "evidence_sum": ("h_evidence_sum({0}, {1}, {2})", evidence_sum),
    "evidence_total": ("h_evidence_total({0})", evidence_total),
}

# Operations whose Python function takes the policy location last, for its messages.
_LOCATED = frozenset({"div", "add_date", "sub_date", "add_workdays", "sub_workdays", "workdays_between"})


def fold(op: str, values: list[Any], where: str) -> Any:
    """Apply an operation to constant arguments (the checker's constant folding)."""
    function = OPS[op][1]
    with decimal.localcontext(DECIMAL_CONTEXT):
        if op in _LOCATED:
            return function(*values, where)
        return function(*values)
