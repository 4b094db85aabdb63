"""Evaluation results as CSV, written from the cohort's columns.

The columnar counterpart of :func:`jifen_dsl.evaluation.report.evaluation_table`
written by :func:`jifen_dsl.data.tables.csv_bytes`: the same bytes, made by
polars without a Python object per applicant. The cells follow the same rules:
points as ``format(Decimal, "f")`` writes them, failed requirements by name
joined with ``;``, the personal details the input filled in, and every text
cell a spreadsheet would read as a formula written with an apostrophe in front
(:mod:`jifen_dsl.data.spreadsheet`).
"""

from __future__ import annotations

import io

from typing import Any, Sequence

import polars as pl

from jifen_dsl.data.output import Streamed
from jifen_dsl.data.spreadsheet import needs_guard
from jifen_dsl.lang import model
from jifen_dsl.lang.columns import decimal_text, field_column
from jifen_dsl.messages import Message, N, T, series

__all__ = ["personal_columns", "evaluation_cells", "evaluation_cells_lazy", "cell_fixes", "csv_bytes_of", "csv_streamed", "guarded", "listed", "points_text", "reasons", "NEGATIVE_ZERO", "summary_line_of", "summary_message"]

_COLUMNS = ("id", "grade", "eligible", "batch", "points", "rank", "failed")
# What spreadsheet.needs_guard says, as expressions: a leading = + - @ tab or carriage return, not a plain number.
_LEADING = r"^[=+\-@\t\r]"
_NUMBER = r"^-?[0-9]+(?:\.[0-9]+)?$"


def personal_columns(policy: model.Policy, frame: pl.DataFrame) -> list[tuple[str, str]]:
    """(field name, column) of the personal details the input filled in, in model.PERSONAL_FIELDS order.

    As :func:`jifen_dsl.evaluation.report.personal_columns`: a column left empty
    for everyone is not carried, so results of data without personal details
    look exactly as before.
    """
    found = []
    for name in model.PERSONAL_FIELDS:
        if not policy.has_field(name):
            continue
        index = policy.field(name).index
        if index not in policy.read_fields:
            continue
        column = field_column(policy.read_fields.index(index))
        if frame.get_column(column).null_count() != frame.height:
            found.append((name, column))
    return found


def guarded(text: pl.Expr) -> pl.Expr:
    """Text cells, each with an apostrophe in front when a spreadsheet would read it as a formula."""
    needs = text.str.contains(_LEADING) & ~text.str.contains(_NUMBER)
    return pl.when(needs).then(pl.lit("'") + text).otherwise(text)


def listed(index: pl.Expr, values: Sequence[Any], dtype: pl.DataType = pl.String) -> pl.Expr:
    """The value at each position of ``values`` (null for a null index): a school's id, a batch's name.

    A gather from the few values: a lookup of each of a million indexes in a
    mapping cost twenty times as much.
    """
    return pl.lit(pl.Series(list(values), dtype=dtype)).gather(index)


def _names(values: list[str]) -> pl.Series:
    return pl.Series(values, dtype=pl.String)


NEGATIVE_ZERO = "points_nz"  # beside the points, as the columnar evaluator names it: which zeros are -0


def points_text(frame: pl.DataFrame) -> pl.Expr:
    """The ``points`` column as ``format(Decimal, "f")`` writes it (null stays null).

    Each distinct value is written once and looked up (:func:`_written_once`): a
    cohort's points take a few hundred values. A coefficient and an exponent
    cannot hold the sign of a negative zero: where the frame has the Boolean
    column ``points_nz`` beside them, as the columnar evaluator gives it, it
    says which zeros are negative.
    """
    text = _written_once(frame.get_column("points"))
    if text is None:
        return pl.lit(None, dtype=pl.String)
    if NEGATIVE_ZERO not in frame.columns or not frame.get_column(NEGATIVE_ZERO).any():
        return text
    negative_zero = pl.col(NEGATIVE_ZERO).fill_null(False) & (pl.col("points").struct.field("c") == 0)
    return pl.when(negative_zero).then(pl.lit("-") + text).otherwise(text)


_TABLE = 1 << 18  # the most slots a table of texts by coefficient and exponent may have


def _written_once(points: pl.Series) -> pl.Expr | None:
    """An expression for each value of ``points`` as text, each distinct value written once; None when every value is null.

    Points usually span a few thousand coefficients and one or two exponents:
    each value then has a slot in a table of texts, found by arithmetic on its
    two fields and read by a gather. Finding the distinct values of a million
    two-field values and looking each up cost five times as much; it remains
    for values spread wider.
    """
    c, e = points.struct.field("c"), points.struct.field("e")
    if c.null_count() == c.len():
        return None
    low, high, least, most = int(c.min()), int(c.max()), int(e.min()), int(e.max())
    width = most - least + 1
    slots = (high - low + 1) * width
    if slots > _TABLE:
        distinct = points.drop_nulls().unique()
        texts = distinct.to_frame().select(decimal_text(pl.col(points.name))).to_series()
        return pl.col(points.name).replace_strict(distinct, texts, default=None, return_dtype=pl.String)

    def slot(coefficient: pl.Expr, exponent: pl.Expr) -> pl.Expr:
        return ((coefficient - low).cast(pl.Int64) * width + (exponent - least).cast(pl.Int64)).cast(pl.UInt32)

    present = pl.DataFrame([c, e]).select(slot(pl.col("c"), pl.col("e")).unique().drop_nulls().alias("slot"))
    values = present.select(
        "slot", pl.struct(c=(pl.col("slot") // width).cast(pl.Int128) + low, e=(pl.col("slot") % width).cast(pl.Int32) + least).alias("v")
    )
    texts = values.select(decimal_text(pl.col("v"))).to_series()
    table = pl.repeat(None, slots, dtype=pl.String, eager=True).scatter(values.get_column("slot"), texts)
    column = pl.col(points.name)
    return pl.lit(table).gather(slot(column.struct.field("c"), column.struct.field("e")))


def reasons(failed: pl.Expr, names: Sequence[str], separator: str) -> pl.Expr:
    """The failed requirements' texts (``names``, by index) joined with ``separator``."""
    texts = pl.Series(list(names), dtype=pl.String)
    return failed.list.eval(pl.element().replace_strict(range(len(texts)), texts, return_dtype=pl.String)).list.join(separator)


def evaluation_cells(policy: model.Policy, frame: pl.DataFrame, *, guard: bool = True) -> pl.DataFrame:
    """The cells of the results (see :func:`evaluation_cells_lazy`), made."""
    return evaluation_cells_lazy(policy, frame, guard=guard).collect()


def evaluation_cells_lazy(policy: model.Policy, frame: pl.DataFrame, *, guard: bool = True, text: bool = True) -> pl.LazyFrame:
    """The cells of the results, as text, one row per applicant in input order (null for an empty cell), as a query.

    Written by :func:`csv_streamed`, the cells are made a batch of rows at a time as
    they are written, never a million rows of text at once.

    ``frame`` holds ``id``, ``grade``, ``failed`` (the failed requirements'
    indexes), ``batch``, ``points`` (and ``points_nz``, if any may be a negative
    zero), ``rank`` and the personal detail columns. With ``guard``, a text cell
    a spreadsheet would read as a formula gets an apostrophe in front (for CSV;
    a workbook writes it as a string cell instead). ``text`` false: for polars' CSV
    writer, which writes them the same (``true``/``false``, the rank's digits, nothing
    for a null), ``eligible`` is left a truth and ``rank`` a number: a million texts fewer.
    """
    personal = personal_columns(policy, frame)
    requirements = [r.name for r in policy.requirements]
    batches = [b.name for b in policy.batches]
    grades = list(policy.field(model.GRADE_FIELD).type.members)
    failed = pl.col("failed")
    cells = [
        pl.col("id"),
        pl.col("grade"),
        (failed.list.len() == 0).alias("eligible") if not text else pl.when(failed.list.len() == 0).then(pl.lit("true")).otherwise(pl.lit("false")).alias("eligible"),
        listed(pl.col("batch"), batches).alias("batch"),
        points_text(frame).alias("points"),
        pl.col("rank").alias("rank") if not text else pl.col("rank").cast(pl.String).alias("rank"),
        pl.when(failed.list.len() > 0).then(reasons(failed, _names(requirements), ";")).alias("failed"),
    ]
    cells += [pl.col(column).cast(pl.String).alias(name) for name, column in personal]
    # Which columns may hold a cell a spreadsheet would read as a formula, or an empty text: the
    # applicant's own text may; the policy's names may only if one of them does; "true"/"false",
    # numbers written by format(Decimal, "f") and ranks never do (and a million cells each is a
    # regular expression's work saved).
    sources = {"id": frame.get_column("id"), **{name: frame.get_column(column).cast(pl.String) for name, column in personal}}
    fixes = cell_fixes(sources, guard)
    if guard:
        named = {"grade": grades, "batch": batches, "failed": requirements}
        fixes += [guarded(pl.col(name)).alias(name) for name, values in named.items() if any(needs_guard(v) for v in values)]
    return frame.lazy().select(cells).with_columns(fixes)


def cell_fixes(sources: dict[str, pl.Series], guard: bool) -> list[pl.Expr]:
    """For each column named, the formula guard where one of its ``sources``' texts needs it, and empty texts made null where one is empty.

    A column's source holds the texts its cells are taken from (the ids, the
    schools file's ids, a policy's names). One look at each says which need
    either; the others are left as they are, not copied (a million ids). The
    guard never makes a text empty, so an empty one is found in the source. An
    empty cell is written empty, as the csv module writes it (polars would quote
    an empty string).
    """
    fixed = []
    for name, source in sources.items():
        if not source.len():
            continue
        lead = guard and bool(source.str.contains(_LEADING).any())
        blank = bool((source == "").any())
        text = guarded(pl.col(name)) if lead else pl.col(name)
        text = text.replace("", None) if blank else text
        if lead or blank:
            fixed.append(text.alias(name))
    return fixed


def csv_bytes_of(cells: pl.DataFrame, *, bom: bool = False) -> bytes:
    """The cells as a CSV file with a header row and Unix line ends, as :func:`jifen_dsl.data.tables.csv_bytes` writes them (with ``bom``, a byte-order mark first)."""
    # Written by polars straight into bytes: a str of the whole file, then encoded, costs twice as much.
    out = io.BytesIO()
    if bom:
        out.write("\ufeff".encode("utf-8"))
    _write_csv(cells, out)
    return out.getvalue()


def csv_streamed(cells: pl.DataFrame | pl.LazyFrame) -> Streamed:
    """The cells as :func:`csv_bytes_of` makes them (no byte-order mark), written by polars straight into the output file.

    Cells given as a query are made as they are written (a third less time for a
    million rows than making them, then writing them).
    """
    return Streamed(lambda handle: _write_csv(cells, handle))


def _write_csv(cells: pl.DataFrame | pl.LazyFrame, handle) -> None:
    if isinstance(cells, pl.LazyFrame):
        cells.sink_csv(handle, quote_style="necessary", line_terminator="\n", null_value="", batch_size=_BATCH)
    else:
        cells.write_csv(handle, quote_style="necessary", line_terminator="\n", null_value="")


_BATCH = 50_000  # rows a query's cells are made and written by at a time


def summary_line_of(frame: pl.DataFrame) -> Message:
    """'200 applicants: 150 eligible (G1 100, G7 50), 50 not eligible', as :func:`jifen_dsl.evaluation.report.summary_line` says it."""
    # Only the two columns counted are read: filtering the whole frame would copy every column.
    eligible = frame.lazy().select("grade", "eligible").filter(pl.col("eligible")).group_by("grade").len().sort("grade").collect().iter_rows()
    return summary_message(frame.height, list(eligible))


def summary_message(total: int, eligible: Sequence[tuple[str, int]]) -> Message:
    """The line that counts an evaluation: ``total`` applicants, ``eligible`` (grade, count) by grade in order."""
    count = sum(n for _, n in eligible)
    applicants = N("{count} applicant", "{count} applicants", total)
    if not count:
        return T("{applicants}: {eligible} eligible, {ineligible} not eligible", applicants=applicants, eligible=count, ineligible=total - count)
    return T(
        "{applicants}: {eligible} eligible ({grades}), {ineligible} not eligible",
        applicants=applicants, eligible=count, grades=series([f"{grade} {n}" for grade, n in eligible]), ineligible=total - count,
    )
