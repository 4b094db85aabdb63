"""A small, careful reference reader of applicant and evidence files, for the frames reader to be compared with.

It reads a file with :func:`jifen_dsl.data.readers.read_table` (the csv module,
or the workbook and JSON readers) and types it row by row and cell by cell
with :func:`jifen_dsl.data.values.parser_for`, as the rules say: a blank row is
skipped; a row with a wrong number of cells is refused for that alone; a row
with bad cells for each of them, in the order of ``policy.read_fields``; a good
row is an applicant unless its id (compared by ``id_key``) or another unique
value was seen before, or its grade has no rules. Every problem is collected in
file order, with its group and its place. Nothing here is fast: it is written
to be read.
"""

from __future__ import annotations

import difflib
from typing import Any, Sequence

import attrs

from jifen_dsl.data.identity import guarded, id_key
from jifen_dsl.data.readers import Table, UnreadableCell, column_letter, read_table
from jifen_dsl.data.records import Applicant, Reject
from jifen_dsl.data.values import CellError, parser_for
from jifen_dsl.data.xlsxbook import hidden_note
from jifen_dsl.errors import DataError
from jifen_dsl.lang import model
from jifen_dsl.lang.typesys import DATE, DECIMAL

__all__ = ["read_applicants_reference", "read_evidence_reference"]


@attrs.frozen
class Read:
    table: Table
    applicants: list[Applicant]
    rejects: list[Reject]
    rows: int


class _Problems:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.groups: list[str] = []
        self.by_row: dict[int, list[str]] = {}

    def add(self, group: str, where: str, reason: str, row: int | None = None) -> None:
        self.messages.append(f"{where}: {reason}")
        self.groups.append(group)
        if row is not None:
            self.by_row.setdefault(row, []).append(reason)

    def error(self, title: str) -> DataError:
        return DataError(self.messages, title=title, groups=self.groups)


def _column_name(field: model.Field) -> str:
    return f"column {field.name!r}" + (f" ({field.label})" if field.label else "")


def _column_number(table: Table, position: int) -> str:
    return column_letter(position) if table.format == "xlsx" else str(position + 1)


def _unit(table: Table) -> str:
    return {"xlsx": "row", "json": "record"}.get(table.format, "line")


def _column_map(table: Table, policy: model.Policy, problems: _Problems) -> dict[int, int]:
    by_name: dict[str, int] = {}
    for position, raw in enumerate(table.header):
        name = raw.strip().lstrip("\ufeff")
        if not name:
            continue
        if name in by_name:
            problems.add("header", table.header_at(position), f"the column {name!r} appears twice (also column {_column_number(table, by_name[name])})")
            continue
        by_name[name] = position
    columns: dict[int, int] = {}
    for index in policy.read_fields:
        field = policy.fields[index]
        found = [by_name[n] for n in (field.name, field.label) if n and n in by_name]
        if len(found) == 2 and found[0] != found[1]:
            problems.add("header", table.header_at(), f"the field {field.name!r} has two columns, {field.name!r} and {field.label!r}; keep one")
        if found:
            columns[index] = found[0]
        elif not field.optional:
            label = f" ({field.label})" if field.label else ""
            problems.add("header", table.header_at(), f"missing column {field.name!r}{label}, which this policy reads")
    for position, name in enumerate(table.header):
        if name.strip():
            continue
        for row, cells in table.rows:
            if position < len(cells) and cells[position].strip():
                problems.add(
                    "header",
                    table.header_at(position),
                    f"column {_column_number(table, position)} has no name in the header but holds data"
                    f" (first on {_unit(table)} {row}); name it or remove it",
                )
                break
    return columns


def _typed_row(table: Table, line: int, cells: Sequence[str], plan, problems: _Problems) -> tuple | None:
    if len(cells) != len(table.header):
        problems.add("rows with a wrong number of cells", table.at(line), f"the row has {len(cells)} cells but the header has {len(table.header)}", line)
        return None
    values: list[Any] = []
    good = True
    for field, column, parse in plan:
        cell = cells[column] if column is not None else ""
        where = table.at(line, column or 0)
        if isinstance(cell, UnreadableCell):
            problems.add(_column_name(field), where, f"{_column_name(field)}: {cell.reason}", line)
            good = False
            continue
        raw = cell.strip()
        if not raw:
            if field.type.kind in ("school_list", "text_list"):
                values.append(())
            elif field.optional:
                values.append(field.default)
            else:
                problems.add(_column_name(field), where, f"{_column_name(field)}: empty, but a value is required", line)
                good = False
            continue
        try:
            values.append(parse(raw))
        except CellError as exc:
            problems.add(_column_name(field), where, f"{_column_name(field)}: {exc}", line)
            good = False
    return tuple(values) if good else None


def _duplicate_id(applicant_id: str, first: str, unit: str, first_row: int) -> str:
    if first == applicant_id:
        return f"duplicate id {applicant_id!r} (first on {unit} {first_row})"
    return (
        f"duplicate id {applicant_id!r}: it is {first!r} (first on {unit} {first_row}) written with invisible or look-alike characters"
        " (ids are compared after Unicode NFKC normalisation, without invisible format characters)"
    )


def read_applicants_reference(
    path: str, policy: model.Policy, *, lenient: bool = False, input_format: str | None = None, encoding: str | None = None,
    sheet: str | None = None, formulas: str = "refuse",
) -> Read:
    """An applicant file read row by row; raise DataError listing every problem (or, with ``lenient``, set bad rows aside)."""
    table = read_table(path, fmt=input_format, encoding=encoding, sheet=sheet, what="applicant", formulas=formulas)
    return records_reference(table, policy, lenient=lenient)


def records_reference(table: Table, policy: model.Policy, *, lenient: bool = False) -> Read:
    """The applicants of a table read row by row (see :func:`read_applicants_reference`)."""
    problems = _Problems()
    columns = _column_map(table, policy, problems)
    if problems.messages:
        if table.hidden:
            problems.add("header", table.path, hidden_note(table.hidden))
        raise problems.error(f"{table.path}: the header does not fit the policy {policy.path}")
    for broken in table.broken:
        problems.add("unreadable rows", table.at(broken.row), broken.reason, broken.row)
    plan = [(policy.fields[i], columns.get(i), guarded(policy.fields[i], parser_for(policy.fields[i].type))) for i in policy.read_fields]
    id_at = policy.read_fields.index(policy.field(model.ID_FIELD).index)
    grade_at = policy.read_fields.index(policy.field(model.GRADE_FIELD).index)
    id_column = columns[policy.field(model.ID_FIELD).index]
    grade_column = columns[policy.field(model.GRADE_FIELD).index]
    covered = sorted(g.value for g in policy.grades)
    unique = [(n, policy.fields[i].name) for n, i in enumerate(policy.read_fields) if policy.fields[i].unique and policy.fields[i].name != model.ID_FIELD]
    unique_seen: dict[int, dict[Any, int]] = {n: {} for n, _ in unique}
    unit = _unit(table)
    evidence = ((),) * len(policy.evidence)
    applicants: list[Applicant] = []
    seen: dict[str, tuple[int, str]] = {}  # id key -> the row of its first applicant, and the id as written there
    repeats: dict[str, int] = {}  # id key -> the first row repeating it
    refused: dict[int, Sequence[str]] = {}  # row -> its cells, for each row with a problem
    blank = 0
    for line, cells in table.rows:
        if not any(c.strip() for c in cells):
            blank += 1
            continue
        values = _typed_row(table, line, cells, plan, problems)
        if values is None:
            refused[line] = cells
            continue
        key = id_key(values[id_at])
        if key in seen:
            problems.add("duplicate ids", table.at(line, id_column), _duplicate_id(values[id_at], seen[key][1], unit, seen[key][0]), line)
            repeats.setdefault(key, line)
            refused[line] = cells
            continue
        seen[key] = (line, values[id_at])
        repeated = False
        for n, name in unique:
            value = values[n]
            if value is None:
                continue
            if value in unique_seen[n]:
                problems.add(f"duplicate {name}", table.at(line), f"duplicate {name} {value!r} (first on {unit} {unique_seen[n][value]})", line)
                repeated = True
            else:
                unique_seen[n][value] = line
        if repeated:
            refused[line] = cells
            continue
        if covered and values[grade_at] not in covered:
            problems.add(
                "grades without rules", table.at(line, grade_column),
                f"this policy has no rules for grade {values[grade_at]!r} (it covers {', '.join(covered)})", line,
            )
            refused[line] = cells
            continue
        applicants.append(Applicant(line, values[id_at], values[grade_at], values + evidence))
    rows = len(table.rows) - blank
    if not table.broken and not rows:
        raise DataError([f"{table.path}: the file has a header but no applicant rows"])
    if not problems.messages:
        return Read(table, applicants, [], rows)
    if not lenient:
        raise problems.error(f"{table.path}: the applicant data has problems")
    reasons = {row: list(found) for row, found in problems.by_row.items()}
    kept = []
    for applicant in applicants:
        again = repeats.get(id_key(applicant.id))
        if again is None:
            kept.append(applicant)
            continue
        reasons.setdefault(applicant.row, []).append(
            f"duplicate id {applicant.id!r}: it appears again on {unit} {again}, so every row with this id is set aside"
        )
        refused[applicant.row] = next(cells for row, cells in table.rows if row == applicant.row)
    raw = {b.row: b.raw for b in table.broken}
    # A reader's reason (a broken row's) is a message: the reasons set aside are text.
    rejects = [Reject(row, tuple(refused[row]) if row in refused else (raw.get(row, ""),), tuple(map(str, found))) for row, found in sorted(reasons.items())]
    return Read(table, kept, rejects, rows)


_EVIDENCE_COLUMNS = {
    "id": ("id", "申请编号"),
    "indicator": ("indicator", "指标"),
    "date": ("date", "日期"),
    "value": ("value", "points", "amount", "数值", "分值", "金额"),
}


def read_evidence_reference(
    path: str, policy: model.Policy, applicants: Sequence[Applicant], *, set_aside=(), input_format: str | None = None,
    encoding: str | None = None, sheet: str | None = None, formulas: str = "refuse",
) -> list[Applicant]:
    """The applicants with their evidence from a file, read row by row; raise DataError listing every problem."""
    if not policy.evidence:
        raise DataError([f"{path}: the policy {policy.path} counts no evidence, so there is nothing to read this file for"])
    table = read_table(path, fmt=input_format, encoding=encoding, sheet=sheet, what="evidence", formulas=formulas)
    if not table.header:
        raise DataError([f"{table.path}: the file is empty; expected a header row and one row per item of evidence"])
    problems = [f"{table.at(b.row)}: {b.reason}" for b in table.broken]
    if problems:
        raise DataError(problems, title=f"{table.path}: the evidence file has problems")
    names = [h.strip().lstrip("\ufeff") for h in table.header]
    position: dict[str, int] = {}
    for column, spellings in _EVIDENCE_COLUMNS.items():
        found = [i for i, name in enumerate(names) if name in spellings]
        if not found:
            problems.append(f"{path}:1: missing column {column!r} (" + " or ".join(repr(s) for s in spellings[1:]) + ")")
        elif len(found) > 1:
            problems.append(f"{path}:1: the column {column!r} appears twice: {', '.join(repr(names[i]) for i in found)}")
        else:
            position[column] = found[0]
    if problems:
        raise DataError(problems, title=f"{path}: the evidence file's header has problems")
    slots = {name: slot for slot, name in enumerate(policy.evidence)}
    indicator_names = dict(slots)
    titles = [ind.title for ind in policy.points.indicators]
    for ind in policy.points.indicators:
        if ind.name in slots and titles.count(ind.title) == 1:
            indicator_names.setdefault(ind.title, slots[ind.name])
    others = {ind.name for ind in policy.points.indicators} | {ind.title for ind in policy.points.indicators}
    skipped = {id_key(i) for i in set_aside}
    by_id = {id_key(a.id): a for a in applicants}
    read_date, read_value = parser_for(DATE), parser_for(DECIMAL)
    items: dict[str, list[list[tuple]]] = {}
    for line, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(table.header):
            problems.append(f"{path}:{line}: the row has {len(cells)} cells but the header has {len(table.header)}")
            continue
        cell = {column: cells[i].strip() for column, i in position.items()}
        where = {column: f"{path}:{line}:{i + 1}" for column, i in position.items()}
        unreadable = [(column, i) for column, i in position.items() if isinstance(cells[i], UnreadableCell)]
        for column, i in unreadable:
            problems.append(f"{where[column]}: column {column!r}: {cells[i].reason}")
        if unreadable:
            continue
        bad = False
        key = id_key(cell["id"])
        applicant = by_id.get(key)
        if applicant is None and key in skipped:
            continue
        if applicant is None:
            close = difflib.get_close_matches(cell["id"], list(by_id), n=1, cutoff=0.8)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{where['id']}: no applicant has the id {cell['id']!r}{hint}")
            bad = True
        slot = indicator_names.get(cell["indicator"])
        if slot is None:
            counted = ", ".join(policy.evidence)
            if cell["indicator"] in others:
                problems.append(f"{where['indicator']}: the policy counts no evidence for the indicator {cell['indicator']!r}; it counts evidence for {counted}")
            else:
                close = difflib.get_close_matches(cell["indicator"], list(indicator_names), n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(f"{where['indicator']}: unknown indicator {cell['indicator']!r} ({hint}the policy counts evidence for {counted})")
            bad = True
        values = []
        for column, read in (("date", read_date), ("value", read_value)):
            if not cell[column]:
                problems.append(f"{where[column]}: column {column!r}: empty, but a value is required")
                bad = True
                continue
            try:
                values.append(read(cell[column]))
            except CellError as exc:
                problems.append(f"{where[column]}: column {column!r}: {exc}")
                bad = True
        if not bad:
            items.setdefault(applicant.id, [[] for _ in policy.evidence])[slot].append(tuple(values))
    if problems:
        raise DataError(problems, title=f"{path}: the evidence has problems")
    fields = len(policy.read_fields)
    joined = []
    for applicant in applicants:
        lists = items.get(applicant.id)
        if lists is not None:
            applicant = attrs.evolve(applicant, record=applicant.record[:fields] + tuple(tuple(sorted(found)) for found in lists))
        joined.append(applicant)
    return joined
