"""Benchmark: ``jifen allocate`` and ``jifen evaluate`` of a million applicants, CSV to CSV, against plain polars on the same files.

Four commands run alternately, each ``--repeat`` times, in fresh processes, and
the best time of each counts:

- ``jifen allocate POLICY APPLICANTS SCHOOLS --format csv -o OUT``;
- ``jifen evaluate POLICY APPLICANTS --format csv -o OUT``;
- the peer: a plain polars script doing the allocation's job on the same files
  (``polars_peer.py`` unless ``--peer PATH`` names another, run as
  ``python PATH APPLICANTS SCHOOLS OUT``);
- the floor: ``python -c "import polars, sys; polars.read_csv(sys.argv[1])"`` of
  the applicant file, the least a polars program pays to hold the data.

The peak memory of ``jifen allocate`` is its own maximum resident set size, as
the kernel counted it, in MB of 10^6 bytes (the largest of its runs). Run from
the repository top:

    python -m benchmarks.endtoend [--count 1000000] [--schools 2000] [--repeat 3] [--peer PATH] [--workdir DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .data import POLICY, default_workdir, files
from .processes import jifen_command, measure, python_command

__all__ = ["FLOOR", "PEER", "end_to_end"]

FLOOR = "import polars, sys; polars.read_csv(sys.argv[1])"
PEER = Path(__file__).resolve().parent / "polars_peer.py"


def end_to_end(count: int, schools: int, workdir: Path, repeat: int, peer: Path = PEER) -> dict[str, float]:
    """Best seconds of each command, the ratios the suite's goals read, and the peak memory of ``jifen allocate``."""
    applicant_file, school_file = files(workdir, count, schools)
    out = {name: workdir / f"{name}-{count}-{schools}.csv" for name in ("allocate", "evaluate", "peer")}
    commands = {
        "floor": [*python_command(), "-c", FLOOR, str(applicant_file)],
        "peer": [*python_command(), str(peer), str(applicant_file), str(school_file), str(out["peer"])],
        "allocate": [*jifen_command(), "allocate", str(POLICY), str(applicant_file), str(school_file), "--format", "csv", "-o", str(out["allocate"])],
        "evaluate": [*jifen_command(), "evaluate", str(POLICY), str(applicant_file), "--format", "csv", "-o", str(out["evaluate"])],
    }
    seconds: dict[str, list[float]] = {name: [] for name in commands}
    peaks: list[float] = []
    for _ in range(repeat):
        for name, command in commands.items():
            run = measure(command)
            if run.status != 0:
                raise SystemExit(f"{' '.join(command)} failed (status {run.status}):\n{run.stderr}")
            seconds[name].append(run.seconds)
            if name == "allocate":
                peaks.append(run.peak_mb * 1024 * 1024 / 1e6)
    best = {name: min(times) for name, times in seconds.items()}
    return {
        "count": count,
        "peer": str(peer),
        "allocate_s": best["allocate"],
        "evaluate_s": best["evaluate"],
        "peer_s": best["peer"],
        "floor_s": best["floor"],
        "allocate_peer": best["allocate"] / best["peer"],
        "allocate_floor": best["allocate"] / best["floor"],
        "evaluate_floor": best["evaluate"] / best["floor"],
        "peak_mb": max(peaks),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--peer", type=Path, default=PEER, help="the peer script (default: %(default)s)")
    parser.add_argument("--workdir", type=Path, default=default_workdir())
    args = parser.parse_args()
    r = end_to_end(args.count, args.schools, args.workdir, args.repeat, args.peer)
    print(f"{args.count:,} applicants, best of {args.repeat} (seconds):")
    print(f"  jifen allocate {r['allocate_s']:.2f}, jifen evaluate {r['evaluate_s']:.2f}, peer {r['peer_s']:.2f}, polars.read_csv {r['floor_s']:.2f}")
    print(f"  allocate / peer {r['allocate_peer']:.2f}, allocate / read_csv {r['allocate_floor']:.2f}, evaluate / read_csv {r['evaluate_floor']:.2f}")
    print(f"  peak memory of jifen allocate: {r['peak_mb']:,.0f} MB")


if __name__ == "__main__":
    main()
