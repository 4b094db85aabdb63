"""Rewrite checked expressions into cheaper, equivalent ones before code generation.

One pass: a date moved by a fixed duration and compared with a fixed date,
``permit_start + 1 year <= as_of``, becomes a comparison of the date itself with a
threshold computed once, ``permit_start <= 2021-08-31``. Age and full-year tests,
``age_on(birth, as_of) >= 6``, are the same comparison in other words.

Why it is exact: under the month-end rule (see :mod:`jifen_dsl.timeline.dates`) moving a
date by a duration never reverses the order of two dates, so the dates ``x`` with
``x + D <= C`` are exactly those up to the largest one that satisfies it. That
threshold is found by a search of a few days around ``C - D``, so the rewrite
never relies on an inverse the month-end rule does not have.
"""

from __future__ import annotations

import datetime as _dt

from jifen_dsl.timeline import dates
from jifen_dsl.lang import ir
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.lang.typesys import BOOL, DATE, DURATION

__all__ = ["optimize"]

_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq", "ne": "ne"}
_DAY = _dt.timedelta(days=1)


def optimize(node: ir.Node) -> ir.Node:
    """An equivalent expression, cheaper to evaluate."""
    if isinstance(node, ir.Apply):
        node = ir.Apply(node.op, tuple(optimize(a) for a in node.args), node.type, span=node.span)
        return _date_threshold(node) or _full_years(node) or node
    return node


def _shift(node: ir.Node) -> tuple[ir.Node, Duration] | None:
    """``(x, D)`` when ``node`` is a date ``x`` moved by a constant duration ``D``."""
    if isinstance(node, ir.Apply) and node.op in ("add_date", "sub_date") and node.type == DATE:
        base, duration = node.args
        if isinstance(duration, ir.Const):
            return base, duration.value if node.op == "add_date" else -duration.value
    return None


def _last_date_within(limit: _dt.date, duration: Duration) -> _dt.date | None:
    """The largest x with ``x + duration <= limit``, or None near the ends of the calendar."""
    try:
        x = dates.sub_duration(limit, duration)
        while dates.add_duration(x, duration) > limit:
            x -= _DAY
        while dates.add_duration(x + _DAY, duration) <= limit:
            x += _DAY
    except (OverflowError, ValueError):
        return None
    return x


def _oriented(node: ir.Apply) -> tuple[ir.Node, ir.Node, str] | None:
    """An order comparison as (expression, constant side, operator), a constant on the left moved right."""
    if node.op not in ("lt", "le", "gt", "ge"):
        return None
    left, right = node.args
    if isinstance(left, ir.Const) and not isinstance(right, ir.Const):
        return right, left, _FLIP[node.op]
    return left, right, node.op


def _date_threshold(node: ir.Apply) -> ir.Node | None:
    oriented = _oriented(node)
    if oriented is None:
        return None
    left, right, op = oriented
    shifted = _shift(left)
    if shifted is None or not isinstance(right, ir.Const) or right.type != DATE:
        return None
    base, duration = shifted
    limit = right.value
    # x + D <= C  <=>  x <= T(C);   x + D < C  <=>  x + D <= C - 1 day  <=>  x <= T(C - 1 day)
    # x + D > C   <=>  x > T(C);    x + D >= C <=>  x > T(C - 1 day)
    try:
        bound = limit if op in ("le", "gt") else limit - _DAY
    except OverflowError:
        return None
    threshold = _last_date_within(bound, duration)
    if threshold is None:
        return None
    new_op = "le" if op in ("le", "lt") else "gt"
    return ir.Apply(new_op, (base, ir.Const(threshold, DATE, span=right.span)), BOOL, span=node.span)


def _full_years(node: ir.Apply) -> ir.Node | None:
    """``full_years(x, C) >= n`` is ``x + n years <= C`` (for n >= 1); likewise > < <=."""
    oriented = _oriented(node)
    if oriented is None:
        return None
    left, right, op = oriented
    if not (isinstance(left, ir.Apply) and left.op in ("full_years", "full_months") and isinstance(right, ir.Const)):
        return None
    start, end = left.args
    if not (isinstance(end, ir.Const) and end.type == DATE and start.type == DATE and type(right.value) is int):
        return None
    n = right.value
    at_least = {"ge": n, "gt": n + 1, "lt": n, "le": n + 1}[op]  # the test is (not) "full >= at_least"
    if at_least < 1:
        return None  # a date after C has 0 (not negative) full years to C: no threshold form
    duration = Duration(years=at_least) if left.op == "full_years" else Duration(months=at_least)
    shifted = ir.Apply("add_date", (start, ir.Const(duration, DURATION, span=right.span)), DATE, span=left.span)
    reached = _date_threshold(ir.Apply("le", (shifted, end), BOOL, span=node.span))
    if reached is None:
        return None
    if op in ("ge", "gt"):
        return reached
    # "fewer than at_least full years": the threshold test, negated
    base, threshold = reached.args
    return ir.Apply("gt", (base, threshold), BOOL, span=node.span)
