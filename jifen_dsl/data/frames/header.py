"""The problems found in an applicant file, and the header's: which column holds each field the policy reads.

A column is found by the field's name or its Chinese label; a name given twice, a field
with two columns, a missing column and a nameless column holding data are each
reported where they are. :class:`Problems` keeps every problem with its group
(the column it concerns, for display) and, for a row's, the row.
"""

from __future__ import annotations

from jifen_dsl.data.cells import Table, column_letter
from jifen_dsl.data.frames.casting import ONLY_SPACE
from jifen_dsl.data.frames.text import Cells
from jifen_dsl.errors import DataError
from jifen_dsl.lang import model

__all__ = ["Problems", "column_map", "nameless_columns", "column_name", "unit"]


class Problems:
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


def column_name(field: model.Field) -> str:
    """How a message names a field's column: its name, and its label."""
    return f"column {field.name!r}" + (f" ({field.label})" if field.label else "")


def unit(table: Table) -> str:
    """What a row of the file is called: a CSV or JSON Lines line, a spreadsheet row, a JSON record."""
    return {"xlsx": "row", "json": "record"}.get(table.format, "line")


def _column_number(table: Table, position: int) -> str:
    return column_letter(position) if table.format == "xlsx" else str(position + 1)


def column_map(table: Table, policy: model.Policy, problems: Problems) -> dict[int, int]:
    """Field index -> column position (from 0), for the fields this policy reads; the header's problems added."""
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


def nameless_columns(cells: Cells, problems: Problems) -> None:
    """Data under a header cell with no name would be ignored: say so, naming the first row that holds some."""
    table = cells.table
    for position, name in enumerate(table.header):
        if name.strip():
            continue
        column = cells.column(position)
        holding = (column.is_not_null() & ~column.str.contains(ONLY_SPACE)).arg_true()
        if len(holding):
            row = cells.numbers[holding[0]]
            problems.add(
                "header",
                table.header_at(position),
                f"column {_column_number(table, position)} has no name in the header but holds data"
                f" (first on {unit(table)} {row}); name it or remove it",
            )
