"""Evaluation results as JSON, CSV or a text table, one entry per applicant in input order."""

from __future__ import annotations

import json
from typing import Any, Sequence

from . import model
from .compiler import CompiledPolicy
from .evaluator import Evaluation
from .tables import csv_text, text_table
from .values import format_value

__all__ = ["evaluation_records", "format_evaluations", "requirement_values", "personal_columns", "FORMATS"]

FORMATS = ("table", "csv", "json", "xlsx")


def personal_columns(policy: model.Policy, evaluations: Sequence[Evaluation]) -> list[tuple[str, int]]:
    """(field name, record position) of the personal details the input gave, in model.PERSONAL_FIELDS order.

    Only columns the input filled in are carried, so results of data without
    personal details look exactly as before.
    """
    found = []
    for name in model.PERSONAL_FIELDS:
        if not policy.has_field(name):
            continue
        index = policy.field(name).index
        if index not in policy.read_fields:
            continue
        pos = policy.read_fields.index(index)
        if any(e.applicant.record[pos] is not None for e in evaluations):
            found.append((name, pos))
    return found


def requirement_values(
    compiled: CompiledPolicy, evaluation: Evaluation, requirement: model.Requirement, definitions: tuple | None = None
) -> list[tuple[str, Any]]:
    """The values a requirement read for one applicant, named as the policy names them."""
    policy = compiled.policy
    if definitions is None and any(u.kind == "define" for u in requirement.uses):
        definitions = compiled.definitions(evaluation.applicant.record)
    out: list[tuple[str, Any]] = []
    for use in requirement.uses:
        if use.kind == "field":
            value = evaluation.applicant.record[policy.read_fields.index(use.index)]
        elif use.kind == "define":
            value = definitions[use.index]
        elif use.kind == "phase":
            value = policy.schedule.phases[use.index].window
        elif use.kind == "year":
            value = policy.header.year
        else:
            value = policy.header.as_of
        out.append((use.written, value))
    return out


def _shown(value: Any) -> Any:
    if value is None:
        return None
    return format_value(value)


def evaluation_records(compiled: CompiledPolicy, evaluations: Sequence[Evaluation]) -> list[dict[str, Any]]:
    """JSON-ready dicts, one per applicant, in input order."""
    policy = compiled.policy
    personal = personal_columns(policy, evaluations)
    records = []
    for e in evaluations:
        missing = dict(e.missing)
        details = []
        for index in e.failed:
            req = policy.requirements[index]
            details.append({
                "requirement": req.name,
                "title": req.title,
                "cite": req.cite,
                "values": {name: _shown(value) for name, value in requirement_values(compiled, e, req)},
                "missing": missing.get(index),
            })
        record = {
            "id": e.id,
            "grade": e.grade,
            "eligible": e.eligible,
            "failed": [policy.requirements[i].name for i in e.failed],
            "batch": policy.batches[e.batch].name if e.batch is not None else None,
            "points": format_value(e.points),
            "rank": e.rank,
            "failed_details": details,
        }
        for name, pos in personal:
            record[name] = e.applicant.record[pos]
        records.append(record)
    return records


_COLUMNS = ("id", "grade", "eligible", "batch", "points", "rank", "failed")


def _extra(records: list[dict[str, Any]]) -> list[str]:
    """The personal columns present in the records, after the fixed ones."""
    return [name for name in model.PERSONAL_FIELDS if records and name in records[0]]


def _rows(records: list[dict[str, Any]], extra: list[str]) -> list[list[str]]:
    return [
        [
            r["id"],
            r["grade"],
            "true" if r["eligible"] else "false",
            r["batch"] or "",
            r["points"],
            "" if r["rank"] is None else str(r["rank"]),
            ";".join(r["failed"]),
        ]
        + [r[name] or "" for name in extra]
        for r in records
    ]


def evaluation_table(compiled: CompiledPolicy, evaluations: Sequence[Evaluation]) -> tuple[list[str], list[list[str]]]:
    """The results as a header and rows of text, one row per applicant."""
    records = evaluation_records(compiled, evaluations)
    extra = _extra(records)
    return list(_COLUMNS) + extra, _rows(records, extra)


def format_evaluations(compiled: CompiledPolicy, evaluations: Sequence[Evaluation], fmt: str) -> str:
    """The results in one of the text FORMATS (table, csv, json)."""
    if fmt == "json":
        return json.dumps(evaluation_records(compiled, evaluations), ensure_ascii=False, indent=2) + "\n"
    header, rows = evaluation_table(compiled, evaluations)
    if fmt == "csv":
        return csv_text(header, rows)
    return text_table(header, rows, right_aligned=(4, 5))


def summary_line(evaluations: Sequence[Evaluation]) -> str:
    """'200 applicants: 150 eligible (G1 100, G7 50), 50 not eligible'."""
    eligible: dict[str, int] = {}
    for e in evaluations:
        if e.eligible:
            eligible[e.grade] = eligible.get(e.grade, 0) + 1
    total_eligible = sum(eligible.values())
    by_grade = ", ".join(f"{g} {n}" for g, n in sorted(eligible.items()))
    return (
        f"{len(evaluations)} applicants: {total_eligible} eligible"
        + (f" ({by_grade})" if by_grade else "")
        + f", {len(evaluations) - total_eligible} not eligible"
    )
