"""How a value of each of the language's types is held in a column (polars).

The columnar engine holds a cohort as one column per field the policy reads,
named ``f_N`` by the field's position in ``policy.read_fields`` (never by its
policy name), and one column per evidence list, ``v_N``. A missing value is a
null. The mapping is exact: a value converted to a column and back is the same
Python value the scalar reader gives, so both backends see the same input.

Decimals are held as Python's :class:`decimal.Decimal` holds a finite number:
an integer coefficient and a power-of-ten exponent, ``{"c": Int128, "e":
Int32}``. ``85.5`` is ``{"c": 855, "e": -1}`` and ``85.50`` is ``{"c": 8550,
"e": -2}``: they compare equal but are written differently, as the scalar
backend writes them. A fixed-scale decimal type would either round products
or lose the written scale, and a float would round. Sums, differences,
products, comparisons and ``round`` are exact in integers; 38 digits of
``Int128`` cover the 28 significant digits the language computes with.

This module imports polars; only commands that read a cohort import it.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any, Iterable, Sequence

import polars as pl

from jifen_dsl.lang.typesys import Type

__all__ = [
    "DECIMAL",
    "EVIDENCE",
    "dtype",
    "field_column",
    "evidence_column",
    "decimal_parts",
    "decimal_from_parts",
    "column_values",
    "decimal_values",
    "series",
    "frame_of_records",
    "place_among",
]

DECIMAL = pl.Struct({"c": pl.Int128, "e": pl.Int32})
# One applicant's evidence items of one indicator, sorted by date as the scalar record holds them.
EVIDENCE = pl.List(pl.Struct({"day": pl.Date, "c": pl.Int128, "e": pl.Int32}))

_DTYPES: dict[str, pl.DataType] = {
    "text": pl.String(),
    "enum": pl.String(),
    "integer": pl.Int64(),
    "decimal": DECIMAL,
    "bool": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.Datetime("us"),
    "school_list": pl.List(pl.String),
    "text_list": pl.List(pl.String),
    "evidence": EVIDENCE,
}


def dtype(type_: Type) -> pl.DataType:
    """The column type holding values of a language type (a field's or an evidence list's)."""
    try:
        return _DTYPES[type_.kind]
    except KeyError:
        raise TypeError(f"no column holds values of type {type_}") from None


def field_column(position: int) -> str:
    """The name of the column holding the field at ``position`` of ``policy.read_fields``."""
    return f"f_{position}"


def evidence_column(slot: int) -> str:
    """The name of the column holding the evidence list at ``slot`` of ``policy.evidence``."""
    return f"v_{slot}"


def decimal_parts(value: Decimal) -> dict[str, int]:
    """A finite Decimal as its signed integer coefficient and exponent."""
    sign, digits, exponent = value.as_tuple()
    coefficient = int("".join(map(str, digits))) if digits else 0
    return {"c": -coefficient if sign else coefficient, "e": exponent}


def decimal_from_parts(coefficient: int, exponent: int) -> Decimal:
    """The Decimal with this coefficient and exponent, its written scale kept (``-0`` is ``0``)."""
    # Built from the tuple, not through a context: no rounding to the context's precision.
    digits = tuple(int(d) for d in str(abs(coefficient)))
    return Decimal((1 if coefficient < 0 else 0, digits, exponent))


def _to_cell(value: Any, kind: str) -> Any:
    if value is None:
        return None
    if kind == "decimal":
        return decimal_parts(value)
    if kind == "evidence":
        return [{"day": day, **decimal_parts(amount)} for day, amount in value]
    if kind in ("school_list", "text_list"):
        return list(value)
    return value


def _from_cell(cell: Any, kind: str) -> Any:
    if cell is None:
        return None
    if kind == "decimal":
        return decimal_from_parts(cell["c"], cell["e"])
    if kind == "evidence":
        return tuple((item["day"], decimal_from_parts(item["c"], item["e"])) for item in cell)
    if kind in ("school_list", "text_list"):
        return tuple(cell)
    if kind == "datetime" and isinstance(cell, _dt.datetime) and cell.tzinfo is not None:  # pragma: no cover
        return cell.replace(tzinfo=None)
    return cell


def series(name: str, values: Iterable[Any], type_: Type) -> pl.Series:
    """A column of Python values as the scalar record holds them (None for a missing one)."""
    kind = type_.kind
    return pl.Series(name, [_to_cell(v, kind) for v in values], dtype=dtype(type_))


def column_values(column: pl.Series, type_: Type) -> list[Any]:
    """The Python values of a column, as the scalar record holds them."""
    kind = type_.kind
    if kind in ("text", "enum", "integer", "bool", "date", "datetime"):
        return column.to_list()
    return [_from_cell(cell, kind) for cell in column.to_list()]


def decimal_values(column: pl.Series, negative_zero: pl.Series | None = None) -> list[Decimal | None]:
    """The Decimals of a DECIMAL column; where ``negative_zero`` (a Boolean column beside it) is true, ``-0``.

    ``{c, e}`` cannot tell ``-0`` from ``0``, which Decimal arithmetic can make
    (``round(-0.4, 0)``, ``-1 * 0``) and which is written ``-0``: a result
    column that may hold one comes with such a Boolean column.
    """
    values = [_from_cell(cell, "decimal") for cell in column.to_list()]
    if negative_zero is not None:
        for position, negative in enumerate(negative_zero.to_list()):
            if negative and values[position] is not None and not values[position]:
                values[position] = values[position].copy_negate()
    return values


def frame_of_records(types: Sequence[Type], records: Sequence[tuple], evidence: int = 0) -> pl.DataFrame:
    """A frame of scalar records: ``f_N`` for each typed slot, then ``v_N`` for each evidence list.

    ``types`` gives the type of each field slot of a record, in order; the last
    ``evidence`` slots of a record are evidence lists.
    """
    from jifen_dsl.lang.typesys import EVIDENCE as EVIDENCE_TYPE

    columns = []
    slots = list(zip(*records)) if records else [()] * (len(types) + evidence)
    for position, type_ in enumerate(types):
        columns.append(series(field_column(position), slots[position], type_))
    for slot in range(evidence):
        columns.append(series(evidence_column(slot), slots[len(types) + slot], EVIDENCE_TYPE))
    return pl.DataFrame(columns)


_FEW = 16  # up to this many texts, a cell's place among them is found by comparing it with each


def place_among(column: pl.Expr, texts: Sequence[str], dtype: pl.DataType = pl.UInt32) -> pl.Expr:
    """Each cell's place among a few ``texts`` (null for a cell that is none of them), as ``dtype``: a grade's code.

    A few comparisons of each cell cost a third of a lookup of it in a table,
    which remains for more than a few texts.
    """
    texts = list(texts)
    if not texts or len(texts) > _FEW:
        return column.replace_strict(texts, list(range(len(texts))), default=None, return_dtype=dtype)
    chain = pl.when(column == texts[0]).then(pl.lit(0, dtype=dtype))
    for place, text in enumerate(texts[1:], start=1):
        chain = chain.when(column == text).then(pl.lit(place, dtype=dtype))
    return chain.otherwise(pl.lit(None, dtype=dtype))


def decimal_text(column: pl.Expr) -> pl.Expr:
    """A decimal column as text, exactly as ``format(Decimal, "f")`` writes each value (null stays null).

    The written scale is kept: ``{855, -1}`` is ``85.5`` and ``{8550, -2}`` is
    ``85.50``; a positive exponent writes zeros, never an exponent.
    """
    coefficient = column.struct.field("c")
    exponent = column.struct.field("e")
    digits = coefficient.abs().cast(pl.String)
    scale = (-exponent).clip(lower_bound=0)
    padded = digits.str.pad_start(scale + 1, "0")  # at least one digit before the point
    length = padded.str.len_chars()
    with_point = pl.concat_str([padded.str.slice(0, length - scale), pl.lit("."), padded.str.slice(length - scale)])
    whole = padded.str.pad_end(length + exponent.clip(lower_bound=0), "0")
    text = pl.when(scale > 0).then(with_point).otherwise(whole)
    return pl.when(coefficient < 0).then(pl.lit("-") + text).otherwise(text)
