"""Ranks of a whole cohort from its columns: one multi-key sort per grade.

The columnar counterpart of :mod:`jifen_dsl.evaluation.ranking`, giving the
same ranks: batch (no batch after the last), points highest first, then the
tie-break chain. The chain ends in a unique key or a seeded lottery, so the
order is total and any correct sort gives the same ranks, whatever the input
row order.

Decimals are held as coefficient and exponent (:mod:`jifen_dsl.lang.columns`),
which do not sort as numbers, so each decimal key is replaced by the rank of
its value among the distinct values present, found by sorting those values as
Decimals: exact for any decimal, and cheap, since points and scores take few
distinct values. A lottery ticket is a SHA-256 hash of the seed and the id
(:func:`ranking.lottery_ticket`); it is drawn only for the applicants equal on
every part before it.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from jifen_dsl.compile.order import OrderPart, order_parts
from jifen_dsl.evaluation.ranking import lottery_ticket
from jifen_dsl.lang import model
from jifen_dsl.lang.columns import decimal_from_parts

__all__ = ["rank_column"]

_DECIMAL_SOURCES = ("points", "indicator")


def rank_column(policy: model.Policy, frame: pl.DataFrame) -> pl.Series:
    """Each row's rank among the eligible of its grade (1 = best), null for the ineligible.

    ``frame`` has, per applicant: ``grade``, ``id``, ``eligible``, ``batch``,
    ``points``, the indicator scores ``s_N`` and the tie-break keys ``k_N``
    (as the columnar backend gives them).
    """
    parts = [part for group in order_parts(policy) for part in group]
    eligible = frame.select("grade", "id", "eligible", *_columns_read(parts)).with_row_index("_row").filter(pl.col("eligible"))
    keys: list[pl.Expr] = [pl.col("grade")]
    descending = [False]
    for position, part in enumerate(parts):
        name = f"_key_{position}"
        if part.source == "lottery":
            eligible = _with_tickets(eligible, part.seed, name, keys, descending)
        else:
            eligible = eligible.with_columns(_key(policy, part, eligible).alias(name))
        keys.append(pl.col(name))
        descending.append(part.descending)
    ordered = eligible.sort(keys, descending=descending, maintain_order=True)
    ranked = ordered.select("_row", pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("grade").alias("rank"))
    return (
        pl.DataFrame({"_row": pl.Series(range(frame.height), dtype=pl.UInt32)})
        .join(ranked, on="_row", how="left", maintain_order="left")
        .get_column("rank")
    )


def _columns_read(parts: list[OrderPart]) -> list[str]:
    names = []
    for part in parts:
        name = _column(part)
        if name is not None and name not in names:
            names.append(name)
    return names


def _column(part: OrderPart) -> str | None:
    if part.source == "batch":
        return "batch"
    if part.source == "points":
        return "points"
    if part.source == "indicator":
        return f"s_{part.index}"
    if part.source == "key":
        return f"k_{part.index}"
    return None  # a lottery draws from the id


def _key(policy: model.Policy, part: OrderPart, frame: pl.DataFrame) -> pl.Series:
    """A column that sorts as the part orders applicants."""
    name = _column(part)
    if part.source == "batch":
        return frame.get_column("batch").fill_null(len(policy.batches)).cast(pl.Int64)
    column = frame.get_column(name)
    if part.members is not None:  # an enum orders by its members' declared order
        return column.replace_strict(part.members, return_dtype=pl.UInt32)
    if part.source in _DECIMAL_SOURCES or column.dtype == pl.Struct:
        return _decimal_order(column)
    return column


def _decimal_order(column: pl.Series) -> pl.Series:
    """Each decimal's rank among the distinct values of the column, by value (equal values share one)."""
    parts = column.struct.unnest()
    distinct = parts.unique()
    values = sorted({decimal_from_parts(c, e) for c, e in distinct.iter_rows()})
    order = {value: rank for rank, value in enumerate(values)}
    mapping = distinct.with_columns(
        pl.Series("_order", [order[decimal_from_parts(c, e)] for c, e in distinct.iter_rows()], dtype=pl.UInt32)
    )
    return parts.join(mapping, on=["c", "e"], how="left", maintain_order="left", nulls_equal=True).get_column("_order")


def _with_tickets(frame: pl.DataFrame, seed: int, name: str, keys: list[pl.Expr], descending: list[bool]) -> pl.DataFrame:
    """The lottery tickets of the applicants tied on every part before the lottery (the others need none)."""
    tied = frame.select(pl.struct(keys).is_duplicated()).to_series()
    ids = frame.get_column("id")
    tickets: list[Any] = [lottery_ticket(seed, i) if t else None for i, t in zip(ids.to_list(), tied.to_list())]
    return frame.with_columns(pl.Series(name, tickets, dtype=pl.Binary))
