"""XLSX input as a table of text cells, each as Excel shows it.

Numbers read with at most Excel's 15 digits, dates and times in ISO form; an
Excel error, a number that has lost digits, a cell of a merged range or a
formula becomes an :class:`~jifen_dsl.data.cells.UnreadableCell` saying why.
(Writing workbooks is :mod:`jifen_dsl.data.xlsx`'s job; opening one and choosing
its sheet :mod:`jifen_dsl.data.xlsxbook`'s; merged ranges :mod:`jifen_dsl.data.xlsxmerge`'s.)

The rows come from openpyxl's streaming parser as the cells the file holds, and
only they are made into cells here: a sheet's declared size, a merged range or a
cell far to the right never makes rows of empty cells. A data row is as wide as
the header (or as its last cell, when it has values past the header, which the
validator refuses), and a table that would be almost all empty cells is refused
(:data:`~jifen_dsl.data.cells.SPARSE_SLACK`). A cell longer than a CSV cell may
be is refused at once, as in a CSV file. A damaged part - a bad zip entry,
broken XML, a value openpyxl cannot read - is a DataError naming the file and
sheet, never a crash.

A formula is refused unless ``formulas`` is "cached": the value saved with it is
whatever the program that saved the file wrote, which need not be what Excel
shows a reviewer (``<f>100+35</f><v>999</v>``).
"""

from __future__ import annotations

import datetime as _dt
import math
from decimal import Decimal
from typing import Any, Iterator

from jifen_dsl.data.cells import (
    CELL_LIMIT, SPARSE_CELLS, SPARSE_SLACK, Table, UnreadableCell, cell_place, column_letter, row_place, sheet_place, too_long, what_word,
)
from jifen_dsl.data.xlsxbook import LongRun, RunGuard, cell_in, choose_sheet, damaged, hidden_note, open_workbook
from jifen_dsl.data.xlsxmerge import Covered, check_header, merged_ranges
from jifen_dsl.errors import DataError
from jifen_dsl.messages import M, T

__all__ = ["ZIP_SIGNATURE", "XLS_SIGNATURE", "read_xlsx"]

ZIP_SIGNATURE = b"PK\x03\x04"  # how a zip archive, and so an .xlsx workbook, begins
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the binary Excel 97-2003 (.xls) container
_LAST_COLUMN = 16384  # XFD: no sheet Excel writes has a cell further right
_FORMULA_HINT = T(
    "the value saved with a formula need not be what Excel shows; save the sheet as values only"
    " (复制, then 选择性粘贴 → 数值) or give --formulas cached to trust the saved values"
)


def _excel_number(value: float) -> str:
    """A number cell as Excel shows it: at most 15 significant digits, no float artefacts (85.5, never 85.50000000000001)."""
    exact = Decimal(repr(value))
    if len(exact.as_tuple().digits) > 15:
        exact = Decimal(format(value, ".15g"))
    text = format(exact, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _excel_cell(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if getattr(cell, "data_type", None) == "e":
        return UnreadableCell(str(value), M("D0201", "the cell holds the Excel error {error}", error=str(value)))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        # Round to the second: Excel keeps times as fractions of a day.
        value = value.replace(microsecond=0) + _dt.timedelta(seconds=1 if value.microsecond >= 500_000 else 0)
        shows_time = "h" in (getattr(cell, "number_format", "") or "").lower()
        if not shows_time and value.time() == _dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return value.isoformat(timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, _dt.timedelta):
        return UnreadableCell(str(value), M("D0202", "the cell holds a duration, not a value"))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return UnreadableCell(str(value), M("D0203", "the cell holds no finite number"))
        if value.is_integer() and abs(value) >= 1e15:
            return UnreadableCell(
                _excel_number(value),
                M(
                    "D0204",
                    "Excel keeps only 15 digits of a number, so this one has lost its last digits"
                    " (an identity number typed as a number?); format the column as text and type the values again",
                ),
            )
        return _excel_number(value)
    return str(value)




class _Formula(UnreadableCell):
    """A formula cell: unreadable unless --formulas cached."""


def _formula(value: Any) -> _Formula:
    text = getattr(value, "text", None) or (value if isinstance(value, str) else "=...")  # an array formula has its text in .text
    shown = text if len(text) <= 40 else text[:37] + "..."
    return _Formula(shown, M("D0205", "the cell holds a formula ({formula}); {hint}", formula=shown, hint=_FORMULA_HINT))


def read_xlsx(path: str, data: bytes, digest: str, sheet: str | None, what: str, formulas: str = "refuse") -> Table:
    """One sheet of a workbook's bytes (see :func:`~jifen_dsl.data.xlsxbook.choose_sheet`) as a table; its first row with content is the header."""
    if not data.startswith(ZIP_SIGNATURE):
        if data.startswith(XLS_SIGNATURE):
            raise DataError([M("D0207", "{path}: this is an Excel 97-2003 workbook (.xls), which cannot be read; save it as .xlsx", path=path)])
        raise DataError([M(
            "D0208", "{path}: not an Excel workbook (.xlsx): the file is not a zip archive; is it CSV text? Name it .csv or give --input-format csv",
            path=path,
        )])
    workbook = open_workbook(path, data, formulas)
    try:
        worksheet, hidden = choose_sheet(path, workbook, sheet)
        reading = _SheetReading(path, what, worksheet)
        reading.read()
    finally:
        workbook.close()
    if reading.header_row is None:
        if hidden:
            raise DataError([M(
                "D0209", "{where}: the sheet is empty; expected a header row and one row per {what}; {hidden}",
                where=reading.where, what=what_word(what), hidden=hidden_note(hidden),
            )])
        raise DataError([M("D0209", "{where}: the sheet is empty; expected a header row and one row per {what}", where=reading.where, what=what_word(what))])
    return Table(path, "xlsx", reading.header, reading.rows, digest, header_row=reading.header_row, sheet=worksheet.title, hidden=hidden)


class _SheetReading:
    """One reading of a worksheet's rows: the header, then each data row as wide as the header, merged cells marked."""

    def __init__(self, path: str, what: str, worksheet):
        from openpyxl.cell.read_only import ReadOnlyCell  # imported here: only Excel input pays for loading it

        self.path = path
        self.what = what
        self.worksheet = worksheet
        self.cell_class = ReadOnlyCell
        self.where = sheet_place(path, worksheet.title)
        self.ranges = merged_ranges(worksheet.parent._archive, worksheet._worksheet_path, self.where)
        self.header_row: int | None = None
        self.header: tuple[str, ...] = ()
        self.width = 0
        self.covered: Covered | None = None
        self.rows: list[tuple[int, list[str]]] = []
        self.slots = 0  # cells made for the data rows
        self.filled = 0  # of which hold a value

    def read(self) -> None:
        last = 0
        for number, cells in self._parsed():
            if number <= last:
                raise DataError([M(
                    "D0210", "{where}: row {row} comes after row {last}; the workbook is damaged: open it in Excel and save it again",
                    where=self.where, row=number, last=last,
                )])
            last = number
            span, present, content = self._cells(number, cells)
            if not content:
                continue  # a blank row: neither the header nor an applicant
            if self.header_row is None:
                self._take_header(number, present)
            else:
                self._take_row(number, span, present)

    def _parsed(self) -> Iterator[tuple[int, list[dict]]]:
        """The rows openpyxl's parser finds, (row number, the cells present); never a row or a cell the file does not hold."""
        # The parser ReadOnlyWorksheet.iter_rows uses, without the padding it adds: every missing
        # row up to the next (row 999999999 is a billion of them) and every missing cell to the last.
        from openpyxl.worksheet._reader import WorkSheetParser

        book = self.worksheet.parent
        try:
            source = book._archive.open(self.worksheet._worksheet_path)
        except Exception as exc:  # noqa: BLE001 - a bad zip entry, in any of the ways zipfile says so
            raise damaged(self.where, exc) from None
        parser = WorkSheetParser(
            RunGuard(source), self.worksheet._shared_strings, data_only=book.data_only, epoch=book.epoch,
            date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
        )
        rows = parser.parse()
        with source:
            while True:
                try:
                    row = next(rows)
                except StopIteration:
                    return
                except LongRun as exc:
                    ref = cell_in(exc.before)
                    raise DataError([too_long(cell_place(self.where, ref) if ref else self.where, CELL_LIMIT, self.what)]) from None
                except MemoryError:
                    raise
                except Exception as exc:  # noqa: BLE001 - broken XML, a bad CRC, a value openpyxl cannot read: all damage
                    raise damaged(self.where, exc) from None
                yield row

    def _cells(self, number: int, cells: list[dict]) -> tuple[int, list[tuple[int, str]], bool]:
        """The row's last column (as openpyxl pads to it), its cells with a value as (column from 0, text), and whether any is not blank."""
        present: list[tuple[int, str]] = []
        span = 0
        content = False
        for cell in cells:
            column = cell["column"]
            if column > _LAST_COLUMN:
                raise DataError([M(
                    "D0211",
                    "{where}: the cell {cell} lies beyond Excel's last column, XFD; the workbook is damaged: open it in Excel and save it again",
                    where=self.where, cell=column_letter(column - 1) + str(number),
                )])
            span = column
            value, kind = cell["value"], cell["data_type"]
            if kind == "f":
                text: str = _formula(value)
            elif value is None:
                continue
            elif kind == "s" and value.__class__ is str:
                text = value  # text, the most common cell: as it is
            else:
                try:
                    text = _excel_cell(self.cell_class(self.worksheet, **cell))
                except (IndexError, KeyError) as exc:  # a date cell naming a style the workbook does not have
                    raise damaged(self.where, exc) from None
            if len(text) > CELL_LIMIT:
                raise DataError([too_long(cell_place(self.where, column_letter(column - 1) + str(number)), CELL_LIMIT, self.what)])
            if text:
                present.append((column - 1, text))
                content = content or bool(text.strip())
        return span, present, content

    def _take_header(self, number: int, present: list[tuple[int, str]]) -> None:
        for column, text in present:
            if isinstance(text, _Formula):
                raise DataError([M(
                    "D0206", "{where}: the header cell holds a formula ({formula}); {hint}",
                    where=cell_place(self.where, column_letter(column) + str(number)), formula=str(text), hint=_FORMULA_HINT,
                )])
        check_header(self.where, number, self.ranges)
        self.header_row = number
        self.width = max(column + 1 for column, text in present if text.strip())
        cells = [""] * self.width
        for column, text in present:
            if column < self.width:
                cells[column] = text
        self.header = tuple(str(c) for c in cells)
        self.covered = Covered(self.where, self.ranges, number)

    def _take_row(self, number: int, span: int, present: list[tuple[int, str]]) -> None:
        width = self.width
        # Values past the header: the row keeps every cell up to its last, and the validator says it does not fit.
        beyond = any(column >= width and text.strip() for column, text in present)
        size = max(span, max(c for c, _ in present) + 1) if beyond else width
        cells = [""] * size
        for column, text in present:
            if column < size:
                cells[column] = text
        self.covered.mark(number, cells)
        self.rows.append((number, cells))
        self.slots += size
        self.filled += len(present)
        if self.slots > SPARSE_SLACK and self.slots > SPARSE_CELLS * self.filled:
            reach = T("the header reaches column {column}", column=column_letter(width - 1)) if size == width else T(
                "the rows reach column {column}, past the header's last column {last},", column=column_letter(size - 1), last=column_letter(width - 1)
            )
            raise DataError([M(
                "D0212",
                "{where}: {reach} but the rows hold few values ({filled:,} in the {cells:,} cells read so far);"
                " delete the cells right of the table, or copy the table alone into a new workbook",
                where=row_place(self.where, number), reach=reach, filled=self.filled, cells=self.slots,
            )])
