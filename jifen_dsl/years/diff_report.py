"""The year-over-year reports: the clause diff and the cohort impact, as text, JSON or CSV.

Text labels follow the new policy's language (English or Chinese), unless another
was asked for (``--lang``); JSON keys and CSV columns are English and stable
(docs/years.md lists them).
"""

from __future__ import annotations

import json
from typing import Any, Sequence

from jifen_dsl.years.diff import Change, Side
from jifen_dsl.years.impact import ASPECTS, Affected, Impact, Outcome
from jifen_dsl.data.tables import csv_text, text_table
from jifen_dsl.lang.unparsing.unparse import keyword
from jifen_dsl.evaluation.language import clauses, language_of, one_after_another
from jifen_dsl.messages import Message, N, T, render, series

__all__ = ["format_diff", "format_impact", "diff_records", "impact_records", "FORMATS"]

FORMATS = ("text", "json", "csv")

# What the text report calls each kind of clause, change and aspect (the JSON and CSV keep the English words).
_CLAUSES = {
    "header": T("header"), "field": T("field"), "definition": T("definition"), "requirement": T("requirement"), "grade": T("grade"),
    "points total": T("points total"), "indicator": T("indicator"), "batch": T("batch"), "tiebreak": T("tiebreak"),
    "allocation": T("allocation"), "subsidy rate": T("subsidy rate"), "semesters per year": T("semesters per year"),
    "phase": T("phase"), "verification": T("verification"), "makeup days": T("makeup days"), "publication": T("publication"),
    "citation": T("section citation"), "calendar": T("calendar"), "indicator order": T("indicator order"),
    "batch order": T("batch order"), "section": T("section"),
}
_CHANGES = {"added": T("added"), "removed": T("removed"), "changed": T("changed")}
_ASPECTS = {
    "title": T("title"), "cite": T("cite"), "condition": T("condition"), "grade": T("grade"), "label": T("label"), "type": T("type"),
    "unique": T("unique"), "optional": T("optional"), "default": T("default"), "value": T("value"), "stage": T("stage"),
    "formula": T("formula"), "cap": T("cap"), "window": T("window"), "follows the phase before": T("follows the phase before"),
    "order": T("order"), "conditions (any of)": T("conditions (any of)"), "conditions (all of)": T("conditions (all of)"),
    "condition taken out": T("condition taken out"), "condition put in": T("condition put in"),
    "year": T("year"), "as_of": T("as_of"), "district": T("district"), "source": T("source"),
}
_COUNTS = {
    "applicants": T("{count} applicants"), "affected": T("{count} affected"), "gain_eligibility": T("{count} gain eligibility"),
    "lose_eligibility": T("{count} lose eligibility"), "change_failed": T("{count} fail other requirements"),
    "change_batch": T("{count} change batch"), "change_rank": T("{count} change rank"), "gain_place": T("{count} gain a place"),
    "lose_place": T("{count} lose their place"), "change_school": T("{count} change school"),
}
# The impact table's columns, and the outcome each aspect of it is.
_COLUMNS = (T("id"), T("grade"), T("eligible"), T("failed"), T("batch"), T("rank"), T("status"), T("school"), T("because of"))
_OUTCOME_ASPECTS = {"eligible": T("eligible"), "failed": T("failed"), "batch": T("batch"), "rank": T("rank"), "status": T("status"), "school": T("school")}


def _aspect(name: str) -> Message | str:
    return _ASPECTS.get(name, name)


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


def _shown_name(c: Change, language: str) -> Message | str:
    """The clause's name as the report shows it: keywords (a rate, a setting) in the report's language."""
    if c.clause == "header":
        return _aspect(c.name)
    if c.clause in ("subsidy rate", "allocation", "publication", "citation", "section"):
        return " ".join(keyword(w, language) for w in c.name.split())
    return c.name


def _title(c: Change, language: str) -> str:
    clause = render(_CLAUSES.get(c.clause, c.clause), language)
    name = "" if c.clause in _UNNAMED else f" {render(_shown_name(c, language), language)}"
    grade = f" ({c.grade})" if c.grade else ""
    return f"{clause}{name}{grade}"


def _block(sign: str, text: str | None, indent: str) -> list[str]:
    return [f"{indent}{sign} {line}" for line in (text or "").splitlines()]


def _change_lines(c: Change, language: str) -> list[str]:
    say = lambda message: render(message, language)  # noqa: E731
    moved = T(" (moved with the year)") if c.moved_with_year else ""
    title = _title(c, language)
    if c.clause == "header":
        return [say(T("{title}: {old} -> {new}{moved}", title=title, old=c.old, new=c.new, moved=moved))]
    lines = [say(T("{title}: {change}{moved}", title=title, change=_CHANGES[c.change], moved=moved))]
    if c.change == "added":
        return lines + _block("+", c.new, "  ")
    if c.change == "removed":
        return lines + _block("-", c.old, "  ")
    for aspect in c.aspects:
        if aspect.name == "value" and c.parameters and "\n" not in (aspect.old or "") + (aspect.new or ""):
            continue  # a one-line setting or rate: its parameter line says it all
        name = _aspect(aspect.name)
        old, new = _aspect_value(aspect.name, aspect.old), _aspect_value(aspect.name, aspect.new)
        multiline = "\n" in (aspect.old or "") or "\n" in (aspect.new or "") or aspect.name in ("condition", "value", "formula")
        if aspect.new is None and aspect.old is not None and aspect.name != "value":
            lines.append("  " + say(T("{name}: {value}", name=name, value=old)))
        elif aspect.old is None and aspect.new is not None and aspect.name != "value":
            lines.append("  " + say(T("{name}: {value}", name=name, value=new)))
        elif multiline:
            lines.append("  " + say(T("{name}:", name=name)))
            lines += _block("-", aspect.old, "    ") + _block("+", aspect.new, "    ")
        else:
            lines.append("  " + say(T("{name}: {old} -> {new}", name=name, old=old if aspect.old is not None else "-", new=new if aspect.new is not None else "-")))
    if c.clause != "header":
        for p in c.parameters:
            subject = f"{p.subject} " if p.subject else ""
            lines.append("  " + say(T("parameter: {subject}{old} -> {new}", subject=subject, old=p.old, new=p.new)))
    return lines


def _aspect_value(name: str, value: str | None) -> Message | str | None:
    """An aspect's old or new value as the report shows it: a requirement for every grade says so in the report's language."""
    if name == "grade" and value == "every grade":
        return T("every grade")
    return value


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
    language = language_of(b.policy)
    ha, hb = a.policy.header, b.policy.header
    head = f"{a.path} ({ha.district} {ha.year}) -> {b.path} ({hb.district} {hb.year})"
    if not changes:
        return render(T("{head}: no changes: the two policies say the same", head=head), language) + "\n"
    moved = sum(1 for c in changes if c.moved_with_year)
    if moved:
        head = render(N(
            "{head}: {count} change, {moved} of them only moved with the year", "{head}: {count} changes, {moved} of them only moved with the year",
            len(changes), head=head, moved=moved,
        ), language)
    else:
        head = render(N("{head}: {count} change", "{head}: {count} changes", len(changes), head=head), language)
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
            record["run"] = "cannot be run alone: " + render(result.notes[c.id], "en")  # a field of JSON: in English whatever the language
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


def _because(x: Affected, numbers: dict[str, int]) -> Message | str:
    """'[4]' when one change alone gives the whole new outcome; else each aspect with what gives it."""
    if x.causes:
        return " ".join(f"[{numbers[c]}]" for c in x.causes)
    groups: dict[tuple[str, ...], list[Message | str]] = {}
    for aspect, ids in x.by_aspect:
        groups.setdefault(ids, []).append(_OUTCOME_ASPECTS.get(aspect, aspect))
    parts = []
    for ids, aspects in groups.items():
        said = " ".join(f"[{numbers[c]}]" for c in ids) if ids else T("a combination of changes")
        parts.append(T("{aspects}: {causes}", aspects=series(aspects), causes=said))
    return one_after_another(parts)


def format_impact(result: Impact, fmt: str) -> str:
    """The impact as text (labels in the new policy's language, or the one asked for), JSON or CSV (one row per affected applicant)."""
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
    language = language_of(result.new.policy)
    say = lambda message: render(message, language)  # noqa: E731
    numbers = _numbered(result)
    head: Message = T(
        "Impact on {cohort} ({n} applicants) of {old} -> {new}, compared in {year}",
        cohort=result.cohort, n=result.applicants, old=result.old.path, new=result.new.path, year=result.year,
    )
    moves = []
    for path, years in ((result.old.path, result.moved[0]), (result.new.path, result.moved[1])):
        if years > 0:
            moves.append(N("{path} moved forward {count} year", "{path} moved forward {count} years", years, path=path))
        elif years < 0:
            moves.append(N("{path} moved back {count} year", "{path} moved back {count} years", -years, path=path))
    if moves:
        head = T("{head} ({moves})", head=head, moves=one_after_another(moves))
    lines = [say(head), "", say(T("changes, each run alone on the old policy:"))]
    for c in result.changes:
        line: Message = T("[{number}] {title}: {change}", number=numbers[c.id], title=_title(c, language), change=_CHANGES[c.change])
        if c.wording_only:
            line = T("{line} - wording only, not run", line=line)
        elif c.id in result.notes:
            line = T("{line} - cannot be run alone: {why}", line=line, why=result.notes[c.id])
        lines.append("  " + say(line))
    summary = clauses([_COUNTS[k].with_args(count=n) for k, n in result.summary.items()])
    lines += ["", say(T("summary: {counts}", counts=summary)), ""]
    if not result.affected:
        lines.append(say(T("nobody's outcome changes")))
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
        cells.append(say(_because(x, numbers)))
        rows.append(cells)
    columns = [say(column) for column in _COLUMNS]
    if result.schools is None:
        columns = columns[:6] + columns[8:]
    return "\n".join(lines) + "\n" + text_table(columns, rows)
