"""One pass over a CSV file's bytes, a piece at a time: its digest, and what polars cannot be trusted to read as the csv module does.

:class:`Scan` is fed the file's UTF-8 text in pieces (straight from the file,
while polars reads it, or all at once when it was made from another encoding)
and the file's own bytes for the digest. It notes a NUL character, a
byte-order mark past the start, a carriage return that is not part of a CR LF
line end, whether the rows after the header hold a quote, and how many carriage
returns they hold. Each test is a C scan of the piece: the pass runs at the
speed the file is read. The commas the rows hold are not counted here (that took
half the time of the pass): the reader works them out from the cells' lengths,
or counts them with :func:`count_commas` when quotes get in the way.
"""

from __future__ import annotations

import hashlib
import os
from typing import BinaryIO, Iterable

from jifen_dsl.data.cells import CELL_LIMIT
from jifen_dsl.data.frames.utf8 import BOM

__all__ = ["Scan", "PIECE", "count_commas", "same_file"]

PIECE = 1 << 20


class Scan:
    """What a pass over the text found: ``odd`` (a NUL, a byte-order mark past ``start``, a lone CR), ``quoted``, ``body_returns``, ``digest``;
    ``long``, whether some line may be longer than ``limit`` bytes (when false, none is); ``digest`` is empty without ``hashing``.
    """

    def __init__(self, start: int, body: int, limit: int = CELL_LIMIT, *, hashing: bool = True):
        self.start = start  # where the text begins, past the byte-order marks the encoding allows
        self.body = body  # where the rows after the header begin
        self.seen = 0
        self.odd = False
        self.quoted = False
        self.returns = 0
        self.body_returns = 0  # carriage returns in the rows after the header
        self.line_ends = 0
        self.tail = b""
        self.hash = hashlib.sha256() if hashing else None  # none: the caller takes the digest later, if at all
        self.digest = ""
        self.limit = limit
        self.long = False
        self.since = 0  # bytes since the last line end seen

    def text(self, piece: bytes) -> None:
        """The next piece of the text."""
        at, self.seen = self.seen, self.seen + len(piece)
        if b"\x00" in piece:
            self.odd = True
        tail = self.tail
        body = max(0, self.body - at)
        if b"\r" in piece or b"\r" in tail:  # a CR LF may span two pieces
            joined = tail + piece
            self.returns += piece.count(b"\r")
            self.line_ends += joined.count(b"\r\n") - tail.count(b"\r\n")
            if body < len(piece):
                self.body_returns += piece.count(b"\r", body)
        # A byte-order mark past the start: in the piece, or begun in the last two bytes before it.
        # (The piece itself is searched, never a copy of it joined to what came before.)
        inside = max(0, self.start - at)
        if piece.find(b"\xef", inside) >= 0 and piece.find(BOM, inside) >= 0:
            self.odd = True
        elif tail:
            spanning = (tail + piece[:2]).find(BOM, max(0, self.start - at + len(tail)))
            if 0 <= spanning < len(tail):
                self.odd = True
        if body < len(piece) and not self.quoted:
            self.quoted = b'"' in (piece[body:] if body else piece)
        self.tail = (tail + piece[-2:])[-2:]
        if not self.long:
            self._measure(piece)

    def _measure(self, piece: bytes) -> None:
        """Whether a line may be longer than the limit, found a limit's length at a time, not line by line.

        From each line end, the last line end within the next ``limit`` bytes is
        looked for: one search skips a limit's worth of lines, and finding none
        means a line at least that long (a cell no longer than its line is then
        measured by the caller).
        """
        limit, end = self.limit, len(piece)
        at = -1 - self.since  # where the last line end is, counted from this piece's start
        while at + 1 + limit < end:
            found = piece.rfind(b"\n", max(at + 1, 0), at + 1 + limit)
            if found < 0:
                self.long = True
                return
            at = found
        last = piece.rfind(b"\n", max(at + 1, 0))  # within a limit of the one before: only where the piece ends matters now
        self.since = end - (last if last >= 0 else at) - 1
        if self.since >= limit:
            self.long = True

    def raw(self, piece: bytes) -> None:
        """The next piece of the file's bytes, for its digest."""
        if self.hash is not None:
            self.hash.update(piece)

    def finish(self) -> "Scan":
        self.odd = self.odd or self.returns != self.line_ends
        self.digest = self.hash.hexdigest() if self.hash is not None else ""
        return self

    @classmethod
    def of_file(cls, handle: BinaryIO, start: int, body: int, *, hashing: bool = True) -> "Scan":
        """A pass over a UTF-8 file, from its first byte to its last (its digest taken only with ``hashing``)."""
        scan = cls(start, body, hashing=hashing)
        while piece := handle.read(PIECE):
            scan.raw(piece)
            scan.text(piece)
        return scan.finish()

    @classmethod
    def of_text(cls, data: bytes, text: bytes, start: int, body: int) -> "Scan":
        """A pass over text made from the file's bytes ``data`` in another encoding."""
        scan = cls(start, body)
        scan.raw(data)
        scan.text(text)
        return scan.finish()


def count_commas(pieces: Iterable[bytes], body: int) -> int:
    """The commas in the text from ``body`` on, the text given in ``pieces``."""
    count, at = 0, 0
    for piece in pieces:
        start = max(0, body - at)
        at += len(piece)
        if start < len(piece):
            count += piece.count(b",", start)
    return count


def same_file(before: os.stat_result, after: os.stat_result) -> bool:
    """Whether a file looks untouched between two looks at it."""
    return (before.st_ino, before.st_size, before.st_mtime_ns) == (after.st_ino, after.st_size, after.st_mtime_ns)
