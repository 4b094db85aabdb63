"""Read tabular input - CSV, XLSX, JSON, JSON Lines - as a header and rows of text cells.

A reader only turns its format into text: a header, and (row number, cells)
pairs. Typing and validation happen in one place for every format
(:mod:`jifen_dsl.data.frames` for applicants and evidence, :mod:`jifen_dsl.data.schools`), so a
date or a yes/no reads the same from a CSV cell, an Excel cell or a JSON value.

Row numbers are what a person finds in the file: the line of a CSV or JSON Lines
file, the row of a spreadsheet, the record (counted from 1) of a JSON list.
A cell the reader cannot turn into text faithfully - an Excel error such as
#N/A, an 18-digit identity number Excel stored as a rounded number, a cell of a
merged range, a formula, a JSON object or a number with an exponent - becomes an :class:`UnreadableCell`, which the
validator reports like any bad cell (or rejects with the row, with --lenient).
Problems with the file as a whole (wrong encoding, not JSON, merged header cells,
a cell longer than :data:`~jifen_dsl.data.cells.CELL_LIMIT`, a damaged workbook)
raise :class:`DataError` at once.

Here: the format a file is read as, its bytes decoded to text, and CSV text.
:mod:`jifen_dsl.data.jsonread` and :mod:`jifen_dsl.data.xlsxread` read the other
formats; the table they all make is :mod:`jifen_dsl.data.cells`'s, and is
named here too.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from pathlib import Path

from jifen_dsl.data.cells import Table, UnreadableCell, column_letter, too_long, what_word
from jifen_dsl.data.jsonread import read_json, read_jsonl
from jifen_dsl.data.xlsxread import XLS_SIGNATURE, ZIP_SIGNATURE, read_xlsx
from jifen_dsl.errors import DataError
from jifen_dsl.data.formats import INPUT_FORMATS
from jifen_dsl.messages import M, T

__all__ = ["FORMATS", "Table", "UnreadableCell", "read_table", "format_of", "decode_text", "column_letter"]

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


def format_of(path: str, given: str | None = None) -> str:
    """The format to read ``path`` as: ``given``, or the one its extension names."""
    if given is not None:
        if given not in FORMATS:
            raise DataError([M("D0101", "{path}: unknown input format {format} (expected one of {formats})", path=path, format=repr(given), formats=", ".join(FORMATS))])
        return given
    suffix = Path(path).suffix.lower()
    if suffix == ".xls":
        raise DataError([M("D0102", "{path}: the Excel 97-2003 format (.xls) cannot be read; save the workbook as .xlsx", path=path)])
    try:
        return _EXTENSIONS[suffix]
    except KeyError:
        none = T("'(none)'")  # a file name without an extension: in quotes, as an extension would be
        raise DataError([M(
            "D0103", "{path}: cannot tell the format from the extension {extension} (known: {known}); give --input-format {formats}",
            path=path, extension=repr(suffix) if suffix else none, known=", ".join(sorted(_EXTENSIONS)), formats="|".join(FORMATS),
        )]) from None


def read_table(
    path: str, *, fmt: str | None = None, encoding: str | None = None, sheet: str | None = None, what: str = "data", formulas: str = "refuse"
) -> Table:
    """Read a CSV, XLSX, JSON or JSON Lines file; raise DataError for a file that cannot be read as one.

    ``formulas`` says what a workbook's formula cells give: "refuse" (an unreadable
    cell) or "cached" (the value saved with the formula); other formats have none.
    """
    kind = format_of(path, fmt)
    data = _read_bytes(path, what)
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise DataError([_empty(path, what)])
    if kind == "xlsx":
        if encoding is not None:
            raise DataError([M("D0105", "{path}: --encoding applies to CSV and JSON text, not to an Excel workbook", path=path)])
        return read_xlsx(path, data, digest, sheet, what, formulas)
    if sheet is not None:
        raise DataError([M("D0106", "{path}: --sheet applies to an Excel workbook, not to {format} text", path=path, format=kind.upper())])
    text, used = decode_text(data, path, encoding)
    if kind == "csv":
        return _read_csv(path, text, digest, used, what)
    if kind == "json":
        return read_json(path, text, digest, used, what)
    return read_jsonl(path, text, digest, used, what)


def _empty(path: str, what: str):
    return M("D0104", "{path}: the file is empty; expected a header row and one row per {what}", path=path, what=what_word(what))


def _read_bytes(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise DataError([M("D0107", "{path}: no such file", path=path)]) from None
    except IsADirectoryError:
        raise DataError([M("D0108", "{path}: is a directory, not a {what} file", path=path, what=what_word(what))]) from None
    except OSError as exc:
        raise DataError([M("D0109", "{path}: cannot read ({reason})", path=path, reason=exc.strerror)]) from None


# ------------------------------------------------------------------ text


def _line(path: str, line: int) -> str:
    """A line of a text file, as messages name it: ``h.csv:3``."""
    return f"{path}:{line}"


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def decode_text(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file and the encoding used: ``encoding``, or UTF-8 (with or without a BOM), then GB18030."""
    if data.startswith(ZIP_SIGNATURE):
        raise DataError([M("D0110", "{path}: this is a zip file, most likely an Excel workbook; name it .xlsx or give --input-format xlsx", path=path)])
    if data.startswith(XLS_SIGNATURE):
        raise DataError([M("D0111", "{path}: this is an Excel 97-2003 workbook (.xls), which cannot be read; save it as .xlsx or as CSV UTF-8", path=path)])
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            raise DataError([M("D0112", "{path}: unknown encoding {encoding} (try utf-8 or gb18030)", path=path, encoding=repr(encoding))]) from None
        try:
            text = data.decode(name)
        except UnicodeDecodeError as exc:
            raise DataError([M(
                "D0113", "{where}: the file is not {encoding} text: byte offset {offset} (0x{byte}) cannot be decoded",
                where=_line(path, _line_of(data, exc.start)), encoding=encoding, offset=exc.start, byte=format(data[exc.start], "02x"),
            )]) from None
        text = text.removeprefix("\ufeff")
        _check_text(text, path)
        return text, name
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError([M("D0114", "{path}: the file is UTF-16 text (Excel's 'Unicode Text'); save it as 'CSV UTF-8' or give --encoding utf-16", path=path)])
    try:
        text, used = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text, used = data.decode("gb18030"), "gb18030"
        except UnicodeDecodeError as gb_error:
            # The decoder that read further is most likely the file's real encoding: point at where it stopped.
            name, stop = ("UTF-8", utf8_error.start) if utf8_error.start >= gb_error.start else ("GB18030", gb_error.start)
            raise DataError([M(
                "D0115",
                "{where}: the file is neither UTF-8 nor GB18030 text: it reads as {encoding} up to byte offset {offset} (0x{byte}),"
                " which is not valid {encoding}; save the file as 'CSV UTF-8' or give its encoding with --encoding",
                where=_line(path, _line_of(data, stop)), encoding=name, offset=stop, byte=format(data[stop], "02x"),
            )]) from None
    if text.startswith("\ufeff"):
        text, used = text[1:], "utf-8-sig"
    _check_text(text, path)
    return text, used


def _check_text(text: str, path: str) -> None:
    """Refuse text with characters no spreadsheet export writes: they mean a damaged or joined file."""
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise DataError([M(
            "D0116", "{where}: the file contains NUL characters; is it UTF-16 without a byte-order mark? Save it as 'CSV UTF-8'", where=_line(path, line)
        )])
    bom = text.find("\ufeff")
    if bom >= 0:
        line = text.count("\n", 0, bom) + 1
        raise DataError([M(
            "D0117",
            "{where}: a byte-order mark (U+FEFF) in the middle of the file, usually where two files were joined;"
            " remove it, and the second header row if there is one",
            where=_line(path, line),
        )])


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
            raise DataError([M("D0118", "{where}: a quoted cell that starts on this line is never closed (a '\"' is missing)", where=_line(path, start))]) from None
        if "expected after" in message:
            raise DataError([M(
                "D0119", "{where}: a '\"' inside a quoted cell must be doubled (\"\"), or the cell left unquoted", where=_line(path, reader.line_num)
            )]) from None
        if "field larger than field limit" in message:
            raise DataError([too_long(_line(path, start), csv.field_size_limit(), what)]) from None
        if "new-line character seen in unquoted field" in message:
            raise DataError([M("D0121", "{where}: a line break inside a cell that is not in quotes", where=_line(path, reader.line_num))]) from None
        raise DataError([M("D0122", "{where}: the file is not valid CSV ({detail})", where=_line(path, reader.line_num), detail=message)]) from None
    if header is None:  # pragma: no cover - empty text was refused before
        raise DataError([_empty(path, what)])
    if len(header) == 1:
        for separator, name in (("\t", T("tabs")), (";", T("semicolons"))):
            if separator in header[0]:
                raise DataError([M(
                    "D0123", "{where}: the header is a single cell holding {separators}; the file is not comma-separated. Save it as 'CSV UTF-8 (comma delimited)'",
                    where=_line(path, 1), separators=name,
                )])
    return Table(path, "csv", tuple(header), rows, digest, encoding=encoding)
