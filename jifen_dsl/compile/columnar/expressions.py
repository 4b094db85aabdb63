"""A checked expression (:mod:`jifen_dsl.lang.ir`) as polars expressions over a whole cohort.

Each node's value is computed once, as columns (:mod:`.stages`), and kept by
node: the policy-level compiler asks for a node's value, and for the rows
where computing it raises (``raises``), which it counts only where the scalar
backend would compute that node (:mod:`.reach`).

Missing values are nulls. Every operation but ``and``, ``or`` and ``if`` is
missing when an argument is, as in the scalar backend's three-valued code;
``and`` and ``or`` are polars' own Kleene ``&`` and ``|``; an ``if`` whose
condition is missing is missing (``pl.when`` alone would take the else branch).
A null means a missing value and nothing else: where computing a node raises,
it holds some value that is not null (the row is trouble if the node is
reached, and the value unused if not - ``lo <= x <= 1 / 0`` is false when
``lo > x``, whatever the division gives).
"""

from __future__ import annotations

import attrs
import polars as pl

from jifen_dsl.compile.columnar import dates, decimals, evidence, workdays
from jifen_dsl.compile.columnar.stages import Stages, level_of
from jifen_dsl.compile.columnar.values import (
    Choice, Dur, Num, Plain, Value, int_product, int_sum, kind_of, lit128, negate, number, plain_dtype,
)
from jifen_dsl.lang import columns, ir, model
from jifen_dsl.lang.typesys import BOOL, DATE, DATETIME, EVIDENCE, Type

__all__ = ["Compiled", "ExpressionCompiler"]


@attrs.frozen
class Compiled:
    value: Value
    raises: pl.Expr | None  # where computing this node (its arguments given) raises in the scalar backend


def _int(expr: pl.Expr, level: int) -> Num:
    return Num(expr.cast(pl.Int128), pl.lit(0, dtype=pl.Int32), None, True, 0, level)


def _any(conditions) -> pl.Expr | None:
    out = None
    for c in conditions:
        if c is not None:
            out = c if out is None else out | c
    return out


def _timed(type_: Type) -> bool:
    return type_ == DATETIME


class ExpressionCompiler:
    """Values of the expressions of one policy, each node computed once."""

    def __init__(self, policy: model.Policy, st: Stages):
        self.policy = policy
        self.st = st
        self.position = {field_index: pos for pos, field_index in enumerate(policy.read_fields)}
        self.definitions: dict[int, Value] = {}
        self.scores: dict[int, Num] = {}
        self._memo: dict[int, tuple[ir.Node, Compiled]] = {}
        self.low_holds: dict[int, Plain] = {}  # by between node: its ``low <= x``, which decides whether ``high`` is computed

    # ------------------------------------------------------------------ leaves
    def compile(self, node: ir.Node) -> Compiled:
        found = self._memo.get(id(node))
        if found is not None:
            return found[1]
        compiled = self._compile(node)
        self._memo[id(node)] = (node, compiled)  # the node kept alive, so its id is not reused
        return compiled

    def value(self, node: ir.Node) -> Value:
        return self.compile(node).value

    def _compile(self, node: ir.Node) -> Compiled:
        if isinstance(node, ir.Const):
            return Compiled(constant(node.value, node.type), None)
        if isinstance(node, ir.FieldRef):
            return Compiled(field(self.position[node.index], node.type), None)
        if isinstance(node, ir.DefRef):
            return Compiled(self.definitions[node.index], None)
        if isinstance(node, ir.IndicatorRef):
            return Compiled(self.scores[node.index], None)
        if isinstance(node, ir.EvidenceRef):
            return Compiled(Plain(pl.col(columns.evidence_column(node.slot)), EVIDENCE), None)
        if isinstance(node, ir.Present):
            target = self.value(node.target)
            return Compiled(Plain(~target.missing(), BOOL, target.level), None)
        assert isinstance(node, ir.Apply), node
        args = [self.value(a) for a in node.args]
        value, raises = getattr(self, "_op_" + node.op)(node, args)
        if node.op not in ("and", "or", "if") and ir.may_miss(node):
            value = _missing_where(value, [v for a, v in zip(node.args, args) if ir.may_miss(a)])
        return Compiled(self.st.materialise(value), raises)

    # ------------------------------------------------------------------ numbers
    def _op_add(self, node, args):
        return decimals.add(self.st, *args)

    def _op_sub(self, node, args):
        return decimals.add(self.st, *args, subtract=True)

    def _op_mul(self, node, args):
        return decimals.mul(self.st, *args)

    def _op_div(self, node, args):
        return decimals.div(self.st, *args, str(node.span) if node.span else self.policy.path)

    def _op_neg(self, node, args):
        return decimals.neg(self.st, args[0])

    def _op_round(self, node, args):
        return decimals.round_half_up_(self.st, args[0], node.args[1].value)

    def _op_to_decimal(self, node, args):
        return decimals.to_decimal(args[0]), None

    def _op_min(self, node, args):
        return self._extreme("min", args), None

    def _op_max(self, node, args):
        return self._extreme("max", args), None

    def _extreme(self, op: str, args) -> Value:
        if isinstance(args[0], Num):
            return decimals.extreme(self.st, op, args)
        horizontal = pl.min_horizontal if op == "min" else pl.max_horizontal
        return Plain(horizontal([a.expr for a in args]), args[0].type, level_of(*args))

    # ------------------------------------------------------------------ comparisons and logic
    def _compare(self, op: str, a: Value, b: Value) -> Plain:
        if isinstance(a, Num):
            return decimals.compare(self.st, op, a, b)
        return Plain(decimals._COMPARE[op](a.expr, b.expr), BOOL, level_of(a, b))

    def _op_eq(self, node, args):
        return self._compare("eq", *args), None

    def _op_ne(self, node, args):
        return self._compare("ne", *args), None

    def _op_lt(self, node, args):
        return self._compare("lt", *args), None

    def _op_le(self, node, args):
        return self._compare("le", *args), None

    def _op_gt(self, node, args):
        return self._compare("gt", *args), None

    def _op_ge(self, node, args):
        return self._compare("ge", *args), None

    def _op_between(self, node, args):
        x, low, high = args
        above = self.st.materialise(self._compare("le", low, x))
        self.low_holds[id(node)] = above
        below = self.st.materialise(self._compare("le", x, high))
        return Plain(above.expr & below.expr, BOOL, level_of(above, below)), None

    def _op_and(self, node, args):
        return Plain(args[0].expr & args[1].expr, BOOL, level_of(*args)), None

    def _op_or(self, node, args):
        return Plain(args[0].expr | args[1].expr, BOOL, level_of(*args)), None

    def _op_not(self, node, args):
        return Plain(~args[0].expr, BOOL, args[0].level), None

    def _op_if(self, node, args):
        condition, then, otherwise = args
        return choose(condition, then, otherwise, ir.may_miss(node.args[0])), None

    def _op_in(self, node, args):
        return self._member(*args, negate=False), None

    def _op_not_in(self, node, args):
        return self._member(*args, negate=True), None

    def _member(self, x: Value, pool: Value, negate: bool) -> Plain:
        if isinstance(pool, Plain):  # a list field: "S01" in choices
            found = pool.expr.list.contains(x.expr)
            return Plain(~found if negate else found, BOOL, level_of(x, pool))
        tests = []
        for option in pool.options:
            if isinstance(x, Num):
                test = decimals.member(self.st, x, option, negate)
            else:
                members = pl.Series(sorted(option), dtype=plain_dtype(x.type)).implode()
                found = x.expr.is_in(members) if option else pl.lit(False)
                test = Plain(~found if negate else found, BOOL, x.level)
            tests.append(test)
        if len(tests) == 1:
            return tests[0]
        out = None
        for k, test in enumerate(tests):
            out = pl.when(pool.idx == k).then(test.expr) if out is None else out.when(pool.idx == k).then(test.expr)
        return Plain(out, BOOL, level_of(x, pool, *tests))

    # ------------------------------------------------------------------ dates
    def _op_add_date(self, node, args):
        return self._shift(node, args, negate=False)

    def _op_sub_date(self, node, args):
        return self._shift(node, args, negate=True)

    def _shift(self, node, args, negate: bool):
        day, duration = args
        moved, outside = dates.add_duration(day.expr, duration, _timed(node.type), negate)
        return Plain(moved, node.type, level_of(day, duration)), outside

    def _op_full_years(self, node, args):
        return _int(dates.full_between(args[0].expr, args[1].expr, "years", _timed(node.args[0].type)), level_of(*args)), None

    def _op_full_months(self, node, args):
        return _int(dates.full_between(args[0].expr, args[1].expr, "months", _timed(node.args[0].type)), level_of(*args)), None

    def _op_days_between(self, node, args):
        return _int(dates.days_between(args[0].expr, args[1].expr, _timed(node.args[0].type)), level_of(*args)), None

    def _op_year_of(self, node, args):
        return _int(args[0].expr.dt.year(), args[0].level), None

    def _op_month_of(self, node, args):
        return _int(args[0].expr.dt.month(), args[0].level), None

    def _op_day_of(self, node, args):
        return _int(args[0].expr.dt.day(), args[0].level), None

    def _op_date_of(self, node, args):
        return Plain(args[0].expr.dt.date(), DATE, args[0].level), None

    # ------------------------------------------------------------------ durations and working days
    def _op_add_dur(self, node, args):
        return _duration(*args, subtract=False)

    def _op_sub_dur(self, node, args):
        return _duration(*args, subtract=True)

    def _op_neg_dur(self, node, args):
        d = args[0]
        return Dur(negate(d.y), negate(d.m), negate(d.d), None, d.level), None

    def _op_scale_dur(self, node, args):
        d, n = args
        (y, big_y), (m, big_m), (days, big_d) = (int_product(part, n.c) for part in (d.y, d.m, d.d))
        return Dur(y, m, days, None, level_of(d, n)), big_y | big_m | big_d

    def _op_add_workdays(self, node, args):
        day, count, calendar = args
        moved, raises = workdays.add(_calendar(calendar), day.expr, count.expr, _timed(node.type))
        return Plain(moved, node.type, level_of(day, count)), raises

    def _op_sub_workdays(self, node, args):
        day, count, calendar = args
        moved, raises = workdays.add(_calendar(calendar), day.expr, negate(count.expr), _timed(node.type))
        return Plain(moved, node.type, level_of(day, count)), raises

    def _op_workdays_between(self, node, args):
        start, end, calendar = args
        timed = (_timed(node.args[0].type), _timed(node.args[1].type))
        count, raises = workdays.between(_calendar(calendar), start.expr, end.expr, timed)
        return _int(count, level_of(start, end)), raises

    def _op_neg_workdays(self, node, args):
        return Plain(negate(args[0].expr), args[0].type, args[0].level), None

    # ------------------------------------------------------------------ lists and evidence
    def _op_count(self, node, args):
        return _int(args[0].expr.list.len(), args[0].level), None

    def _op_evidence_total(self, node, args):
        return evidence.total(self.st, args[0])

    def _op_evidence_sum(self, node, args):
        return evidence.total(self.st, *args)


def _duration(a: Dur, b: Dur, subtract: bool):
    (y, big_y), (m, big_m), (d, big_d) = (int_sum(p, q, subtract) for p, q in ((a.y, b.y), (a.m, b.m), (a.d, b.d)))
    return Dur(y, m, d, None, level_of(a, b)), big_y | big_m | big_d


def _calendar(value: Choice):
    if value.const is None:  # pragma: no cover - the checker supplies the policy's one calendar
        raise NotImplementedError("a working-day calendar that differs by applicant")
    return value.const


def _missing_where(value: Value, arguments: list[Value]) -> Value:
    """The value, missing wherever one of ``arguments`` is (the scalar backend's three-valued rule)."""
    if not arguments:
        return value
    missing = arguments[0].missing()
    for a in arguments[1:]:
        missing = missing | a.missing()

    def blank(expr: pl.Expr) -> pl.Expr:
        return pl.when(missing).then(None).otherwise(expr)

    if isinstance(value, Num):
        return attrs.evolve(value, c=blank(value.c))
    if isinstance(value, Plain):
        return attrs.evolve(value, expr=blank(value.expr))
    if isinstance(value, Dur):
        return attrs.evolve(value, y=blank(value.y))
    return attrs.evolve(value, idx=blank(value.idx))


def choose(condition: Plain, then: Value, otherwise: Value, may_miss: bool) -> Value:
    """``if condition then ... else ...``: missing when the condition is (with ``may_miss``)."""

    def pick(p: pl.Expr, q: pl.Expr) -> pl.Expr:
        c = condition.expr
        return pl.when(c).then(p).when(~c).then(q) if may_miss else pl.when(c).then(p).otherwise(q)

    level = level_of(condition, then, otherwise)
    if isinstance(then, Num):
        return decimals.select(condition, then, otherwise, missing_when_null=may_miss)
    if isinstance(then, Plain):
        return Plain(pick(then.expr, otherwise.expr), then.type, level)
    if isinstance(then, Dur):
        return Dur(pick(then.y, otherwise.y), pick(then.m, otherwise.m), pick(then.d, otherwise.d), None, level)
    shift = len(then.options)
    return Choice(then.options + otherwise.options, pick(then.idx, otherwise.idx + shift), level)


def constant(value, type_: Type) -> Value:
    """A constant of any type, as the scalar backend holds it."""
    kind = kind_of(type_)
    if kind == "num":
        return number(value)
    if kind == "dur":
        return Dur.of(value)
    if kind == "choice":
        return Choice.of(value)
    if type_.kind == "workdays":
        return Plain(lit128(int(value)), type_)
    return Plain(pl.lit(value, dtype=plain_dtype(type_)), type_)


def field(position: int, type_: Type) -> Value:
    """The column of the field at ``position`` of ``policy.read_fields``."""
    column = pl.col(columns.field_column(position))
    if type_.kind == "integer":
        return _int(column, 0)
    if type_.kind == "decimal":
        return Num(column.struct.field("c"), column.struct.field("e"), None, False, None, 0)
    return Plain(column, type_)
