"""Plain-text tables and CSV text, aligned for Chinese as well as Latin text."""

from __future__ import annotations

import csv
import io
from typing import Sequence

from .errors import display_width

__all__ = ["text_table", "csv_text", "csv_bytes"]


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - display_width(text))
    return gap + text if right else text + gap


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]], right_aligned: Sequence[int] = ()) -> str:
    """Columns padded to their widest cell, a CJK character counting two columns."""
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


def csv_text(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """CSV with a header row and Unix line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Sequence[Sequence[str]], *, bom: bool = False) -> bytes:
    """CSV as UTF-8 bytes; with ``bom``, a byte-order mark first, so Excel shows Chinese text correctly."""
    return (("\ufeff" if bom else "") + csv_text(header, rows)).encode("utf-8")
