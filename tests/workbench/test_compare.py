"""The Compare page and ``POST /api/impact``: the clause diff of a policy, and the impact of an edit before it is saved."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jifen_dsl.workbench import compare
from jifen_dsl.workbench.safety import ApiError

from ..conftest import POLICIES, ROOT
from .conftest import client_for, error_of, post

POLICY = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"
SCHOOLS = "examples/haizhu-2022/schools.csv"
WINDOW = "「出生日期」 介于 2015年9月1日 至 2016年8月31日"
MOVED = "「出生日期」 介于 2015年10月1日 至 2016年9月30日"  # the birth-date window a month later


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """The repository's policies/ and examples/, copied: served as the repository is."""
    root = tmp_path / "repository"
    shutil.copytree(POLICIES, root / "policies")
    shutil.copytree(ROOT / "examples", root / "examples")
    return root


@pytest.fixture
def client(repository: Path):
    return client_for(repository)


def _saved(repository: Path) -> str:
    return (repository / POLICY).read_text(encoding="utf-8")


def _unchanged_edits(text: str) -> list[str]:
    """The saved text, and edits of it that change nothing: a comment, blank lines, trailing spaces."""
    first, rest = text.split("\n", 1)
    return [
        text,
        text + "\n# 一条新注释，不改变任何条款\n",
        first + "\n\n# 注释\n" + rest,
        text.replace("\n", "   \n", 5),
    ]


def _impact(client, text: str, schools: str | None = SCHOOLS, **extra):
    body = {"path": POLICY, "text": text, "applicants": APPLICANTS, **extra}
    if schools is not None:
        body["schools"] = schools
    return post(client, "/api/impact", body)


# ------------------------------------------------------------------ an edit that changes nothing


def test_an_edit_that_changes_nothing_shows_no_difference_at_all(client, repository):
    for text in _unchanged_edits(_saved(repository)):
        for schools in (SCHOOLS, None):
            response = _impact(client, text, schools)
            assert response.status_code == 200, response.text
            answer = response.json()
            assert answer["changes"] == [] and answer["applicants"] == [] and answer["seats"] == []
            assert answer["no_difference"] is True and answer["note"]
            assert answer["summary"]["affected"] == 0
            assert all(count == 0 for key, count in answer["summary"].items() if key != "applicants")
    # The page compares the file with itself: it says there is no difference.
    page = client.get(f"/compare?path={POLICY}&with={POLICY}&lang=zh")
    assert page.status_code == 200
    assert "没有差别" in page.text and 'class="change"' not in page.text
    page = client.get(f"/compare?path={POLICY}&with={POLICY}&lang=en")
    assert "No difference: no clause differs." in page.text


def test_the_functions_without_http(repository):
    root = os.path.realpath(repository)
    answer = compare.impact_of_edit(root, POLICY, _saved(repository) + "\n# 注释\n", APPLICANTS, SCHOOLS)
    assert answer["no_difference"] and not answer["applicants"]
    page = compare.compare_page(root, POLICY)
    assert page["base"] == "policies/haizhu/2020.jifen" and page["diff"]["changes"]
    assert all(c["title"] and c["change_word"] for c in page["diff"]["changes"])
    assert compare.compare_page(root, POLICY, POLICY)["diff"]["changes"] == []
    assert compare.compare_page(root, "policies/haizhu/2020.jifen")["note"]  # nothing earlier: said, not refused
    assert APPLICANTS in compare.data_files(root) and POLICY in compare.policy_paths(root)
    with pytest.raises(ApiError) as caught:
        compare.impact_of_edit(root, POLICY, "", "../outside.csv")
    assert caught.value.code == "path_outside"


# ------------------------------------------------------------------ a real edit, as jifen diff tells it


def test_a_moved_birth_date_window_affects_whom_jifen_diff_says(client, repository):
    saved = _saved(repository)
    assert saved.count(WINDOW) == 1
    edited = saved.replace(WINDOW, MOVED)
    response = _impact(client, edited)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert not answer["no_difference"]
    assert [c["id"] for c in answer["changes"]] == ["requirement:一年级出生日期"]
    change = answer["changes"][0]
    assert change["title"] == "要求 一年级出生日期 (G1)" and "2015年10月1日" in change["new"] and "2015年9月1日" in change["old"]
    # Every change of outcome is traced to the clause.
    assert all(x["causes"] == ["requirement:一年级出生日期"] for x in answer["applicants"])
    assert (repository / POLICY).read_text(encoding="utf-8") == saved  # nothing was written

    # jifen diff, run as a process on the same two files, names the same applicants with the same outcomes.
    copy = repository / "policies" / "haizhu" / "2022-edited.jifen"
    copy.write_text(edited, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "jifen_dsl", "diff", POLICY, "policies/haizhu/2022-edited.jifen",
         "--applicants", APPLICANTS, "--schools", SCHOOLS, "--format", "json"],
        cwd=repository, capture_output=True, text=True, check=True,
    )
    expected = json.loads(run.stdout)
    assert expected["applicants"], "the edit should affect someone"
    assert [x["id"] for x in answer["applicants"]] == [x["id"] for x in expected["applicants"]]
    for got, want in zip(answer["applicants"], expected["applicants"]):
        assert (got["old"], got["new"], got["changed"]) == (want["old"], want["new"], want["changed"])
    assert answer["summary"] == expected["summary"]

    # The seats that move: who gains and who loses one, school by school, as the affected show it.
    gained = sorted(i for s in answer["seats"] for i in s["gained"])
    lost = sorted(i for s in answer["seats"] for i in s["lost"])
    assert gained == sorted(x["id"] for x in expected["applicants"] if x["new"]["school"] and x["new"]["school"] != x["old"]["school"])
    assert lost == sorted(x["id"] for x in expected["applicants"] if x["old"]["school"] and x["new"]["school"] != x["old"]["school"])
    assert any(s["cutoff"]["old"] != s["cutoff"]["new"] for s in answer["seats"])
    for school in answer["seats"]:
        assert school["gained"] or school["lost"] or school["cutoff"]["old"] != school["cutoff"]["new"]


def test_without_schools_there_are_no_seats(client, repository):
    answer = _impact(client, _saved(repository).replace(WINDOW, MOVED), None).json()
    assert answer["applicants"] and answer["seats"] == [] and answer["schools"] is None
    assert all(x["old"]["status"] is None for x in answer["applicants"])


# ------------------------------------------------------------------ the page


def test_the_page(client, repository):
    page = client.get(f"/compare?path={POLICY}&lang=zh")
    assert page.status_code == 200
    assert 'id="edit-text"' in page.text and "/static/compare.js" in page.text and 'id="compare-words"' in page.text
    assert "policies/haizhu/2020.jifen" in page.text and 'class="change"' in page.text  # against the year before
    assert APPLICANTS in page.text  # offered as a cohort
    chooser = client.get("/compare")
    assert chooser.status_code == 200 and f"/compare?path={POLICY}" in chooser.text
    assert 'href="/compare"' in client.get("/").text  # in the navigation
    assert client.get("/static/compare.js").status_code == 200
    english = client.get(f"/compare?path={POLICY}&applicants={APPLICANTS}&lang=en")
    assert "The edit, before it is saved" in english.text and f'value="{APPLICANTS}"' in english.text


def test_the_page_refuses_bad_paths(client):
    assert client.get("/compare?path=../outside.jifen").status_code == 403
    assert client.get("/compare?path=/etc/passwd.jifen").status_code == 403
    assert client.get("/compare?path=policies/haizhu/1999.jifen").status_code == 404
    assert client.get("/compare?path=examples/haizhu-2022/applicants.csv").status_code == 400
    assert client.get(f"/compare?path={POLICY}&with=../../x.jifen").status_code == 403
    missing = client.get(f"/compare?path={POLICY}&with=policies/haizhu/1999.jifen&lang=en")
    assert missing.status_code == 200 and "no such file" in missing.text  # said on the page


# ------------------------------------------------------------------ refusals


def test_impact_refusals(client, repository):
    saved = _saved(repository)
    assert error_of(post(client, "/api/impact", {"path": POLICY, "text": saved}), 422)["code"] == "missing_field"
    assert error_of(post(client, "/api/impact", {"path": POLICY, "applicants": APPLICANTS}), 422)["code"] == "missing_field"
    assert error_of(post(client, "/api/impact", {"path": POLICY, "text": 3, "applicants": APPLICANTS}), 422)["code"] == "bad_field"
    assert error_of(post(client, "/api/impact", {"path": POLICY, "text": saved, "applicants": 3}), 422)["code"] == "bad_field"
    assert error_of(post(client, "/api/impact", [1]), 400)["code"] == "bad_json"
    assert error_of(client.post("/api/impact", content=b"{", headers={"X-CSRF-Token": "test-csrf-token", "Content-Type": "application/json"}), 400)["code"] == "bad_json"
    assert error_of(client.post("/api/impact", content=b"x", headers={"X-CSRF-Token": "test-csrf-token"}), 415)["code"] == "not_json"
    # Paths: out of the folder, absolute, through a link, missing.
    for bad, status, code in (
        ("../../etc/passwd", 403, "path_outside"), ("/etc/passwd", 403, "path_outside"),
        ("examples/nope.csv", 404, "not_found"), ("examples", 404, "not_found"),
    ):
        assert error_of(_impact(client, saved, None, applicants=bad), status)["code"] == code, bad
        assert error_of(_impact(client, saved, bad), status)["code"] == code, bad
    (repository / "link.csv").symlink_to("/etc/hostname")
    assert error_of(_impact(client, saved, None, applicants="link.csv"), 403)["code"] == "path_outside"
    assert error_of(post(client, "/api/impact", {"path": "../x.jifen", "text": saved, "applicants": APPLICANTS}), 403)["code"] == "path_outside"
    assert error_of(post(client, "/api/impact", {"path": "policies/haizhu/1999.jifen", "text": saved, "applicants": APPLICANTS}), 404)["code"] == "not_found"
    assert error_of(post(client, "/api/impact", {"path": APPLICANTS, "text": saved, "applicants": APPLICANTS}), 400)["code"] == "not_a_policy"
    # No CSRF token, a wrong one.
    body = {"path": POLICY, "text": saved, "applicants": APPLICANTS}
    assert error_of(client.post("/api/impact", json=body), 403)["code"] == "csrf_missing"
    assert error_of(client.post("/api/impact", json=body, headers={"X-CSRF-Token": "wrong"}), 403)["code"] == "csrf_invalid"
    assert error_of(client.get("/api/impact"), 405)["code"] == "method_not_allowed"


def test_a_bad_policy_text_gets_its_diagnostics(client, repository):
    error = error_of(_impact(client, _saved(repository).replace("「出生日期」 介于", "「出生日其」 介于")), 422)
    assert error["code"] == "invalid_policy"
    assert any(d["code"] == "C0201" and "出生日其" in d["message"] for d in error["diagnostics"])
    assert "Traceback" not in error["message"]


def test_a_bad_cohort_gets_the_cli_messages(client, repository):
    saved = _saved(repository)
    error = error_of(_impact(client, saved, None, applicants=SCHOOLS), 422)  # the schools file given as the cohort
    assert error["code"] == "data_error" and "D0413" in error["message"] and str(repository) not in error["message"]
    broken = repository / "examples" / "broken.csv"
    broken.write_bytes(b"\xff\xfe\x00garbage")
    assert error_of(_impact(client, saved, None, applicants="examples/broken.csv"), 422)["code"] == "data_error"
    (repository / "examples" / "empty.csv").write_text("", encoding="utf-8")
    assert error_of(_impact(client, saved, None, applicants="examples/empty.csv"), 422)["code"] == "data_error"
    error = error_of(_impact(client, saved, "examples/empty.csv"), 422)
    assert error["code"] == "data_error"
    english = error_of(post(client, "/api/impact?lang=en", {"path": POLICY, "text": saved, "applicants": SCHOOLS}), 422)
    assert "missing" in english["message"]
    assert error_of(post(client, "/api/impact?lang=fr", {"path": POLICY, "text": saved, "applicants": APPLICANTS}), 400)["code"] == "bad_lang"
