"""Element-wise fallbacks: the scalar backend's own Python function, applied to the rows that need it.

Some results have no exact vectorised form (a Decimal quotient to 28
significant digits), or not for every row (a sum of more than 28 digits, which
Python rounds). For those rows only, the arguments are turned back into the
Python values the scalar backend holds, the very function of
:data:`jifen_dsl.lang.operations.OPS` is called under ``DECIMAL_CONTEXT``, and
the result is turned into columns again: exact by construction. A row whose
call raises is marked (field ``x``): that is trouble when the scalar backend
would make the same call.

The rows are picked by a mask, so the Python loop costs nothing when no row
needs it (the usual case for everything but division).
"""

from __future__ import annotations

import decimal
from typing import Any, Callable, Sequence

import polars as pl

from jifen_dsl.compile.columnar.stages import Stages, level_of
from jifen_dsl.compile.columnar.values import NUM_FIELDS, Num, Plain, Value, encode_number, encode_plain, plain_dtype
from jifen_dsl.errors import EvaluationError
from jifen_dsl.lang.operations import DECIMAL_CONTEXT
from jifen_dsl.lang.typesys import BOOL, Type

__all__ = ["elementwise", "num_result", "plain_result", "settle_num", "settle_plain", "raised"]

# What a call of the scalar backend's functions may raise for an applicant (an encoder's
# Unrepresentable, a result no column holds, is an ArithmeticError too).
_RAISES = (EvaluationError, ArithmeticError, ValueError)


class _Result:
    """How a fallback's Python results become columns.

    A row whose call raised gets ``garbage``, a value that is not null: null
    means a missing value, and a parent must not take a row whose scalar
    evaluation never computes this node (``lo <= x <= 1 / 0`` with ``lo > x``)
    for one where a value is missing.
    """

    def __init__(self, fields: dict[str, pl.DataType], encode: Callable[[Any], dict[str, Any]], garbage: dict[str, Any]):
        self.fields = fields
        self.encode = encode
        self.garbage = garbage


def num_result() -> _Result:
    return _Result(dict(NUM_FIELDS), encode_number, {"c": 0, "e": 0, "z": False, "i": False})


def plain_result(type_: Type = BOOL) -> _Result:
    if type_ != BOOL:  # pragma: no cover - the fallbacks give numbers and truth values only
        raise NotImplementedError(type_)
    return _Result({"v": plain_dtype(type_)}, lambda value: {"v": encode_plain(value, type_)}, {"v": False})


def _decoder(k: int, arg: Value) -> Callable[[dict], Any]:
    """The Python value of argument ``k`` in a row of the fallback's struct."""
    names = {part: f"a{k}{part}" for part in arg.parts()}
    python = arg.python
    return lambda row: python({part: row[name] for part, name in names.items()})


def _runner(function: Callable[..., Any], decoders: list, result: _Result):
    fields = result.fields

    def run(batch: pl.Series) -> pl.Series:
        size = len(batch)
        chosen = batch.struct.field("w").fill_null(False).arg_true()
        values: dict[str, list] = {name: [] for name in fields}
        raised: list[bool] = []
        if len(chosen):
            rows = batch.struct.unnest().drop("w").gather(chosen).to_dicts()
            with decimal.localcontext(DECIMAL_CONTEXT):
                for row in rows:
                    try:
                        encoded = result.encode(function(*(decode(row) for decode in decoders)))
                    except _RAISES:
                        encoded = result.garbage
                        raised.append(True)
                    else:
                        raised.append(False)
                    for name in fields:
                        values[name].append(encoded.get(name))
        columns = []
        for name, dtype in fields.items():
            column = pl.repeat(None, size, dtype=dtype, eager=True).alias(name)
            if len(chosen):
                column = column.scatter(chosen, pl.Series(values[name], dtype=dtype))
            columns.append(column)
        flag = pl.repeat(False, size, dtype=pl.Boolean, eager=True).alias("x")
        if len(chosen):
            flag = flag.scatter(chosen, pl.Series(raised, dtype=pl.Boolean))
        columns.append(flag)
        return pl.DataFrame(columns).to_struct(batch.name)

    return run


def elementwise(
    st: Stages, function: Callable[..., Any], args: Sequence[Value], result: _Result, where: pl.Expr, level: int = 0,
) -> tuple[pl.Expr, int]:
    """A column of the fallback's results, computed for the rows ``where`` is true (null elsewhere); and its stage.

    ``where`` reads stages up to the arguments' or ``level``, whichever is
    higher. Read a result field with ``column.struct.field(name)``; field ``x``
    is true where the call raised.
    """
    parts = [expr.alias(f"a{k}{part}") for k, a in enumerate(args) for part, expr in a.parts().items()]
    decoders = [_decoder(k, a) for k, a in enumerate(args)]
    dtype = pl.Struct({**result.fields, "x": pl.Boolean})
    packed = pl.struct(parts + [where.alias("w")])
    expr = packed.map_batches(_runner(function, decoders, result), return_dtype=dtype, is_elementwise=False)
    return st.column(expr, max(level, level_of(*args)), prefix="x")


def settle_num(vector: Num, exact: pl.Expr, fallback: pl.Expr, level: int) -> Num:
    """A number taken from the vectorised result where it is exact, from the fallback elsewhere."""
    field = fallback.struct.field

    def pick(vec: pl.Expr, name: str) -> pl.Expr:
        return pl.when(exact).then(vec).otherwise(field(name))

    return Num(
        pick(vector.c, "c"), pick(vector.e, "e"), pick(vector.z_expr(), "z"), pick(vector.i_expr(), "i"),
        None, max(level, vector.level),
    )


def settle_plain(vector: Plain, exact: pl.Expr, fallback: pl.Expr, level: int) -> Plain:
    return Plain(pl.when(exact).then(vector.expr).otherwise(fallback.struct.field("v")), vector.type, max(level, vector.level))


def raised(fallback: pl.Expr) -> pl.Expr:
    return fallback.struct.field("x").fill_null(False)

