"""XLSX input as a table of text cells, each as Excel shows it.

Numbers read with at most Excel's 15 digits, dates and times in ISO form; an
Excel error, a number that has lost digits or a cell of a merged range becomes an
:class:`~jifen_dsl.data.cells.UnreadableCell` saying why. (Writing workbooks is
:mod:`jifen_dsl.data.xlsx`'s job.)
"""

from __future__ import annotations

import datetime as _dt
import io
import math
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from jifen_dsl.data.cells import Table, UnreadableCell, column_letter
from jifen_dsl.errors import DataError

__all__ = ["ZIP_SIGNATURE", "XLS_SIGNATURE", "read_xlsx"]

ZIP_SIGNATURE = b"PK\x03\x04"  # how a zip archive, and so an .xlsx workbook, begins
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the binary Excel 97-2003 (.xls) container

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_RELS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PKG_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _letters_index(letters: bytes) -> int:
    index = 0
    for ch in letters.decode("ascii"):
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1


def _merged_ranges(data: bytes, sheet_name: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges of one sheet as (first row, first column, last row, last column), columns from 0.

    openpyxl's streaming reader does not report merged cells, so the sheet's XML is
    scanned for them; the scan streams, so a large sheet is never held in memory.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{{{_PKG_RELS_NS}}}Relationship")}
        target = None
        for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
            if sheet.get("name") == sheet_name:
                target = targets.get(sheet.get(f"{{{_RELS_NS}}}id"))
        if not target:
            return []
        member = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        ranges: list[tuple[int, int, int, int]] = []
        tail = b""
        with archive.open(member) as stream:
            while True:
                chunk = stream.read(1 << 20)
                if not chunk:
                    break
                window = tail + chunk
                cut = window.rfind(b"<")  # keep an element cut by the chunk boundary for the next round
                scan, tail = (window[:cut], window[cut:]) if cut > 0 else (window, b"")
                ranges.extend(_merges_in(scan))
            ranges.extend(_merges_in(tail))
        return ranges


def _merges_in(text: bytes) -> list[tuple[int, int, int, int]]:
    found = []
    for match in _MERGE.finditer(text):
        c1, r1, c2, r2 = match.groups()
        c2, r2 = c2 or c1, r2 or r1
        found.append((int(r1), _letters_index(c1), int(r2), _letters_index(c2)))
    return found


def _range_name(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"


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
        return UnreadableCell(str(value), f"the cell holds the Excel error {value}")
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
        return UnreadableCell(str(value), "the cell holds a duration, not a value")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return UnreadableCell(str(value), "the cell holds no finite number")
        if value.is_integer() and abs(value) >= 1e15:
            return UnreadableCell(
                _excel_number(value),
                "Excel keeps only 15 digits of a number, so this one has lost its last digits"
                " (an identity number typed as a number?); format the column as text and type the values again",
            )
        return _excel_number(value)
    return str(value)


def read_xlsx(path: str, data: bytes, digest: str, sheet: str | None, what: str) -> Table:
    """One sheet of a workbook's bytes (the first, or ``sheet`` by name or number) as a table; its first row with content is the header."""
    import openpyxl  # imported here: only Excel input pays for loading it

    if not data.startswith(ZIP_SIGNATURE):
        if data.startswith(XLS_SIGNATURE):
            raise DataError([f"{path}: this is an Excel 97-2003 workbook (.xls), which cannot be read; save it as .xlsx"])
        raise DataError([f"{path}: not an Excel workbook (.xlsx): the file is not a zip archive; is it CSV text? Name it .csv or give --input-format csv"])
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; each means the same here
        raise DataError([f"{path}: cannot be read as an Excel workbook ({type(exc).__name__}: {exc})"]) from None
    try:
        names = [ws.title for ws in workbook.worksheets]
        if not names:
            raise DataError([f"{path}: the workbook has no worksheet"])
        if sheet is None:
            name = names[0]
        elif sheet in names:
            name = sheet
        elif sheet.isdigit() and 1 <= int(sheet) <= len(names):
            name = names[int(sheet) - 1]
        else:
            raise DataError([f"{path}: no sheet {sheet!r}; the workbook has {', '.join(repr(n) for n in names)}"])
        worksheet = workbook[name]
        worksheet.reset_dimensions()  # do not trust the size the file claims: read every row there is
        try:
            merged = _merged_ranges(data, name)
        except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
            merged = []
        raw_rows: list[tuple[int, list[str]]] = []
        number = 0
        for cells in worksheet.iter_rows():
            number += 1
            for cell in cells:
                row = getattr(cell, "row", None)
                if row is not None:
                    number = row
                    break
            raw_rows.append((number, [_excel_cell(c) for c in cells]))
    finally:
        workbook.close()
    return _table_from_sheet(path, digest, name, raw_rows, merged, what)


def _table_from_sheet(path: str, digest: str, name: str, raw_rows, merged, what: str) -> Table:
    content = [(n, cells) for n, cells in raw_rows if any(c.strip() for c in cells)]
    if not content:
        raise DataError([f"{path}, sheet {name}: the sheet is empty; expected a header row and one row per {what}"])
    header_row, header_cells = content[0]
    for r1, c1, r2, c2 in merged:
        if r1 <= header_row <= r2:
            raise DataError([
                f"{path}, sheet {name}, row {header_row}: the header has merged cells {_range_name(r1, c1, r2, c2)};"
                " a header needs one name in each column, in the first row of the table: unmerge them"
                + (" and remove any title rows above the header" if c2 - c1 > 1 else "")
            ])
    width = max((i + 1 for i, c in enumerate(header_cells) if c.strip()), default=0)
    header = tuple(str(c) for c in header_cells[:width])
    covered: dict[tuple[int, int], str] = {}
    for r1, c1, r2, c2 in merged:
        if r2 <= header_row:
            continue
        for r in range(max(r1, header_row + 1), r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    covered[(r, c)] = _range_name(r1, c1, r2, c2)
    rows: list[tuple[int, list[str]]] = []
    for number, cells in raw_rows:
        if number <= header_row:
            continue
        extra = cells[width:]
        cells = cells[:width] + [""] * (width - len(cells)) if not any(c.strip() for c in extra) else cells
        if covered:
            for c in range(len(cells)):
                where = covered.get((number, c))
                if where is not None:
                    cells[c] = UnreadableCell("", f"the cell is part of the merged cells {where}; unmerge them and fill in every cell")
        rows.append((number, cells))
    return Table(path, "xlsx", header, rows, digest, header_row=header_row, sheet=name)
