"""The runs the command line leaves for the end of its process to reclaim.

A run of a million applicants leaves some ten million objects behind; freeing
them one by one takes a second or more and serves nothing when the process is
about to end, as it is when the command line runs as a program (see app.main).
Called from Python instead (tests, a notebook), it keeps nothing.
"""

from __future__ import annotations

__all__ = ["run_as_program", "keep_until_exit"]

_as_program = False
_kept_until_exit: list[object] = []


def run_as_program() -> None:
    """From now on, keep every run: the process ends without freeing them."""
    global _as_program
    _as_program = True


def keep_until_exit(run: object) -> None:
    """Leave a run's objects for the end of the process to reclaim, when the command line runs as a program."""
    if _as_program:
        _kept_until_exit.append(run)
