"""What every reader gives: a table of text cells that knows where each came from.

The readers of :mod:`jifen_dsl.data.readers` (CSV), :mod:`jifen_dsl.data.jsonread`
and :mod:`jifen_dsl.data.xlsxread` each make a :class:`Table`; a cell or row they
cannot turn into text faithfully is kept as an :class:`UnreadableCell` or a
:class:`Broken` row, for the validator to report where a person finds it.

Here too are the words every reader and validator puts a problem in: where it
is (:meth:`Table.at`, :func:`sheet_place` ...) and the problem there
(:func:`located`), as lazy messages (:mod:`jifen_dsl.messages`), so that a line
such as ``h.csv:3:2: column 'x': ...`` is put into words whole, in the language
chosen when it is shown - the policy's, or the one asked for with ``--lang``.
"""

from __future__ import annotations

import csv
from typing import Any, Callable, Sequence

import attrs

from jifen_dsl.messages import M, Message, T, quoted

__all__ = [
    "UnreadableCell", "Broken", "Table", "column_letter", "CELL_LIMIT", "SPARSE_SLACK", "SPARSE_CELLS",
    "located", "too_long", "wrong_width", "what_word", "column_named", "in_column", "sheet_place", "row_place", "cell_place",
]

# The longest cell any reader accepts: the csv module's field limit, which the CSV readers apply.
CELL_LIMIT = csv.field_size_limit()

# A reader whose table would be mostly empty cells - rows padded out to a far column
# or to keys few objects share - stops before it holds more than SPARSE_SLACK cells
# of which fewer than one in SPARSE_CELLS holds a value: memory follows the values a
# file holds (a real table passes, however large), never how far apart they lie.
SPARSE_SLACK = 1 << 22
SPARSE_CELLS = 16


class UnreadableCell(str):
    """A cell the reader could not turn into text faithfully; ``reason`` (a message) says why."""

    reason: Message

    def __new__(cls, text: str, reason: Message) -> "UnreadableCell":
        cell = super().__new__(cls, text)
        cell.reason = reason
        return cell


@attrs.frozen
class Broken:
    """A row the reader could not split into cells (a JSON Lines line that is not JSON)."""

    row: int
    reason: Message
    raw: str


@attrs.frozen(eq=False)
class Table:
    """A file read as a header and rows of text cells, with where each came from."""

    path: str
    format: str
    header: tuple[str, ...]
    rows: Sequence[tuple[int, list[str]]]  # a list, or for a CSV file polars read, the rows read again when iterated
    # The sha256 of the file's bytes as read (see the ``digest`` property); or what takes it the first time it is
    # asked for, for a reader that did not take it while reading.
    _digest: "str | Callable[[], str]" = attrs.field(default="", alias="digest")
    header_row: int = 1
    broken: tuple[Broken, ...] = ()
    encoding: str | None = None
    sheet: str | None = None
    hidden: tuple[str, ...] = ()  # a workbook's hidden sheets, which were not read

    @property
    def digest(self) -> str:
        """The sha256 of the file's bytes, as read (hex)."""
        return self._digest if isinstance(self._digest, str) else self._digest()

    def at(self, row: int, column: int | None = None) -> "str | Message":
        """Where a row (or a cell, ``column`` counted from 0) is, as messages name it: ``h.csv:3:2`` as text, a workbook's or JSON's place in words."""
        if self.format == "xlsx":
            sheet = sheet_place(self.path, self.sheet)
            return cell_place(sheet, f"{column_letter(column)}{row}") if column is not None else row_place(sheet, row)
        if self.format == "json":
            return T("{path}, record {row}", path=self.path, row=row)
        if self.format == "jsonl" or column is None:
            return f"{self.path}:{row}"
        return f"{self.path}:{row}:{column + 1}"

    def row_named(self, row: int) -> Message:
        """A row as a sentence names it: a CSV or JSON Lines line, a spreadsheet row, a JSON record ("line 4", "record 2")."""
        if self.format == "xlsx":
            return T("row {row}", row=row)
        if self.format == "json":
            return T("record {row}", row=row)
        return T("line {row}", row=row)

    def header_at(self, column: int | None = None) -> "str | Message":
        """Where the header (or one of its columns) is; JSON has none, its keys stand for it."""
        if self.format in ("json", "jsonl"):
            return self.path
        return self.at(self.header_row, column)


def column_letter(index: int) -> str:
    """A spreadsheet column's letters for a 0-based index: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


# ------------------------------------------------------------------ the words of a place and a problem


def located(where: Any, problem: Any) -> Message:
    """A problem where it is - ``h.csv:3:2: column 'x': ...`` - one message, put into words whole in the chosen language."""
    return M("D0100", "{where}: {problem}", where=where, problem=problem)


def too_long(where: Any, limit: int, what: str) -> Message:
    """A cell longer than any reader accepts, where it is."""
    return M("D0120", "{where}: a cell is longer than {limit:,} characters; is this really the {what} file?", where=where, limit=limit, what=what_word(what))


def wrong_width(count: int, width: int) -> Message:
    """A row with more or fewer cells than the header."""
    return M("D0415", "the row has {count} cells but the header has {width}", count=count, width=width)


_WHAT = {"applicant": T("applicant"), "school": T("school"), "evidence": T("evidence"), "data": T("data"), "season": T("season")}


def what_word(what: str) -> "Message | str":
    """The word for what a file holds a row of (``read_table``'s ``what``: "applicant", "school" ...), in the chosen language."""
    return _WHAT.get(what, what)


def column_named(name: str, label: str | None = None) -> Message:
    """How a message names a column: ``column 'points' (积分)``, ``column 'id'``."""
    if label:
        return T("column {name} ({label})", name=quoted(name), label=label)
    return T("column {name}", name=quoted(name))


def in_column(column: Any, problem: Any) -> Message:
    """What is wrong with a cell, with its column: ``column 'points' (积分): 'x' is not a number``."""
    return T("{column}: {problem}", column=column, problem=problem)


def sheet_place(path: str, sheet: str | None) -> Message:
    """A workbook's sheet: ``h.xlsx, sheet 名单``."""
    return T("{path}, sheet {sheet}", path=path, sheet=sheet)


def row_place(where: Any, row: int) -> Message:
    """A row of a sheet: ``h.xlsx, sheet 名单, row 3``."""
    return T("{where}, row {row}", where=where, row=row)


def cell_place(where: Any, cell: str) -> Message:
    """A cell of a sheet: ``h.xlsx, sheet 名单, B3``."""
    return T("{where}, {cell}", where=where, cell=cell)
