"""Assign school seats over a placement frame: the allocator's rules on integer arrays.

The rules are those of :mod:`jifen_dsl.allocation.allocator` (read its module
docstring), and the outcome is the same, applicant by applicant; that module
still serves ``trace=True`` (``jifen explain-seat``), which records every step.
Here a cohort is never turned into objects, since making and walking a million
of them costs more than the placing itself:

- polars does what needs no order: the ranked list of each grade (one sort), the
  sibling groups and their leads, each unit's size, acceptance and lists of
  choices as school indices, and the qualification cut, a running sum of sizes
  against the grade's seats;
- a loop over plain lists of ints does what is sequential by nature: units in
  rank order taking seats (``free[school]``) by the policy's mechanism, then
  coordinated placement and clearing. A unit is a position in those lists.
"""

from __future__ import annotations

import heapq
from typing import Sequence

import polars as pl

from jifen_dsl.allocation.allocator import ADMITTED, INELIGIBLE, NOT_QUALIFIED, UNPLACED, no_allocation_section
from jifen_dsl.allocation.frame import Positions, schools_frame
from jifen_dsl.data.schools import School
from jifen_dsl.errors import PolicyError
from jifen_dsl.lang import model
from jifen_dsl.lang.columns import place_among

__all__ = ["allocate_arrays"]

# How a unit was placed: the values of the ``kind`` array.
_NONE, _CHOICE, _COORDINATED, _CLEARING = 0, 1, 2, 3
# The outcome columns as codes until the end: status, and the round (choice k is k).
_STATUS = {0: INELIGIBLE, 1: NOT_QUALIFIED, 2: UNPLACED, 3: ADMITTED}
_ROUND_COORDINATED, _ROUND_CLEARING = -1, -2
_NO_SCHOOL = "a choice of grade {grade} names no school of that grade; the choices must be checked against the schools first"
# Every unit's list of schools: indices into the schools, and where each unit's list starts (see _school_lists).
_Lists = tuple[list[int], list[int]]


def allocate_arrays(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School]) -> pl.DataFrame:
    """The frame's rows, in order, with ``status``, ``school`` (index into ``schools``), ``round`` and ``group``."""
    settings = policy.allocation
    if settings is None:
        raise PolicyError([no_allocation_section(policy)])
    return _allocate(settings, Positions(policy), frame, schools_frame(schools))


def _allocate(settings: model.Allocation, where: Positions, frame: pl.DataFrame, offer: pl.DataFrame) -> pl.DataFrame:
    """Rank, form units and cut in columns; place each grade's qualified units in a loop; write the outcome in columns."""
    eligible = frame.select("grade", "rank", "batch", "accepts", "sibling", "eligible").with_row_index("_row").filter(pl.col("eligible"))
    grades = sorted(eligible.get_column("grade").unique().drop_nulls().to_list())
    # From here on a grade is its code: the names are not carried through the sort and the joins.
    eligible = _in_rank_order(eligible.with_columns(_g=_codes(pl.col("grade"), grades)).drop("grade"), len(grades))
    groups = _sibling_groups(where, eligible)
    school_grades = offer.select(_codes(pl.col("grade"), grades)).to_series()
    units = _units(settings, where, eligible, groups, offer, school_grades)
    qualified = units.filter(pl.col("qualified"))
    rows = qualified.get_column("_row")
    seats = _Seats(offer, qualified)
    choices = _school_lists(_listed(settings, frame, "choices", where.choices, rows), qualified, offer, school_grades)
    clearing = _school_lists(_listed(settings, frame, "clearing", where.clearing, rows), qualified, offer, school_grades) if settings.clearing else None
    start = 0
    # Grade by grade: a grade's units lie together, in rank order.
    for code, length in qualified.select(pl.col("_g").rle().struct.unnest()).select("value", "len").iter_rows():
        grade = grades[code] if code is not None else None
        try:
            seats.allocate_grade(settings, range(start, start + length), grade, choices, clearing)
        except IndexError:  # free[] past the last school: a choice names no school of the grade
            raise KeyError(_NO_SCHOOL.format(grade=grade)) from None
        start += length
    return _outcome(frame, eligible.get_column("_row"), rows, seats, groups)


def _codes(grade: pl.Expr, grades: list[str]) -> pl.Expr:
    """Each grade as its place among ``grades`` (UInt32; null for a grade not among them)."""
    return place_among(grade, grades).alias("_g")


def _in_rank_order(eligible: pl.DataFrame, count: int) -> pl.DataFrame:
    """The eligible grade by grade (by ``_g``), each in rank order; equal ranks (there are none after the ranking) in input order."""
    if not eligible.height:
        return eligible
    placed = _by_rank_places(eligible, count)
    if placed is not None:
        return placed
    # Numbering the grades, grade, rank and row pack into one integer, whose sort is total and
    # three times faster than a sort over three columns that keeps the input order.
    rank = eligible.get_column("rank")
    row_bits = int(eligible.get_column("_row").max() or 0).bit_length()  # rows of the whole frame, not only the eligible
    rank_bits = int(rank.max() or 0).bit_length()
    if rank.null_count() or (rank.min() or 0) < 0 or count.bit_length() + rank_bits + row_bits > 63:
        return eligible.sort("_g", "rank", maintain_order=True)

    def shift(bits: int) -> pl.Expr:
        return pl.lit(1 << bits, dtype=pl.UInt64)

    packed = pl.col("_g").cast(pl.UInt64) * shift(rank_bits + row_bits) + pl.col("rank").cast(pl.UInt64) * shift(row_bits) + pl.col("_row").cast(pl.UInt64)
    return eligible.sort(packed)


def _by_rank_places(eligible: pl.DataFrame, count: int) -> pl.DataFrame | None:
    """The eligible in order with no sort, when each grade's ranks are 1..n once each (as the ranking gives them); else None.

    Each row's place is then its grade's start plus its rank: the order is that
    permutation turned inside out, one scatter. A rank missing, repeated or out
    of its grade's range leaves the general sort to decide.
    """
    codes, rank = eligible.get_column("_g"), eligible.get_column("rank")
    if codes.null_count() or rank.null_count():
        return None
    sizes = [0] * count
    for code, size in codes.value_counts().iter_rows():
        sizes[code] = size
    starts = [0] * count
    for code in range(1, count):
        starts[code] = starts[code - 1] + sizes[code - 1]
    limits = pl.DataFrame({"_g": codes, "rank": rank}).select(
        (pl.lit(pl.Series(starts, dtype=pl.Int64)).gather(pl.col("_g")) + pl.col("rank") - 1).alias("place"),
        ((pl.col("rank") < 1) | (pl.col("rank") > pl.lit(pl.Series(sizes, dtype=pl.Int64)).gather(pl.col("_g")))).alias("outside"),
    )
    if limits.get_column("outside").any():
        return None
    place = limits.get_column("place")
    n = eligible.height
    order = pl.zeros(n, dtype=pl.UInt32, eager=True).scatter(place, pl.int_range(0, n, dtype=pl.UInt32, eager=True))
    if not place.gather(order).equals(pl.int_range(0, n, dtype=pl.Int64, eager=True), check_names=False):
        return None  # two rows of a grade share a rank
    return eligible[order]


def _sibling_groups(where: Positions, eligible: pl.DataFrame) -> pl.DataFrame:
    """The members of every sibling group: two or more eligible of one grade naming the same group.

    ``_row``, ``_lead`` (the row of its best-ranked member - the first of equal
    ranks in input order, as the stable sort leaves them), ``group``, and the
    group's ``_size`` and ``_accepts`` (every member accepted coordinated placement).
    """
    if where.siblings is None:
        return pl.DataFrame(schema={"_row": pl.UInt32, "_lead": pl.UInt32, "group": pl.String, "_size": pl.UInt32, "_accepts": pl.Boolean})
    accepts = pl.col("accepts").fill_null(False) if where.accepts is not None else pl.lit(False)
    return (
        eligible.filter(pl.col("sibling").is_not_null() & (pl.col("sibling") != ""))
        .group_by("_g", "sibling", maintain_order=True)
        .agg(pl.col("_row"), _lead=pl.col("_row").first(), _size=pl.len(), _accepts=accepts.all())
        .filter(pl.col("_size") > 1)
        .explode("_row")
        .select("_row", "_lead", group="sibling", _size=pl.col("_size").cast(pl.UInt32), _accepts="_accepts")
    )


def _units(
    settings: model.Allocation, where: Positions, eligible: pl.DataFrame, groups: pl.DataFrame, offer: pl.DataFrame, school_grades: pl.Series
) -> pl.DataFrame:
    """The units in rank order within each grade: ``_row`` (of the lead), ``_g`` (the grade's code), ``size``, ``batch``, ``accepts``, ``qualified``.

    ``school_grades`` is each school's grade as the units' ``_g`` codes it (null: a grade no unit has).

    A unit is an applicant, or a sibling group at the place of its lead. With
    ``qualification seats`` the ranked list is cut where a unit no longer fits in
    the grade's seats: a running sum of sizes, since every unit after it is cut too.
    """
    followers = groups.filter(pl.col("_row") != pl.col("_lead")).get_column("_row")
    leads = groups.filter(pl.col("_row") == pl.col("_lead")).select("_row", "_size", "_accepts")
    accepts = pl.col("accepts").fill_null(False) if where.accepts is not None else pl.lit(False)
    units = (
        eligible.filter(~pl.col("_row").is_in(followers.implode()))
        .join(leads, on="_row", how="left", maintain_order="left")
        .select(
            "_row", "_g", "batch",
            size=pl.col("_size").fill_null(1).cast(pl.Int64),
            accepts=pl.when(pl.col("_size").is_null()).then(accepts).otherwise(pl.col("_accepts")),
        )
    )
    if settings.qualification != "seats":
        return units.with_columns(qualified=pl.lit(True))
    # Each grade's seats by its code, gathered: no join of the units on their grades' names.
    seats = [0] * (max(int(units.get_column("_g").max() or 0), int(school_grades.max() or 0)) + 1)  # a grade without schools has none
    totals = pl.DataFrame({"_g": school_grades, "seats": offer.get_column("seats")}).group_by("_g").agg(pl.col("seats").sum())
    for code, total in totals.iter_rows():
        if code is not None:
            seats[code] = total
    within = pl.lit(pl.Series(seats, dtype=pl.Int64)).gather(pl.col("_g"))
    return units.with_columns(qualified=(pl.col("size").cum_sum().over("_g") <= within).fill_null(False))


def _listed(settings: model.Allocation, frame: pl.DataFrame, name: str, pos: int | None, rows: pl.Series) -> pl.Series:
    """The lists ``name`` of the given rows, cut to the policy's number of choices; empty where the policy has none."""
    if pos is None:
        return pl.Series(name, [[] for _ in range(rows.len())], dtype=pl.List(pl.String))
    values = frame.get_column(name).gather(rows).fill_null(pl.lit([], dtype=pl.List(pl.String)))
    return values.list.head(settings.choices) if settings.choices else values


def _school_lists(lists: pl.Series, units: pl.DataFrame, offer: pl.DataFrame, school_grades: pl.Series) -> _Lists:
    """Each unit's list of schools as indices into the schools, all in one list.

    Unit ``u``'s list is ``flat[start[u]:start[u + 1]]``: two lists of ints, rather
    than a list per unit, which would cost more to make than the placing does. A
    school that is not one of the unit's grade (the input checks refuse such a
    list) is the index past the last school: placing fails where it reaches it,
    as the object allocator does (:data:`_NO_SCHOOL`). ``school_grades`` is each
    school's grade as the units' ``_g`` codes it.
    """
    ids = offer.get_column("school_id")
    past = len(ids)
    lengths = lists.list.len().fill_null(0)
    # The schools' ids as an enum's categories: a school's code is its index, found by one hash lookup.
    names = lists.explode(empty_as_null=False, keep_nulls=False)
    index = names.cast(pl.Enum(ids), strict=False).to_physical().cast(pl.Int32).fill_null(past)
    grade_of = pl.concat([school_grades, pl.Series([None], dtype=pl.UInt32)])
    unit_grade = units.get_column("_g").repeat_by(lengths).explode(empty_as_null=False, keep_nulls=False)
    fits = grade_of.gather(index) == unit_grade
    flat = pl.select(pl.when(fits).then(index).otherwise(past)).to_series()
    start = pl.concat([pl.Series([0], dtype=pl.Int64), lengths.cast(pl.Int64).cum_sum()])
    return flat.to_list(), start.to_list()


class _Seats:
    """The free seats of every school and where each qualified unit is placed, as lists indexed by unit position.

    ``school`` (-1: none), ``kind`` (_CHOICE, _COORDINATED, _CLEARING or _NONE)
    and ``k`` (the place in the list that gave the seat).
    """

    def __init__(self, offer: pl.DataFrame, qualified: pl.DataFrame):
        self.free: list[int] = offer.get_column("seats").to_list()
        self.by_grade: dict[str, list[tuple[int, int]]] = {}  # grade -> (file order, index) of its schools
        for index, order, grade in offer.select("index", "order", "grade").iter_rows():
            self.by_grade.setdefault(grade, []).append((order, index))
        count = qualified.height
        self.size: list[int] = qualified.get_column("size").to_list()
        self.batch: list[int | None] = qualified.get_column("batch").to_list()
        self.accepts: list[bool] = qualified.get_column("accepts").to_list()
        self.school = [-1] * count
        self.kind = [_NONE] * count
        self.k = [0] * count

    def allocate_grade(self, settings: model.Allocation, units: range, grade: str, choices: _Lists, clearing: _Lists | None) -> None:
        """Place one grade's qualified units: choices, coordinated placement, then clearing when the policy has it."""
        waiting = self._by_choices(settings.mechanism, list(units), choices, _CHOICE)
        offer = [index for _, index in sorted(self.by_grade.get(grade, []))]
        unplaced = self._coordinate(settings, waiting, offer)
        if clearing is not None:
            self._by_choices(settings.mechanism, unplaced, clearing, _CLEARING)

    def _by_choices(self, mechanism: str, waiting: list[int], lists: _Lists, kind: int) -> list[int]:
        if mechanism == "points_first":
            return self._points_first(waiting, lists, kind)
        left: list[int] = []
        for run in _batches(waiting, self.batch):
            left.extend(self._choice_first(run, lists, kind))
        return left

    def _points_first(self, waiting: list[int], lists: _Lists, kind: int) -> list[int]:
        """积分优先: each unit in rank order takes its first listed school with room for all its members."""
        free, size, school, kinds, ks = self.free, self.size, self.school, self.kind, self.k
        flat, start = lists
        left: list[int] = []
        for u in waiting:
            n = size[u]
            first = start[u]
            for j in range(first, start[u + 1]):
                s = flat[j]
                if free[s] >= n:
                    free[s] -= n
                    school[u] = s
                    kinds[u] = kind
                    ks[u] = j - first
                    break
            else:
                left.append(u)
        return left

    def _choice_first(self, pending: list[int], lists: _Lists, kind: int) -> list[int]:
        """志愿优先, one batch: round k offers every unit still waiting its k-th choice, in rank order."""
        free, size, school, kinds, ks = self.free, self.size, self.school, self.kind, self.k
        flat, start = lists
        rounds = max((start[u + 1] - start[u] for u in pending), default=0)
        for k in range(rounds):
            still: list[int] = []
            for u in pending:
                at = start[u] + k
                if at < start[u + 1]:
                    s = flat[at]
                    n = size[u]
                    if free[s] >= n:
                        free[s] -= n
                        school[u] = s
                        kinds[u] = kind
                        ks[u] = k
                        continue
                still.append(u)
            pending = still
        return pending

    def _coordinate(self, settings: model.Allocation, waiting: list[int], offer: list[int]) -> list[int]:
        """Coordinated placement in rank order for the units that accepted it; return those still unplaced.

        ``file_order``: free seats only shrink, so a cursor passes each full school
        once. ``most_free_seats``: a heap of (-free seats, file position), its stale
        entries refreshed when they reach the top.
        """
        free, size, accepts = self.free, self.size, self.accepts
        together = settings.siblings != "unplaced"
        by_file = settings.coordination == "file_order"
        heap = [(-free[s], position, s) for position, s in enumerate(offer)]
        heapq.heapify(heap)
        cursor = 0
        unplaced: list[int] = []
        for u in waiting:
            n = size[u]
            if not accepts[u] or (n > 1 and not together):
                unplaced.append(u)
                continue
            chosen = -1
            if by_file:
                while cursor < len(offer) and free[offer[cursor]] == 0:
                    cursor += 1
                for s in offer[cursor:] if n > 1 else offer[cursor : cursor + 1]:
                    if free[s] >= n:
                        chosen = s
                        break
            else:
                while heap and -heap[0][0] != free[heap[0][2]]:
                    _, position, s = heap[0]
                    heapq.heapreplace(heap, (-free[s], position, s))
                if heap and free[heap[0][2]] >= n:
                    chosen = heap[0][2]
            if chosen < 0:
                unplaced.append(u)
                continue
            free[chosen] -= n
            self.school[u] = chosen
            self.kind[u] = _COORDINATED
        return unplaced


def _batches(units: list[int], batch: list[int | None]) -> list[list[int]]:
    """Consecutive runs of units of one batch (units come in rank order, batch first)."""
    runs: list[list[int]] = []
    current: object = object()
    for u in units:
        b = batch[u]
        if runs and b == current:
            runs[-1].append(u)
        else:
            runs.append([u])
            current = b
    return runs


def _outcome(frame: pl.DataFrame, eligible: pl.Series, rows: pl.Series, seats: _Seats, groups: pl.DataFrame) -> pl.DataFrame:
    """The frame with each applicant's outcome, written by row number: a unit's outcome at its lead, then copied to the other members."""
    n = frame.height
    status = pl.zeros(n, dtype=pl.Int8, eager=True)  # _STATUS codes: ineligible until shown otherwise
    status.scatter(eligible, 1)
    kind = pl.Series(seats.kind, dtype=pl.Int8)
    status.scatter(rows, (kind > _NONE).cast(pl.Int8) + 2)
    school = pl.repeat(None, n, dtype=pl.Int32, eager=True)
    school.scatter(rows, pl.Series(seats.school, dtype=pl.Int32).replace(-1, None))
    rounds = pl.repeat(None, n, dtype=pl.Int32, eager=True)  # 1..: choice k, _ROUND_COORDINATED, _ROUND_CLEARING
    how = pl.DataFrame({"kind": kind, "k": pl.Series(seats.k, dtype=pl.Int32)})
    kinds = pl.col("kind")
    code = pl.when(kinds == _CHOICE).then(pl.col("k") + 1).when(kinds == _COORDINATED).then(_ROUND_COORDINATED).when(kinds == _CLEARING).then(_ROUND_CLEARING)
    rounds.scatter(rows, how.select(code.cast(pl.Int32)).to_series())
    group = pl.repeat(None, n, dtype=pl.String, eager=True)
    if groups.height:
        members, leads = groups.get_column("_row"), groups.get_column("_lead")
        for column in (status, school, rounds):
            column.scatter(members, column.gather(leads))
        group.scatter(members, groups.get_column("group"))
    # Codes to words by a gather from the few words, not a lookup per row.
    words = pl.Series([_STATUS[code] for code in range(len(_STATUS))], dtype=pl.String)
    top = int(rounds.max() or 0)
    named = {k: f"choice:{k}" for k in range(1, top + 1)} | {_ROUND_COORDINATED: "coordinated", _ROUND_CLEARING: "clearing"}
    low = min(named)
    labels = pl.Series([named.get(code) for code in range(low, top + 1)], dtype=pl.String)  # round r is labels[r - low]
    return frame.with_columns(
        status=words.gather(status.cast(pl.UInt32)),
        school=school,
        round=labels.gather((rounds - low).cast(pl.UInt32)),
        group=group,
    )
