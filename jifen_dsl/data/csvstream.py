"""Stream the rows of a large CSV file from disk instead of holding the file, its text and its cells in memory.

A district's file of a million applicants is 200 MB of bytes, twice that as
text, and several gigabytes as lists of cells. :func:`open_csv` reads only the
header; the rows are read from the file each time they are iterated, decoded
and split as they go, and the file is hashed on the way, so the digest a run
records is of the bytes that were read.

The stream handles the well-formed file and nothing else. Anything unusual - a
file that stops being UTF-8 half-way, a NUL character, a byte-order mark in the
middle, a quote left open - raises :class:`Fallback`, and the caller reads the
file again with :func:`jifen_dsl.data.readers.read_table`, which gives the one
precise message for each of these. So the two readers can never disagree on
what a file holds or on what is wrong with it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import hashlib
import io
import os
from typing import Callable, Iterator, TypeVar

from jifen_dsl.errors import DataError

__all__ = ["CsvRows", "Fallback", "LINE_LIMIT", "open_csv", "open_part", "skip_rest", "split_line"]

T = TypeVar("T")

_SAMPLE = 1 << 16  # the bytes read to decide the encoding and estimate the number of rows
_BUFFER = 1 << 20
_UTF8_BOM = codecs.BOM_UTF8
_GB18030_BOM = "\ufeff".encode("gb18030")
_REFUSED_STARTS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0", b"\xff\xfe", b"\xfe\xff")  # zip, .xls, UTF-16: read_table explains


# Encodings in which a comma, a quote, a carriage return and a line feed are single
# bytes that never occur inside another character's bytes, so lines and cells can
# be split before they are decoded. Files in any other encoding are read whole.
_BYTE_SAFE = frozenset({"utf-8", "utf-8-sig", "gb18030", "gbk", "gb2312", "big5", "ascii", "iso8859-1", "cp1252"})


class Fallback(Exception):
    """The file holds something only the whole-file reader handles; read it with read_table."""


class _Hashing(io.RawIOBase):
    """The file's bytes for a buffered reader: hashed as they pass, and stopped at anything the stream does not handle.

    The stream splits lines at line feeds and cells at commas without decoding, so
    each chunk is checked here instead: it must decode with the file's codec (a
    file that stops being UTF-8 half-way is the careful reader's to explain), hold
    no NUL and no byte-order mark past the start (the codec drops one that opens
    the file), and no carriage return but as part of a CR LF line end (a lone one
    ends a line for the csv module). Each test is a single scan in C.
    """

    def __init__(self, handle, codec: str):
        self.handle = handle
        self.hash = hashlib.sha256()
        self.decoder = codecs.getincrementaldecoder(codec)()
        self.carriage_return = False  # the last chunk ended in a carriage return
        self.checking = True  # False: only hash (the bytes were checked by whoever read them)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.handle.readinto(buffer)
        if not count:
            if not self.checking:
                return 0
            if self.carriage_return:
                raise Fallback()  # the file ends in a lone carriage return
            try:
                self.decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                raise Fallback() from None
            return 0
        chunk = bytes(memoryview(buffer)[:count])
        self.hash.update(chunk)
        if not self.checking:
            return count
        if b"\x00" in chunk:
            raise Fallback()
        try:
            text = self.decoder.decode(chunk)
        except UnicodeDecodeError:
            raise Fallback() from None
        if "\ufeff" in text:
            raise Fallback()
        if self.carriage_return and not chunk.startswith(b"\n"):
            raise Fallback()
        if b"\r" in chunk:
            if chunk.count(b"\r") - chunk.count(b"\r\n") - chunk.endswith(b"\r"):
                raise Fallback()
            self.carriage_return = chunk.endswith(b"\r")
        else:
            self.carriage_return = False
        return count


class CsvRows:
    """The data rows of a CSV file as (line, cells), read from the file on each iteration."""

    def __init__(self, path: str, header: tuple[str, ...], codec: str, estimate: int):
        self.path = path
        self.header = header
        self.codec = codec
        self.estimate = estimate  # about how many rows: enough for a progress bar
        self.digest: str | None = None  # the SHA-256 of the file, once it has been read to the end

    def __len__(self) -> int:
        return self.estimate

    @property
    def cell_codec(self) -> str:
        """The codec a line or cell is decoded with: the file's, without a byte-order mark (only the file's start may hold one)."""
        return self.codec.removesuffix("-sig")

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        codec = self.cell_codec
        with _Lines(self) as (lines, number, quoted):
            for line in lines:
                number += 1
                if b'"' not in line and len(line) <= LINE_LIMIT:
                    yield number, split_line(line.decode(codec))
                    continue
                cells, taken = quoted(line)
                yield number, [cell.decode(codec) for cell in cells]
                number += taken - 1

    def consume_lines(self, consume: Callable[[Iterator[bytes], int, Callable[[bytes], tuple[list[bytes], int]]], T]) -> T:
        """Read the file once with ``consume(lines, number, quoted)``, and return what it returns.

        ``lines`` are the file's lines after the header, as bytes in the file's
        encoding (:attr:`cell_codec`), each with its line end; ``number`` is the line
        the header ends on. The stream has checked that they decode, and that a
        carriage return only comes before a line feed: so a line without a quote,
        and no longer than the csv module's field limit, is its cells separated by
        commas (:func:`split_line`), a comma being one byte in every encoding the
        stream reads. For any other, ``quoted(line)`` gives the record's cells as the
        csv module reads them, encoded again, and how many lines it took - a quoted
        cell may run over several. ``consume`` reads every line: the file's digest
        is taken at the end.
        """
        with _Lines(self) as (lines, number, quoted):
            return consume(lines, number, quoted)


LINE_LIMIT = csv.field_size_limit()  # longer lines go to the csv module, which refuses a cell longer than this


def split_line(line: str) -> list[str]:
    """The cells of a line without a quote, as the csv module reads it: split at commas, the line end dropped."""
    line = line.rstrip("\r\n")
    return line.split(",") if line else []


class _Lines:
    """One pass over a streamed file: its lines after the header, hashed, and checked to be what the stream handles."""

    def __init__(self, rows: CsvRows):
        self.rows = rows

    def __enter__(self):
        rows = self.rows
        try:
            self.handle = open(rows.path, "rb", buffering=0)
        except OSError as exc:
            raise DataError([f"{rows.path}: cannot read ({exc.strerror})"]) from None
        self.raw = _Hashing(self.handle, rows.codec)
        self.lines = io.BufferedReader(self.raw, _BUFFER)
        codec = rows.cell_codec
        feed = _Feed(self.lines, codec)
        reader = csv.reader(feed, strict=True)

        def quoted(line: bytes) -> tuple[list[bytes], int]:
            feed.first = line
            feed.taken = 0
            return [cell.encode(codec) for cell in next(reader)], feed.taken

        try:
            first = next(self.lines)
            if rows.codec != codec:
                first = first.removeprefix("\ufeff".encode(codec))  # the byte-order mark the file may open with
            feed.first = first
            if tuple(next(reader)) != rows.header:
                raise Fallback()
        except (csv.Error, UnicodeDecodeError, StopIteration):
            self.handle.close()
            raise Fallback() from None
        except BaseException:
            self.handle.close()
            raise
        return self.lines, feed.taken, quoted

    def __exit__(self, kind, error, trace) -> bool:
        with self.handle:
            if kind is not None:
                if issubclass(kind, (csv.Error, UnicodeDecodeError, StopIteration)):
                    raise Fallback() from None
                return False
            if self.lines.read(1):  # pragma: no cover - every pass reads to the end
                raise RuntimeError(f"{self.rows.path}: the file was not read to the end")
            digest = self.raw.hash.hexdigest()
        rows = self.rows
        if rows.digest is None:
            rows.digest = digest
        elif digest != rows.digest:
            raise DataError([f"{rows.path}: the file changed while it was being read; run again on a file nobody is writing to"])
        return False


def skip_rest(lines: Iterator[bytes]) -> None:
    """Read the rest of a streamed file only to hash it: its lines were checked and read by another reader (see parallelread)."""
    raw = lines.raw  # type: ignore[attr-defined] - the buffered reader consume_lines gives
    raw.checking = False
    while lines.read(_BUFFER):  # type: ignore[attr-defined]
        pass


@contextlib.contextmanager
def open_part(path: str, offset: int, codec: str) -> Iterator[Iterator[bytes]]:
    """The lines of a file from ``offset`` (the start of a line) to its end, as bytes, checked as a streamed file's are."""
    with open(path, "rb", buffering=0) as handle:
        handle.seek(offset)
        yield io.BufferedReader(_Hashing(handle, codec), _BUFFER)


class _Feed:
    """The lines the csv module reads a quoted record from, decoded: the line that opens it, then as many more as it needs."""

    def __init__(self, lines: Iterator[bytes], codec: str):
        self.lines = lines
        self.codec = codec
        self.first: bytes | None = None
        self.taken = 0

    def __iter__(self) -> "_Feed":
        return self

    def __next__(self) -> str:
        line = self.first
        if line is None:
            line = next(self.lines)
        else:
            self.first = None
        self.taken += 1
        return line.decode(self.codec)


def open_csv(path: str, encoding: str | None) -> tuple[tuple[str, ...], CsvRows, str] | None:
    """The header, streamed rows and encoding of a CSV file; None when it must be read whole (read_table decides)."""
    try:
        size = os.path.getsize(path)
        with open(path, "rb") as handle:
            sample = handle.read(_SAMPLE)
    except OSError:
        return None
    if not sample.strip() or sample.startswith(_REFUSED_STARTS) or b"\n" not in sample:
        return None
    found = _codec(sample, encoding)
    if found is None:
        return None
    codec, name = found
    first = io.TextIOWrapper(io.BytesIO(sample), encoding=codec, errors="replace", newline="")
    try:
        header = tuple(next(csv.reader(first, strict=True)))
    except (csv.Error, StopIteration):
        return None
    if len(header) == 1:
        return None  # one cell: the careful reader says whether the file is separated by tabs or semicolons
    estimate = max(1, size * sample.count(b"\n") // len(sample) - 1)
    return header, CsvRows(path, header, codec, estimate), name


def _codec(sample: bytes, encoding: str | None) -> tuple[str, str] | None:
    """The codec to stream with and the encoding to record, as read_table would decide; None to read the file whole."""
    if encoding is not None:
        try:
            name = codecs.lookup(encoding).name
        except LookupError:
            return None
        if name in ("utf-8", "utf-8-sig"):
            return "utf-8-sig", name  # read_table drops a leading byte-order mark of a given encoding too
        if name not in _BYTE_SAFE:
            return None  # UTF-16, stateful encodings and the like: read whole
        bom = "\ufeff".encode(name, errors="ignore")
        if bom and sample.startswith(bom):
            return None
        return name, name
    if sample.startswith(_UTF8_BOM):
        return ("utf-8-sig", "utf-8-sig") if _decodes(sample[3:], "utf-8") else None
    if _decodes(sample, "utf-8"):
        return "utf-8", "utf-8"
    # Not UTF-8 here, so not UTF-8 as a whole: read_table would try GB18030 next.
    if sample.startswith(_GB18030_BOM) or not _decodes(sample, "gb18030"):
        return None
    return "gb18030", "gb18030"


def _decodes(sample: bytes, codec: str) -> bool:
    try:
        codecs.getincrementaldecoder(codec)().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True
