"""Read an applicant file into typed records for one policy.

A record holds the values of exactly the fields the policy reads
(``policy.read_fields``), in that order, then one empty list of evidence items
for each indicator whose evidence the policy counts (``policy.evidence``; see
:mod:`jifen_dsl.data.evidence` for filling them). The file may be CSV, XLSX, JSON or JSON
Lines (:mod:`jifen_dsl.data.readers` turns each into text cells); typing and
validation happen here, once, for every format. Every problem in the file is
collected - missing columns, bad cells, duplicate ids, grades the policy has no
rules for - and reported together with file, row and column; nothing is dropped
silently. With ``lenient``, rows with problems are set aside as :class:`Reject`
records carrying their reasons, for the caller to write to a rejects file.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable, Iterable, Sequence

import attrs

from jifen_dsl.lang import model
from jifen_dsl.data import parallelread
from jifen_dsl.bulk import collector_paused
from jifen_dsl.data.csvstream import Fallback, open_part, skip_rest
from jifen_dsl.data.identity import guarded, id_key
from jifen_dsl.data.xlsxbook import hidden_note
from jifen_dsl.errors import DataError
from jifen_dsl.progress import NO_PROGRESS
from jifen_dsl.progress import Progress as ProgressBar
from jifen_dsl.data.readers import Table, UnreadableCell, column_letter, finished, is_streamed, open_table, read_table
from jifen_dsl.data.secondpart import read_part, row_tuple, rows_of
from jifen_dsl.data.typedrows import row_reader
from jifen_dsl.data.values import CellError, parser_for

__all__ = ["Applicant", "Reject", "ApplicantFile", "read_applicants", "load_applicants", "records_from_rows", "records_from_table"]

Progress = Callable[[int], None]
_PROGRESS_EVERY = 1024


@attrs.define
class Applicant:
    """One application: where it came from and its typed values."""

    # Not frozen: a million of these are made in one read, and a frozen class's
    # initialiser costs twice as much. Nothing changes one after it is read.

    row: int  # the line, spreadsheet row or JSON record it comes from (a CSV header is line 1)
    id: str
    grade: str
    record: tuple[Any, ...]


@attrs.frozen
class Reject:
    """A row set aside (with --lenient): where it was, its cells as read, and why."""

    row: int
    cells: tuple[str, ...]
    reasons: tuple[str, ...]


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

    A CSV file's rows stream from disk (:mod:`jifen_dsl.data.csvstream`); a file the
    stream does not handle is read again whole, which explains what is wrong with it.
    """
    table = open_table(path, fmt=input_format, encoding=encoding, sheet=sheet, what="applicant", formulas=formulas)
    try:
        return _applicant_file(table, policy, lenient, progress)
    except Fallback:
        table = read_table(path, fmt=input_format, encoding=encoding, sheet=sheet, what="applicant", formulas=formulas)
        return _applicant_file(table, policy, lenient, progress)


def _applicant_file(table: Table, policy: model.Policy, lenient: bool, progress: ProgressBar) -> ApplicantFile:
    applicants, rejects, rows = _records(table, policy, lenient, progress.phase("reading", len(table.rows)))
    return ApplicantFile(finished(table), applicants, rejects, rows)


def records_from_rows(
    path: str,
    header: Sequence[str],
    rows: Iterable[tuple[int, Sequence[str]]],
    policy: model.Policy,
) -> list[Applicant]:
    """Typed applicants from a header and (line, cells) rows of a CSV file; raise DataError listing every problem."""
    table = Table(path, "csv", tuple(header), [(line, list(cells)) for line, cells in rows])
    return records_from_table(table, policy)[0]


class _Problems:
    """Problems found, each with its group (for display), its row (None: the file as a whole) and its reason."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.groups: list[str] = []
        self.by_row: dict[int, list[str]] = {}

    def add(self, group: str, where: str, reason: str, row: int | None = None) -> None:
        self.messages.append(f"{where}: {reason}")
        self.groups.append(group)
        if row is not None:
            self.by_row.setdefault(row, []).append(reason)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def error(self, title: str) -> DataError:
        return DataError(self.messages, title=title, groups=self.groups)


def _column_name(field: model.Field) -> str:
    return f"column {field.name!r}" + (f" ({field.label})" if field.label else "")


def _column_map(table: Table, policy: model.Policy, problems: _Problems) -> dict[int, int]:
    """Field index -> column position, for the fields this policy reads."""
    by_name: dict[str, int] = {}
    at = table.header_at
    for position, raw in enumerate(table.header):
        name = raw.strip().lstrip("\ufeff")
        if not name:
            continue
        if name in by_name:
            problems.add("header", at(position), f"the column {name!r} appears twice (also column {_column_number(table, by_name[name])})")
            continue
        by_name[name] = position
    columns: dict[int, int] = {}
    for index in policy.read_fields:
        field = policy.fields[index]
        found = [by_name[n] for n in (field.name, field.label) if n and n in by_name]
        if len(found) == 2 and found[0] != found[1]:
            problems.add("header", at(), f"the field {field.name!r} has two columns, {field.name!r} and {field.label!r}; keep one")
        if found:
            columns[index] = found[0]
        elif not field.optional:
            label = f" ({field.label})" if field.label else ""
            problems.add("header", at(), f"missing column {field.name!r}{label}, which this policy reads")
    return columns


def _column_number(table: Table, position: int) -> str:
    return column_letter(position) if table.format == "xlsx" else str(position + 1)


def _unit(table: Table) -> str:
    return {"xlsx": "row", "json": "record"}.get(table.format, "line")


def _nameless_columns(table: Table, problems: _Problems) -> None:
    """Data under a header cell with no name would be ignored: say so instead."""
    nameless = [i for i, h in enumerate(table.header) if not h.strip()]
    if not nameless:
        return
    for position in nameless:
        for row, cells in table.rows:
            if position < len(cells) and cells[position].strip():
                problems.add(
                    "header",
                    table.header_at(position),
                    f"column {_column_number(table, position)} has no name in the header but holds data"
                    f" (first on {_unit(table)} {row}); name it or remove it",
                )
                break


def records_from_table(
    table: Table, policy: model.Policy, *, lenient: bool = False, progress: Progress | None = None
) -> tuple[list[Applicant], list[Reject]]:
    """Typed applicants and, with ``lenient``, the rows set aside; raise DataError listing every problem."""
    applicants, rejects, _ = _records(table, policy, lenient, progress)
    return applicants, rejects


def _records(table: Table, policy: model.Policy, lenient: bool, progress: Progress | None) -> tuple[list[Applicant], list[Reject], int]:
    """The applicants, the rows set aside, and how many data rows (not blank) there were."""
    problems = _Problems()
    columns = _column_map(table, policy, problems)
    _nameless_columns(table, problems)
    if problems:
        if is_streamed(table):
            for _ in table.rows:  # a problem with the file itself is reported first, as when it is read whole
                pass
        if table.hidden:  # the data may be on a sheet a person cannot see: say so
            problems.add("header", table.path, hidden_note(table.hidden))
        # A header that does not fit cannot be worked around row by row, even with --lenient.
        raise problems.error(f"{table.path}: the header does not fit the policy {policy.path}")

    plan = [(policy.fields[i], columns.get(i), guarded(policy.fields[i], parser_for(policy.fields[i].type))) for i in policy.read_fields]
    kept: dict[int, list[str]] | None = {} if lenient else None
    with collector_paused():
        applicants, duplicated, rows = _typed_rows(table, policy, plan, columns, problems, progress, kept)
    if not table.broken and not rows:
        raise DataError([f"{table.path}: the file has a header but no applicant rows"])
    if not problems:
        return applicants, [], rows
    if not lenient:
        raise problems.error(f"{table.path}: the applicant data has problems")
    kept_rows, rejects = _set_aside(table, applicants, duplicated, problems, kept)
    return kept_rows, rejects, rows


def _set_aside(table: Table, applicants: list[Applicant], duplicated: dict[str, int], problems: _Problems, kept: dict[int, list[str]]):
    """With --lenient: the rows with problems, and every row of a duplicated id, set aside with their reasons."""
    reasons = {row: list(found) for row, found in problems.by_row.items()}
    good = []
    for applicant in applicants:
        again = duplicated.get(id_key(applicant.id))
        if again is not None:
            reasons.setdefault(applicant.row, []).append(
                f"duplicate id {applicant.id!r}: it appears again on {_unit(table)} {again}, so every row with this id is set aside"
            )
        else:
            good.append(applicant)
    raw = {b.row: b.raw for b in table.broken}
    wanted = set(reasons) - kept.keys() - raw.keys()
    if wanted:  # the first row of a duplicated id looked fine when it was read: find its cells again
        kept.update((row, cells) for row, cells in table.rows if row in wanted)
    rejects = [
        Reject(row, tuple(kept[row]) if row in kept else (raw.get(row, ""),), tuple(found))
        for row, found in sorted(reasons.items())
    ]
    return good, rejects


def _typed_rows(
    table: Table, policy: model.Policy, plan, columns: dict[int, int], problems: _Problems, progress: Progress | None,
    kept: dict[int, list[str]] | None,
):
    """The good rows as typed applicants, the duplicated ids, and the number of data rows; every bad row recorded in ``problems``.

    ``kept``, when given, receives the cells of each row with a problem (for the rejects file).
    """
    typing = _RowTyping(table, policy, plan, columns, problems, kept)
    for broken in table.broken:
        problems.add("unreadable rows", table.at(broken.row), broken.reason, broken.row)
    if is_streamed(table):
        done = typing.read_streamed(progress)
    elif table.format == "csv":
        done = typing.read_rows(progress)
    else:
        done = typing.read_carefully(progress)
    if progress is not None:
        reported = done - done % _PROGRESS_EVERY
        progress(max(done, len(table.rows)) - reported)  # a streamed file's row count was an estimate: finish the bar
    return typing.applicants, typing.duplicated, done - typing.blank


class _RowTyping:
    """One reading of a table's rows into applicants: what every row is checked against, and what the reading found so far.

    Rows are typed by the generated loop (:func:`row_reader`) where the format
    allows, and cell by cell (``careful``) where it does not or the loop cannot;
    either way a typed row goes through ``add`` unless the loop accepts it itself.
    """

    def __init__(self, table: Table, policy: model.Policy, plan, columns: dict[int, int], problems: _Problems, kept: dict[int, list[str]] | None):
        self.table = table
        self.plan = plan
        self.width = len(table.header)
        self.id_pos = policy.read_fields.index(policy.field(model.ID_FIELD).index)
        self.grade_pos = policy.read_fields.index(policy.field(model.GRADE_FIELD).index)
        self.covered = frozenset(g.value for g in policy.grades)
        self.no_evidence = ((),) * len(policy.evidence)
        self.applicants: list[Applicant] = []
        self.seen_ids: dict[str, int] = {}  # id_key(id) -> its row
        self.duplicated: dict[str, int] = {}  # id_key(id) -> the first row that repeats it
        self.blank = 0  # blank rows: not applicants, nor data rows
        unique_seen: dict[int, dict[Any, int]] = {f.index: {} for f, _, _ in plan if f.unique and f.name != model.ID_FIELD}
        self.unique_positions = [(policy.read_fields.index(i), i, seen) for i, seen in unique_seen.items()]
        self.add = self._adder(policy, columns, problems, kept)
        self.careful = self._careful_reader(problems, kept)

    def _adder(self, policy: model.Policy, columns: dict[int, int], problems: _Problems, kept: dict[int, list[str]] | None):
        """``add(line, cells, values)``, called for each typed row the generated loop does not accept itself."""
        # Everything it reads is a local of this call: add runs once a row when unique values are checked.
        at, unit, applicants, seen_ids, duplicated = self.table.at, _unit(self.table), self.applicants, self.seen_ids, self.duplicated
        id_pos, grade_pos, covered, no_evidence, unique_positions = self.id_pos, self.grade_pos, self.covered, self.no_evidence, self.unique_positions
        id_field = policy.field(model.ID_FIELD)
        grade_field = policy.field(model.GRADE_FIELD)

        written: dict[str, str] = {}  # id_key(id) -> the id as first written, where the two differ

        def add(line: int, cells: Sequence[str], values: tuple) -> None:
            """A typed row: an applicant, unless its id (or another unique value) was seen before or its grade has no rules."""
            applicant_id = values[id_pos]
            key = id_key(applicant_id)
            if key in seen_ids:
                problems.add("duplicate ids", at(line, columns[id_field.index]), _duplicate_id(applicant_id, written.get(key, key), unit, seen_ids[key]), line)
                duplicated.setdefault(key, line)
                if kept is not None:
                    kept[line] = cells
                return
            seen_ids[key] = line
            if key != applicant_id:
                written[key] = applicant_id
            repeated = False
            for position, field_index, seen in unique_positions:
                value = values[position]
                if value is None:
                    continue
                if value in seen:
                    name = policy.fields[field_index].name
                    problems.add(f"duplicate {name}", at(line), f"duplicate {name} {value!r} (first on {unit} {seen[value]})", line)
                    repeated = True
                else:
                    seen[value] = line
            if repeated:
                if kept is not None:
                    kept[line] = cells
                return
            grade = values[grade_pos]
            if covered and grade not in covered:
                problems.add(
                    "grades without rules",
                    at(line, columns[grade_field.index]),
                    f"this policy has no rules for grade {grade!r} (it covers {', '.join(sorted(covered))})",
                    line,
                )
                if kept is not None:
                    kept[line] = cells
                return
            applicants.append(Applicant(line, applicant_id, grade, values + no_evidence if no_evidence else values))

        return add

    def _careful_reader(self, problems: _Problems, kept: dict[int, list[str]] | None):
        """``careful(line, cells)``, for each row the generated loop cannot type, and every row of a workbook or JSON."""
        table, plan, width, add = self.table, self.plan, self.width, self.add

        def careful(line: int, cells: Sequence[str]) -> None:
            """A row read cell by cell: a blank row is skipped, a bad one recorded with every problem."""
            if not any(c.strip() for c in cells):
                self.blank += 1
                return  # a blank line is not an applicant
            values = _careful_row(table, line, cells, plan, width, problems)
            if values is None:
                if kept is not None:
                    kept[line] = cells
                return
            add(line, cells, values)

        return careful

    def _reader(self, make, codec: str | None = None):
        """The generated loop for this table and policy, making each applicant with ``make``; with ``codec``, reading a streamed file's lines."""
        simple = not self.unique_positions
        return row_reader(self.plan, self.width, self.id_pos, self.grade_pos, self.covered, self.no_evidence, simple, make, lines=codec)

    def read_streamed(self, progress: Progress | None) -> int:
        """A streamed CSV file, by the generated loop reading the file's lines itself; a large file's second part in a second process."""
        codec = self.table.rows.cell_codec
        read = self._reader(Applicant, codec)
        split = None if self.unique_positions else parallelread.plan_split(self.table.path)

        def consume(lines, number, quoted) -> int:
            if split is None:
                return read(lines, number, quoted, self.applicants.append, self.seen_ids, self.careful, self.add, progress)
            return self._read_in_two(read, split, codec, lines, number, quoted, progress)

        return self.table.rows.consume_lines(consume)

    def _read_in_two(self, read, split: "parallelread.Split", codec: str, lines, number: int, quoted, progress: Progress | None) -> int:
        """The lines before ``split`` read here while a second process reads the rest, whose rows are taken if that part was clean."""
        path, append, seen_ids, careful, add = self.table.path, self.applicants.append, self.seen_ids, self.careful, self.add
        reader = self._reader(row_tuple, codec)
        child = parallelread.start(lambda send: read_part(path, split, codec, number, reader, send))
        if child is None:
            return read(lines, number, quoted, append, seen_ids, careful, add, progress)
        try:
            done = read(itertools.islice(lines, split.lines), number, quoted, append, seen_ids, careful, add, progress)
            skip_rest(lines)  # hashed here for the digest, while the child finishes
            taken = _take_part(child, self.applicants, seen_ids, progress)
        except BaseException:
            child.close(kill=True)
            raise
        child.close()
        if taken is None:  # the second part was not clean: read it here, as if alone
            with open_part(path, split.offset, codec) as rest:
                return done + read(rest, number + split.lines, quoted, append, seen_ids, careful, add, progress)
        rows, blank_rows = taken
        self.blank += blank_rows
        return done + rows

    def read_rows(self, progress: Progress | None) -> int:
        """A CSV file read whole, by the generated loop (cells of Excel or JSON may be unreadable, which only the careful path checks for)."""
        read = self._reader(Applicant)
        return read(self.table.rows, self.applicants.append, self.seen_ids, self.careful, self.add, progress)

    def read_carefully(self, progress: Progress | None) -> int:
        """Every row cell by cell: a workbook's or a JSON file's."""
        careful = self.careful
        done = 0
        for line, cells in self.table.rows:
            done += 1
            if progress is not None and not done % _PROGRESS_EVERY:
                progress(_PROGRESS_EVERY)
            careful(line, cells)
        return done


def _take_part(child: "parallelread.Child", applicants: list[Applicant], seen_ids: dict[str, int], progress) -> tuple[int, int] | None:
    """The second process's applicants, if its part was clean and shares no id with the first; else None (nothing taken)."""
    blocks: list[list[Any]] = []
    summary = None
    for message in child.blocks():
        if isinstance(message, tuple):
            summary = message
            break
        blocks.append(message)
    if summary is None or not summary[0]:
        return None
    if any(not seen_ids.keys().isdisjoint(block[1]) for block in blocks):
        return None  # an id of the second part is also in the first: the order of messages needs one reader
    for block in blocks:
        made = rows_of(block, Applicant)
        applicants.extend(made)
        if progress is not None:
            progress(len(made))
    _, rows, blank_rows = summary
    return rows, blank_rows


def _duplicate_id(applicant_id: str, first: str, unit: str, first_row: int) -> str:
    """The message for an id seen before: as it was, or, when written differently, how the two compare equal."""
    if first == applicant_id:
        return f"duplicate id {applicant_id!r} (first on {unit} {first_row})"
    return (
        f"duplicate id {applicant_id!r}: it is {first!r} (first on {unit} {first_row}) written with invisible or look-alike characters"
        " (ids are compared after Unicode NFKC normalisation, without invisible format characters)"
    )


def _careful_row(table: Table, line: int, cells: Sequence[str], plan, width: int, problems: _Problems) -> tuple | None:
    """A row's record read cell by cell, every problem recorded; None when it has any."""
    at = table.at
    if len(cells) != width:
        problems.add("rows with a wrong number of cells", at(line), f"the row has {len(cells)} cells but the header has {width}", line)
        return None
    values: list[Any] = []
    row_ok = True
    for field, column, parse in plan:
        cell = cells[column] if column is not None else ""
        if isinstance(cell, UnreadableCell):
            problems.add(_column_name(field), at(line, column or 0), f"{_column_name(field)}: {cell.reason}", line)
            row_ok = False
            values.append(None)
            continue
        raw = cell.strip()
        if not raw:
            if field.type.kind in ("school_list", "text_list"):
                values.append(())
            elif field.optional:
                values.append(field.default)
            else:
                problems.add(_column_name(field), at(line, column or 0), f"{_column_name(field)}: empty, but a value is required", line)
                row_ok = False
                values.append(None)
            continue
        try:
            values.append(parse(raw))
        except CellError as exc:
            problems.add(_column_name(field), at(line, column or 0), f"{_column_name(field)}: {exc}", line)
            row_ok = False
            values.append(None)
    return tuple(values) if row_ok else None
