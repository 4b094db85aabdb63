"""The house's rooms import only downwards (pyproject.toml's import-linter contracts), and the contract bites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

LINT_IMPORTS = shutil.which("lint-imports", path=os.path.dirname(sys.executable)) or shutil.which("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    # The package is found on PYTHONPATH first, so a copy under root is the one analysed.
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([LINT_IMPORTS, str(root / "pyproject.toml"), "--no-cache"], cwd=root, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The package and its contracts, copied where a test may break them."""
    root = tmp_path_factory.mktemp("house")
    shutil.copytree(ROOT / "jifen_dsl", root / "jifen_dsl", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_every_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    "room, arrow, says",
    [
        # the language reaching up to the command line
        ("lang/syntax.py", "from jifen_dsl.cli import app", "jifen_dsl.lang is not allowed to import jifen_dsl.cli"),
        ("timeline/dates.py", "import jifen_dsl.lang.model", "jifen_dsl.timeline is not allowed to import jifen_dsl.lang"),
        # siblings on one floor stay apart
        ("compile/order.py", "from jifen_dsl.data import values", "jifen_dsl.compile is not allowed to import jifen_dsl.data"),
        ("runs/publish.py", "from jifen_dsl.years import diff", "jifen_dsl.runs is not allowed to import jifen_dsl.years"),
        # a loop inside one room
        ("lang/typesys.py", "from jifen_dsl.lang.checking import checker", "- .typesys -> .checking"),
    ],
)
def test_a_wrong_arrow_fails_and_is_named(copy, room, arrow, says):
    module = copy / "jifen_dsl" / room
    original = module.read_text(encoding="utf-8")
    module.write_text(original + f"\n\ndef _wrong():\n    {arrow}\n", encoding="utf-8")
    try:
        result = lint_imports(copy)
    finally:
        module.write_text(original, encoding="utf-8")
    assert result.returncode == 1, result.stdout
    assert says in result.stdout


def test_lark_and_click_stay_in_their_rooms():
    """Lark is seen only by the parser's modules (lang/parsing/); click only by the command lines."""
    import grimp

    graph = grimp.build_graph("jifen_dsl", include_external_packages=True, cache_dir=None)
    lark_users = graph.find_modules_that_directly_import("lark")
    click_users = graph.find_modules_that_directly_import("click")
    assert lark_users and all(m.startswith("jifen_dsl.lang.parsing.") for m in lark_users), sorted(lark_users)
    assert click_users and all(m.startswith("jifen_dsl.cli.") or m == "jifen_dsl.synth.command" for m in click_users), sorted(click_users)


def test_pygls_stays_in_the_language_servers_room():
    """pygls and lsprotocol are seen only by lsp/server.py: the features answer without the protocol."""
    import grimp

    graph = grimp.build_graph("jifen_dsl", include_external_packages=True, cache_dir=None)
    users = graph.find_modules_that_directly_import("pygls") | graph.find_modules_that_directly_import("lsprotocol")
    assert users == {"jifen_dsl.lsp.server"}, sorted(users)
