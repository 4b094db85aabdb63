"""What every reader gives: a table of text cells that knows where each came from.

The readers of :mod:`jifen_dsl.data.readers` (CSV), :mod:`jifen_dsl.data.jsonread`
and :mod:`jifen_dsl.data.xlsxread` each make a :class:`Table`; a cell or row they
cannot turn into text faithfully is kept as an :class:`UnreadableCell` or a
:class:`Broken` row, for the validator to report where a person finds it.
"""

from __future__ import annotations

import csv
from typing import Sequence

import attrs

__all__ = ["UnreadableCell", "Broken", "Table", "column_letter", "CELL_LIMIT", "SPARSE_SLACK", "SPARSE_CELLS"]

# The longest cell any reader accepts: the csv module's field limit, which the CSV readers apply.
CELL_LIMIT = csv.field_size_limit()

# A reader whose table would be mostly empty cells - rows padded out to a far column
# or to keys few objects share - stops before it holds more than SPARSE_SLACK cells
# of which fewer than one in SPARSE_CELLS holds a value: memory follows the values a
# file holds (a real table passes, however large), never how far apart they lie.
SPARSE_SLACK = 1 << 22
SPARSE_CELLS = 16


class UnreadableCell(str):
    """A cell the reader could not turn into text faithfully; ``reason`` says why."""

    reason: str

    def __new__(cls, text: str, reason: str) -> "UnreadableCell":
        cell = super().__new__(cls, text)
        cell.reason = reason
        return cell


@attrs.frozen
class Broken:
    """A row the reader could not split into cells (a JSON Lines line that is not JSON)."""

    row: int
    reason: str
    raw: str


@attrs.frozen(eq=False)
class Table:
    """A file read as a header and rows of text cells, with where each came from."""

    path: str
    format: str
    header: tuple[str, ...]
    rows: Sequence[tuple[int, list[str]]]  # a list, or for a CSV file polars read, the rows read again when iterated
    digest: str = ""  # sha256 of the file's bytes, as read
    header_row: int = 1
    broken: tuple[Broken, ...] = ()
    encoding: str | None = None
    sheet: str | None = None
    hidden: tuple[str, ...] = ()  # a workbook's hidden sheets, which were not read

    def at(self, row: int, column: int | None = None) -> str:
        """Where a row (or a cell, ``column`` counted from 0) is, as messages name it."""
        if self.format == "xlsx":
            place = f"{column_letter(column)}{row}" if column is not None else f"row {row}"
            return f"{self.path}, sheet {self.sheet}, {place}"
        if self.format == "json":
            return f"{self.path}, record {row}"
        if self.format == "jsonl" or column is None:
            return f"{self.path}:{row}"
        return f"{self.path}:{row}:{column + 1}"

    def header_at(self, column: int | None = None) -> str:
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
