"""Check an allocation against the promises the allocator makes; refuse a broken one.

Run after every allocation. A violation is a bug, never a data problem, and the
result is not reported: :class:`AllocationError` names the applicants involved.

The promises:
- no school admits more pupils than it has seats;
- every applicant appears exactly once;
- the ranked list is cut in rank order: nobody qualifies below someone who does not;
- no justified envy: nobody is refused a school they listed above where they ended
  up while it admitted someone with a weaker claim to it - ranked below them under
  the mechanism (``points_first``: the policy's order; ``choice_first``: batch, then
  the place of the school in each list, then the order), or placed after all
  choices (coordinated or clearing). Siblings who need several seats are exempt;
- no first-batch applicant loses a listed seat to a later batch;
- siblings are placed together, or not at all;
- coordinated placement only for those who accepted it, and nobody who accepted it
  is left unplaced while a school of their grade still has a free seat.
"""

from __future__ import annotations

from collections import Counter
from typing import Sequence

from . import model
from .allocator import ADMITTED, NOT_QUALIFIED, UNPLACED, Allocation, Placement
from .errors import JifenError

__all__ = ["AllocationError", "verify", "verify_conservation"]

_LATE = float("inf")


class AllocationError(JifenError):
    """The allocator produced a result that breaks one of its promises."""

    def __init__(self, violations: Sequence[str]):
        self.violations = tuple(violations)
        shown = list(self.violations[:50])
        if len(self.violations) > 50:
            shown.append(f"... and {len(self.violations) - 50} more")
        super().__init__(
            "error: the allocation failed its own checks and was not reported:\n"
            + "\n".join("  " + v for v in shown)
        )


def verify_conservation(input_ids: Sequence[str], output_ids: Sequence[str]) -> None:
    """Every applicant in is an applicant out, exactly once; raise AllocationError naming any that is not."""
    out, expected = Counter(output_ids), Counter(input_ids)
    if out == expected:
        return
    problems = []
    missing = sorted((expected - out).elements())
    extra = sorted((out - expected).elements())
    if missing:
        problems.append(f"applicants missing from the result: {', '.join(missing[:20])}")
    if extra:
        problems.append(f"applicants in the result more than once or not in the input: {', '.join(extra[:20])}")
    raise AllocationError(problems)


def _position(policy: model.Policy, name: str) -> int | None:
    if not policy.has_field(name):
        return None
    index = policy.field(name).index
    return policy.read_fields.index(index) if index in policy.read_fields else None


def verify(allocation: Allocation, input_ids: Sequence[str]) -> None:
    """Raise AllocationError listing every broken promise."""
    policy = allocation.policy
    settings = policy.allocation
    placements = allocation.placements
    problems: list[str] = []

    # every applicant exactly once
    try:
        verify_conservation(input_ids, [p.id for p in placements])
    except AllocationError as exc:
        problems.extend(exc.violations)

    # capacity
    admitted: dict[str, list[Placement]] = {}
    for p in placements:
        if p.status == ADMITTED:
            admitted.setdefault(p.school.id, []).append(p)
    for school in allocation.schools:
        taken = admitted.get(school.id, [])
        if len(taken) > school.seats:
            problems.append(f"school {school.id} has {school.seats} seats but admitted {len(taken)}: {', '.join(p.id for p in taken[:10])}")

    choice_pos = _position(policy, model.CHOICES_FIELD)
    clearing_pos = _position(policy, model.CLEARING_FIELD)
    accept_pos = _position(policy, model.COORDINATION_FIELD)
    limit = settings.choices

    def listed(p: Placement, pos: int | None) -> tuple[str, ...]:
        if pos is None:
            return ()
        values = p.evaluation.applicant.record[pos]
        return values[:limit] if limit else values

    # Sibling groups move as one, at the rank and with the choices of the best-ranked member.
    groups: dict[str, list[Placement]] = {}
    for p in placements:
        if p.group is not None:
            groups.setdefault(p.group + "\x00" + p.evaluation.grade, []).append(p)
    lead_of: dict[int, Placement] = {}
    for members in groups.values():
        lead = min(members, key=lambda m: m.evaluation.rank)
        for m in members:
            lead_of[id(m)] = lead
        if len({(m.status, m.school.id if m.school else None) for m in members}) != 1:
            where = ", ".join(f"{m.id} ({m.status} {m.school.id if m.school else '-'})" for m in members)
            problems.append(f"siblings placed apart: {where}")

    def unit_rank(p: Placement) -> int:
        return lead_of.get(id(p), p).evaluation.rank

    def batch(p: Placement) -> float:
        b = lead_of.get(id(p), p).evaluation.batch
        return _LATE if b is None else b

    def claim(p: Placement, school_id: str, lists_pos: int | None) -> tuple:
        """The strength of p's claim to a school it listed: smaller is stronger."""
        if settings.mechanism == "choice_first":
            options = listed(lead_of.get(id(p), p), lists_pos)
            return (batch(p), options.index(school_id) if school_id in options else _LATE, unit_rank(p))
        return (batch(p), unit_rank(p))

    # qualification is a cut of the ranked list
    if settings.qualification == "seats":
        by_grade: dict[str, tuple[list[int], list[int]]] = {}
        for p in placements:
            if p.evaluation.eligible:
                qualified, not_qualified = by_grade.setdefault(p.evaluation.grade, ([], []))
                (not_qualified if p.status == NOT_QUALIFIED else qualified).append(unit_rank(p))
        for grade, (qualified, not_qualified) in by_grade.items():
            if qualified and not_qualified and max(qualified) > min(not_qualified):
                problems.append(f"grade {grade}: rank {min(not_qualified)} is not qualified but rank {max(qualified)} is")

    # the weakest claim each school admitted, by route
    weakest_choice: dict[str, tuple[tuple, Placement]] = {}
    weakest_clearing: dict[str, tuple[tuple, Placement]] = {}
    late: dict[str, Placement] = {}  # someone admitted after all main choices
    latest_batch: dict[str, tuple[float, Placement]] = {}
    for school_id, taken in admitted.items():
        for b in taken:
            if b.round.startswith("choice:"):
                c = claim(b, school_id, choice_pos)
                if school_id not in weakest_choice or c > weakest_choice[school_id][0]:
                    weakest_choice[school_id] = (c, b)
            else:
                late.setdefault(school_id, b)
                if b.round == "clearing":
                    c = claim(b, school_id, clearing_pos)
                    if school_id not in weakest_clearing or c > weakest_clearing[school_id][0]:
                        weakest_clearing[school_id] = (c, b)
            if school_id not in latest_batch or batch(b) > latest_batch[school_id][0]:
                latest_batch[school_id] = (batch(b), b)

    room_left: dict[str, str] = {}  # grade -> a school of that grade with a free seat
    for s in allocation.schools:
        if s.seats > len(admitted.get(s.id, [])):
            room_left.setdefault(s.grade, s.id)
    for p in placements:
        if p.status not in (ADMITTED, UNPLACED):
            continue
        if p.round == "coordinated" and accept_pos is not None and not p.evaluation.applicant.record[accept_pos]:
            problems.append(f"{p.id} was placed by coordination without accepting it")
        if p.group is not None:
            continue  # siblings need seats for all: exempt from the envy checks
        main = listed(p, choice_pos)
        above = main[: int(p.round.split(":")[1]) - 1] if p.status == ADMITTED and p.round.startswith("choice:") else main
        for school_id in above:
            mine = claim(p, school_id, choice_pos)
            if school_id in weakest_choice and weakest_choice[school_id][0] > mine:
                problems.append(f"{p.id} listed {school_id} but was refused while it admitted {weakest_choice[school_id][1].id} with a weaker claim")
            elif school_id in late:
                problems.append(f"{p.id} listed {school_id} but was refused while it later admitted {late[school_id].id} by {late[school_id].round}")
            if school_id in latest_batch and latest_batch[school_id][0] > batch(p):
                problems.append(f"{p.id} (batch {p.evaluation.batch}) lost a listed seat at {school_id} to {latest_batch[school_id][1].id} of a later batch")
        if p.status == UNPLACED or p.round == "clearing":
            options = listed(p, clearing_pos) if settings.clearing else ()
            taken_at = options.index(p.school.id) if p.round == "clearing" and p.school.id in options else len(options)
            for school_id in options[:taken_at]:
                mine = claim(p, school_id, clearing_pos)
                if school_id in weakest_clearing and weakest_clearing[school_id][0] > mine:
                    problems.append(f"{p.id} chose {school_id} in clearing but was refused while it admitted {weakest_clearing[school_id][1].id} with a weaker claim")
        if p.status == UNPLACED and accept_pos is not None and p.evaluation.applicant.record[accept_pos]:
            if p.evaluation.grade in room_left:
                problems.append(f"{p.id} accepted coordinated placement but was left unplaced while {room_left[p.evaluation.grade]} had a free seat")
    if problems:
        raise AllocationError(problems)
