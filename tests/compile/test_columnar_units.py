"""The columnar backend's arithmetic, one operation at a time, against the scalar backend's own functions.

Each case evaluates one checked expression over a frame of fields and
compares every row with ``operations.fold`` - the function compiled policies
call - under the same Decimal context: the value (to the exponent, negative
zeros included) and whether the call raises (``trouble``).
"""

from __future__ import annotations

import datetime as dt
import decimal
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl.compile.columnar import compile_columnar
from jifen_dsl.compile.columnar.expressions import ExpressionCompiler
from jifen_dsl.compile.columnar.reach import Reach
from jifen_dsl.compile.columnar.stages import Stages
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.errors import EvaluationError
from jifen_dsl.lang import columns, ir
from jifen_dsl.lang.operations import DECIMAL_CONTEXT, fold
from jifen_dsl.lang.typesys import BOOL, CALENDAR, DATE, DATETIME, DECIMAL, DURATION, INTEGER, WORKDAYS, Type
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.timeline.workdays import Workdays, builtin_calendar

from ..conftest import POLICIES


class _Policy:
    """What an expression compiler reads of a policy: field i is column f_i."""

    def __init__(self, width: int):
        self.read_fields = tuple(range(width))
        self.path = "test"


def run(node: ir.Node, types: list[Type], rows: list[tuple]) -> list[tuple]:
    """(value, trouble) of ``node`` for each row, the fields being columns f_0, f_1 ..."""
    st_ = Stages()
    compiler = ExpressionCompiler(_Policy(len(types)), st_)
    reach = Reach(compiler)
    value = compiler.value(node)
    reach.statement(node)
    parts = value.parts()
    frame = columns.frame_of_records(types, rows)
    result = st_.apply(frame.lazy()).select([e.alias(k) for k, e in parts.items()] + [reach.trouble().alias("trouble")]).collect()
    return [(value.python({k: r[k] for k in parts}), r["trouble"]) for r in result.iter_rows(named=True)]


def expected(op: str, values: list) -> tuple:
    """What the scalar backend computes, and whether it raises."""
    if any(v is None for v in values):
        return None, False
    with decimal.localcontext(DECIMAL_CONTEXT):
        try:
            return fold(op, values, "test"), False
        except (EvaluationError, ArithmeticError):
            return None, True


def same(a, b) -> bool:
    return a == b and str(a) == str(b) and type(a) is type(b)


def check(op: str, types: list[Type], result: Type, rows: list[tuple], constants: tuple = ()) -> None:
    args = tuple(ir.FieldRef(i, f"x{i}", t, True) for i, t in enumerate(types)) + tuple(ir.Const(v, t) for v, t in constants)
    got = run(ir.Apply(op, args, result), types, rows)
    for row, (value, trouble) in zip(rows, got):
        want, raises = expected(op, list(row) + [v for v, _t in constants])
        assert trouble == raises, (op, row, value)
        if not raises:
            assert same(want, value), (op, row, want, value)


def D(text: str) -> Decimal:
    return Decimal(text)


# ---------------------------------------------------------------- decimals: the exponent rules


def test_sums_take_the_smaller_exponent_and_products_the_sum():
    rows = [(D("85.5"), D("1.50")), (D("1.5"), D("-1.5")), (D("0.00"), D("0")), (D("2"), D("0.25")), (D("100"), D("1E+2"))]
    for op in ("add", "sub", "mul"):
        check(op, [DECIMAL, DECIMAL], DECIMAL, rows)
    got = run(ir.Apply("add", (ir.FieldRef(0, "a", DECIMAL, False), ir.FieldRef(1, "b", DECIMAL, False)), DECIMAL), [DECIMAL, DECIMAL], rows[:1])
    assert str(got[0][0]) == "87.00"


def test_negative_zeros_as_python_makes_them():
    """-1 * 0 is -0, -(-0) is 0, a sum of two zeros is -0 only when both are, round(-0.4) is -0.

    A frame cannot hold a negative zero (``lang.columns``), so they are made by the expressions.
    """
    x, y = (ir.FieldRef(i, n, DECIMAL, False) for i, n in enumerate("xy"))
    minus = ir.Const(-1, INTEGER)
    nx, ny = ir.Apply("mul", (x, minus), DECIMAL), ir.Apply("mul", (y, minus), DECIMAL)
    cases = {
        "-0": nx, "-0.0": ir.Apply("add", (nx, ny), DECIMAL), "-0.00": ir.Apply("sub", (nx, y), DECIMAL), "0.00": ir.Apply("sub", (nx, ny), DECIMAL),
        "0": ir.Apply("neg", (nx,), DECIMAL), "-0.000": ir.Apply("mul", (nx, ny), DECIMAL), "-0.0 round": ir.Apply("round", (nx, ir.Const(1, INTEGER)), DECIMAL),
        "-0 min": ir.Apply("min", (nx, y), DECIMAL), "0.0 max": ir.Apply("max", (y, nx), DECIMAL),
    }
    want = {"-0": "-0", "-0.0": "-0.0", "-0.00": "-0.0", "0.00": "0.0", "0": "0", "-0.000": "0.0", "-0.0 round": "-0.0", "-0 min": "-0", "0.0 max": "0.0"}
    for name, node in cases.items():
        (value, trouble), = run(node, [DECIMAL, DECIMAL], [(D("0"), D("0.0"))])
        scalar = _scalar(node, {0: D("0"), 1: D("0.0")})
        assert not trouble and str(value) == str(scalar) == want[name], (name, value, scalar)
    rows = [(D("-0.4"),), (D("-0.04"),), (D("0.4"),), (D("-0.5"),)]
    check("round", [DECIMAL], DECIMAL, rows, constants=((0, INTEGER),))
    values = [str(v) for v, _t in run(ir.Apply("round", (ir.FieldRef(0, "a", DECIMAL, False), ir.Const(0, INTEGER)), DECIMAL), [DECIMAL], rows)]
    assert values == ["-0", "-0", "0", "-1"]


def _scalar(node: ir.Node, fields: dict):
    """The scalar backend's value of a small expression (its functions applied bottom up)."""
    if isinstance(node, ir.FieldRef):
        return fields[node.index]
    if isinstance(node, ir.Const):
        return node.value
    return fold(node.op, [_scalar(a, fields) for a in node.args], "test")


def test_round_is_half_up_away_from_zero_on_negatives_too():
    rows = [(D("2.5"),), (D("-2.5"),), (D("-0.5"),), (D("2.345"),), (D("-2.345"),), (D("-2.3449"),), (D("7"),), (D("1.5E+3"),), (D("-1E-40"),)]
    for places in (0, 2, 10):
        check("round", [DECIMAL], DECIMAL, rows, constants=((places, INTEGER),))
    got = [v for v, _t in run(ir.Apply("round", (ir.FieldRef(0, "a", DECIMAL, False), ir.Const(0, INTEGER)), DECIMAL), [DECIMAL], rows[:3])]
    assert [str(v) for v in got] == ["3", "-3", "-1"]


def test_results_of_28_digits_or_more_are_rounded_as_python_rounds_them():
    big = D("9999999999999999999999999999")  # 28 nines
    rows = [(big, D("1")), (big, D("0.5")), (D("1E+27"), D("3.14159")), (D("123456789012345678901234567.8"), D("10")), (D("-" + "9" * 30), D("0.5")), (D("1E-30"), D("1E+10"))]
    for op in ("add", "sub", "mul", "div"):
        check(op, [DECIMAL, DECIMAL], DECIMAL, rows)


def test_round_past_28_digits_raises_as_python_does():
    rows = [(D("1E+27"),), (D("99999999999999999999999999.995"),), (D("12345678901234567890123456789"),), (D("5E+24"),)]
    check("round", [DECIMAL], DECIMAL, rows, constants=((2, INTEGER),))
    troubles = [t for _v, t in run(ir.Apply("round", (ir.FieldRef(0, "a", DECIMAL, False), ir.Const(2, INTEGER)), DECIMAL), [DECIMAL], rows)]
    assert troubles == [True, True, True, False]


def test_division_to_28_digits_and_by_zero():
    rows = [(D("1"), D("3")), (D("7"), D("2")), (D("6.0"), D("2")), (D("1"), D("0")), (D("0"), D("-5")), (D("-1"), D("7"))]
    check("div", [DECIMAL, DECIMAL], DECIMAL, rows)


def test_ints_stay_ints_as_in_python():
    """Integers are never rounded to 28 digits; int + Decimal is a Decimal."""
    rows = [(10**17, 10**17), (-(10**18), 3), (0, -1)]
    for op in ("add", "sub", "mul"):
        check(op, [INTEGER, INTEGER], INTEGER, rows)
    check("add", [INTEGER, DECIMAL], DECIMAL, [(2, D("0.50")), (10**18, D("1E-20")), (0, D("0.0"))])


finite = st.builds(
    lambda c, e: Decimal((1 if c < 0 else 0, tuple(int(d) for d in str(abs(c))), e)),
    st.one_of(st.integers(-1000, 1000), st.integers(-(10**30), 10**30), st.sampled_from([0, 5, -5, 10**27, 10**28 - 1, 5 * 10**27])),
    st.one_of(st.integers(-4, 2), st.integers(-40, 40)),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=8), st.sampled_from(["add", "sub", "mul", "div", "eq", "lt", "ge", "min", "max"]))
def test_any_two_decimals(rows, op):
    result = BOOL if op in ("eq", "lt", "ge") else DECIMAL
    check(op, [DECIMAL, DECIMAL], result, rows)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(finite), min_size=1, max_size=8), st.integers(0, 10), st.sampled_from(["round", "neg"]))
def test_any_decimal_rounded_or_negated(rows, places, op):
    check(op, [DECIMAL], DECIMAL, rows, constants=((places, INTEGER),) if op == "round" else ())


# ---------------------------------------------------------------- dates: the month-end rule


def test_the_date_rule():
    date = dt.date
    cases = [
        (date(2020, 2, 29), Duration(years=1), date(2021, 2, 28)),
        (date(2020, 1, 31), Duration(months=1), date(2020, 2, 29)),
        (date(2021, 3, 31), Duration(months=-1), date(2021, 2, 28)),
        (date(2020, 2, 29), Duration(1, 1, 0), date(2021, 3, 29)),
        (date(2020, 1, 31), Duration(0, 1, 1), date(2020, 3, 1)),
        (date(2020, 2, 29), Duration(years=4), date(2024, 2, 29)),
    ]
    for day, duration, want in cases:
        got = run(ir.Apply("add_date", (ir.FieldRef(0, "d", DATE, False), ir.Const(duration, DURATION)), DATE), [DATE], [(day,)])
        assert got == [(want, False)], (day, duration)


def test_full_years_across_29_february():
    rows = [(dt.date(2016, 2, 29), dt.date(2022, 2, 28)), (dt.date(2016, 2, 29), dt.date(2022, 2, 27)), (dt.date(2016, 2, 29), dt.date(2020, 2, 28)),
            (dt.date(2016, 2, 29), dt.date(2020, 2, 29)), (dt.date(2016, 8, 31), dt.date(2022, 8, 31)), (dt.date(2022, 8, 31), dt.date(2016, 9, 1)),
            (dt.date(2020, 1, 31), dt.date(2020, 2, 29)), (dt.date(2020, 1, 31), dt.date(2020, 2, 28))]
    for op in ("full_years", "full_months", "days_between"):
        check(op, [DATE, DATE], INTEGER, rows)
    got = [v for v, _t in run(ir.Apply("full_years", (ir.FieldRef(0, "a", DATE, False), ir.FieldRef(1, "b", DATE, False)), INTEGER), [DATE, DATE], rows[:4])]
    assert got == [6, 5, 3, 4]


def test_dates_outside_python_s_calendar_are_trouble():
    rows = [(dt.date(9999, 12, 31),), (dt.date(1, 1, 1),), (dt.date(9999, 1, 31),), (dt.date(2020, 2, 29),)]
    for duration in (Duration(days=1), Duration(months=-1), Duration(years=1), Duration(0, 11, 0), Duration(days=-1)):
        check("add_date", [DATE], DATE, rows, constants=((duration, DURATION),))
        check("sub_date", [DATE], DATE, rows, constants=((duration, DURATION),))


dates = st.one_of(st.dates(), st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)), st.sampled_from([dt.date(2020, 2, 29), dt.date(2019, 1, 31), dt.date(9999, 12, 31), dt.date(1, 1, 1)]))
moments = st.builds(dt.datetime.combine, dates, st.times())
durations = st.builds(Duration, st.integers(-12, 12), st.integers(-30, 30), st.integers(-400, 400))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(dates), min_size=1, max_size=8), durations, st.sampled_from(["add_date", "sub_date"]))
def test_any_date_moved_by_any_duration(rows, duration, op):
    check(op, [DATE], DATE, rows, constants=((duration, DURATION),))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(moments, moments), min_size=1, max_size=8), st.sampled_from(["full_years", "full_months", "days_between", "lt", "eq"]))
def test_any_two_moments(rows, op):
    check(op, [DATETIME, DATETIME], BOOL if op in ("lt", "eq") else INTEGER, rows)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(moments, st.integers(-50, 50)), min_size=1, max_size=8), durations)
def test_a_duration_scaled_by_a_field(rows, duration):
    """``d + n * duration``: a duration that differs by applicant."""
    n = ir.FieldRef(1, "n", INTEGER, False)
    node = ir.Apply("add_date", (ir.FieldRef(0, "d", DATETIME, False), ir.Apply("scale_dur", (ir.Const(duration, DURATION), n), DURATION)), DATETIME)
    got = run(node, [DATETIME, INTEGER], rows)
    for (moment, factor), (value, trouble) in zip(rows, got):
        want, raises = expected("add_date", [moment, duration.scaled(factor)])
        assert (trouble, value if not trouble else None) == (raises, want)


# ---------------------------------------------------------------- working days


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.one_of(dates, st.dates(dt.date(2003, 12, 1), dt.date(2027, 1, 31)))), min_size=1, max_size=8), st.integers(-300, 300), st.booleans())
def test_working_days_added_as_the_calendar_adds_them(rows, count, counted):
    calendar = builtin_calendar(counted)
    check("add_workdays", [DATE], DATE, rows, constants=((Workdays(count), WORKDAYS), (calendar, CALENDAR)))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(moments, st.dates(dt.date(2003, 6, 1), dt.date(2027, 6, 30))), min_size=1, max_size=8))
def test_working_days_between_as_the_calendar_counts_them(rows):
    calendar = builtin_calendar()
    args = (ir.FieldRef(0, "a", DATETIME, False), ir.FieldRef(1, "b", DATE, False), ir.Const(calendar, CALENDAR))
    got = run(ir.Apply("workdays_between", args, INTEGER), [DATETIME, DATE], rows)
    for row, (value, trouble) in zip(rows, got):
        want, raises = expected("workdays_between", [row[0], row[1], calendar])
        assert (trouble, None if trouble else value) == (raises, want)


def test_a_calendar_with_a_gap_year():
    """A span that crosses an undeclared year raises, as Calendar.between does."""
    calendar = builtin_calendar().declare({2030: (frozenset(), frozenset())})
    rows = [(dt.date(2026, 12, 30), dt.date(2030, 1, 3)), (dt.date(2030, 1, 2), dt.date(2030, 1, 9)), (dt.date(2026, 12, 31), dt.date(2026, 12, 1)), (dt.date(2028, 5, 5), dt.date(2030, 1, 1))]
    check("workdays_between", [DATE, DATE], INTEGER, rows, constants=((calendar, CALENDAR),))
    check("add_workdays", [DATE], DATE, [(r[0],) for r in rows], constants=((Workdays(3), WORKDAYS), (calendar, CALENDAR)))
    check("sub_workdays", [DATE], DATE, [(r[1],) for r in rows], constants=((Workdays(3), WORKDAYS), (calendar, CALENDAR)))


@pytest.mark.parametrize("op", ["year_of", "month_of", "day_of", "date_of"])
def test_parts_of_a_moment(op):
    rows = [(dt.datetime(2020, 2, 29, 23, 59, 59),), (dt.datetime(1, 1, 1),), (None,)]
    check(op, [DATETIME], DATE if op == "date_of" else INTEGER, rows)


def test_integers_up_to_38_digits_are_exact():
    rows = [(10**18, 18014398509481984), (-(2**63), 2**63 - 1), (9 * 10**18, -9 * 10**18), (0, -5)]
    for op in ("add", "sub", "mul"):
        check(op, [INTEGER, INTEGER], INTEGER, rows)
    x, y = ir.FieldRef(0, "x", INTEGER, False), ir.FieldRef(1, "y", INTEGER, False)
    product = ir.Apply("mul", (ir.Apply("mul", (x, y), INTEGER), ir.Const(10, INTEGER)), INTEGER)
    assert run(product, [INTEGER, INTEGER], [(10**18, 10**18), (-(10**18), 10**18)]) == [(10**37, False), (-(10**37), False)]


def test_an_integer_no_column_holds_is_trouble():
    """Python's ints are unbounded; 10**54 is marked, and the scalar backend is asked about it."""
    x = ir.FieldRef(0, "x", INTEGER, False)
    cube = ir.Apply("mul", (ir.Apply("mul", (x, x), INTEGER), x), INTEGER)
    got = run(cube, [INTEGER], [(10**18,), (10**12,), (-(2**62),)])
    assert [t for _v, t in got] == [True, False, True]
    assert got[1][0] == 10**36


def test_an_indicator_that_is_a_field_is_the_field_s_column_and_one_computed_is_built():
    policy = load_policy(str(POLICIES / "haizhu" / "2022.jifen")).policy  # every indicator is a score field as written
    compiled = compile_columnar(policy)
    plan = compiled.lazy(pl.DataFrame(schema={**compiled.inputs, "row": pl.Int64, "id": pl.String, "grade": pl.String})).explain(optimized=False)
    scores = [o for o in plan.split(", ") if '.alias("s_' in o and "_nz" not in o]
    assert scores and all(o.startswith('col("f_') for o in scores), scores
    # The total is clamped at zero, a computation: it is built, not passed through.
    assert 'col("f_' not in next(o for o in plan.split(", ") if o.endswith('.alias("points")'))


def test_only_the_outputs_asked_for_are_made_and_they_are_the_same():
    from jifen_dsl import synth
    from jifen_dsl.data.cells import Table
    from jifen_dsl.data.frames.reader import cohort_frame
    from jifen_dsl.data.frames.text import TableCells

    policy = load_policy(str(POLICIES / "haizhu" / "2022.jifen")).policy
    rows = synth.generate_applicants("haizhu", 2022, 300, 7)
    header = tuple(rows[0])
    table = Table("a.csv", "csv", header, [(i + 2, [str(r[h]) for h in header]) for i, r in enumerate(rows)])
    frame = cohort_frame(TableCells(table), policy).frame
    compiled = compile_columnar(policy)
    whole = compiled.evaluate(frame)
    some = compiled.evaluate(frame, {"failed", "points", "k_0"})
    assert some.columns == ["failed", "points", "k_0", "trouble"]
    assert some.equals(whole.select(some.columns))
    assert whole.get_column("unknown").list.len().sum() > 0  # what was left out was there to make
    plan = compiled.lazy(frame, {"failed"}).explain()
    assert "unknown" not in plan and '.alias("failed")' in plan
