"""Read an applicant file into typed records for one policy.

A record holds the values of exactly the fields the policy reads
(``policy.read_fields``), in that order, then one empty list of evidence items
for each indicator whose evidence the policy counts (``policy.evidence``; see
:mod:`jifen_dsl.data.evidence` for filling them). The file may be CSV, XLSX, JSON or JSON
Lines. It is read, typed and checked as columns by :mod:`jifen_dsl.data.frames`,
once, for every format; the applicants are then made from the columns. Every
problem in the file is collected - missing columns, bad cells, duplicate ids,
grades the policy has no rules for - and reported together with file, row and
column; nothing is dropped silently. With ``lenient``, rows with problems are
set aside as :class:`Reject` records carrying their reasons, for the caller to
write to a rejects file.

The frames reader imports polars, so it is imported only when a file is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

import attrs

from jifen_dsl.data.cells import Table
from jifen_dsl.data.records import Applicant, Reject
from jifen_dsl.lang import model
from jifen_dsl.progress import NO_PROGRESS
from jifen_dsl.progress import Progress as ProgressBar

if TYPE_CHECKING:
    import polars as pl

    from jifen_dsl.lang.typesys import Type

__all__ = ["Applicant", "Reject", "ApplicantFile", "read_applicants", "load_applicants", "records_from_rows", "records_from_table"]

Progress = Callable[[int], None]

# The kinds whose values are objects made from a column's cells: equal cells give one object, shared.
_SHARED = ("decimal", "school_list", "text_list")


@attrs.frozen(eq=False)
class ApplicantFile:
    """An applicant file read for one policy: the table, the applicants, and the rows set aside."""

    table: Table
    applicants: list[Applicant]
    rejects: list[Reject]
    rows: int | None = None  # data rows read, blank ones not counted (None: count them from the table)


def read_applicants(
    path: str, policy: model.Policy, *, input_format: str | None = None, encoding: str | None = None, sheet: str | None = None,
    formulas: str = "refuse",
) -> list[Applicant]:
    """Read an applicant file (CSV, XLSX, JSON or JSON Lines); raise DataError listing every problem."""
    return load_applicants(path, policy, input_format=input_format, encoding=encoding, sheet=sheet, formulas=formulas).applicants


def load_applicants(
    path: str,
    policy: model.Policy,
    *,
    input_format: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    lenient: bool = False,
    progress: ProgressBar = NO_PROGRESS,
    formulas: str = "refuse",
) -> ApplicantFile:
    """Read an applicant file; with ``lenient``, set bad rows aside instead of failing on them (``formulas``: see read_table).

    The file is read by :func:`jifen_dsl.data.frames.read_cohort_frame`; for a
    CSV file polars read, the table's ``rows`` are read again from the file
    when they are iterated.
    """
    from jifen_dsl.data.frames import read_cohort_frame

    read = read_cohort_frame(
        path, policy, input_format=input_format, encoding=encoding, sheet=sheet, lenient=lenient, progress=progress, formulas=formulas
    )
    return ApplicantFile(read.table, applicants_of(read.frame, policy, read.negative_zero), read.rejects, read.rows)


def records_from_rows(
    path: str,
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    policy: model.Policy,
) -> list[Applicant]:
    """Typed applicants from a header and (line, cells) rows of a CSV file; raise DataError listing every problem."""
    table = Table(path, "csv", tuple(header), [(line, list(cells)) for line, cells in rows])
    return records_from_table(table, policy)[0]


def records_from_table(
    table: Table, policy: model.Policy, *, lenient: bool = False, progress: Progress | None = None
) -> tuple[list[Applicant], list[Reject]]:
    """Typed applicants and, with ``lenient``, the rows set aside; raise DataError listing every problem."""
    from jifen_dsl.data.frames.reader import cohort_frame
    from jifen_dsl.data.frames.text import TableCells

    read = cohort_frame(TableCells(table), policy, lenient=lenient, advance=progress)
    return applicants_of(read.frame, policy, read.negative_zero), read.rejects


def applicants_of(frame: "pl.DataFrame", policy: model.Policy, negative_zero: "dict[str, pl.Series] | None" = None) -> list[Applicant]:
    """The applicants of a cohort frame (``row``, ``id``, ``grade``, then ``f_N`` for each field the policy reads), in its order.

    Each record holds the fields' values as :func:`jifen_dsl.lang.columns.column_values`
    gives them - a decimal that ``negative_zero`` (``CohortFrame.negative_zero``)
    marks as ``-0`` with its sign - then an empty list for each evidence list of the policy.
    """
    negative_zero = negative_zero or {}
    from jifen_dsl.lang.columns import field_column

    evidence = ((),) * len(policy.evidence)
    values = [
        _values(frame.get_column(field_column(position)), policy.fields[index].type, negative_zero.get(field_column(position)))
        for position, index in enumerate(policy.read_fields)
    ]
    records = zip(*values)
    if evidence:
        records = (record + evidence for record in records)
    rows, ids, grades = (frame.get_column(name).to_list() for name in ("row", "id", "grade"))
    return [Applicant(row, id_, grade, record) for row, id_, grade, record in zip(rows, ids, grades, records)]


def _values(column: "pl.Series", type_: "Type", negative_zero: "pl.Series | None") -> list[Any]:
    """A column's values; for a decimal or a list, each distinct value made once and shared by the records that hold it."""
    from jifen_dsl.data.frames.fields import python_values
    from jifen_dsl.lang import columns

    if negative_zero is not None:  # the column holds -0 as 0: the values with their sign, each made alone
        return python_values(column, type_, negative_zero)
    if type_.kind not in _SHARED or len(column) < 2:
        return columns.column_values(column, type_)
    distinct = column.unique(maintain_order=True)
    if len(distinct) == len(column):
        return columns.column_values(column, type_)
    made = columns.column_values(distinct, type_)
    at = column.to_frame("v").join(distinct.to_frame("v").with_row_index("at"), on="v", how="left", maintain_order="left", nulls_equal=True)
    return [made[k] for k in at.get_column("at").to_list()]
