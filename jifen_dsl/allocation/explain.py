"""Explain how one applicant's seat, or none, came about, in the policy's own language (or the one asked for).

From an allocation made with ``trace=True``: qualification, each choice tried and
why it was full (with the school's cut-off), coordination and clearing.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.allocation.allocator import ADMITTED, INELIGIBLE, NOT_QUALIFIED, UNPLACED
from jifen_dsl.data.values import format_value
from jifen_dsl.evaluation.language import language_of
from jifen_dsl.messages import Message, T, render, series

__all__ = ["explain_allocation"]

_COORDINATED = {
    "file_order": T("coordinated placement: {school}, the first school in the schools file with room"),
    "most_free_seats": T("coordinated placement: {school}, the school with the most free seats"),
}
_NOT_COORDINATED = {
    "declined": T("coordinated placement: not accepted, so not placed"),
    "siblings_unplaced": T("coordinated placement: the siblings could not be placed together in a listed school, and the policy leaves them unplaced together"),
    "no_room": T("coordinated placement: no school of the grade had room left"),
}
_ROUNDS = {"coordinated": T("coordinated placement"), "clearing": T("the clearing round")}


def explain_allocation(allocation, applicant_id: str) -> str:
    """How one applicant's seat, or none, came about (from an allocation made with trace=True).

    Told in the language asked for (``--lang``), else the policy's.
    """
    policy = allocation.policy
    lang = language_of(policy)
    target = next(p for p in allocation.placements if p.id == applicant_id)
    schools = {s.id: s for s in allocation.schools}
    cutoffs: dict[str, Any] = {}
    for p in allocation.placements:
        if p.status == ADMITTED and p.round.startswith("choice:"):
            current = cutoffs.get(p.school.id)
            cutoffs[p.school.id] = p.evaluation.points if current is None else min(current, p.evaluation.points)
    lines: list[Message | str] = [T("Seat allocation")]
    if target.status == INELIGIBLE:
        lines.append(T("Result: not eligible, so not placed"))
        return _joined(lines, lang)
    if target.group is not None:
        members = sorted((p for p in allocation.placements if p.group == target.group and p.evaluation.grade == target.evaluation.grade), key=lambda p: p.evaluation.rank)
        others = [m.id for m in members if m is not target]
        lines.append(T("Placed as one with siblings {ids}, at the rank of {lead}", ids=series(others) if others else "-", lead=members[0].id))
    if target.status == NOT_QUALIFIED:
        seats = sum(s.seats for s in allocation.schools if s.grade == target.evaluation.grade)
        lines.append(T("Result: not qualified - rank {rank}; the grade's {seats} seats went to higher ranks", rank=target.evaluation.rank, seats=seats))
        return _joined(lines, lang)
    for event in target.attempts or ():
        kind = event[0]
        if kind in ("taken", "full"):
            _, lists, k, school_id, *rest = event
            label = T("choice") if lists == "choices" else T("clearing choice")
            school = f"{school_id} {schools[school_id].name}".strip()
            if kind == "taken":
                line = T("{label} {k}: {school} - a seat was free when this applicant's turn came: admitted", label=label, k=k + 1, school=school)
            else:
                size = len([p for p in allocation.placements if p.group is not None and p.group == target.group and p.evaluation.grade == target.evaluation.grade]) if target.group else 1
                cutoff = format_value(cutoffs[school_id]) if school_id in cutoffs else T("none admitted through choices")
                need = T(", {size} needed for the siblings", size=size) if size > 1 else ""
                line = T(
                    "{label} {k}: {school} - full when this applicant's turn came ({free} free{need}); cut-off {cutoff}",
                    label=label, k=k + 1, school=school, free=rest[0], need=need, cutoff=cutoff,
                )
            lines.append("  " + render(line, lang))
        elif kind == "coordinated":
            school = f"{event[1]} {schools[event[1]].name}".strip()
            lines.append("  " + render(_COORDINATED[policy.allocation.coordination].with_args(school=school), lang))
        elif kind == "not_coordinated":
            lines.append("  " + render(_NOT_COORDINATED[event[1]], lang))
    if not target.attempts and target.status == UNPLACED:
        lines.append("  " + render(T("no choices were listed"), lang))
    if target.status == ADMITTED:
        if target.round.startswith("choice:"):
            how = T("choice {k}", k=target.round.split(":")[1])
        else:
            how = _ROUNDS[target.round]
        lines.append(T("Result: admitted to {school} ({name}) through {round}", school=target.school.id, name=target.school.name, round=how))
    else:
        lines.append(T("Result: not placed"))
    return _joined(lines, lang)


def _joined(lines: list[Message | str], lang: str) -> str:
    return "\n".join(render(line, lang) for line in lines) + "\n"
