"""The allocation, season and public-list preview pages and their API, through HTTP."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from jifen_dsl.cli import cli

from ..conftest import ROOT
from .conftest import client_for, error_of, post

POLICY = "policies/haizhu/2022.jifen"
FILES = {"path": POLICY, "applicants": "examples/haizhu-2022/applicants.csv", "schools": "examples/haizhu-2022/schools.csv"}


@pytest.fixture
def served(tmp_path: Path) -> Path:
    """A served folder holding a copy of the repository's policies/ and examples/."""
    folder = tmp_path / "served"
    folder.mkdir()
    shutil.copytree(ROOT / "policies", folder / "policies")
    shutil.copytree(ROOT / "examples", folder / "examples")
    return folder


def test_allocate_answers_what_the_charts_need(served):
    answer = post(client_for(served), "/api/allocate", FILES).json()
    assert answer["counts"] == {"admitted": 120, "unplaced": 2, "not_qualified": 48, "ineligible": 70}
    assert [g["grade"] for g in answer["grades"]] == ["G1", "G7"] and answer["grades"][0]["cut"] == "75.5"
    assert sum(b["qualified"] + b["not_qualified"] for b in answer["grades"][0]["bins"]) == answer["grades"][0]["eligible"]
    assert answer["schools_summary"][0]["cutoff"] == "135" and answer["subsidy"]["total"] == "255000"
    assert sum(answer["rounds"].values()) == 120


def test_allocate_refuses_bad_files_with_the_cli_messages(served):
    client = client_for(served)
    error = error_of(post(client, "/api/allocate", {**FILES, "applicants": FILES["schools"]}), 422)
    assert "D0413" in error["message"] and str(served) not in error["message"]
    assert error_of(post(client, "/api/allocate", {**FILES, "applicants": "../secret.csv"}), 403)["code"] == "path_outside"
    assert error_of(post(client, "/api/allocate", {**FILES, "schools": "nothing.csv"}), 404)["code"] == "not_found"
    assert error_of(post(client, "/api/allocate", {"path": POLICY}), 422)["code"] == "missing_field"
    assert error_of(post(client, "/api/allocate", {**FILES, "text": "not a policy"}), 422)
    assert error_of(client.post("/api/allocate", json=FILES), 403)["code"] == "csrf_missing"


def test_preview_is_the_published_page_byte_for_byte(served, monkeypatch):
    monkeypatch.chdir(served)
    runner = CliRunner()
    assert runner.invoke(cli, ["allocate", POLICY, FILES["applicants"], FILES["schools"], "--out", "run"]).exit_code == 0
    published = runner.invoke(cli, ["publish", "run", "--kind", "admission", "--format", "html"]).stdout
    client = client_for(served)
    from_run = post(client, "/api/preview", {"run": "run", "kind": "admission"}).json()
    assert from_run["html"] == published and from_run["policy"] == POLICY
    from_allocation = post(client, "/api/preview", {**FILES, "kind": "admission"}).json()
    assert from_allocation["html"] == published
    assert error_of(post(client, "/api/preview", {"run": "../run"}), 403)
    assert error_of(post(client, "/api/preview", {"run": "run", "kind": "bad"}), 422)
    assert error_of(post(client, "/api/preview", {"run": FILES["applicants"]}), 422)
    page = client.get("/preview?run=run")
    assert page.status_code == 200 and "sha256-" in page.headers["content-security-policy"]


def test_seasons_are_shown_and_never_written(served):
    if shutil.which("sh") is None:
        pytest.skip("no shell")
    season = served / "seasons" / "hz"
    subprocess.run(["sh", "examples/haizhu-2022/season/run.sh", "seasons/hz"], cwd=served, check=True, capture_output=True)
    before = hashlib.sha256((season / "season.db").read_bytes()).hexdigest()
    client = client_for(served)
    seasons = client.get("/api/seasons").json()["seasons"]
    assert seasons[0]["folder"] == "seasons/hz" and seasons[0]["stages"][-1]["stage"] == "register" and seasons[0]["next"] is None
    page = client.get("/seasons")
    assert page.status_code == 200 and "报到" in page.text
    assert hashlib.sha256((season / "season.db").read_bytes()).hexdigest() == before


def test_pages_answer(served):
    client = client_for(served)
    for route in ("/allocate?path=" + POLICY, "/seasons", "/preview"):
        assert client.get(route).status_code == 200
    assert client.get("/static/vendor/chart.umd.js").status_code == 200


def test_the_shipped_chartjs_is_the_pinned_package():
    package = ROOT / "editors" / "chartjs" / "node_modules" / "chart.js" / "dist" / "chart.umd.min.js"
    if not package.is_file():
        pytest.skip("editors/chartjs/node_modules is not installed (editors/chartjs/fetch.sh)")
    shipped = ROOT / "jifen_dsl" / "workbench" / "static" / "vendor" / "chart.umd.js"
    assert shipped.read_bytes() == package.read_bytes()
