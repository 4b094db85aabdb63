"""Benchmark: a whole admission season (``jifen season``) of many applicants, each stage against reading the cohort.

    python -m benchmarks.season [--count 1000000] [--schools 2000] [--workdir DIR]

Runs every stage of a Haizhu 2022 season, each as its own ``jifen season``
process as an office runs it, on the suite's synthetic cohort: init, import,
qualify, choices (every qualified applicant but 1% files the choices of the
application file), allocate, confirm (1% decline, the window closed), register
(the window closed), then explain (one registered applicant), status, export and
verify. The officers' files are
made from the season's own export between stages, outside the timings. Prints
each stage's seconds and its ratio to ``polars.read_csv`` of the applicant file
(the floor of anything that reads the cohort), and the peak memory of each.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import polars as pl

from .data import POLICY, default_workdir, files
from .endtoend import FLOOR
from .processes import jifen_command, measure, python_command

__all__ = ["season_stages"]


def _run(name: str, command: list[str], times: dict[str, tuple[float, float]]) -> None:
    run = measure(command)
    if run.status != 0:
        raise SystemExit(f"{' '.join(command)} failed (status {run.status}):\n{run.stderr}")
    times[name] = (run.seconds, run.peak_mb)


def season_stages(count: int, schools: int, workdir: Path) -> dict[str, tuple[float, float]]:
    """Seconds and peak MB of each stage, and of polars.read_csv of the cohort ("read_csv")."""
    applicants, school_file = files(workdir, count, schools)
    folder = workdir / f"season-{count}"
    shutil.rmtree(folder, ignore_errors=True)
    jifen = [*jifen_command(), "season"]
    export = workdir / f"season-{count}-export.csv"
    times: dict[str, tuple[float, float]] = {}
    _run("read_csv", [*python_command(), "-c", FLOOR, str(applicants)], times)
    _run("init", [*jifen, "init", str(folder), "--policy", str(POLICY), "--schools", str(school_file)], times)
    _run("import", [*jifen, "import", str(folder), str(applicants)], times)
    _run("qualify", [*jifen, "qualify", str(folder)], times)

    def table() -> pl.DataFrame:
        _run("export", [*jifen, "export", str(folder), "-o", str(export)], times)
        return pl.read_csv(export, infer_schema=False)

    qualified = table().filter(pl.col("status") == "qualified").select("id")
    cohort = pl.read_csv(applicants, infer_schema=False, columns=["id", "choices", "accepts_coordination", "sibling_group"])
    filing = qualified.join(cohort, on="id").with_columns(pl.col("accepts_coordination").fill_null("false"))
    filing = filing.filter(pl.int_range(pl.len()) % 100 != 99)  # one in a hundred files nothing: gives up
    choices = workdir / f"season-{count}-choices.csv"
    filing.write_csv(choices)
    _run("choices", [*jifen, "choices", str(folder), str(choices), "--as-of", "2022-06-12"], times)
    _run("allocate", [*jifen, "allocate", str(folder), "--as-of", "2022-06-14"], times)
    admitted = table().filter(pl.col("status") == "admitted").select("id")
    decisions = workdir / f"season-{count}-decisions.csv"
    admitted.with_columns(decision=pl.when(pl.int_range(pl.len()) % 100 == 7).then(pl.lit("declined")).otherwise(pl.lit("confirmed"))).write_csv(decisions)
    _run("confirm", [*jifen, "confirm", str(folder), str(decisions), "--close", "--as-of", "2022-06-16"], times)
    confirmed = table().filter(pl.col("status") == "confirmed").select("id")
    registrations = workdir / f"season-{count}-registrations.csv"
    confirmed.with_columns(registered=pl.lit("yes")).write_csv(registrations)
    _run("register", [*jifen, "register", str(folder), str(registrations), "--close"], times)
    someone = confirmed.get_column("id")[0]
    _run("explain", [*jifen, "explain", str(folder), "--id", someone], times)
    _run("status", [*jifen, "status", str(folder)], times)
    _run("verify", [*jifen, "verify", str(folder)], times)
    return times


def report(count: int, times: dict[str, tuple[float, float]]) -> list[str]:
    floor = times["read_csv"][0]
    lines = [f"season of {count:,} applicants: each stage in its own process; ratio to polars.read_csv of the cohort ({floor:.2f} s)"]
    lines.append(f"  {'stage':<10} {'seconds':>8} {'ratio':>7} {'peak MB':>9}")
    for name, (seconds, peak) in times.items():
        if name != "read_csv":
            lines.append(f"  {name:<10} {seconds:>8.2f} {seconds / floor:>6.1f}x {peak:>9,.0f}")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.season", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--workdir", type=Path, default=default_workdir())
    args = parser.parse_args(argv)
    print(f"season: {args.count:,} applicants, {args.schools:,} schools ...", file=sys.stderr, flush=True)
    for line in report(args.count, season_stages(args.count, args.schools, args.workdir)):
        print(line)


if __name__ == "__main__":
    main()
