"""The merged cells of a sheet: found in its XML, refused in the header, and marked in each data row as the row is read.

A merged range is kept as its corners only; the cells it covers are never
listed (A300:XFD1048576 is 17 billion of them). As each data row is read, the
ranges that reach it mark the cells they cover but for their first one, up to
the row's last cell, as unreadable cells saying so. Ranges come into play at
their first row and leave after their last, so a row costs no more than the
cells it has, however many ranges the sheet declares.
"""

from __future__ import annotations

import bisect
import heapq
import re
import zipfile
import zlib
import xml.etree.ElementTree as ElementTree
from typing import Any

from jifen_dsl.data.cells import UnreadableCell, column_letter, row_place
from jifen_dsl.errors import DataError
from jifen_dsl.messages import M

__all__ = ["MERGE_LIMIT", "merged_ranges", "check_header", "Covered"]

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
_PIECE = 1 << 20
MERGE_LIMIT = 1 << 16  # each costs openpyxl's parser an object: a sheet of merges is a way to fill memory
_TAIL = 4096  # longer than any mergeCell element: a piece cut inside one keeps its start for the next


def _letters_index(letters: bytes) -> int:
    index = 0
    for ch in letters.decode("ascii"):
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1


def range_name(r1: int, c1: int, r2: int, c2: int) -> str:
    return f"{column_letter(c1)}{r1}:{column_letter(c2)}{r2}"


def merged_ranges(archive: zipfile.ZipFile, member: str, where: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges of one sheet's XML as (first row, first column, last row, last column), columns from 0.

    openpyxl's streaming reader does not report merged cells, so the XML is
    scanned for them, a piece at a time. A sheet that cannot be scanned has none
    here: reading its rows says what is wrong with it. More than
    :data:`MERGE_LIMIT` ranges are refused, before openpyxl's parser makes an
    object of each.
    """
    ranges: list[tuple[int, int, int, int]] = []
    tail = b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_PIECE):
                window = tail + chunk
                cut = window.rfind(b"<")
                # Keep an element cut by the piece's end for the next round, but never a long run of text.
                scan, tail = (window[:cut], window[cut:]) if 0 <= cut and len(window) - cut <= _TAIL else (window, b"")
                ranges.extend(_merges_in(scan))
                if len(ranges) > MERGE_LIMIT:
                    break
            ranges.extend(_merges_in(tail))
    except (KeyError, zipfile.BadZipFile, zlib.error, EOFError, ElementTree.ParseError, OSError):
        return []
    if len(ranges) > MERGE_LIMIT:
        raise DataError([M(
            "D0218", "{where}: the sheet has more than {limit:,} merged ranges, which no table needs; unmerge the cells (取消合并单元格) and fill each in",
            where=where, limit=MERGE_LIMIT,
        )])
    return ranges


def _merges_in(text: bytes) -> list[tuple[int, int, int, int]]:
    found = []
    for match in _MERGE.finditer(text):
        c1, r1, c2, r2 = match.groups()
        c2, r2 = c2 or c1, r2 or r1
        found.append((int(r1), _letters_index(c1), int(r2), _letters_index(c2)))
    return found


def check_header(where: Any, header_row: int, ranges: list[tuple[int, int, int, int]]) -> None:
    """Refuse a header with merged cells: each column needs a name of its own."""
    for r1, c1, r2, c2 in ranges:
        if r1 <= header_row <= r2:
            at, cells = row_place(where, header_row), range_name(r1, c1, r2, c2)
            if c2 - c1 > 1:  # as wide as a title over the table
                raise DataError([M(
                    "D0219",
                    "{where}: the header has merged cells {cells}; a header needs one name in each column, in the first row of the table:"
                    " unmerge them and remove any title rows above the header",
                    where=at, cells=cells,
                )])
            raise DataError([M(
                "D0219", "{where}: the header has merged cells {cells}; a header needs one name in each column, in the first row of the table: unmerge them",
                where=at, cells=cells,
            )])


class Covered:
    """The merged ranges below the header, marking the cells they cover in each data row (rows in increasing order)."""

    def __init__(self, where: Any, ranges: list[tuple[int, int, int, int]], header_row: int):
        self.where = where
        # (first row, position in the file, range): each comes into play at its first row.
        self.waiting = sorted((r1, i, (r1, c1, r2, c2)) for i, (r1, c1, r2, c2) in enumerate(ranges) if r2 > header_row)
        self.next = 0
        self.active: list[tuple[int, int, int, int, int]] = []  # (first column, last column, first row, last row, position), by column
        self.ending: list[tuple[int, tuple[int, int, int, int, int]]] = []  # a heap by last row

    def mark(self, number: int, cells: list[str]) -> None:
        """Make the cells of row ``number`` that a merged range covers, but for its first, unreadable cells saying so."""
        while self.ending and self.ending[0][0] < number:
            _, entry = heapq.heappop(self.ending)
            del self.active[bisect.bisect_left(self.active, entry)]
        while self.next < len(self.waiting) and self.waiting[self.next][0] <= number:
            _, position, (r1, c1, r2, c2) = self.waiting[self.next]
            self.next += 1
            if r2 >= number:
                self._enter((c1, c2, r1, r2, position))
        width = len(cells)
        for c1, c2, r1, r2, _ in self.active:
            if c1 >= width:
                break
            reason = M("D0220", "the cell is part of the merged cells {cells}; unmerge them and fill in every cell", cells=range_name(r1, c1, r2, c2))
            for c in range(c1, min(c2, width - 1) + 1):
                if (number, c) != (r1, c1):
                    cells[c] = UnreadableCell("", reason)

    def _enter(self, entry: tuple[int, int, int, int, int]) -> None:
        """Take a range into play; two that cover one cell make no sense (Excel repairs such a file), and would cost a row each other's cells."""
        at = bisect.bisect_left(self.active, entry)
        for other in self.active[max(at - 1, 0): at + 1]:
            if other[0] <= entry[1] and entry[0] <= other[1]:
                first, second = sorted((other, entry), key=lambda e: e[4])
                raise DataError([M(
                    "D0221", "{where}: the merged cells {first} and {second} overlap; the workbook is damaged: open it in Excel and save it again",
                    where=self.where, first=range_name(first[2], first[0], first[3], first[1]), second=range_name(second[2], second[0], second[3], second[1]),
                )])
        self.active.insert(at, entry)
        heapq.heappush(self.ending, (entry[3], entry))
