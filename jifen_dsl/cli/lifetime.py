"""The runs the command line leaves for the end of its process to reclaim.

A run of a million applicants leaves some ten million objects behind; freeing
them one by one takes a second or more and serves nothing when the process is
about to end, as it is when the command line runs as a program (see app.main).
Called from Python instead (tests, a notebook), it keeps nothing.
"""

from __future__ import annotations

import os
import sys

__all__ = ["run_as_program", "keep_until_exit", "share_allocator_arena", "ALLOCATOR_SETTINGS", "SETTINGS"]

# polars' allocator (jemalloc, as polars builds it) reads its settings from this variable, once, when polars is
# loaded; polars puts its own (how soon freed pages go back) first and what the variable held after them.
ALLOCATOR_SETTINGS = "_RJEM_MALLOC_CONF"
# One arena for every thread; pages freed a while are handed back at once, not first marked for the kernel to take.
SETTINGS = "narenas:1,muzzy_decay_ms:0"
# What polars writes first into the variable as it loads (with POLARS_THP=1, the longer one). A process started by
# one that has loaded polars - a script, a test runner, a server - inherits it, though nobody chose it.
_POLARS_OWN = ("dirty_decay_ms:500,muzzy_decay_ms:1000,thp:always,metadata_thp:always", "dirty_decay_ms:500,muzzy_decay_ms:1000")

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


def share_allocator_arena() -> None:
    """Set polars' allocator to share one arena and to give freed pages back at once, unless its settings are given already.

    By default jemalloc gives each thread an arena of its own, and what one thread
    frees (the text of a file once typed) is kept for that thread alone, while
    the threads that evaluate and allocate ask the system for fresh pages. With
    one arena, they take the freed ones: a million-applicant ``jifen allocate``
    ran 5% faster, the kernel's share of it a fifth smaller.

    Pages that have stayed free a while are given back to the system. polars
    first only marks them free for the kernel to take when it needs them, and
    does the real hand-back a second later. Until then they still count as the
    process's own. A million-applicant run frees some 400 MB of read text in
    under a second, so its peak held those pages too. Handing them back in one
    step (``muzzy_decay_ms:0``) lowered the peak of ``jifen allocate`` from about
    1,020 MiB to about 800 MiB, for about 2% more time.

    It must be set before polars is loaded: a process that has loaded it already
    is left as it is. What a user set is kept as it is; what polars wrote in a
    process this one was started from is not the user's and is passed over.
    """
    if "polars" in sys.modules:
        return
    given = os.environ.get(ALLOCATOR_SETTINGS, "")
    inherited = True
    while inherited:
        inherited = False
        for own in _POLARS_OWN:
            if given == own or given.startswith(own + ","):
                given, inherited = given[len(own) + 1 :], True
                break
    os.environ[ALLOCATOR_SETTINGS] = given or SETTINGS
