"""Allocation results as CSV, JSON and a worksheet, written from the placement columns.

The columnar counterparts of :func:`jifen_dsl.allocation.report.placement_table`
(written by :func:`jifen_dsl.data.tables.csv_bytes`, or as a workbook by
:func:`jifen_dsl.data.xlsx.workbook_bytes`) and of
:func:`jifen_dsl.allocation.report.placement_records` (written as a run writes
JSON: ``json.dumps(..., ensure_ascii=False, indent=2)`` and a line end): the same
bytes, made by polars without a Python object per applicant. The per-school
summary is :mod:`jifen_dsl.allocation.columnar_summary`'s.

The input frame, one row per applicant in input order (other columns, such as
``eligible``, ``choices`` or ``group`` of :mod:`jifen_dsl.allocation.frame`, are
not read):

- ``id``, ``grade`` (String);
- ``status`` (String, the allocator's constants ``admitted``, ``unplaced``,
  ``not_qualified``, ``ineligible``);
- ``school`` (Int32, an index into the schools list given alongside; null: none);
- ``round`` (String, ``choice:N``, ``coordinated`` or ``clearing``; null: none);
- ``batch`` (Int32, an index into ``policy.batches``; null: none);
- ``rank`` (Int64, null for the unranked);
- ``points`` (:data:`jifen_dsl.lang.columns.DECIMAL`; null writes an empty cell)
  and, if any may be a negative zero, which the struct cannot say, ``points_nz``
  (Boolean) beside it, as the columnar evaluator gives them;
- ``failed`` (List(UInt32), the indexes of the failed requirements in
  ``policy.requirements``, in the evaluator's order);
- the personal detail columns ``f_N`` (String), named by the fields' positions in
  ``policy.read_fields`` (:mod:`jifen_dsl.lang.columns`); only those the policy
  reads need be present, and one left empty for everyone is not written.

That is the placed frame of :func:`jifen_dsl.allocation.frame.placed_frame` with
``points``, ``failed`` and the personal columns beside it. Beside the frame, every
writer takes the policy and the schools the allocation was made over, in the
order ``school`` counts them.

The cells follow the scalar report's rules: schools by id, batches and failed
requirements by name (the latter joined with ``;``), points as
``format(Decimal, "f")`` writes them, and in CSV every text cell a spreadsheet
would read as a formula written with an apostrophe in front
(:mod:`jifen_dsl.data.spreadsheet`). A workbook keeps the text as it is and
writes it as a string cell (:mod:`jifen_dsl.data.xlsxcolumns`), so the cells are
made unguarded for it.
"""

from __future__ import annotations

import io
import json
from typing import Any, Sequence

import polars as pl

from jifen_dsl.data.schools import School
from jifen_dsl.data.spreadsheet import needs_guard
from jifen_dsl.data.xlsxcolumns import ColumnSheet, column_sheet
from jifen_dsl.evaluation.columnar_report import NEGATIVE_ZERO, cell_fixes, csv_bytes_of, listed, personal_columns, points_text, reasons
from jifen_dsl.lang import model

__all__ = [
    "COLUMNS", "PLACEMENT_NUMERIC", "NEGATIVE_ZERO", "listed", "points_text", "finished_cells",
    "placement_cells", "placement_cells_lazy", "placement_csv_bytes", "json_text", "placement_json_bytes", "placement_sheet",
]

COLUMNS = ("id", "grade", "status", "school", "round", "batch", "rank", "points", "failed")

# What json.dumps(..., ensure_ascii=False) escapes in a string, and how: the quote, the
# backslash and every control character below U+0020 (\n, \t and a few more by letter).
_ESCAPED = ['"', "\\", *map(chr, range(0x20))]
_ESCAPES = [json.dumps(ch)[1:-1] for ch in _ESCAPED]
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'
# Inside a record of the list indent=2 writes: the record at two spaces, its keys at four.
_KEY_INDENT = "\n    "
_ITEM_INDENT = "\n      "
_LIST_END = "\n    ]"
_RECORD_END = "\n  }"


def _school_ids(schools: Sequence[School]) -> list[str]:
    return [s.id for s in schools]


def placement_cells(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School], *, guard: bool = True) -> pl.DataFrame:
    """The cells of the results (see :func:`placement_cells_lazy`), made."""
    return placement_cells_lazy(policy, frame, schools, guard=guard).collect()


def placement_cells_lazy(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School], *, guard: bool = True) -> pl.LazyFrame:
    """The cells of the results, as text, one row per applicant in input order (null for an empty cell), as a query.

    The columns of :data:`COLUMNS`, then the personal details the input filled
    in. With ``guard`` (for CSV) a cell a spreadsheet would read as a formula gets
    an apostrophe in front; without it (for a workbook) every cell is the text itself.
    Written by ``csv_streamed``, the cells are made a batch of rows at a time as they are written.
    """
    personal = personal_columns(policy, frame)
    school_ids = _school_ids(schools)
    cells = [
        pl.col("id"),
        pl.col("grade"),
        pl.col("status"),
        listed(pl.col("school"), school_ids).alias("school"),
        pl.col("round"),
        listed(pl.col("batch"), [b.name for b in policy.batches]).alias("batch"),
        pl.col("rank").cast(pl.String).alias("rank"),
        points_text(frame).alias("points"),
        pl.when(pl.col("failed").list.len() > 0).then(reasons(pl.col("failed"), [r.name for r in policy.requirements], ";")).alias("failed"),
    ]
    cells += [pl.col(column).cast(pl.String).alias(name) for name, column in personal]
    # Only text that comes from the files (ids, schools, personal details), and the policy's own
    # names when one of them starts like a formula, can need the guard or be empty; statuses,
    # rounds, ranks and points never do. Each is looked at where it comes from: the ids, the
    # schools file's ids (a cell is one of them), the policy's names.
    named = {
        "grade": policy.field(model.GRADE_FIELD).type.members,
        "batch": [b.name for b in policy.batches],
        "failed": [r.name for r in policy.requirements],
    }
    sources = {"id": frame.get_column("id"), "school": pl.Series(school_ids, dtype=pl.String)}
    sources.update((name, frame.get_column(column).cast(pl.String)) for name, column in personal)
    sources.update((name, pl.Series(list(values), dtype=pl.String)) for name, values in named.items() if any(needs_guard(v) for v in values))
    return frame.lazy().select(cells).with_columns(cell_fixes(sources, guard))


def finished_cells(cells: pl.DataFrame, guard: bool, *, only: Sequence[str] | None = None) -> pl.DataFrame:
    """The cells with each empty one null; with ``guard``, an apostrophe before each a spreadsheet would read as a formula.

    An empty cell is written empty, as the csv module writes it (polars would
    quote an empty string). The guard is applied only to the columns with a
    cell starting with one of a formula's first characters: most columns
    (statuses, schools, ranks, points) never have one, and one look at each is
    much cheaper than the guard. With ``only``, the other columns are known to
    hold neither an empty text nor one that needs the guard, and are left as they are.
    """
    names = [name for name in cells.columns if only is None or name in only]
    fixed = cell_fixes({name: cells.get_column(name) for name in names}, guard)
    return cells.with_columns(fixed) if fixed else cells


def placement_csv_bytes(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School], *, bom: bool = False) -> bytes:
    """The results as a CSV file: ``csv_bytes(*placement_table(allocation), bom=bom)`` of the same allocation."""
    return csv_bytes_of(placement_cells(policy, frame, schools), bom=bom)


def json_text(text: pl.Expr, before: str = "", after: str = "", *, escape: bool = True) -> pl.Expr:
    """Text as a JSON string literal, as ``json.dumps(text, ensure_ascii=False)`` writes it, null as ``null``; between ``before`` and ``after``.

    ``escape=False`` is for a column known to hold nothing to escape (no quote,
    backslash or control character): it saves a pass over every cell.
    """
    inner = text.str.replace_many(_ESCAPED, _ESCAPES) if escape else text
    return pl.concat_str([pl.lit(before + '"'), inner, pl.lit('"' + after)]).fill_null(pl.lit(before + "null" + after))


def _json_listed(index: pl.Expr, values: Sequence[Any], before: str, after: str) -> pl.Expr:
    """The JSON literal of the value at each position of ``values`` (``null`` for a null index), between ``before`` and ``after``."""
    literals = [before + json.dumps(v, ensure_ascii=False) + after for v in values]
    return listed(index, literals).fill_null(pl.lit(before + "null" + after))


def _json_failed(policy: model.Policy, failed: pl.Expr, before: str, after: str) -> pl.Expr:
    """The failed requirements' names as indent=2 writes a list inside a record: ``[]``, or one name a line."""
    names = [json.dumps(r.name, ensure_ascii=False) for r in policy.requirements]
    listed = pl.concat_str([pl.lit(before + "[" + _ITEM_INDENT), reasons(failed, names, "," + _ITEM_INDENT), pl.lit(_LIST_END + after)])
    return pl.when(failed.list.len() == 0).then(pl.lit(before + "[]" + after)).otherwise(listed)


def _json_lines(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School]) -> list[pl.Expr]:
    """Each record's lines, one expression a key in the order of placement_records: the key, the value, the comma left out.

    The first line opens the record and the last one closes it, so the lines
    joined by commas and the records by ``,\n`` make the list ``indent=2`` writes.
    """
    personal = personal_columns(policy, frame)
    keys = [*COLUMNS[:4], "school_name", *COLUMNS[4:], *(name for name, _ in personal)]
    texts = ["id", "grade", "status", "round", *(column for _, column in personal)]
    # Ids and names are checked for anything to escape once, column by column: it is rarely there.
    escape = dict(zip(texts, frame.select(pl.col(c).cast(pl.String).str.contains(_NEEDS_ESCAPE).any() for c in texts).row(0)))
    lines = []
    for position, key in enumerate(keys):
        before = ("  {" if position == 0 else "") + _KEY_INDENT + json.dumps(key, ensure_ascii=False) + ": "
        after = _RECORD_END if position == len(keys) - 1 else ""
        column = dict(personal).get(key, key)
        if key in ("school", "school_name"):
            line = _json_listed(pl.col("school"), [s.id if key == "school" else s.name for s in schools], before, after)
        elif key == "batch":
            line = _json_listed(pl.col("batch"), [b.name for b in policy.batches], before, after)
        elif key == "rank":
            line = pl.concat_str([pl.lit(before), pl.col("rank").cast(pl.String), pl.lit(after)]).fill_null(pl.lit(before + "null" + after))
        elif key == "points":  # format_value writes no points as an empty string, not as null
            line = pl.concat_str([pl.lit(before + '"'), points_text(frame).fill_null(pl.lit("")), pl.lit('"' + after)])
        elif key == "failed":
            line = _json_failed(policy, pl.col("failed"), before, after)
        else:
            line = json_text(pl.col(column).cast(pl.String), before, after, escape=bool(escape[column]))
        lines.append(line.alias(f"line{position}"))
    return lines


def placement_json_bytes(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School]) -> bytes:
    """The results as JSON: ``json.dumps(placement_records(allocation), ensure_ascii=False, indent=2) + "\n"``, as UTF-8.

    The lines of each record are made by string expressions, in the layout
    ``indent=2`` gives, and polars' CSV writer, quoting nothing, joins them with
    commas and the records with ``,\n`` straight into bytes: a million records
    are never one Python string. The few columns drawn from short lists
    (schools, batches, requirement names) are made JSON by the json module
    itself, once per listed value.
    """
    if frame.height == 0:
        return b"[]\n"
    out = io.BytesIO()
    out.write(b"[\n")
    lines = frame.lazy().select(_json_lines(policy, frame, schools)).collect()
    lines.write_csv(out, include_header=False, separator=",", line_terminator=",\n", quote_style="never")
    out.seek(-2, io.SEEK_END)  # the last record's ",\n" ends the list instead
    out.write(b"\n]\n")
    out.truncate()
    return out.getvalue()


# ------------------------------------------------------------------ workbooks

# The columns a workbook holds as numbers, as the allocate command names them for cli.emit.xlsx_sheet.
PLACEMENT_NUMERIC = ("points", "rank")


def placement_sheet(policy: model.Policy, frame: pl.DataFrame, schools: Sequence[School]) -> ColumnSheet:
    """The results as the worksheet ``xlsx_sheet("results", placement_table(allocation), ("points", "rank"))`` makes.

    Written by :func:`jifen_dsl.data.xlsxcolumns.workbook_bytes_of`, the workbook
    is byte for byte the one :func:`jifen_dsl.data.xlsx.workbook_bytes` writes.
    """
    return column_sheet("results", placement_cells(policy, frame, schools, guard=False), PLACEMENT_NUMERIC)
