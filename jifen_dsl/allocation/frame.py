"""The placement frame: one row per applicant, the columns allocation reads, and the outcome.

The column allocator (:mod:`jifen_dsl.allocation.arrays`) and the column checks
(:mod:`jifen_dsl.allocation.columns_verify`) read a polars DataFrame rather than
:class:`~jifen_dsl.evaluation.evaluator.Evaluation` objects, so that a cohort's
seats are assigned and checked without an object per applicant. The frame has,
in input order:

- ``id``, ``grade`` (String);
- ``eligible`` (Boolean) and ``rank`` (Int64, 1..n among the eligible of a grade,
  null for the ineligible), ``batch`` (Int32, null: none) - from the evaluation;
- ``choices``, ``clearing`` (List(String)), ``accepts`` (Boolean) and ``sibling``
  (String) - the record's choices, clearing choices, acceptance of coordinated
  placement and sibling group; null when the policy reads no such field.

An allocation adds ``status`` (String, the allocator's constants), ``school``
(Int32, an index into the schools list), ``round`` ("choice:N", "coordinated",
"clearing") and ``group`` (the sibling group of an applicant placed with others).

The converters here turn today's objects into frames: the evaluations into the
frame, and an object :class:`~jifen_dsl.allocation.allocator.Allocation` into
the placed frame, so both allocators and both verifiers can be compared row by row.
"""

from __future__ import annotations

from itertools import chain
from typing import Any, Sequence

import polars as pl

from jifen_dsl.allocation.allocator import Allocation
from jifen_dsl.data.schools import School
from jifen_dsl.evaluation.evaluator import Evaluation
from jifen_dsl.lang import model

__all__ = [
    "FRAME_SCHEMA", "OUTCOME_SCHEMA", "PLACED_SCHEMA", "Positions", "placement_frame", "placed_frame", "schools_frame", "allocation_of",
]

FRAME_SCHEMA: dict[str, Any] = {
    "id": pl.String,
    "grade": pl.String,
    "eligible": pl.Boolean,
    "rank": pl.Int64,
    "batch": pl.Int32,
    "choices": pl.List(pl.String),
    "clearing": pl.List(pl.String),
    "accepts": pl.Boolean,
    "sibling": pl.String,
}
OUTCOME_SCHEMA: dict[str, Any] = {"status": pl.String, "school": pl.Int32, "round": pl.String, "group": pl.String}
PLACED_SCHEMA: dict[str, Any] = {**FRAME_SCHEMA, **OUTCOME_SCHEMA}


class Positions:
    """Where a record holds the fields allocation reads; None where the policy reads no such field.

    Both column modules ask the policy, not the frame, whether a field exists: a
    null in the frame may also be a value left out, which reads as false or empty.
    """

    __slots__ = ("choices", "clearing", "accepts", "siblings")

    def __init__(self, policy: model.Policy):
        self.choices = _position(policy, model.CHOICES_FIELD)
        self.clearing = _position(policy, model.CLEARING_FIELD)
        self.accepts = _position(policy, model.COORDINATION_FIELD)
        self.siblings = _position(policy, model.SIBLING_FIELD)


def _position(policy: model.Policy, name: str) -> int | None:
    if not policy.has_field(name):
        return None
    index = policy.field(name).index
    return policy.read_fields.index(index) if index in policy.read_fields else None


def placement_frame(policy: model.Policy, evaluations: Sequence[Evaluation]) -> pl.DataFrame:
    """The placement frame of evaluated applicants, in their order (the evaluator's ranks and batches)."""
    where = Positions(policy)
    records = [e.applicant.record for e in evaluations]

    def field(pos: int | None) -> list[Any]:
        if pos is None:
            return [None] * len(records)
        return [r[pos] for r in records]

    return pl.DataFrame(
        {
            "id": [e.applicant.id for e in evaluations],
            "grade": [e.applicant.grade for e in evaluations],
            "eligible": [not e.failed for e in evaluations],
            "rank": [e.rank for e in evaluations],
            "batch": [e.batch for e in evaluations],
            "choices": _list_series(field(where.choices)),
            "clearing": _list_series(field(where.clearing)),
            "accepts": [None if v is None else bool(v) for v in field(where.accepts)],
            "sibling": field(where.siblings),
        },
        schema=FRAME_SCHEMA,
    )


def _list_series(values: Sequence[Sequence[str] | None]) -> pl.Series:
    """A List(String) column of the values (None stays null), built from one flat column and a group-by.

    Polars makes a list column from Python lists one small series at a time, which
    for a city's cohort costs many times what the flat column and the group-by do.
    """
    count = len(values)
    lengths = pl.Series([len(v) if v else 0 for v in values], dtype=pl.UInt32)
    flat = pl.Series(list(chain.from_iterable(v for v in values if v)), dtype=pl.String)
    owner = pl.select(pl.int_range(count, dtype=pl.UInt32).repeat_by(lengths)).to_series().explode().drop_nulls()
    grouped = pl.DataFrame({"_owner": owner, "_value": flat}).group_by("_owner").agg("_value")  # keeps each list's order
    absent = pl.Series([v is None for v in values], dtype=pl.Boolean)
    return (
        pl.DataFrame({"_owner": pl.int_range(count, dtype=pl.UInt32, eager=True)})
        .join(grouped, on="_owner", how="left", maintain_order="left")
        .select(pl.when(absent).then(None).otherwise(pl.col("_value").fill_null(pl.lit([], dtype=pl.List(pl.String)))))
        .to_series()
    )


def placed_frame(allocation: Allocation) -> pl.DataFrame:
    """An object allocation as a placed frame: the placement frame of its evaluations with each outcome.

    A placement whose school is not among the allocation's schools (only a broken
    allocation has one) gets a null school.
    """
    placements = allocation.placements
    index = {s.id: i for i, s in enumerate(allocation.schools)}
    frame = placement_frame(allocation.policy, [p.evaluation for p in placements])
    outcome = pl.DataFrame(
        {
            "status": [p.status for p in placements],
            "school": [None if p.school is None else index.get(p.school.id) for p in placements],
            "round": [p.round for p in placements],
            "group": [p.group for p in placements],
        },
        schema=OUTCOME_SCHEMA,
    )
    return pl.concat([frame, outcome], how="horizontal")


def schools_frame(schools: Sequence[School]) -> pl.DataFrame:
    """The schools as columns: ``index`` (position in the list), ``order`` (in the file), id, grade and seats."""
    return pl.DataFrame(
        {
            "index": list(range(len(schools))),
            "order": [s.order for s in schools],
            "school_id": [s.id for s in schools],
            "grade": [s.grade for s in schools],
            "seats": [s.seats for s in schools],
        },
        schema={"index": pl.Int32, "order": pl.Int64, "school_id": pl.String, "grade": pl.String, "seats": pl.Int64},
    )


def allocation_of(policy: model.Policy, evaluations: Sequence[Evaluation], placed: pl.DataFrame, schools: Sequence[School]) -> Allocation:
    """The object allocation of a placed frame (``status``, ``school``, ``round``, ``group``), row for row with ``evaluations``.

    For the readers that take objects (the text table, the library's API); the
    columnar reports read the frame itself.
    """
    from jifen_dsl.allocation.allocator import Placement
    from jifen_dsl.evaluation.report import personal_columns

    placements = []
    status, school, round_, group = (placed.get_column(name).to_list() for name in ("status", "school", "round", "group"))
    for i, evaluation in enumerate(evaluations):
        p = Placement(evaluation, status[i])
        if school[i] is not None:
            p.school = schools[school[i]]
        p.round = round_[i]
        p.group = group[i]
        placements.append(p)
    return Allocation(policy, tuple(placements), tuple(schools), tuple(personal_columns(policy, evaluations)))
