"""Benchmark: ``jifen allocate`` on a million applicants from CSV to CSV, against ``csv.DictReader`` reading the same file.

The floor is a Python process that opens the applicant file and reads every row
with ``csv.DictReader``, doing nothing with it: the least any tool written in
Python pays to look at the data. The two are run alternately, each several
times, and the best of each compared. The run's peak memory is its own maximum
resident set size, as the kernel counted it. Run from the repository top:

    python -m benchmarks.endtoend [--count 1000000] [--schools 2000] [--repeat 2] [--workdir DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .data import POLICY, default_workdir, files
from .processes import jifen_command, measure, python_command

__all__ = ["FLOOR", "end_to_end"]

FLOOR = """\
import csv, sys
with open(sys.argv[1], encoding="utf-8", newline="") as handle:
    for row in csv.DictReader(handle):
        pass
"""


def end_to_end(count: int, schools: int, workdir: Path, repeat: int) -> dict[str, float]:
    """Best seconds of the run and of the floor, their ratio, and the run's peak memory in MB (10^6 bytes)."""
    applicant_file, school_file = files(workdir, count, schools)
    output = workdir / f"results-{count}-{schools}.csv"
    command = [*jifen_command(), "allocate", str(POLICY), str(applicant_file), str(school_file), "--format", "csv", "-o", str(output)]
    floors: list[float] = []
    runs: list[float] = []
    peaks: list[float] = []
    for _ in range(repeat):
        floors.append(measure([*python_command(), "-c", FLOOR, str(applicant_file)]).seconds)
        run = measure(command)
        if run.status != 0:
            raise SystemExit(f"jifen allocate failed (status {run.status}):\n{run.stderr}")
        runs.append(run.seconds)
        peaks.append(run.peak_mb * 1024 * 1024 / 1e6)
    return {
        "count": count,
        "run_s": min(runs),
        "floor_s": min(floors),
        "ratio": min(runs) / min(floors),
        "peak_mb": max(peaks),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workdir", type=Path, default=default_workdir())
    args = parser.parse_args()
    r = end_to_end(args.count, args.schools, args.workdir, args.repeat)
    print(f"{'applicants':>10}  {'jifen allocate':>14}  {'DictReader':>10}  {'ratio':>6}  {'peak MB':>8}")
    print(f"{r['count']:>10}  {r['run_s']:>13.2f}s  {r['floor_s']:>9.2f}s  {r['ratio']:>6.2f}  {r['peak_mb']:>8.0f}")


if __name__ == "__main__":
    main()
