"""Whom a new policy changes things for: a cohort run under the old and the new policy, and why.

The cohort is evaluated (and, with a schools file, allocated) under both
policies. Each applicant whose outcome differs - eligibility, the requirements
failed, the batch, the rank, the status and the school - is listed with the
clause changes that cause it. Causes are found, not guessed: each clause
change is made alone on the old policy (with the fields and definitions the new
policy adds, which change nothing by themselves), the cohort is run again, and
a change is a cause of an applicant's new outcome when it alone gives that
outcome. When no single change does, the outcome comes from a combination.
Changes of wording only (titles, citations, labels) are not run.

Both policies are first moved to the cohort's year (by default the old
policy's), with every date moved by the month-end rule, so that dates that only
moved with the calendar change nobody's outcome: a cohort's birth dates and
application times belong to one year.
"""

from __future__ import annotations

from typing import Any, Sequence

import attrs

from jifen_dsl.allocation.allocator import allocate
from jifen_dsl.data.applicants import Applicant, records_from_table
from jifen_dsl.compile.compiler import CompiledPolicy, compile_policy
from jifen_dsl.years.diff import Change, Side, apply_changes, diff, side_of
from jifen_dsl.errors import DataError, PolicyError
from jifen_dsl.messages import M, Message
from jifen_dsl.data.evidence import evidence_from_table
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.lang.loader import load
from jifen_dsl.data.readers import Table, read_table
from jifen_dsl.data.schools import check_choices, read_schools_table, schools_from_table
from jifen_dsl.allocation.verify import verify
from jifen_dsl.years.yearshift import shift_program

__all__ = ["Outcome", "Affected", "Impact", "Inputs", "impact", "impact_of_sides", "read_inputs", "compiled_side", "ASPECTS"]

ASPECTS = ("eligible", "failed", "batch", "rank", "status", "school")


@attrs.frozen
class Outcome:
    """What a policy gives one applicant."""

    eligible: bool
    failed: tuple[str, ...]
    batch: str | None
    rank: int | None
    status: str | None = None  # with a schools file: admitted, unplaced, not_qualified, ineligible
    school: str | None = None

    def differs(self, other: "Outcome", aspect: str) -> bool:
        """Whether two outcomes differ in one aspect (the requirements failed compare as a set)."""
        if aspect == "failed":
            return set(self.failed) != set(other.failed)
        return getattr(self, aspect) != getattr(other, aspect)


@attrs.frozen
class Affected:
    """An applicant whose outcome changes, and the changes that cause it."""

    id: str
    grade: str
    old: Outcome
    new: Outcome
    changed: tuple[str, ...]  # the aspects that differ, in ASPECTS order
    causes: tuple[str, ...]  # ids of the changes that alone give the whole new outcome
    by_aspect: tuple[tuple[str, tuple[str, ...]], ...] = ()  # per changed aspect, the changes that alone give it


@attrs.frozen(eq=False)
class Impact:
    """The cohort under both policies: the changes, who is affected and why, and counts."""

    old: Side
    new: Side
    cohort: str
    schools: str | None
    year: int  # the year both policies were compared in
    moved: tuple[int, int]  # years the old and the new policy were moved by
    applicants: int
    changes: tuple[Change, ...]
    notes: dict[str, Message | str]  # change id -> why it could not be run alone (the first error it gave, a message)
    affected: tuple[Affected, ...]
    summary: dict[str, int]


def compiled_side(side: Side) -> CompiledPolicy:
    """The policy of a loaded side, compiled."""
    return compile_policy(side.policy)


def _outcomes(compiled: CompiledPolicy, table: Table, schools: Table | None, evidence: Table | None) -> tuple[dict[str, Outcome], list[Applicant]]:
    """Every applicant's outcome under one policy, by id."""
    policy = compiled.policy
    applicants, _ = records_from_table(table, policy)
    if evidence is not None and policy.evidence:
        applicants = evidence_from_table(evidence, policy, applicants)
    evaluations = evaluate(compiled, applicants)
    placements: dict[str, Any] = {}
    if schools is not None:
        offer = schools_from_table(schools, policy)
        check_choices(applicants, policy, offer, table)
        allocation = allocate(compiled, evaluations, offer)
        verify(allocation, [x.id for x in applicants])
        placements = {p.id: p for p in allocation.placements}
    out: dict[str, Outcome] = {}
    for e in evaluations:
        placement = placements.get(e.id)
        out[e.id] = Outcome(
            e.eligible,
            tuple(policy.requirements[i].name for i in e.failed),
            policy.batches[e.batch].name if e.batch is not None else None,
            e.rank,
            placement.status if placement is not None else None,
            placement.school.id if placement is not None and placement.school is not None else None,
        )
    return out, applicants


def _moved_side(path: str, year: int) -> tuple[Side, int]:
    program = load(path)
    years = year - program.main.header.year
    return side_of(path, shift_program(program, years)), years


@attrs.frozen
class Inputs:
    """The files a cohort is run from, read once: the applicants, and the schools and evidence when given (their paths as given)."""

    cohort: str
    table: Table
    schools: str | None = None
    schools_table: Table | None = None
    evidence_table: Table | None = None


def read_inputs(cohort: str, schools: str | None = None, evidence: str | None = None) -> Inputs:
    """Read the cohort's files, as the command line reads them; raise DataError for a bad one."""
    return Inputs(
        cohort, read_table(cohort, what="applicant"), schools, read_schools_table(schools) if schools else None,
        read_table(evidence, what="evidence") if evidence else None,
    )


def impact(
    old_path: str, new_path: str, cohort: str, schools: str | None = None, *, year: int | None = None, evidence: str | None = None,
) -> Impact:
    """Run ``cohort`` (with its ``evidence``) under both policies, moved to ``year`` (default: the old policy's); raise a JifenError on bad input."""
    if year is None:
        year = load(old_path).main.header.year
    a, moved_a = _moved_side(old_path, year)
    b, moved_b = _moved_side(new_path, year)
    return impact_of_sides(a, b, read_inputs(cohort, schools, evidence), year=year, moved=(moved_a, moved_b), paths=(old_path, new_path))


def impact_of_sides(a: Side, b: Side, inputs: Inputs, *, year: int, moved: tuple[int, int], paths: tuple[str, str]) -> Impact:
    """The impact of going from side ``a`` to side ``b`` (both loaded, and moved to ``year``) on the cohort of ``inputs``.

    ``paths`` name the two policies in messages; each change alone is tried as a
    variant of ``a`` read as if at the first of them.
    """
    table, schools_table, evidence_table = inputs.table, inputs.schools_table, inputs.evidence_table
    changes = diff(a, b)
    if schools_table is not None and (a.policy.allocation is None or b.policy.allocation is None):
        which = paths[0] if a.policy.allocation is None else paths[1]
        raise DataError([M("R0200", "{path} has no allocation section, so the cohort cannot be placed in schools; leave out --schools", path=which)])
    before, applicants = _outcomes(compiled_side(a), table, schools_table, evidence_table)
    after, _ = _outcomes(compiled_side(b), table, schools_table, evidence_table)

    variants: dict[str, dict[str, Outcome]] = {}
    notes: dict[str, Message | str] = {}
    for change in changes:
        if change.wording_only:
            continue
        try:
            variant = side_of(paths[0], apply_changes(a, [change], b))
            variants[change.id], _ = _outcomes(compiled_side(variant), table, schools_table, evidence_table)
        except PolicyError as exc:
            first = next((d for d in exc.diagnostics if d.severity == "error"), exc.diagnostics[0])
            notes[change.id] = first.message
        except DataError as exc:
            notes[change.id] = exc.problems[0] if exc.problems else str(exc)

    affected = []
    for applicant in applicants:
        old, new = before[applicant.id], after[applicant.id]
        changed = tuple(x for x in ASPECTS if old.differs(new, x))
        if not changed:
            continue
        by_aspect = tuple(
            (x, tuple(cid for cid, outcome in variants.items() if not outcome[applicant.id].differs(new, x)))
            for x in changed
        )
        causes = tuple(cid for cid in variants if all(cid in ids for _, ids in by_aspect))
        affected.append(Affected(applicant.id, applicant.grade, old, new, changed, causes, by_aspect))
    return Impact(
        a, b, inputs.cohort, inputs.schools, year, moved, len(applicants), tuple(changes), notes, tuple(affected),
        _summary(affected, len(applicants), schools_table is not None),
    )


def _summary(affected: Sequence[Affected], total: int, placed: bool) -> dict[str, int]:
    """Counts: applicants, affected, who gains or loses eligibility, changes batch, rank, place or school."""
    count = lambda test: sum(1 for x in affected if test(x.old, x.new))  # noqa: E731
    summary = {
        "applicants": total,
        "affected": len(affected),
        "gain_eligibility": count(lambda o, n: not o.eligible and n.eligible),
        "lose_eligibility": count(lambda o, n: o.eligible and not n.eligible),
        "change_failed": count(lambda o, n: not o.eligible and not n.eligible and set(o.failed) != set(n.failed)),
        "change_batch": count(lambda o, n: o.eligible and n.eligible and o.batch != n.batch),
        "change_rank": count(lambda o, n: o.rank is not None and n.rank is not None and o.rank != n.rank),
    }
    if placed:
        summary.update({
            "gain_place": count(lambda o, n: o.school is None and n.school is not None),
            "lose_place": count(lambda o, n: o.school is not None and n.school is None),
            "change_school": count(lambda o, n: o.school is not None and n.school is not None and o.school != n.school),
        })
    return summary

