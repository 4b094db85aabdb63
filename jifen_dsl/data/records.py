"""What reading an applicant file gives, whichever way it is read: the applicants, and the rows set aside.

Apart from :mod:`jifen_dsl.data.applicants`, which reads them, so that the
reader of columns (:mod:`jifen_dsl.data.frames`) and everything that takes
applicants can name them without importing the reader.
"""

from __future__ import annotations

from typing import Any

import attrs

__all__ = ["Applicant", "Reject"]


@attrs.define
class Applicant:
    """One application: where it came from and its typed values."""

    # Not frozen: a million of these are made in one read, and a frozen class's
    # initialiser costs twice as much. Nothing changes one after it is read.

    row: int  # the line, spreadsheet row or JSON record it comes from (a CSV header is line 1)
    id: str
    grade: str
    record: tuple[Any, ...]


@attrs.frozen
class Reject:
    """A row set aside (with --lenient): where it was, its cells as read, and why."""

    row: int
    cells: tuple[str, ...]
    reasons: tuple[str, ...]
