"""Benchmark: each stage of an allocation on the columnar engine, at 100,000 and 1,000,000 applicants over 2,000 schools.

The stages are those ``jifen allocate`` runs (``runs/engine.py`` ``run_engine``
and ``runs/run.py`` ``run_outputs``), called one at a time with the same
functions and timed apart:

- ``read``: the applicant file into the cohort's columns (``read_cohort``);
- ``read_schools``: the schools file (``read_schools_table``, ``schools_from_table``);
- ``check_choices``: every choice against the schools (``check_choices_frame``);
- ``evaluate``: the columnar evaluation and the ranking (``evaluate_frame``);
- ``allocate``: the placement columns and the seats assigned (``placement_columns``, ``allocate_arrays``);
- ``verify``: the allocation checked as column operations (``verify_frame``);
- ``write``: the results CSV made from the report columns (``placement_csv_bytes``).

Loading the policy and compiling it for the columnar backend happen once,
before the clock starts: they cost the same at any size. The cyclic garbage
collector is off, as it is for the command line. The sizes run alternately,
``--repeat`` rounds, every stage each round, and the best time of each stage
counts. Data comes from the synthetic generator and is cached in a work
directory. Run from the repository top:

    python -m benchmarks.allocator [--counts 100000 1000000] [--schools 2000] [--repeat 3] [--workdir DIR] [--json]

With ``--json`` it prints one JSON object of stage times per size instead of the
table. The suite (``python -m benchmarks``) runs it with one size at a time, a
fresh process for each run, as a real run is.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import time
from pathlib import Path

import polars as pl

from jifen_dsl.allocation.arrays import allocate_arrays
from jifen_dsl.allocation.columnar_report import placement_csv_bytes
from jifen_dsl.allocation.columns_verify import verify_frame
from jifen_dsl.compile.columnar import compile_columnar
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.choicecheck import check_choices_frame
from jifen_dsl.data.schools import read_schools_table, schools_from_table
from jifen_dsl.evaluation.engine import evaluate_frame
from jifen_dsl.progress import NO_PROGRESS
from jifen_dsl.runs.engine import placement_columns, read_cohort
from jifen_dsl.runs.run import Source

from .data import POLICY, default_workdir, files

__all__ = ["STAGES", "runs"]

STAGES = ("read", "read_schools", "check_choices", "evaluate", "allocate", "verify", "write")


def runs(counts: list[int], schools: int, workdir: Path, repeat: int) -> dict[int, dict[str, float]]:
    """The best time of each stage at each size, the sizes run alternately, ``repeat`` rounds."""
    compiled = load_policy(str(POLICY))
    columnar = compile_columnar(compiled.policy)
    paths = {count: files(workdir, count, schools) for count in counts}
    times: dict[int, dict[str, float]] = {count: {} for count in counts}
    gc.collect()
    gc.disable()  # as the command line does (cli/app.py)
    for _ in range(repeat):
        for count in counts:
            _one_run(compiled, columnar, *paths[count], times[count])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for t in times.values():
        t["total"] = sum(t[s] for s in STAGES)
        t["peak_mb"] = peak
    return times


def _one_run(compiled, columnar, applicant_file: Path, school_file: Path, times: dict[str, float]) -> None:
    """One run of every stage, as ``run_engine`` and ``run_outputs`` call them; each stage's time kept when it is the best yet."""
    policy = compiled.policy
    cohort = _timed(times, "read", read_cohort, Source(str(applicant_file)), None, policy, False, NO_PROGRESS)
    offer = _timed(times, "read_schools", lambda: schools_from_table(read_schools_table(str(school_file)), policy))
    _timed(times, "check_choices", check_choices_frame, cohort.frame, policy, offer, cohort.table.at, cohort.table.path)
    outcome = _timed(times, "evaluate", evaluate_frame, compiled, columnar, cohort.frame)
    placed = _timed(
        times, "allocate",
        lambda: allocate_arrays(policy, placement_columns(policy, outcome), offer).select("status", "school", "round", "group"),
    )
    # The ids as run_engine hands them over: a column, not a list of a million strings.
    _timed(
        times, "verify",
        lambda: verify_frame(policy, pl.concat([placement_columns(policy, outcome), placed], how="horizontal"), offer, outcome.get_column("id")),
    )
    # The columns the reports read (Run.report_frame), then the results CSV: its bytes are made, not written to disk.
    _timed(times, "write", lambda: len(placement_csv_bytes(policy, pl.concat([outcome, placed], how="horizontal"), offer)))


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
    parser.add_argument("--repeat", type=int, default=3, help="rounds of every stage (the best counts; default 3)")
    parser.add_argument("--json", action="store_true", help="print the stage times of each size as one JSON object")
    args = parser.parse_args()
    counts = sorted(set(args.counts))
    results = runs(counts, args.schools, args.workdir, args.repeat)
    if args.json:
        for count in counts:
            print(json.dumps({"count": count, **results[count]}), flush=True)
        return
    stages = [*STAGES, "total"]
    print(f"{'applicants':>10}  " + "  ".join(f"{s:>13}" for s in stages))
    for count in counts:
        t = results[count]
        print(f"{count:>10}  " + "  ".join(f"{t[s]:>12.2f}s" for s in stages))
    print(f"peak memory of the process: {results[counts[-1]]['peak_mb']:.0f} MiB")
    if len(counts) >= 2:
        small, large = counts[0], counts[-1]
        for s in stages:
            print(f"time({large}) / time({small}) for {s}: {results[large][s] / results[small][s]:.2f} (linear: {large / small:.0f})")


if __name__ == "__main__":
    main()
