"""Run a command as a child process and measure it: wall time, and the child's own peak resident memory."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Sequence

__all__ = ["Measured", "measure", "jifen_command", "python_command"]


class Measured:
    """One run of a command: seconds from start to exit, peak resident set size in MB, exit status, stderr."""

    __slots__ = ("seconds", "peak_mb", "status", "stderr")

    def __init__(self, seconds: float, peak_mb: float, status: int, stderr: str):
        self.seconds = seconds
        self.peak_mb = peak_mb
        self.status = status
        self.stderr = stderr


def measure(command: Sequence[str], *, stdout=subprocess.DEVNULL) -> Measured:
    """Run ``command`` to completion; the peak memory is the child's own, as the kernel counted it (wait4)."""
    start = time.perf_counter()
    child = subprocess.Popen(list(command), stdout=stdout, stderr=subprocess.PIPE)
    stderr = child.stderr.read() if child.stderr else b""
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # already reaped: keep Popen from waiting again
    if child.stderr:
        child.stderr.close()
    return Measured(seconds, usage.ru_maxrss / 1024, child.returncode, stderr.decode("utf-8", "replace"))


def python_command() -> list[str]:
    """This Python, as a command."""
    return [sys.executable]


def jifen_command() -> list[str]:
    """The ``jifen`` console script installed beside this Python, or ``python -m jifen_dsl`` when there is none."""
    beside = Path(sys.executable).parent / "jifen"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("jifen")
    return [found] if found else [sys.executable, "-m", "jifen_dsl"]
