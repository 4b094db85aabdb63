"""Evaluation objects made from an evaluated cohort's columns, for the readers that want objects.

The columnar engine writes CSV, JSON and workbooks straight from its columns.
A few readers still take :class:`~jifen_dsl.evaluation.evaluator.Evaluation`
objects - the text table, the JSON of ``jifen evaluate`` with each failed
requirement's values, the library's API - and get them from here, made once,
with exactly the values the scalar evaluator gives (a negative zero too, from
the ``..._nz`` column beside each decimal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Sequence

import polars as pl

from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.data.applicants import Applicant
from jifen_dsl.evaluation.evaluator import Evaluation
from jifen_dsl.lang import columns, model
from jifen_dsl.lang.typesys import DECIMAL, EVIDENCE, Type

__all__ = ["records_of", "applicants_of", "evaluations_of"]

_NEGATIVE_ZERO = "{}_nz"


def records_of(policy: model.Policy, frame: pl.DataFrame) -> list[tuple]:
    """The scalar record of every row: the values of ``policy.read_fields``, then each evidence list."""
    slots = [
        columns.column_values(frame.get_column(columns.field_column(position)), policy.fields[index].type)
        for position, index in enumerate(policy.read_fields)
    ]
    slots += [columns.column_values(frame.get_column(columns.evidence_column(slot)), EVIDENCE) for slot in range(len(policy.evidence))]
    if not slots:
        return [()] * frame.height
    return list(zip(*slots))


def applicants_of(policy: model.Policy, frame: pl.DataFrame) -> list[Applicant]:
    """The applicants of a cohort frame (``row``, ``id``, ``grade`` and the field columns), in its order."""
    records = records_of(policy, frame)
    rows, ids, grades = (frame.get_column(name).to_list() for name in ("row", "id", "grade"))
    return [Applicant(row, applicant_id, grade, record) for row, applicant_id, grade, record in zip(rows, ids, grades, records)]


def _decimals(frame: pl.DataFrame, name: str) -> list[Any]:
    values = columns.column_values(frame.get_column(name), DECIMAL)
    flag = _NEGATIVE_ZERO.format(name)
    if flag in frame.columns:
        for position in frame.get_column(flag).arg_true().to_list():
            values[position] = Decimal((1, (0,), values[position].as_tuple().exponent))  # a zero, its sign kept
    return values


def _values(frame: pl.DataFrame, name: str, type_: Type) -> list[Any]:
    return _decimals(frame, name) if type_.kind == "decimal" else columns.column_values(frame.get_column(name), type_)


def evaluations_of(compiled: CompiledPolicy, key_types: Sequence[Type], frame: pl.DataFrame) -> list[Evaluation]:
    """The evaluation of every row of an evaluated cohort, in its order, ranked.

    ``frame`` holds the cohort's columns and the columnar backend's results
    (``failed``, ``unknown``, ``points``, ``s_N``, ``batch``, ``k_N``) with
    ``rank``; ``key_types`` are the types of the ``k_N`` columns.
    """
    policy = compiled.policy
    applicants = applicants_of(policy, frame)
    failed = [tuple(f) for f in frame.get_column("failed").to_list()]
    unknown = [tuple(u) for u in frame.get_column("unknown").to_list()]
    points = _decimals(frame, "points")
    score_columns = [_decimals(frame, f"s_{i}") for i in range(len(policy.points.indicators))]
    scores = list(zip(*score_columns)) if score_columns else [()] * frame.height
    key_columns = [_values(frame, f"k_{i}", type_) for i, type_ in enumerate(key_types)]
    keys = list(zip(*key_columns)) if key_columns else [()] * frame.height
    batches = frame.get_column("batch").to_list()
    ranks = frame.get_column("rank").to_list()
    missing_name = compiled.missing_name
    out = []
    for i, applicant in enumerate(applicants):
        evaluation = Evaluation(applicant, failed[i], unknown[i], points[i], scores[i], batches[i], keys[i], missing_name)
        evaluation.rank = ranks[i]
        out.append(evaluation)
    return out
