"""The value of an expression for a whole cohort: polars expressions, one family per kind of type.

A checked expression has a static type, but the scalar backend's values carry
more than the type says, and all of it shows in results:

* a number typed ``decimal`` may be a Python ``int`` at run time (``if c then 1
  else 2.5``); ints never round to 28 digits and have no negative zero;
* a Decimal may be a negative zero (``round(-0.4, 0)`` is ``-0``), which prints
  as ``-0`` though it equals ``0``.

So a number (:class:`Num`) is a coefficient ``c`` and exponent ``e`` as in
:mod:`jifen_dsl.lang.columns`, plus ``z`` (a negative zero) and ``i`` (an int).
Each part is an expression, or a Python constant when it is the same for every
applicant, which keeps the common case (no ints in disguise, no negative zeros)
as cheap as a plain column.

Every value knows its ``level``: the stage of materialised columns it reads
(see :mod:`jifen_dsl.compile.columnar.stages`). It also converts itself to and
from the Python values the scalar backend holds, for the element-wise
fallbacks (:mod:`jifen_dsl.compile.columnar.fallback`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, Union

import attrs
import polars as pl

from jifen_dsl.lang import columns
from jifen_dsl.lang.typesys import Type
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.timeline.workdays import Workdays

__all__ = [
    "Num", "Plain", "Dur", "Choice", "Value", "INT_LIMIT", "Unrepresentable",
    "lit128", "negate", "int_sum", "int_product", "number", "plain_dtype", "kind_of",
]

# Integers are held in Int128 below this bound (Int128 holds every 38-digit number);
# Python's are unbounded, so a value beyond it is marked as trouble (the scalar
# backend is then the authority).
INT_LIMIT = 10**38


class Unrepresentable(ArithmeticError):
    """A Python result no column can hold (an integer beyond INT_LIMIT)."""


def lit128(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.Int128)


def negate(expr: pl.Expr) -> pl.Expr:
    """``-expr`` of an Int128 expression (polars has no unary minus for Int128)."""
    return lit128(0) - expr


def int_sum(a: pl.Expr, b: pl.Expr, subtract: bool = False) -> tuple[pl.Expr, pl.Expr]:
    """``a + b`` (``a - b``) of Int128 integers below INT_LIMIT; and where it is not (Int128 wraps silently)."""
    c = a - b if subtract else a + b
    b_sign = (b <= 0) if subtract else (b >= 0)
    wrapped = ((a >= 0) == b_sign) & ((c >= 0) != (a >= 0))
    return c, wrapped | (c.abs() >= lit128(INT_LIMIT))


def int_product(a: pl.Expr, b: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """``a * b`` of Int128 integers below INT_LIMIT; and where it is not.

    The product wraps when it overflows, so it is exact exactly when dividing
    it by ``b`` gives ``a`` back with nothing left over.
    """
    c = a * b
    exact = (b == 0) | ((c % b == 0) & (c // b == a))
    return c, ~exact.fill_null(False) | (c.abs() >= lit128(INT_LIMIT))


def _part(value: Union[pl.Expr, bool, int, None], dtype: pl.DataType) -> pl.Expr | None:
    if value is None or isinstance(value, pl.Expr):
        return value
    return pl.lit(value, dtype=dtype)


@attrs.frozen
class Num:
    """A number: coefficient, exponent, negative zero, and whether it is a Python int.

    ``z`` is None when the value is never a negative zero; ``i`` is a bool when
    every applicant's value is (True) or none is (False) an int; ``e_fixed`` is
    the exponent when it is the same for everyone (0 for ints).
    """

    c: pl.Expr
    e: pl.Expr
    z: pl.Expr | None = None
    i: Union[pl.Expr, bool] = False
    e_fixed: int | None = None
    level: int = 0
    const: Any = None  # the Python value, when it is one constant for everyone

    @property
    def is_int(self) -> bool:
        return self.i is True

    def missing(self) -> pl.Expr:
        return self.c.is_null()

    def negative(self) -> pl.Expr:
        """The sign of the value, a negative zero counting as negative (as Decimal's sign does)."""
        sign = self.c < 0
        return sign if self.z is None else sign | self.z

    def parts(self) -> dict[str, pl.Expr]:
        """The parts that differ by applicant (a fixed exponent or int-ness is left out)."""
        out = {"c": self.c}
        if self.e_fixed is None:
            out["e"] = self.e
        if self.z is not None:
            out["z"] = self.z
        if isinstance(self.i, pl.Expr):
            out["i"] = self.i
        return out

    def rebuild(self, parts: Callable[[str], pl.Expr], level: int) -> "Num":
        e = parts("e") if self.e_fixed is None else pl.lit(self.e_fixed, dtype=pl.Int32)
        return Num(
            parts("c"), e, parts("z") if self.z is not None else None,
            parts("i") if isinstance(self.i, pl.Expr) else self.i, self.e_fixed, level,
        )

    def i_expr(self) -> pl.Expr:
        return self.i if isinstance(self.i, pl.Expr) else pl.lit(self.i)

    def z_expr(self) -> pl.Expr:
        return self.z if self.z is not None else pl.lit(False)

    def python(self, row: dict[str, Any]) -> Any:
        c = row["c"]
        if c is None:
            return None
        is_int = row["i"] if "i" in row else self.i
        if is_int:
            return int(c)
        value = columns.decimal_from_parts(c, row["e"] if "e" in row else self.e_fixed)
        if c == 0 and row.get("z"):
            return value.copy_negate()
        return value


def number(value: int | Decimal) -> Num:
    """A constant number as the scalar backend holds it (an int stays an int)."""
    if isinstance(value, bool):
        raise TypeError("a bool is not a number")
    if isinstance(value, int):
        return Num(lit128(value), pl.lit(0, dtype=pl.Int32), None, True, 0, 0, value)
    sign, _digits, exponent = value.as_tuple()
    parts = columns.decimal_parts(value)
    z = pl.lit(True) if (sign and parts["c"] == 0) else None
    return Num(lit128(parts["c"]), pl.lit(exponent, dtype=pl.Int32), z, False, exponent, 0, value)


def encode_number(value: Any) -> dict[str, Any]:
    """The parts of a Python number, for a fallback's result; raise Unrepresentable beyond the bounds."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= INT_LIMIT:
            raise Unrepresentable(value)
        return {"c": value, "e": 0, "z": False, "i": True}
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):
        raise Unrepresentable(value)  # NaN or infinity: the context traps make this unreachable
    parts = columns.decimal_parts(value)
    return {"c": parts["c"], "e": exponent, "z": bool(sign and parts["c"] == 0), "i": False}


NUM_FIELDS = {"c": pl.Int128, "e": pl.Int32, "z": pl.Boolean, "i": pl.Boolean}


@attrs.frozen
class Plain:
    """A value held in one column: bool, text, enum, date, datetime, list, evidence, working days."""

    expr: pl.Expr
    type: Type
    level: int = 0

    def missing(self) -> pl.Expr:
        return self.expr.is_null()

    def parts(self) -> dict[str, pl.Expr]:
        return {"v": self.expr}

    def rebuild(self, parts: Callable[[str], pl.Expr], level: int) -> "Plain":
        return Plain(parts("v"), self.type, level)

    def python(self, row: dict[str, Any]) -> Any:
        return decode_plain(row["v"], self.type)


def plain_dtype(type_: Type) -> pl.DataType:
    if type_.kind == "workdays":
        return pl.Int128()
    return columns.dtype(type_)


def decode_plain(cell: Any, type_: Type) -> Any:
    """A cell of a plain column as the scalar backend holds the value."""
    if cell is None:
        return None
    kind = type_.kind
    if kind == "workdays":
        return Workdays(cell)
    if kind == "evidence":
        return tuple((item["day"], columns.decimal_from_parts(item["c"], item["e"])) for item in cell)
    if kind in ("school_list", "text_list"):
        return tuple(cell)
    return cell


def encode_plain(value: Any, type_: Type) -> Any:
    if value is None:
        return None
    if type_.kind == "workdays":
        if abs(int(value)) >= INT_LIMIT:
            raise Unrepresentable(value)
        return int(value)
    if type_.kind in ("school_list", "text_list"):
        return list(value)
    return value


@attrs.frozen
class Dur:
    """A duration: years, months and days, each an Int128 expression; ``const`` when fixed."""

    y: pl.Expr
    m: pl.Expr
    d: pl.Expr
    const: Duration | None = None
    level: int = 0

    @classmethod
    def of(cls, value: Duration) -> "Dur":
        return cls(lit128(value[0]), lit128(value[1]), lit128(value[2]), value, 0)

    def missing(self) -> pl.Expr:
        return self.y.is_null()

    def parts(self) -> dict[str, pl.Expr]:
        return {"y": self.y, "m": self.m, "d": self.d}

    def rebuild(self, parts: Callable[[str], pl.Expr], level: int) -> "Dur":
        return Dur(parts("y"), parts("m"), parts("d"), self.const, level)

    def python(self, row: dict[str, Any]) -> Any:
        if row["y"] is None:
            return None
        return Duration(row["y"], row["m"], row["d"])


@attrs.frozen
class Choice:
    """A value of a type only constants have (a set, a phase, the calendar): which of ``options`` it is.

    ``if c then {"a"} else {"b"}`` is a set that differs by applicant, but only
    among the constants the policy wrote, so an index into them says it exactly.
    """

    options: tuple[Any, ...]
    idx: pl.Expr
    level: int = 0

    @classmethod
    def of(cls, value: Any) -> "Choice":
        return cls((value,), pl.lit(0, dtype=pl.Int32), 0)

    @property
    def const(self) -> Any:
        """The value when it is one constant for everyone, else None."""
        return self.options[0] if len(self.options) == 1 else None

    def missing(self) -> pl.Expr:
        return self.idx.is_null()

    def parts(self) -> dict[str, pl.Expr]:
        return {"k": self.idx}

    def rebuild(self, parts: Callable[[str], pl.Expr], level: int) -> "Choice":
        return Choice(self.options, parts("k"), level)

    def python(self, row: dict[str, Any]) -> Any:
        return None if row["k"] is None else self.options[row["k"]]


Value = Union[Num, Plain, Dur, Choice]

_KINDS = {"integer": "num", "decimal": "num", "duration": "dur", "set": "choice", "window": "choice", "calendar": "choice"}


def kind_of(type_: Type) -> str:
    """Which family holds values of a type: num, dur, choice or plain."""
    return _KINDS.get(type_.kind, "plain")
