"""The problems found in an applicant file, and the header's: which column holds each field the policy reads.

A column is found by the field's name or its Chinese label; a name given twice, a field
with two columns, a missing column and a nameless column holding data are each
reported where they are. :class:`Problems` keeps every problem with its group
(the column it concerns, for display) and, for a row's, the row. Problems, groups
and reasons are lazy messages (:mod:`jifen_dsl.messages`): each is put into words
when it is shown, whole, in the chosen language.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.data.cells import Table, column_letter, column_named, located
from jifen_dsl.data.frames.casting import ONLY_SPACE
from jifen_dsl.data.frames.text import Cells
from jifen_dsl.errors import DataError
from jifen_dsl.lang import model
from jifen_dsl.messages import M, Message, quoted

__all__ = ["Problems", "column_map", "nameless_columns", "column_name", "HEADER"]

# The group of the header's problems, shown over them when they are many. (Coded as the header's refusal
# is: "header" alone is another message's word, for a policy's header.)
HEADER = M("D0400", "header")


class Problems:
    """Problems found, each with its group (for display), its row (None: the file as a whole) and its reason."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.groups: list[Any] = []
        self.by_row: dict[int, list[Message]] = {}

    def add(self, group: Any, where: Any, reason: Message, row: int | None = None) -> None:
        self.messages.append(located(where, reason))
        self.groups.append(group)
        if row is not None:
            self.by_row.setdefault(row, []).append(reason)

    def __bool__(self) -> bool:
        return bool(self.messages)

    def error(self, title: Message) -> DataError:
        return DataError(self.messages, title=title, groups=self.groups)


def column_name(field: model.Field) -> Message:
    """How a message names a field's column: its name, and its label."""
    return column_named(field.name, field.label)


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
            problems.add(
                HEADER, at(position),
                M("D0411", "the column {name} appears twice (also column {other})", name=repr(name), other=_column_number(table, by_name[name])),
            )
            continue
        by_name[name] = position
    columns: dict[int, int] = {}
    for index in policy.read_fields:
        field = policy.fields[index]
        found = [by_name[n] for n in (field.name, field.label) if n and n in by_name]
        if len(found) == 2 and found[0] != found[1]:
            problems.add(
                HEADER, at(),
                M("D0412", "the field {name} has two columns, {name} and {label}; keep one", name=quoted(field.name), label=quoted(field.label)),
            )
        if found:
            columns[index] = found[0]
        elif not field.optional:
            problems.add(HEADER, at(), _missing(field))
    return columns


def _missing(field: model.Field) -> Message:
    if field.label:
        return M("D0413", "missing column {name} ({label}), which this policy reads", name=quoted(field.name), label=field.label)
    return M("D0413", "missing column {name}, which this policy reads", name=quoted(field.name))


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
                HEADER,
                table.header_at(position),
                M(
                    "D0414", "column {column} has no name in the header but holds data (first on {row}); name it or remove it",
                    column=_column_number(table, position), row=table.row_named(row),
                ),
            )
