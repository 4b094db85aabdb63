"""A CSV file's cells read by polars, exactly as the csv module reads them, or None to leave the file to it.

:func:`read_csv_cells` has ``pl.read_csv`` read the file, every column as
text - straight from the file when it is UTF-8, else from the UTF-8 its text is
turned into (:mod:`jifen_dsl.data.frames.utf8`) - while one pass over its bytes
(:mod:`jifen_dsl.data.frames.csvscan`) takes its digest and looks for what
could part the two readers. It takes only files on which polars and the
strict csv module of :func:`jifen_dsl.data.readers.read_table` cannot differ:

- no NUL character, no byte-order mark past the start, no carriage return but
  in a CR LF line end (the csv module ends a line at a lone one);
- a header of more than one cell on the first line;
- no cell longer than the csv module's field limit;
- quotes only around whole cells, opened and closed on one line, a quote
  inside written twice: each line is then one record, on the line it starts.

Anything else - bytes that are no text, a quote left open, a stray quote, a
cell over the limit, a file that changes while it is read - returns None, and
the caller reads the file with ``read_table``, which gives the one precise
message for each. So the two readers never disagree on what a file holds or
on what is wrong with it.

A record's cells are counted without splitting a line in Python. polars refuses
a line with more cells than the header and gives the cells a shorter line lacks
as nulls: when no cell of the last column is null, every line has the header's
width. Otherwise, when the commas outside quoted cells add up to the header's
width on every line that is not empty, every such line has that width; failing
that, each line's commas are counted.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, Sequence

import polars as pl

from jifen_dsl.data.cells import CELL_LIMIT, Table
from jifen_dsl.data.frames.casting import ONLY_SPACE
from jifen_dsl.data.frames.csvscan import PIECE, Scan, count_commas, same_file
from jifen_dsl.data.frames.text import Cells
from jifen_dsl.data.frames.utf8 import as_gb18030, plan, reencoded
from jifen_dsl.data.readers import read_table
from jifen_dsl.errors import DataError
from jifen_dsl.messages import M, Message

__all__ = ["read_csv_cells", "CsvCells"]

# A line whose every quote is part of a whole quoted cell: "..." with "" for a quote inside.
_WELL_QUOTED = r'^(?:[^",]*|"(?:[^"]|"")*")(?:,(?:[^",]*|"(?:[^"]|"")*"))*$'
_QUOTED_CELL = r'"(?:[^"]|"")*"'


class _NotUtf8(Exception):
    """polars found bytes that are not UTF-8."""


class _Unsure(Exception):
    """The file holds something only the csv module reads as it should."""


def read_csv_cells(path: str, *, input_format: str | None, encoding: str | None, what: str, digest_now: bool = True) -> "CsvCells | None":
    """The cells of a CSV file, read by polars; None when the file is the existing readers' to read.

    ``digest_now`` false: a UTF-8 file's digest is not taken while polars reads it
    (it is a twentieth of a million-applicant evaluation) but the first time the
    table's ``digest`` is asked for, from the file again if it is unchanged
    (:class:`_DigestLater`). A run that writes no manifest never asks.
    """
    try:
        before = os.stat(path)
        if not stat.S_ISREG(before.st_mode):
            return None  # a pipe or a device is read once, by read_table
        with open(path, "rb") as handle:
            head = handle.read(PIECE)
    except OSError:
        return None
    how = plan(head, encoding) if head and not head.isspace() else None
    if how is None:
        return None
    given = (input_format, encoding, what)
    try:
        if how.codec is not None:
            return _converted(path, given, before, how.codec, how.encoding)
        if _utf8(head):
            try:
                return _read(path, given, _utf8_text(path, head, how.start, before, digest_now), how.encoding)
            except _NotUtf8:
                pass
        return None if encoding is not None else _converted(path, given, before, "gb18030", "gb18030")  # as decode_text tries next
    except (_Unsure, _NotUtf8):
        return None


def _utf8_text(path: str, head: bytes, start: int, before: os.stat_result, digest_now: bool) -> "_File | _Text":
    """UTF-8 text polars reads from the file itself, unless polars would take its name for a URL."""
    if "://" not in path:
        return _File(path, head, start, before, digest_now)
    data = _whole(path, before)
    return _Text(data, data, start)


def _converted(path: str, given: tuple, before: os.stat_result, codec: str, name: str) -> "CsvCells | None":
    """The cells of a file in another encoding than UTF-8, its text made UTF-8 first."""
    data = _whole(path, before)
    if codec == "gb18030" and given[1] is None:
        text, start = as_gb18030(data), 0
    else:
        text, start = reencoded(data, codec) or (None, 0)
    return None if text is None else _read(path, given, _Text(data, text, start), name)


def _utf8(head: bytes) -> bool:
    """Whether the first piece of a file is UTF-8 (the rest may yet not be: polars finds out as it reads)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _whole(path: str, before: os.stat_result) -> bytes:
    try:
        with open(path, "rb") as handle:
            data = handle.read()
            after = os.fstat(handle.fileno())
    except OSError:
        raise _Unsure() from None
    if not same_file(before, after):
        raise _Unsure()
    return data


class _File:
    """UTF-8 text read straight from the file: polars reads the file, the scan streams it."""

    def __init__(self, path: str, head: bytes, start: int, before: os.stat_result, digest_now: bool = True):
        self.path, self.head, self.start, self.before = path, head, start, before
        self.digest_now = digest_now
        self.size = before.st_size
        self.source: str | bytes = os.path.abspath(path)  # polars would expand a leading ~

    def scan(self, body: int) -> Scan:
        try:
            with open(self.path, "rb") as handle:
                return Scan.of_file(handle, self.start, body, hashing=self.digest_now)
        except OSError:
            raise _Unsure() from None

    def digest(self, scan: Scan) -> "str | _DigestLater":
        return scan.digest if self.digest_now else _DigestLater(self.path, self.before)

    def commas(self, body: int) -> int:
        """The commas of the rows from ``body`` on, read again from the file; raise OSError if it cannot be read."""
        with open(self.path, "rb") as handle:
            return count_commas(iter(lambda: handle.read(PIECE), b""), body)

    def unchanged(self, scan: Scan | None = None) -> bool:
        try:
            after = os.stat(self.path)
        except OSError:
            return False
        return same_file(self.before, after) and (scan is None or scan.seen == self.size)


class _Text:
    """UTF-8 text made from the file's bytes in another encoding."""

    def __init__(self, data: bytes, text: bytes, start: int):
        self.data, self.head, self.start = data, text[:PIECE], start
        self.size = len(text)
        self.source: str | bytes = text

    def scan(self, body: int) -> Scan:
        return Scan.of_text(self.data, self.source, self.start, body)

    def commas(self, body: int) -> int:
        return count_commas([self.source], body)

    def digest(self, scan: Scan) -> str:
        return scan.digest  # the bytes were at hand while the text was made

    def unchanged(self, scan: Scan | None = None) -> bool:
        return True


def _read(path: str, given: tuple, text: "_File | _Text", encoding: str) -> "CsvCells":
    end = text.head.find(b"\n", text.start)
    if end < 0 and len(text.head) < text.size:
        raise _Unsure()  # a header line longer than a piece: read_table decides
    header = _header(text.head[text.start : len(text.head) if end < 0 else end])
    body = end + 1 if end >= 0 else text.size
    with ThreadPoolExecutor(1) as pool:  # the pass over the bytes runs while polars reads (it lets go of the interpreter)
        scanning = pool.submit(text.scan, body)
        frame, ragged = _records(text.source, len(header)) if body < text.size else (_empty(len(header)), False)
        scan = scanning.result()
    if scan.odd or not text.unchanged(scan):
        raise _Unsure()
    lines = _lines(text.source, scan) if scan.quoted or ragged else None
    if scan.quoted:
        _check_quotes(lines)
    if lines is not None and len(lines) != frame.height:
        raise _Unsure()
    # Only a line as long as a cell may be needs its cells measured: a million applicants' lines
    # are a few hundred bytes, and measuring every cell costs a length for each of tens of millions.
    if frame.height and scan.long and (frame.select(pl.max_horizontal(pl.all().str.len_bytes().max())).item() or 0) > CELL_LIMIT:
        raise _Unsure()  # read_table says whether a cell is longer than the csv module reads
    digest = text.digest(scan)
    rows = _Reread(path, given, digest, frame.height)
    table = Table(path, "csv", header, rows, digest, encoding=encoding)
    return CsvCells(table, frame, lines, text, scan, ragged)


def _header(line: bytes) -> tuple[str, ...]:
    line = line.removesuffix(b"\r")
    if len(line) > CELL_LIMIT:
        raise _Unsure()
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        raise _NotUtf8() from None
    if '"' in text:
        try:
            cells = next(csv.reader([text], strict=True))
        except (csv.Error, StopIteration):
            raise _Unsure() from None
    else:
        cells = text.split(",")
    if len(cells) < 2:
        raise _Unsure()  # one cell: read_table says whether the file is separated by tabs or semicolons
    return tuple(cells)


def _polars(call, *args, **kwargs) -> pl.DataFrame:
    try:
        return call(*args, **kwargs)
    except pl.exceptions.ComputeError as exc:
        _refused(exc)
    except Exception:  # noqa: BLE001 - a file polars reads otherwise than the csv module: leave it to the csv module
        raise _Unsure() from None


def _refused(exc: Exception):
    """Why polars refused the file: bytes that are not UTF-8, or anything else."""
    message = str(exc).lower()
    if "utf-8" in message or "utf8" in message:
        raise _NotUtf8() from None
    raise _Unsure() from None


def _lines(source: str | bytes, scan: Scan) -> pl.Series:
    """The lines after the header, without their line ends; an empty line is null."""
    frame = _polars(
        pl.read_csv, source, has_header=False, separator="\x00", quote_char=None, skip_lines=1, infer_schema_length=0,
        new_columns=["line"], raise_if_empty=False, truncate_ragged_lines=False, glob=False,
    )
    if frame.width == 0:
        return pl.Series("line", [], dtype=pl.String)
    line = frame.to_series()
    if scan.line_ends:
        line = line.str.strip_suffix("\r")
    return pl.select(pl.when(line != "").then(line)).to_series().alias("line")


def _check_quotes(lines: pl.Series) -> None:
    quoted = lines.filter(lines.str.contains('"', literal=True))
    if not quoted.str.contains(_WELL_QUOTED).all():
        raise _Unsure()


def _records(source: str | bytes, width: int) -> tuple[pl.DataFrame, bool]:
    """Every record's cells, c0 ... c{width - 1}, and whether some record has more cells than that (dropped here)."""
    options = dict(
        has_header=False, skip_lines=1, schema={f"c{i}": pl.String for i in range(width)}, quote_char='"',
        raise_if_empty=False, missing_columns="insert", glob=False,
    )
    try:
        return pl.read_csv(source, truncate_ragged_lines=False, **options), False
    except pl.exceptions.SchemaError:
        pass  # the first record has more cells than the header
    except pl.exceptions.ComputeError as exc:
        if "more fields" not in str(exc):
            _refused(exc)
    except Exception:  # noqa: BLE001 - see _polars
        raise _Unsure() from None
    return _polars(pl.read_csv, source, truncate_ragged_lines=True, extra_columns="ignore", **options), True


def _empty(width: int) -> pl.DataFrame:
    return pl.DataFrame(schema={f"c{i}": pl.String for i in range(width)})


def _changed(path: str) -> Message:
    return M("D0124", "{path}: the file changed while it was being read; run again on a file nobody is writing to", path=path)


class _DigestLater:
    """The sha256 of a file polars read, taken from the file the first time it is asked for, if the file is as it was then.

    The file is the one polars read if it still has the inode, size and time of
    last change it had before polars read it: the test the reader makes of a
    file that may have changed while it was read. Asked for once the file has
    changed, it refuses to give another file's digest.
    """

    def __init__(self, path: str, before: os.stat_result):
        self.path, self.before = path, before
        self.value: str | None = None

    def __call__(self) -> str:
        if self.value is None:
            try:
                with open(self.path, "rb") as handle:
                    found = hashlib.file_digest(handle, "sha256").hexdigest()
                    after = os.fstat(handle.fileno())
            except OSError:
                raise DataError([_changed(self.path)]) from None
            if not same_file(self.before, after):
                raise DataError([_changed(self.path)])
            self.value = found
        return self.value


class _Reread(Sequence):
    """The rows of a CSV file read by polars, as ``Table.rows``: read again by ``read_table`` when they are iterated."""

    def __init__(self, path: str, given: tuple, digest: "str | _DigestLater", count: int):
        self.path = path
        self.given = given
        self.digest = digest
        self.count = count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index):  # pragma: no cover - callers iterate
        return list(self)[index]

    def __iter__(self) -> Iterator[tuple[int, list[str]]]:
        input_format, encoding, what = self.given
        table = read_table(self.path, fmt=input_format, encoding=encoding, what=what)
        if table.digest != (self.digest if isinstance(self.digest, str) else self.digest()):
            raise DataError([_changed(self.path)])
        return iter(table.rows)


class CsvCells(Cells):
    """The cells of a CSV file polars read (see the module's docstring)."""

    def __init__(self, table: Table, frame: pl.DataFrame, lines: pl.Series | None, text: "_File | _Text", scan: Scan, ragged: bool):
        self.table = table
        self.frame = frame
        self._text = text
        self._scan = scan
        self._lines = lines
        self._columns = dict(zip(frame.columns, frame.get_columns()))
        self.numbers = pl.int_range(2, 2 + frame.height, eager=True, dtype=pl.Int64).alias("row")
        self.counts = None
        self.blank, nothing = self._blank()
        self.counts = self._counts(ragged, nothing)
        if self.counts is not None and self.counts.gt(self.width).any():
            self.blank = self._blank_wide()
        self.frame = frame.clear()  # the columns are held one by one, to be let go of one by one

    def column(self, position: int) -> pl.Series:
        return self._columns[f"c{position}"]

    def release(self, position: int) -> None:
        self._columns.pop(f"c{position}", None)

    def lines(self) -> pl.Series:
        """The file's lines after the header (read again from the file the first time they are needed)."""
        if self._lines is None:
            try:
                self._lines = _lines(self._text.source, self._scan)
            except (_Unsure, _NotUtf8):
                raise DataError([_changed(self.table.path)]) from None
            if not self._text.unchanged() or len(self._lines) != self.height:
                raise DataError([_changed(self.table.path)])
        return self._lines

    def _counts(self, ragged: bool, nothing: bool) -> pl.Series | None:
        """Cells per record, or None when every record that is not an empty line has the header's width."""
        if not self.frame.height:
            return None
        if not ragged:
            if not self.column(self.width - 1).has_nulls():
                return None  # no line lacks a cell (polars gives a missing one as null) or has one more (polars refused it)
            commas = self._commas()
            lines = self._lines if self._lines is not None or nothing else self.lines()
            filled = self.frame.height if lines is None else self.frame.height - lines.null_count()
            if self._scan.quoted:  # the commas inside quoted cells separate nothing: they are the cells' own
                commas -= self.frame.select(pl.sum_horizontal(pl.all().str.count_matches(",", literal=True).sum())).item() or 0
            if commas == (self.width - 1) * filled:
                return None
        lines = self.lines()
        plain = pl.select(pl.when(lines.str.contains('"', literal=True)).then(lines.str.replace_all(_QUOTED_CELL, "")).otherwise(lines)).to_series()
        return (plain.str.count_matches(",", literal=True) + 1).fill_null(0).cast(pl.Int64).alias("cells")

    def _commas(self) -> int:
        """The commas of the rows after the header.

        With no quote in the rows, a line's bytes are its cells', its commas and
        its line end (a CR LF, or LF): the commas are what the rows' bytes hold
        beyond the cells and the line ends, found from the cells' lengths. polars
        makes a record of every line, an empty one too; the last line may lack
        its line end. With quotes, they are counted in a pass of their own.
        """
        scan = self._scan
        if not scan.quoted:
            cells = self.frame.select(pl.sum_horizontal(pl.all().str.len_bytes().sum())).item() or 0
            newlines = self.frame.height - (0 if scan.tail.endswith(b"\n") else 1)
            return self._text.size - scan.body - newlines - scan.body_returns - cells
        try:
            commas = self._text.commas(self._scan.body)
        except OSError:
            raise DataError([_changed(self.table.path)]) from None
        if not self._text.unchanged():
            raise DataError([_changed(self.table.path)])
        return commas

    def _blank(self) -> tuple[pl.Series, bool]:
        """Records whose every cell is blank (among those whose first cell is, the ones whose others are too); and whether none is all null."""
        height = self.frame.height
        first = self.column(0)
        maybe = (first.is_null() | first.str.contains(ONLY_SPACE)).arg_true()
        flags = pl.repeat(False, height, eager=True, dtype=pl.Boolean).alias("blank")
        if not len(maybe):
            return flags, True
        part = self.frame[maybe]
        null = part.select(pl.all_horizontal(pl.all().is_null())).to_series()
        empty = part.select(pl.all_horizontal(c.is_null() | c.str.contains(ONLY_SPACE) for c in (pl.col(n) for n in part.columns))).to_series()
        found = maybe.filter(empty)
        return (flags.scatter(found, True) if len(found) else flags), not null.any()

    def _blank_wide(self) -> pl.Series:
        """The blank records, once those with more cells than the header have had their last cells looked at too."""
        wide = (self.counts > self.width).arg_true()
        suspects = wide.filter(self.blank.gather(wide)).to_list()
        filled = [i for i, cells in zip(suspects, self.cells(suspects)) if any(c.strip() for c in cells)]
        return self.blank.clone().scatter(filled, False) if filled else self.blank

    def cells(self, indexes: Sequence[int]) -> list[tuple[str, ...]]:
        lines = self.lines()
        found = []
        for index in indexes:
            line = lines[index]
            if line is None:
                found.append(())
            elif '"' in line:
                found.append(tuple(next(csv.reader([line], strict=True))))
            else:
                found.append(tuple(line.split(",")))
        return found
