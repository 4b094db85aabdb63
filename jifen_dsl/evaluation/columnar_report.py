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

import polars as pl

from jifen_dsl.lang import model
from jifen_dsl.lang.columns import decimal_text, field_column

__all__ = ["personal_columns", "evaluation_cells", "csv_bytes_of", "guarded"]

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


def _names(values: list[str]) -> pl.Series:
    return pl.Series(values, dtype=pl.String)


def evaluation_cells(policy: model.Policy, frame: pl.DataFrame) -> pl.DataFrame:
    """The cells of the results, as text, one row per applicant in input order (null for an empty cell).

    ``frame`` holds ``id``, ``grade``, ``failed`` (the failed requirements'
    indexes), ``batch``, ``points``, ``rank`` and the personal detail columns.
    """
    personal = personal_columns(policy, frame)
    requirement_names = _names([r.name for r in policy.requirements])
    batch_names = _names([b.name for b in policy.batches])
    failed = pl.col("failed")
    cells = [
        pl.col("id"),
        pl.col("grade"),
        pl.when(failed.list.len() == 0).then(pl.lit("true")).otherwise(pl.lit("false")).alias("eligible"),
        pl.col("batch").replace_strict(range(len(batch_names)), batch_names, default=None, return_dtype=pl.String).alias("batch"),
        decimal_text(pl.col("points")).alias("points"),
        pl.col("rank").cast(pl.String).alias("rank"),
        failed.list.eval(pl.element().replace_strict(range(len(requirement_names)), requirement_names, return_dtype=pl.String)).list.join(";").alias("failed"),
    ]
    cells += [pl.col(column).cast(pl.String).alias(name) for name, column in personal]
    return frame.lazy().select(cells).with_columns(
        # An empty cell is written empty, as the csv module writes it (polars would quote an empty string).
        [guarded(pl.col(name)).replace("", None).alias(name) for name in (*_COLUMNS, *(name for name, _ in personal))]
    ).collect()


def csv_bytes_of(cells: pl.DataFrame, *, bom: bool = False) -> bytes:
    """The cells as a CSV file with a header row and Unix line ends, as :func:`jifen_dsl.data.tables.csv_bytes` writes them."""
    text = cells.write_csv(quote_style="necessary", line_terminator="\n", null_value="")
    return ("\ufeff" + text if bom else text).encode("utf-8")
