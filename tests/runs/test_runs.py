"""Run directories: what --out writes, the manifest, byte-identical reruns, verify-run, and nothing half-written."""

from __future__ import annotations

import hashlib
import json
import os
import shutil

import pytest

from jifen_dsl import __version__
from jifen_dsl.errors import DataError
from jifen_dsl.data.output import write_directory_atomic

from ..conftest import ROOT, run_cli as run

HAIZHU = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"
SCHOOLS = "examples/haizhu-2022/schools.csv"


pytestmark = pytest.mark.usefixtures("at_root")


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def allocate_into(out, *extra: str, applicants: str = APPLICANTS):
    result = run("allocate", HAIZHU, applicants, SCHOOLS, "--out", str(out), *extra)
    assert result.exit_code == 0, result.stderr
    return result


def test_allocate_out_writes_results_summary_and_manifest(tmp_path):
    out = tmp_path / "run"
    result = allocate_into(out)
    assert result.stdout == ""
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "results.csv", "results.json", "summary.csv", "summary.json"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tool"] == {"name": "jifen_dsl", "version": __version__}
    assert manifest["arguments"]["command"] == "allocate" and manifest["arguments"]["policy"] == HAIZHU
    assert [f["path"] for f in manifest["policy"]["files"]] == [HAIZHU, "policies/guangzhou/fields.jifen"]
    for f in manifest["policy"]["files"]:
        assert f["sha256"] == sha((ROOT / f["path"]).read_text(encoding="utf-8").encode("utf-8"))
    resolved = sha(b"".join(bytes.fromhex(f["sha256"]) for f in manifest["policy"]["files"]))
    assert manifest["policy"]["resolved_sha256"] == resolved
    applicants = manifest["inputs"]["applicants"]
    assert applicants["sha256"] == sha((ROOT / APPLICANTS).read_bytes())
    assert (applicants["rows"], applicants["accepted"], applicants["rejected"]) == (240, 240, 0)
    assert manifest["inputs"]["schools"]["sha256"] == sha((ROOT / SCHOOLS).read_bytes())
    assert manifest["counts"] == {"applicants": 240, "admitted": 120, "unplaced": 2, "not_qualified": 48, "ineligible": 70, "rejected": 0}
    for output in manifest["outputs"]:
        data = (out / output["file"]).read_bytes()
        assert (output["sha256"], output["bytes"]) == (sha(data), len(data))
    # The run directory holds what -o would have written.
    assert (out / "results.csv").read_text(encoding="utf-8") == run("allocate", HAIZHU, APPLICANTS, SCHOOLS, "--format", "csv").stdout


def test_same_inputs_give_byte_identical_outputs_and_manifests_but_for_the_time(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    allocate_into(first, "--bom")
    allocate_into(second, "--bom")
    for path in first.iterdir():
        if path.name != "manifest.json":
            assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    one = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    two = json.loads((second / "manifest.json").read_text(encoding="utf-8"))
    assert one.pop("created") and two.pop("created")
    assert one == two
    assert (first / "results.csv").read_bytes().startswith("\ufeff".encode("utf-8"))


def test_verify_run_confirms_an_untouched_run(tmp_path):
    out = tmp_path / "run"
    allocate_into(out)
    result = run("verify-run", str(out))
    assert result.exit_code == 0, result.stderr
    # Said in the language of the run's policy (Chinese), or in the one asked for.
    assert result.stdout.startswith(f"{out}：核验通过，4 个输入文件未改变，4 个输出文件逐字节重现（results.csv、results.json、summary.csv、summary.json）")
    english = run("--lang", "en", "verify-run", str(out))
    assert english.stdout.startswith(f"{out}: verified - 4 input files unchanged, 4 outputs reproduced byte for byte")


def test_verify_run_catches_a_tampered_output(tmp_path):
    out = tmp_path / "run"
    allocate_into(out)
    text = (out / "results.csv").read_text(encoding="utf-8")
    (out / "results.csv").write_text(text.replace(",not_qualified,", ",admitted,", 1), encoding="utf-8")
    result = run("--lang", "en", "verify-run", str(out))
    assert result.exit_code == 1
    assert f"error: {out / 'results.csv'}: changed since the run" in result.stderr
    assert result.stderr.rstrip().endswith("1 difference found")


def test_verify_run_catches_an_output_tampered_together_with_its_manifest(tmp_path):
    out = tmp_path / "run"
    allocate_into(out)
    forged = (out / "results.json").read_bytes().replace(b'"status": "not_qualified"', b'"status": "admitted"', 1)
    (out / "results.json").write_bytes(forged)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for output in manifest["outputs"]:
        if output["file"] == "results.json":
            output["sha256"] = sha(forged)
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run("verify-run", str(out))
    assert result.exit_code == 1
    assert "错误: results.json：重新运行的输出不同" in result.stderr  # the policy is Chinese


def test_verify_run_checks_the_inputs_first(tmp_path):
    data = tmp_path / "applicants.csv"
    shutil.copy(ROOT / APPLICANTS, data)
    out = tmp_path / "run"
    allocate_into(out, applicants=str(data))
    data.write_text(data.read_text(encoding="utf-8").replace(",135,", ",136,", 1), encoding="utf-8")
    result = run("verify-run", str(out))
    assert result.exit_code == 1
    assert f"error: {data}: the applicants file changed since the run" in result.stderr
    assert "note: the inputs differ, so the run was not repeated" in result.stderr


def test_verify_run_notices_missing_and_extra_files(tmp_path):
    out = tmp_path / "run"
    allocate_into(out)
    (out / "summary.csv").unlink()
    (out / "notes.txt").write_text("x", encoding="utf-8")
    result = run("verify-run", str(out))
    assert result.exit_code == 1
    assert f"{out / 'summary.csv'}：文件缺失；原运行写出了该文件" in result.stderr
    assert f"{out / 'notes.txt'}：不是该次运行写出的" in result.stderr


def test_verify_run_of_a_directory_without_a_manifest(tmp_path):
    result = run("verify-run", str(tmp_path))
    assert result.exit_code == 1
    assert "holds no manifest.json" in result.stderr


def test_bad_input_leaves_no_run_directory(tmp_path):
    out = tmp_path / "run"
    result = run("evaluate", HAIZHU, "tests/data/bad/duplicate_ids.csv", "--out", str(out))
    assert result.exit_code == 1
    assert list(tmp_path.iterdir()) == []


def test_a_directory_holding_other_files_is_never_overwritten(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    result = run("evaluate", HAIZHU, APPLICANTS, "--out", str(out))
    assert result.exit_code == 1
    assert f"错误[R0152]: --out {out} 中有非 jifen 写出的内容：keep.txt；请选择一个新的或空的文件夹" in result.stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_an_earlier_run_is_replaced_whole(tmp_path):
    out = tmp_path / "run"
    allocate_into(out)
    result = run("evaluate", HAIZHU, APPLICANTS, "--out", str(out))
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == ["manifest.json", "results.csv", "results.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no staging directory left behind


def test_a_failure_while_writing_leaves_nothing(tmp_path, monkeypatch):
    target = tmp_path / "run"
    real_rename = os.rename

    def failing_rename(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(DataError, match="No space left on device"):
        write_directory_atomic(str(target), {"a.csv": b"1", "manifest.json": b"{}"})
    monkeypatch.setattr(os, "rename", real_rename)
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_replacing_leaves_the_earlier_run_as_it_was(tmp_path, monkeypatch):
    # Into an existing folder every file is written beside its name before any is renamed:
    # a failure while writing them leaves the earlier run, and no temporary file, behind.
    target = tmp_path / "run"
    write_directory_atomic(str(target), {"a.csv": b"old", "manifest.json": b"{}"})
    real_fsync = os.fsync
    calls = []

    def second_fsync_fails(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", second_fsync_fails)
    with pytest.raises(DataError, match="Input/output error"):
        write_directory_atomic(str(target), {"a.csv": b"new", "manifest.json": b"{}"})
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert (target / "a.csv").read_bytes() == b"old"
    assert sorted(p.name for p in target.iterdir()) == ["a.csv", "manifest.json"]
    assert [p.name for p in tmp_path.iterdir()] == ["run"]


def test_lenient_run_keeps_the_rows_set_aside_and_counts_them(tmp_path):
    out = tmp_path / "run"
    result = run("evaluate", HAIZHU, "tests/data/bad/mixed_dates.csv", "--lenient", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert "警告: 8 行中有 6 行被搁置（--lenient）" in result.stderr
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    applicants = manifest["inputs"]["applicants"]
    assert (applicants["rows"], applicants["accepted"], applicants["rejected"]) == (8, 2, 6)
    assert manifest["counts"]["rejected"] == 6
    assert [o["file"] for o in manifest["outputs"]] == ["results.csv", "results.json", "rejects.csv"]
    import csv

    with open(out / "rejects.csv", encoding="utf-8", newline="") as handle:
        rejects = list(csv.reader(handle))
    assert rejects[0][:4] == ["行号", "原因", "id", "grade"]
    # The reasons are in the policy's language, as the header (the words are the data readers'; here, what they name).
    assert rejects[1][0] == "4" and rejects[1][2] == "HZ-03"
    assert "child_birth_date" in rejects[1][1] and "'01/03/2016'" in rejects[1][1] and "2016年8月31日" in rejects[1][1]
    assert run("verify-run", str(out)).exit_code == 0


def test_a_run_verifies_whatever_language_the_messages_are_shown_in(tmp_path):
    # The run's files (the rejects' reasons among them) are in the policy's language; --lang changes only what is said.
    out = tmp_path / "run"
    assert run("evaluate", HAIZHU, "tests/data/bad/mixed_dates.csv", "--lenient", "--out", str(out), "-q").exit_code == 0
    english = run("--lang", "en", "verify-run", str(out))
    assert english.exit_code == 0, english.stderr
    assert english.stdout.startswith(f"{out}: verified - 3 input files unchanged, 3 outputs reproduced byte for byte")


def test_lenient_allocation_sets_aside_choices_of_unknown_schools(tmp_path):
    schools = tmp_path / "schools.csv"
    lines = (ROOT / SCHOOLS).read_text(encoding="utf-8").splitlines()
    schools.write_text("\n".join(line for line in lines if not line.startswith("HZ-P01,")) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    result = run("allocate", HAIZHU, APPLICANTS, str(schools), "--lenient", "--out", str(out))
    assert result.exit_code == 0, result.stderr
    rejects = (out / "rejects.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert rejects and all("'HZ-P01'" in line.split(",")[1] and "choices" in line.split(",")[1] for line in rejects)
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert len(results) + len(rejects) == 240


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x", "-o", "y.csv"], "give either --out DIR"),
        (["--rejects", "r.csv"], "--rejects only applies with --lenient"),
        (["--format", "xlsx"], "xlsx output is a file: give -o FILE"),
    ],
)
def test_option_conflicts_are_usage_errors(args, message):
    result = run("evaluate", HAIZHU, APPLICANTS, *args)
    assert result.exit_code == 2
    assert message in result.output


def test_verify_run_of_an_evaluation(tmp_path):
    out = tmp_path / "run"
    assert run("evaluate", HAIZHU, "tests/data/applicants/haizhu.csv", "--out", str(out), "--bom").exit_code == 0
    result = run("verify-run", str(out))
    assert result.exit_code == 0, result.stderr
    assert "2 个输出文件逐字节重现（results.csv、results.json）" in result.stdout


def test_a_damaged_manifest_is_a_clear_error(tmp_path):
    out = tmp_path / "run"
    allocate_into(out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    del manifest["arguments"]["schools"]
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = run("verify-run", str(out))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error[R0107]: {out / 'manifest.json'}: the manifest does not record a run")


def test_the_rejects_file_is_written_even_when_no_row_was_set_aside(tmp_path):
    rejects = tmp_path / "rejects.csv"
    rejects.write_text("stale,from,an earlier run\n", encoding="utf-8")
    result = run("evaluate", HAIZHU, "tests/data/applicants/haizhu.csv", "--lenient", "--rejects", str(rejects))
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert rejects.read_text(encoding="utf-8").splitlines() == ["行号,原因," + (ROOT / "tests/data/applicants/haizhu.csv").read_text(encoding="utf-8").splitlines()[0]]
