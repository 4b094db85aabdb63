"""The Try page's routes: evaluate, explain, uploads, the applicant files, and the sample families saved and checked again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jifen_dsl.workbench import trying

from .conftest import CSRF, client_for, error_of, post

POLICY = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"
SAMPLES = "policies/haizhu/2022.samples.csv"


@pytest.fixture
def client(served: Path):
    return client_for(served)


def jifen(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jifen_dsl", *arguments], cwd=cwd, capture_output=True, text=True, env={**os.environ, "LANG": "C.UTF-8"})


def test_the_page_lists_the_policy_and_the_applicant_files(client) -> None:
    page = client.get("/try", params={"path": POLICY})
    assert page.status_code == 200
    assert "try.js" in page.text and "haizhu/2022.jifen" in page.text
    assert client.get("/try").status_code == 200  # no policy chosen: the list to choose from
    files = client.get("/api/applicant-files", params={"path": POLICY}).json()["files"]
    assert files[0] == SAMPLES  # beside the policy first
    assert APPLICANTS in files and all(f.endswith((".csv", ".xlsx", ".json", ".jsonl")) for f in files)
    assert error_of(client.get("/api/applicant-files", params={"path": "../x.jifen"}), 403)["code"] == "path_outside"


def test_evaluate_matches_jifen_evaluate(client, served: Path) -> None:
    answer = post(client, "/api/evaluate", {"path": POLICY, "applicants": APPLICANTS})
    assert answer.status_code == 200, answer.text
    rows = answer.json()["rows"]
    process = jifen("evaluate", POLICY, APPLICANTS, "--format", "json", "--quiet", cwd=served)
    assert process.returncode == 0, process.stderr
    expected = json.loads(process.stdout)
    keys = ("id", "grade", "eligible", "failed", "batch", "points", "rank")
    assert [{k: r[k] for k in keys} for r in rows] == [{k: r[k] for k in keys} for r in expected]
    assert answer.json()["count"] == 240 and answer.json()["language"] == "zh"
    assert any(r["failed"] for r in rows) and any(r["rank"] for r in rows)


def test_explain_gives_jifen_explains_text(client, served: Path) -> None:
    answer = post(client, "/api/explain", {"path": POLICY, "applicants": APPLICANTS, "id": "HZ2022-E15"})
    assert answer.status_code == 200, answer.text
    process = jifen("explain", POLICY, APPLICANTS, "--id", "HZ2022-E15", cwd=served)
    assert process.returncode == 0, process.stderr
    assert answer.json()["text"].rstrip("\n") == process.stdout.rstrip("\n")
    assert "申请条件" in answer.json()["text"]  # the policy's language
    missing = error_of(post(client, "/api/explain", {"path": POLICY, "applicants": APPLICANTS, "id": "NOBODY"}), 404)
    assert missing["code"] == "no_applicant"


def test_unsaved_text_is_what_is_evaluated(client, served: Path) -> None:
    text = (served / POLICY).read_text(encoding="utf-8")
    before = post(client, "/api/evaluate", {"path": POLICY, "applicants": APPLICANTS}).json()
    edited = text.replace("介于 2015年9月1日", "介于 2015年8月1日")
    assert edited != text
    after = post(client, "/api/evaluate", {"path": POLICY, "text": edited, "applicants": APPLICANTS}).json()
    assert before["eligible"] != after["eligible"]
    assert (served / POLICY).read_text(encoding="utf-8") == text  # nothing saved
    broken = error_of(post(client, "/api/evaluate", {"path": POLICY, "text": text + "\nrequirement x:\n    未知名称\n", "applicants": APPLICANTS}), 422)
    assert broken["code"] == "invalid_policy" and broken["diagnostics"]


def _case_text(served: Path) -> tuple[str, str]:
    text = (served / POLICY).read_text(encoding="utf-8")
    edited = text.replace("介于 2015年9月1日", "介于 2015年8月1日")
    assert edited != text
    return text, edited


def test_a_saved_case_is_flagged_when_an_edit_changes_its_outcome(client, served: Path) -> None:
    samples = served / SAMPLES
    rows_before = samples.read_text(encoding="utf-8").splitlines()
    saved = post(client, "/api/cases/save", {"path": POLICY, "applicants": APPLICANTS, "id": "HZ2022-E01"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["samples"] == SAMPLES and saved.json()["expected"]["eligible"] is False
    lines = samples.read_text(encoding="utf-8").splitlines()
    assert lines[0].endswith(",expected_eligible,expected_points,expected_rank")
    assert len(lines) == len(rows_before)  # HZ2022-E01 was a sample already: its row replaced, none lost
    assert [line.split(",")[0] for line in lines] == [line.split(",")[0] for line in rows_before]
    e01 = next(line for line in lines if line.startswith("HZ2022-E01,"))
    assert e01.endswith(",false,135,")
    unchanged = post(client, "/api/cases/check", {"path": POLICY}).json()
    assert [(c["id"], c["changed"]) for c in unchanged["cases"]] == [("HZ2022-E01", False)]
    text, edited = _case_text(served)  # HZ2022-E01, born 2015-08-31, becomes old enough
    checked = post(client, "/api/cases/check", {"path": POLICY, "text": edited}).json()
    assert checked["changed"] == 1
    (case,) = checked["cases"]
    assert case["changed"] and case["expected"]["eligible"] is False and case["now"]["eligible"] is True and case["now"]["rank"]


def test_a_new_case_is_added_to_the_samples_with_every_row_kept(client, served: Path) -> None:
    samples = served / SAMPLES
    before = samples.read_text(encoding="utf-8").splitlines()
    saved = post(client, "/api/cases/save", {"path": POLICY, "applicants": APPLICANTS, "id": "HZ2022-000100"})
    assert saved.status_code == 200, saved.text
    assert not saved.json()["replaced"]
    after = samples.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before) + 1 and after[-1].startswith("HZ2022-000100,")
    assert all(a.startswith(b) for a, b in zip(after[1:-1], before[1:]))


def test_a_samples_file_with_expected_columns_is_read_by_the_lens_and_the_command_line(client, served: Path) -> None:
    from jifen_dsl.lsp.features import analyse
    from jifen_dsl.lsp.lens import SampleLenses

    assert post(client, "/api/cases/save", {"path": POLICY, "applicants": APPLICANTS, "id": "HZ2022-E01"}).status_code == 200
    process = jifen("evaluate", POLICY, SAMPLES, "--format", "json", "--quiet", cwd=served)
    assert process.returncode == 0, process.stderr
    assert len(json.loads(process.stdout)) == len((served / SAMPLES).read_text(encoding="utf-8").splitlines()) - 1
    where = str(served / POLICY)
    text = (served / POLICY).read_text(encoding="utf-8")
    analysis = analyse(where, text)
    lenses = SampleLenses().lenses(where, text, analysis.checked)
    count = len((served / SAMPLES).read_text(encoding="utf-8").splitlines()) - 1
    assert any(lens.title.startswith(f"样本（2022.samples.csv）：{count}名申请人，") for lens in lenses), [lens.title for lens in lenses]
    assert any("人符合" in lens.title for lens in lenses)  # the requirements' lenses, evaluated


def test_a_case_saved_for_a_policy_without_samples_makes_the_file_from_the_template(client, served: Path) -> None:
    policy = "policies/haizhu/2023.jifen"
    samples = served / "policies/haizhu/2023.samples.csv"
    assert not samples.exists()
    saved = post(client, "/api/cases/save", {"path": policy, "applicants": APPLICANTS, "id": "HZ2022-E02"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["created"]
    header, row = samples.read_text(encoding="utf-8-sig").splitlines()
    assert "申请编号" in header.split(",") and header.endswith("expected_eligible,expected_points,expected_rank")
    assert row.startswith("HZ2022-E02,")
    checked = post(client, "/api/cases/check", {"path": policy}).json()
    assert [(c["id"], c["changed"]) for c in checked["cases"]] == [("HZ2022-E02", False)]
    process = jifen("evaluate", policy, "policies/haizhu/2023.samples.csv", "--format", "json", "--quiet", cwd=served)
    assert process.returncode == 0, process.stderr


def test_no_cases_without_a_samples_file(client) -> None:
    answer = post(client, "/api/cases/check", {"path": "policies/baiyun/2022.jifen"}).json()
    assert answer == {"path": "policies/baiyun/2022.jifen", "samples": "policies/baiyun/2022.samples.csv", "exists": False, "cases": [], "changed": 0}


def test_an_upload_is_evaluated_and_kept_out_of_the_folder(client, served: Path) -> None:
    data = (served / APPLICANTS).read_bytes()
    before = sorted(p for p in served.rglob("*"))
    uploaded = client.post("/api/upload", files={"file": ("学生.csv", data, "text/csv")}, headers={"X-CSRF-Token": CSRF})
    assert uploaded.status_code == 200, uploaded.text
    reference = uploaded.json()["applicants"]
    assert reference.startswith("upload:") and uploaded.json()["name"] == "学生.csv"
    assert sorted(p for p in served.rglob("*")) == before
    chosen = post(client, "/api/evaluate", {"path": POLICY, "applicants": APPLICANTS}).json()["rows"]
    assert post(client, "/api/evaluate", {"path": POLICY, "applicants": reference}).json()["rows"] == chosen
    raw = client.post("/api/upload", content=data, headers={"X-CSRF-Token": CSRF, "Content-Type": "text/csv", "X-Filename": "raw%20file.csv"})
    assert raw.status_code == 200 and raw.json()["name"] == "raw file.csv"
    explained = post(client, "/api/explain", {"path": POLICY, "applicants": raw.json()["applicants"], "id": "HZ2022-E15"})
    assert explained.status_code == 200


def test_a_bad_upload_gets_the_command_lines_messages(client, served: Path) -> None:
    uploaded = client.post("/api/upload", files={"file": ("bad.csv", b"id,grade\nX1,G9\n", "text/csv")}, headers={"X-CSRF-Token": CSRF})
    reference = uploaded.json()["applicants"]
    error = error_of(post(client, "/api/evaluate", {"path": POLICY, "applicants": reference}), 422)
    assert error["code"] == "bad_applicants"
    assert "bad.csv:1" in error["message"] and "D0413" in error["message"]
    assert "jifen-uploads" not in error["message"] and str(served) not in error["message"]
    copy = served / "bad.csv"
    copy.write_bytes(b"id,grade\nX1,G9\n")
    process = jifen("evaluate", POLICY, "bad.csv", cwd=served)
    assert process.returncode == 1
    assert error["message"].strip() == process.stderr.strip()
    english = error_of(post(client, "/api/evaluate?lang=en", {"path": POLICY, "applicants": reference}), 422)
    assert "missing" in english["message"] or "column" in english["message"]
    for name, body in (("notes.txt", b"x"), ("empty.csv", b"")):
        refused = client.post("/api/upload", files={"file": (name, body, "text/plain")}, headers={"X-CSRF-Token": CSRF})
        assert refused.status_code in (400, 422) and "Traceback" not in refused.text
    garbled = client.post("/api/upload", files={"file": ("x.xlsx", b"not a workbook", "application/octet-stream")}, headers={"X-CSRF-Token": CSRF})
    error = error_of(post(client, "/api/evaluate", {"path": POLICY, "applicants": garbled.json()["applicants"]}), 422)
    assert error["code"] == "bad_applicants" and "x.xlsx" in error["message"]
    assert error_of(post(client, "/api/evaluate", {"path": POLICY, "applicants": "upload:" + "0" * 32}), 404)["code"] == "not_found"


def test_an_upload_over_the_limit_is_refused(served: Path) -> None:
    small = client_for(served, upload_limit=1024)
    refused = small.post("/api/upload", files={"file": ("big.csv", b"x" * 4096, "text/csv")}, headers={"X-CSRF-Token": CSRF})
    assert error_of(refused, 413)["code"] == "too_large"
    raw = small.post("/api/upload", content=b"x" * 4096, headers={"X-CSRF-Token": CSRF, "Content-Type": "text/csv", "X-Filename": "big.csv"})
    assert error_of(raw, 413)["code"] == "too_large"
    # Uploaded raw or as a form, a file may be as large as the upload limit, more than any other body.
    roomy = client_for(served, upload_limit=64 * 1024, json_limit=1024)
    data = (served / APPLICANTS).read_bytes()
    assert 1024 < len(data) < 64 * 1024
    kept = roomy.post("/api/upload", content=data, headers={"X-CSRF-Token": CSRF, "Content-Type": "text/csv", "X-Filename": "cohort.csv"})
    assert kept.status_code == 200, kept.text
    assert kept.json()["size"] == len(data)
    assert error_of(post(roomy, "/api/check", {"path": POLICY, "text": "x" * 2048}), 413)["code"] == "too_large"


@pytest.mark.parametrize("applicants, status", [
    ("../outside.csv", 403), ("/etc/passwd", 403), ("examples/../../x.csv", 403), ("policies/haizhu/2022.jifen", 400),
    ("nowhere.csv", 404), ("upload:../../etc", 403), (7, 422),
])
def test_applicants_outside_the_folder_are_refused(client, applicants, status) -> None:
    for route, extra in (("/api/evaluate", {}), ("/api/explain", {"id": "HZ2022-E01"}), ("/api/cases/save", {"id": "HZ2022-E01"})):
        error_of(post(client, route, {"path": POLICY, "applicants": applicants, **extra}), status)


def test_a_link_out_of_the_folder_is_refused(client, served: Path, tmp_path_factory) -> None:
    outside = tmp_path_factory.mktemp("outside") / "secret.csv"
    outside.write_text("id\n1\n", encoding="utf-8")
    (served / "link.csv").symlink_to(outside)
    assert error_of(post(client, "/api/evaluate", {"path": POLICY, "applicants": "link.csv"}), 403)["code"] == "path_outside"
    assert "link.csv" not in client.get("/api/applicant-files").json()["files"]


def test_refusals(client) -> None:
    for route in ("/api/evaluate", "/api/explain", "/api/cases/save", "/api/cases/check", "/api/upload"):
        assert error_of(client.post(route, json={"path": POLICY}), 403)["code"] == "csrf_missing"
    assert error_of(post(client, "/api/evaluate", {"path": POLICY}), 422)["code"] == "missing_field"
    assert error_of(post(client, "/api/explain", {"path": POLICY, "applicants": APPLICANTS}), 422)["code"] == "missing_field"
    assert error_of(post(client, "/api/cases/check", {"path": "../x.jifen"}), 403)["code"] == "path_outside"
    assert error_of(post(client, "/api/evaluate", {"path": "policies/guangzhou/fields.jifen", "applicants": APPLICANTS}), 400)["code"] == "not_a_policy"
    assert error_of(post(client, "/api/evaluate", {"path": POLICY, "text": 3, "applicants": APPLICANTS}), 422)["code"] == "bad_field"
    assert error_of(client.post("/api/evaluate", content=b"x", headers={"X-CSRF-Token": CSRF}), 415)["code"] == "not_json"
    assert error_of(client.get("/api/evaluate"), 405)["code"] == "method_not_allowed"
    assert error_of(client.post("/api/upload", content=b"x", headers={"X-CSRF-Token": CSRF, "Content-Type": "text/csv"}), 422)["code"] == "missing_field"
    page = client.get("/try", params={"path": "../x.jifen"})
    assert page.status_code == 403


def test_uploads_are_bounded_and_removed() -> None:
    uploads = trying.Uploads()
    first = uploads.store("a.csv", b"id\n1\n")["applicants"]
    for i in range(trying.MAX_UPLOADS):
        uploads.store(f"{i}.csv", b"id\n1\n")
    with pytest.raises(Exception) as refused:
        uploads.find(first)
    assert getattr(refused.value, "status", None) == 404
    kept = uploads.find(uploads.store("../../evil.csv", b"id\n1\n")["applicants"])
    assert kept is not None and os.path.basename(kept[0]) == "evil.csv" and os.path.dirname(os.path.dirname(kept[0])) == uploads._base()
    base = uploads._base()
    uploads.close()
    assert not os.path.exists(base)


def test_json_files_that_cannot_hold_rows_are_not_offered(client, served: Path) -> None:
    """A folder served whole holds other JSON (a package.json): only a list, or JSON Lines of objects, is offered."""
    (served / "tools").mkdir()
    (served / "tools" / "package.json").write_text('{"name": "x", "version": "1.0.0"}', encoding="utf-8")
    (served / "tools" / "numbers.jsonl").write_text("1\n2\n", encoding="utf-8")
    (served / "data").mkdir()
    (served / "data" / "cohort.json").write_text('\ufeff  [{"id": "A1"}]', encoding="utf-8")
    (served / "data" / "cohort.jsonl").write_text('{"id": "A1"}\n', encoding="utf-8")
    (served / "data" / "empty.json").write_text("", encoding="utf-8")  # offered: choosing it says what is wrong
    files = client.get("/api/applicant-files").json()["files"]
    assert "tools/package.json" not in files and "tools/numbers.jsonl" not in files
    assert {"data/cohort.json", "data/cohort.jsonl", "data/empty.json", APPLICANTS} <= set(files)
    compare_files = client.get("/compare", params={"path": POLICY}).text
    assert "data/cohort.json" in compare_files and "tools/package.json" not in compare_files
