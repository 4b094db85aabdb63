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
import operator
from typing import Any, Sequence

import attrs

from jifen_dsl.lang import model
from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.errors import PolicyError, Diagnostic
from jifen_dsl.evaluation.evaluator import Evaluation
from jifen_dsl.evaluation.report import personal_columns
from jifen_dsl.data.schools import School
from jifen_dsl.messages import M

__all__ = ["Placement", "Allocation", "allocate", "no_allocation_section", "ADMITTED", "UNPLACED", "NOT_QUALIFIED", "INELIGIBLE"]

ADMITTED = "admitted"
UNPLACED = "unplaced"
NOT_QUALIFIED = "not_qualified"
INELIGIBLE = "ineligible"


class Placement:
    """One applicant's outcome."""

    __slots__ = ("evaluation", "status", "school", "round", "group", "attempts")

    def __init__(self, evaluation: Evaluation, status: str | None = None):
        self.evaluation = evaluation
        self.status = status if status is not None else (INELIGIBLE if not evaluation.eligible else NOT_QUALIFIED)
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
    # The personal details the input gave, as report.personal_columns finds them: found
    # once, here, for every report of the allocation.
    personal: tuple[tuple[str, int], ...]


class _Unit:
    """An applicant or a sibling group, placed as one."""

    __slots__ = ("members", "lead", "size", "choices", "clearing", "accepts", "batch")

    def __init__(self, members: list[Placement], choices, clearing, accepts: bool, batch: int | None):
        self.members = members
        self.lead = members[0]
        self.size = len(members)
        self.choices = choices
        self.clearing = clearing
        self.accepts = accepts
        self.batch = batch


def _position(policy: model.Policy, name: str) -> int | None:
    if not policy.has_field(name):
        return None
    index = policy.field(name).index
    return policy.read_fields.index(index) if index in policy.read_fields else None


_rank = operator.attrgetter("evaluation.rank")


def no_allocation_section(policy: model.Policy) -> Diagnostic:
    """The refusal to assign seats under a policy that says nothing of them."""
    return Diagnostic(M("R0010", "{path}: the policy has no allocation section, so it cannot assign seats", path=policy.path))


def allocate(compiled: CompiledPolicy, evaluations: Sequence[Evaluation], schools: Sequence[School], *, trace: bool = False) -> Allocation:
    """Place every applicant; the result lists them in the order of ``evaluations``."""
    policy = compiled.policy
    settings = policy.allocation
    if settings is None:
        raise PolicyError([no_allocation_section(policy)])
    positions = {
        "choices": _position(policy, model.CHOICES_FIELD),
        "clearing": _position(policy, model.CLEARING_FIELD),
        "accepts": _position(policy, model.COORDINATION_FIELD),
        "siblings": _position(policy, model.SIBLING_FIELD),
    }
    sibling_pos = positions["siblings"]
    # One pass in input order - the order the objects lie in memory - makes the
    # placements, groups the eligible by grade and finds who names a sibling group.
    placements: list[Placement] = []
    append = placements.append
    by_grade: dict[str, list[Placement]] = {}
    siblings: dict[str, list[tuple[str, Placement]]] = {}  # grade -> (sibling group, placement), in input order
    for e in evaluations:
        if e.failed:
            append(Placement(e, INELIGIBLE))
            continue
        p = Placement(e, NOT_QUALIFIED)
        append(p)
        applicant = e.applicant
        grade = applicant.grade
        group = by_grade.get(grade)
        if group is None:
            group = by_grade[grade] = []
        group.append(p)
        if sibling_pos is not None:
            key = applicant.record[sibling_pos]
            if key:
                siblings.setdefault(grade, []).append((key, p))
    if trace:
        for p in placements:
            p.attempts = []
    for grade in sorted(by_grade):
        grade_schools = [s for s in schools if s.grade == grade]
        _allocate_grade(settings, by_grade[grade], siblings.get(grade, []), grade_schools, positions, trace)
    return Allocation(policy, tuple(placements), tuple(schools), tuple(personal_columns(policy, evaluations)))


def _ranked(eligible: list[Placement]) -> list[Placement]:
    """The eligible of a grade in rank order (the evaluator ranked them: 1 to n)."""
    count = len(eligible)
    ranked: list[Any] = [None] * count
    for p in eligible:
        rank = p.evaluation.rank
        if rank is None or not 1 <= rank <= count or ranked[rank - 1] is not None:
            return sorted(eligible, key=_rank)  # ranks given some other way: sort by them
        ranked[rank - 1] = p
    return ranked


def _units(settings: model.Allocation, eligible: list[Placement], siblings: list[tuple[str, Placement]], positions, capacity: int | None) -> list[_Unit]:
    """The units in rank order; with ``capacity`` (qualification by seats), only those that qualify.

    ``siblings`` are (sibling group, placement) for the eligible who name a group.
    """
    groups: dict[str, list[Placement]] = {}
    for key, p in siblings:
        members = groups.get(key)
        if members is None:
            groups[key] = [p]
        else:
            members.append(p)
    groups = {key: members for key, members in groups.items() if len(members) > 1}
    for key, members in groups.items():
        members.sort(key=_rank)  # the group stands at its best-ranked member's place
        for m in members:
            m.group = key
    ranked = _ranked(eligible)
    choice_pos, clearing_pos, accept_pos = positions["choices"], positions["clearing"], positions["accepts"]
    limit = settings.choices
    units: list[_Unit] = []
    for p in ranked:
        key = p.group
        if key is not None:
            members = groups[key]
            if members[0] is not p:
                continue  # placed with its group, at the lead's place
        else:
            members = [p]
        size = len(members)
        if capacity is not None:
            if size > capacity:
                break  # the list is cut here: this unit and everyone after it do not qualify
            capacity -= size
        record = p.evaluation.applicant.record
        choices = record[choice_pos] if choice_pos is not None else ()
        clearing = record[clearing_pos] if clearing_pos is not None else ()
        if limit:
            if len(choices) > limit:
                choices = choices[:limit]
            if len(clearing) > limit:
                clearing = clearing[:limit]
        if accept_pos is None:
            accepts = False
        elif size == 1:
            accepts = bool(record[accept_pos])
        else:
            accepts = all(m.evaluation.applicant.record[accept_pos] for m in members)
        units.append(_Unit(members, choices, clearing, accepts, p.evaluation.batch))
    return units


def _allocate_grade(
    settings: model.Allocation, eligible: list[Placement], siblings: list[tuple[str, Placement]], schools: list[School], positions, trace: bool
) -> None:
    """Place one grade's eligible, phase by phase; ``free`` is each school's seats left, shared by the phases."""
    free = {s.id: s.seats for s in schools}
    by_id = {s.id: s for s in schools}

    # 1. qualification: the ranked list cut at the grade's seats, or everyone eligible
    qualified = _units(settings, eligible, siblings, positions, sum(free.values()) if settings.qualification == "seats" else None)
    for unit in qualified:
        for m in unit.members:
            m.status = UNPLACED

    # 2. choices
    labels = [f"choice:{k + 1}" for k in range(max((len(u.choices) for u in qualified), default=0))]
    waiting = _by_choices(settings.mechanism, qualified, "choices", labels.__getitem__, free, by_id, trace)

    # 3. coordinated placement
    unplaced = _coordinate(settings, waiting, schools, free, by_id, trace)

    # 4. clearing round
    if settings.clearing:
        _by_choices(settings.mechanism, unplaced, "clearing", lambda k: "clearing", free, by_id, trace)


def _place(unit: _Unit, school_id: str, round_: str, free: dict[str, int], by_id: dict[str, School]) -> None:
    """Admit every member of the unit to the school, taking its seats."""
    free[school_id] -= unit.size
    school = by_id[school_id]
    for m in unit.members:
        m.status = ADMITTED
        m.school = school
        m.round = round_


def _note(unit: _Unit, *event) -> None:
    """Record a step in each member's attempts; callers test ``trace`` first, so an untraced run pays no call."""
    for m in unit.members:
        m.attempts.append(event)


def _by_choices(mechanism: str, waiting: list[_Unit], lists: str, label, free: dict[str, int], by_id: dict[str, School], trace: bool) -> list[_Unit]:
    """Run the policy's mechanism over one list of choices (``lists``: the _Unit attribute); return the units left waiting."""
    if mechanism == "points_first":
        return _points_first(waiting, lists, label, free, by_id, trace)
    return _choice_first(waiting, lists, label, free, by_id, trace)


def _points_first(waiting: list[_Unit], lists: str, label, free: dict[str, int], by_id: dict[str, School], trace: bool) -> list[_Unit]:
    """积分优先: each unit in rank order takes its best choice with room; batches come in order already."""
    left: list[_Unit] = []
    for unit in waiting:
        size = unit.size
        for k, school_id in enumerate(getattr(unit, lists)):
            if free[school_id] >= size:
                if trace:
                    _note(unit, "taken", lists, k, school_id)
                _place(unit, school_id, label(k), free, by_id)
                break
            if trace:
                _note(unit, "full", lists, k, school_id, free[school_id])
        else:
            left.append(unit)
    return left


def _choice_first(waiting: list[_Unit], lists: str, label, free: dict[str, int], by_id: dict[str, School], trace: bool) -> list[_Unit]:
    """志愿优先: batch by batch, round k offers every unit still waiting its k-th choice, in rank order."""
    left: list[_Unit] = []
    for batch in _batches(waiting):
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
                    if trace:
                        _note(unit, "taken", lists, k, school_id)
                    _place(unit, school_id, label(k), free, by_id)
                else:
                    if trace:
                        _note(unit, "full", lists, k, school_id, free[school_id])
                    still.append(unit)
            pending = still
        left.extend(pending)
    return left


def _coordinate(settings: model.Allocation, waiting: list[_Unit], schools: list[School], free: dict[str, int], by_id: dict[str, School], trace: bool) -> list[_Unit]:
    """Coordinated placement, in rank order, for the units that got none of their choices; return those still unplaced."""
    chooser = _Coordination(schools, free, settings.coordination)
    unplaced: list[_Unit] = []
    for unit in waiting:
        if not unit.accepts:
            if trace:
                _note(unit, "not_coordinated", "declined")
            unplaced.append(unit)
            continue
        if unit.size > 1 and settings.siblings == "unplaced":
            if trace:
                _note(unit, "not_coordinated", "siblings_unplaced")
            unplaced.append(unit)
            continue
        school_id = chooser.pick(unit.size)
        if school_id is not None:
            if trace:
                _note(unit, "coordinated", school_id)
            _place(unit, school_id, "coordinated", free, by_id)
        else:
            if trace:
                _note(unit, "not_coordinated", "no_room")
            unplaced.append(unit)
    return unplaced


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
