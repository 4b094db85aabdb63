"""Read an applicant file into typed polars columns: the applicants, the rows set aside, and every problem.

:func:`read_cohort_frame` reads a CSV file with polars when it can
(:mod:`~jifen_dsl.data.frames.csvframe`) and every other file - a workbook,
JSON, JSON Lines, a CSV file polars leaves to the csv module - with the
existing readers (:func:`jifen_dsl.data.readers.read_table`), whose rows it
turns into columns (:mod:`~jifen_dsl.data.frames.text`). Then, the same for
every format: the header is matched to the policy's fields
(:mod:`~jifen_dsl.data.frames.header`), each field's column typed
(:mod:`~jifen_dsl.data.frames.fields`) and the records checked
(:mod:`~jifen_dsl.data.frames.checks`). :func:`cohort_frame` does the same for
cells already read (a table made by the caller, as ``TableCells``).

The frame holds one row per applicant: ``row`` (Int64, where the applicant is
in the file), ``id`` and ``grade`` (String), then ``f_N`` for each field the
policy reads, at its position N in ``policy.read_fields``, typed as
:mod:`jifen_dsl.lang.columns` says. Every problem is reported with its file,
row and column, in file order, in one DataError - or, with ``lenient``, the
rows with problems are set aside as :class:`~jifen_dsl.data.records.Reject`
records with their reasons. :mod:`jifen_dsl.data.applicants` makes the
applicant records of the frame.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Collection

import attrs
import polars as pl

from jifen_dsl.data.records import Reject, file_language
from jifen_dsl.data.cells import Table
from jifen_dsl.data.frames.checks import Verdict, check_records
from jifen_dsl.data.frames.csvframe import read_csv_cells
from jifen_dsl.data.frames.fields import FieldColumn, field_column
from jifen_dsl.data.frames.header import HEADER, Problems, column_map, nameless_columns
from jifen_dsl.data.frames.text import Cells, TableCells
from jifen_dsl.data.identity import CHECKED
from jifen_dsl.data.readers import format_of, read_table
from jifen_dsl.data.xlsxbook import hidden_note
from jifen_dsl.errors import DataError
from jifen_dsl.lang import columns, model
from jifen_dsl.messages import M, T, render
from jifen_dsl.progress import NO_PROGRESS, Progress

__all__ = ["CohortFrame", "read_cohort_frame", "cohort_frame", "read_cells"]


@attrs.frozen(eq=False)
class CohortFrame:
    """An applicant file read for one policy: the table it came from, the applicants' columns, and the rows set aside.

    ``table`` answers what ``ApplicantFile.table`` answers: path, format, header,
    digest, encoding, sheet, broken rows, ``at`` (where a row is); its ``rows``,
    for a CSV file polars read, are read again from the file when iterated.
    """

    table: Table
    frame: pl.DataFrame
    rejects: list[Reject]
    rows: int  # data rows read, blank ones not counted
    evidence: Table | None = None  # the evidence file read into the cohort's v_N columns, if any
    # f_N -> which applicants' decimal is a negative zero (-0, -0.00), which the column holds as 0; only columns with one.
    negative_zero: dict[str, pl.Series] = attrs.field(factory=dict)


def read_cohort_frame(
    path: str,
    policy: model.Policy,
    *,
    input_format: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    lenient: bool = False,
    progress: Progress | None = None,
    formulas: str = "refuse",
    digest_now: bool = True,
    unread: Collection[int] = (),
) -> CohortFrame:
    """Read an applicant file (CSV, XLSX, JSON or JSON Lines) for ``policy``; raise DataError listing every problem.

    With ``lenient``, rows with problems are set aside instead (a header that
    does not fit is an error all the same). ``formulas``: see ``read_table``.
    ``digest_now`` false: a CSV file polars reads has its digest taken only when
    the table's ``digest`` is first asked for (see ``read_csv_cells``). ``unread``:
    the fields (by index) whose values the caller never reads; their cells are
    checked all the same, but for a list's, which are never refused: those are not
    looked at, and the list's column is left null.
    """
    cells = read_cells(path, input_format=input_format, encoding=encoding, sheet=sheet, formulas=formulas, digest_now=digest_now)
    return cohort_frame(cells, policy, lenient=lenient, advance=(progress or NO_PROGRESS).phase(render(T("reading")), cells.height), unread=unread)


def cohort_frame(
    cells: Cells, policy: model.Policy, *, lenient: bool = False, advance: Callable[[int], None] | None = None, unread: Collection[int] = ()
) -> CohortFrame:
    """The cohort of cells already read (``TableCells(table)`` for a table); raise DataError listing every problem.

    As :func:`read_cohort_frame` after reading the file; ``advance``, when
    given, is called with the number of records once they are typed.
    """
    table = cells.table
    problems = Problems()
    columns_at = column_map(table, policy, problems)
    nameless_columns(cells, problems)
    if problems:
        if table.hidden:  # the data may be on a sheet a person cannot see: say so
            problems.add(HEADER, table.path, hidden_note(table.hidden))
        raise problems.error(M("D0400", "{path}: the header does not fit the policy {policy}", path=table.path, policy=policy.path))
    typed = _typed(cells, policy, columns_at, frozenset(unread))
    verdict = check_records(cells, policy, columns_at, typed, problems)
    if advance is not None:
        advance(cells.height)
    if not table.broken and not verdict.rows:
        raise DataError([M("D0423", "{path}: the file has a header but no applicant rows", path=table.path)])
    if problems and not lenient:
        raise problems.error(T("{path}: the applicant data has problems", path=table.path))
    kept, rejects = _set_aside(cells, verdict, problems) if problems else (verdict.kept, [])
    return CohortFrame(table, _frame(cells, policy, typed, kept), rejects, verdict.rows, negative_zero=_negative_zeros(cells, typed, kept))


def read_cells(
    path: str, *, input_format: str | None = None, encoding: str | None = None, sheet: str | None = None, formulas: str = "refuse",
    what: str = "applicant", digest_now: bool = True,
) -> Cells:
    """The cells of a file: read by polars if it is a CSV file polars reads as the csv module does, else by read_table."""
    if sheet is None and format_of(path, input_format) == "csv":
        found = read_csv_cells(path, input_format=input_format, encoding=encoding, what=what, digest_now=digest_now)
        if found is not None:
            return found
    table = read_table(path, fmt=input_format, encoding=encoding, sheet=sheet, what=what, formulas=formulas)
    return TableCells(table)


def _typed(cells: Cells, policy: model.Policy, columns_at: dict[int, int], unread: frozenset[int]) -> list[FieldColumn]:
    """Each field's column, typed a few at a time (polars lets go of the interpreter while it works), its text let go of once typed."""

    def typed(slot: tuple[int, int]) -> FieldColumn:
        position, index = slot
        found = field_column(cells, policy.fields[index], columns_at.get(index), columns.field_column(position), values=index not in unread)
        if columns_at.get(index) is not None:
            cells.release(columns_at[index])
        return found

    for position in set(range(cells.width)) - set(columns_at.values()):  # columns the policy does not read
        cells.release(position)
    slots = list(enumerate(policy.read_fields))
    # The costliest columns first, so that the threads end together rather than one typing a
    # date-and-time column alone at the end while the other waits.
    slots.sort(key=lambda slot: -_typing_cost(policy.fields[slot[1]], slot[1] in unread))
    # As many threads as polars has: more only make them wait on each other (four on two cores took a third longer).
    with ThreadPoolExecutor(max(1, min(pl.thread_pool_size(), os.cpu_count() or 1))) as pool:
        found = dict(zip((position for position, _ in slots), pool.map(typed, slots)))
    return [found[position] for position in range(len(slots))]


# How long a column of each kind takes to type, roughly, in units of a yes/no column's time.
_COSTS = {"datetime": 7, "date": 3, "decimal": 3, "integer": 2, "school_list": 6, "text_list": 6}


def _typing_cost(field: model.Field, unread: bool) -> int:
    """About how long a field's column takes to type, to give the costliest ones out first."""
    kind = field.type.kind
    if kind in ("school_list", "text_list") and unread:
        return 0  # not looked at
    if kind == "text" and (field.unique or field.name in CHECKED):
        return 5  # every cell checked, few repeat
    return _COSTS.get(kind, 1)


def _set_aside(cells: Cells, verdict: Verdict, problems: Problems) -> tuple[pl.Series, list[Reject]]:
    """With --lenient: the applicants kept, and the rows with problems - and every row of a duplicated id - set aside with their reasons.

    A reject's reasons are text (they go to the rejects file and the warning that
    lists it), put into words here, in the language of a run's files.
    """
    table = cells.table
    reasons = {row: list(found) for row, found in problems.by_row.items()}
    refused = dict(verdict.refused)
    kept = verdict.kept
    if verdict.firsts:  # the first row of an id that repeats looked fine when it was read: it goes too
        out = kept.filter(kept.is_in(list(verdict.firsts))).to_list()
        for index, row in zip(out, cells.numbers.gather(out).to_list()):
            applicant_id, again = verdict.firsts[index]
            reasons.setdefault(row, []).append(M(
                "D0424", "duplicate id {id}: it appears again on {row}, so every row with this id is set aside",
                id=repr(applicant_id), row=table.row_named(again),
            ))
            refused[row] = index
        kept = kept.filter(~kept.is_in(out)) if out else kept
    raw = {b.row: b.raw for b in table.broken}
    order = sorted(reasons)
    read = dict(zip((row for row in order if row in refused), cells.cells([refused[row] for row in order if row in refused])))
    lang = file_language()
    rejects = [Reject(row, read[row] if row in read else (raw.get(row, ""),), tuple(render(r, lang) for r in reasons[row])) for row in order]
    return kept, rejects


def _negative_zeros(cells: Cells, typed: list[FieldColumn], kept: pl.Series) -> dict[str, pl.Series]:
    """f_N -> the applicants' negative zeros, for each decimal column where an applicant has one."""
    found = {}
    for position, column in enumerate(typed):
        if column.negative_zero is not None:
            mine = column.negative_zero if len(kept) == cells.height else column.negative_zero.gather(kept)
            if mine.any():
                found[columns.field_column(position)] = mine
    return found


def _frame(cells: Cells, policy: model.Policy, typed: list[FieldColumn], kept: pl.Series) -> pl.DataFrame:
    """The applicants' columns: row, id, grade, then each field the policy reads."""
    id_at = policy.read_fields.index(policy.field(model.ID_FIELD).index)
    grade_at = policy.read_fields.index(policy.field(model.GRADE_FIELD).index)
    everything = len(kept) == cells.height
    pick = (lambda s: s) if everything else (lambda s: s.gather(kept))
    out = [pick(cells.numbers).alias("row"), pick(typed[id_at].values).alias("id"), pick(typed[grade_at].values).alias("grade")]
    out += [pick(column.values) for column in typed]
    return pl.DataFrame(out)
