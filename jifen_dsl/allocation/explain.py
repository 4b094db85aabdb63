"""Explain how one applicant's seat, or none, came about, in the policy's own language.

From an allocation made with ``trace=True``: qualification, each choice tried and
why it was full (with the school's cut-off), coordination and clearing.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.allocation.allocator import ADMITTED, INELIGIBLE, NOT_QUALIFIED, UNPLACED
from jifen_dsl.data.values import format_value

__all__ = ["explain_allocation"]

ALLOCATION_TEXT = {
    "en": {
        "title": "Seat allocation",
        "admitted": "Result: admitted to {school} ({name}) through {round}",
        "unplaced": "Result: not placed",
        "not_qualified": "Result: not qualified - rank {rank}; the grade's {seats} seats went to higher ranks",
        "ineligible": "Result: not eligible, so not placed",
        "round_choice": "choice {k}",
        "round_coordinated": "coordinated placement",
        "round_clearing": "the clearing round",
        "group": "Placed as one with siblings {ids}, at the rank of {lead}",
        "choices": "choice",
        "clearing": "clearing choice",
        "taken": "  {label} {k}: {school} - a seat was free when this applicant's turn came: admitted",
        "full": "  {label} {k}: {school} - full when this applicant's turn came ({free} free{need}); cut-off {cutoff}",
        "need": ", {size} needed for the siblings",
        "no_cutoff": "none admitted through choices",
        "coordinated_file_order": "  coordinated placement: {school}, the first school in the schools file with room",
        "coordinated_most_free_seats": "  coordinated placement: {school}, the school with the most free seats",
        "declined": "  coordinated placement: not accepted, so not placed",
        "siblings_unplaced": "  coordinated placement: the siblings could not be placed together in a listed school, and the policy leaves them unplaced together",
        "no_room": "  coordinated placement: no school of the grade had room left",
        "no_choices": "  no choices were listed",
    },
    "zh": {
        "title": "学位安排",
        "admitted": "结果：录取到 {school}（{name}），方式：{round}",
        "unplaced": "结果：未录取",
        "not_qualified": "结果：未获得入学资格，排名第 {rank} 名，本年级 {seats} 个学位已由排名在前者获得",
        "ineligible": "结果：不符合申请条件，不参加学位安排",
        "round_choice": "第{k}志愿",
        "round_coordinated": "统筹安排",
        "round_clearing": "补录",
        "group": "与多胞胎 {ids} 一并安排，按 {lead} 的排名",
        "choices": "志愿",
        "clearing": "补录志愿",
        "taken": "  {label}{k}：{school}，轮到本人时尚有学位：录取",
        "full": "  {label}{k}：{school}，轮到本人时学位已满（剩余 {free} 个{need}）；最低录取积分 {cutoff}",
        "need": "，多胞胎需要 {size} 个",
        "no_cutoff": "无（无人经志愿录取）",
        "coordinated_file_order": "  统筹安排：{school}（按学校名单顺序第一所有空余学位的学校）",
        "coordinated_most_free_seats": "  统筹安排：{school}（空余学位最多的学校）",
        "declined": "  统筹安排：不同意统筹安排，不予录取",
        "siblings_unplaced": "  统筹安排：多胞胎无法在所填志愿学校一并录取，按政策一并不予录取",
        "no_room": "  统筹安排：本年级已无空余学位",
        "no_choices": "  未填报志愿",
    },
}


def explain_allocation(allocation, applicant_id: str) -> str:
    """How one applicant's seat, or none, came about (from an allocation made with trace=True)."""
    policy = allocation.policy
    t = ALLOCATION_TEXT["zh" if policy.language == "zh" else "en"]
    target = next(p for p in allocation.placements if p.id == applicant_id)
    schools = {s.id: s for s in allocation.schools}
    cutoffs: dict[str, Any] = {}
    for p in allocation.placements:
        if p.status == ADMITTED and p.round.startswith("choice:"):
            current = cutoffs.get(p.school.id)
            cutoffs[p.school.id] = p.evaluation.points if current is None else min(current, p.evaluation.points)
    lines = [t["title"]]
    if target.status == INELIGIBLE:
        lines.append(t["ineligible"])
        return "\n".join(lines) + "\n"
    if target.group is not None:
        members = sorted((p for p in allocation.placements if p.group == target.group and p.evaluation.grade == target.evaluation.grade), key=lambda p: p.evaluation.rank)
        lines.append(t["group"].format(ids=t.get("list_sep", ", ").join(m.id for m in members if m is not target) or "-", lead=members[0].id))
    if target.status == NOT_QUALIFIED:
        seats = sum(s.seats for s in allocation.schools if s.grade == target.evaluation.grade)
        lines.append(t["not_qualified"].format(rank=target.evaluation.rank, seats=seats))
        return "\n".join(lines) + "\n"
    for event in target.attempts or ():
        kind = event[0]
        if kind in ("taken", "full"):
            _, lists, k, school_id, *rest = event
            label = t["choices"] if lists == "choices" else t["clearing"]
            school = f"{school_id} {schools[school_id].name}".strip()
            if kind == "taken":
                lines.append(t["taken"].format(label=label, k=k + 1, school=school))
            else:
                size = len([p for p in allocation.placements if p.group is not None and p.group == target.group and p.evaluation.grade == target.evaluation.grade]) if target.group else 1
                cutoff = format_value(cutoffs[school_id]) if school_id in cutoffs else t["no_cutoff"]
                need = t["need"].format(size=size) if size > 1 else ""
                lines.append(t["full"].format(label=label, k=k + 1, school=school, free=rest[0], need=need, cutoff=cutoff))
        elif kind == "coordinated":
            school = f"{event[1]} {schools[event[1]].name}".strip()
            lines.append(t[f"coordinated_{policy.allocation.coordination}"].format(school=school))
        elif kind == "not_coordinated":
            lines.append(t[event[1]])
    if not target.attempts and target.status == UNPLACED:
        lines.append(t["no_choices"])
    if target.status == ADMITTED:
        if target.round.startswith("choice:"):
            how = t["round_choice"].format(k=target.round.split(":")[1])
        else:
            how = t[f"round_{target.round}"]
        lines.append(t["admitted"].format(school=target.school.id, name=target.school.name, round=how))
    else:
        lines.append(t["unplaced"])
    return "\n".join(lines) + "\n"
