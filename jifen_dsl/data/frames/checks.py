"""Which records of a cohort become applicants, and every problem of the others, in the order the file gives them.

The rules, taken record by record in file order: a blank record is skipped;
one with a wrong number of cells is refused for that alone; one with a bad cell
for each of its bad cells, in the order of ``policy.read_fields``. A record
whose cells are all good is an applicant unless its id was seen before (ids
compare by :func:`~jifen_dsl.data.identity.id_key`), another unique field's
value was, or its grade has no rules. The tests run over whole columns; only records found
wanting, and ids that may repeat, are looked at one by one.
"""

from __future__ import annotations

from typing import Any, Sequence

import attrs
import polars as pl

from jifen_dsl.data.cells import wrong_width
from jifen_dsl.data.frames.fields import FieldColumn, python_values
from jifen_dsl.data.frames.header import Problems, column_name
from jifen_dsl.data.frames.text import Cells
from jifen_dsl.data.identity import id_key
from jifen_dsl.lang import model
from jifen_dsl.messages import M, Message, T, series

__all__ = ["Verdict", "check_records", "id_keys"]

Found = dict[int, list[tuple[Any, "int | None", Message]]]  # record index -> (group, column or None, reason) of each of its problems


@attrs.frozen
class Verdict:
    """What the records came to: the applicants (record indexes, in order), and what a lenient reading needs of the rest."""

    kept: pl.Series  # record indexes of the applicants
    firsts: dict[int, tuple[str, int]]  # record index -> its id and the first row repeating it, for each id that repeats
    refused: dict[int, int]  # row -> record index, of each record with a problem
    rows: int  # records that are not blank


def check_records(cells: Cells, policy: model.Policy, columns_at: dict[int, int], typed: Sequence[FieldColumn], problems: Problems) -> Verdict:
    """Check every record against ``policy``, adding each problem to ``problems`` in file order."""
    table = cells.table
    for broken in table.broken:
        problems.add(T("unreadable rows"), table.at(broken.row), broken.reason, broken.row)
    found: Found = {}
    good, skipped = _well_formed(cells, found)
    fields = [policy.fields[i] for i in policy.read_fields]
    for field, column in zip(fields, typed):
        position = columns_at.get(field.index)
        for index, reason in column.bad.items():
            if index not in skipped:
                found.setdefault(index, []).append((column_name(field), position or 0, reason))
    typed_ok = (good.scatter(list(found), False) if found else good).arg_true()
    ids = typed[policy.read_fields.index(policy.field(model.ID_FIELD).index)].values
    firsts, repeated = _ids(cells, typed_ok, ids, columns_at[policy.field(model.ID_FIELD).index], found)
    unrepeated = typed_ok.filter(~typed_ok.is_in(repeated)) if repeated else typed_ok
    unrepeated = _unique_values(cells, policy, fields, typed, unrepeated, found)
    kept = _graded(cells, policy, typed, columns_at, unrepeated, found)
    at, numbers = table.at, cells.numbers
    refused: dict[int, int] = {}
    order = sorted(found)
    for index, row in zip(order, numbers.gather(order).to_list() if order else []):
        refused[row] = index
        for group, column, reason in found[index]:
            problems.add(group, at(row) if column is None else at(row, column), reason, row)
    return Verdict(kept, firsts, refused, cells.height - int(cells.blank.sum()))


def _well_formed(cells: Cells, found: Found) -> tuple[pl.Series, set[int]]:
    """Which records are neither blank nor of a wrong width (such a record refused for that alone), and the indexes of the others."""
    blank = cells.blank
    good = ~blank
    skipped = set(blank.arg_true().to_list()) if blank.any() else set()
    if cells.counts is None:
        return good, skipped
    width, counts = cells.width, cells.counts
    wrong = (good & (counts != width)).arg_true()
    for index, count in zip(wrong.to_list(), counts.gather(wrong).to_list()):
        found[index] = [(T("rows with a wrong number of cells"), None, wrong_width(count, width))]
        skipped.add(index)
    return (good.scatter(wrong, False) if len(wrong) else good), skipped


def _ids(cells: Cells, typed_ok: pl.Series, ids: pl.Series, id_column: int, found: Found) -> tuple[dict[int, tuple[str, int]], list[int]]:
    """The records that repeat an earlier record's id (their problem added), and the first record of each repeated id.

    The first record of an id is returned with its id and the first row that
    repeats it (a lenient reading sets it aside with them). Only records whose
    key's hash is shared are compared one by one: distinct hashes are distinct ids.
    """
    written = _taken(ids, typed_ok)
    keys = id_keys(written)
    hashed = keys.hash()
    if hashed.n_unique() == len(hashed):
        return {}, []
    maybe = hashed.is_duplicated().arg_true()
    indexes = typed_ok.gather(maybe).to_list()
    numbers = cells.numbers.gather(typed_ok.gather(maybe)).to_list()
    seen: dict[str, tuple[int, int, str]] = {}  # key -> its first record's index, row and id
    firsts: dict[int, tuple[str, int]] = {}
    repeated: list[int] = []
    table = cells.table
    for index, row, key, text in zip(indexes, numbers, keys.gather(maybe).to_list(), written.gather(maybe).to_list()):
        if key not in seen:
            seen[key] = (index, row, text)
            continue
        first_index, first_row, first = seen[key]
        found[index] = [(T("duplicate ids"), id_column, _duplicate_id(text, first, table.row_named(first_row)))]
        firsts.setdefault(first_index, (first, row))
        repeated.append(index)
    return firsts, repeated


def _taken(column: pl.Series, records: pl.Series) -> pl.Series:
    """The column's values of these records (ascending indexes): the column itself when they are every record, as they usually are."""
    return column if records.len() == column.len() else column.gather(records)


def id_keys(ids: pl.Series) -> pl.Series:
    """Each id's :func:`~jifen_dsl.data.identity.id_key`: ASCII text is its own key (NFKC keeps it, it holds no format character)."""
    plain = ids.str.len_bytes() == ids.str.len_chars()
    if plain.all():
        return ids
    odd = (~plain).arg_true()
    return ids.clone().scatter(odd, pl.Series([id_key(k) for k in ids.gather(odd).to_list()], dtype=pl.String))


def _duplicate_id(applicant_id: str, first: str, first_row: Message) -> Message:
    """The message for an id seen before: as it was, or, when written differently, how the two compare equal."""
    if first == applicant_id:
        return M("D0416", "duplicate id {id} (first on {row})", id=repr(applicant_id), row=first_row)
    return M(
        "D0417",
        "duplicate id {id}: it is {first} (first on {row}) written with invisible or look-alike characters"
        " (ids are compared after Unicode NFKC normalisation, without invisible format characters)",
        id=repr(applicant_id), first=repr(first), row=first_row,
    )


def _unique_values(cells: Cells, policy: model.Policy, fields, typed: Sequence[FieldColumn], records: pl.Series, found: Found) -> pl.Series:
    """The records whose unique fields (but the id) repeat no value of an earlier record; the others' problems added."""
    unique = [(f, column) for f, column in zip(fields, typed) if f.unique and f.name != model.ID_FIELD]
    if not unique:
        return records
    numbers = cells.numbers.gather(records).to_list()
    indexes = records.to_list()
    table = cells.table
    repeated: set[int] = set()
    for field, column in unique:
        seen: dict[Any, int] = {}
        negative_zero = column.negative_zero.gather(records) if column.negative_zero is not None else None
        for index, row, value in zip(indexes, numbers, python_values(column.values.gather(records), field.type, negative_zero)):
            if value is None:
                continue
            if value in seen:
                found.setdefault(index, []).append((
                    T("duplicate {field}", field=field.name), None,
                    M("D0418", "duplicate {field} {value} (first on {row})", field=field.name, value=repr(value), row=table.row_named(seen[value])),
                ))
                repeated.add(index)
            else:
                seen[value] = row
    return records.filter(~records.is_in(list(repeated))) if repeated else records


def _graded(cells: Cells, policy: model.Policy, typed: Sequence[FieldColumn], columns_at: dict[int, int], records: pl.Series, found: Found) -> pl.Series:
    """The records whose grade the policy has rules for; the others' problems added."""
    covered = sorted(g.value for g in policy.grades)
    if not covered:
        return records
    grade_field = policy.field(model.GRADE_FIELD)
    grades = _taken(typed[policy.read_fields.index(grade_field.index)].values, records)
    outside = (~grades.is_in(covered)).arg_true()
    if not len(outside):
        return records
    column = columns_at[grade_field.index]
    for index, grade in zip(records.gather(outside).to_list(), grades.gather(outside).to_list()):
        found[index] = [(
            T("grades without rules"), column,
            M("D0419", "this policy has no rules for grade {grade} (it covers {grades})", grade=repr(grade), grades=series(covered)),
        )]
    return records.filter(grades.is_in(covered))
