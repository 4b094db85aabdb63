"""A checked policy compiled into polars expressions: a whole cohort evaluated at once.

:func:`compile_columnar` follows :func:`jifen_dsl.compile.compiler.generate`
statement by statement - definitions, the requirements of every grade and of
the applicant's grade, indicator scores and their caps, the points (never
below 0), the batch of those who failed nothing, the tie-break expression keys
- each expression optimized as the compiler does, so that both backends
compute the same operations. :meth:`ColumnarPolicy.evaluate` gives, for each
row of a cohort frame (see :mod:`jifen_dsl.lang.columns`), what
``CompiledPolicy.evaluate`` gives for that applicant's record, and ``trouble``
where that call would raise.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Collection

import polars as pl

from jifen_dsl.compile.columnar import decimals
from jifen_dsl.compile.columnar.expressions import ExpressionCompiler, constant, field
from jifen_dsl.compile.columnar.reach import Reach
from jifen_dsl.compile.columnar.stages import Stages
from jifen_dsl.compile.columnar.values import Num, Plain, number
from jifen_dsl.compile.optimizer import optimize
from jifen_dsl.lang import columns, ir, model
from jifen_dsl.lang.typesys import BOOL, DECIMAL, EVIDENCE, INTEGER

__all__ = ["ColumnarPolicy", "compile_columnar", "NEGATIVE_ZERO"]

_INDEX = pl.UInt32
NEGATIVE_ZERO = "{}_nz"  # the Boolean column beside each decimal result: it is Decimal('-0')


class ColumnarPolicy:
    """A policy compiled to polars expressions; ``evaluate(frame)`` evaluates a cohort.

    The result has one row per row of the frame, in order:

    * ``failed`` and ``unknown`` (List(UInt32)): the indexes of the failed
      requirements, and of those failed because a value they need is missing,
      in the order the scalar backend lists them;
    * ``points`` and ``s_0``, ``s_1`` ... (the indicator scores): decimals as
      :data:`jifen_dsl.lang.columns.DECIMAL`, the scalar result's coefficient
      and exponent; beside each, ``points_nz``, ``s_0_nz`` ...: whether it is a
      negative zero, which the struct cannot say (``round(-0.4, 0)`` is ``-0``);
    * ``batch`` (Int32, null for none);
    * ``k_0``, ``k_1`` ...: the tie-break expression keys, typed as
      :func:`jifen_dsl.lang.columns.dtype` says for ``key_types`` - the key's
      own type but for a key typed integer that reads an indicator's score,
      which is a Decimal (decimal keys come with ``k_N_nz``);
    * ``trouble``: where the scalar evaluation raises (division by zero, a date
      outside the calendar, working days the calendar does not cover, a
      rounding past 28 digits) - or computes a number no column holds: an
      integer of 10**38 or more (Python's ints are unbounded), an integer key
      beyond Int64. The other columns of such a row mean nothing (a decimal is
      null where it was not computed): ask the scalar backend about it.
    """

    def __init__(self, policy: model.Policy, stages: Stages, outputs: list[pl.Expr], inputs: dict[str, pl.DataType], key_types: list):
        self.policy = policy
        self.key_types = key_types  # the type each k_N column holds (see _keys)
        self._stages = stages
        self._outputs = outputs
        self.inputs = inputs  # the columns a frame must hold, and their types
        self.names = [o.meta.output_name() for o in outputs]
        # The input columns the evaluation reads: the others need only be checked, not held as values.
        self.reads = (stages.roots() | {name for o in outputs for name in o.meta.root_names()}) & set(inputs)

    def lazy(self, frame: pl.LazyFrame | pl.DataFrame, outputs: Collection[str] | None = None) -> pl.LazyFrame:
        """The evaluation as a lazy query over a frame, for callers that stream or combine it.

        ``outputs``: only these columns (and ``trouble``, always), in the class's
        order; what none of them needs is never computed (a cohort's ``unknown``
        lists, a third of the evaluation's time, when only the failed are reported).
        """
        chosen = self._outputs if outputs is None else [o for o, name in zip(self._outputs, self.names) if name in outputs or name == "trouble"]
        return self._stages.apply(frame.lazy()).select(chosen)

    def evaluate(self, frame: pl.DataFrame, outputs: Collection[str] | None = None) -> pl.DataFrame:
        """Every row's evaluation (see the class docstring), of only the ``outputs`` named, if given (see :meth:`lazy`)."""
        self._check(frame)
        return self.lazy(frame, outputs).collect()

    def _check(self, frame: pl.DataFrame) -> None:
        problems = []
        for name, dtype in self.inputs.items():
            if name not in frame.columns:
                problems.append(f"no column {name}")
            elif frame.schema[name] != dtype:
                problems.append(f"{name} is {frame.schema[name]}, not {dtype}")
        if problems:
            raise ValueError(f"the frame does not fit {self.policy.path}: " + "; ".join(problems))


def compile_columnar(policy: model.Policy) -> ColumnarPolicy:
    """Compile a checked policy into polars expressions (from the model, as the scalar compiler does)."""
    st = Stages()
    ec = ExpressionCompiler(policy, st)
    reach = Reach(ec)
    _definitions(policy, ec, reach)
    failed, unknown, any_failed = _requirements(policy, ec, reach)
    points, scores = _points(policy, ec, reach)
    batch = _batches(policy, ec, reach, any_failed)
    keys = _keys(policy, ec, reach)
    outputs = [failed.alias("failed"), unknown.alias("unknown")]
    outputs += _decimal_output(points, "points", st)
    for index, score in enumerate(scores):
        outputs += _decimal_output(score, f"s_{index}", st)
    outputs.append(batch.alias("batch"))
    for index, (key, type_) in enumerate(keys):
        outputs += _key_output(key, type_, f"k_{index}", reach)
    outputs.append(reach.trouble().alias("trouble"))
    return ColumnarPolicy(policy, st, outputs, _inputs(policy), [type_ for _value, type_ in keys])


def _inputs(policy: model.Policy) -> dict[str, pl.DataType]:
    inputs = {columns.field_column(pos): columns.dtype(policy.fields[i].type) for pos, i in enumerate(policy.read_fields)}
    for slot in range(len(policy.evidence)):
        inputs[columns.evidence_column(slot)] = columns.dtype(EVIDENCE)
    return inputs


def _definitions(policy: model.Policy, ec: ExpressionCompiler, reach: Reach) -> None:
    for d in policy.definitions:
        expr = optimize(d.expr)
        if isinstance(expr, ir.Const):  # a named constant: its uses were folded
            ec.definitions[d.index] = constant(expr.value, expr.type)
            continue
        ec.definitions[d.index] = ec.value(expr)
        reach.statement(expr)


def _requirements(policy: model.Policy, ec: ExpressionCompiler, reach: Reach):
    """The failed and unknown lists, and whether anything failed, in the scalar backend's order."""
    grade = field(ec.position[policy.field(model.GRADE_FIELD).index], policy.field(model.GRADE_FIELD).type).expr
    checks: list[tuple[pl.Expr, pl.Expr, int]] = []  # (failed, unknown, index), in order

    def check(req: model.Requirement, at) -> None:
        condition = optimize(req.condition)
        holds = ec.value(condition).expr
        reach.statement(condition, at)
        failed = ~holds.fill_null(False)
        unknown = holds.is_null() if ir.may_miss(condition) else pl.lit(False)
        if at is not True:
            failed, unknown = failed & at, unknown & at
        checks.append((failed, unknown, req.index))

    for req in policy.requirements:
        if req.grade is None:
            check(req, True)
    for g in policy.grades:
        at = grade == g.value
        for index in g.requirements:
            check(policy.requirements[index], at)
    if not checks:
        empty = pl.lit([], dtype=pl.List(_INDEX))
        return empty, empty, pl.lit(False)
    failed = index_lists([(f, i) for f, _u, i in checks])
    unknown = index_lists([(u, i) for _f, u, i in checks])
    return failed, unknown, pl.any_horizontal([f for f, _u, _i in checks])


def index_lists(flags: list[tuple[pl.Expr, int]]) -> pl.Expr:
    """For each row, the indexes whose flag is true, in the order given (List(UInt32)).

    Built as bits (64 flags to a UInt64 word), and each distinct combination of
    bits - a few hundred in a cohort of a million - turned into its list once
    and joined back: a list made row by row would cost many times more. The
    lists are made for the whole column at once, not for each batch of rows the
    query streams: finding the combinations and joining them ten times over cost
    two and a half times as much.
    """
    words = []
    for start in range(0, len(flags), 64):
        chunk = flags[start : start + 64]
        words.append(pl.sum_horizontal([flag.cast(pl.UInt64) * pl.lit(1 << bit, dtype=pl.UInt64) for bit, (flag, _i) in enumerate(chunk)]).alias(f"w{len(words)}"))
    indexes = [i for _flag, i in flags]

    def lists(batch: pl.Series) -> pl.Series:
        bits = batch.struct.unnest()
        combinations = bits.unique(maintain_order=True)
        made = []
        for combination in combinations.iter_rows():
            made.append([indexes[64 * w + b] for w, word in enumerate(combination) for b in range(64) if word >> b & 1])
        lookup = combinations.with_columns(pl.Series("_list", made, dtype=pl.List(_INDEX)))
        joined = bits.join(lookup, on=bits.columns, how="left", maintain_order="left", nulls_equal=True)
        return joined.get_column("_list").alias(batch.name)

    return pl.struct(words).map_batches(lists, return_dtype=pl.List(_INDEX), is_elementwise=False)


def _points(policy: model.Policy, ec: ExpressionCompiler, reach: Reach) -> tuple[Num, list[Num]]:
    """The indicator scores (capped) and the points, never below 0."""
    scores = []
    for ind in policy.points.indicators:
        formula = optimize(ind.formula)
        score = ec.value(formula)
        reach.statement(formula)
        if ind.formula.type == INTEGER:
            score = decimals.to_decimal(score)
        if ind.cap is not None:
            cap = number(Decimal(ind.cap.value))
            over = ec.st.materialise(decimals.compare(ec.st, "gt", score, cap))
            score = decimals.select(over, cap, score)
        score = ec.st.materialise(score)
        ec.scores[ind.index] = score
        scores.append(score)
    if policy.points.total is not None:
        formula = optimize(policy.points.total)
        total = ec.value(formula)
        reach.statement(formula)
        if policy.points.total.type == INTEGER:
            total = decimals.to_decimal(total)
    elif scores:
        total = scores[0]
        for score in scores[1:]:
            total, raises = decimals.add(ec.st, total, score)
            total = ec.st.materialise(total)
            reach.add(True, raises)
    else:
        total = number(Decimal(0))
    below = Plain(total.c < 0, BOOL, total.level)
    return ec.st.materialise(decimals.select(below, number(Decimal(0)), total)), scores


def _batches(policy: model.Policy, ec: ExpressionCompiler, reach: Reach, any_failed: pl.Expr) -> pl.Expr:
    """The first batch whose condition holds, for those who failed nothing; a missing value does not hold."""
    if not policy.batches:
        return pl.lit(None, dtype=pl.Int32)
    remaining = ~any_failed
    chain = None
    for b in policy.batches:
        if b.condition is None:
            hit, holds = remaining, pl.lit(True)
        else:
            condition = optimize(b.condition)
            holds = ec.value(condition).expr.fill_null(False)
            reach.statement(condition, remaining)
            hit = remaining & holds
        value = pl.lit(b.index, dtype=pl.Int32)
        chain = pl.when(hit).then(value) if chain is None else chain.when(hit).then(value)
        remaining = remaining & ~holds
    return chain.otherwise(pl.lit(None, dtype=pl.Int32))


def _keys(policy: model.Policy, ec: ExpressionCompiler, reach: Reach) -> list:
    """The tie-break expression keys, each with the type its column holds.

    An indicator's score is a Decimal even when its formula is typed integer, so
    a key typed integer that reads one (``i0 * 2 descending``, with ``i0``
    capped at 0.5) holds Decimals in the scalar backend: its column is DECIMAL.
    """
    keys = []
    for t in policy.tiebreaks:
        if t.kind != "expr":
            continue
        expr = optimize(t.expr)
        value = ec.value(expr)
        type_ = DECIMAL if (t.expr.type == INTEGER and not value.is_int) else t.expr.type
        keys.append((value, type_))
        reach.statement(expr)
    return keys


def _decimal_output(value: Num, name: str, st: Stages | None = None) -> list[pl.Expr]:
    # Null, not {c: null, e: ...}, where a troubled row has no value.
    whole = _field_itself(value, st) if st is not None else None
    if whole is not None:  # an indicator that is a field's value (the usual one): the column itself, not a copy
        struct = whole.alias(name)
    else:
        struct = pl.when(value.c.is_not_null()).then(pl.struct([value.c.alias("c"), value.e.cast(pl.Int32).alias("e")])).alias(name)
    return [struct, value.z_expr().fill_null(False).alias(NEGATIVE_ZERO.format(name))]


def _field_itself(value: Num, st: Stages) -> pl.Expr | None:
    """The decimal field's column, when ``value`` is exactly its coefficient and exponent, untouched; else None.

    A field's column is null wherever its coefficient is (the reader makes it so),
    so it is the output the general case builds, without a copy of a million rows.
    """
    if value.e_fixed is not None:
        return None
    c, e = st.definition(value.c), st.definition(value.e)
    names = c.meta.root_names()
    if len(names) != 1 or not names[0].startswith("f_"):
        return None
    column = pl.col(names[0])
    if c.meta.eq(column.struct.field("c")) and e.meta.eq(column.struct.field("e")):
        return column
    return None


def _key_output(value, type_, name: str, reach: Reach) -> list[pl.Expr]:
    if type_.kind == "decimal":
        return _decimal_output(value, name)
    if type_.kind == "integer":
        held = value.c.cast(pl.Int64, strict=False)
        reach.add(True, held.is_null() & value.c.is_not_null())  # beyond Int64: no column holds it
        return [held.alias(name)]
    return [value.expr.cast(columns.dtype(type_)).alias(name)]
