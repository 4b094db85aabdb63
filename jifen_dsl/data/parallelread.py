"""Read the second half of a large, plain CSV file in a second process while this one reads the first.

Reading is half of a large run, and a machine has more than one core. When a
streamed applicant file is large and plain - no quote anywhere, so every line is
one record - and the system can fork, a child process types the rows after a
line boundary past the middle with the same generated loop, and sends them back
in pickled blocks (the caller decides their form) while this process reads the
rows before it.

The result is always the one reading the file alone gives. The child's rows are
taken only when its part was clean - every row typed on the fast path, no id
repeated, every grade one the policy has rules for, no id also in the first part
- and this process still hashes every byte of the file for the digest (the child
checks that its part decodes). Anything else, and this process reads the second
part itself, row by row as it would have: the child's work is then only lost time.

:func:`start` also serves the ranking of a large cohort's grades (one here, the
others in the second process; evaluator._rank_grades) and the verification of a
large allocation, run beside the writing of its results (verify.verify_soon).
"""

from __future__ import annotations

import io
import mmap
import os
import pickle
import queue
import signal
import struct
import threading
from typing import Any, Callable, Iterator

__all__ = ["MIN_BYTES", "BLOCK", "Split", "plan_split", "start", "Child", "enabled"]

MIN_BYTES = 32 << 20  # smaller files are read faster than a second process can start and hand back its rows
_SHARE = 0.55  # of the data this process reads: it also unpickles the child's rows, so it takes more
BLOCK = 1 << 15  # rows the child sends at a time
_LENGTH = struct.Struct("<Q")
_PIECE = 1 << 24  # bytes counted at a time


class Split:
    """Where the second part of a file begins: its byte offset, and how many data lines come before it."""

    __slots__ = ("offset", "lines")

    def __init__(self, offset: int, lines: int):
        self.offset = offset
        self.lines = lines


def enabled() -> bool:
    """Whether a second process may read: the system can fork, has a second core, and it is not turned off.

    Only a process with one thread forks: a lock another thread holds would stay
    held in the child for ever (a program embedding jifen_dsl may have threads).
    """
    return (
        hasattr(os, "fork")
        and (os.cpu_count() or 1) > 1
        and threading.active_count() == 1
        and os.environ.get("JIFEN_NO_PARALLEL", "") in ("", "0")
    )


def plan_split(path: str) -> Split | None:
    """Where to split a plain CSV file between two processes; None when it is small or holds a quote.

    (A carriage return that is not part of a CR LF stops both processes' reading,
    as it stops a streamed file's: the file is then read whole.)
    """
    try:
        with open(path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size < MIN_BYTES or not enabled():
                return None
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
                if data.find(b'"') >= 0:
                    return None
                header_end = data.find(b"\n") + 1
                if header_end <= 0:
                    return None
                middle = data.find(b"\n", header_end + int((size - header_end) * _SHARE))
                if middle < 0 or middle + 1 >= size:
                    return None
                lines = sum(data[at : min(at + _PIECE, middle + 1)].count(b"\n") for at in range(header_end, middle + 1, _PIECE))
                return Split(middle + 1, lines)
    except (OSError, ValueError):
        return None


class Child:
    """The second process: its rows come back in blocks; ``finish`` says whether its part was clean."""

    def __init__(self, pid: int, handle):
        self.pid = pid
        self.handle = handle

    def blocks(self) -> Iterator[Any]:
        """Each message the child sent: blocks of rows, then its summary (clean, rows, blank rows).

        The messages are read by one unpickler, whose memo the child's pickler
        shares (see :func:`_child`): a value sent before is the same object again.
        """
        feed = io.BytesIO()  # holds one message at a time, for the one unpickler
        unpickler = pickle.Unpickler(feed)  # noqa: S301 - from our own child process, through a private pipe
        while True:
            head = self.handle.read(_LENGTH.size)
            if len(head) < _LENGTH.size:
                return  # the child ended without its summary: its part is read here
            (length,) = _LENGTH.unpack(head)
            payload = self.handle.read(length)
            if len(payload) < length:
                return
            feed.seek(0)
            feed.truncate()
            feed.write(payload)
            feed.seek(0)
            yield unpickler.load()

    def results(self) -> list[Any] | None:
        """The messages the child sent before its summary, if that says all went well; else None. Reaps the child."""
        try:
            messages = list(self.blocks())
        finally:
            self.close()
        if messages and isinstance(messages[-1], tuple) and messages[-1][0]:
            return messages[:-1]
        return None

    def close(self, *, kill: bool = False) -> None:
        """Close the pipe and reap the child; with ``kill``, stop it first (this process gave up on its rows)."""
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            self.handle.close()
        finally:
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass


def start(read_part: Callable[[Callable[[list], None]], tuple[bool, int, int]]) -> Child | None:
    """Fork a child running ``read_part(send)``, which types its part, calls ``send(rows)`` with each block and returns (clean, rows, blank rows)."""
    try:
        reading, writing = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:  # no process to spare: the caller does the work itself
        os.close(reading)
        os.close(writing)
        return None
    if pid:
        os.close(writing)
        return Child(pid, os.fdopen(reading, "rb", buffering=1 << 20))
    # The child: it only reads, types and sends; it never returns into the caller's code.
    status = 1
    try:
        os.close(reading)
        status = _child(read_part, writing)
    finally:
        os._exit(status)


def _child(read_part, writing: int) -> int:
    # Blocks are pickled here and written by a thread, so that typing goes on while the
    # parent, still reading its own part, leaves the pipe full.
    outbox: queue.Queue[bytes | None] = queue.Queue()

    def writer() -> None:
        try:
            with open(writing, "wb") as pipe:  # buffered: a write interrupted half-way is finished, not cut
                while (message := outbox.get()) is not None:
                    pipe.write(message)
                    pipe.flush()
        except OSError:  # the parent stopped reading: nothing is left to do, and nothing to say
            pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()

    # One pickler for every message, its memo kept: a value already sent (a date, a
    # school, a number many applicants share) goes as a reference, is made once in the
    # parent, and is the same object there in every block - as it is when one process
    # reads the whole file - so later passes compare such values by identity.
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)

    def send(item: Any) -> None:
        pickler.dump(item)
        data = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        outbox.put(_LENGTH.pack(len(data)) + data)

    try:
        summary = read_part(send)
    except BaseException:  # noqa: BLE001 - whatever went wrong, the parent reads the part itself
        summary = (False, 0, 0)
    send(summary)
    outbox.put(None)
    thread.join()
    return 0
