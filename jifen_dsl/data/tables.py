"""Plain-text tables and CSV text, aligned for Chinese as well as Latin text.

A text table is for a terminal: a control character in a cell (a line break, an
escape sequence, a bidirectional override) is printed as its escape, so no cell
can start a row of its own, move the cursor or reverse what follows.

CSV is for a spreadsheet: a cell a spreadsheet would take for a formula is written
with an apostrophe in front (:mod:`jifen_dsl.data.spreadsheet`), in every CSV file
these functions write.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator, Sequence

from jifen_dsl.data.identity import escaped
from jifen_dsl.data.spreadsheet import csv_safe_row, joined_needs_guard
from jifen_dsl.errors import display_width

__all__ = ["text_table", "csv_text", "csv_bytes", "csv_line", "csv_lines", "plain_cell"]


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right_aligned: Sequence[int] = ()) -> str:
    """Columns padded to their widest cell, a CJK character counting two columns; control characters escaped."""
    header = [escaped(h) for h in header]
    rows = [[escaped(c) for c in row] for row in rows]
    widths = [display_width(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], display_width(cell))
    right = set(right_aligned)
    lines = ["  ".join(_pad(h, widths[i], i in right) for i, h in enumerate(header)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(_pad(c, widths[i], i in right) for i, c in enumerate(row)).rstrip())
    return "\n".join(lines) + "\n"


def plain_cell(text: str) -> bool:
    """Whether a cell is written as it is: no comma, quote or line break that the csv module would quote."""
    return not ("," in text or '"' in text or "\n" in text or "\r" in text)


def csv_line(row: Sequence[str]) -> str:
    """One CSV record and its line end: as ``csv.writer(..., lineterminator="\\n")`` writes it, with two repairs.

    The csv module quotes a cell holding a character of its line terminator, so with
    ``"\\n"`` alone a cell holding a bare carriage return would be written unquoted -
    and every reader would end the row there. Such a cell is quoted here. And a
    cell a spreadsheet would read as a formula (``=...``, ``@...``, ``-x``: see
    :mod:`jifen_dsl.data.spreadsheet`) is written with an apostrophe in front.
    """
    try:
        line = ",".join(row)
    except TypeError:  # a cell that is not text: the csv module says how it is written
        line = '"'
    # With no comma, quote or line break inside a cell, the csv module writes the cells as they
    # are, joined by commas - a join is several times faster. Anything else is the module's to write.
    if '"' in line or "\n" in line or "\r" in line or line.count(",") != len(row) - 1 or line == "":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\r\n").writerow(csv_safe_row(row))  # quotes a cell holding either line-break character
        return buffer.getvalue()[:-2] + "\n"
    if joined_needs_guard(line):  # (the commas are exactly the separators here: no cell holds one)
        return ",".join(csv_safe_row(row)) + "\n"
    return line + "\n"


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[str]]) -> Iterator[str]:
    """The lines of a CSV file with a header row and Unix line ends, one at a time."""
    yield csv_line(header)
    for row in rows:
        yield csv_line(row)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """CSV with a header row and Unix line ends."""
    return "".join(csv_lines(header, rows))


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[str]], *, bom: bool = False) -> bytes:
    """CSV as UTF-8 bytes; with ``bom``, a byte-order mark first, so Excel shows Chinese text correctly."""
    return (("\ufeff" if bom else "") + csv_text(header, rows)).encode("utf-8")
