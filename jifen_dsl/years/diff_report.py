"""The year-over-year reports: the clause diff and the cohort impact, as text, JSON or CSV.

Text labels follow the new policy's language (English or Chinese); JSON keys and
CSV columns are English and stable (docs/years.md lists them).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from jifen_dsl.years.diff import Change, Side
from jifen_dsl.years.impact import ASPECTS, Affected, Impact, Outcome
from jifen_dsl.data.tables import csv_text, text_table
from jifen_dsl.lang.unparsing.unparse import keyword

__all__ = ["format_diff", "format_impact", "diff_records", "impact_records", "FORMATS"]

FORMATS = ("text", "json", "csv")

_LABELS = {
    "en": {
        "added": "added", "removed": "removed", "changed": "changed", "moved": "moved with the year",
        "parameter": "parameter", "changes": "changes", "no_changes": "no changes: the two policies say the same",
        "of_them_moved": "{n} of them only moved with the year", "every grade": "every grade",
        "header": "header", "field": "field", "definition": "definition", "requirement": "requirement", "grade": "grade",
        "points total": "points total", "indicator": "indicator", "batch": "batch", "tiebreak": "tiebreak",
        "allocation": "allocation", "subsidy rate": "subsidy rate", "semesters per year": "semesters per year",
        "phase": "phase", "verification": "verification", "makeup days": "makeup days", "publication": "publication",
        "citation": "section citation", "calendar": "calendar", "indicator order": "indicator order",
        "batch order": "batch order", "section": "section",
        "impact": "Impact on {cohort} ({n} applicants) of {old} -> {new}, compared in {year}",
        "moved_note": "{path} moved {direction} {n} year{s}", "forward": "forward", "back": "back",
        "run": "changes, each run alone on the old policy:", "wording": "wording only, not run",
        "not_run": "cannot be run alone", "summary": "summary", "nobody": "nobody's outcome changes",
        "combination": "a combination of changes", "none": "none",
        "columns": ("id", "grade", "eligible", "failed", "batch", "rank", "status", "school", "because of"),
        "counts": {
            "applicants": "applicants", "affected": "affected", "gain_eligibility": "gain eligibility",
            "lose_eligibility": "lose eligibility", "change_failed": "fail other requirements", "change_batch": "change batch",
            "change_rank": "change rank", "gain_place": "gain a place", "lose_place": "lose their place",
            "change_school": "change school",
        },
    },
    "zh": {
        "added": "新增", "removed": "删除", "changed": "修改", "moved": "随年度顺延",
        "parameter": "参数", "changes": "处变化", "no_changes": "无变化：两个政策内容相同",
        "of_them_moved": "其中 {n} 处仅为日期随年度顺延", "every grade": "各年级",
        "header": "政策信息", "field": "字段", "definition": "定义", "requirement": "要求", "grade": "年级",
        "points total": "总分", "indicator": "指标", "batch": "批", "tiebreak": "同分排序",
        "allocation": "学位分配", "subsidy rate": "补助标准", "semesters per year": "每年学期数",
        "phase": "阶段", "verification": "积分核定", "makeup days": "调休上班日", "publication": "公示",
        "citation": "章节依据", "calendar": "日历", "indicator order": "指标顺序", "batch order": "批次顺序", "section": "章节",
        "impact": "{old} -> {new} 对 {cohort}（{n} 名申请人）的影响，按 {year} 年度比较",
        "moved_note": "{path} {direction} {n} 年", "forward": "顺延", "back": "提前",
        "run": "各处变化（逐一单独施加于旧政策）：", "wording": "仅文字修改，未运行",
        "not_run": "无法单独运行", "summary": "汇总", "nobody": "没有申请人的结果发生变化",
        "combination": "多处变化共同导致", "none": "无",
        "columns": ("申请编号", "年级", "合格", "未满足要求", "批次", "排名", "状态", "学校", "原因"),
        "counts": {
            "applicants": "申请人", "affected": "受影响", "gain_eligibility": "变为合格", "lose_eligibility": "变为不合格",
            "change_failed": "未满足的要求改变", "change_batch": "批次改变", "change_rank": "排名改变",
            "gain_place": "获得学位", "lose_place": "失去学位", "change_school": "学校改变",
        },
    },
}
_ASPECT_ZH = {
    "title": "标题", "cite": "依据", "condition": "条件", "grade": "年级", "label": "标签", "type": "类型",
    "unique": "唯一", "optional": "可选", "default": "默认值", "value": "内容", "stage": "学段", "formula": "公式",
    "cap": "上限", "window": "时间", "follows the phase before": "随后", "order": "顺序", "conditions (any of)": "条件数（满足其一）",
    "conditions (all of)": "条件数（全部满足）", "condition taken out": "去掉的条件", "condition put in": "加入的条件",
    "year": "年度", "as_of": "基准日", "district": "区", "source": "来源",
}


def _labels(language: str) -> dict[str, Any]:
    return _LABELS.get(language, _LABELS["en"])


def _aspect(name: str, language: str) -> str:
    return _ASPECT_ZH.get(name, name) if language == "zh" else name


def _side(side: Side) -> dict[str, Any]:
    header = side.policy.header
    return {"path": side.path, "district": header.district, "year": header.year, "language": header.language}


# ------------------------------------------------------------------ the diff


def diff_records(a: Side, b: Side, changes: Sequence[Change]) -> dict[str, Any]:
    """The diff as JSON-ready data (keys documented in docs/years.md)."""
    return {
        "old": _side(a),
        "new": _side(b),
        "changes": [_change_record(c) for c in changes],
    }


def _change_record(c: Change) -> dict[str, Any]:
    return {
        "id": c.id,
        "clause": c.clause,
        "name": c.name,
        "change": c.change,
        "grade": c.grade,
        "moved_with_year": c.moved_with_year,
        "wording_only": c.wording_only,
        "old": c.old,
        "new": c.new,
        "aspects": [{"aspect": s.name, "old": s.old, "new": s.new} for s in c.aspects],
        "parameters": [{"subject": p.subject, "old": p.old, "new": p.new} for p in c.parameters],
    }


_UNNAMED = ("tiebreak", "indicator order", "batch order", "points total", "verification", "makeup days", "semesters per year", "calendar")


def _shown_name(c: Change, language: str) -> str:
    """The clause's name as the report shows it: keywords (a rate, a setting) in the report's language."""
    if c.clause == "header":
        return _aspect(c.name, language)
    if c.clause in ("subsidy rate", "allocation", "publication", "citation", "section"):
        return " ".join(keyword(w, language) for w in c.name.split())
    return c.name


def _title(c: Change, language: str) -> str:
    labels = _labels(language)
    clause = labels.get(c.clause, c.clause)
    name = "" if c.clause in _UNNAMED else f" {_shown_name(c, language)}"
    grade = f" ({c.grade})" if c.grade else ""
    return f"{clause}{name}{grade}"


def _block(sign: str, text: str | None, indent: str) -> list[str]:
    return [f"{indent}{sign} {line}" for line in (text or "").splitlines()]


def _change_lines(c: Change, language: str) -> list[str]:
    labels = _labels(language)
    sep = "：" if language == "zh" else ": "
    moved = (f" ({labels['moved']})" if language != "zh" else f"（{labels['moved']}）") if c.moved_with_year else ""
    if c.clause == "header":
        return [f"{_title(c, language)}{sep}{c.old} -> {c.new}{moved}"]
    lines = [f"{_title(c, language)}{sep}{labels[c.change]}{moved}"]
    if c.change == "added":
        return lines + _block("+", c.new, "  ")
    if c.change == "removed":
        return lines + _block("-", c.old, "  ")
    for aspect in c.aspects:
        if aspect.name == "value" and c.parameters and "\n" not in (aspect.old or "") + (aspect.new or ""):
            continue  # a one-line setting or rate: its parameter line says it all
        name = _aspect(aspect.name, language)
        multiline = "\n" in (aspect.old or "") or "\n" in (aspect.new or "") or aspect.name in ("condition", "value", "formula")
        if aspect.new is None and aspect.old is not None and aspect.name != "value":
            lines.append(f"  {name}{sep}{aspect.old}")
        elif aspect.old is None and aspect.new is not None and aspect.name != "value":
            lines.append(f"  {name}{sep}{aspect.new}")
        elif multiline:
            lines.append(f"  {name}{sep.rstrip()}")
            lines += _block("-", aspect.old, "    ") + _block("+", aspect.new, "    ")
        else:
            lines.append(f"  {name}{sep}{aspect.old if aspect.old is not None else '-'} -> {aspect.new if aspect.new is not None else '-'}")
    if c.clause != "header":
        for p in c.parameters:
            subject = f"{p.subject} " if p.subject else ""
            lines.append(f"  {labels['parameter']}{sep}{subject}{p.old} -> {p.new}")
    return lines


def format_diff(a: Side, b: Side, changes: Sequence[Change], fmt: str) -> str:
    """The clause diff as text (labels in the new policy's language), JSON or CSV."""
    if fmt == "json":
        return json.dumps(diff_records(a, b, changes), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        header = ["id", "clause", "name", "change", "grade", "moved_with_year", "wording_only", "old", "new", "parameters"]
        rows = [
            [c.id, c.clause, c.name, c.change, c.grade or "", str(c.moved_with_year).lower(), str(c.wording_only).lower(),
             c.old or "", c.new or "", "; ".join(f"{p.subject} {p.old} -> {p.new}".strip() for p in c.parameters)]
            for c in changes
        ]
        return csv_text(header, rows)
    language = b.language
    labels = _labels(language)
    ha, hb = a.policy.header, b.policy.header
    head = f"{a.path} ({ha.district} {ha.year}) -> {b.path} ({hb.district} {hb.year})"
    if not changes:
        return f"{head}: {labels['no_changes']}\n"
    moved = sum(1 for c in changes if c.moved_with_year)
    if language == "zh":
        head += f"：共 {len(changes)} {labels['changes']}" + (f"，{labels['of_them_moved'].format(n=moved)}" if moved else "")
    else:
        head += f": {len(changes)} {labels['changes']}" + (f", {labels['of_them_moved'].format(n=moved)}" if moved else "")
    parts = [head]
    for c in changes:
        parts.append("\n".join(_change_lines(c, language)))
    return "\n\n".join(parts) + "\n"


# ---------------------------------------------------------------- the impact


def _outcome_record(o: Outcome) -> dict[str, Any]:
    return {"eligible": o.eligible, "failed": list(o.failed), "batch": o.batch, "rank": o.rank, "status": o.status, "school": o.school}


def impact_records(result: Impact) -> dict[str, Any]:
    """The impact as JSON-ready data (keys documented in docs/years.md)."""
    changes = []
    for c in result.changes:
        record = {"id": c.id, "clause": c.clause, "name": c.name, "change": c.change, "grade": c.grade}
        if c.wording_only:
            record["run"] = "wording only"
        elif c.id in result.notes:
            record["run"] = "cannot be run alone: " + result.notes[c.id]
        else:
            record["run"] = "alone"
        changes.append(record)
    return {
        "old": _side(result.old),
        "new": _side(result.new),
        "cohort": result.cohort,
        "schools": result.schools,
        "year": result.year,
        "moved": {"old": result.moved[0], "new": result.moved[1]},
        "summary": result.summary,
        "changes": changes,
        "applicants": [
            {
                "id": x.id, "grade": x.grade, "changed": list(x.changed), "old": _outcome_record(x.old), "new": _outcome_record(x.new),
                "causes": list(x.causes), "combination": not x.causes,
                "causes_by_aspect": {aspect: list(ids) for aspect, ids in x.by_aspect},
            }
            for x in result.affected
        ],
    }


def _cell(value: Any, none: str = "-") -> str:
    if value is None:
        return none
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ";".join(value) or none
    return str(value)


_CSV_COLUMNS = ["id", "grade", "changed"] + [f"{side}_{a}" for a in ASPECTS for side in ("old", "new")] + ["causes", "combination"]


def _numbered(result: Impact) -> dict[str, int]:
    return {c.id: i for i, c in enumerate(result.changes, start=1)}


_ASPECT_LABELS = {"zh": {"eligible": "合格", "failed": "未满足要求", "batch": "批次", "rank": "排名", "status": "状态", "school": "学校"}}


def _because(x: Affected, numbers: dict[str, int], language: str) -> str:
    """'[4]' when one change alone gives the whole new outcome; else each aspect with what gives it."""
    labels = _labels(language)
    if x.causes:
        return " ".join(f"[{numbers[c]}]" for c in x.causes)
    groups: dict[tuple[str, ...], list[str]] = {}
    for aspect, ids in x.by_aspect:
        groups.setdefault(ids, []).append(_ASPECT_LABELS.get(language, {}).get(aspect, aspect))
    parts = []
    for ids, aspects in groups.items():
        said = " ".join(f"[{numbers[c]}]" for c in ids) if ids else labels["combination"]
        parts.append(("、".join(aspects) + "：" if language == "zh" else ", ".join(aspects) + ": ") + said)
    return ("；" if language == "zh" else "; ").join(parts)


def format_impact(result: Impact, fmt: str) -> str:
    """The impact as text (labels in the new policy's language), JSON or CSV (one row per affected applicant)."""
    if fmt == "json":
        return json.dumps(impact_records(result), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        rows = []
        for x in result.affected:
            row = [x.id, x.grade, ";".join(x.changed)]
            for a in ASPECTS:
                row += [_cell(getattr(x.old, a), ""), _cell(getattr(x.new, a), "")]
            rows.append(row + [";".join(x.causes), "false" if x.causes else "true"])
        return csv_text(_CSV_COLUMNS, rows)
    language = result.new.language
    labels = _labels(language)
    numbers = _numbered(result)
    head = labels["impact"].format(cohort=result.cohort, n=result.applicants, old=result.old.path, new=result.new.path, year=result.year)
    moves = []
    for path, years in ((result.old.path, result.moved[0]), (result.new.path, result.moved[1])):
        if years:
            moves.append(labels["moved_note"].format(path=path, direction=labels["forward" if years > 0 else "back"], n=abs(years), s="s" if abs(years) != 1 else ""))
    if moves:
        head += ("（" + "；".join(moves) + "）") if language == "zh" else " (" + "; ".join(moves) + ")"
    lines = [head, "", labels["run"]]
    for c in result.changes:
        line = f"  [{numbers[c.id]}] {_title(c, language)}{'：' if language == 'zh' else ': '}{labels[c.change]}"
        if c.wording_only:
            line += f" - {labels['wording']}"
        elif c.id in result.notes:
            line += f" - {labels['not_run']}: {result.notes[c.id]}"
        lines.append(line)
    counts = labels["counts"]
    if language == "zh":
        summary = "，".join(f"{counts[k]} {n}" for k, n in result.summary.items())
        lines += ["", f"{labels['summary']}：{summary}", ""]
    else:
        summary = ", ".join(f"{n} {counts[k]}" for k, n in result.summary.items())
        lines += ["", f"{labels['summary']}: {summary}", ""]
    if not result.affected:
        lines.append(labels["nobody"])
        return "\n".join(lines) + "\n"
    rows = []
    for x in result.affected:
        cells = [x.id, x.grade]
        for a in ASPECTS:
            if a == "status" and result.schools is None:
                continue
            if a == "school" and result.schools is None:
                continue
            before, after = _cell(getattr(x.old, a)), _cell(getattr(x.new, a))
            cells.append(f"{before} -> {after}" if a in x.changed else before)
        cells.append(_because(x, numbers, language))
        rows.append(cells)
    columns = list(labels["columns"])
    if result.schools is None:
        columns = columns[:6] + columns[8:]
    return "\n".join(lines) + "\n" + text_table(columns, rows)
