"""The library's public surface: load a policy, read a cohort, evaluate, explain, allocate, compare two years.

Each function is a thin, typed door into one stage (see ARCHITECTURE.md), doing
what the matching ``jifen`` command does, without the command line's files and
formats. Every problem with a policy or with data raises a :class:`JifenError`
(:class:`PolicyError` or :class:`DataError`) whose ``render()`` is the message the
command line prints. ``import jifen_dsl`` loads none of this until first use.
"""

from __future__ import annotations

import os
from typing import Sequence, Union

import attrs

from jifen_dsl.allocation.allocator import Allocation
from jifen_dsl.allocation.allocator import allocate as _allocate
from jifen_dsl.allocation.explain import explain_allocation
from jifen_dsl.allocation.verify import verify
from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.compile.pipeline import check_file
from jifen_dsl.compile.pipeline import load_policy as _load_policy
from jifen_dsl.data.applicants import Applicant
from jifen_dsl.data.applicants import read_applicants as _read_applicants
from jifen_dsl.data.evidence import read_evidence
from jifen_dsl.data.schools import check_choices, read_schools
from jifen_dsl.errors import DataError, JifenError, PolicyError
from jifen_dsl.evaluation.evaluator import Evaluation
from jifen_dsl.evaluation.evaluator import evaluate as _evaluate
from jifen_dsl.evaluation.explain import explain as _explain
from jifen_dsl.lang import model
from jifen_dsl.lang.library import using_library
from jifen_dsl.messages import M, Message, T
from jifen_dsl.years.diff import Change
from jifen_dsl.years.diff import diff as _diff
from jifen_dsl.years.sides import load_side

__all__ = [
    "load_policy", "check", "read_cohort", "evaluate", "explain", "allocate", "explain_seat", "diff",
    "Cohort", "CompiledPolicy", "Evaluation", "Allocation", "Change",
    "JifenError", "PolicyError", "DataError",
]

Path = Union[str, "os.PathLike[str]"]


@attrs.frozen
class Cohort:
    """An applicant file read for one policy: where it came from (messages name it) and its applicants, in file order."""

    path: str
    applicants: tuple[Applicant, ...]


def load_policy(path: Path, *, library: Path | None = None) -> CompiledPolicy:
    """Parse, check and compile a policy file (``jifen check`` + ``jifen compile``); raise PolicyError listing every error.

    ``library``: the folder whose ``.jifen`` files the policy may import and extend
    (``jifen --library``); by default the folder above the policy's own folder.
    """
    with using_library(library):
        return _load_policy(os.fspath(path))


def check(path: Path, text: str | None = None, *, library: Path | None = None) -> model.Policy | model.Library:
    """Check a policy or library file, or ``text`` as if it were at ``path``; raise PolicyError listing every error.

    ``library`` as for :func:`load_policy`. Text from someone who may not read the
    machine's files (a web form) should be checked with ``library`` named: only the
    ``.jifen`` files inside it can be imported, extended or quoted in a message.
    """
    with using_library(library):
        return check_file(os.fspath(path), text)


def read_cohort(
    policy: CompiledPolicy, path: Path, *, evidence: Path | None = None,
    input_format: str | None = None, encoding: str | None = None, sheet: str | None = None,
) -> Cohort:
    """Read an applicant file (CSV, XLSX, JSON, JSON Lines) and, if given, its evidence file; raise DataError listing every problem."""
    where = os.fspath(path)
    applicants = _read_applicants(where, policy.policy, input_format=input_format, encoding=encoding, sheet=sheet)
    if evidence is not None:
        applicants = read_evidence(os.fspath(evidence), policy.policy, applicants)
    return Cohort(where, tuple(applicants))


def evaluate(policy: CompiledPolicy, cohort: Cohort) -> list[Evaluation]:
    """Eligibility, failed requirements, batch, points and rank of every applicant, in the cohort's order."""
    return _evaluate(policy, cohort.applicants)


def explain(policy: CompiledPolicy, evaluations: Sequence[Evaluation], applicant_id: str) -> str:
    """One applicant's outcome in the policy's own language (``jifen explain``): requirements, points, rank, ties."""
    _require_id(applicant_id, (e.id for e in evaluations), T("the evaluations"))
    return _explain(policy, evaluations, applicant_id)


def allocate(policy: CompiledPolicy, cohort: Cohort, evaluations: Sequence[Evaluation], schools: Path, *, trace: bool = False) -> Allocation:
    """Assign the seats of a schools file (``jifen allocate``), after checking every choice names a school of the right grade.

    The allocation is verified before it is returned (capacity, everyone once, rank
    order kept). ``trace=True`` records each step, for :func:`explain_seat`.
    """
    offer = read_schools(os.fspath(schools), policy.policy)
    check_choices(cohort.applicants, policy.policy, offer, cohort.path)
    allocation = _allocate(policy, evaluations, offer, trace=trace)
    verify(allocation, [a.id for a in cohort.applicants])
    return allocation


def explain_seat(allocation: Allocation, applicant_id: str) -> str:
    """How one applicant's seat, or none, came about; the allocation must have been made with ``trace=True``."""
    _require_id(applicant_id, (p.id for p in allocation.placements), T("the allocation"))
    if any(p.attempts is None for p in allocation.placements if p.id == applicant_id):  # trace=True gives everyone a list
        raise DataError([M("R0300", "this allocation was made without trace=True, so it cannot say how a seat came about")])
    return explain_allocation(allocation, applicant_id)


def diff(old: Path, new: Path) -> list[Change]:
    """The clauses added, removed or changed from one policy to another (``jifen diff``), inheritance resolved."""
    return _diff(load_side(os.fspath(old)), load_side(os.fspath(new)))


def _require_id(applicant_id: str, ids, where: Message) -> None:
    if applicant_id not in set(ids):
        raise DataError([M("R0301", "no applicant in {where} has the id {id}", where=where, id=repr(applicant_id))])
