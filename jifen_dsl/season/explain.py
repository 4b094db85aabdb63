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
from jifen_dsl.season.commands import current_state, open_store
from jifen_dsl.season.messages import status_word
from jifen_dsl.season.stages import StageError, State, evaluated
from jifen_dsl.season.store import LogEntry, Store

__all__ = ["explain_applicant"]

_OFFICER_ROLES = ("corrections", "choices", "decisions", "clearing", "registrations")
# The application file's choice columns: a season takes choices at its own stages instead.
_NOT_USED = (model.CHOICES_FIELD, model.CLEARING_FIELD, model.COORDINATION_FIELD)


def explain_applicant(folder: str, applicant: str) -> str:
    store = open_store(folder)
    try:
        state = current_state(store)
        if state.table is None:
            raise StageError([state.say("order.first", stage=state.say("stage.qualify"), command="qualify")])
        if applicant not in set(state.table.get_column("id").to_list()):
            raise DataError([state.say("x.unknown", dir=folder, id=applicant)])
        entries = store.entries()
        lines = [state.say("x.title", id=applicant, title=state.policy.header.title), ""]
        lines += _data(state, applicant, entries)
        lines += ["", _evaluation(state, applicant).rstrip("\n")]
        lines += _verdicts(state, applicant)
        lines += [""] + _qualification(state, applicant)
        lines += _allocation(state, store, entries, applicant)
        lines += [""] + _officer_rows(state, store, entries, applicant)
        lines += [""] + _steps(state, store, entries, applicant)
        lines += ["", state.say("x.automated")]
        return "\n".join(lines) + "\n"
    finally:
        store.close()


def _row(state: State, applicant: str) -> dict:
    return state.table.filter(pl.col("id") == applicant).row(0, named=True)


def _data(state: State, applicant: str, entries: list[LogEntry]) -> list[str]:
    policy = state.policy
    frame = state.cohort_data().frame.filter(pl.col("id") == applicant)
    imported = next(name for e in entries if e.action == "import" for role, name, _ in e.inputs if role == "applicants")
    where = state.say("x.from_file", file=imported, row=frame.get_column("row")[0])
    lines = [state.say("x.data")]
    changes = {c.field: c for c in state.corrections if c.id == applicant and not c.verdict}
    for position, index in enumerate(policy.read_fields):
        field = policy.fields[index]
        if field.name in _NOT_USED:
            continue
        value = columns.column_values(frame.get_column(columns.field_column(position)), field.type)[0]
        name = f"{field.name} ({field.label})" if field.label else field.name
        if field.name in changes:
            c = changes[field.name]
            lines.append(state.say("x.value", name=name, value=_shown(c.value), source=state.say("x.corrected", old=c.old, officer=c.officer, where=c.source, reason=c.reason)))
        else:
            lines.append(state.say("x.value", name=name, value=_shown(value), source=where))
    return lines


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


def _verdicts(state: State, applicant: str) -> list[str]:
    mine = [c for c in state.corrections if c.id == applicant and c.verdict]
    if not mine:
        return []
    lines = ["", state.say("x.verdicts")]
    for c in mine:
        lines.append(state.say("x.verdict", name=c.field, value=state.say("x.pass" if c.value else "x.fail"), reason=c.reason, officer=c.officer, where=c.source))
    return lines


def _qualification(state: State, applicant: str) -> list[str]:
    row = _row(state, applicant)
    status = status_word(state.language, row["status"])
    if row["rank"] is None:
        return [state.say("x.no_rank", status=status)]
    seats = sum(s.seats for s in state.schools if s.grade == row["grade"])
    lines = [state.say("x.qualification", status=status, rank=row["rank"], grade=row["grade"], seats=seats)]
    if row["filed"]:
        lines.append(state.say("x.choices", choices=";".join(row["choices"]) or "-", accepts=state.say("x.yes" if row["accepts"] else "x.no")))
    elif "choices" in state.done and row["status"] not in ("ineligible", "not_qualified"):
        lines.append(state.say("x.no_choices"))
    return lines


def _allocation(state: State, store: Store, entries: list[LogEntry], applicant: str) -> list[str]:
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
        lines.append(state.say("x.placed", school=school, round=_round(state, round_)))
    else:
        lines.append(state.say("x.not_placed", status=status_word(state.language, status)))
    batch = dict(state.table.select("id", "batch").iter_rows())
    choices = [c for c in (listed or "").split(";") if c]
    taken = choices.index(school) if status == "admitted" and school in choices else len(choices)
    at_schools = store.admitted_at(allocation.seq, choices[:taken]) if taken else []
    for n, better in enumerate(choices[:taken], start=1):
        admitted = [r for r in at_schools if r[3] == better and (r[4] or "").startswith("choice:")]
        if not admitted:
            continue
        last = max(admitted, key=lambda r: r[5])
        gap = ""
        if batch.get(last[0]) != batch.get(applicant) and batch.get(last[0]) is not None and (batch.get(applicant) is None or batch[last[0]] < batch[applicant]):
            gap = state.say("x.gap_batch")
        elif points is not None and last[6] is not None:
            from decimal import Decimal

            more = Decimal(last[6]) - Decimal(points)
            gap = state.say("x.gap", more=more, id=applicant) if more > 0 else state.say("x.gap_tie")
        lines.append(state.say("x.better", school=better, n=n, rank=rank, cut=last[5], points=last[6], gap=gap))
    return lines


def _row_at(store: Store, seq: int, applicant: str) -> tuple | None:
    """The applicant's outcome row as it stood after entry ``seq``: its latest change at or before it."""
    rows = [row for row in store.history(applicant) if row[0] <= seq]
    return tuple(rows[-1][1:]) if rows else None


def _round(state: State, round_: str | None) -> str:
    if round_ and round_.startswith("choice:"):
        n = round_.split(":", 1)[1]
        return f"第{n}志愿" if state.language == "zh" else f"choice {n}"
    words = {"coordinated": ("coordinated placement", "统筹安排"), "clearing": ("clearing", "补录")}
    english, chinese = words.get(round_ or "", (round_ or "-", round_ or "-"))
    return chinese if state.language == "zh" else english


def _officer_rows(state: State, store: Store, entries: list[LogEntry], applicant: str) -> list[str]:
    """Every row about the applicant in the officers' files the log recorded, read again from the database."""
    lines = [state.say("x.inputs", id=applicant)]
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
                        lines.append(state.say("x.input", seq=entry.seq, stage=state.say(f"stage.{entry.action}"), officer=entry.officer, at=entry.at, file=name, row=row, cells=shown))
    return lines


def _steps(state: State, store: Store, entries: list[LogEntry], applicant: str) -> list[str]:
    lines = [state.say("x.steps")]
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
        where = f" {school} ({_round(state, round_)})" if school else ""
        lines.append(state.say("x.step", seq=seq, at=entry.at, stage=state.say(f"stage.{entry.action}"), status=status_word(state.language, status), school=where))
    return lines
