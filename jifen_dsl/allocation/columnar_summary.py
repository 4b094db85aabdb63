"""The per-school summary of an allocation, computed from the placement columns.

The columnar counterpart of :func:`jifen_dsl.allocation.report.summary` and
:func:`jifen_dsl.allocation.report.summary_table`: the same dictionary, so the
same JSON, and the same CSV and workbook, byte for byte. The counting - how many
came to each status, how many each school admitted in each round and batch, the
lowest points it admitted by choice - is done by polars over the applicants'
columns (:mod:`jifen_dsl.allocation.columnar_report` describes the frame; the
summary reads ``status``, ``school``, ``round``, ``batch`` and ``points``). What
is left is one entry per school, made in Python as the scalar summary makes it,
subsidies in exact Decimal arithmetic: a few thousand schools at most.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Sequence

import polars as pl

from jifen_dsl.allocation.allocator import ADMITTED, INELIGIBLE, NOT_QUALIFIED, UNPLACED
from jifen_dsl.allocation.columnar_report import NEGATIVE_ZERO, finished_cells, listed, points_text
from jifen_dsl.data.schools import School
from jifen_dsl.data.values import format_value
from jifen_dsl.data.xlsxcolumns import ColumnSheet, column_sheet
from jifen_dsl.evaluation.columnar_report import csv_bytes_of
from jifen_dsl.lang import model
from jifen_dsl.lang.columns import decimal_from_parts

__all__ = ["SUMMARY_COLUMNS", "SUMMARY_NUMERIC", "summary_of", "summary_cells", "summary_csv_bytes", "summary_json_bytes", "summary_sheet"]

_ROUND_KINDS = ("choices", "coordinated", "clearing")
_STATUSES = (ADMITTED, UNPLACED, NOT_QUALIFIED, INELIGIBLE)
SUMMARY_COLUMNS = (
    "school", "name", "type", "grade", "seats", "admitted", "choices", "coordinated", "clearing", "by batch", "cutoff", "remaining", "subsidy",
)
# The columns a workbook holds as numbers, as the allocate command names them for cli.emit.xlsx_sheet.
SUMMARY_NUMERIC = ("seats", "admitted", "choices", "coordinated", "clearing", "cutoff", "remaining", "subsidy")


def _admitted(policy: model.Policy, frame: pl.DataFrame) -> pl.LazyFrame:
    """The admitted, in input order: school, the kind of round (as the summary counts it), batch name, points."""
    round_ = pl.col("round")
    batch = listed(pl.col("batch"), [b.name for b in policy.batches]).fill_null(pl.lit("-"))
    return (
        frame.lazy()
        .select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("_position"), pl.all().exclude("_position"))
        .filter(pl.col("status") == ADMITTED)
        .select(
            "_position", "school",
            pl.when(round_.str.starts_with("choice:")).then(pl.lit("choices")).otherwise(round_).alias("kind"),
            batch.alias("batch"), "points", *([NEGATIVE_ZERO] if NEGATIVE_ZERO in frame.columns else []),
        )
    )


def _parts(points: pl.Expr) -> list[pl.Expr]:
    return [points.struct.field("c").alias("c"), points.struct.field("e").alias("e")]


def _decimal_order(points: pl.DataFrame) -> pl.DataFrame:
    """Each distinct (c, e) of ``points`` with ``order``, its rank by value: decimals do not sort by their parts."""
    distinct = points.select(_parts(pl.col("points"))).unique()
    values = [decimal_from_parts(c, e) for c, e in distinct.iter_rows()]
    order = {value: rank for rank, value in enumerate(sorted(set(values)))}
    return distinct.with_columns(pl.Series("order", [order[v] for v in values], dtype=pl.UInt32))


def _cutoffs(admitted: pl.DataFrame) -> dict[int, str]:
    """Per school index: the lowest points among those admitted by choice, as ``format_value`` writes them.

    Of equal values written differently (85.5 and 85.50) the first in input order
    is shown, as Python's ``min`` picks it.
    """
    by_choice = admitted.filter((pl.col("kind") == "choices") & pl.col("points").is_not_null())
    if by_choice.height == 0:
        return {}
    ordered = by_choice.with_columns(_parts(pl.col("points"))).join(_decimal_order(by_choice), on=["c", "e"], how="left")
    lowest = ordered.sort("order", "_position").group_by("school", maintain_order=True).first()
    return dict(lowest.select("school", points_text(lowest)).iter_rows())


def _counts_by(admitted: pl.DataFrame, column: str) -> dict[int, dict[str, int]]:
    """Per school index: how many were admitted with each value of ``column``."""
    out: dict[int, dict[str, int]] = {}
    for school, value, count in admitted.group_by("school", column).len().iter_rows():
        out.setdefault(school, {})[value] = count
    return out


def summary_of(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School]) -> dict[str, Any]:
    """What :func:`jifen_dsl.allocation.report.summary` gives for the same allocation, from its columns.

    The counting - statuses, admissions per school by round and batch, the
    lowest points admitted by choice - is done by polars over the applicants'
    columns. What remains is one entry per school, made here as the scalar
    summary makes it, subsidies in exact Decimal arithmetic; a school admitted
    to no one counts zero.
    """
    statuses = dict(frame.group_by("status").len().iter_rows())
    admitted = _admitted(policy, frame).collect()
    rounds = _counts_by(admitted, "kind")
    batches = _counts_by(admitted, "batch") if policy.batches else {}
    cutoffs = _cutoffs(admitted)
    subsidies = policy.subsidies
    total = Decimal(0)
    entries = []
    for index, s in enumerate(schools):
        by_round = {kind: rounds.get(index, {}).get(kind, 0) for kind in _ROUND_KINDS}
        taken = sum(rounds.get(index, {}).values())
        rate = amount = None
        grade = policy.grade(s.grade)
        if subsidies is not None and grade is not None and grade.stage is not None:
            rate = subsidies.rate(s.type, grade.stage)
            if rate is not None:
                amount = rate * taken * subsidies.semesters_per_year
                total += amount
        entries.append({
            "id": s.id, "name": s.name, "type": s.type, "grade": s.grade, "seats": s.seats, "admitted": taken,
            "by_round": by_round, "by_batch": dict(sorted(batches.get(index, {}).items())), "cutoff": cutoffs.get(index),
            "remaining": s.seats - taken,
            "subsidy_rate": format_value(rate) if rate is not None else None,
            "subsidy": format_value(amount) if amount is not None else None,
        })
    return {
        "policy": policy.path,
        "applicants": frame.height,
        "counts": {status: statuses.get(status, 0) for status in _STATUSES},
        "schools": entries,
        "subsidy": None if subsidies is None else {
            "semesters_per_year": subsidies.semesters_per_year,
            "rates": [{"type": t, "stage": st, "per_pupil_per_semester": format_value(a)} for t, st, a in subsidies.rates],
            "total": format_value(total),
        },
    }


def summary_cells(data: dict[str, Any], *, guard: bool = True) -> pl.DataFrame:
    """The rows of :func:`jifen_dsl.allocation.report.summary_table` as a frame of text (null for an empty cell), one per school.

    ``data`` is :func:`summary_of`'s result. With ``guard`` (for CSV) a cell a
    spreadsheet would read as a formula - a school's name, say - gets an
    apostrophe in front.
    """
    rows = [
        [
            s["id"], s["name"], s["type"], s["grade"], str(s["seats"]), str(s["admitted"]),
            *(str(s["by_round"][kind]) for kind in _ROUND_KINDS),
            " ".join(f"{k}:{v}" for k, v in s["by_batch"].items()), s["cutoff"] or "", str(s["remaining"]), s["subsidy"] or "",
        ]
        for s in data["schools"]
    ]
    cells = pl.DataFrame(rows, schema={name: pl.String for name in SUMMARY_COLUMNS}, orient="row")
    return finished_cells(cells, guard)


def summary_csv_bytes(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School], *, bom: bool = False) -> bytes:
    """The summary as a CSV file: ``csv_bytes(*summary_table(allocation), bom=bom)`` of the same allocation."""
    return csv_bytes_of(summary_cells(summary_of(policy, frame, schools)), bom=bom)


def summary_json_bytes(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School]) -> bytes:
    """The summary as a run writes it in JSON: ``json.dumps(summary(allocation), ensure_ascii=False, indent=2)`` and a line end."""
    return (json.dumps(summary_of(policy, frame, schools), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def summary_sheet(data: dict[str, Any]) -> ColumnSheet:
    """The summary (:func:`summary_of`'s result) as the worksheet ``xlsx_sheet("summary", summary_table(allocation), ...)`` makes."""
    return column_sheet("summary", summary_cells(data, guard=False), SUMMARY_NUMERIC)
