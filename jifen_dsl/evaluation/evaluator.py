"""Evaluate a compiled policy for every applicant, then rank the eligible by grade."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any, Callable, Sequence

from jifen_dsl.lang import model
from jifen_dsl.data.applicants import Applicant
from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.errors import EvaluationError
from jifen_dsl.compile.order import order_parts
from jifen_dsl.evaluation.ranking import ranks_by_values
from jifen_dsl.lang.operations import DECIMAL_CONTEXT
from jifen_dsl.messages import M, Message

__all__ = ["Evaluation", "evaluate", "failed_for"]


class Evaluation:
    """The outcome of the policy for one applicant."""

    __slots__ = ("applicant", "failed", "unknown", "points", "scores", "batch", "keys", "rank", "_missing_name")

    def __init__(self, applicant: Applicant, failed, unknown, points, scores, batch, keys, missing_name):
        self.applicant = applicant
        self.failed: tuple[int, ...] = tuple(failed) if failed else ()
        self.unknown: tuple[int, ...] = unknown  # failed because a value they need is missing
        self._missing_name = missing_name
        self.points: Decimal = points
        self.scores: tuple[Decimal, ...] = scores
        self.batch: int | None = batch
        self.keys: tuple[Any, ...] = keys
        self.rank: int | None = None

    @property
    def id(self) -> str:
        return self.applicant.id

    @property
    def grade(self) -> str:
        return self.applicant.grade

    @property
    def missing(self) -> tuple[tuple[int, str], ...]:
        """(requirement, name of the missing value) for each requirement left undecided."""
        return tuple((i, self._missing_name(i, self.applicant.record)) for i in self.unknown)

    @property
    def eligible(self) -> bool:
        return not self.failed

    def __repr__(self) -> str:
        return f"Evaluation(id={self.id!r}, eligible={self.eligible}, points={self.points}, rank={self.rank})"


_PROGRESS_EVERY = 1024


def evaluate(compiled: CompiledPolicy, applicants: Sequence[Applicant], *, progress: Callable[[int], None] | None = None) -> list[Evaluation]:
    """Every applicant's evaluation, in input order, with ranks among the eligible of each grade.

    ``progress``, when given, is called with the number of applicants done since its last call.
    """
    evaluate_all = compiled.evaluate_all
    missing_name = compiled.missing_name
    if not isinstance(applicants, (list, tuple)):
        applicants = list(applicants)
    results: list[Evaluation] = []
    append = results.append
    # By grade, for the ranking, gathered in the same pass: the eligible evaluations and the
    # values their order reads (see ranking.order_parts), filled through their append functions.
    columns: dict[str, list[list[Any]]] = {}
    appends: dict[str, tuple[Callable[[Any], None], ...]] = {}
    leading, trailing = order_parts(compiled.policy)
    width = 1 + len(leading) + len(trailing)  # the evaluations, then each value of their order

    def open_group(grade: str) -> tuple[Callable[[Any], None], ...]:
        lists = columns[grade] = [[] for _ in range(width)]
        adds = appends[grade] = tuple(column.append for column in lists)
        return adds

    new = object.__new__
    with decimal.localcontext(DECIMAL_CONTEXT):
        # In chunks, so reporting progress costs nothing per applicant.
        for start in range(0, len(applicants), _PROGRESS_EVERY):
            chunk = applicants[start : start + _PROGRESS_EVERY]
            try:
                evaluate_all(chunk, new, Evaluation, append, appends, open_group, missing_name, tuple)
            except (EvaluationError, decimal.DecimalException):
                _evaluate_alone(compiled, applicants[len(results)])  # raises again, naming the applicant
                raise  # pragma: no cover - it did
            if progress is not None:
                progress(len(chunk))
        _rank_grades(compiled.policy, columns)
    return results


def _rank_grades(policy: model.Policy, columns: dict[str, list[list[Any]]]) -> None:
    """Set each eligible evaluation's rank, grade by grade, from the lists the loop gathered.

    Grades are ranked independently, largest first; each grade's lists are
    freed once it is ranked.
    """
    for grade in sorted(columns, key=lambda grade: (-len(columns[grade][0]), grade)):
        group, *values = columns.pop(grade)
        _assign(group, ranks_by_values(policy, group, values))
        del group, values


def _assign(group: list[Evaluation], ranks: list[int]) -> None:
    for e, rank in zip(group, ranks):  # in the order gathered: each visited once, in memory order
        e.rank = rank


def _evaluate_alone(compiled: CompiledPolicy, applicant: Applicant) -> Evaluation:
    """One applicant's evaluation, without a rank; raise EvaluationError naming the applicant."""
    with decimal.localcontext(DECIMAL_CONTEXT):
        try:
            failed, unknown, points, scores, batch, keys = compiled.evaluate(applicant.record)
        except EvaluationError as exc:
            raise EvaluationError(failed_for(applicant.id, applicant.row, exc)) from None
        except decimal.DecimalException as exc:
            raise EvaluationError(M("R0002", "applicant {id} (row {row}): decimal arithmetic failed ({error})", id=repr(applicant.id), row=applicant.row, error=type(exc).__name__)) from None
    return Evaluation(applicant, failed, unknown, points, scores, batch, keys, compiled.missing_name)


def failed_for(applicant_id: str, row: int, exc: EvaluationError) -> Message:
    """The message of an evaluation that failed for one applicant: the applicant, its row and what went wrong."""
    problem = exc.args[0] if len(exc.args) == 1 else str(exc)  # a message, told in the language chosen when it is shown
    return M("R0001", "applicant {id} (row {row}): {problem}", id=repr(applicant_id), row=row, problem=problem)
