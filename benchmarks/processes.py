"""Run a command as a child process and measure it: wall time, and the child's own peak resident memory."""

from __future__ import annotations

import compileall
import functools
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
    """The ``jifen`` console script installed beside this Python, or ``python -m jifen_dsl`` when there is none.

    The package's modules are compiled to bytecode first, as installing a package
    does (``pip install`` compiles its modules; polars and click are measured so):
    a checkout installed in place, where writing bytecode is turned off
    (``PYTHONDONTWRITEBYTECODE``), would otherwise compile every module it imports
    at every command - a tenth of a second that no installed ``jifen`` pays.
    """
    _compiled()
    beside = Path(sys.executable).parent / "jifen"
    if beside.exists():
        return [str(beside)]
    found = shutil.which("jifen")
    return [found] if found else [sys.executable, "-m", "jifen_dsl"]


@functools.cache
def _compiled() -> None:
    """The package's modules compiled to bytecode beside them (``__pycache__``, which git ignores), once per run of the suite."""
    package = Path(__file__).resolve().parent.parent / "jifen_dsl"
    if not compileall.compile_dir(str(package), quiet=1):
        raise SystemExit(f"could not compile {package} to bytecode")
