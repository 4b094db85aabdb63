"""The whole benchmark suite: every measure as a ratio against a baseline run side by side, with its goal.

Run from the repository top (about four minutes on a 2-core machine, the first
time a little more to generate the data):

    python -m benchmarks [--workdir DIR] [--schools 2000]

It prints one table - measure, value, goal, pass or fail - then the absolute
times behind each ratio, and exits with status 1 when a goal is missed. Absolute
times on a shared machine are noise; each ratio compares two things measured in
the same run, on the same data, alternately.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from . import evaluator
from .coldstart import cold_start
from .data import ROOT, default_workdir, files
from .endtoend import end_to_end

__all__ = ["main", "GOALS"]

SMALL, LARGE = 100_000, 1_000_000

# measure -> (goal, how it is written)
GOALS = {
    "evaluator_small": 1.1,
    "evaluator_large": 1.1,
    "end_to_end": 3.0,
    "scaling_evaluate": 12.0,
    "scaling_allocate": 12.0,
    "peak_memory": 1500.0,
    "cold_start": 1.5,
}


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _stages(counts: list[int], schools: int, workdir: Path, rounds: int) -> dict[int, dict[str, float]]:
    """The stage times of each size: each size run in a fresh process, the sizes alternately, ``rounds`` times; the best counts.

    A fresh process per run, as a real run is: the large run pays for the memory it
    takes from the system, the small one does not borrow a large one's. Alternating
    the sizes puts a slow spell of the machine on one run, not on one size.
    """
    best: dict[int, dict[str, float]] = {}
    for _ in range(rounds):
        for count in counts:
            command = [sys.executable, "-m", "benchmarks.allocator", "--json", "--counts", str(count), "--repeat", "1", "--schools", str(schools), "--workdir", str(workdir)]
            done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            if done.returncode != 0:
                raise SystemExit(f"benchmarks.allocator failed:\n{done.stderr}")
            times = json.loads(done.stdout.strip().splitlines()[-1])
            kept = best.setdefault(count, times)
            for stage, seconds in times.items():
                kept[stage] = min(kept[stage], seconds)
    return best


def _row(name: str, value: float, goal: float, shown: str, goal_shown: str) -> tuple[str, str, str, str]:
    return name, shown, goal_shown, "pass" if value <= goal else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=default_workdir(), help="where generated data is kept (default: %(default)s)")
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5, help="runs of each kind for the end-to-end and scaling measures (the best counts; default 5)")
    args = parser.parse_args()
    began = time.perf_counter()

    _say("data: generating (once) or reusing the synthetic files ...")
    for count in (SMALL, LARGE):
        files(args.workdir, count, args.schools)

    _say(f"evaluator: compiled against by hand, {SMALL:,} and {LARGE:,} applicants ...")
    ev_small = evaluator.measure(SMALL, 21)
    ev_large = evaluator.measure(LARGE, 7)

    _say(f"scaling: each stage at {SMALL:,} and {LARGE:,} applicants ...")
    by_size = _stages([SMALL, LARGE], args.schools, args.workdir, args.repeat)
    small, large = by_size[SMALL], by_size[LARGE]

    _say(f"end to end: jifen allocate and csv.DictReader, {LARGE:,} applicants ...")
    e2e = end_to_end(LARGE, args.schools, args.workdir, args.repeat)

    _say("cold start: jifen check and import lark, click, attrs ...")
    cold = cold_start(15)

    rows = [
        _row(f"evaluator: compiled / by hand, {SMALL:,} applicants", ev_small["ratio"], GOALS["evaluator_small"], f"{ev_small['ratio']:.2f}x", "<= 1.1x"),
        _row(f"evaluator: compiled / by hand, {LARGE:,} applicants", ev_large["ratio"], GOALS["evaluator_large"], f"{ev_large['ratio']:.2f}x", "<= 1.1x"),
        _row(
            f"end to end: jifen allocate / csv.DictReader, {LARGE:,} applicants, {args.schools:,} schools",
            e2e["ratio"], GOALS["end_to_end"], f"{e2e['ratio']:.2f}x", "<= 3x",
        ),
        _row(f"scaling: evaluate, time at {LARGE:,} / at {SMALL:,}", large["evaluate"] / small["evaluate"], GOALS["scaling_evaluate"],
             f"{large['evaluate'] / small['evaluate']:.1f}", "<= 12"),
        _row(f"scaling: allocate, time at {LARGE:,} / at {SMALL:,}", large["allocate"] / small["allocate"], GOALS["scaling_allocate"],
             f"{large['allocate'] / small['allocate']:.1f}", "<= 12"),
        _row(f"peak memory: jifen allocate, {LARGE:,} applicants", e2e["peak_mb"], GOALS["peak_memory"], f"{e2e['peak_mb']:,.0f} MB", "<= 1,500 MB"),
        _row("cold start: jifen check / import lark, click, attrs", cold["ratio"], GOALS["cold_start"], f"{cold['ratio']:.2f}x", "<= 1.5x"),
    ]
    widths = [max(len(r[i]) for r in rows + [("measure", "value", "goal", "result")]) for i in range(4)]
    line = "  ".join
    print(line(h.ljust(w) for h, w in zip(("measure", "value", "goal", "result"), widths)))
    print(line("-" * w for w in widths))
    for r in rows:
        print(line((r[0].ljust(widths[0]), r[1].rjust(widths[1]), r[2].ljust(widths[2]), r[3])))

    print()
    print("behind the ratios (seconds):")
    print(f"  evaluator per applicant: compiled {ev_small['compiled_us']:.3f} us, by hand {ev_small['by_hand_us']:.3f} us ({SMALL:,});"
          f" compiled {ev_large['compiled_us']:.3f} us, by hand {ev_large['by_hand_us']:.3f} us ({LARGE:,})")
    print(f"  end to end: jifen allocate {e2e['run_s']:.2f}, csv.DictReader {e2e['floor_s']:.2f} (best of {args.repeat} each)")
    stages = ("read", "read_schools", "check_choices", "evaluate", "allocate", "verify", "write")
    print("  stages:      " + "  ".join(f"{s:>13}" for s in stages))
    for count, times in ((SMALL, small), (LARGE, large)):
        print(f"  {count:>10,}: " + "  ".join(f"{times[s]:>13.2f}" for s in stages))
    print(f"  cold start: jifen check {cold['check_s']:.3f}, import lark, click, attrs {cold['floor_s']:.3f} (medians of 15)")
    print(f"suite ran in {time.perf_counter() - began:.0f} s")
    if any(r[3] != "pass" for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
