"""Open a workbook within bounds, and choose the sheet a reviewer sees.

openpyxl reads a workbook's shared strings whole when it opens it, so a cell of
300 MB is held before anything can look at it. Here the XML every part is read
from passes through :class:`RunGuard`, which stops at a run of text longer than
any cell may be; the shared strings are then read again by a reader that keeps
only the first :data:`~jifen_dsl.data.cells.CELL_LIMIT` characters and one more
of each, so the cell that uses such a string is refused where it is, like a
long CSV cell.

The sheet read is the one a person opening the workbook sees: the sheet named
with ``--sheet`` (by name or number, hidden or not), else the active sheet when
it is visible, else the first visible one. A hidden sheet is never read
unless named - a forged copy of the list could hide there.
"""

from __future__ import annotations

import io
import re
import xml.parsers.expat
from typing import Any

from jifen_dsl.data.cells import CELL_LIMIT
from jifen_dsl.errors import DataError
from jifen_dsl.messages import M, Message, N, T, series

__all__ = ["LongRun", "RunGuard", "open_workbook", "choose_sheet", "cell_in", "damaged", "hidden_note", "HIDDEN_HINT"]

# Bytes of XML between two '<' past which a text is longer than any cell may be: a
# character takes at most ten bytes (&#x10FFFF;), and a tag's name and attributes a few more.
RUN_LIMIT = 10 * CELL_LIMIT + 4096
_CONTEXT = 512  # bytes kept from before a run, to name the cell it is in
_PIECE = 1 << 16
_CELL_REF = re.compile(rb"<(?:\w+:)?c\b[^<>]*?\br=\"([A-Z]{1,3}[0-9]{1,7})\"")


class LongRun(Exception):
    """A run of text longer than any cell may be; ``before`` holds the XML that came before it."""

    def __init__(self, before: bytes):
        super().__init__("a run of text longer than a cell may be")
        self.before = before


class RunGuard:
    """One part of a workbook, read as its XML parser reads it, raising :class:`LongRun` where a text grows too long.

    Two C scans a read (for the first and the last '<'): the XML of a large sheet
    passes at the speed it is decompressed.
    """

    def __init__(self, stream):
        self.stream = stream
        self.run = 0  # bytes since the last '<'
        self.tail = b""  # the last bytes read
        self.before = b""  # the bytes before the run under way

    def read(self, size: int = -1) -> bytes:
        # At most 64 KiB at a time, so that a run between the first and the last '<' is never too long itself.
        chunk = self.stream.read(size if 0 < size <= _PIECE else _PIECE)
        first = chunk.find(b"<")
        if first < 0:
            self.run += len(chunk)
        elif self.run + first > RUN_LIMIT:
            self.run += first
        else:
            last = chunk.rfind(b"<")
            self.before = (self.tail + chunk[: last + 1])[-_CONTEXT:]
            self.run = len(chunk) - last - 1
        if self.run > RUN_LIMIT:
            raise LongRun(self.before)
        self.tail = (self.tail + chunk[-_CONTEXT:])[-_CONTEXT:]
        return chunk

    def close(self) -> None:
        self.stream.close()


def cell_in(before: bytes) -> str | None:
    """The reference of the last cell opened in ``before`` (A2, XFD7), if any."""
    found = _CELL_REF.findall(before)
    return found[-1].decode("ascii") if found else None


def damaged(where: Any, exc: BaseException) -> DataError:
    """The error for a workbook that stops making sense part-way: a bad zip entry, broken XML, a cell openpyxl cannot read."""
    detail = str(exc).splitlines()[0] if str(exc) else ""
    detail = detail if len(detail) <= 120 else detail[:117] + "..."
    return DataError([M(
        "D0213", "{where}: the workbook is damaged and cannot be read ({error}); open it in Excel and save it again",
        where=where, error=type(exc).__name__ + (": " + detail if detail else ""),
    )])


class _StringTable:
    """The shared strings as openpyxl reads them (a plain text and rich runs; phonetic runs left out), each cut after CELL_LIMIT + 1 characters."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self.path: list[str] = []
        self.parts: list[str] | None = None  # the text of the <t> under way, if it is one that counts
        self.size = 0  # characters kept of the string under way
        self.plain: str | None = None
        self.runs: list[str] = []

    def start(self, name: str, attrs: Any) -> None:
        self.path.append(name.rpartition(" ")[2])
        path = self.path
        if path[-1] == "t" and len(path) >= 2 and (path[-2] == "si" or (path[-2] == "r" and len(path) >= 3 and path[-3] == "si")):
            self.parts = []

    def end(self, name: str) -> None:
        local = self.path.pop()
        if local == "t" and self.parts is not None:
            text, self.parts = "".join(self.parts), None
            if self.path and self.path[-1] == "si":
                self.plain = text
            else:
                self.runs.append(text)
        elif local == "si":
            text = (self.plain or "") + "".join(self.runs)
            self.strings.append(text.replace("x005F_", "")[: CELL_LIMIT + 1])
            self.plain, self.runs, self.size = None, [], 0

    def characters(self, data: str) -> None:
        if self.parts is not None and self.size <= CELL_LIMIT:
            self.parts.append(data)
            self.size += len(data)


def _bounded_strings(source) -> list[str]:
    table = _StringTable()
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = table.start
    parser.EndElementHandler = table.end
    parser.CharacterDataHandler = table.characters
    parser.ParseFile(source)
    return table.strings


def _reader_class():
    """openpyxl's workbook reader, with its shared strings read through a :class:`RunGuard`."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.reader.strings import read_string_table
    from openpyxl.xml.constants import SHARED_STRINGS

    class BoundedReader(ExcelReader):
        def read_strings(self) -> None:
            found = self.package.find(SHARED_STRINGS)
            if found is None:
                return
            member = found.PartName[1:]
            try:
                with self.archive.open(member) as source:
                    self.shared_strings = read_string_table(RunGuard(source))
            except LongRun:  # a string too long for a cell: read them all again, keeping the start of each
                with self.archive.open(member) as source:
                    self.shared_strings = _bounded_strings(source)

    return BoundedReader


def open_workbook(path: str, data: bytes, formulas: str):
    """The workbook in ``data``, streamed (read-only); with ``formulas`` "cached" its formula cells give the values saved with them."""
    try:
        reader = _reader_class()(io.BytesIO(data), read_only=True, data_only=formulas == "cached")
        reader.read()
    except MemoryError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file; each means the same here
        error = f"{type(exc).__name__}: {exc}"
        raise DataError([M("D0214", "{path}: cannot be read as an Excel workbook ({error})", path=path, error=error)]) from None
    return reader.wb


def _listed(sheets) -> Any:
    return series(repr(ws.title) if ws.sheet_state == "visible" else T("{name} (hidden)", name=repr(ws.title)) for ws in sheets)


HIDDEN_HINT = T("a hidden sheet is read only when named with --sheet (or unhide it in Excel)")


def hidden_note(hidden: tuple[str, ...]) -> Message:
    """What to say of the hidden sheets left unread, when the sheet read does not hold the data."""
    return N(
        "the workbook's hidden sheet {names} was not read: {hint}", "the workbook's hidden sheets {names} were not read: {hint}",
        len(hidden), names=series(repr(name) for name in hidden), hint=HIDDEN_HINT,
    )


def choose_sheet(path: str, workbook, sheet: str | None):
    """The worksheet to read, and the names of the hidden sheets left unread."""
    sheets = workbook.worksheets
    if not sheets:
        raise DataError([M("D0215", "{path}: the workbook has no worksheet", path=path)])
    hidden = tuple(ws.title for ws in sheets if ws.sheet_state != "visible")
    if sheet is not None:
        for ws in sheets:
            if ws.title == sheet:
                return ws, tuple(h for h in hidden if h != sheet)
        # Only ASCII digits count: '²'.isdigit() is true, but it is no number to count sheets by.
        if sheet.isascii() and sheet.isdigit() and 1 <= int(sheet) <= len(sheets):
            chosen = sheets[int(sheet) - 1]
            return chosen, tuple(h for h in hidden if h != chosen.title)
        raise DataError([M("D0216", "{path}: no sheet {sheet}; the workbook has {sheets}", path=path, sheet=repr(sheet), sheets=_listed(sheets))])
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    if not visible:
        raise DataError([M(
            "D0217", "{path}: every sheet of the workbook is hidden ({sheets}); {hint}",
            path=path, sheets=series(repr(ws.title) for ws in sheets), hint=HIDDEN_HINT,
        )])
    active = workbook.active
    chosen = active if any(ws is active for ws in visible) else visible[0]
    return chosen, hidden
