"""Explain one applicant's outcome in the policy's own language (or the one asked for).

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
from jifen_dsl.evaluation.language import language_of, one_after_another
from jifen_dsl.messages import Message, T, render, series

__all__ = ["explain"]


def _value(value: Any, lang: str, policy: model.Policy, name: str | None = None) -> Message | str:
    """A value as the account's readers write it: in Chinese, 是/否 and the enum labels of a Chinese policy."""
    if value is None:
        return T("(missing)")
    if isinstance(value, Window):
        end = format_value(value.end)
        if value.start is None:
            return T("until {end}", end=end)
        return T("{start} to {end}", start=format_value(value.start), end=end)
    if isinstance(value, bool):
        return T("true") if value else T("false")
    if lang == "zh" and name is not None:
        for f in policy.fields:
            if name in (f.name, f.label) and f.type.kind == "enum":
                for alias, member in f.type.aliases:
                    if member == value:
                        return alias
    return format_value(value)


def _display_name(policy: model.Policy, name: str, lang: str) -> str:
    """A field's label in a Chinese account, its name otherwise; definitions keep their names."""
    for f in policy.fields:
        if f.name == name:
            return f.display(lang)
    return name


def _grade_label(policy: model.Policy, grade: str, lang: str) -> str:
    if lang != "zh":
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
    The account is told in the language asked for (``--lang``), else the policy's.
    """
    policy = compiled.policy
    lang = language_of(policy)
    target = next(e for e in evaluations if e.id == applicant_id)
    grade = _grade_label(policy, target.grade, lang)
    lines: list[Message | str] = [
        T("Applicant {id} · grade {grade} · {title}", id=target.id, grade=grade, title=policy.header.title),
        "",
        T("Requirements"),
    ]
    definitions = compiled.definitions(target.applicant.record)
    failed = set(target.failed)
    missing = dict(target.missing)
    applicable = [r for r in policy.requirements if r.grade is None or r.grade == target.grade]
    for req in applicable:
        mark = _FAIL if req.index in failed else _PASS
        line = f"  {mark} {req.name} - {req.title}"
        if req.cite:
            line += " " + render(T("[{cite}]", cite=req.cite), lang)
        lines.append(line)
        used = requirement_values(compiled, target, req, definitions)
        if used:
            lines.append("      " + render(one_after_another([f"{name} = {render(_value(value, lang, policy, name), lang)}" for name, value in used]), lang))
        if req.index in missing:
            lines.append("      " + render(T("fails because {name} is missing", name=_display_name(policy, missing[req.index], lang)), lang))
    if target.eligible:
        lines.append(T("Result: eligible"))
    else:
        names = series([policy.requirements[i].name for i in target.failed])
        lines.append(T("Result: NOT eligible - {count} requirement(s) failed: {names}", count=len(target.failed), names=names))

    lines += ["", T("Points")]
    for ind in policy.points.indicators:
        score = format_value(target.scores[ind.index])
        if ind.cap is not None and target.scores[ind.index] == ind.cap.value:
            lines.append("  " + render(T("{title}: {score} (capped at {cap})", title=ind.title, score=score, cap=format_value(ind.cap.value)), lang))
        else:
            lines.append("  " + render(T("{title}: {score}", title=ind.title, score=score), lang))
        lines += _evidence_lines(policy, ind, target, lang)
    total = format_value(target.points)
    if policy.points.total is not None:
        lines.append("  " + render(T("total (verified, read from the application): {total}", total=total), lang))
    else:
        lines.append("  " + render(T("total (sum of the indicators, never below 0): {total}", total=total), lang))

    lines.append("")
    if not target.eligible:
        lines.append(T("Batch and rank: not ranked, since the applicant is not eligible"))
        return _joined(lines, lang)
    if policy.batches:
        batch = policy.batches[target.batch].title if target.batch is not None else T("none")
        lines.append(T("Batch: {batch}", batch=batch))
    same_grade = [e for e in evaluations if e.eligible and e.grade == target.grade]
    by_rank = {e.rank: e for e in same_grade}  # ranks are the places in the grade's order, 1 to n
    count = ranked_in_grade if ranked_in_grade is not None else len(same_grade)
    lines.append(T("Rank: {rank} of {count} eligible applicants in grade {grade}", rank=target.rank, count=count, grade=grade))
    parts = key_parts(policy)
    chain = series([T("{key} descending", key=p.label) if p.descending else T("{key} ascending", key=p.label) for p in parts[2:]])
    lines.append(T("Order: batch, then points (highest first), then {chain}", chain=chain))
    ties: list[str] = []
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
        values = dict(id=other.id, rank=other.rank, key=part.label, theirs=_key_value(part, theirs), ours=_key_value(part, ours))
        if neighbour_rank < target.rank:
            tie = T("{id} (rank {rank}) comes first: {key} is {theirs} there, {ours} here", **values)
        else:
            tie = T("{id} (rank {rank}) comes after: {key} is {ours} here, {theirs} there", **values)
        ties.append("  " + render(tie, lang))
    if ties:
        lines.append(T("Neighbours with equal points:"))
        lines += ties
    else:
        lines.append(T("No neighbour in the ranking has equal points."))
    return _joined(lines, lang)


_PASS = "✓"
_FAIL = "✗"


def _joined(lines: list[Message | str], lang: str) -> str:
    return "\n".join(render(line, lang) for line in lines) + "\n"


def _evidence_lines(policy: model.Policy, indicator: model.Indicator, target: Evaluation, lang: str) -> list[str]:
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
            mark = _PASS if counted else (_FAIL if fixed else "")
            shown.append(f"{format_value(day)} {format_value(value)} {mark}".rstrip())
        name = node.args[0].name
        listed = one_after_another(shown)
        if bounds and fixed:
            text = T("evidence of {name}, counted from {low} to {high}: {items}", name=name, low=format_value(bounds[0].value), high=format_value(bounds[1].value), items=listed)
        else:
            text = T("evidence of {name}: {items}", name=name, items=listed)
        lines.append("      " + render(text, lang))
    return lines


def _key_value(part, value: Any) -> str:
    if part.kind == "lottery":
        return value.hex()[:12]
    return format_value(value)
