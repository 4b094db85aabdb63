"""Benchmark: each stage of an allocation at 100,000 and 1,000,000 applicants over 2,000 schools.

Prints the time of each stage (read, evaluate, allocate, verify, write), the
allocator's share of the run, and how time grows from 100k to 1M applicants
(near-linear is about 10). Both sizes are read into one process and their stages
run alternately, several rounds, the best of each counting. Data comes from the
synthetic generator and is cached in a work directory. Run from the repository top:

    python -m benchmarks.allocator [--counts 100000 1000000] [--schools 2000] [--repeat 3] [--workdir DIR] [--json]

With ``--json`` it prints one JSON object of stage times per size instead of the
table (the suite, ``python -m benchmarks``, reads these).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
from pathlib import Path

from jifen_dsl.allocation.report import placement_lines
from jifen_dsl.allocation.allocator import allocate
from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.bulk import collector_paused
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.schools import check_choices, read_schools
from jifen_dsl.allocation.verify import verify

from .data import POLICY, default_workdir, files


def runs(counts: list[int], schools: int, workdir: Path, repeat: int) -> dict[int, dict[str, float]]:
    """The stage times of each size, measured side by side in this process.

    Every size's files are read first; then evaluate, allocate, verify and write
    run for each size in turn, ``repeat`` rounds, and the best time of each stage
    counts. So a ratio between sizes compares times taken moments apart on the
    same machine state, not minutes apart in different processes.
    """
    compiled = load_policy(str(POLICY))
    times: dict[int, dict[str, float]] = {count: {} for count in counts}
    inputs = {}
    gc.collect()
    with collector_paused():  # as a run of the command line does
        for count in counts:
            applicant_file, school_file = files(workdir, count, schools)
            people = _timed(times[count], "read", read_applicants, str(applicant_file), compiled.policy)
            offer = _timed(times[count], "read_schools", read_schools, str(school_file), compiled.policy)
            _timed(times[count], "check_choices", check_choices, people, compiled.policy, offer, str(applicant_file))
            inputs[count] = people, offer
        for _ in range(repeat):
            for count in counts:
                people, offer = inputs[count]
                t = times[count]
                results = _timed(t, "evaluate", evaluate, compiled, people)
                allocation = _timed(t, "allocate", allocate, compiled, results, offer)
                _timed(t, "verify", verify, allocation, [a.id for a in people])
                _timed(t, "write", _written, allocation)
                del results, allocation  # free one round's objects before the next is made
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for t in times.values():
        t["total"] = sum(t.values())
        t["peak_mb"] = peak
    return times


def _written(allocation) -> int:
    """Make every line of the CSV results (the characters written, so the work is not skipped)."""
    return sum(map(len, placement_lines(allocation, "csv")))


def _timed(times: dict[str, float], name: str, function, *args):
    start = time.perf_counter()
    result = function(*args)
    elapsed = time.perf_counter() - start
    times[name] = min(elapsed, times.get(name, elapsed))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=default_workdir())
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the stages after reading (the best counts; default 3)")
    parser.add_argument("--json", action="store_true", help="print the stage times of each size as one JSON object")
    args = parser.parse_args()
    counts = sorted(set(args.counts))
    results = runs(counts, args.schools, args.workdir, args.repeat)
    if args.json:
        for count in counts:
            print(json.dumps({"count": count, **results[count]}), flush=True)
        return
    stages = ["read", "read_schools", "check_choices", "evaluate", "allocate", "verify", "write", "total"]
    print(f"{'applicants':>10}  " + "  ".join(f"{s:>13}" for s in stages) + "  alloc share")
    for count in counts:
        t = results[count]
        share = (t["allocate"] + t["verify"]) / t["total"]
        print(f"{count:>10}  " + "  ".join(f"{t[s]:>12.2f}s" for s in stages) + f"  {share:>10.1%}")
    print(f"peak memory of the process: {results[counts[-1]]['peak_mb']:.0f} MB")
    if len(counts) >= 2:
        small, large = counts[0], counts[-1]
        for s in ("evaluate", "allocate", "verify", "write"):
            print(f"time({large}) / time({small}) for {s}: {results[large][s] / results[small][s]:.2f} (linear: {large / small:.0f})")


if __name__ == "__main__":
    main()
