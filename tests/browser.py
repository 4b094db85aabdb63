"""A real browser for the tests that look at pages as a person does: Debian's chromium driven by Playwright,
and ``jifen serve`` started as users start it.

Tests skip, saying why, when Playwright or chromium is missing; CI installs both.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

__all__ = ["chromium_path", "launched_browser", "served"]


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@contextlib.contextmanager
def launched_browser() -> Iterator:
    """A headless chromium (skipping the test when there is none)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install playwright), so no page was opened in a browser")
    executable = chromium_path()
    if executable is None:
        pytest.skip("chromium is not installed, so no page was opened in a browser")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--disable-gpu"])
        except Exception as error:  # a browser that cannot start here is a missing browser
            pytest.skip(f"chromium could not be started by playwright: {error}")
        try:
            yield launched
        finally:
            launched.close()


@contextlib.contextmanager
def served(folder: Path, *arguments: str) -> Iterator[str]:
    """``jifen serve FOLDER --port 0`` as a process; yields the address it prints, and stops it after."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "jifen_dsl", *arguments, "serve", str(folder), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        line = server.stdout.readline()
        found = re.search(r"http://127\.0\.0\.1:\d+/", line)
        if not found:
            server.kill()
            raise AssertionError(f"jifen serve printed no address: {line!r} {server.stderr.read()!r}")
        address = found.group(0)
        import httpx

        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(address, timeout=10)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield address
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()
        server.stderr.close()
