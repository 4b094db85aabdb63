"""Generated rows written as CSV, to a file or to stdout.

A file is replaced only once it is complete; applicant rows skip the csv
module's quoting checks because nothing generated needs quoting.
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import IO

from jifen_dsl.data.output import atomic_file
from jifen_dsl.errors import DataError
from jifen_dsl.messages import render
from jifen_dsl.synth.columns import FIELDS

__all__ = ["write_cells", "write_csv"]


def write_cells(header: Sequence[str], rows: Iterable[Sequence[str]], path: str | None, *, plain: bool = False) -> None:
    """Stream rows to a CSV file (replaced only once complete) or, for None or '-', to stdout.

    ``plain`` rows hold no comma, quote or line break, so they are joined without
    the csv module's quoting checks (several times faster for a million rows).
    """
    if path is None or path == "-":
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            _dump(out, header, rows, plain)
        finally:
            out.flush()
            out.detach()
        return
    try:
        with atomic_file(path, text=True) as handle:
            _dump(handle, header, rows, plain)
    except DataError as exc:
        raise ValueError("; ".join(map(render, exc.problems))) from None


def _dump(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[str]], plain: bool) -> None:
    writer = csv.writer(handle, lineterminator="\n")  # "\n" keeps the files diff-friendly on every platform
    writer.writerow(header)
    if not plain:
        writer.writerows(rows)
        return
    chunk: list[str] = []
    for row in rows:
        chunk.append(",".join(row))
        if len(chunk) == 4096:
            chunk.append("")
            handle.write("\n".join(chunk))
            chunk.clear()
    if chunk:
        chunk.append("")
        handle.write("\n".join(chunk))


def write_csv(rows: Iterable[Mapping[str, str]], path: str | None, fields: Sequence[str] = FIELDS) -> None:
    """Write rows (column name -> text) as CSV with ``fields`` as the header; '-' or None is stdout."""
    write_cells(fields, ([row.get(name, "") for name in fields] for row in rows), path)
