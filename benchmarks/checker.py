"""Benchmark: reading, checking and compiling a policy take time linear in its size.

Times parse, check and compile for policies of N and 4N requirements (and as many
definitions) in one run, and prints each stage's growth (linear: 4). Run from the
repository top:

    python -m benchmarks.checker [--size 2500]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from jifen_dsl.bulk import collector_paused
from jifen_dsl.lang.checking.checker import check
from jifen_dsl.compile.compiler import compile_policy
from jifen_dsl.lang.library import using_library
from jifen_dsl.lang.loader import load
from jifen_dsl.lang.parsing.parser import _lark

ROOT = Path(__file__).resolve().parent.parent
FIELDS = ROOT / "policies" / "guangzhou" / "fields.jifen"


def policy_text(size: int, directory: str) -> str:
    lines = [
        'policy "Scaling" district "海珠区" year 2022 as_of 2022-08-31 source "benchmark"',
        f'import "{os.path.relpath(FIELDS, directory)}"',
    ]
    for i in range(size):
        lines.append(f"define d{i} = full_years(permit_start, as_of) + {i}")
        lines.append(f'requirement r{i} "Rule {i}": d{i} >= {i} and child_hukou not in {{"广州", "香港"}} or residence_district = "海珠区"')
    lines += ["points { total = points }", "tiebreak { id ascending }"]
    return "\n".join(lines) + "\n"


def measure(size: int) -> dict[str, float]:
    directory = tempfile.mkdtemp()
    path = os.path.join(directory, "p.jifen")
    Path(path).write_text(policy_text(size, directory), encoding="utf-8")
    times = {}
    start = time.perf_counter()
    # The policy lies outside the repository's library, whose fields it imports: name it.
    with collector_paused(), using_library(ROOT / "policies"):  # as the pipeline runs them
        program = load(path)
    times["parse"] = time.perf_counter() - start
    start = time.perf_counter()
    with collector_paused():
        policy = check(program)
    times["check"] = time.perf_counter() - start
    start = time.perf_counter()
    with collector_paused():
        compile_policy(policy)
    times["compile"] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2500, help="requirements in the smaller policy")
    args = parser.parse_args()
    _lark()  # build (or load) the parser before timing
    small, large = measure(args.size), measure(4 * args.size)
    print(f"{'stage':>8}  {args.size:>9} reqs  {4 * args.size:>9} reqs  growth (linear: 4)")
    for stage in ("parse", "check", "compile"):
        print(f"{stage:>8}  {small[stage]:>12.2f}s  {large[stage]:>12.2f}s  {large[stage] / small[stage]:>6.2f}")


if __name__ == "__main__":
    main()
