"""Assign school seats to the eligible, by the policy's ranking and allocation section.

For each grade separately:

1. Qualification (资格). With ``qualification seats`` the ranked list is cut at the
   grade's total seat count: in rank order, each unit (an applicant, or a sibling
   group at the rank of its best-ranked member) qualifies while seats remain for
   all its members; the first unit that does not fit, and everyone after it, is
   ``not_qualified``. With ``all_eligible`` everyone eligible qualifies.
2. Choices (志愿), batch by batch in rank order. ``points_first`` (积分优先): each
   unit in turn takes the highest listed choice with room for all its members.
   ``choice_first`` (志愿优先): round k offers every unit still waiting its k-th
   choice, in rank order. Only the first ``choices`` choices count.
3. Coordinated placement (统筹安排), in rank order, for units that got none of
   their choices and accepted it: the first school in the schools file with room,
   or the school with the most free seats. A sibling group no listed school could
   take is placed together this way, or left unplaced together, as the policy says.
4. Clearing (补录), when the policy has it: qualified units still unplaced choose
   again among the remaining seats (``clearing_choices``), by the same procedure.

A sibling group is the applicants of one grade sharing a ``sibling_group`` value;
it moves as one, with the choices and the rank of its best-ranked member, and
accepts coordinated placement only if every member does.
"""

from __future__ import annotations

import heapq
from typing import Any, Sequence

import attrs

from . import model
from .bulk import collector_paused
from .compiler import CompiledPolicy
from .errors import PolicyError, Diagnostic
from .evaluator import Evaluation
from .schools import School

__all__ = ["Placement", "Allocation", "allocate", "ADMITTED", "UNPLACED", "NOT_QUALIFIED", "INELIGIBLE"]

ADMITTED = "admitted"
UNPLACED = "unplaced"
NOT_QUALIFIED = "not_qualified"
INELIGIBLE = "ineligible"


class Placement:
    """One applicant's outcome."""

    __slots__ = ("evaluation", "status", "school", "round", "group", "attempts")

    def __init__(self, evaluation: Evaluation):
        self.evaluation = evaluation
        self.status = INELIGIBLE if not evaluation.eligible else NOT_QUALIFIED
        self.school: School | None = None
        self.round: str | None = None  # "choice:N", "coordinated", "clearing"
        self.group: str | None = None  # the sibling group, when the applicant is in one of two or more
        self.attempts: list[tuple] | None = None  # with trace=True: what happened at each step

    @property
    def id(self) -> str:
        return self.evaluation.id


@attrs.frozen
class Allocation:
    """The outcome for every applicant, in input order, and the schools it was made over."""

    policy: model.Policy
    placements: tuple[Placement, ...]
    schools: tuple[School, ...]


class _Unit:
    """An applicant or a sibling group, placed as one."""

    __slots__ = ("members", "lead", "size", "choices", "clearing", "accepts", "batch")

    def __init__(self, members: list[Placement], choice_pos, clearing_pos, accept_pos, limit):
        self.members = members
        self.lead = members[0]
        self.size = len(members)
        record = self.lead.evaluation.applicant.record
        choices = record[choice_pos] if choice_pos is not None else ()
        clearing = record[clearing_pos] if clearing_pos is not None else ()
        self.choices = choices[:limit] if limit else choices
        self.clearing = clearing[:limit] if limit else clearing
        if accept_pos is None:
            self.accepts = False
        elif len(members) == 1:
            self.accepts = bool(record[accept_pos])
        else:
            self.accepts = all(m.evaluation.applicant.record[accept_pos] for m in members)
        self.batch = self.lead.evaluation.batch


def _position(policy: model.Policy, name: str) -> int | None:
    if not policy.has_field(name):
        return None
    index = policy.field(name).index
    return policy.read_fields.index(index) if index in policy.read_fields else None


def allocate(compiled: CompiledPolicy, evaluations: Sequence[Evaluation], schools: Sequence[School], *, trace: bool = False) -> Allocation:
    """Place every applicant; the result lists them in the order of ``evaluations``."""
    policy = compiled.policy
    settings = policy.allocation
    if settings is None:
        raise PolicyError([Diagnostic(f"{policy.path}: the policy has no allocation section, so it cannot assign seats")])
    placements = [Placement(e) for e in evaluations]
    if trace:
        for p in placements:
            p.attempts = []
    positions = {
        "choices": _position(policy, model.CHOICES_FIELD),
        "clearing": _position(policy, model.CLEARING_FIELD),
        "accepts": _position(policy, model.COORDINATION_FIELD),
        "siblings": _position(policy, model.SIBLING_FIELD),
    }
    by_grade: dict[str, list[Placement]] = {}
    for p in placements:
        if p.evaluation.eligible:
            by_grade.setdefault(p.evaluation.grade, []).append(p)
    with collector_paused():
        for grade in sorted(by_grade):
            grade_schools = [s for s in schools if s.grade == grade]
            _allocate_grade(settings, by_grade[grade], grade_schools, positions)
    return Allocation(policy, tuple(placements), tuple(schools))


def _units(settings: model.Allocation, eligible: list[Placement], positions) -> list[_Unit]:
    # The evaluator ranked the eligible of each grade already: rank is the policy's order.
    ordered = sorted(eligible, key=lambda p: p.evaluation.rank)
    groups: dict[str, list[Placement]] = {}
    sibling_pos = positions["siblings"]
    sequence: list[list[Placement]] = []
    for p in ordered:
        key = p.evaluation.applicant.record[sibling_pos] if sibling_pos is not None else None
        if key:
            if key in groups:
                groups[key].append(p)  # joins the group at its best-ranked member's place
                continue
            groups[key] = [p]
            sequence.append(groups[key])
        else:
            sequence.append([p])
    for key, members in groups.items():
        if len(members) > 1:
            for m in members:
                m.group = key
    return [_Unit(members, positions["choices"], positions["clearing"], positions["accepts"], settings.choices) for members in sequence]


def _allocate_grade(settings: model.Allocation, eligible: list[Placement], schools: list[School], positions) -> None:
    units = _units(settings, eligible, positions)
    free = {s.id: s.seats for s in schools}
    by_id = {s.id: s for s in schools}

    # 1. qualification
    if settings.qualification == "seats":
        capacity = sum(free.values())
        qualified: list[_Unit] = []
        for unit in units:
            if unit.size > capacity:
                break
            capacity -= unit.size
            qualified.append(unit)
    else:
        qualified = list(units)
    for unit in qualified:
        for m in unit.members:
            m.status = UNPLACED

    def place(unit: _Unit, school_id: str, round_: str) -> None:
        free[school_id] -= unit.size
        for m in unit.members:
            m.status = ADMITTED
            m.school = by_id[school_id]
            m.round = round_

    def note(unit: _Unit, *event) -> None:
        if unit.lead.attempts is not None:
            for m in unit.members:
                m.attempts.append(event)

    def by_choices(waiting: list[_Unit], lists: str, label) -> list[_Unit]:
        """Run the policy's mechanism over one list of choices; return the units left waiting."""
        left: list[_Unit] = []
        for batch in _batches(waiting):
            if settings.mechanism == "points_first":
                for unit in batch:
                    for k, school_id in enumerate(getattr(unit, lists)):
                        if free[school_id] >= unit.size:
                            note(unit, "taken", lists, k, school_id)
                            place(unit, school_id, label(k))
                            break
                        note(unit, "full", lists, k, school_id, free[school_id])
                    else:
                        left.append(unit)
            else:  # choice_first: round k fills k-th choices in rank order
                pending = batch
                rounds = max((len(getattr(u, lists)) for u in batch), default=0)
                for k in range(rounds):
                    still: list[_Unit] = []
                    for unit in pending:
                        options = getattr(unit, lists)
                        if k >= len(options):
                            still.append(unit)
                            continue
                        school_id = options[k]
                        if free[school_id] >= unit.size:
                            note(unit, "taken", lists, k, school_id)
                            place(unit, school_id, label(k))
                        else:
                            note(unit, "full", lists, k, school_id, free[school_id])
                            still.append(unit)
                    pending = still
                left.extend(pending)
        return left

    # 2. choices
    waiting = by_choices(qualified, "choices", lambda k: f"choice:{k + 1}")

    # 3. coordinated placement
    chooser = _Coordination(schools, free, settings.coordination)
    unplaced: list[_Unit] = []
    for unit in waiting:
        if not unit.accepts:
            note(unit, "not_coordinated", "declined")
            unplaced.append(unit)
            continue
        if unit.size > 1 and settings.siblings == "unplaced":
            note(unit, "not_coordinated", "siblings_unplaced")
            unplaced.append(unit)
            continue
        school_id = chooser.pick(unit.size)
        if school_id is not None:
            note(unit, "coordinated", school_id)
            place(unit, school_id, "coordinated")
        else:
            note(unit, "not_coordinated", "no_room")
            unplaced.append(unit)

    # 4. clearing round
    if settings.clearing:
        by_choices(unplaced, "clearing", lambda k: "clearing")


class _Coordination:
    """Finds the school for coordinated placement without scanning every school each time.

    ``file_order``: the first school in the file with room. Free seats only ever
    shrink, so a school passed over for lack of one seat never has one again: a
    cursor moves forward once through the file. ``most_free_seats``: a heap keyed
    by (-free seats, file order), refreshed lazily as seats are taken.
    """

    def __init__(self, schools: list[School], free: dict[str, int], order: str):
        self.free = free
        self.order = order
        self.schools = sorted(schools, key=lambda s: s.order)
        self.cursor = 0
        self.heap = [(-free[s.id], s.order, s.id) for s in self.schools]
        heapq.heapify(self.heap)

    def pick(self, size: int) -> str | None:
        if self.order == "file_order":
            while self.cursor < len(self.schools) and self.free[self.schools[self.cursor].id] == 0:
                self.cursor += 1
            for school in self.schools[self.cursor:]:  # stops at once for a single applicant
                if self.free[school.id] >= size:
                    return school.id
            return None
        while self.heap:
            negative, order, school_id = self.heap[0]
            if -negative != self.free[school_id]:  # stale: seats were taken since it was pushed
                heapq.heapreplace(self.heap, (-self.free[school_id], order, school_id))
                continue
            return school_id if self.free[school_id] >= size else None
        return None


def _batches(units: list[_Unit]) -> list[list[_Unit]]:
    """Consecutive runs of units of one batch (units come in rank order, batch first)."""
    runs: list[list[_Unit]] = []
    for unit in units:
        if runs and runs[-1][0].batch == unit.batch:
            runs[-1].append(unit)
        else:
            runs.append([unit])
    return runs


def outcome_order(placement: Placement) -> tuple[Any, ...]:
    """How good an outcome is for the applicant, smaller is better (used by tests and explain)."""
    if placement.status == ADMITTED:
        if placement.round.startswith("choice:"):
            return (0, int(placement.round.split(":")[1]))
        if placement.round == "coordinated":
            return (1, 0)
        return (2, 0)
    return {UNPLACED: (3, 0), NOT_QUALIFIED: (4, 0), INELIGIBLE: (5, 0)}[placement.status]
