"""Read an applicant file into typed records for one policy.

A record holds the values of exactly the fields the policy reads
(``policy.read_fields``), in that order, then one empty list of evidence items
for each indicator whose evidence the policy counts (``policy.evidence``; see
:mod:`jifen_dsl.evidence` for filling them). Every problem in the file is
collected - missing columns, bad cells, duplicate ids, grades the policy has no
rules for - and reported together with file, row and column; nothing is dropped
silently.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterable, Sequence

import attrs

from . import model
from .bulk import collector_paused
from .errors import DataError
from .values import CellError, parser_for

__all__ = ["Applicant", "read_applicants", "records_from_rows"]


@attrs.frozen
class Applicant:
    """One application: where it came from and its typed values."""

    row: int  # the line of the file it starts on (the header is line 1)
    id: str
    grade: str
    record: tuple[Any, ...]


def decode_file(path: str) -> str:
    """The text of a UTF-8 data file (a byte-order mark is dropped); raise DataError when it cannot be read."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise DataError([f"{path}: is a directory, not a data file"]) from None
    except OSError as exc:
        raise DataError([f"{path}: cannot read ({exc.strerror})"]) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataError(
            [f"{path}:{line}: the file is not UTF-8 text (byte {exc.start + 1})"],
        ) from None


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint in the words of a person reading the file."""
    text = str(exc)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters; this is not an applicant file"
    if "new-line character seen in unquoted field" in text:
        return "a line break inside a cell that is not in quotes"
    return f"the file is not valid CSV ({text})"


def read_applicants(path: str, policy: model.Policy) -> list[Applicant]:
    """Read a CSV applicant file; raise DataError listing every problem."""
    text = decode_file(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[tuple[int, list[str]]] = []
    try:
        header = next(reader, None)
        line = reader.line_num
        for cells in reader:
            rows.append((line + 1, cells))
            line = reader.line_num
    except csv.Error as exc:
        raise DataError([f"{path}:{reader.line_num}: {_csv_problem(exc)}"]) from None
    if header is None:
        raise DataError([f"{path}: the file is empty; expected a header row and one row per applicant"])
    return records_from_rows(path, header, rows, policy)


def _column_map(path: str, header: Sequence[str], policy: model.Policy, problems: list[str]) -> dict[int, int]:
    """Field index -> column position, for the fields this policy reads."""
    by_name: dict[str, int] = {}
    for position, raw in enumerate(header):
        name = raw.strip().lstrip("\ufeff")
        if not name:
            continue
        if name in by_name:
            problems.append(f"{path}:1:{position + 1}: the column {name!r} appears twice (also column {by_name[name] + 1})")
            continue
        by_name[name] = position
    columns: dict[int, int] = {}
    for index in policy.read_fields:
        field = policy.fields[index]
        found = [by_name[n] for n in (field.name, field.label) if n and n in by_name]
        if len(found) == 2 and found[0] != found[1]:
            problems.append(f"{path}:1: the field {field.name!r} has two columns, {field.name!r} and {field.label!r}; keep one")
        if found:
            columns[index] = found[0]
        elif not field.optional:
            label = f" ({field.label})" if field.label else ""
            problems.append(f"{path}:1: missing column {field.name!r}{label}, which this policy reads")
    return columns


def records_from_rows(
    path: str,
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    policy: model.Policy,
) -> list[Applicant]:
    """Typed applicants from a header and (line, cells) rows; raise DataError listing every problem."""
    problems: list[str] = []
    columns = _column_map(path, header, policy, problems)
    if problems:
        raise DataError(problems, title=f"{path}: the header does not fit the policy {policy.path}")

    plan = [(policy.fields[i], columns.get(i), parser_for(policy.fields[i].type)) for i in policy.read_fields]
    with collector_paused():
        return _typed_rows(path, rows, policy, plan, columns, len(header))


def _typed_rows(path: str, rows, policy: model.Policy, plan, columns: dict[int, int], width: int) -> list[Applicant]:
    """The rows as typed applicants; raise DataError listing every bad row."""
    problems: list[str] = []
    fields = [f for f, _, _ in plan]
    id_pos = policy.read_fields.index(policy.field(model.ID_FIELD).index)
    grade_pos = policy.read_fields.index(policy.field(model.GRADE_FIELD).index)
    covered = {g.value for g in policy.grades}
    no_evidence = ((),) * len(policy.evidence)
    applicants: list[Applicant] = []
    seen_ids: dict[str, int] = {}
    unique_seen: dict[int, dict[Any, int]] = {f.index: {} for f in fields if f.unique and f.name != model.ID_FIELD}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue  # a blank line is not an applicant
        if len(cells) != width:
            problems.append(f"{path}:{line}: the row has {len(cells)} cells but the header has {width}")
            continue
        values: list[Any] = []
        row_ok = True
        for field, column, parse in plan:
            raw = cells[column].strip() if column is not None else ""
            where = f"{path}:{line}:{(column or 0) + 1}: column {field.name!r}" + (f" ({field.label})" if field.label else "")
            if not raw:
                if field.type.kind in ("school_list", "text_list"):
                    values.append(())
                elif field.optional:
                    values.append(field.default)
                else:
                    problems.append(f"{where}: empty, but a value is required")
                    row_ok = False
                    values.append(None)
                continue
            try:
                values.append(parse(raw))
            except CellError as exc:
                problems.append(f"{where}: {exc}")
                row_ok = False
                values.append(None)
        if not row_ok:
            continue
        applicant_id = values[id_pos]
        grade = values[grade_pos]
        if applicant_id in seen_ids:
            problems.append(f"{path}:{line}:{columns[policy.field(model.ID_FIELD).index] + 1}: duplicate id {applicant_id!r} (first on line {seen_ids[applicant_id]})")
            continue
        seen_ids[applicant_id] = line
        for field_index, seen in unique_seen.items():
            value = values[policy.read_fields.index(field_index)]
            if value in seen:
                problems.append(f"{path}:{line}: duplicate {policy.fields[field_index].name} {value!r} (first on line {seen[value]})")
            seen[value] = line
        if covered and grade not in covered:
            problems.append(
                f"{path}:{line}:{columns[policy.field(model.GRADE_FIELD).index] + 1}: this policy has no rules for grade {grade!r}"
                f" (it covers {', '.join(sorted(covered))})"
            )
            continue
        applicants.append(Applicant(line, applicant_id, grade, tuple(values) + no_evidence))
    if problems:
        raise DataError(problems, title=f"{path}: the applicant data has problems")
    return applicants
