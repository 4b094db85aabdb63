"""``season publish``: the masked public list (公示) of a stage, with the log's head digest printed on it.

The lists are those of ``jifen publish`` (:mod:`jifen_dsl.runs.publish`), made
from the season's state: the qualification list is everyone's points and
eligibility in rank order; the admission list those holding a seat from the
allocation; the clearing list those placed in clearing. Names and identity
numbers are masked by the policy's rule. Every list carries the head digest of
the log it was made from, so that ``season verify --head`` can later confirm
that the log still holds it.
"""

from __future__ import annotations

import os
from typing import Any

import attrs
import polars as pl

from jifen_dsl.lang import columns, model
from jifen_dsl.messages import T
from jifen_dsl.runs.publish import PublicList, admission_list, points_list
from jifen_dsl.season.stages import HOLDING, State

__all__ = ["public_list", "publish", "LISTS"]

LISTS = ("qualification", "admission", "clearing")


def _records(state: State) -> list[dict[str, Any]]:
    """One record per applicant, as the public lists read them (personal details from the application file)."""
    policy = state.policy
    table = state.table
    names = {s.id: s.name for s in state.schools}
    frame = state.cohort_data().frame.select("id", *(_personal_column(policy, n) for n in model.PERSONAL_FIELDS if policy.has_field(n) and policy.field(n).index in policy.read_fields))
    joined = table.join(frame, on="id", how="left", maintain_order="left")
    records = []
    for row in joined.iter_rows(named=True):
        record = {
            "id": row["id"], "grade": row["grade"], "rank": row["rank"], "points": row["points"] or "",
            "eligible": row["eligible"], "status": row["status"], "school": row["school"], "school_name": names.get(row["school"], ""),
            "round": row["round"],
        }
        for name in model.PERSONAL_FIELDS:
            if name in row:
                record[name] = row[name]
        records.append(record)
    return records


def _personal_column(policy: model.Policy, name: str) -> pl.Expr:
    position = policy.read_fields.index(policy.field(name).index)
    return pl.col(columns.field_column(position)).alias(name)


def public_list(state: State, which: str, head: str) -> PublicList:
    """The public list ``which`` (LISTS) of the season as it stands, noting the log head ``head``."""
    records = _records(state)
    if which == "qualification":
        found = points_list(records, state.policy)
    else:
        clearing = which == "clearing"
        chosen = [
            dict(r, status="admitted") for r in records
            if r["status"] in HOLDING and r["school"] and ((r["round"] == "clearing") == clearing)
        ]
        found = admission_list(chosen or [{"status": "none"}], state.policy)  # none admitted: an empty list, not an evaluate file
    note = T("Season log head: {digest}", digest=head).render(found.language)  # in the language of the list it is printed on
    return attrs.evolve(found, notes=(*found.notes, note))


def list_bytes(public: PublicList, fmt: str) -> bytes:
    """The list as a file: HTML, CSV or XLSX, each with its notes (the log head among them) under the rows."""
    from jifen_dsl.data.tables import csv_bytes
    from jifen_dsl.data.xlsx import Sheet, workbook_bytes
    from jifen_dsl.runs.public_html import html_page

    if fmt == "html":
        return html_page(public).encode("utf-8")
    notes = [[note] for note in public.notes]
    if fmt == "csv":
        return csv_bytes(public.header, list(public.rows) + notes)
    return workbook_bytes([Sheet(public.sheet_title, public.header, list(public.rows) + [[]] + notes, numeric=public.numeric)])


def publish(folder: str, which: str, fmt: str, output: str, officer: str, reason: str) -> tuple[int, str]:
    """Write the public list ``which`` and record the publication in the log; the number of rows and the head printed on it.

    The list is made from the season as the log's head leaves it, and printed with
    that head; the publication's own entry (the list, the format, the file's name
    and digest) follows it. The file is written inside the transaction: a list
    that cannot be written is not recorded.
    """
    from jifen_dsl.data.output import write_bytes_atomic
    from jifen_dsl.season.commands import current_state, open_store
    from jifen_dsl.season.stages import require
    from jifen_dsl.season.store import digest_of

    store = open_store(folder)
    try:
        with store.transaction():
            state = current_state(store)
            require(state, "publish")
            last = store.entries()[-1]
            public = public_list(state, which, last.digest)
            data = list_bytes(public, fmt)
            options = {"list": which, "format": fmt, "file": os.path.basename(output), "digest": digest_of(data), "head": last.digest}
            store.append("publish", officer, reason, [], options, "", last.state)
            write_bytes_atomic(output, data)
        return len(public.rows), last.digest
    finally:
        store.close()
