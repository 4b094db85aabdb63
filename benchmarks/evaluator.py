"""Benchmark: the compiled Haizhu 2022 policy against the same rules written by hand.

Both functions evaluate the same typed records in the same loop, block by block,
one after the other, repeated, in one run; the result is the ratio of the best
times (absolute times on a shared machine are noise). Run from the repository top:

    python -m benchmarks.evaluator [--count 100000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import decimal
import gc
import itertools
import time
from pathlib import Path

from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.lang.operations import DECIMAL_CONTEXT

from . import haizhu_2022_by_hand

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "haizhu" / "2022.jifen"
EXAMPLE = ROOT / "examples" / "haizhu-2022" / "applicants.csv"


def records(count: int) -> list[tuple]:
    """``count`` typed records, cycling through the bundled Haizhu example cohort."""
    compiled = load_policy(str(POLICY))
    cohort = [a.record for a in read_applicants(str(EXAMPLE), compiled.policy)]
    return list(itertools.islice(itertools.cycle(cohort), count))


BLOCK = 10_000  # records timed at a time: short enough that both functions see the same machine state


def _time(function, block: list[tuple]) -> float:
    start = time.perf_counter()
    for row in block:
        function(row)
    return time.perf_counter() - start


def measure(count: int, repeat: int) -> dict[str, float]:
    """Seconds for each function over ``count`` records, and their ratio.

    The records are timed in blocks of 10,000, the two functions one after the
    other on each block (which goes first alternates), ``repeat`` rounds; each
    block counts with its best time. A slow spell on a shared machine then
    spoils one block's timing for one round, not a whole function's run.
    """
    compiled = load_policy(str(POLICY))
    rows = records(count)
    blocks = [rows[i : i + BLOCK] for i in range(0, count, BLOCK)]
    functions = {"compiled": compiled.evaluate, "by_hand": haizhu_2022_by_hand.evaluate}
    best = {name: [float("inf")] * len(blocks) for name in functions}
    gc.collect()
    gc.disable()
    try:
        with decimal.localcontext(DECIMAL_CONTEXT):
            for round_ in range(repeat):
                for i, block in enumerate(blocks):
                    order = list(functions) if (round_ + i) % 2 == 0 else list(reversed(functions))
                    for name in order:
                        best[name][i] = min(best[name][i], _time(functions[name], block))
    finally:
        gc.enable()
    compiled_best, by_hand_best = sum(best["compiled"]), sum(best["by_hand"])
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
