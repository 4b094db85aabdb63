"""Benchmark: ``jifen fmt --check`` of the bundled policies against ``jifen check`` of the same files, each a whole command.

Both commands run in fresh processes, alternately, after one run of each to fill
the caches (the parser's tables, the checked policies, the texts known to be
formatted), and their medians are compared: the goal is at most 1.5x. This is how
both run day to day, on files checked and formatted before.

A second pair of figures, reported without a goal, is the first run after every
file changed: before each run the results kept between runs (checked policies,
texts known to be formatted) are removed and the parser's tables kept, so each
command reads every file afresh.

The caches live in a temporary directory of their own (``XDG_CACHE_HOME``), never
the user's. Run from the repository top:

    python -m benchmarks.formatting [--repeat 11]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from .data import ROOT
from .processes import jifen_command, measure

__all__ = ["GOAL", "formatting"]

GOAL = 1.5
POLICIES = ROOT / "policies"


@contextlib.contextmanager
def _own_cache() -> Iterator[Path]:
    """A fresh cache directory for the commands run inside: the user's own cache is neither read nor filled."""
    saved = {name: os.environ.get(name) for name in ("XDG_CACHE_HOME", "JIFEN_NO_CACHE")}
    with tempfile.TemporaryDirectory(prefix="jifen-bench-cache-") as directory:
        os.environ["XDG_CACHE_HOME"] = directory
        os.environ.pop("JIFEN_NO_CACHE", None)
        try:
            yield Path(directory)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _forget_results(directory: Path) -> None:
    """Remove the checked policies and the texts known formatted; keep the parser's tables."""
    for entry in (directory / "jifen_dsl").iterdir():
        if entry.name.startswith(("checked-", "formatted-")):
            entry.unlink()


def _run(command: list[str]) -> float:
    run = measure(command)
    if run.status != 0:
        raise SystemExit(f"{' '.join(command)} failed (status {run.status}):\n{run.stderr}")
    return run.seconds


def _alternately(fmt: list[str], check: list[str], repeat: int, before: Callable[[], None]) -> tuple[float, float]:
    """Median seconds of each command, run in turn ``repeat`` times, ``before`` called (untimed) ahead of every run."""
    fmts: list[float] = []
    checks: list[float] = []
    for _ in range(repeat):
        before()
        fmts.append(_run(fmt))
        before()
        checks.append(_run(check))
    return statistics.median(fmts), statistics.median(checks)


def formatting(repeat: int) -> dict[str, float]:
    """Median seconds of ``jifen fmt --check`` and ``jifen check`` of the bundled policies, caches warm and after a change, and the ratios."""
    fmt = [*jifen_command(), "fmt", "--check", str(POLICIES)]
    check = [*jifen_command(), "check", *(str(p) for p in sorted(POLICIES.rglob("*.jifen")))]
    with _own_cache() as directory:
        for command in (fmt, check):  # builds the parser's tables, fills the caches, and says a command that fails
            _run(command)
        fmt_s, check_s = _alternately(fmt, check, repeat, lambda: None)
        fmt_changed_s, check_changed_s = _alternately(fmt, check, repeat, lambda: _forget_results(directory))
    return {
        "fmt_s": fmt_s,
        "check_s": check_s,
        "ratio": fmt_s / check_s,
        "fmt_changed_s": fmt_changed_s,
        "check_changed_s": check_changed_s,
        "changed_ratio": fmt_changed_s / check_changed_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11, help="runs of each command, for each figure (the median counts; default 11)")
    args = parser.parse_args()
    r = formatting(args.repeat)
    result = "PASS" if r["ratio"] <= GOAL else "FAIL"
    print(f"{'':34}  {'jifen fmt --check':>17}  {'jifen check':>11}  {'ratio':>6}  goal")
    print(f"{'day to day (caches warm)':34}  {r['fmt_s']:>16.3f}s  {r['check_s']:>10.3f}s  {r['ratio']:>5.2f}x  <= {GOAL}x: {result}")
    print(f"{'first run after every file changed':34}  {r['fmt_changed_s']:>16.3f}s  {r['check_changed_s']:>10.3f}s  {r['changed_ratio']:>5.2f}x  (none)")
    if result == "FAIL":
        sys.exit(1)


if __name__ == "__main__":
    main()
