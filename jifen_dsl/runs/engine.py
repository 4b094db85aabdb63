"""A run's work on the columnar engine: read, check the choices, evaluate, rank, allocate and verify.

Every stage works on the cohort's columns, in this process; polars' own
threads are the parallelism. The stages are those of the scalar pipeline, and
each gives what its scalar counterpart gives (tests compare them):

- reading: :func:`jifen_dsl.data.frames.read_cohort_frame` (and
  :func:`~jifen_dsl.data.frames.evidence.read_evidence_frame`);
- the choice check: :mod:`jifen_dsl.data.choicecheck`;
- evaluation and ranking: :mod:`jifen_dsl.evaluation.engine` over the policy
  compiled by the columnar backend (:mod:`jifen_dsl.compile.columnar`);
- allocation over integer arrays (:mod:`jifen_dsl.allocation.arrays`) and its
  verification as column operations (:mod:`jifen_dsl.allocation.columns_verify`).
"""

from __future__ import annotations

from typing import Any, Collection, Sequence

import attrs
import polars as pl

from jifen_dsl.allocation.arrays import allocate_arrays
from jifen_dsl.allocation.columns_verify import verify_frame
from jifen_dsl.allocation.frame import FRAME_SCHEMA, Positions
from jifen_dsl.compile.columnar import compile_columnar
from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.data.applicants import Reject
from jifen_dsl.data.choicecheck import check_choices_frame, choice_problems_frame
from jifen_dsl.data.frames import CohortFrame, read_cohort_frame
from jifen_dsl.data.frames.evidence import read_evidence_frame
from jifen_dsl.data.schools import School
from jifen_dsl.evaluation.columnar_ranking import ranking_columns
from jifen_dsl.evaluation.engine import evaluate_frame, ranked_frame
from jifen_dsl.lang import model
from jifen_dsl.lang.columns import field_column
from jifen_dsl.messages import T, render
from jifen_dsl.progress import Progress

__all__ = ["Results", "run_engine", "read_cohort", "placement_columns", "placement_inputs", "unread_fields"]


@attrs.frozen(eq=False)
class Results:
    """What a run found, as columns: the cohort read, its evaluation and, for allocate, its placements.

    ``outcome`` holds one row per applicant kept, in file order: ``row``, ``id``,
    ``grade``, the field and evidence columns, the columnar backend's results
    (``failed``, ``unknown``, ``points``, scores ``s_N``, ``batch``, keys ``k_N``),
    ``eligible`` and ``rank`` - or, for a run that let go of the fields
    (``run_engine``'s ``fields``), only what the results are written from.
    ``placed`` (allocate) holds, row for row, ``status``, ``school`` (an index
    into ``schools``), ``round`` and ``group``.
    """

    cohort: CohortFrame
    rejects: tuple[Reject, ...]
    outcome: pl.DataFrame
    key_types: tuple[Any, ...]
    schools: tuple[School, ...] | None
    placed: pl.DataFrame | None


def read_cohort(
    source, evidence, policy: model.Policy, lenient: bool, progress: Progress, *, digest_now: bool = True, unread: Collection[int] = ()
) -> CohortFrame:
    """The applicant file of a run (and its evidence file, into the cohort's evidence columns).

    ``digest_now`` false: the applicant file's digest is taken only if it is asked for;
    ``unread``: fields whose values the run never reads (see ``read_cohort_frame`` and :func:`unread_fields`).
    """
    cohort = read_cohort_frame(
        source.path, policy, input_format=source.format, encoding=source.encoding, sheet=source.sheet,
        lenient=lenient, progress=progress, formulas=source.formulas, digest_now=digest_now, unread=unread,
    )
    if evidence is not None:
        set_aside = rejected_ids(cohort)
        cohort = read_evidence_frame(
            evidence.path, policy, cohort, set_aside=set_aside, input_format=evidence.format, encoding=evidence.encoding,
            sheet=evidence.sheet, formulas=evidence.formulas,
        )
    elif policy.evidence:  # no evidence file: every applicant's lists are empty
        cohort = attrs.evolve(cohort, frame=cohort.frame.with_columns(_empty_evidence(policy, cohort.frame.height)))
    return cohort


def _empty_evidence(policy: model.Policy, height: int) -> list[pl.Series]:
    from jifen_dsl.lang.columns import EVIDENCE, evidence_column

    return [pl.Series(evidence_column(slot), [[]] * height, dtype=EVIDENCE) for slot in range(len(policy.evidence))]


def rejected_ids(cohort: CohortFrame) -> set[str]:
    """The ids of the rows a lenient reading set aside (their evidence is not an error)."""
    header = list(cohort.table.header)
    names = {h.strip() for h in header}
    column = next((i for i, h in enumerate(header) if h.strip() in ("id", "申请编号")), None)
    if column is None or not names:
        return set()
    broken = {b.row for b in cohort.table.broken}  # set aside whole: no cells to take an id from
    return {r.cells[column].strip() for r in cohort.rejects if r.row not in broken and column < len(r.cells)}


def run_engine(
    compiled: CompiledPolicy, cohort: CohortFrame, offer: Sequence[School] | None, lenient: bool, progress: Progress, *, fields: bool = True
) -> Results:
    """Check the choices against the schools (allocate), evaluate and rank, and assign the seats, verified.

    ``fields`` false: the caller writes the results from the columns only and
    never asks for evaluations as objects, so the applicants' field columns are
    let go of once evaluated, save those the ranking, the placement and the
    results read, and the scores once ranked (a third of a million applicants'
    memory, before they are ranked, their seats assigned and verified). The
    caller must hold no other reference to ``cohort``.
    """
    policy = compiled.policy
    frame = cohort.frame
    rejects = list(cohort.rejects)
    if offer is not None:
        if lenient:
            frame, more = _set_aside_bad_choices(cohort, frame, policy, offer)
            rejects = sorted(rejects + more, key=lambda r: r.row)
        else:
            # Not beside the evaluation: that was 2.5% faster, but its peak memory was up to 110 MB higher.
            check_choices_frame(frame, policy, offer, cohort.table.at, cohort.table.path)
    columnar = compile_columnar(policy)
    advance = progress.phase(render(T("evaluating")), frame.height)
    # A lean run makes only the columns it reports, ranks and places by.
    wanted = None if fields else _lean_columns(policy, offer is not None)
    outcome = evaluate_frame(compiled, columnar, frame, ranked=False, outputs=wanted)
    if wanted is not None:
        # Nothing here may hold the cohort's full columns any longer, or they are not let go of:
        # ranking, allocating and verifying a million applicants then sit on a third less memory.
        del frame
        cohort = attrs.evolve(cohort, frame=cohort.frame.select("row", "id", "grade"))
        outcome = outcome.select(name for name in outcome.columns if name in wanted)
    outcome = ranked_frame(policy, outcome)
    if advance is not None:
        advance(outcome.height)
    placed = None
    placing = placement_columns(policy, outcome) if offer is not None else None
    if not fields:
        outcome = outcome.select(_reported(policy, outcome))
    if offer is not None and placing is not None:
        placed = allocate_arrays(policy, placing, offer).select("status", "school", "round", "group")
        verify_frame(policy, pl.concat([placing, placed], how="horizontal"), offer, outcome.get_column("id"))
    return Results(cohort, tuple(rejects), outcome, tuple(columnar.key_types), tuple(offer) if offer is not None else None, placed)


def _set_aside_bad_choices(cohort: CohortFrame, frame: pl.DataFrame, policy: model.Policy, offer: Sequence[School]) -> tuple[pl.DataFrame, list[Reject]]:
    """With --lenient: applicants whose choices do not fit the schools file, set aside with the reasons."""
    found = choice_problems_frame(frame, policy, offer)
    if not found.height:
        return frame, []
    reasons: dict[int, list[str]] = {}
    for row, reason in found.select("row", "reason").iter_rows():
        reasons.setdefault(row, []).append(reason)
    cells = {row: c for row, c in cohort.table.rows if row in reasons}
    kept = frame.filter(~pl.col("row").is_in(list(reasons)))
    return kept, [Reject(row, tuple(cells[row]), tuple(why)) for row, why in sorted(reasons.items())]


_REPORTED = ("row", "id", "grade", "failed", "points", "points_nz", "batch", "eligible", "rank")


def _reported(policy: model.Policy, outcome: pl.DataFrame) -> list[str]:
    """The columns of the outcome the results are written from: the evaluation's own and the personal details the policy reads."""
    names = _reported_names(policy)
    return [name for name in outcome.columns if name in names]


def _reported_names(policy: model.Policy) -> set[str]:
    """The names of the columns :func:`_reported` keeps."""
    personal = {
        field_column(policy.read_fields.index(policy.field(name).index))
        for name in model.PERSONAL_FIELDS
        if policy.has_field(name) and policy.field(name).index in policy.read_fields
    }
    return set(_REPORTED) | personal


def _lean_columns(policy: model.Policy, allocating: bool) -> set[str]:
    """The columns of an evaluated cohort a lean run reads: those it reports, ranks and (allocating) places by."""
    return _reported_names(policy) | ranking_columns(policy) | (placement_inputs(policy) if allocating else set())


def unread_fields(policy: model.Policy, allocating: bool, fields: bool) -> frozenset[int]:
    """The fields (by index) whose values a lean run (``fields`` false) never reads: not evaluated, reported, ranked or placed by.

    A run that keeps the applicants' fields reads them all.
    """
    if fields:
        return frozenset()
    needed = compile_columnar(policy).reads | _lean_columns(policy, allocating)
    return frozenset(index for position, index in enumerate(policy.read_fields) if field_column(position) not in needed)


def placement_inputs(policy: model.Policy) -> set[str]:
    """The columns of an evaluated cohort :func:`placement_columns` reads."""
    where = Positions(policy)
    fields = {field_column(position) for position in (where.choices, where.clearing, where.accepts, where.siblings) if position is not None}
    return {"id", "grade", "eligible", "rank", "batch"} | fields


def placement_columns(policy: model.Policy, outcome: pl.DataFrame) -> pl.DataFrame:
    """The placement frame (:mod:`jifen_dsl.allocation.frame`) of an evaluated cohort, from its columns."""
    where = Positions(policy)

    def field(position: int | None, name: str) -> pl.Expr:
        if position is None:
            return pl.lit(None, dtype=FRAME_SCHEMA[name]).alias(name)
        return pl.col(field_column(position)).cast(FRAME_SCHEMA[name]).alias(name)

    # In one piece: texts kept as the reader read them come in a hundred, and placing and verifying
    # filter, gather and join these columns a dozen times each.
    return outcome.select(
        pl.col("id"), pl.col("grade"), pl.col("eligible"), pl.col("rank").cast(pl.Int64), pl.col("batch").cast(pl.Int32),
        field(where.choices, "choices"), field(where.clearing, "clearing"), field(where.accepts, "accepts"), field(where.siblings, "sibling"),
    ).rechunk()
