"""Read tabular input - CSV, XLSX, JSON, JSON Lines - as a header and rows of text cells.

A reader only turns its format into text: a header, and (row number, cells)
pairs. Typing and validation happen in one place for every format
(:func:`jifen_dsl.data.applicants.records_from_table`, :mod:`jifen_dsl.data.schools`), so a
date or a yes/no reads the same from a CSV cell, an Excel cell or a JSON value.

Row numbers are what a person finds in the file: the line of a CSV or JSON Lines
file, the row of a spreadsheet, the record (counted from 1) of a JSON list.
A cell the reader cannot turn into text faithfully - an Excel error such as
#N/A, an 18-digit identity number Excel stored as a rounded number, a cell of a
merged range, a JSON object - becomes an :class:`UnreadableCell`, which the
validator reports like any bad cell (or rejects with the row, with --lenient).
Problems with the file as a whole (wrong encoding, not JSON, merged header cells)
raise :class:`DataError` at once.
"""

from __future__ import annotations

import codecs
import csv
import datetime as _dt
import hashlib
import io
import json
import math
import re
import xml.etree.ElementTree as ElementTree
import zipfile
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any, Sequence

import attrs

from jifen_dsl.data import csvstream
from jifen_dsl.errors import DataError
from jifen_dsl.data.formats import INPUT_FORMATS

__all__ = ["FORMATS", "Table", "UnreadableCell", "read_table", "open_table", "finished", "is_streamed", "format_of", "decode_text", "column_letter"]

FORMATS = INPUT_FORMATS

_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the binary Excel 97-2003 (.xls) container


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
    rows: Sequence[tuple[int, list[str]]]  # a list, or for a streamed CSV file a csvstream.CsvRows
    digest: str = ""  # sha256 of the file's bytes, as read
    header_row: int = 1
    broken: tuple[Broken, ...] = ()
    encoding: str | None = None
    sheet: str | None = None

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


def format_of(path: str, given: str | None = None) -> str:
    """The format to read ``path`` as: ``given``, or the one its extension names."""
    if given is not None:
        if given not in FORMATS:
            raise DataError([f"{path}: unknown input format {given!r} (expected one of {', '.join(FORMATS)})"])
        return given
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise DataError([f"{path}: the Excel 97-2003 format (.xls) cannot be read; save the workbook as .xlsx"])
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        raise DataError(
            [f"{path}: cannot tell the format from the extension {suffix or '(none)'!r}"
             f" (known: {', '.join(sorted(_EXTENSIONS))}); give --input-format {'|'.join(FORMATS)}"]
        ) from None


def read_table(path: str, *, fmt: str | None = None, encoding: str | None = None, sheet: str | None = None, what: str = "data") -> Table:
    """Read a CSV, XLSX, JSON or JSON Lines file; raise DataError for a file that cannot be read as one."""
    kind = format_of(path, fmt)
    data = _read_bytes(path, what)
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise DataError([f"{path}: the file is empty; expected a header row and one row per {what}"])
    if kind == "xlsx":
        if encoding is not None:
            raise DataError([f"{path}: --encoding applies to CSV and JSON text, not to an Excel workbook"])
        return _read_xlsx(path, data, digest, sheet, what)
    if sheet is not None:
        raise DataError([f"{path}: --sheet applies to an Excel workbook, not to {kind.upper()} text"])
    text, used = decode_text(data, path, encoding)
    if kind == "csv":
        return _read_csv(path, text, digest, used, what)
    if kind == "json":
        return _read_json(path, text, digest, used, what)
    return _read_jsonl(path, text, digest, used, what)


def open_table(path: str, *, fmt: str | None = None, encoding: str | None = None, sheet: str | None = None, what: str = "data") -> Table:
    """Like :func:`read_table`, but the rows of a CSV file stream from disk as they are iterated.

    The table's ``digest`` is filled in by :func:`finished` once the rows have
    been read to the end. Iterating the rows raises :class:`csvstream.Fallback`
    when the file needs :func:`read_table` after all; see :mod:`jifen_dsl.data.csvstream`.
    """
    kind = format_of(path, fmt)
    if kind == "csv" and sheet is None:
        opened = csvstream.open_csv(path, encoding)
        if opened is not None:
            header, rows, used = opened
            return Table(path, "csv", header, rows, encoding=used)
    return read_table(path, fmt=fmt, encoding=encoding, sheet=sheet, what=what)


def is_streamed(table: Table) -> bool:
    """Whether a table's rows are read from its file each time they are iterated."""
    return isinstance(table.rows, csvstream.CsvRows)


def finished(table: Table) -> Table:
    """The table with its digest, once its rows have been read to the end."""
    if is_streamed(table) and not table.digest:
        if table.rows.digest is None:  # pragma: no cover - callers read every row first
            raise RuntimeError("the rows were not read to the end")
        return attrs.evolve(table, digest=table.rows.digest)
    return table


def _read_bytes(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise DataError([f"{path}: is a directory, not a {what} file"]) from None
    except OSError as exc:
        raise DataError([f"{path}: cannot read ({exc.strerror})"]) from None


# ------------------------------------------------------------------ text


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def decode_text(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file and the encoding used: ``encoding``, or UTF-8 (with or without a BOM), then GB18030."""
    if data.startswith(_ZIP):
        raise DataError([f"{path}: this is a zip file, most likely an Excel workbook; name it .xlsx or give --input-format xlsx"])
    if data.startswith(_OLE2):
        raise DataError([f"{path}: this is an Excel 97-2003 workbook (.xls), which cannot be read; save it as .xlsx or as CSV UTF-8"])
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise DataError([f"{path}: unknown encoding {encoding!r} (try utf-8 or gb18030)"]) from None
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            raise DataError([
                f"{path}:{_line_of(data, exc.start)}: the file is not {encoding} text:"
                f" byte offset {exc.start} (0x{data[exc.start]:02x}) cannot be decoded"
            ]) from None
        text = text.removeprefix("\ufeff")
        _check_text(text, path)
        return text, name
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError([f"{path}: the file is UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8' or give --encoding utf-16"])
    try:
        text, used = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text, used = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as gb_error:
            # The decoder that read further is most likely the file's real encoding: point at where it stopped.
            name, stop = ("UTF-8", utf8_error.start) if utf8_error.start >= gb_error.start else ("GB18030", gb_error.start)
            raise DataError([
                f"{path}:{_line_of(data, stop)}: the file is neither UTF-8 nor GB18030 text: it reads as {name}"
                f" up to byte offset {stop} (0x{data[stop]:02x}), which is not valid {name};"
                " save the file as 'CSV UTF-8' or give its encoding with --encoding"
            ]) from None
    if text.startswith("\ufeff"):
        text, used = text[1:], "utf-8-sig"
    _check_text(text, path)
    return text, used


def _check_text(text: str, path: str) -> None:
    """Refuse text with characters no spreadsheet export writes: they mean a damaged or joined file."""
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise DataError([f"{path}:{line}: the file contains NUL characters; is it UTF-16 without a byte-order mark? Save it as 'CSV UTF-8'"])
    bom = text.find("\ufeff")
    if bom >= 0:
        line = text.count("\n", 0, bom) + 1
        raise DataError([
            f"{path}:{line}: a byte-order mark (U+FEFF) in the middle of the file, usually where two files were joined;"
            " remove it, and the second header row if there is one"
        ])


# ------------------------------------------------------------------ CSV


def _read_csv(path: str, text: str, digest: str, encoding: str, what: str) -> Table:
    # strict: a quote left open must be an error, not a cell that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    start = 1  # the line the next record starts on
    try:
        for cells in reader:
            if header is None:
                header = cells
            else:
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        message = str(exc)
        if "unexpected end of data" in message:
            raise DataError([f"{path}:{start}: a quoted cell that starts on this line is never closed (a '\"' is missing)"]) from None
        if "expected after" in message:
            raise DataError([f"{path}:{reader.line_num}: a '\"' inside a quoted cell must be doubled (\"\"), or the cell left unquoted"]) from None
        if "field larger than field limit" in message:
            raise DataError([f"{path}:{start}: a cell is longer than {csv.field_size_limit():,} characters; is this really the {what} file?"]) from None
        if "new-line character seen in unquoted field" in message:
            raise DataError([f"{path}:{reader.line_num}: a line break inside a cell that is not in quotes"]) from None
        raise DataError([f"{path}:{reader.line_num}: the file is not valid CSV ({message})"]) from None
    if header is None:  # pragma: no cover - empty text was refused before
        raise DataError([f"{path}: the file is empty; expected a header row and one row per {what}"])
    if len(header) == 1:
        for separator, name in (("\t", "tabs"), (";", "semicolons")):
            if separator in header[0]:
                raise DataError([f"{path}:1: the header is a single cell holding {name}; the file is not comma-separated. Save it as 'CSV UTF-8 (comma delimited)'"])
    return Table(path, "csv", tuple(header), rows, digest, encoding=encoding)


# ------------------------------------------------------------------ JSON


class _Number(str):
    """A JSON number, kept as its exact decimal text."""


def _json_number(text: str) -> str:
    try:
        return _Number(format(Decimal(text), "f"))
    except InvalidOperation:  # pragma: no cover - the JSON parser only passes numbers
        return _Number(text)


def _json_constant(name: str) -> UnreadableCell:
    return UnreadableCell(name, f"{name} is not a number")


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice is kept as an unreadable value, never silently overwritten."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            found[key] = UnreadableCell("", f"the key {key!r} appears twice in this object")
        else:
            found[key] = value
    return found


def _loads(text: str) -> Any:
    # Numbers become their exact decimal text: no float ever holds points or money.
    return json.loads(text, parse_float=_json_number, parse_int=_Number, parse_constant=_json_constant, object_pairs_hook=_object)


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, UnreadableCell):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, (list, dict)) or item is None:
                return UnreadableCell(_short(value), f"{_short(value)} is not a cell value: a list may hold only text, numbers or true/false")
            text = _json_cell(item)
            if ";" in text or "；" in text:
                return UnreadableCell(_short(value), f"the list item {text!r} contains ';', which separates items")
            items.append(text)
        return ";".join(items)
    return UnreadableCell(_short(value), f"{_short(value)} is not a cell value (expected text, a number, true/false or a list)")


def _show(value: Any) -> str:
    """A JSON value written back as JSON, numbers exactly as they were read."""
    if isinstance(value, (_Number, UnreadableCell)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_show(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _short(value: Any) -> str:
    text = _show(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (_Number, UnreadableCell)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    return "a value"


def _rows_of_objects(records: list[tuple[int, Any, str]]) -> tuple[tuple[str, ...], list[tuple[int, list[str]]], list[Broken]]:
    """A header (every key, in order of first appearance) and the rows, from (row, object, raw text)."""
    keys: dict[str, int] = {}
    objects: list[tuple[int, dict]] = []
    broken: list[Broken] = []
    for row, value, raw in records:
        if not isinstance(value, dict):
            broken.append(Broken(row, f"{_kind(value)}, not an object with one key per column", raw))
            continue
        for key in value:
            keys.setdefault(key, len(keys))
        objects.append((row, value))
    header = tuple(keys)
    rows = [(row, [_json_cell(obj.get(key)) for key in header]) for row, obj in objects]
    return header, rows, broken


def _read_json(path: str, text: str, digest: str, encoding: str, what: str) -> Table:
    try:
        value = _loads(text)
    except json.JSONDecodeError as exc:
        raise DataError([f"{path}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"]) from None
    if not isinstance(value, list):
        raise DataError([f"{path}: the file holds {_kind(value)}; expected a list of objects, one per {what}: [{{...}}, {{...}}]"])
    if not value:
        raise DataError([f"{path}: the list is empty; expected one object per {what}"])
    header, rows, broken = _rows_of_objects([(i, item, _short(item)) for i, item in enumerate(value, start=1)])
    return Table(path, "json", header, rows, digest, header_row=1, broken=tuple(broken), encoding=encoding)


def _read_jsonl(path: str, text: str, digest: str, encoding: str, what: str) -> Table:
    records: list[tuple[int, Any, str]] = []
    broken: list[Broken] = []
    # Split on newlines only: str.splitlines() would also split at U+2028, which JSON strings may hold.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            records.append((number, _loads(line), line))
        except json.JSONDecodeError as exc:
            broken.append(Broken(number, f"not valid JSON at column {exc.colno}: {exc.msg}", line))
    header, rows, not_objects = _rows_of_objects(records)
    broken = sorted(broken + not_objects, key=lambda b: b.row)
    if not header:
        raise DataError([f"{path}: no line holds a JSON object; expected one object per {what} on each line"])
    return Table(path, "jsonl", header, rows, digest, header_row=1, broken=tuple(broken), encoding=encoding)


# ------------------------------------------------------------------ XLSX

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


def _read_xlsx(path: str, data: bytes, digest: str, sheet: str | None, what: str) -> Table:
    import openpyxl  # imported here: only Excel input pays for loading it

    if not data.startswith(_ZIP):
        if data.startswith(_OLE2):
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

