"""Evaluate and rank a whole cohort held as columns: the columnar engine's evaluation stage.

The cohort frame (see :mod:`jifen_dsl.lang.columns`) goes through the columnar
backend of the compiler, and the eligible are ranked by one sort per grade
(:mod:`jifen_dsl.evaluation.columnar_ranking`). The scalar backend is still the
reference for anything that goes wrong: a row the columnar backend marks as
troubled (a division by zero, a date outside the calendar) is evaluated again
by the scalar backend, which raises the same message, naming the applicant and
its row, as the scalar evaluator would.
"""

from __future__ import annotations

import decimal
from typing import Any, Collection

import polars as pl

from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.errors import EvaluationError
from jifen_dsl.evaluation.columnar_ranking import rank_column
from jifen_dsl.evaluation.evaluator import failed_for
from jifen_dsl.evaluation.objects import records_of
from jifen_dsl.lang.operations import DECIMAL_CONTEXT
from jifen_dsl.messages import M

__all__ = ["evaluate_frame", "ranked_frame"]


def evaluate_frame(
    compiled: CompiledPolicy, columnar: Any, frame: pl.DataFrame, *, ranked: bool = True, outputs: Collection[str] | None = None
) -> pl.DataFrame:
    """The cohort with its outcome: ``eligible``, ``failed``, ``unknown``, ``points``, scores, ``batch``, keys and ``rank``.

    ``frame`` holds ``row``, ``id``, ``grade`` and the field and evidence
    columns; ``columnar`` is the policy compiled by the columnar backend. Rows
    keep their order. ``ranked`` false leaves out ``rank``, for a caller that
    lets go of columns first (:func:`ranked_frame` adds it). ``outputs``: only
    these of the backend's columns are made (``failed`` always, which
    ``eligible`` is made from).
    """
    outcome = columnar.evaluate(frame, None if outputs is None else {*outputs, "failed"})
    troubled = outcome.get_column("trouble")
    if troubled.any():
        _raise_for(compiled, frame, int(troubled.arg_true()[0]))
    # The frame made again of its other columns and the eligible column, made apart: drop() or with_columns()
    # on the query's result copy every column held in other chunks than the rest (160 MB for a million applicants).
    kept = [column for column in outcome.get_columns() if column.name != "trouble"]
    outcome = pl.DataFrame([*kept, (outcome.get_column("failed").list.len() == 0).alias("eligible")])
    result = pl.concat([frame, outcome], how="horizontal")
    return ranked_frame(compiled.policy, result) if ranked else result


def ranked_frame(policy, evaluated: pl.DataFrame) -> pl.DataFrame:
    """An evaluated cohort with each applicant's ``rank`` (see :func:`rank_column`, and its ``ranking_columns`` for what it reads)."""
    return evaluated.with_columns(rank_column(policy, evaluated).alias("rank"))


def _raise_for(compiled: CompiledPolicy, frame: pl.DataFrame, position: int) -> None:
    """Evaluate one troubled row with the scalar backend, which raises EvaluationError naming the applicant."""
    applicant_id = frame.get_column("id")[position]
    row = frame.get_column("row")[position]
    with decimal.localcontext(DECIMAL_CONTEXT):
        try:
            compiled.evaluate(records_of(compiled.policy, frame.slice(position, 1))[0])
        except EvaluationError as exc:
            raise EvaluationError(failed_for(applicant_id, row, exc)) from None
        except decimal.DecimalException as exc:
            raise EvaluationError(M("R0002", "applicant {id} (row {row}): decimal arithmetic failed ({error})", id=repr(applicant_id), row=row, error=type(exc).__name__)) from None
    # The scalar backend evaluated the row without fault: the two backends disagree, which is a defect.
    raise EvaluationError(M("R0003", "applicant {id} (row {row}): the columnar evaluation failed where the scalar one did not", id=repr(applicant_id), row=row))
