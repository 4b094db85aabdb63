"""Commands that read no cohort do not pay for the columnar engine: polars is not imported; nor the workbench's web server, but by ``jifen serve``."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ..conftest import POLICIES

WEB = ("starlette", "uvicorn", "jinja2", "jifen_dsl.workbench")


def _all_imports(*args: str) -> tuple[int, list[str]]:
    """Run the command as users do and list every module it imported (from ``-X importtime``)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "jifen_dsl", *args], capture_output=True, text=True, timeout=120)
    modules = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "jifen_dsl.cli" in modules  # the probe saw the command's imports
    return done.returncode, modules


def _imports(*args: str) -> tuple[int, list[str]]:
    """Run the command as users do and list the polars modules it imported."""
    code, modules = _all_imports(*args)
    return code, [m for m in modules if m == "polars" or m.startswith("polars.")]


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["check", str(POLICIES / "haizhu" / "2022.jifen")],
        ["check", str(POLICIES / "baiyun" / "2023.jifen")],
    ],
    ids=["help", "check", "check-extends"],
)
def test_commands_without_a_cohort_do_not_import_polars(args):
    code, loaded = _imports(*args)
    assert code == 0
    assert loaded == []


def test_the_probe_sees_polars_when_it_is_imported():
    # The probe itself must be able to fail: the columnar room imports polars.
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import jifen_dsl.cli, jifen_dsl.lang.columns"], capture_output=True, text=True, timeout=120)
    assert "polars" in [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()]


@pytest.mark.parametrize(
    "args",
    [["--help"], ["check", str(POLICIES / "haizhu" / "2022.jifen")], ["serve", "--help"]],
    ids=["help", "check", "serve-help"],
)
def test_commands_but_serve_do_not_import_the_web_server(args):
    code, modules = _all_imports(*args)
    assert code == 0
    assert [m for m in modules if m.split(".")[0] in WEB or m.startswith(WEB)] == []


def test_the_probe_sees_the_web_server_when_it_is_imported():
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import jifen_dsl.cli, jifen_dsl.workbench.app"], capture_output=True, text=True, timeout=120)
    seen = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert {"starlette", "jinja2", "jifen_dsl.workbench.app"} <= seen
