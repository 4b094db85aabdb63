"""Allocation results per applicant, the per-school summary, and the subsidy budget."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Iterator, Sequence

from jifen_dsl.lang import model
from jifen_dsl.allocation.allocator import ADMITTED, INELIGIBLE, NOT_QUALIFIED, UNPLACED, Allocation
from jifen_dsl.data.spreadsheet import joined_needs_guard
from jifen_dsl.data.tables import csv_line, csv_text, plain_cell, text_table
from jifen_dsl.data.values import PointsText, format_value
from jifen_dsl.evaluation.language import clauses
from jifen_dsl.messages import Message, N, T, render

__all__ = [
    "placement_records", "placement_rows", "placement_header", "placement_table", "placement_lines", "format_placements",
    "summary", "summary_table", "format_summary", "format_summary_data", "counts_line",
]

_COLUMNS = ("id", "grade", "status", "school", "round", "batch", "rank", "points", "failed")


def placement_records(allocation: Allocation) -> list[dict[str, Any]]:
    """JSON-ready dicts, one per applicant, in input order."""
    policy = allocation.policy
    personal = allocation.personal
    out = []
    for p in allocation.placements:
        e = p.evaluation
        record = {
            "id": e.id,
            "grade": e.grade,
            "status": p.status,
            "school": p.school.id if p.school else None,
            "school_name": p.school.name if p.school else None,
            "round": p.round,
            "batch": policy.batches[e.batch].name if e.batch is not None else None,
            "rank": e.rank,
            "points": format_value(e.points),
            "failed": [policy.requirements[i].name for i in e.failed],
        }
        for name, pos in personal:
            record[name] = e.applicant.record[pos]
        out.append(record)
    return out


def placement_rows(allocation: Allocation) -> Iterator[list[str]]:
    """The placements as rows of text, one per applicant in input order, made as they are written.

    The same cells as :func:`placement_records` gives, without a dict per applicant:
    a million rows are written in a few seconds and never held in memory at once.
    """
    policy = allocation.policy
    placements = allocation.placements
    personal = [pos for _, pos in allocation.personal]
    batch_names = [b.name for b in policy.batches]
    names = [r.name for r in policy.requirements]
    shown_points = PointsText()
    failed_text: dict[tuple[int, ...], str] = {(): ""}
    for p in placements:
        e = p.evaluation
        applicant = e.applicant
        school = p.school
        shown = shown_points(e.points)
        failed = e.failed
        reasons = failed_text.get(failed)
        if reasons is None:
            reasons = failed_text[failed] = ";".join(names[i] for i in failed)
        row = [
            applicant.id, applicant.grade, p.status, school.id if school is not None else "", p.round or "",
            batch_names[e.batch] if e.batch is not None else "", "" if e.rank is None else str(e.rank), shown, reasons,
        ]
        if personal:
            record = applicant.record
            row += [record[pos] or "" for pos in personal]
        yield row


def placement_header(allocation: Allocation) -> list[str]:
    """The header of :func:`placement_rows`: the fixed columns, then the personal details the input gave."""
    return list(_COLUMNS) + [name for name, _ in allocation.personal]


def placement_table(allocation: Allocation) -> tuple[list[str], list[list[str]]]:
    """The placements as a header and rows of text, one row per applicant in input order."""
    return placement_header(allocation), list(placement_rows(allocation))


def placement_lines(allocation: Allocation, fmt: str) -> Iterator[str]:
    """The placements in one of the text formats (table, csv, json), in pieces to write one after another."""
    if fmt == "csv":
        return placement_csv(allocation)
    return iter([format_placements(allocation, fmt)])


def placement_csv(allocation: Allocation) -> Iterator[str]:
    """The placements as CSV, in blocks of lines: exactly what ``csv_lines(placement_table(...))`` gives, several times faster.

    Each line is first written as its cells joined by commas. The cells that come
    from a short list - grades, schools, batches, requirement names - are checked
    once, before the first line. The rest (an id, a personal detail) are checked a
    block at a time: a block with no quote or carriage return, one line feed per
    line and exactly the commas that separate cells holds no cell the csv module
    would quote; if no cell in it starts as a formula would (a name such as
    ``=HYPERLINK(...)``, see :mod:`jifen_dsl.data.spreadsheet`), it stands as
    written. A block that fails is written again line by line, each line that
    needs it by :func:`csv_line`, which quotes and guards its cells.
    """
    policy = allocation.policy
    placements = allocation.placements
    personal = allocation.personal
    positions = [pos for _, pos in personal]
    yield csv_line(list(_COLUMNS) + [name for name, _ in personal])
    batch_names = [b.name for b in policy.batches]
    names = [r.name for r in policy.requirements]
    grade_type = policy.field(model.GRADE_FIELD).type
    listed = [*batch_names, *names, *(s.id for s in allocation.schools), *grade_type.members, ADMITTED, UNPLACED, NOT_QUALIFIED, INELIGIBLE]
    if not all(map(plain_cell, listed)):
        yield from map(csv_line, placement_rows(allocation))
        return
    shown_points = PointsText()
    shown = shown_points.seen  # the points objects already written, by identity (see PointsText)
    failed_text: dict[tuple[int, ...], str] = {(): ""}
    commas = len(_COLUMNS) - 1 + len(positions)  # the separators of a line with no quoted cell

    def details(record: tuple) -> list[str]:
        return [record[pos] or "" for pos in positions]

    def line(p) -> str:
        """One line, without its line end."""
        e = p.evaluation
        applicant = e.applicant
        failed = e.failed
        reasons = failed_text.get(failed)
        if reasons is None:
            reasons = failed_text[failed] = ";".join(names[i] for i in failed)
        points = e.points
        known = shown.get(id(points))
        school, batch, rank = p.school, e.batch, e.rank
        text = (
            f"{applicant.id},{applicant.grade},{p.status},{'' if school is None else school.id},{p.round or ''},"
            f"{'' if batch is None else batch_names[batch]},{'' if rank is None else rank},"
            f"{shown_points(points) if known is None else known[1]},{reasons}"
        )
        if positions:
            return text + "," + ",".join(details(applicant.record))
        return text

    def plain(text: str, lines: int) -> bool:
        return (
            not ('"' in text or "\r" in text) and text.count("\n") == lines and text.count(",") == lines * commas
            and not joined_needs_guard(text)
        )

    for start in range(0, len(placements), 8192):
        chunk = placements[start : start + 8192]
        block = "\n".join(map(line, chunk)) + "\n"
        if not plain(block, len(chunk)):
            block = "".join(
                text if plain(text := line(p) + "\n", 1) else csv_line(_row(p, names, batch_names) + details(p.evaluation.applicant.record))
                for p in chunk
            )
        yield block


def _row(p, names: list[str], batch_names: list[str]) -> list[str]:
    """The fixed cells of one placement's row."""
    e = p.evaluation
    return [
        e.applicant.id, e.applicant.grade, p.status, p.school.id if p.school is not None else "", p.round or "",
        batch_names[e.batch] if e.batch is not None else "", "" if e.rank is None else str(e.rank), format_value(e.points),
        ";".join(names[i] for i in e.failed),
    ]


def format_placements(allocation: Allocation, fmt: str) -> str:
    """The placements in one of the text formats (table, csv, json)."""
    if fmt == "json":
        return json.dumps(placement_records(allocation), ensure_ascii=False, indent=2) + "\n"
    if fmt == "csv":
        return "".join(placement_lines(allocation, fmt))
    header, rows = placement_table(allocation)
    return text_table(header, rows, right_aligned=(6, 7))


def _stage(policy: model.Policy, grade: str) -> str | None:
    g = policy.grade(grade)
    return g.stage if g else None


def summary(allocation: Allocation) -> dict[str, Any]:
    """Per school: seats, admitted by round and batch, the cut-off, seats left, and the subsidy."""
    policy = allocation.policy
    subsidies = policy.subsidies
    by_school: dict[str, list] = {s.id: [] for s in allocation.schools}
    counts = {ADMITTED: 0, UNPLACED: 0, NOT_QUALIFIED: 0, INELIGIBLE: 0}
    for p in allocation.placements:
        counts[p.status] += 1
        if p.status == ADMITTED:
            by_school[p.school.id].append(p)
    schools = []
    total = Decimal(0)
    for s in allocation.schools:
        taken = by_school[s.id]
        rounds = {"choices": 0, "coordinated": 0, "clearing": 0}
        batches: dict[str, int] = {}
        for p in taken:
            rounds["choices" if p.round.startswith("choice:") else p.round] += 1
            if policy.batches:
                name = policy.batches[p.evaluation.batch].name if p.evaluation.batch is not None else "-"
                batches[name] = batches.get(name, 0) + 1
        by_choice = [p.evaluation.points for p in taken if p.round.startswith("choice:")]
        rate = None
        amount = None
        stage = _stage(policy, s.grade)
        if subsidies is not None and stage is not None:
            rate = subsidies.rate(s.type, stage)
            if rate is not None:
                amount = rate * len(taken) * subsidies.semesters_per_year
                total += amount
        schools.append({
            "id": s.id,
            "name": s.name,
            "type": s.type,
            "grade": s.grade,
            "seats": s.seats,
            "admitted": len(taken),
            "by_round": rounds,
            "by_batch": dict(sorted(batches.items())),
            "cutoff": format_value(min(by_choice)) if by_choice else None,
            "remaining": s.seats - len(taken),
            "subsidy_rate": format_value(rate) if rate is not None else None,
            "subsidy": format_value(amount) if amount is not None else None,
        })
    return {
        "policy": policy.path,
        "applicants": len(allocation.placements),
        "counts": counts,
        "schools": schools,
        "subsidy": None if subsidies is None else {
            "semesters_per_year": subsidies.semesters_per_year,
            "rates": [{"type": t, "stage": st, "per_pupil_per_semester": format_value(a)} for t, st, a in subsidies.rates],
            "total": format_value(total),
        },
    }


_SUMMARY_COLUMNS = ("school", "name", "type", "grade", "seats", "admitted", "choices", "coordinated", "clearing", "by batch", "cutoff", "remaining", "subsidy")


def summary_table(allocation: Allocation) -> tuple[list[str], list[list[str]]]:
    """The per-school summary as a header and rows of text."""
    return list(_SUMMARY_COLUMNS), _summary_rows(summary(allocation))


def _summary_rows(data: dict[str, Any]) -> list[list[str]]:
    return [
        [
            s["id"], s["name"], s["type"], s["grade"], str(s["seats"]), str(s["admitted"]),
            str(s["by_round"]["choices"]), str(s["by_round"]["coordinated"]), str(s["by_round"]["clearing"]),
            " ".join(f"{k}:{v}" for k, v in s["by_batch"].items()), s["cutoff"] or "", str(s["remaining"]), s["subsidy"] or "",
        ]
        for s in data["schools"]
    ]


def format_summary(allocation: Allocation, fmt: str) -> str:
    """The per-school summary in one of the text formats (table, csv, json)."""
    return format_summary_data(summary(allocation), fmt)


def format_summary_data(data: dict[str, Any], fmt: str) -> str:
    """A summary (as :func:`summary` gives it) in one of the text formats (table, csv, json)."""
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    rows = _summary_rows(data)
    if fmt == "csv":
        return csv_text(_SUMMARY_COLUMNS, rows)
    counts = data["counts"]
    lines = text_table(_SUMMARY_COLUMNS, rows, right_aligned=(4, 5, 6, 7, 8, 10, 11, 12))
    lines += "\n" + render(counts_line(data["applicants"], [(status, counts[status]) for status in (ADMITTED, UNPLACED, NOT_QUALIFIED, INELIGIBLE)])) + "\n"
    if data["subsidy"] is not None:
        lines += render(T("subsidy budget per year: {total} yuan", total=data["subsidy"]["total"])) + "\n"
    return lines


_OUTCOMES = {
    ADMITTED: T("{count} admitted"),
    UNPLACED: T("{count} unplaced"),
    NOT_QUALIFIED: T("{count} not qualified"),
    INELIGIBLE: T("{count} ineligible"),
}


def counts_line(applicants: int, counts: Sequence[tuple[str, int]]) -> Message:
    """'240 applicants: 120 admitted, 2 unplaced, ...': how many came to each status, in the order given."""
    outcomes = clauses([_OUTCOMES[status].with_args(count=n) for status, n in counts])
    return T("{applicants}: {outcomes}", applicants=N("{count} applicant", "{count} applicants", applicants), outcomes=outcomes)
