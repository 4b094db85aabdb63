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

import operator
from collections import Counter
from typing import Any, Callable, NamedTuple, Sequence

from jifen_dsl.lang import model
from jifen_dsl.allocation.allocator import ADMITTED, NOT_QUALIFIED, UNPLACED, Allocation, Placement
from jifen_dsl.data.schools import School
from jifen_dsl.errors import JifenError, severity_word
from jifen_dsl.messages import M, Message, N, render, series

__all__ = [
    "AllocationError", "verify", "verify_conservation",
    "missing_from_result", "more_than_once", "over_capacity", "siblings_apart", "cut_out_of_order",
    "coordinated_unasked", "refused_for_weaker", "refused_for_later", "lost_to_later_batch", "refused_in_clearing", "left_unplaced",
]

_LATE = float("inf")


class AllocationError(JifenError):
    """The allocator produced a result that breaks one of its promises.

    ``problems`` are the broken promises as messages; ``violations`` the same in
    words, in the language chosen when they are read.
    """

    def __init__(self, violations: Sequence[Message | str]):
        self.problems = tuple(violations)
        super().__init__(*self.problems)

    @property
    def violations(self) -> tuple[str, ...]:
        return tuple(render(v) for v in self.problems)

    def render(self) -> str:
        shown = [render(v) for v in self.problems[:50]]
        if len(self.problems) > 50:
            shown.append(render(N("... and {count} more", "... and {count} more", len(self.problems) - 50)))
        head = severity_word("error") + ": " + render(M("R0020", "the allocation failed its own checks and was not reported:"))
        return "\n".join([head] + ["  " + v for v in shown])

    def __str__(self) -> str:
        return self.render()


def verify_conservation(input_ids: Sequence[str], output_ids: Sequence[str]) -> None:
    """Every applicant in is an applicant out, exactly once; raise AllocationError naming any that is not."""
    out, expected = Counter(output_ids), Counter(input_ids)
    if out == expected:
        return
    problems = []
    missing = sorted((expected - out).elements())
    extra = sorted((out - expected).elements())
    if missing:
        problems.append(missing_from_result(missing[:20]))
    if extra:
        problems.append(more_than_once(extra[:20]))
    raise AllocationError(problems)


def _position(policy: model.Policy, name: str) -> int | None:
    if not policy.has_field(name):
        return None
    index = policy.field(name).index
    return policy.read_fields.index(index) if index in policy.read_fields else None


_id = operator.attrgetter("evaluation.applicant.id")


def verify(allocation: Allocation, input_ids: Sequence[str]) -> None:
    """Raise AllocationError listing every broken promise.

    Every placement is visited a few times; each visit is kept to a few
    operations, since a city's run checks a million of them. So the checks go
    by pass over the placements, not by promise: each pass checks what it can.
    """
    policy = allocation.policy
    settings = policy.allocation
    placements = allocation.placements
    problems: list[Message] = []
    _check_each_applicant_once(placements, input_ids, problems)
    seats_cut = settings.qualification == "seats"
    admitted, groups, by_grade = _survey(placements, seats_cut)
    _check_seats(allocation.schools, admitted, problems)
    # where a record holds the choices, the clearing choices and the acceptance of coordinated placement
    positions = (_position(policy, model.CHOICES_FIELD), _position(policy, model.CLEARING_FIELD), _position(policy, model.COORDINATION_FIELD))
    lead_of = _check_siblings_together(groups, problems)
    listed, unit_rank, batch, claim = _claim_rules(settings, lead_of)
    if seats_cut:
        _check_rank_order_cut(groups, by_grade, unit_rank, problems)
    weakest = _weakest_admitted(admitted, settings.mechanism == "choice_first", batch, claim, positions)
    _check_refusals(allocation, admitted, weakest, listed, claim, positions, problems)
    if problems:
        raise AllocationError(problems)


def _check_each_applicant_once(placements: Sequence[Placement], input_ids: Sequence[str], problems: list[Message]) -> None:
    """Every applicant exactly once: the result lists the input in its order, or the counts say what is wrong."""
    output_ids = list(map(_id, placements))
    if output_ids != (input_ids if isinstance(input_ids, list) else list(input_ids)):
        try:
            verify_conservation(input_ids, output_ids)
        except AllocationError as exc:
            problems.extend(exc.problems)


def _survey(placements: Sequence[Placement], seats_cut: bool) -> tuple[dict[str, list[Placement]], dict[str, list[Placement]], dict[str, list[Any]]]:
    """One pass: who each school admitted, the sibling groups, and each grade's bounds for the qualification cut.

    The bounds are each grade's highest qualified and lowest not qualified rank,
    of those alone: siblings come after (:func:`_check_rank_order_cut`), at their group's rank.
    """
    admitted: dict[str, list[Placement]] = {}
    groups: dict[str, list[Placement]] = {}
    by_grade: dict[str, list[Any]] = {}  # grade -> [highest qualified rank, lowest not qualified rank]
    for p in placements:
        status = p.status
        if status == ADMITTED:
            school_id = p.school.id
            taken = admitted.get(school_id)
            if taken is None:
                admitted[school_id] = [p]
            else:
                taken.append(p)
        e = p.evaluation
        if p.group is not None:
            groups.setdefault(p.group + "\x00" + e.applicant.grade, []).append(p)
        if seats_cut and not e.failed:  # eligible
            bounds = by_grade.get(e.applicant.grade)
            if bounds is None:
                bounds = by_grade[e.applicant.grade] = [None, None]
            if p.group is not None:
                continue  # ranked with its group, below
            rank = e.rank
            if status == NOT_QUALIFIED:
                if bounds[1] is None or rank < bounds[1]:
                    bounds[1] = rank
            elif bounds[0] is None or rank > bounds[0]:
                bounds[0] = rank
    return admitted, groups, by_grade


def _check_seats(schools: Sequence[School], admitted: dict[str, list[Placement]], problems: list[Message]) -> None:
    """No school admits more pupils than it has seats."""
    for school in schools:
        taken = admitted.get(school.id, [])
        if len(taken) > school.seats:
            problems.append(over_capacity(school.id, school.seats, len(taken), [p.id for p in taken[:10]]))


def _check_siblings_together(groups: dict[str, list[Placement]], problems: list[Message]) -> dict[int, Placement]:
    """Siblings are placed together; return the lead of each member (by id()), whose rank and choices the group moves with."""
    lead_of: dict[int, Placement] = {}
    for members in groups.values():
        lead = min(members, key=lambda m: m.evaluation.rank)
        for m in members:
            lead_of[id(m)] = lead
        if len({(m.status, m.school.id if m.school else None) for m in members}) != 1:
            problems.append(siblings_apart([f"{m.id} ({m.status} {m.school.id if m.school else '-'})" for m in members]))
    return lead_of


def _claim_rules(settings: model.Allocation, lead_of: dict[int, Placement]) -> tuple[Callable, Callable, Callable, Callable]:
    """How a claim to a school is judged: ``listed``, ``unit_rank``, ``batch`` and ``claim``.

    Sibling groups move as one, at the rank and with the choices of the best-ranked
    member: a member's unit rank, batch and claim are its lead's.
    """
    limit = settings.choices
    choice_first = settings.mechanism == "choice_first"

    def listed(p: Placement, pos: int | None) -> tuple[str, ...]:
        if pos is None:
            return ()
        values = p.evaluation.applicant.record[pos]
        return values[:limit] if limit else values

    def unit_rank(p: Placement) -> int:
        return lead_of.get(id(p), p).evaluation.rank

    def batch(p: Placement) -> float:
        b = lead_of.get(id(p), p).evaluation.batch
        return _LATE if b is None else b

    def claim(p: Placement, school_id: str, lists_pos: int | None) -> tuple:
        """The strength of p's claim to a school it listed: smaller is stronger."""
        if choice_first:
            options = listed(lead_of.get(id(p), p), lists_pos)
            return (batch(p), options.index(school_id) if school_id in options else _LATE, unit_rank(p))
        return (batch(p), unit_rank(p))

    return listed, unit_rank, batch, claim


def _check_rank_order_cut(groups: dict[str, list[Placement]], by_grade: dict[str, list[Any]], unit_rank: Callable, problems: list[Message]) -> None:
    """Qualification is a cut of the ranked list: the last qualified rank of each grade comes before the first not qualified.

    ``by_grade`` holds the bounds of those alone (:func:`_survey`); sibling groups are added here, at their lead's rank.
    """
    for members in groups.values():
        for m in members:
            if m.evaluation.failed:
                continue
            bounds = by_grade[m.evaluation.applicant.grade]
            rank = unit_rank(m)
            if m.status == NOT_QUALIFIED:
                if bounds[1] is None or rank < bounds[1]:
                    bounds[1] = rank
            elif bounds[0] is None or rank > bounds[0]:
                bounds[0] = rank
    for grade, (highest, lowest) in by_grade.items():
        if highest is not None and lowest is not None and highest > lowest:
            problems.append(cut_out_of_order(grade, lowest, highest))


class _Weakest(NamedTuple):
    """The weakest claim each school admitted, by route: what a refused applicant's claim is held against."""

    choice: dict[str, tuple[tuple, Placement]]
    clearing: dict[str, tuple[tuple, Placement]]
    late: dict[str, Placement]  # someone admitted after all main choices
    latest_batch: dict[str, tuple[float, Placement]]


def _weakest_admitted(admitted: dict[str, list[Placement]], choice_first: bool, batch: Callable, claim: Callable, positions: tuple) -> _Weakest:
    """Find, for each school, the weakest claim it admitted by each route."""
    choice_pos, clearing_pos, _ = positions
    weakest_choice: dict[str, tuple[tuple, Placement]] = {}
    weakest_clearing: dict[str, tuple[tuple, Placement]] = {}
    late: dict[str, Placement] = {}
    latest_batch: dict[str, tuple[float, Placement]] = {}
    for school_id, taken in admitted.items():
        for b in taken:
            alone = b.group is None
            if alone:  # its own batch and rank are its unit's: read them directly (most applicants)
                e = b.evaluation
                later = _LATE if e.batch is None else e.batch
            else:
                later = batch(b)
            if b.round.startswith("choice:"):
                c = (later, e.rank) if alone and not choice_first else claim(b, school_id, choice_pos)
                weakest = weakest_choice.get(school_id)
                if weakest is None or c > weakest[0]:
                    weakest_choice[school_id] = (c, b)
            else:
                late.setdefault(school_id, b)
                if b.round == "clearing":
                    c = claim(b, school_id, clearing_pos)
                    if school_id not in weakest_clearing or c > weakest_clearing[school_id][0]:
                        weakest_clearing[school_id] = (c, b)
            latest = latest_batch.get(school_id)
            if latest is None or later > latest[0]:
                latest_batch[school_id] = (later, b)
    return _Weakest(weakest_choice, weakest_clearing, late, latest_batch)


def _check_refusals(
    allocation: Allocation, admitted: dict[str, list[Placement]], weakest: _Weakest, listed: Callable, claim: Callable, positions: tuple, problems: list[Message]
) -> None:
    """No justified envy, and coordinated placement only as accepted: one pass, applicant by applicant.

    Nobody is refused a listed school that admitted a weaker claim (in the choices
    or in clearing) or someone of a later batch; nobody is placed by coordination
    without accepting it, or left unplaced after accepting it while their grade has a free seat.
    """
    settings = allocation.policy.allocation
    choice_pos, clearing_pos, accept_pos = positions
    choice_first = settings.mechanism == "choice_first"
    weakest_choice, weakest_clearing, late, latest_batch = weakest
    room_left: dict[str, str] = {}  # grade -> a school of that grade with a free seat
    for s in allocation.schools:
        if s.seats > len(admitted.get(s.id, [])):
            room_left.setdefault(s.grade, s.id)
    for p in allocation.placements:
        status = p.status
        if status != ADMITTED and status != UNPLACED:
            continue
        round_ = p.round
        record = p.evaluation.applicant.record
        if round_ == "coordinated" and accept_pos is not None and not record[accept_pos]:
            problems.append(coordinated_unasked(p.id))
        if p.group is not None:
            continue  # siblings need seats for all: exempt from the envy checks
        main = listed(p, choice_pos)
        above = main[: int(round_.split(":")[1]) - 1] if status == ADMITTED and round_.startswith("choice:") else main
        if above:
            # Not in a sibling group (see above): p's own batch and rank are its unit's.
            e = p.evaluation
            mine_batch = _LATE if e.batch is None else e.batch
            mine = (mine_batch, e.rank)  # points_first: the same claim to every school
            for school_id in above:
                if choice_first:
                    mine = claim(p, school_id, choice_pos)
                weakest = weakest_choice.get(school_id)
                if weakest is not None and weakest[0] > mine:
                    problems.append(refused_for_weaker(p.id, school_id, weakest[1].id))
                elif school_id in late:
                    problems.append(refused_for_later(p.id, school_id, late[school_id].id, late[school_id].round))
                latest = latest_batch.get(school_id)
                if latest is not None and latest[0] > mine_batch:
                    problems.append(lost_to_later_batch(p.id, p.evaluation.batch, school_id, latest[1].id))
        if status == UNPLACED or round_ == "clearing":
            options = listed(p, clearing_pos) if settings.clearing else ()
            taken_at = options.index(p.school.id) if round_ == "clearing" and p.school.id in options else len(options)
            for school_id in options[:taken_at]:
                mine = claim(p, school_id, clearing_pos)
                if school_id in weakest_clearing and weakest_clearing[school_id][0] > mine:
                    problems.append(refused_in_clearing(p.id, school_id, weakest_clearing[school_id][1].id))
        if status == UNPLACED and accept_pos is not None and record[accept_pos]:
            if p.evaluation.applicant.grade in room_left:
                problems.append(left_unplaced(p.id, room_left[p.evaluation.applicant.grade]))


# ------------------------------------------------------------------ the messages
# One function per broken promise, shared with the column checks (columns_verify),
# so that both say the same in every language.


def missing_from_result(ids: Sequence[str]) -> Message:
    return M("R0021", "applicants missing from the result: {ids}", ids=series(ids))


def more_than_once(ids: Sequence[str]) -> Message:
    return M("R0022", "applicants in the result more than once or not in the input: {ids}", ids=series(ids))


def over_capacity(school: str, seats: int, admitted: int, ids: Sequence[str]) -> Message:
    return M("R0023", "school {school} has {seats} seats but admitted {admitted}: {ids}", school=school, seats=seats, admitted=admitted, ids=series(ids))


def siblings_apart(members: Sequence[str]) -> Message:
    """``members``: each as ``id (status school)``."""
    return M("R0024", "siblings placed apart: {members}", members=series(members))


def cut_out_of_order(grade: str, lowest: int, highest: int) -> Message:
    return M("R0025", "grade {grade}: rank {lowest} is not qualified but rank {highest} is", grade=grade, lowest=lowest, highest=highest)


def coordinated_unasked(applicant: str) -> Message:
    return M("R0026", "{id} was placed by coordination without accepting it", id=applicant)


def refused_for_weaker(applicant: str, school: str, other: str) -> Message:
    return M("R0027", "{id} listed {school} but was refused while it admitted {other} with a weaker claim", id=applicant, school=school, other=other)


def refused_for_later(applicant: str, school: str, other: str, round_: str) -> Message:
    return M("R0028", "{id} listed {school} but was refused while it later admitted {other} by {round}", id=applicant, school=school, other=other, round=round_)


def lost_to_later_batch(applicant: str, batch: Any, school: str, other: str) -> Message:
    return M("R0029", "{id} (batch {batch}) lost a listed seat at {school} to {other} of a later batch", id=applicant, batch=str(batch), school=school, other=other)


def refused_in_clearing(applicant: str, school: str, other: str) -> Message:
    return M("R0030", "{id} chose {school} in clearing but was refused while it admitted {other} with a weaker claim", id=applicant, school=school, other=other)


def left_unplaced(applicant: str, school: str) -> Message:
    return M("R0031", "{id} accepted coordinated placement but was left unplaced while {school} had a free seat", id=applicant, school=school)
