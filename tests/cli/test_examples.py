"""The bundled examples, end to end: allocation and summary snapshots for each policy."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from jifen_dsl.cli import cli

from ..conftest import ROOT

EXAMPLES = [("haizhu", "2022"), ("baiyun", "2022"), ("conghua", "2020")]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.mark.parametrize(("district", "year"), EXAMPLES)
def test_allocation_of_the_example(district, year, snapshot):
    policy, data = f"policies/{district}/{year}.jifen", f"examples/{district}-{year}"
    result = run("allocate", policy, f"{data}/applicants.csv", f"{data}/schools.csv", "--format", "csv")
    assert result.stdout == snapshot(name="placements")
    summary = run("allocate", policy, f"{data}/applicants.csv", f"{data}/schools.csv", "--summary")
    assert summary.stdout == snapshot(name="summary")


@pytest.mark.parametrize(("district", "year"), EXAMPLES)
def test_every_applicant_appears_once_in_input_order(district, year):
    import csv

    data = f"examples/{district}-{year}"
    with open(f"{data}/applicants.csv", encoding="utf-8") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    out = run("allocate", f"policies/{district}/{year}.jifen", f"{data}/applicants.csv", f"{data}/schools.csv", "--format", "csv").stdout
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ids


def test_haizhu_subsidy_budget():
    out = run("allocate", "policies/haizhu/2022.jifen", "examples/haizhu-2022/applicants.csv", "examples/haizhu-2022/schools.csv", "--summary", "--format", "json").stdout
    import json

    data = json.loads(out)
    private = [s for s in data["schools"] if s["type"] == "private"]
    for s in private:
        rate = 2500 if s["grade"] == "G1" else 3000
        assert s["subsidy"] == str(rate * s["admitted"] * 2)
    assert data["subsidy"]["total"] == str(sum(int(s["subsidy"]) for s in private))
    assert all(s["subsidy"] is None for s in data["schools"] if s["type"] == "public")
