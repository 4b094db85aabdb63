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
from typing import Any, Callable

import attrs
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
    eligible = frame.get_column("eligible").fill_null(False)
    at = eligible.arg_true()
    # Each part as a non-negative integer in its own direction (0 = first), packed several to
    # one integer while they fit: one sort over a few integers, not many wide keys. The packing
    # is one query over the whole columns that keeps the eligible's rows only: no column of a
    # million offsets is made, for each part, to be narrowed and packed after.
    words = _Words(eligible, _grade_codes(policy, frame.get_column("grade")))
    descending_last = False
    keys: list[pl.Series] = []
    offsets = _all_offsets(policy, parts, frame)
    for position, part in enumerate(parts):
        if part.source == "lottery":
            keys += words.done()
            keys.append(_tickets(frame.get_column("id").gather(at), part.seed, keys).alias(f"_lottery_{position}"))
            continue
        if position not in offsets:
            keys += words.done()  # the last part, a unique id: sorted as text, never ranked first
            keys.append(_text_order(_key(policy, part, frame), at).alias("_last"))
            descending_last = part.descending
            continue
        words.add(offsets[position])
    keys += words.done()
    grade = words.grade
    # One sort over the few packed words and the last key. The chain ends in a unique key or a
    # lottery, so the order is total and the sort need not keep the file's order; a policy with
    # no such end (no tie-break chain) has its ties kept in file order by the row as a last key.
    if not any(tie.unique for tie in policy.tiebreaks):
        keys.append(at.alias("_file_order"))
    names = [f"_k{i}" for i in range(len(keys))]
    descending = [key.name == "_last" and descending_last for key in keys]
    # The rows and their grades ride along: the sort puts them in order with its own gathers.
    ordered = pl.DataFrame([*(key.alias(name) for key, name in zip(keys, names)), at.alias("_row"), grade.alias("_grade")]).sort(names, descending=descending)
    ranks = pl.repeat(None, frame.height, dtype=pl.Int64, eager=True).alias("rank")
    return ranks.scatter(ordered.get_column("_row"), _within_grade(ordered.get_column("_grade"))) if ordered.height else ranks


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


def _all_offsets(policy: model.Policy, parts: list[OrderPart], frame: pl.DataFrame) -> dict[int, _Offset]:
    """Part position -> the part's key as a non-negative integer in its direction, for every part but a lottery and a last text key.

    The parts are independent until they are packed: their keys are made a few at
    a time (polars lets go of the interpreter while it works).
    """

    def key(position: int) -> tuple[int, pl.Series]:
        return position, _key(policy, parts[position], frame)

    wanted = [position for position, part in enumerate(parts) if part.source != "lottery"]
    with ThreadPoolExecutor(max(1, min(pl.thread_pool_size(), os.cpu_count() or 1))) as pool:
        keys = {position: found for position, found in pool.map(key, wanted) if not (found.dtype == pl.String and position == len(parts) - 1)}
    # Every key's least and greatest value in one query, the keys side by side.
    numbers = {position: _as_number(found) for position, found in keys.items()}
    numbers = {position: found for position, found in numbers.items() if found is not None}
    bounds = pl.DataFrame([found.alias(f"_{position}") for position, found in numbers.items()]).select(
        *(pl.col(f"_{position}").min().alias(f"low_{position}") for position in numbers),
        *(pl.col(f"_{position}").max().alias(f"high_{position}") for position in numbers),
    ).row(0, named=True) if numbers else {}
    return {
        position: _offset(found, parts[position].descending, bounds.get(f"low_{position}"), bounds.get(f"high_{position}"), position in numbers)
        for position, found in keys.items()
    }


def _text_order(key: pl.Series, at: pl.Series) -> pl.Series:
    """The last key, text, of the rows at ``at``: as its rank among the keys when the rows are nearly in its order, else as it is.

    An office's file is usually in id order, or nearly: the rank of each key, an
    integer, is then found cheaply (:func:`_nearly_sorted_ranks`), and sorts with
    the other keys several times faster than text does. It is found over the whole
    column, and only the ranks are taken for ``at``, not the texts. Rows in another
    order keep the text, which one sort over all the keys orders best.
    """
    if key.null_count() or key.len() < 2:
        return key.gather(at)
    # Each key against the one before it, as two views of the column: no shifted copy of it is made.
    descents = pl.DataFrame([key.slice(1).alias("k"), key.slice(0, key.len() - 1).alias("before")]).select((pl.col("k") < pl.col("before")).arg_true()).to_series()
    if len(descents) * 100 > key.len():
        return key.gather(at)
    return _nearly_sorted_ranks(key, descents.to_list()).gather(at)


_OUTSIDE = 100  # the keys outside the longest run are placed one by one while they are at most one in this many


def _nearly_sorted_ranks(key: pl.Series, descents: list[int]) -> pl.Series:
    """Each key's place (UInt32, 0 = first) in the keys' order, equal keys in file order, for keys that fall ``descents`` times (``key[d + 1] < key[d]``).

    The file is made of runs in order, split where it falls. The keys outside the
    longest run - usually a few rows added at the start or the end - are sorted
    apart and each placed into the run by a binary search; so the column is never
    sorted whole, which costs many times more (the sort's buffers alone are some
    70 MB for a million ids). When the other runs hold many keys, the whole column is sorted.
    """
    n = key.len()
    cuts = [0, *(d + 1 for d in descents), n]
    start, end = max(zip(cuts, cuts[1:]), key=lambda run: run[1] - run[0])
    if (n - (end - start)) * _OUTSIDE > n:
        order = _stable_order(key)
        return pl.repeat(0, n, dtype=pl.UInt32, eager=True).scatter(order, pl.int_range(0, n, eager=True, dtype=pl.UInt32))
    run = key.slice(start, end - start)
    others_at = pl.concat([pl.int_range(0, start, eager=True, dtype=pl.UInt32), pl.int_range(end, n, eager=True, dtype=pl.UInt32)])
    others = key.gather(others_at)
    by_key = _stable_order(others)
    others, others_at = others.gather(by_key), others_at.gather(by_key)
    # How many keys of the run come before each other key: equal ones do if the other key lies after the run in the file.
    before = (others_at < start).to_list()
    ahead = [int(a) if first else int(b) for a, b, first in zip(run.search_sorted(others, side="left"), run.search_sorted(others, side="right"), before)]
    places = pl.Series(ahead, dtype=pl.UInt32)
    # A run key's place: its place in the run, plus the other keys placed before it.
    passed = places.search_sorted(pl.int_range(0, end - start, eager=True, dtype=pl.UInt32), side="right").cast(pl.UInt32)
    in_run = pl.int_range(0, end - start, eager=True, dtype=pl.UInt32) + passed
    outside = places + pl.int_range(0, len(places), eager=True, dtype=pl.UInt32)
    by_file = pl.repeat(0, len(places), dtype=pl.UInt32, eager=True).scatter(by_key, outside) if len(places) else outside
    return pl.concat([by_file.slice(0, start), in_run, by_file.slice(start)])


def _stable_order(key: pl.Series) -> pl.Series:
    """The positions of the keys in their order, equal keys in file order."""
    return pl.DataFrame([key.alias("k")]).with_row_index("at").sort("k", maintain_order=True).get_column("at")


def _grade_codes(policy: model.Policy, grades: pl.Series) -> pl.Series:
    """The grade of each row as a small integer: its place among the policy's grades, or among those present.

    Found by comparing each cell with the few grades (:func:`~jifen_dsl.lang.columns.place_among`).
    A grade the policy does not name (a frame made by hand) has the grades present coded in their order instead.
    """
    def coded(texts: list[str]) -> pl.Series:
        return pl.DataFrame([grades.alias("g")]).select(place_among(pl.col("g"), texts, pl.UInt64)).to_series()

    codes = coded(list(getattr(policy.field(model.GRADE_FIELD).type, "members", ())))
    if codes.null_count() != grades.null_count():
        codes = coded(sorted(grades.unique().drop_nulls().to_list()))
    return codes


_SPAN = 1 << 32  # keys spread wider than this are ranked densely before packing


@attrs.frozen
class _Offset:
    """A part's key as the column ``column``, and ``offset``, which makes of that column (an expression) each row's offset (UInt64, 0 = first), the largest being ``top``."""

    column: pl.Series
    offset: Callable[[pl.Expr], pl.Expr]
    top: int


def _as_number(key: pl.Series) -> pl.Series | None:
    """The key as integers in its order (a date as days, a time as microseconds, a truth as 0 or 1), or None when it is not so held."""
    if key.dtype in (pl.Date, pl.Datetime("us"), pl.Boolean):
        return key.cast(pl.Int64)
    return key if key.dtype.is_integer() else None


def _offset(key: pl.Series, descending: bool, low: Any, high: Any, number: bool) -> _Offset:
    """A key as non-negative integers in its order: its values less the least ``low`` (the greatest ``high`` less its values, descending), or their dense ranks.

    ``number``: the key is held as integers (:func:`_as_number`), between ``low``
    and ``high`` (None when every value is missing).
    """
    if not number or low is None or high is None or high - low >= _SPAN:
        dense = key.rank("dense").cast(pl.UInt64) - 1
        top = int(dense.max() or 0)
        if descending:
            return _Offset(dense, lambda column: pl.lit(top, dtype=pl.UInt64) - column, top)
        return _Offset(dense, lambda column: column, top)
    wide = pl.Int64 if key.dtype in (pl.Date, pl.Datetime("us"), pl.Boolean) else key.dtype
    if wide == pl.Int128 and -(1 << 63) <= low and high < 1 << 63:
        wide = pl.Int64  # the usual decimal key: its offsets are found in Int64, many times faster than in Int128
    first, last = pl.lit(low, dtype=wide), pl.lit(high, dtype=wide)
    if descending:
        return _Offset(key, lambda column: (last - column.cast(wide)).cast(pl.UInt64), int(high - low))
    return _Offset(key, lambda column: (column.cast(wide) - first).cast(pl.UInt64), int(high - low))


class _Words:
    """Part offsets packed into UInt64 words, most significant first, while their product of sizes fits: made for the eligible rows by one query.

    The first word starts with the grade code; :attr:`grade` holds the eligible's
    grade codes once the first words are made.
    """

    _LIMIT = 1 << 62

    def __init__(self, eligible: pl.Series, grade: pl.Series):
        self.columns: list[pl.Series] = [eligible.alias("_eligible"), grade.alias("_grade")]
        self.words: list[pl.Expr] = []
        self.current: pl.Expr | None = pl.col("_grade")
        self.size = int(grade.max() or 0) + 1
        self.grade: pl.Series | None = None
        self.made = 0  # words made so far: each is named by its number, the same name never given twice

    def add(self, part: _Offset) -> None:
        name = f"_o{len(self.columns)}"
        self.columns.append(part.column.alias(name))
        offset = part.offset(pl.col(name))
        if self.current is not None and self.size * (part.top + 1) >= self._LIMIT:
            self.words.append(self.current)
            self.current, self.size = None, 1
        self.current = offset if self.current is None else self.current.cast(pl.UInt64) * pl.lit(part.top + 1, dtype=pl.UInt64) + offset
        self.size *= part.top + 1

    def done(self) -> list[pl.Series]:
        """The words of the parts added since the last call, for the eligible rows in order."""
        if self.current is not None:
            self.words.append(self.current)
        wanted = [word.cast(pl.UInt64).alias(f"_word_{i}") for i, word in enumerate(self.words)]
        if self.grade is None:
            wanted.append(pl.col("_grade"))
        made = pl.DataFrame(self.columns).lazy().filter(pl.col("_eligible")).select(wanted).collect() if wanted else None
        if self.grade is None and made is not None:
            self.grade = made.get_column("_grade")
        words = [] if made is None else [made.get_column(f"_word_{i}").alias(f"_word_{self.made + i}") for i in range(len(self.words))]
        self.made += len(words)
        self.columns = self.columns[:1]
        self.words, self.current, self.size = [], None, 1
        return words


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
_FEW_EXPONENTS = 4  # exponents spread no wider than this are scaled by comparisons, not a power for each value


def _common_scale(parts: pl.DataFrame) -> pl.Series | None:
    """The coefficients brought to the smallest exponent present, or None when one would not fit Int128."""
    c, e = parts.get_column("c"), parts.get_column("e")
    if c.null_count() == parts.height:
        return c
    low, high = e.min(), e.max()
    if low == high:  # one exponent (the usual column): the coefficients already sort as the numbers
        return c
    widest = len(str(max(abs(c.min()), abs(c.max())))) + (high - low)  # a bound for every value: checked one by one only when it is too wide
    if widest > _DIGITS:
        digits = c.abs().cast(pl.String).str.len_chars().cast(pl.Int64) + (e.cast(pl.Int64) - low)
        if digits.max() > _DIGITS:
            return None
    # Each exponent's coefficients times its power of ten, the few exponents (usually two: 95 and 95.5) one by one.
    scaled = pl.col("c")
    for exponent in range(low + 1, high + 1):
        scaled = pl.when(pl.col("e") == exponent).then(pl.col("c") * pl.lit(10 ** (exponent - low), dtype=pl.Int128)).otherwise(scaled)
    return parts.select(scaled if high - low <= _FEW_EXPONENTS else pl.col("c") * pl.lit(10, dtype=pl.Int128).pow(pl.col("e").cast(pl.Int64) - low)).to_series()


def _tickets(ids: pl.Series, seed: int, before: list[pl.Series]) -> pl.Series:
    """The lottery tickets of the eligible (``ids``) tied on every part before the lottery (the others need none)."""
    tied = pl.DataFrame(before).select(pl.struct(pl.all()).is_duplicated()).to_series() if before else pl.Series([True] * ids.len())
    tickets: list[Any] = [lottery_ticket(seed, i) if t else None for i, t in zip(ids.to_list(), tied.to_list())]
    return pl.Series(tickets, dtype=pl.Binary)
