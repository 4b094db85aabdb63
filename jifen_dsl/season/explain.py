"""``season explain``: one applicant's whole story, from the season's records.

What an explanation of an automated decision gives (PIPL art. 24; France's CRPA
R311-3-1-2): the data used and where each value came from (the application
file and row, or the correction with its reason and officer); each requirement
with its clause, the points and their indicators, the rank and how ties were
broken (:func:`jifen_dsl.evaluation.explain.explain`); any human verdict; the
qualification; the choices; the allocation - which better choices were full at
the applicant's rank, their cut-offs and the smallest change of points that
would have changed the result; the rows of every officer's file about the
applicant (confirmation, clearing, registration); the status after each stage;
and how far the tool decided.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl

from jifen_dsl.compile.columnar import compile_columnar
from jifen_dsl.data.readers import read_table
from jifen_dsl.errors import DataError
from jifen_dsl.evaluation.explain import explain as explain_evaluation
from jifen_dsl.evaluation.objects import evaluations_of
from jifen_dsl.lang import columns, model
from jifen_dsl.messages import M, Message, T, render
from jifen_dsl.season.commands import current_state, open_store
from jifen_dsl.season.stages import StageError, State, comes_first, evaluated
from jifen_dsl.season.store import LogEntry, Store
from jifen_dsl.season.words import round_name, stage_name, status_word

__all__ = ["explain_applicant"]

_OFFICER_ROLES = ("corrections", "choices", "decisions", "clearing", "registrations")
# The application file's choice columns: a season takes choices at its own stages instead.
_NOT_USED = (model.CHOICES_FIELD, model.CLEARING_FIELD, model.COORDINATION_FIELD)


def explain_applicant(folder: str, applicant: str) -> str:
    store = open_store(folder)
    try:
        state = current_state(store)
        if state.table is None:
            raise StageError([comes_first("qualify")])
        if applicant not in set(state.table.get_column("id").to_list()):
            raise DataError([M("S0050", "{dir}: no application has the id {id}", dir=folder, id=repr(applicant))])
        entries = store.entries()
        lines: list[Message | str] = [T("The season of applicant {id} ({title})", id=applicant, title=state.policy.header.title), ""]
        lines += _data(state, applicant, entries)
        lines += ["", _evaluation(state, applicant).rstrip("\n")]
        lines += _verdicts(state, applicant)
        lines += [""] + _qualification(state, applicant)
        lines += _allocation(state, store, entries, applicant)
        lines += [""] + _officer_rows(state, store, entries, applicant)
        lines += [""] + _steps(state, store, entries, applicant)
        lines += [
            "",
            T(
                "How far the tool decided: eligibility, points, rank, qualification and the allocation were computed by the policy's rules "
                "from the data above; corrections, human verdicts, confirmations and registrations were decisions of people, recorded with their reasons."
            ),
        ]
        return "\n".join(render(line) for line in lines) + "\n"
    finally:
        store.close()


def _row(state: State, applicant: str) -> dict:
    return state.table.filter(pl.col("id") == applicant).row(0, named=True)


def _data(state: State, applicant: str, entries: list[LogEntry]) -> list[Message]:
    policy = state.policy
    frame = state.cohort_data().frame.filter(pl.col("id") == applicant)
    imported = next(name for e in entries if e.action == "import" for role, name, _ in e.inputs if role == "applicants")
    where = T("{file} row {row}", file=imported, row=frame.get_column("row")[0])
    lines = [T("Data used, and where each value came from:")]
    changes = {c.field: c for c in state.corrections if c.id == applicant and not c.verdict}
    for position, index in enumerate(policy.read_fields):
        field = policy.fields[index]
        if field.name in _NOT_USED:
            continue
        value = columns.column_values(frame.get_column(columns.field_column(position)), field.type)[0]
        name = f"{field.name} ({field.label})" if field.label else field.name
        if field.name in changes:
            c = changes[field.name]
            source = T("corrected from {old} by {officer} ({where}): {reason}", old=c.old, officer=c.officer, where=c.source, reason=c.reason)
            lines.append(_value_line(name, _shown(c.value), source))
        else:
            lines.append(_value_line(name, _shown(value), where))
    return lines


def _value_line(name: str, value: str, source: Message) -> Message:
    return T("  {name} = {value}   ({source})", name=name, value=value, source=source)


def _shown(value) -> str:
    if isinstance(value, (tuple, list)):
        return ";".join(str(v) for v in value) or "-"
    return "-" if value is None else str(value)


def _evaluation(state: State, applicant: str) -> str:
    """The requirements, points and rank, as ``jifen explain`` tells them, over the corrected data of the applicant's grade."""
    outcome = evaluated(state)
    target = outcome.filter(pl.col("id") == applicant)
    grade, rank = target.get_column("grade")[0], target.get_column("rank")[0]
    ranked = outcome.filter((pl.col("grade") == grade) & pl.col("eligible"))
    near = [rank - 1, rank + 1] if rank is not None else []
    mine = outcome.filter((pl.col("id") == applicant) | ((pl.col("grade") == grade) & pl.col("eligible") & pl.col("rank").is_in(near)))
    key_types = compile_columnar(state.policy).key_types
    return explain_evaluation(state.compiled, evaluations_of(state.compiled, key_types, mine), applicant, ranked_in_grade=ranked.height)


def _verdicts(state: State, applicant: str) -> list[Message | str]:
    mine = [c for c in state.corrections if c.id == applicant and c.verdict]
    if not mine:
        return []
    lines: list[Message | str] = ["", T("Human decisions:")]
    for c in mine:
        lines.append(
            T(
                "  requirement {name}: {value} - {reason} ({officer}, {where})",
                name=c.field, value=T("pass") if c.value else T("fail"), reason=c.reason, officer=c.officer, where=c.source,
            )
        )
    return lines


def _qualification(state: State, applicant: str) -> list[Message]:
    row = _row(state, applicant)
    status = status_word(row["status"])
    if row["rank"] is None:
        return [T("Now {status}", status=status)]
    seats = sum(s.seats for s in state.schools if s.grade == row["grade"])
    lines = [T("Now {status}; rank {rank} in {grade}, where {seats} seats are offered", status=status, rank=row["rank"], grade=row["grade"], seats=seats)]
    if row["filed"]:
        accepts = T("yes") if row["accepts"] else T("no")
        lines.append(T("Choices filed: {choices}; accepts coordinated placement: {accepts}", choices=";".join(row["choices"]) or "-", accepts=accepts))
    elif "choices" in state.done and row["status"] not in ("ineligible", "not_qualified"):
        lines.append(T("No choices filed"))
    return lines


def _allocation(state: State, store: Store, entries: list[LogEntry], applicant: str) -> list[Message]:
    allocation = next((e for e in entries if e.action == "allocate"), None)
    if allocation is None:
        return []
    # The applicant's row after allocation, and those admitted at its listed schools (every admission is a change the stage recorded).
    mine = _row_at(store, allocation.seq, applicant)
    if mine is None or mine[2] in ("ineligible", "not_qualified", "gave_up"):
        return []
    _, grade, status, school, round_, rank, points, listed = mine
    lines = []
    if status == "admitted":
        lines.append(T("Allocation: admitted at {school} by {round}", school=school, round=round_name(round_)))
    else:
        lines.append(T("Allocation: no seat ({status})", status=status_word(status)))
    batch = dict(state.table.select("id", "batch").iter_rows())
    choices = [c for c in (listed or "").split(";") if c]
    taken = choices.index(school) if status == "admitted" and school in choices else len(choices)
    at_schools = store.admitted_at(allocation.seq, choices[:taken]) if taken else []
    for n, better in enumerate(choices[:taken], start=1):
        admitted = [r for r in at_schools if r[3] == better and (r[4] or "").startswith("choice:")]
        if not admitted:
            continue
        last = max(admitted, key=lambda r: r[5])
        gap: Message | str = ""
        if batch.get(last[0]) != batch.get(applicant) and batch.get(last[0]) is not None and (batch.get(applicant) is None or batch[last[0]] < batch[applicant]):
            gap = T("; it was of an earlier batch, which no points could overtake")
        elif points is not None and last[6] is not None:
            from decimal import Decimal

            more = Decimal(last[6]) - Decimal(points)
            gap = T("; {more} more points would have placed {id} above it", more=more, id=applicant) if more > 0 else T("; equal points: the tie-break chain decided")
        lines.append(
            T(
                "  {school} (choice {n}) was full at rank {rank}: the last admitted there had rank {cut} with {points} points{gap}",
                school=better, n=n, rank=rank, cut=last[5], points=last[6], gap=gap,
            )
        )
    return lines


def _row_at(store: Store, seq: int, applicant: str) -> tuple | None:
    """The applicant's outcome row as it stood after entry ``seq``: its latest change at or before it."""
    rows = [row for row in store.history(applicant) if row[0] <= seq]
    return tuple(rows[-1][1:]) if rows else None


def _officer_rows(state: State, store: Store, entries: list[LogEntry], applicant: str) -> list[Message]:
    """Every row about the applicant in the officers' files the log recorded, read again from the database."""
    lines = [T("The officers' rows about {id}:", id=applicant)]
    with tempfile.TemporaryDirectory(prefix="jifen-season-") as work:
        for entry in entries:
            for role, name, digest in entry.inputs:
                if role not in _OFFICER_ROLES:
                    continue
                path = Path(work) / str(entry.seq)
                path.mkdir(exist_ok=True)
                (path / name).write_bytes(store.file(digest) or b"")
                table = read_table(str(path / name), what="season")
                at = next((k for k, h in enumerate(table.header) if h.strip() in ("id", "申请编号")), 0)
                for row, cells in table.rows:
                    if at < len(cells) and cells[at].strip() == applicant:
                        shown = ", ".join(f"{h}={c}" for h, c in zip(table.header, cells))
                        lines.append(
                            T(
                                "  {seq:>3} {stage} ({officer}, {at}) {file} row {row}: {cells}",
                                seq=entry.seq, stage=stage_name(entry.action), officer=entry.officer, at=entry.at, file=name, row=row, cells=shown,
                            )
                        )
    return lines


def _steps(state: State, store: Store, entries: list[LogEntry], applicant: str) -> list[Message]:
    lines = [T("What the season did, stage by stage:")]
    changes = {seq: row for seq, *row in store.history(applicant)}
    current = None
    for entry in entries:  # the stored rows are the changes: each stage shows the latest at or before it
        if not entry.result:
            continue
        current = changes.get(entry.seq, current)
        if current is None:
            continue
        _, _, status, school, round_, *_ = current
        seq = entry.seq
        where = T(" {school} ({round})", school=school, round=round_name(round_)) if school else ""
        lines.append(
            T("  {seq:>3} {at} {stage}: {status}{school}", seq=seq, at=entry.at, stage=stage_name(entry.action), status=status_word(status), school=where)
        )
    return lines
