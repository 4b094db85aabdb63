"""What reading an applicant file gives, whichever way it is read: the applicants, and the rows set aside.

Apart from :mod:`jifen_dsl.data.applicants`, which reads them, so that the
reader of columns (:mod:`jifen_dsl.data.frames`) and everything that takes
applicants can name them without importing the reader.
"""

from __future__ import annotations

from typing import Any

import attrs

from jifen_dsl.messages import spoken

__all__ = ["Applicant", "Reject", "file_language"]


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
    """A row set aside (with --lenient): where it was, its cells as read, and why.

    The reasons are text for the rejects file and the warning that lists it, in
    the language of a run's files (:func:`file_language`).
    """

    row: int
    cells: tuple[str, ...]
    reasons: tuple[str, ...]


def file_language() -> str:
    """The language of the words a run writes into its files (a reject's reasons): the policy's, or English.

    Not the one asked for with ``--lang``, which changes only what is said: a run
    written by one officer verifies for another, whatever language each reads.
    """
    return spoken() or "en"
