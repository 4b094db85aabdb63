"""Benchmark: each stage of an allocation at 100,000 and 1,000,000 applicants over 2,000 schools.

Prints the time of each stage (read, evaluate, allocate, verify, write), the
allocator's share of the run, and how time grows from 100k to 1M applicants
(near-linear is about 10). Data comes from the synthetic generator and is cached
in a work directory. Run from the repository top:

    python -m benchmarks.allocator [--counts 100000 1000000] [--schools 2000] [--workdir DIR] [--json]

With ``--json`` it prints one JSON object of stage times per size instead of the
table (the suite, ``python -m benchmarks``, runs each size in its own process).
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
from pathlib import Path

from jifen_dsl.allocation_report import placement_lines
from jifen_dsl.allocator import allocate
from jifen_dsl.applicants import read_applicants
from jifen_dsl.bulk import collector_paused
from jifen_dsl.evaluator import evaluate
from jifen_dsl.pipeline import load_policy
from jifen_dsl.schools import check_choices, read_schools
from jifen_dsl.verify import verify

from .data import POLICY, default_workdir, files


def run(count: int, schools: int, workdir: Path) -> dict[str, float]:
    applicant_file, school_file = files(workdir, count, schools)
    compiled = load_policy(str(POLICY))
    times: dict[str, float] = {}
    gc.collect()

    def stage(name, function, *args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        times[name] = time.perf_counter() - start
        return result

    with collector_paused():  # as a run of the command line does
        return _stages(compiled, applicant_file, school_file, times, stage)


def _stages(compiled, applicant_file, school_file, times, stage) -> dict[str, float]:
    people = stage("read", read_applicants, str(applicant_file), compiled.policy)
    offer = stage("read_schools", read_schools, str(school_file), compiled.policy)
    stage("check_choices", check_choices, people, compiled.policy, offer, str(applicant_file))
    results = stage("evaluate", evaluate, compiled, people)
    allocation = stage("allocate", allocate, compiled, results, offer)
    stage("verify", verify, allocation, [a.id for a in people])
    stage("write", lambda: sum(map(len, placement_lines(allocation, "csv"))))
    times["total"] = sum(times.values())
    times["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=default_workdir())
    parser.add_argument("--json", action="store_true", help="print the stage times of each size as one JSON object")
    args = parser.parse_args()
    if args.json:
        for count in args.counts:
            print(json.dumps({"count": count, **run(count, args.schools, args.workdir)}), flush=True)
        return
    stages = ["read", "read_schools", "check_choices", "evaluate", "allocate", "verify", "write", "total"]
    print(f"{'applicants':>10}  " + "  ".join(f"{s:>13}" for s in stages) + "  alloc share  peak MB")
    results = {}
    for count in args.counts:
        t = run(count, args.schools, args.workdir)
        results[count] = t
        share = (t["allocate"] + t["verify"]) / t["total"]
        print(f"{count:>10}  " + "  ".join(f"{t[s]:>12.2f}s" for s in stages) + f"  {share:>10.1%}  {t['peak_mb']:>7.0f}")
    if len(args.counts) >= 2:
        small, large = sorted(args.counts)[0], sorted(args.counts)[-1]
        factor = large / small
        for s in ("evaluate", "allocate", "verify", "total"):
            print(f"time({large}) / time({small}) for {s}: {results[large][s] / results[small][s]:.2f} (linear: {factor:.0f})")


if __name__ == "__main__":
    main()
