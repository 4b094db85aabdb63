"""A season's state after a stage, kept so that the next command need not replay the whole log.

A snapshot is one blob in the database's ``files`` table, named by its SHA-256
and named in its log entry (``state``): a line of JSON (the stages done, the
windows closed, the corrections as their officers wrote them, the imported
file) and the applicants' table as Arrow IPC. The policy and the schools come
from the season's ``init``; the cohort is read again from the imported file
only when a stage needs it (a correction, explain, a public list). ``verify``
never trusts a snapshot: it replays the log and compares.
"""

from __future__ import annotations

import io
import json
from typing import Any, Callable

import attrs
import polars as pl

from jifen_dsl.season.stages import Correction, State

__all__ = ["dump", "load"]


def dump(state: State) -> bytes:
    meta = {
        "done": state.done,
        "confirm_closed": state.confirm_closed,
        "register_closed": state.register_closed,
        "cohort_file": list(state.cohort_file) if state.cohort_file else None,
        "corrections": [
            {"id": c.id, "field": c.field, "verdict": c.verdict, "old": c.old, "new": c.new, "reason": c.reason, "officer": c.officer, "source": c.source}
            for c in state.corrections
        ],
    }
    head = json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n"
    if state.table is None:
        return head
    buffer = io.BytesIO()
    state.table.rechunk().write_ipc(buffer, compression="zstd")  # a tenth of the size, as fast
    return head + buffer.getvalue()


def load(data: bytes, base: State, retype: Callable[[dict[str, Any], State], Any], cohort_loader: Callable[[], Any] | None) -> State:
    """The state a snapshot holds, over ``base`` (the policy and schools of the season's init)."""
    head, _, body = data.partition(b"\n")
    meta = json.loads(head.decode("utf-8"))
    table = pl.read_ipc(io.BytesIO(body)) if body else None
    state = attrs.evolve(
        base,
        table=table,
        done=list(meta["done"]),
        confirm_closed=meta["confirm_closed"],
        register_closed=meta["register_closed"],
        cohort_file=tuple(meta["cohort_file"]) if meta["cohort_file"] else None,
        cohort_loader=cohort_loader,
    )
    corrections = []
    for c in meta["corrections"]:
        corrections.append(Correction(c["id"], c["field"], retype(c, state), c["verdict"], c["old"], c["new"], c["reason"], c["officer"], c["source"]))
    return attrs.evolve(state, corrections=corrections)
