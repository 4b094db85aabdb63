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

from typing import Any

import attrs
import polars as pl

from jifen_dsl.lang import columns, model
from jifen_dsl.runs.publish import PublicList, admission_list, points_list
from jifen_dsl.season.stages import HOLDING, State

__all__ = ["public_list", "LISTS"]

LISTS = ("qualification", "admission", "clearing")
_HEAD = {"en": "Season log head: {digest}", "zh": "招生季日志摘要：{digest}"}


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
    language = "zh" if state.language == "zh" else "en"
    return attrs.evolve(found, notes=(*found.notes, _HEAD[language].format(digest=head)))
