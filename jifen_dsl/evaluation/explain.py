"""Explain one applicant's outcome in the policy's own language.

Each requirement with the values it read, pass or fail and the clause it cites;
the points breakdown; the batch and the rank, and for each neighbour in the
ranking with equal points, which key of the tie-break chain decided between them.
"""

from __future__ import annotations

from typing import Any, Sequence

from jifen_dsl.lang import ir, model
from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.evaluation.evaluator import Evaluation
from jifen_dsl.evaluation.ranking import deciding_key, key_parts
from jifen_dsl.evaluation.report import requirement_values
from jifen_dsl.timeline.schedule import Window
from jifen_dsl.data.values import format_value

__all__ = ["explain", "TEXT"]

TEXT = {
    "en": {
        "applicant": "Applicant {id} · grade {grade} · {title}",
        "requirements": "Requirements",
        "cite": "[{cite}]",
        "missing": "(missing)",
        "missing_value": "fails because {name} is missing",
        "eligible": "Result: eligible",
        "ineligible": "Result: NOT eligible - {n} requirement(s) failed: {names}",
        "points": "Points",
        "indicator": "{title}: {score}",
        "capped": " (capped at {cap})",
        "evidence": "evidence of {name}: {items}",
        "evidence_window": "evidence of {name}, counted from {low} to {high}: {items}",
        "evidence_item": "{day} {value} {mark}",
        "total_field": "total (verified, read from the application): {total}",
        "total_sum": "total (sum of the indicators, never below 0): {total}",
        "batch": "Batch: {batch}",
        "no_batch": "none",
        "batch_not_applicable": "Batch and rank: not ranked, since the applicant is not eligible",
        "rank": "Rank: {rank} of {count} eligible applicants in grade {grade}",
        "order": "Order: batch, then points (highest first), then {chain}",
        "ties": "Neighbours with equal points:",
        "tie_above": "{id} (rank {rank}) comes first: {key} is {theirs} there, {ours} here",
        "tie_below": "{id} (rank {rank}) comes after: {key} is {ours} here, {theirs} there",
        "no_ties": "No neighbour in the ranking has equal points.",
        "values_sep": "; ",
        "window": "{start} to {end}",
        "window_until": "until {end}",
        "list_sep": ", ",
        "asc": "ascending",
        "desc": "descending",
        "pass": "✓",
        "fail": "✗",
    },
    "zh": {
        "applicant": "申请编号 {id} · {grade} · {title}",
        "requirements": "申请条件",
        "cite": "〔依据：{cite}〕",
        "missing": "（未填写）",
        "missing_value": "因“{name}”未填写而不满足",
        "eligible": "结论：符合申请条件",
        "ineligible": "结论：不符合申请条件，{n} 项条件未满足：{names}",
        "points": "积分",
        "indicator": "{title}：{score}",
        "capped": "（上限 {cap}）",
        "evidence": "{name}材料：{items}",
        "evidence_window": "{name}材料（计 {low} 至 {high} 的）：{items}",
        "evidence_item": "{day} {value} {mark}",
        "total_field": "总分（核定积分，取自申请数据）：{total}",
        "total_sum": "总分（各项指标之和，不低于0）：{total}",
        "batch": "批次：{batch}",
        "no_batch": "无",
        "batch_not_applicable": "批次与排名：不符合申请条件，不参加排名",
        "rank": "排名：{grade} 符合条件的 {count} 人中第 {rank} 名",
        "order": "排序规则：先批次，再积分（高者在前），再 {chain}",
        "ties": "同分的相邻申请人：",
        "tie_above": "{id}（第 {rank} 名）排在本人之前：{key} 对方 {theirs}，本人 {ours}",
        "tie_below": "{id}（第 {rank} 名）排在本人之后：{key} 本人 {ours}，对方 {theirs}",
        "no_ties": "排名相邻者中没有同分的申请人。",
        "values_sep": "；",
        "window": "{start} 至 {end}",
        "window_until": "截至 {end}",
        "list_sep": "、",
        "asc": "升序",
        "desc": "降序",
        "pass": "✓",
        "fail": "✗",
    },
}


def _value(value: Any, t: dict[str, str], policy: model.Policy, name: str | None = None) -> str:
    """A value as the policy's readers write it: in a Chinese policy, 是/否 and enum labels."""
    if value is None:
        return t["missing"]
    if isinstance(value, Window):
        start = format_value(value.start) if value.start is not None else None
        end = format_value(value.end)
        return t["window"].format(start=start, end=end) if start else t["window_until"].format(end=end)
    if policy.language == "zh":
        if isinstance(value, bool):
            return "是" if value else "否"
        if name is not None:
            for f in policy.fields:
                if name in (f.name, f.label) and f.type.kind == "enum":
                    for alias, member in f.type.aliases:
                        if member == value:
                            return alias
    return format_value(value)


def _display_name(policy: model.Policy, name: str) -> str:
    """A field's label in a Chinese policy, its name otherwise; definitions keep their names."""
    for f in policy.fields:
        if f.name == name:
            return f.display(policy.language)
    return name


def _grade_label(policy: model.Policy, grade: str) -> str:
    if policy.language != "zh":
        return grade
    grade_type = policy.field(model.GRADE_FIELD).type
    for alias, member in grade_type.aliases:
        if member == grade:
            return alias
    return grade


def explain(compiled: CompiledPolicy, evaluations: Sequence[Evaluation], applicant_id: str, *, ranked_in_grade: int | None = None) -> str:
    """A readable account of one applicant's outcome; ``evaluations`` is the whole cohort.

    Of the cohort, only the applicant and its neighbours in the ranking (rank one
    above and one below, in its grade) are read: a caller may give just those,
    with ``ranked_in_grade``, the number of eligible applicants in the grade.
    """
    policy = compiled.policy
    t = TEXT["zh" if policy.language == "zh" else "en"]
    target = next(e for e in evaluations if e.id == applicant_id)
    lines: list[str] = [
        t["applicant"].format(id=target.id, grade=_grade_label(policy, target.grade), title=policy.header.title),
        "",
        t["requirements"],
    ]
    definitions = compiled.definitions(target.applicant.record)
    failed = set(target.failed)
    missing = dict(target.missing)
    applicable = [r for r in policy.requirements if r.grade is None or r.grade == target.grade]
    for req in applicable:
        mark = t["fail"] if req.index in failed else t["pass"]
        cite = " " + t["cite"].format(cite=req.cite) if req.cite else ""
        lines.append(f"  {mark} {req.name} - {req.title}{cite}")
        used = requirement_values(compiled, target, req, definitions)
        if used:
            lines.append("      " + t["values_sep"].join(f"{name} = {_value(value, t, policy, name)}" for name, value in used))
        if req.index in missing:
            lines.append("      " + t["missing_value"].format(name=_display_name(policy, missing[req.index])))
    if target.eligible:
        lines.append(t["eligible"])
    else:
        names = t["list_sep"].join(policy.requirements[i].name for i in target.failed)
        lines.append(t["ineligible"].format(n=len(target.failed), names=names))

    lines += ["", t["points"]]
    for ind in policy.points.indicators:
        text = "  " + t["indicator"].format(title=ind.title, score=format_value(target.scores[ind.index]))
        if ind.cap is not None and target.scores[ind.index] == ind.cap.value:
            text += t["capped"].format(cap=format_value(ind.cap.value))
        lines.append(text)
        lines += _evidence_lines(policy, ind, target, t)
    total_key = "total_field" if policy.points.total is not None else "total_sum"
    lines.append("  " + t[total_key].format(total=format_value(target.points)))

    lines.append("")
    if not target.eligible:
        lines.append(t["batch_not_applicable"])
        return "\n".join(lines) + "\n"
    if policy.batches:
        batch = policy.batches[target.batch].title if target.batch is not None else t["no_batch"]
        lines.append(t["batch"].format(batch=batch))
    same_grade = [e for e in evaluations if e.eligible and e.grade == target.grade]
    by_rank = {e.rank: e for e in same_grade}  # ranks are the places in the grade's order, 1 to n
    count = ranked_in_grade if ranked_in_grade is not None else len(same_grade)
    lines.append(t["rank"].format(rank=target.rank, count=count, grade=_grade_label(policy, target.grade)))
    parts = key_parts(policy)
    chain = t["list_sep"].join(f"{p.label} {t['desc'] if p.descending else t['asc']}" for p in parts[2:])
    lines.append(t["order"].format(chain=chain))
    ties = []
    for neighbour_rank in (target.rank - 1, target.rank + 1):
        other = by_rank.get(neighbour_rank)
        if other is None:
            continue
        if other.batch != target.batch or other.points != target.points:
            continue
        decided = deciding_key(parts, other, target)
        if decided is None:  # pragma: no cover - the chain is total
            continue
        part, theirs, ours = decided
        key = t["tie_above"] if neighbour_rank < target.rank else t["tie_below"]
        ties.append("  " + key.format(id=other.id, rank=other.rank, key=part.label, theirs=_key_value(part, theirs), ours=_key_value(part, ours)))
    if ties:
        lines.append(t["ties"])
        lines += ties
    else:
        lines.append(t["no_ties"])
    return "\n".join(lines) + "\n"


def _evidence_lines(policy: model.Policy, indicator: model.Indicator, target: Evaluation, t: dict[str, str]) -> list[str]:
    """The applicant's evidence items an indicator reads, each marked counted or not when its window is fixed."""
    lines = []
    for node in ir.walk(indicator.formula):
        if not (isinstance(node, ir.Apply) and node.op in ("evidence_sum", "evidence_total")):
            continue
        items = target.applicant.record[len(policy.read_fields) + node.args[0].slot]
        if not items:
            continue
        bounds = node.args[1:]
        fixed = all(isinstance(b, ir.Const) for b in bounds)
        shown = []
        for day, value in items:
            counted = not bounds or (fixed and bounds[0].value <= day <= bounds[1].value)
            mark = t["pass"] if counted else (t["fail"] if fixed else "")
            shown.append(t["evidence_item"].format(day=format_value(day), value=format_value(value), mark=mark).rstrip())
        name = node.args[0].name
        if bounds and fixed:
            text = t["evidence_window"].format(name=name, low=format_value(bounds[0].value), high=format_value(bounds[1].value), items=t["values_sep"].join(shown))
        else:
            text = t["evidence"].format(name=name, items=t["values_sep"].join(shown))
        lines.append("      " + text)
    return lines


def _key_value(part, value: Any) -> str:
    if part.kind == "lottery":
        return value.hex()[:12]
    return format_value(value)
