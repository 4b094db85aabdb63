"""Benchmark: the compiled Haizhu 2022 policy against the same rules written by hand.

Both functions evaluate the same typed records in the same loop, interleaved and
repeated, in one run; the result is the ratio of the best times (absolute times on
a shared machine are noise). Run from the repository top:

    python -m benchmarks.evaluator [--count 100000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import decimal
import gc
import itertools
import time
from pathlib import Path

from jifen_dsl.applicants import read_applicants
from jifen_dsl.pipeline import load_policy
from jifen_dsl.runtime import DECIMAL_CONTEXT

from . import haizhu_2022_by_hand

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "haizhu" / "2022.jifen"
EXAMPLE = ROOT / "examples" / "haizhu-2022" / "applicants.csv"


def records(count: int) -> list[tuple]:
    """``count`` typed records, cycling through the bundled Haizhu example cohort."""
    compiled = load_policy(str(POLICY))
    cohort = [a.record for a in read_applicants(str(EXAMPLE), compiled.policy)]
    return list(itertools.islice(itertools.cycle(cohort), count))


def best_time(function, rows: list[tuple]) -> float:
    start = time.perf_counter()
    for row in rows:
        function(row)
    return time.perf_counter() - start


def measure(count: int, repeat: int) -> dict[str, float]:
    """Best-of-``repeat`` seconds for each function over ``count`` records, and their ratio."""
    compiled = load_policy(str(POLICY))
    rows = records(count)
    times = {"compiled": [], "by_hand": []}
    gc.collect()
    gc.disable()
    try:
        with decimal.localcontext(DECIMAL_CONTEXT):
            for _ in range(repeat):
                times["compiled"].append(best_time(compiled.evaluate, rows))
                times["by_hand"].append(best_time(haizhu_2022_by_hand.evaluate, rows))
    finally:
        gc.enable()
    compiled_best, by_hand_best = min(times["compiled"]), min(times["by_hand"])
    return {
        "count": count,
        "compiled_us": compiled_best / count * 1e6,
        "by_hand_us": by_hand_best / count * 1e6,
        "ratio": compiled_best / by_hand_best,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, action="append", help="applicants per run (repeatable; default 100000)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    print(f"{'applicants':>10}  {'compiled us':>11}  {'by hand us':>10}  {'ratio':>6}")
    for count in args.count or [100_000]:
        r = measure(count, args.repeat)
        print(f"{r['count']:>10}  {r['compiled_us']:>11.3f}  {r['by_hand_us']:>10.3f}  {r['ratio']:>6.3f}")


if __name__ == "__main__":
    main()
