"""The second part of a large applicant file, as the second process reads it and sends it back.

:mod:`jifen_dsl.data.parallelread` forks the process and carries the blocks;
this is what the child does with its part - type the rows with the same
generated loop, giving up at the first row that needs the careful path or the
first part's ids - and the form its rows travel in, by column.
"""

from __future__ import annotations

import itertools
from typing import Any, Callable

from jifen_dsl.data import parallelread
from jifen_dsl.data.csvstream import open_part

__all__ = ["read_part", "row_tuple", "columns_of", "rows_of"]


class _NotClean(Exception):
    """A row of the second part needs the careful path or the first part's ids: that part is read in the first process."""


def read_part(path: str, split: "parallelread.Split", codec: str, header_line: int, read, send) -> tuple[bool, int, int]:
    """In the second process: type the rows from ``split`` on, send them in blocks, and say whether all went on the fast path."""
    blank = 0

    def careful(line: int, cells) -> None:
        nonlocal blank
        if any(c.strip() for c in cells):
            raise _NotClean()
        blank += 1

    def add(line: int, cells, record) -> None:  # a repeated id or a grade without rules
        raise _NotClean()

    def quoted(text):  # the file holds no quote: never called
        raise _NotClean()

    seen: dict[str, int] = {}
    number = header_line + split.lines
    rows = 0
    try:
        with open_part(path, split.offset, codec) as lines:
            while block := list(itertools.islice(lines, parallelread.BLOCK)):
                typed: list[tuple] = []
                rows += read(iter(block), number, quoted, typed.append, seen, careful, add, None)
                number += len(block)
                send(columns_of(typed))
    except _NotClean:
        return (False, 0, 0)
    return (True, rows, blank)


def row_tuple(line: int, identity: str, grade: str, record: tuple) -> tuple:
    """What the second process makes of a row: the applicant's parts, not yet an applicant (see :func:`columns_of`)."""
    return (line, identity, grade, record)


def columns_of(typed: list[tuple]) -> list[Any]:
    """A block of rows (made by :func:`row_tuple`) as the second process sends it: [lines, ids, grades, one tuple per record value].

    Sent by column, not as objects: each column pickles and unpickles in one tight
    C loop (a value many applicants share is written once and referred to after),
    and the first process, which has the rows of its own part to read as well,
    remakes the records with one ``zip`` and the applicants with one ``map``. It
    halves the cost of sending a row.
    """
    if not typed:
        return [(), (), (), []]
    lines, ids, grades, records = zip(*typed)
    return [lines, ids, grades, list(zip(*records))]


def rows_of(block: list[Any], make: Callable[[int, str, str, tuple], Any]) -> list[Any]:
    """The rows of a block made by :func:`columns_of`, each made again with ``make(line, id, grade, record)``."""
    lines, ids, grades, values = block
    return list(map(make, lines, ids, grades, zip(*values) if values else [()] * len(ids)))
