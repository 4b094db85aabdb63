"""Benchmark: ``jifen check`` of the Haizhu 2022 policy from a cold process, against importing its three libraries.

The floor is ``python -c "import lark, click, attrs"``: a command line built on
these libraries cannot start faster. Both are run alternately, after one run of
each to fill the caches (the parser's, the operating system's), and the medians
compared. Run from the repository top:

    python -m benchmarks.coldstart [--repeat 15]
"""

from __future__ import annotations

import argparse
import statistics

from .data import POLICY
from .processes import jifen_command, measure, python_command

__all__ = ["cold_start"]


def cold_start(repeat: int) -> dict[str, float]:
    """Median seconds of ``jifen check`` and of the floor, and their ratio."""
    check = [*jifen_command(), "check", str(POLICY)]
    floor = [*python_command(), "-c", "import lark, click, attrs"]
    for command in (check, floor):
        warm = measure(command)
        if warm.status != 0:
            raise SystemExit(f"{' '.join(command)} failed (status {warm.status}):\n{warm.stderr}")
    checks: list[float] = []
    floors: list[float] = []
    for _ in range(repeat):
        checks.append(measure(check).seconds)
        floors.append(measure(floor).seconds)
    check_s, floor_s = statistics.median(checks), statistics.median(floors)
    return {"check_s": check_s, "floor_s": floor_s, "ratio": check_s / floor_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    r = cold_start(args.repeat)
    print(f"{'jifen check':>11}  {'import lark, click, attrs':>25}  {'ratio':>6}")
    print(f"{r['check_s']:>10.3f}s  {r['floor_s']:>24.3f}s  {r['ratio']:>6.2f}")


if __name__ == "__main__":
    main()
