"""Evaluation results as JSON, CSV or a text table, one entry per applicant in input order."""

from __future__ import annotations

import json
import operator
from typing import Any, Iterator, Sequence

from jifen_dsl.lang import model
from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.evaluation.evaluator import Evaluation
from jifen_dsl.data.formats import OUTPUT_FORMATS
from jifen_dsl.data.tables import csv_lines, text_table
from jifen_dsl.data.values import PointsText, format_value
from jifen_dsl.evaluation.columnar_report import summary_message
from jifen_dsl.messages import Message

__all__ = [
    "evaluation_records", "evaluation_rows", "evaluation_header", "evaluation_table", "evaluation_lines", "format_evaluations",
    "requirement_values", "personal_columns", "summary_line", "FORMATS",
]

FORMATS = OUTPUT_FORMATS

_record = operator.attrgetter("applicant.record")


def personal_columns(policy: model.Policy, evaluations: Sequence[Evaluation]) -> list[tuple[str, int]]:
    """(field name, record position) of the personal details the input gave, in model.PERSONAL_FIELDS order.

    Only columns the input filled in are carried, so results of data without
    personal details look exactly as before.
    """
    found = []
    records = None
    for name in model.PERSONAL_FIELDS:
        if not policy.has_field(name):
            continue
        index = policy.field(name).index
        if index not in policy.read_fields:
            continue
        pos = policy.read_fields.index(index)
        if records is None:
            records = list(map(_record, evaluations))  # once, at C speed: a million applicants
        column = list(map(operator.itemgetter(pos), records))
        if column.count(None) != len(column):  # counting compares by identity first: the fastest scan there is
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


def evaluation_rows(compiled: CompiledPolicy, evaluations: Sequence[Evaluation]) -> Iterator[list[str]]:
    """The results as rows of text, one per applicant, made as they are written (the cells of :func:`evaluation_table`)."""
    policy = compiled.policy
    personal = [pos for _, pos in personal_columns(policy, evaluations)]
    batch_names = [b.name for b in policy.batches]
    names = [r.name for r in policy.requirements]
    shown_points = PointsText()
    failed_text: dict[tuple[int, ...], str] = {(): ""}
    for e in evaluations:
        applicant = e.applicant
        failed = e.failed
        reasons = failed_text.get(failed)
        if reasons is None:
            reasons = failed_text[failed] = ";".join(names[i] for i in failed)
        row = [
            applicant.id, applicant.grade, "false" if failed else "true", batch_names[e.batch] if e.batch is not None else "",
            shown_points(e.points), "" if e.rank is None else str(e.rank), reasons,
        ]
        if personal:
            record = applicant.record
            row += [record[pos] or "" for pos in personal]
        yield row


def evaluation_header(compiled: CompiledPolicy, evaluations: Sequence[Evaluation]) -> list[str]:
    """The header of :func:`evaluation_rows`: the fixed columns, then the personal details the input gave."""
    return list(_COLUMNS) + [name for name, _ in personal_columns(compiled.policy, evaluations)]


def evaluation_table(compiled: CompiledPolicy, evaluations: Sequence[Evaluation]) -> tuple[list[str], list[list[str]]]:
    """The results as a header and rows of text, one row per applicant."""
    return evaluation_header(compiled, evaluations), list(evaluation_rows(compiled, evaluations))


def evaluation_lines(compiled: CompiledPolicy, evaluations: Sequence[Evaluation], fmt: str) -> Iterator[str]:
    """The results in one of the text FORMATS (table, csv, json), in pieces to write one after another."""
    if fmt == "csv":
        return csv_lines(evaluation_header(compiled, evaluations), evaluation_rows(compiled, evaluations))
    return iter([format_evaluations(compiled, evaluations, fmt)])


def format_evaluations(compiled: CompiledPolicy, evaluations: Sequence[Evaluation], fmt: str) -> str:
    """The results in one of the text FORMATS (table, csv, json)."""
    if fmt == "json":
        return json.dumps(evaluation_records(compiled, evaluations), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return "".join(evaluation_lines(compiled, evaluations, fmt))
    header, rows = evaluation_table(compiled, evaluations)
    return text_table(header, rows, right_aligned=(4, 5))


def summary_line(evaluations: Sequence[Evaluation]) -> Message:
    """'200 applicants: 150 eligible (G1 100, G7 50), 50 not eligible'."""
    eligible: dict[str, int] = {}
    for e in evaluations:
        if e.eligible:
            eligible[e.grade] = eligible.get(e.grade, 0) + 1
    return summary_message(len(evaluations), sorted(eligible.items()))
