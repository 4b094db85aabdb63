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

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import polars as pl

from jifen_dsl.compile.order import OrderPart, order_parts
from jifen_dsl.evaluation.ranking import lottery_ticket
from jifen_dsl.lang import model
from jifen_dsl.lang.columns import decimal_from_parts, place_among

__all__ = ["rank_column", "ranking_columns"]

_DECIMAL_SOURCES = ("points", "indicator")


def rank_column(policy: model.Policy, frame: pl.DataFrame) -> pl.Series:
    """Each row's rank among the eligible of its grade (1 = best), null for the ineligible.

    ``frame`` has, per applicant: ``grade``, ``id``, ``eligible``, ``batch``,
    ``points``, the indicator scores ``s_N`` and the tie-break keys ``k_N``
    (as the columnar backend gives them).
    """
    parts = [part for group in order_parts(policy) for part in group]
    # Each key is made over the whole column and only then taken for the eligible: taking the
    # eligible's rows first would copy every decimal (a wide struct) to be narrowed right after.
    at = frame.get_column("eligible").fill_null(False).arg_true()
    grade = _grade_codes(policy, frame.get_column("grade"), at)
    # Each part as the dense rank of its values in its own direction (1 = first), packed
    # several to one integer while they fit: one sort over a few integers, not many wide keys.
    words = _Packer(grade, grade.max() or 0)
    descending_last = False
    keys: list[pl.Series] = []
    offsets = _all_offsets(policy, parts, frame, at)
    for position, part in enumerate(parts):
        if part.source == "lottery":
            keys += words.done()
            keys.append(_tickets(frame.get_column("id").gather(at), part.seed, keys).alias(f"_lottery_{position}"))
            words = _Packer(None, 0)
            continue
        if position not in offsets:
            keys += words.done()  # the last part, a unique id: sorted as text, never ranked first
            keys.append(_text_order(_key(policy, part, frame).gather(at)).alias("_last"))
            words = _Packer(None, 0)
            descending_last = part.descending
            continue
        words.add(*offsets[position])
    keys += words.done()
    # One sort over the few packed words and the last key. The chain ends in a unique key or a
    # lottery, so the order is total and the sort need not keep the file's order; a policy with
    # no such end (no tie-break chain) has its ties kept in file order by the row as a last key.
    if not any(tie.unique for tie in policy.tiebreaks):
        keys.append(at.alias("_file_order"))
    names = [f"_k{i}" for i in range(len(keys))]
    descending = [key.name == "_last" and descending_last for key in keys]
    order = (
        pl.DataFrame([key.alias(name) for key, name in zip(keys, names)])
        .with_row_index("_at")
        .sort(names, descending=descending)
        .get_column("_at")
    )
    ranks = pl.repeat(None, frame.height, dtype=pl.Int64, eager=True).alias("rank")
    return ranks.scatter(at.gather(order), _within_grade(grade.gather(order))) if order.len() else ranks


def _within_grade(codes: pl.Series) -> pl.Series:
    """Each place's rank within its grade, for places sorted by grade code first: its place less the grade's first place."""
    if codes.null_count():  # no grade: those places are a group of their own
        return pl.DataFrame({"g": codes}).select(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("g")).to_series()
    starts = [0] * (int(codes.max()) + 1)
    for code, size in codes.value_counts().iter_rows():
        starts[code] = size
    total = 0
    for code, size in enumerate(starts):  # sizes to the places where each grade begins
        starts[code], total = total, total + size
    first = pl.Series(starts, dtype=pl.Int64).gather(codes)
    return pl.int_range(1, codes.len() + 1, dtype=pl.Int64, eager=True) - first


def ranking_columns(policy: model.Policy) -> set[str]:
    """The columns :func:`rank_column` reads."""
    return {"grade", "id", "eligible"} | {name for group in order_parts(policy) for part in group if (name := _column(part)) is not None}


def _all_offsets(policy: model.Policy, parts: list[OrderPart], frame: pl.DataFrame, at: pl.Series) -> dict[int, tuple[pl.Series, int]]:
    """Part position -> the eligible's key in the part's direction as non-negative integers, and the largest, for every part but a lottery and a last text key.

    The parts are independent until they are packed: they are made a few at a
    time (polars lets go of the interpreter while it works).
    """

    def offsets(position: int) -> tuple[int, tuple[pl.Series, int] | None]:
        part = parts[position]
        key = _key(policy, part, frame)
        if key.dtype == pl.String and position == len(parts) - 1:
            return position, None
        offset, top = _offsets(key)
        return position, ((top - offset if part.descending else offset).gather(at), top)

    wanted = [position for position, part in enumerate(parts) if part.source != "lottery"]
    with ThreadPoolExecutor(max(1, min(pl.thread_pool_size(), os.cpu_count() or 1))) as pool:
        return {position: found for position, found in pool.map(offsets, wanted) if found is not None}


def _text_order(key: pl.Series) -> pl.Series:
    """The last key, unique text, as its rank among the keys when the rows are nearly in its order, else as it is.

    An office's file is usually in id order, or nearly: sorting the ids then costs
    little (the sort finds the runs already in order), and the rank, an integer,
    sorts with the other keys several times faster than text does. Rows in
    another order keep the text, which one sort over all the keys orders best.
    """
    if key.null_count() or key.len() < 2:
        return key
    out_of_order = pl.DataFrame([key.alias("k")]).select((pl.col("k") < pl.col("k").shift(1)).sum()).item()
    if out_of_order * 100 > key.len():
        return key
    at = key.arg_sort()
    return pl.repeat(0, key.len(), dtype=pl.UInt32, eager=True).scatter(at, pl.int_range(0, key.len(), eager=True, dtype=pl.UInt32))


def _grade_codes(policy: model.Policy, grades: pl.Series, at: pl.Series) -> pl.Series:
    """The grade of each row at ``at`` as a small integer: its place among the policy's grades, or among those present.

    Coded over the whole column and only then taken: a gather of integers, not of
    texts (:func:`~jifen_dsl.lang.columns.place_among`). A grade the policy does
    not name (a frame made by hand) has the grades present coded in their order instead.
    """
    def coded(texts: list[str]) -> pl.Series:
        return pl.DataFrame([grades.alias("g")]).select(place_among(pl.col("g"), texts, pl.UInt64)).to_series()

    codes = coded(list(getattr(policy.field(model.GRADE_FIELD).type, "members", ())))
    if codes.null_count() != grades.null_count():
        codes = coded(sorted(grades.unique().drop_nulls().to_list()))
    return codes.gather(at)


_SPAN = 1 << 32  # keys spread wider than this are ranked densely before packing


def _offsets(key: pl.Series) -> tuple[pl.Series, int]:
    """A key as non-negative integers in its order (UInt64), and the largest: its values less the least, or their dense ranks."""
    if key.dtype in (pl.Date, pl.Datetime("us"), pl.Boolean):
        key = key.cast(pl.Int64)
    if key.dtype.is_integer() and key.len():
        low, high = key.min(), key.max()
        if high - low < _SPAN:
            shifted = pl.DataFrame({"k": key}).select((pl.col("k") - pl.lit(low, dtype=key.dtype)).cast(pl.UInt64)).to_series()
            return shifted, int(high - low)
    dense = key.rank("dense").cast(pl.UInt64) - 1
    return dense, int(dense.max() or 0)


class _Packer:
    """Dense ranks packed into UInt64 words, most significant first, while their product of sizes fits."""

    _LIMIT = 1 << 62

    def __init__(self, first: pl.Series | None, size: int):
        self.words: list[pl.Series] = []
        self.current, self.size = first, size + 1

    def add(self, dense: pl.Series, top: int) -> None:
        if self.current is not None and self.size * (top + 1) >= self._LIMIT:
            self.words.append(self.current)
            self.current, self.size = None, 1
        self.current = dense if self.current is None else self.current * (top + 1) + dense
        self.size *= top + 1

    def done(self) -> list[pl.Series]:
        if self.current is not None:
            self.words.append(self.current)
        return [word.alias(f"_word_{i}_{id(self)}") for i, word in enumerate(self.words)]


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
    """A column that sorts as the decimals' values do (equal values, however written, sort alike).

    Usually every value fits one common exponent within Int128's 38 digits, and
    the scaled coefficients sort as the numbers do. Otherwise each value's rank
    among the distinct values is found by sorting those as Decimals.
    """
    parts = column.struct.unnest()
    scaled = _common_scale(parts)
    if scaled is not None:
        return scaled
    distinct = parts.unique()
    values = sorted({decimal_from_parts(c, e) for c, e in distinct.iter_rows()})
    order = {value: rank for rank, value in enumerate(values)}
    mapping = distinct.with_columns(
        pl.Series("_order", [order[decimal_from_parts(c, e)] for c, e in distinct.iter_rows()], dtype=pl.UInt32)
    )
    return parts.join(mapping, on=["c", "e"], how="left", maintain_order="left", nulls_equal=True).get_column("_order")


_DIGITS = 37  # a scaled coefficient of at most this many digits fits Int128 with room for the sign


def _common_scale(parts: pl.DataFrame) -> pl.Series | None:
    """The coefficients brought to the smallest exponent present, or None when one would not fit Int128."""
    c, e = parts.get_column("c"), parts.get_column("e")
    if c.null_count() == parts.height:
        return c
    low, high = e.min(), e.max()
    if low == high:  # one exponent (the usual column): the coefficients already sort as the numbers
        return c
    widest = len(str(c.abs().max())) + (high - low)  # a bound for every value: checked one by one only when it is too wide
    if widest > _DIGITS:
        digits = c.abs().cast(pl.String).str.len_chars().cast(pl.Int64) + (e.cast(pl.Int64) - low)
        if digits.max() > _DIGITS:
            return None
    return parts.select(pl.col("c") * pl.lit(10, dtype=pl.Int128).pow(pl.col("e").cast(pl.Int64) - low)).to_series()


def _tickets(ids: pl.Series, seed: int, before: list[pl.Series]) -> pl.Series:
    """The lottery tickets of the eligible (``ids``) tied on every part before the lottery (the others need none)."""
    tied = pl.DataFrame(before).select(pl.struct(pl.all()).is_duplicated()).to_series() if before else pl.Series([True] * ids.len())
    tickets: list[Any] = [lottery_ticket(seed, i) if t else None for i, t in zip(ids.to_list(), tied.to_list())]
    return pl.Series(tickets, dtype=pl.Binary)
