"""Commands that read no cohort do not pay for the columnar engine: polars is not imported."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ..conftest import POLICIES

def _imports(*args: str) -> tuple[int, list[str]]:
    """Run the command as users do and list the polars modules it imported (from ``-X importtime``)."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "jifen_dsl", *args], capture_output=True, text=True, timeout=120)
    modules = [line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    assert "jifen_dsl.cli" in modules  # the probe saw the command's imports
    return done.returncode, [m for m in modules if m == "polars" or m.startswith("polars.")]


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
