"""An input file's text cells as polars columns, whichever reader read them.

:class:`Cells` is what typing needs of a file: the table it came from (path,
format, header and where each row is, for messages), one entry per record in
file order - its row number, whether it is blank, how many cells it has - and
the text of any column. :class:`TableCells` makes them from a
:class:`~jifen_dsl.data.cells.Table` read by the existing readers (a workbook,
JSON, JSON Lines, or a CSV file the polars reader leaves to them); the polars
reader of CSV files makes its own (:mod:`jifen_dsl.data.frames.csvframe`).

A record is blank when every cell is empty once stripped (``str.strip``); an
empty cell may be null or "". A cell the reader could not turn into
text faithfully (an Excel error, a formula, a JSON object) is listed by
:meth:`Cells.unreadable` with the reason the reader gave.
"""

from __future__ import annotations

from typing import Sequence

import polars as pl

from jifen_dsl.data.cells import Table, UnreadableCell
from jifen_dsl.messages import Message

__all__ = ["Cells", "TableCells"]


class Cells:
    """The records of a file as columns of text (see the module's docstring)."""

    table: Table
    numbers: pl.Series  # Int64: the row each record is on, as messages name it
    blank: pl.Series  # Boolean: every cell of the record is blank
    counts: pl.Series | None  # Int64 cells per record; None when every record that is not blank has the header's width

    @property
    def height(self) -> int:
        return len(self.numbers)

    @property
    def width(self) -> int:
        return len(self.table.header)

    def column(self, position: int) -> pl.Series:
        """The cells at ``position`` (from 0) of every record, as text; null where a record has none."""
        raise NotImplementedError

    def unreadable(self, position: int) -> dict[int, Message]:
        """Record index -> why its cell at ``position`` could not be read as text."""
        return {}

    def release(self, position: int) -> None:
        """The column at ``position`` is typed and will not be asked for again: its text may go.

        A million applicants' text takes more memory than their typed columns;
        letting each column go once typed keeps the two from being held at once.
        """

    def cells(self, indexes: Sequence[int]) -> list[tuple[str, ...]]:
        """The cells of these records, exactly as read (for the rows a lenient reading sets aside)."""
        raise NotImplementedError


class TableCells(Cells):
    """The cells of a table the existing readers made, as columns."""

    def __init__(self, table: Table):
        self.table = table
        self._rows = table.rows if isinstance(table.rows, list) else list(table.rows)
        rows = self._rows
        self.numbers = pl.Series("row", [number for number, _ in rows], dtype=pl.Int64)
        self.blank = pl.Series("blank", [not any(cell.strip() for cell in cells) for _, cells in rows], dtype=pl.Boolean)
        width = len(table.header)
        sizes = [len(cells) for _, cells in rows]
        self.counts = pl.Series("cells", sizes, dtype=pl.Int64) if any(size != width for size in sizes) else None

    def column(self, position: int) -> pl.Series:
        values = [
            (str(cells[position]) if cells[position].__class__ is not str else cells[position]) if position < len(cells) else None
            for _, cells in self._rows
        ]
        return pl.Series(f"c{position}", values, dtype=pl.String)

    def unreadable(self, position: int) -> dict[int, Message]:
        return {
            index: cells[position].reason
            for index, (_, cells) in enumerate(self._rows)
            if position < len(cells) and isinstance(cells[position], UnreadableCell)
        }

    def cells(self, indexes: Sequence[int]) -> list[tuple[str, ...]]:
        return [tuple(self._rows[index][1]) for index in indexes]
