"""Benchmark: the whole allocation pipeline at 100,000 and 1,000,000 applicants over 2,000 schools.

Prints the time of each stage (read, evaluate, allocate, verify, write), the
allocator's share of the run, and how time grows from 100k to 1M applicants
(near-linear is about 10). Data comes from the synthetic generator and is cached
in a work directory. Run from the repository top:

    python -m benchmarks.allocator [--counts 100000 1000000] [--schools 2000] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import gc
import resource
import tempfile
import time
from pathlib import Path

from jifen_dsl import synth
from jifen_dsl.allocation_report import format_placements
from jifen_dsl.allocator import allocate
from jifen_dsl.applicants import read_applicants
from jifen_dsl.evaluator import evaluate
from jifen_dsl.pipeline import load_policy
from jifen_dsl.schools import check_choices, read_schools
from jifen_dsl.verify import verify

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "haizhu" / "2022.jifen"


def data(workdir: Path, count: int, schools: int) -> tuple[Path, Path]:
    """The applicants and schools files for one size, generated once."""
    school_file = workdir / f"schools-{schools}-{count}.csv"
    applicant_file = workdir / f"applicants-{count}-{schools}.csv"
    if not school_file.exists():
        synth.write_csv(synth.generate_schools("haizhu", 2022, schools, 7, applicants=count), str(school_file), synth.SCHOOL_FIELDS)
    if not applicant_file.exists():
        rows = synth.iter_applicants("haizhu", 2022, count, 7, schools=synth.read_schools(str(school_file)))
        synth.write_csv(rows, str(applicant_file))
    return applicant_file, school_file


def run(count: int, schools: int, workdir: Path) -> dict[str, float]:
    applicant_file, school_file = data(workdir, count, schools)
    compiled = load_policy(str(POLICY))
    times: dict[str, float] = {}
    gc.collect()

    def stage(name, function, *args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        times[name] = time.perf_counter() - start
        return result

    people = stage("read", read_applicants, str(applicant_file), compiled.policy)
    offer = stage("read_schools", read_schools, str(school_file), compiled.policy)
    stage("check_choices", check_choices, people, compiled.policy, offer, str(applicant_file))
    results = stage("evaluate", evaluate, compiled, people)
    allocation = stage("allocate", allocate, compiled, results, offer)
    stage("verify", verify, allocation, [a.id for a in people])
    stage("write", format_placements, allocation, "csv")
    times["total"] = sum(times.values())
    times["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "jifen-bench")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
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
