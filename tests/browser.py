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

ROOT = Path(__file__).resolve().parent.parent

import pytest

__all__ = ["chromium_path", "launched_browser", "served", "screenshot", "no_sideways_scroll"]


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


def screenshot(page, tmp_path: Path, name: str, at: str | None = None) -> None:
    """The page (from the element ``at``, as far as the window reaches) into ``tmp_path``, a test's artefact;
    and into ``docs/workbench/`` when ``JIFEN_DOC_SCREENSHOTS`` is set, for the docs' pictures."""
    if at is not None:
        page.evaluate("selector => document.querySelector(selector).scrollIntoView()", at)
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=at is None)
    if os.environ.get("JIFEN_DOC_SCREENSHOTS"):
        target = ROOT / "docs" / "workbench"
        target.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target / f"{name}.png"), full_page=at is None)


def no_sideways_scroll(page) -> bool:
    """Whether the page fits its window's width (what a phone needs)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
