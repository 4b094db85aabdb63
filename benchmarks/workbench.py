"""Benchmark: ``jifen serve`` under a bounded load, on 127.0.0.1 only.

The workbench is started as a person starts it (``python -m jifen_dsl serve FOLDER
--port 0``) over a copy of the bundled policies and the Haizhu 2022 example. Then
``--clients`` clients (20 by default) ask at once for ``--seconds`` seconds (30).
Half of them check the Haizhu 2022 policy with one number changed, as an editor does
while someone types (``POST /api/check``). The other half evaluate the example's 240
applicants under such an edit, not yet saved (``POST /api/evaluate`` with the text):
every request's text is new, so the server answers each from scratch and reuses
nothing it kept (see :mod:`jifen_dsl.workbench.memo`).

Each client asks again ``--interval`` seconds after its last request began (1 s by
default; at once if the answer took longer). That is the pace of a person at the
editor, whose page checks once the typing pauses for 300 ms, and the load is bounded
as the goal asks. ``--interval 0`` asks flat out: the server's saturation, reported
with no goal. Every answer must be a success. The goal is that no request fails and
that the median check is answered within 100 ms. Prints the count, the failures, the
median and 95th percentile of each kind, and PASS or FAIL. Not part of the suite
(``python -m benchmarks``); run from the repository top:

    python -m benchmarks.workbench [--clients 20] [--seconds 30] [--interval 1]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 100.0

__all__ = ["main"]


def _start(folder: Path) -> tuple[subprocess.Popen, str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "jifen_dsl", "serve", str(folder), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    found = re.search(r"http://127\.0\.0\.1:\d+/", server.stdout.readline())
    if not found:
        server.kill()
        raise SystemExit("jifen serve printed no address")
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(found.group(0), timeout=10)
            return server, found.group(0)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _client(address: str, kind: str, number: int, until: float, interval: float, times: list[float], failures: list[str]) -> None:
    policy = "policies/haizhu/2022.jifen"
    with httpx.Client(base_url=address, timeout=120) as client:
        page = client.get("/")
        csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text).group(1)
        text = client.get("/api/policy", params={"path": policy}).json()["text"]
        k = 0
        while time.monotonic() < until:
            k += 1
            if kind == "check":
                # One number changed, as while typing: the text differs at every request.
                body = {"path": policy, "text": text.replace("2500", str(2500 + number * 1000 + k), 1)}
                route = "/api/check"
            else:
                # An edit not yet saved, tried on the cohort: a new text at every request,
                # so the server can reuse neither a compiled policy nor an evaluated cohort.
                body = {"path": policy, "text": text.replace("2500", str(2500 + number * 1000 + k), 1),
                        "applicants": "examples/haizhu-2022/applicants.csv"}
                route = "/api/evaluate"
            started = time.perf_counter()
            answer = client.post(route, json=body, headers={"X-CSRF-Token": csrf})
            elapsed = time.perf_counter() - started
            if answer.status_code != 200:
                failures.append(f"{route}: {answer.status_code} {answer.text[:200]}")
            else:
                times.append(elapsed * 1000)
            time.sleep(max(0.0, min(interval - elapsed, until - time.monotonic())))


def _line(name: str, times: list[float]) -> str:
    if not times:
        return f"  {name:<10} {0:>8}        -         -"
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    return f"  {name:<10} {len(times):>8} {statistics.median(times):>7.1f}ms {p95:>7.1f}ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=1.0)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "served"
        shutil.copytree(ROOT / "policies", folder / "policies")
        shutil.copytree(ROOT / "examples" / "haizhu-2022", folder / "examples" / "haizhu-2022")
        server, address = _start(folder)
        try:
            checks: list[float] = []
            evaluations: list[float] = []
            failures: list[str] = []
            until = time.monotonic() + options.seconds
            threads = [
                threading.Thread(target=_client, args=(address, "check" if n % 2 == 0 else "evaluate", n, until, options.interval,
                                                        checks if n % 2 == 0 else evaluations, failures))
                for n in range(options.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait(timeout=30)
    median = statistics.median(checks) if checks else float("inf")
    passed = not failures and median <= GOAL_MS
    pace = f"each asking every {options.interval:g} s" if options.interval > 0 else "asking flat out"
    print(f"jifen serve, {options.clients} clients {pace} for {options.seconds:g} s on 127.0.0.1")
    print("  kind       answers    median       p95")
    print(_line("check", checks))
    print(_line("evaluate", evaluations))
    print(f"  failures: {len(failures)}" + (f" (first: {failures[0]})" if failures else ""))
    if options.interval <= 0:
        print("  flat out: the server's saturation, no goal")
        return 0
    print(f"  goal: no failure, median check <= {GOAL_MS:g} ms: {'PASS' if passed else 'FAIL'}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
