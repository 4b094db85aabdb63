"""Sums of evidence items as polars list expressions, exact as the scalar backend's running Decimal sum.

``evidence_sum(items, low, high)`` adds, one by one from ``Decimal(0)``, the
values of the items dated from ``low`` to ``high``; ``evidence_total`` adds
them all. While no running total reaches 28 digits nothing is rounded, so the
result is the exact sum at the smallest exponent among the items counted and
0 - which is what is computed here, in Int128, for every applicant's list at
once. Where a running total could reach 28 digits (the sum of the absolute
values does), Python's own function computes the row (:mod:`.fallback`).

Only element-wise ``list.eval`` (a field, a power of ten, a sign) and list
arithmetic are used - both run over the flat values of all the lists at once;
a row's own bounds and smallest exponent are broadcast over its items by list
arithmetic.
"""

from __future__ import annotations

import polars as pl

from jifen_dsl.compile.columnar.dates import day_number
from jifen_dsl.compile.columnar.decimals import EXP_SAFE, LIMIT, SAFE, SHIFT
from jifen_dsl.compile.columnar.fallback import elementwise, num_result, raised, settle_num
from jifen_dsl.compile.columnar.stages import Stages, level_of
from jifen_dsl.compile.columnar.values import Num, Plain, lit128
from jifen_dsl.lang.operations import evidence_sum, evidence_total

__all__ = ["total"]

_E = pl.element()
_OUTSIDE = 1_000_000_000  # an exponent no item has, for items outside the window


def _each(items: pl.Expr, expr: pl.Expr) -> pl.Expr:
    return items.list.eval(expr)


def _counted(items: pl.Expr, low: Plain | None, high: Plain | None) -> pl.Expr | None:
    """1 for each item dated from low to high (both included), else 0; None when every item counts."""
    if low is None:
        return None
    days = _each(items, _E.struct.field("day").cast(pl.Int32).cast(pl.Int64))
    after = _each(days - day_number(low.expr, False), (_E >= 0).cast(pl.Int64))
    before = _each(days - day_number(high.expr, False), (_E <= 0).cast(pl.Int64))
    return after * before


def total(st: Stages, items: Plain, low: Plain | None = None, high: Plain | None = None) -> tuple[Num, pl.Expr]:
    """The sum of the items' values (those dated from low to high when given); and where it raises.

    The lists each step reads are made columns first, so that no list is
    computed twice.
    """
    v = items.expr
    level = level_of(items, low, high)
    exponents, at = st.column(_each(v, _E.struct.field("e").cast(pl.Int64)), level)
    inside = _counted(v, low, high)
    if inside is not None:
        inside, at = st.column(inside, level)
    lowest_all, at = st.column(exponents.list.min().fill_null(0).clip(upper_bound=0), at)  # of the list, and Decimal(0)'s
    shifts = exponents - lowest_all
    scaled, at = st.column(_each(v, _E.struct.field("c")) * _each(shifts, lit128(10).pow(_E.clip(0, 38).cast(pl.UInt32))), at)
    # Every item at the list's smallest exponent fits in Int128, with room for a sum of them all.
    fits = (shifts.list.max().fill_null(0) <= SHIFT) & (_each(v, _E.struct.field("c").abs()).list.max().fill_null(0) < lit128(SAFE))
    bound = _each(scaled, _E.cast(pl.Float64).abs()).list.sum() < 1e37
    if inside is None:
        counted, lowest = scaled, lowest_all
    else:
        counted = scaled * inside.cast(pl.List(pl.Int128))
        lowest = (exponents * inside - (inside - 1) * _OUTSIDE).list.min().fill_null(0).clip(upper_bound=0)
    lowest, at = st.column(lowest, at)
    # The counted items at their own smallest exponent: a whole division, since each is a multiple.
    unit = lit128(10).pow((lowest - lowest_all).clip(0, 38).cast(pl.UInt32))
    sums, summed = st.column(pl.struct(counted.list.sum().alias("c"), _each(counted, _E.abs()).list.sum().alias("a")), at)
    c = sums.struct.field("c") // unit
    absolute = sums.struct.field("a") // unit
    exact, at = st.column(fits & bound & (absolute < lit128(LIMIT)) & (lowest.abs() <= EXP_SAFE), summed)
    vector = Num(c, lowest.cast(pl.Int32), None, False, None, summed)
    args = [items] if low is None else [items, low, high]
    present = ~items.missing()
    for bound_value in args[1:]:
        present = present & ~bound_value.missing()
    function = evidence_total if low is None else evidence_sum
    column, stage = elementwise(st, function, args, num_result(), ~exact & present, at)
    return settle_num(vector, exact, column, stage), raised(column)
