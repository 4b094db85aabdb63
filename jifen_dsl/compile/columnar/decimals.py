"""Exact decimal arithmetic on (coefficient, exponent) expressions, as Python's Decimal does it.

Python computes ``+ - *`` exactly and then rounds to the context's 28
significant digits (half-up); ``round(x, n)`` quantizes, raising
InvalidOperation when the result needs more than 28 digits. The exponent rules
are Decimal's: a sum takes the smaller exponent (85.5 + 1.50 = 87.00), a
product the sum of them; ``-x`` of a zero is ``+0``, a product keeps the sign
of a zero (``-1 * 0 = -0``), and a sum of two zeros is negative only when both
are.

Here the same results are computed in Int128 integers when that is exact:
coefficients below 10**27, exponents at most ten apart, results below 10**28
and exponents far from the context's limits. Any other row - a result Python
would round, a scale Int128 cannot hold - is computed by the element-wise
fallback with the scalar backend's own function (:mod:`.fallback`), so every
row is exact. An ``int`` (a number typed ``decimal`` that is a Python int at
run time, or one typed ``integer``) is never rounded and never negative zero.
"""

from __future__ import annotations

from typing import Sequence

import polars as pl

from jifen_dsl.compile.columnar.fallback import elementwise, num_result, plain_result, raised, settle_num, settle_plain
from jifen_dsl.compile.columnar.stages import Stages, level_of
from jifen_dsl.compile.columnar.values import Num, Plain, int_product, int_sum, lit128, negate, number
from jifen_dsl.lang.operations import OPS, round_half_up
from jifen_dsl.lang.typesys import BOOL

__all__ = ["LIMIT", "align", "compare", "add", "neg", "mul", "div", "round_half_up_", "to_decimal", "select", "extreme", "member"]

LIMIT = 10**28  # a coefficient this large is rounded by Python (28 significant digits)
SAFE = 10**27  # coefficients below this may be scaled by 10**SHIFT, and two such added, in Int128
SHIFT = 10
EXP_SAFE = 100_000  # exponents well inside the context's Emin and Emax
I32 = pl.Int32


def _small(c: pl.Expr, bound: int) -> pl.Expr:
    return c.abs() < lit128(bound)


def _pow10(k: pl.Expr) -> pl.Expr:
    """10**k for k from 0 to 38 (clip k before)."""
    return lit128(10).pow(k.cast(pl.UInt32))


def _and(*conditions) -> pl.Expr | bool:
    """The conjunction of conditions, True ones left out (True when none is left)."""
    kept = [c for c in conditions if c is not True]
    if not kept:
        return True
    out = kept[0]
    for c in kept[1:]:
        out = out & c
    return out


def _zero(num: Num) -> bool:
    return num.const is not None and num.const == 0


def align(a: Num, b: Num) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr | bool]:
    """Both coefficients at the smaller exponent: (A, B, exponent, safe); where not safe, A and B are garbage."""
    if a.is_int and b.is_int:
        return a.c, b.c, pl.lit(0, dtype=I32), True
    if a.e_fixed is not None and b.e_fixed is not None:
        m = min(a.e_fixed, b.e_fixed)
        sa, sb = a.e_fixed - m, b.e_fixed - m
        if max(sa, sb) > SHIFT or abs(m) > EXP_SAFE:
            return a.c, b.c, pl.lit(m, dtype=I32), pl.lit(False)
        big = lambda n: True if n.is_int and n.const is not None and abs(n.const) < SAFE else _small(n.c, SAFE)  # noqa: E731
        A = a.c * lit128(10**sa) if sa else a.c
        B = b.c * lit128(10**sb) if sb else b.c
        return A, B, pl.lit(m, dtype=I32), _and(big(a), big(b))
    ae, be = a.e.cast(pl.Int64), b.e.cast(pl.Int64)
    m = pl.min_horizontal(ae, be)
    sa, sb = ae - m, be - m
    safe = (sa <= SHIFT) & (sb <= SHIFT) & (m.abs() <= EXP_SAFE) & _small(a.c, SAFE) & _small(b.c, SAFE)
    A = a.c * _pow10(sa.clip(0, SHIFT))
    B = b.c * _pow10(sb.clip(0, SHIFT))
    return A, B, m.cast(I32), safe


_COMPARE = {
    "eq": lambda x, y: x == y, "ne": lambda x, y: x != y, "lt": lambda x, y: x < y,
    "le": lambda x, y: x <= y, "gt": lambda x, y: x > y, "ge": lambda x, y: x >= y,
}


def compare(st: Stages, op: str, a: Num, b: Num) -> Plain:
    """``a <op> b`` for eq, ne, lt, le, gt, ge: exact whatever the exponents; null when either is missing."""
    level = level_of(a, b)
    if _zero(b) or _zero(a):  # the sign alone decides (points < 0, the commonest test)
        return Plain(_COMPARE[op](a.c, b.c), BOOL, level)
    A, B, _m, safe = align(a, b)
    vector = Plain(_COMPARE[op](A, B), BOOL, level)
    if safe is True:
        return vector
    safe, known = st.column(safe, level)  # computed once, read twice
    where = ~safe & ~a.missing() & ~b.missing()
    column, stage = elementwise(st, OPS[op][1], [a, b], plain_result(), where, known)
    return settle_plain(vector, safe, column, stage)


def _both_int(a: Num, b: Num) -> pl.Expr | bool:
    if a.i is False or b.i is False:
        return False
    if a.i is True and b.i is True:
        return True
    return a.i_expr() & b.i_expr()


def _finish(st: Stages, op: str, args: Sequence[Num], vector: Num, exact, ints, int_overflow) -> tuple[Num, pl.Expr | None]:
    """The vectorised result where exact, the fallback elsewhere; and when the operation raises.

    ``ints`` says which rows are Python ints (never rounded); ``int_overflow``
    which of those leave the integers a column holds.
    """
    level = level_of(*args)
    if ints is True:
        return vector, int_overflow
    if exact is True:
        exact = pl.lit(True)
    exact_all = exact if ints is False else pl.when(ints).then(True).otherwise(exact)
    # Both computed once, each read by the fallback's mask and by all four parts of the result.
    exact_all, known = st.column(exact_all, level)
    vector = st.materialise(vector)
    present = _and(*[~a.missing() for a in args])
    where = ~exact_all if present is True else ~exact_all & present
    column, stage = elementwise(st, OPS[op][1], list(args), num_result(), where, known)
    result = settle_num(vector, exact_all, column, stage)
    trouble = raised(column)
    if ints is not False:
        trouble = trouble | (ints & int_overflow).fill_null(False)
    return Num(result.c, result.e, result.z, result.i, None, max(level, stage)), trouble


def add(st: Stages, a: Num, b: Num, subtract: bool = False) -> tuple[Num, pl.Expr | None]:
    """``a + b`` (or ``a - b``) as Python computes it."""
    level = level_of(a, b)
    ints = _both_int(a, b)
    int_c, int_overflow = int_sum(a.c, b.c, subtract)
    if ints is True:
        return Num(int_c, pl.lit(0, dtype=I32), None, True, 0, level), int_overflow
    A, B, m, safe = align(a, b)
    c = A - B if subtract else A + B
    exact = _and(safe, _small(c, LIMIT))
    # A sum of two zeros is -0 only when both are negative; -b flips the sign of a zero b.
    z_b = (~b.z if b.z is not None else pl.lit(True)) if subtract else b.z
    z = None if (a.z is None or z_b is None) else (c == 0) & (a.c == 0) & a.z & z_b
    if ints is not False:
        c = pl.when(ints).then(int_c).otherwise(c)
        m = pl.when(ints).then(pl.lit(0, dtype=I32)).otherwise(m)
        z = None if z is None else z & ~ints
    vector = Num(c, m, z, ints, None, level)
    return _finish(st, "sub" if subtract else "add", [a, b], vector, exact, ints, int_overflow)


def neg(st: Stages, a: Num) -> tuple[Num, pl.Expr | None]:
    """``-a``: never a negative zero; rounded to 28 digits like any result."""
    if a.is_int:
        return Num(negate(a.c), a.e, None, True, 0, a.level), None
    if a.e_fixed is not None:
        e_ok = True if abs(a.e_fixed) <= EXP_SAFE else pl.lit(False)
    else:
        e_ok = a.e.cast(pl.Int64).abs() <= EXP_SAFE
    exact = _and(_small(a.c, LIMIT), e_ok)
    vector = Num(negate(a.c), a.e, None, a.i, a.e_fixed, a.level)
    return _finish(st, "neg", [a], vector, exact, a.i, pl.lit(False))


def mul(st: Stages, a: Num, b: Num) -> tuple[Num, pl.Expr | None]:
    """``a * b``: the product of the coefficients, the sum of the exponents, the sign of a zero kept."""
    level = level_of(a, b)
    c, int_overflow = int_product(a.c, b.c)
    estimate = a.c.cast(pl.Float64).abs() * b.c.cast(pl.Float64).abs()
    fits = estimate < 1e37  # the Int128 product is exact (it cannot have wrapped) and below 10**37
    ints = _both_int(a, b)
    if ints is True:
        return Num(c, pl.lit(0, dtype=I32), None, True, 0, level), int_overflow
    e = a.e.cast(pl.Int64) + b.e.cast(pl.Int64)
    exact = fits & _small(c, LIMIT) & (e.abs() <= EXP_SAFE) & (a.e.cast(pl.Int64).abs() <= EXP_SAFE) & (b.e.cast(pl.Int64).abs() <= EXP_SAFE)
    z = (c == 0) & (a.negative() ^ b.negative())
    e = e.clip(-(2**31) + 1, 2**31 - 1).cast(I32)
    if ints is not False:
        e = pl.when(ints).then(pl.lit(0, dtype=I32)).otherwise(e)
        z = z & ~ints
    vector = Num(c, e, z, ints, None, level)
    return _finish(st, "mul", [a, b], vector, exact, ints, int_overflow)


def div(st: Stages, a: Num, b: Num, where: str) -> tuple[Num, pl.Expr]:
    """``a / b`` to 28 significant digits, half-up: always the fallback (no exact vectorised form)."""
    present = ~a.missing() & ~b.missing()
    column, stage = elementwise(st, lambda x, y: OPS["div"][1](x, y, where), [a, b], num_result(), present)
    field = column.struct.field
    return Num(field("c"), field("e"), field("z"), False, None, stage), raised(column)


def round_half_up_(st: Stages, a: Num, places: int) -> tuple[Num, pl.Expr | None]:
    """``round(a, places)``: quantize half away from zero; InvalidOperation (trouble) past 28 digits."""
    c = a.c
    e = a.e.cast(pl.Int64)
    shift = e + places
    # Scaling up (the value has fewer decimals than asked): exact, unless it needs 28 digits or more.
    room = lit128(10).pow((28 - shift).clip(0, 28).cast(pl.UInt32))
    up_ok = (c == 0) | ((shift <= 28) & (c.abs() < room))
    up = c * _pow10(shift.clip(0, 28))
    # Scaling down: drop k digits, half away from zero; past 38 digits nothing is left.
    k = (-shift).clip(1, 39)
    p = _pow10(k.clip(1, 38))
    q = c.abs() // p
    q = q + ((c.abs() - q * p) >= p // 2).cast(pl.Int128)
    q = pl.when(k >= 39).then(lit128(0)).otherwise(q)
    down = pl.when(c < 0).then(negate(q)).otherwise(q)
    rounded = pl.when(shift >= 0).then(up).otherwise(down)
    bad = pl.when(shift >= 0).then(~up_ok).otherwise(~_small(down, LIMIT))
    z = (rounded == 0) & a.negative()
    exact = e.abs() <= EXP_SAFE
    present = ~a.missing()
    column, stage = elementwise(st, lambda x: round_half_up(x, places), [a], num_result(), ~exact & present)
    vector = st.materialise(Num(rounded, pl.lit(-places, dtype=I32), z, False, None, a.level))
    result = settle_num(vector, exact, column, stage)
    trouble = pl.when(exact).then(bad).otherwise(raised(column)).fill_null(False)
    return result, trouble


def to_decimal(a: Num) -> Num:
    """``Decimal(a)`` of an int (exact, exponent 0); a Decimal as it is."""
    return Num(a.c, a.e, a.z, False, a.e_fixed, a.level, a.const)


def select(take: Plain, x: Num, y: Num, *, missing_when_null: bool = False) -> Num:
    """``x`` where ``take``, else ``y``; with ``missing_when_null``, missing where ``take`` is null."""
    condition = take.expr

    def pick(p: pl.Expr, q: pl.Expr) -> pl.Expr:
        if missing_when_null:
            return pl.when(condition).then(p).when(~condition).then(q)
        return pl.when(condition).then(p).otherwise(q)

    z = None if (x.z is None and y.z is None) else pick(x.z_expr(), y.z_expr())
    static = not isinstance(x.i, pl.Expr) and not isinstance(y.i, pl.Expr) and x.i == y.i
    i = x.i if static else pick(x.i_expr(), y.i_expr())
    e_fixed = x.e_fixed if x.e_fixed == y.e_fixed else None
    return Num(pick(x.c, y.c), pick(x.e, y.e), z, i, e_fixed, max(x.level, y.level, take.level))


def extreme(st: Stages, op: str, args: Sequence[Num]) -> Num:
    """min() or max() as Python's builtins: the first of equal values wins (85.5 before 85.50).

    Not missing-aware: the caller makes the result missing when an argument is.
    """
    current = args[0]
    for item in args[1:]:
        better = st.materialise(compare(st, "lt" if op == "min" else "gt", item, current))
        current = st.materialise(select(better, item, current))
    return current


def member(st: Stages, x: Num, values, negate: bool) -> Plain:
    """``x in S`` for a fixed set of numbers, by value (2 is in {2.0}); ``not in`` with ``negate``."""
    found: pl.Expr = pl.lit(False)
    safe_all: pl.Expr | bool = True
    for value in sorted(values):
        A, B, _m, safe = align(x, number(value))
        found = found | (A == B)
        safe_all = _and(safe_all, safe)
    op = "not_in" if negate else "in"
    vector = Plain(~found if negate else found, BOOL, x.level)
    if safe_all is True:
        return vector
    constant = frozenset(values)
    column, stage = elementwise(st, lambda v: OPS[op][1](v, constant), [x], plain_result(), ~safe_all & ~x.missing())
    return settle_plain(vector, safe_all, column, stage)
