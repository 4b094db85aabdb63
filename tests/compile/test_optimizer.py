"""The optimizer's date-threshold rewrite gives exactly the unoptimized answer."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl.lang import ir
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.compile.optimizer import optimize
from jifen_dsl.lang.operations import fold
from jifen_dsl.lang.typesys import BOOL, DATE, DURATION, INTEGER

X = ir.FieldRef(0, "x", DATE, False)


def run(node: ir.Node, x: dt.date):
    """Evaluate an expression of the one field x, through the runtime's own operations."""
    if isinstance(node, ir.FieldRef):
        return x
    if isinstance(node, ir.Const):
        return node.value
    return fold(node.op, [run(a, x) for a in node.args], "test")


dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))
durations = st.builds(Duration, st.integers(0, 12), st.integers(-14, 14), st.integers(-40, 40))
ops = st.sampled_from(["lt", "le", "gt", "ge"])


@settings(max_examples=300)
@given(dates, durations, dates, ops, st.booleans(), st.booleans())
def test_shifted_date_compared_with_a_constant(x, duration, limit, op, subtract, mirrored):
    shifted = ir.Apply("sub_date" if subtract else "add_date", (X, ir.Const(duration, DURATION)), DATE)
    args = (ir.Const(limit, DATE), shifted) if mirrored else (shifted, ir.Const(limit, DATE))
    node = ir.Apply(op, args, BOOL)
    optimized = optimize(node)
    assert run(optimized, x) == run(node, x)


@settings(max_examples=300)
@given(dates, dates, st.integers(-2, 20), ops, st.sampled_from(["full_years", "full_months"]))
def test_full_years_compared_with_a_number(x, limit, n, op, function):
    node = ir.Apply(op, (ir.Apply(function, (X, ir.Const(limit, DATE)), INTEGER), ir.Const(n, INTEGER)), BOOL)
    assert run(optimize(node), x) == run(node, x)


def test_the_rewrite_happens():
    node = ir.Apply("le", (ir.Apply("add_date", (X, ir.Const(Duration(years=1), DURATION)), DATE), ir.Const(dt.date(2021, 2, 28), DATE)), BOOL)
    # 2020-02-29 + 1 year = 2021-02-28: the threshold is 29 February itself
    assert optimize(node) == ir.Apply("le", (X, ir.Const(dt.date(2020, 2, 29), DATE)), BOOL)
    age = ir.Apply("ge", (ir.Apply("full_years", (X, ir.Const(dt.date(2022, 8, 31), DATE)), INTEGER), ir.Const(6, INTEGER)), BOOL)
    assert optimize(age) == ir.Apply("le", (X, ir.Const(dt.date(2016, 8, 31), DATE)), BOOL)
