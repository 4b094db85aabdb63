"""Check a placed frame against the allocator's promises, as column operations.

The same promises, messages and order of messages as :func:`jifen_dsl.allocation.verify.verify`
(read its module docstring), for the frame that :mod:`jifen_dsl.allocation.arrays`
returns: each promise is a few joins and group-bys over the whole cohort in
this process, so a city's allocation is checked in about the time it takes to
write it, without a second process that would need the objects to share.

Claims are compared as the object checks compare tuples: ``batch`` (none is
later than every batch), under ``choice_first`` the place of the school in the
list, then ``rank``; a sibling group's members claim with their lead's (the
best-ranked member's) batch, rank and lists. A missing batch or place is
:data:`_LATE`, a number above any real one.
"""

from __future__ import annotations

from typing import Sequence

import polars as pl

from jifen_dsl.allocation.allocator import ADMITTED, NOT_QUALIFIED, UNPLACED
from jifen_dsl.allocation.frame import Positions, schools_frame
from jifen_dsl.allocation.verify import (
    AllocationError, coordinated_unasked, cut_out_of_order, left_unplaced, lost_to_later_batch, missing_from_result, more_than_once,
    over_capacity, refused_for_later, refused_for_weaker, refused_in_clearing, siblings_apart,
)
from jifen_dsl.data.schools import School
from jifen_dsl.lang import model
from jifen_dsl.messages import Message

__all__ = ["verify_frame"]

_LATE = 2**62
_EMPTY = pl.lit([], dtype=pl.List(pl.String))


def verify_frame(policy: model.Policy, placed: pl.DataFrame, schools: Sequence[School], input_ids: Sequence[str] | pl.Series) -> None:
    """Raise AllocationError listing every broken promise, in the order :func:`verify.verify` lists them."""
    settings = policy.allocation
    where = Positions(policy)
    problems = _each_applicant_once(placed.get_column("id"), input_ids)
    offer = schools_frame(schools)
    rows = _prepared(placed, settings, where, offer)
    admitted = _narrow(rows, pl.col("status") == ADMITTED, "_row", "id", "school", "school_id", "u_batch", "u_rank", "round", "_lead")
    # The unit's lists, its lead's, for the admitted alone: the claims at a school are read from them.
    lead = admitted.get_column("_lead")
    admitted = admitted.with_columns(u_choices=rows.get_column("choices").gather(lead), u_clearing=rows.get_column("clearing").gather(lead))
    problems += _seats(admitted, offer)
    problems += _siblings_together(rows)
    if settings.qualification == "seats":
        problems += _rank_order_cut(rows)
    problems += _refusals(rows, admitted, offer, settings, where)
    if problems:
        raise AllocationError(problems)


def _narrow(rows: pl.DataFrame, keep: pl.Expr, *columns: str) -> pl.DataFrame:
    """The rows kept, with only the columns named: chosen before the rows, so the other columns (lists among them) are never copied."""
    return rows.lazy().filter(keep).select(columns).collect()


def _each_applicant_once(output_ids: pl.Series, input_ids: Sequence[str] | pl.Series) -> list[Message]:
    """Every applicant exactly once: the ids in input order, or else the same counts of each (which only reorders)."""
    expected = input_ids.rename("id") if isinstance(input_ids, pl.Series) else pl.Series("id", list(input_ids), dtype=pl.String)
    if output_ids.len() == expected.len() and output_ids.equals(expected, check_names=False):
        return []
    counts = (
        pl.DataFrame({"id": expected}).group_by("id").agg(_in=pl.len())
        .join(pl.DataFrame({"id": output_ids.rename("id")}).group_by("id").agg(_out=pl.len()), on="id", how="full", coalesce=True)
        .with_columns(pl.col("_in", "_out").fill_null(0))
    )

    def surplus(more: str, less: str) -> list[str]:
        over = counts.filter(pl.col(more) > pl.col(less))
        return over.select(pl.col("id").repeat_by(pl.col(more) - pl.col(less))).explode("id").sort("id").head(20).get_column("id").to_list()

    problems = []
    missing, extra = surplus("_in", "_out"), surplus("_out", "_in")
    if missing:
        problems.append(missing_from_result(missing))
    if extra:
        problems.append(more_than_once(extra))
    return problems


def _prepared(placed: pl.DataFrame, settings: model.Allocation, where: Positions, offer: pl.DataFrame) -> pl.DataFrame:
    """The placed rows with what the checks read: ``_row``, ``school_id``, the lists cut to the policy's number,
    each row's unit claim - ``u_batch`` (null as _LATE), ``u_rank`` - its own, or its lead's in a sibling group,
    and ``_lead``, the row of the unit's lead (its own, outside a group), whose lists are the unit's.
    """
    limit = settings.choices

    def listed(name: str, pos: int | None) -> pl.Expr | None:
        if pos is None:
            return _EMPTY.alias(name)
        values = placed.get_column(name)
        if values.has_nulls():
            return pl.col(name).fill_null(_EMPTY).list.head(limit or 2**31).alias(name)
        if limit and (values.list.len().max() or 0) > limit:
            return pl.col(name).list.head(limit).alias(name)
        return None  # as it stands: nothing to cut, and a copy of a million lists saved

    lists = [e for e in (listed("choices", where.choices), listed("clearing", where.clearing)) if e is not None]
    school_ids = offer.get_column("school_id").gather(placed.get_column("school")).alias("school_id")  # "index" is the position
    rows = placed.with_row_index("_row").with_columns(*lists, school_id=school_ids)
    in_group = pl.col("group").is_not_null()
    if not rows.select(in_group.any()).item():
        return rows.with_columns(u_rank=pl.col("rank"), u_batch=pl.col("batch").cast(pl.Int64).fill_null(_LATE), _lead=pl.col("_row"))
    # A group's lead: its best rank, the first of equal ranks in placement order (as min() picks).
    members = rows.filter(in_group).sort("rank", "_row", nulls_last=True).select("_row", _lead=pl.col("_row").first().over("group", "grade"))
    # Each row's lead by row number (its own outside a group): the unit's claim is gathered from it,
    # where a join of a million rows would copy every column to add two.
    lead = pl.int_range(0, rows.height, dtype=pl.UInt32, eager=True).scatter(members.get_column("_row"), members.get_column("_lead"))
    return rows.with_columns(_lead=lead).with_columns(
        u_rank=pl.col("rank").gather(pl.col("_lead")),
        u_batch=pl.col("batch").gather(pl.col("_lead")).cast(pl.Int64).fill_null(_LATE),
    )


def _seats(admitted: pl.DataFrame, offer: pl.DataFrame) -> list[Message]:
    """No school admits more pupils than it has seats (schools in file order, the first ten admitted named)."""
    taken = admitted.group_by("school").agg(_taken=pl.len(), _names=pl.col("id").head(10))
    over = offer.join(taken, left_on="index", right_on="school", how="inner", maintain_order="left").filter(pl.col("_taken") > pl.col("seats"))
    return [over_capacity(sid, seats, n, names) for sid, seats, n, names in over.select("school_id", "seats", "_taken", "_names").iter_rows()]


def _siblings_together(rows: pl.DataFrame) -> list[Message]:
    """Siblings are placed together: one status and one school for every member of a group (groups in order of appearance)."""
    placed = pl.struct("status", "school_id")
    groups = (
        rows.filter(pl.col("group").is_not_null())
        .group_by("group", "grade", maintain_order=True)
        .agg(_apart=placed.n_unique() > 1, _where=pl.format("{} ({} {})", pl.col("id"), pl.col("status"), pl.col("school_id").fill_null("-")))
        .filter(pl.col("_apart"))
    )
    return [siblings_apart(members) for members in groups.get_column("_where").to_list()]


def _rank_order_cut(rows: pl.DataFrame) -> list[Message]:
    """The qualified of each grade come before its not qualified: highest qualified rank below the lowest not qualified.

    A sibling group's members stand at their lead's rank; grades in order of their first eligible applicant.
    """
    cut = pl.col("status") == NOT_QUALIFIED
    bounds = (
        _narrow(rows, pl.col("eligible"), "grade", "u_rank", "status")
        .group_by("grade", maintain_order=True)
        .agg(_highest=pl.col("u_rank").filter(~cut).max(), _lowest=pl.col("u_rank").filter(cut).min())
        .filter(pl.col("_highest") > pl.col("_lowest"))
    )
    return [cut_out_of_order(grade, lowest, highest) for grade, highest, lowest in bounds.select("grade", "_highest", "_lowest").iter_rows()]


def _claim(frame: pl.DataFrame, choice_first: bool, lists: str, school: str, prefix: str) -> pl.DataFrame:
    """``frame`` with the claim of each row to ``school``: ``{prefix}b`` batch, ``{prefix}i`` place in ``lists`` (choice_first), ``{prefix}r`` rank."""
    frame = frame.with_columns(pl.col("u_batch").alias(f"{prefix}b"), pl.col("u_rank").alias(f"{prefix}r"))
    if not choice_first:
        return frame.with_columns(pl.lit(0, dtype=pl.Int64).alias(f"{prefix}i"))
    return frame.with_columns(_place_in(frame, lists, school).alias(f"{prefix}i"))


def _place_in(frame: pl.DataFrame, lists: str, value: str) -> pl.Series:
    """The first place of each row's ``value`` in its list ``lists``; _LATE where it is not there."""
    spread = (
        frame.select(pl.int_range(pl.len()).alias("_i"), pl.col(lists).alias("_l"), pl.col(value).alias("_v"))
        .with_columns(_p=pl.int_ranges(0, pl.col("_l").list.len()))
        .explode("_l", "_p")
        .filter(pl.col("_l") == pl.col("_v"))
        .group_by("_i")
        .agg(pl.col("_p").min())
    )
    found = pl.DataFrame({"_i": pl.int_range(frame.height, eager=True)}).join(spread, on="_i", how="left", maintain_order="left")
    return found.get_column("_p").cast(pl.Int64).fill_null(_LATE)


def _stronger(a: str, b: str) -> pl.Expr:
    """Whether claim ``b`` is weaker than claim ``a`` (tuples compared in order: batch, place, rank)."""
    ab, ai, ar, bb, bi, br = (pl.col(f"{p}{x}") for p in (a, b) for x in "bir")
    return (bb > ab) | ((bb == ab) & ((bi > ai) | ((bi == ai) & (br > ar))))


def _weakest(admitted: pl.DataFrame, choice_first: bool, route: pl.Expr, lists: str) -> pl.DataFrame:
    """Each school's weakest claim admitted by a route (``w_b``, ``w_i``, ``w_r``) and whom it admitted so (``w_id``): the first such in order."""
    return _first_max(_claim(admitted.filter(route), choice_first, lists, "school_id", "w_"), "w_b", "w_i", "w_r").select("school_id", "w_b", "w_i", "w_r", w_id="id")


def _first_max(frame: pl.DataFrame, *keys: str) -> pl.DataFrame:
    """Each school's row with the greatest ``keys`` (compared in order, as tuples), the first of equals in row order.

    A filter by each key's greatest value in turn: cheaper than sorting the admitted.
    """
    for key in keys:
        frame = frame.filter(pl.col(key) == pl.col(key).max().over("school"))
    return frame.unique(subset="school", keep="first", maintain_order=True)


def _spread(rows: pl.DataFrame, lists: str, choice_first: bool, keep: tuple[str, ...]) -> pl.DataFrame:
    """One row per school listed in ``lists``: ``_s`` the school, ``_p`` its place; ``m_b``, ``m_i``, ``m_r`` the row's claim to it; and the columns ``keep``.

    Only rows outside sibling groups come here, so the claim is the row's own.
    Only the columns kept are repeated for every school listed: a few million
    rows of every column would be the verification's largest use of memory.
    """
    spread = (
        rows.select(*_SPREAD_KEEP, *keep)
        .with_columns(_s=rows.get_column(lists), _p=pl.int_ranges(0, rows.get_column(lists).list.len()))
        .explode("_s", "_p")
        .filter(pl.col("_s").is_not_null())
    )
    first = pl.col("_p").min().over("_row", "_s") if choice_first else pl.lit(0, dtype=pl.Int64)
    return spread.with_columns(m_b=pl.col("u_batch"), m_i=first.cast(pl.Int64), m_r=pl.col("u_rank"))


_SPREAD_KEEP = ("_row", "id", "u_batch", "u_rank", "_n")  # what every spread's messages and claims read


def _refusals(rows: pl.DataFrame, admitted: pl.DataFrame, offer: pl.DataFrame, settings: model.Allocation, where: Positions) -> list[Message]:
    """No justified envy, and coordinated placement only as accepted: the messages of every applicant, in order.

    Each message is a row keyed by (applicant, part, place in the list, which),
    so that sorting the keys lists them as the object checks do, applicant by applicant;
    the row holds which message it is and the values it names (see :func:`_messages`).
    """
    choice_first = settings.mechanism == "choice_first"
    by_choice = pl.col("round").str.starts_with("choice:")
    candidates = _narrow(
        rows, pl.col("status").is_in([ADMITTED, UNPLACED]),
        "_row", "id", "grade", "batch", "u_batch", "u_rank", "status", "round", "school_id", "accepts", "group", "choices", "clearing",
    )
    alone = candidates.filter(pl.col("group").is_null())
    found: list[pl.DataFrame] = []
    if where.accepts is not None:
        unasked = candidates.filter((pl.col("round") == "coordinated") & ~pl.col("accepts").fill_null(False))
        found.append(_messages(unasked, 0, pl.lit(0), 0, "unasked", pl.col("id")))
    found += _listed(alone, admitted, choice_first, by_choice)
    if settings.clearing:
        found += _clearing(alone, admitted, choice_first)
    if where.accepts is not None:
        found += _left_unplaced(alone, admitted, offer)
    if not found:
        return []
    ordered = pl.concat(found).sort("_row", "_part", "_pos", "_sub")
    return [_SAID[kind](*values) for kind, *values in ordered.select("_kind", *_VALUES).iter_rows()]


_VALUES = ("_v0", "_v1", "_v2", "_v3")
# Each kind of message, from the values its row holds (the functions the object checks use too).
_SAID = {
    "unasked": lambda applicant, *_: coordinated_unasked(applicant),
    "weaker": lambda applicant, school, other, _: refused_for_weaker(applicant, school, other),
    "later": refused_for_later,
    "batch": lambda applicant, batch, school, other: lost_to_later_batch(applicant, batch, school, other),
    "clearing": lambda applicant, school, other, _: refused_in_clearing(applicant, school, other),
    "unplaced": lambda applicant, school, *_: left_unplaced(applicant, school),
}


def _messages(frame: pl.DataFrame, part: int, pos: pl.Expr, sub: int, kind: str | pl.Expr, *values: pl.Expr) -> pl.DataFrame:
    """The message rows of ``frame``: the sort keys, the ``_kind`` of message (a key of :data:`_SAID`) and the values it names, as text."""
    kind_expr = pl.lit(kind, dtype=pl.String) if isinstance(kind, str) else kind
    cells = [v.cast(pl.String) for v in values] + [pl.lit(None, dtype=pl.String)] * (len(_VALUES) - len(values))
    return frame.select(
        "_row", pl.lit(part, dtype=pl.Int32).alias("_part"), pos.cast(pl.Int64).alias("_pos"), pl.lit(sub, dtype=pl.Int32).alias("_sub"),
        kind_expr.alias("_kind"), *(cell.alias(name) for cell, name in zip(cells, _VALUES)),
    )


def _listed(alone: pl.DataFrame, admitted: pl.DataFrame, choice_first: bool, by_choice: pl.Expr) -> list[pl.DataFrame]:
    """Refused a school listed above the one taken (every listed school, if not placed by a choice)."""
    above = pl.when((pl.col("status") == ADMITTED) & by_choice).then(pl.col("round").str.split(":").list.get(1).cast(pl.Int64) - 1)
    listing = alone.with_columns(_n=above.otherwise(pl.col("choices").list.len())).filter(pl.col("_n") != 0)  # most took their first choice
    spread = _spread(listing, "choices", choice_first, ("batch",)).filter(pl.col("_p") < pl.col("_n"))
    if spread.height == 0:
        return []
    weakest = _weakest(admitted, choice_first, by_choice, "u_choices").rename({"school_id": "_s"})
    late = admitted.filter(~by_choice).unique(subset="school", keep="first", maintain_order=True).select(_s="school_id", l_id="id", l_round="round")
    latest = _first_max(admitted, "u_batch").select(_s="school_id", t_batch="u_batch", t_id="id")
    spread = (
        spread.join(weakest, on="_s", how="left", maintain_order="left")
        .join(late, on="_s", how="left", maintain_order="left")
        .join(latest, on="_s", how="left", maintain_order="left")
    )
    envied = pl.col("w_id").is_not_null() & _stronger("m_", "w_")
    refused = spread.filter(envied | pl.col("l_id").is_not_null())
    kind = pl.when(envied).then(pl.lit("weaker")).otherwise(pl.lit("later"))
    other = pl.when(envied).then(pl.col("w_id")).otherwise(pl.col("l_id"))
    later = spread.filter(pl.col("t_batch") > pl.col("u_batch"))
    batch = pl.col("batch").cast(pl.String).fill_null("None")
    return [
        _messages(refused, 1, pl.col("_p"), 0, kind, pl.col("id"), pl.col("_s"), other, pl.col("l_round")),
        _messages(later, 1, pl.col("_p"), 1, "batch", pl.col("id"), batch, pl.col("_s"), pl.col("t_id")),
    ]


def _clearing(alone: pl.DataFrame, admitted: pl.DataFrame, choice_first: bool) -> list[pl.DataFrame]:
    """Refused a clearing choice above the one taken (every one, if unplaced) while it admitted a weaker claim in clearing."""
    in_clearing = pl.col("round") == "clearing"
    chose = alone.filter((pl.col("status") == UNPLACED) | in_clearing)
    spread = _spread(chose.with_columns(_n=pl.col("clearing").list.len()), "clearing", choice_first, ("round", "school_id"))
    taken_at = pl.when(in_clearing & (pl.col("_s") == pl.col("school_id"))).then(pl.col("_p")).min().over("_row")
    spread = spread.filter(pl.col("_p") < taken_at.fill_null(pl.col("_n")))
    if spread.height == 0:
        return []
    weakest = _weakest(admitted, choice_first, in_clearing, "u_clearing").rename({"school_id": "_s"})
    envied = spread.join(weakest, on="_s", how="inner", maintain_order="left").filter(_stronger("m_", "w_"))
    return [_messages(envied, 2, pl.col("_p"), 0, "clearing", pl.col("id"), pl.col("_s"), pl.col("w_id"))]


def _left_unplaced(alone: pl.DataFrame, admitted: pl.DataFrame, offer: pl.DataFrame) -> list[pl.DataFrame]:
    """Accepted coordinated placement but left unplaced while a school of the grade (the first in the file with one) had a free seat."""
    waiting = alone.filter((pl.col("status") == UNPLACED) & pl.col("accepts").fill_null(False))
    if waiting.height == 0:
        return []
    taken = admitted.group_by("school").agg(_taken=pl.len())
    room = (
        offer.join(taken, left_on="index", right_on="school", how="left", maintain_order="left")
        .filter(pl.col("seats") > pl.col("_taken").fill_null(0))
        .unique(subset="grade", keep="first", maintain_order=True)
        .select("grade", _room="school_id")
    )
    left = waiting.join(room, on="grade", how="inner", maintain_order="left")
    return [_messages(left, 3, pl.lit(0), 0, "unplaced", pl.col("id"), pl.col("_room"))]
