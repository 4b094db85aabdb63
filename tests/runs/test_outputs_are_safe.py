"""Outputs never destroy what they did not write: -o, --rejects and --out onto inputs, each other, other people's folders, pipes and full disks.

Every test works on copies in its own folder (the policies too), and compares the
folder's files, names and bytes, before and after: nothing may change but the
intended output.
"""

from __future__ import annotations

import errno
import io
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from jifen_dsl.cli.emit import emit
from jifen_dsl.data.output import WriteError

from ..conftest import ROOT, run_cli


def run(*args: str):
    """The command line, in English: the policies here are Chinese, and these tests read what the refusals say, not their language."""
    return run_cli("--lang", "en", *args)


P = "policies/haizhu/2022.jifen"
FIELDS = "policies/guangzhou/fields.jifen"
A = "applicants.csv"
S = "schools.csv"
MIXED = "mixed.csv"  # two good rows and six bad, for --lenient


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A folder holding copies of the haizhu policies (with the shared fields), its applicants and schools, and a file with bad rows; the current directory."""
    for district in ("haizhu", "guangzhou"):
        shutil.copytree(ROOT / "policies" / district, tmp_path / "policies" / district)
    shutil.copyfile(ROOT / "examples/haizhu-2022/applicants.csv", tmp_path / A)
    shutil.copyfile(ROOT / "examples/haizhu-2022/schools.csv", tmp_path / S)
    shutil.copyfile(ROOT / "tests/data/bad/mixed_dates.csv", tmp_path / MIXED)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def files(folder: Path) -> dict[str, object]:
    """Everything under ``folder``: each file's bytes, each link's target, each directory - to compare before and after."""
    found: dict[str, object] = {}
    for path in sorted(folder.rglob("*")):
        name = str(path.relative_to(folder))
        if path.is_symlink():
            found[name] = ("link", os.readlink(path))
        elif path.is_dir():
            found[name] = "dir"
        else:
            found[name] = path.read_bytes()
    return found


def refused(result, message: str) -> None:
    """The command stopped with exit 1 and this one error, and wrote nothing to stdout."""
    assert result.exit_code == 1, result.output
    # The refusal shows its code (docs/messages.md), then the message.
    assert re.fullmatch(rf"error\[[DRU][0-9]{{4}}\]: {re.escape(message)}\n1 problem found; nothing was written\n", result.stderr), result.stderr
    assert result.stdout == ""


# ------------------------------------------------------------------ --out DIR


def test_out_into_a_folder_with_a_foreign_manifest_deletes_nothing(work):
    (work / "proj" / "src").mkdir(parents=True)
    (work / "proj" / "manifest.json").write_text("{}\n", encoding="utf-8")
    (work / "proj" / "src" / "main.js").write_text("x\n", encoding="utf-8")
    before = files(work)
    result = run("allocate", P, A, S, "--out", "proj")
    refused(result, "--out proj holds what jifen did not write: manifest.json (not the manifest of a run jifen wrote), src/;"
                    " choose a new or empty folder, or move those out of it")
    assert files(work) == before


@pytest.mark.parametrize(
    "forged",
    [
        {"manifest_version": 1, "tool": {"name": "someone_else"}, "outputs": [{"file": "results.csv"}]},
        {"manifest_version": 2, "tool": {"name": "jifen_dsl"}, "outputs": [{"file": "results.csv"}]},
        {"manifest_version": True, "tool": {"name": "jifen_dsl"}, "outputs": [{"file": "results.csv"}]},
        {"manifest_version": 1, "tool": {"name": "jifen_dsl"}},
        {"manifest_version": 1, "tool": {"name": "jifen_dsl"}, "outputs": [{"file": "main.js"}]},
        {"manifest_version": 1, "tool": {"name": "jifen_dsl"}, "outputs": [{"file": "../applicants.csv"}]},
    ],
    ids=["other-tool", "other-version", "version-true", "no-outputs", "lists-a-stranger", "lists-outside"],
)
def test_a_manifest_jifen_did_not_write_is_no_earlier_run(work, forged):
    (work / "proj").mkdir()
    (work / "proj" / "manifest.json").write_text(json.dumps(forged), encoding="utf-8")
    (work / "proj" / "main.js").write_text("mine\n", encoding="utf-8")
    before = files(work)
    result = run("evaluate", P, A, "--out", "proj")
    refused(result, "--out proj holds what jifen did not write: manifest.json (not the manifest of a run jifen wrote), main.js;"
                    " choose a new or empty folder, or move those out of it")
    assert files(work) == before


def test_out_into_the_folder_holding_the_inputs_keeps_them(work):
    run_dir = work / "runs" / "x"
    run_dir.mkdir(parents=True)
    shutil.copyfile(work / A, run_dir / A)
    shutil.copyfile(work / S, run_dir / S)
    inputs = files(run_dir)
    for _ in range(2):  # into the folder holding only the inputs, then again over the run written there
        result = run("allocate", P, "runs/x/applicants.csv", "runs/x/schools.csv", "--out", "runs/x", "-q")
        assert result.exit_code == 0, result.stderr
        assert result.stderr == "wrote runs/x: results.csv, results.json, summary.csv, summary.json, manifest.json\n"
        now = files(run_dir)
        assert sorted(now) == ["applicants.csv", "manifest.json", "results.csv", "results.json", "schools.csv", "summary.csv", "summary.json"]
        assert {name: now[name] for name in inputs} == inputs
    assert (run_dir / "results.csv").read_bytes() == run("allocate", P, A, S, "--format", "csv", "-q").stdout_bytes
    # the inputs kept beside the run are its inputs, not files it failed to account for
    verified = run("verify-run", "runs/x", "-q")
    assert verified.exit_code == 0, verified.stdout + verified.stderr
    (run_dir / "notes.txt").write_text("mine\n", encoding="utf-8")
    stranger = run("verify-run", "runs/x", "-q")
    assert stranger.exit_code == 1 and "runs/x/notes.txt: not written by the run" in stranger.stdout + stranger.stderr


def test_out_refuses_to_write_over_an_input_of_the_same_name(work):
    (work / "runs" / "x").mkdir(parents=True)
    shutil.copyfile(work / A, work / "runs" / "x" / "results.csv")
    before = files(work)
    result = run("evaluate", P, "runs/x/results.csv", "--out", "runs/x")
    refused(result, "runs/x/results.csv (written by --out runs/x) is the applicant file runs/x/results.csv; choose another folder for --out")
    assert files(work) == before


def test_an_earlier_run_is_replaced_and_its_stale_outputs_removed(work):
    first = run("evaluate", P, MIXED, "--lenient", "--out", "run", "-q")
    assert first.exit_code == 0, first.stderr
    assert sorted(files(work / "run")) == ["manifest.json", "rejects.csv", "results.csv", "results.json"]
    shutil.copyfile(work / A, work / "run" / "cohort.csv")  # an input placed in the run folder
    result = run("evaluate", P, "run/cohort.csv", "--out", "run", "-q")
    assert result.exit_code == 0, result.stderr
    now = files(work / "run")
    assert sorted(now) == ["cohort.csv", "manifest.json", "results.csv", "results.json"]  # the old rejects.csv is gone
    assert now["cohort.csv"] == (work / A).read_bytes()
    manifest = json.loads(now["manifest.json"])
    assert [o["file"] for o in manifest["outputs"]] == ["results.csv", "results.json"]
    assert manifest["inputs"]["applicants"]["path"] == "run/cohort.csv"
    assert sorted(p.name for p in work.iterdir()) == sorted(["policies", A, S, MIXED, "run"])  # nothing left beside it


def test_an_unrelated_file_in_an_earlier_run_is_refused_before_any_data_is_read(work):
    assert run("evaluate", P, A, "--out", "run", "-q").exit_code == 0
    (work / "run" / "notes.txt").write_text("mine\n", encoding="utf-8")
    before = files(work)
    # The applicant file does not exist: the refusal comes first, so nothing was read.
    result = run("evaluate", P, "missing.csv", "--out", "run")
    refused(result, "--out run holds what jifen did not write: notes.txt; choose a new or empty folder, or move those out of it")
    assert files(work) == before


def test_out_onto_a_file_is_refused(work):
    before = files(work)
    result = run("evaluate", P, A, "--out", S)
    assert result.exit_code == 2 and f"Directory '{S}' is a file" in result.stderr  # click's own check of --out
    assert files(work) == before


def test_a_failure_while_writing_a_run_leaves_the_earlier_run(work, monkeypatch):
    assert run("evaluate", P, A, "--out", "run", "-q").exit_code == 0
    before = files(work)

    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", disk_full)
    result = run("evaluate", P, A, "--out", "run", "--bom", "-q")
    assert result.exit_code == 1
    assert result.stderr == "error: run: cannot write (No space left on device)\n"
    assert files(work) == before


def test_a_failed_commit_keeps_the_earlier_manifest(tmp_path, monkeypatch):
    # The manifest is renamed into place last: if that fails, the earlier manifest still stands, and no temporary file is left.
    from jifen_dsl.data.output import write_directory_atomic

    target = tmp_path / "run"
    write_directory_atomic(str(target), {"a.csv": b"old", "stale.csv": b"old", "manifest.json": b"old"})
    real_replace = os.replace

    def manifest_fails(src, dst):
        if str(dst).endswith("manifest.json"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", manifest_fails)
    with pytest.raises(WriteError, match="Input/output error"):
        write_directory_atomic(str(target), {"a.csv": b"new", "manifest.json": b"new"}, remove=["stale.csv"])
    assert files(target) == {"a.csv": b"new", "manifest.json": b"old"}


# ------------------------------------------------------------------ -o and --rejects onto inputs


@pytest.mark.parametrize(
    ("alias", "make", "message"),
    [
        ("a.csv", None, "-o a.csv is the applicant file applicants.csv"),
        ("./applicants.csv", None, "-o ./applicants.csv is the applicant file applicants.csv"),
        ("link.csv", "symlink", "-o link.csv is the applicant file applicants.csv"),
        ("hard.csv", "hardlink", "-o hard.csv is the applicant file applicants.csv"),
        ("sub/../applicants.csv", "subdir", "-o sub/../applicants.csv is the applicant file applicants.csv"),
    ],
    ids=["same-name", "dot-slash", "symlink", "hard-link", "dotdot"],
)
def test_o_onto_the_applicant_file_is_refused(work, alias, make, message):
    if alias == "a.csv":
        (work / A).rename(work / "a.csv")
        message = "-o a.csv is the applicant file a.csv"
    if make == "symlink":
        (work / alias).symlink_to(A)
    elif make == "hardlink":
        os.link(work / A, work / alias)
    elif make == "subdir":
        (work / "sub").mkdir()
    applicants = "a.csv" if alias == "a.csv" else A
    before = files(work)
    refused(run("evaluate", P, applicants, "--format", "csv", "-o", alias), f"{message}; choose another output file")
    assert files(work) == before


def test_o_by_absolute_path_onto_the_input_is_refused(work):
    before = files(work)
    target = str(work / A)
    refused(run("evaluate", P, A, "-o", target), f"-o {target} is the applicant file {A}; choose another output file")
    assert files(work) == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate", P, A, "-o", P], f"-o {P} is the policy {P}"),
        (["evaluate", P, A, "-o", FIELDS], f"-o {FIELDS} is the policy file {FIELDS} (read by {P})"),
        (["allocate", P, A, S, "-o", S], f"-o {S} is the schools file {S}"),
        (["evaluate", P, A, "--evidence", S, "-o", S], f"-o {S} is the evidence file {S}"),
        (["explain", P, A, "--id", "HZ2022-E01", "-o", A], f"-o {A} is the applicant file {A}"),
        (["explain", P, A, "--id", "HZ2022-E01", "--schools", S, "-o", S], f"-o {S} is the schools file {S}"),
        (["compile", P, "-o", P], f"-o {P} is the policy {P}"),
        (["schedule", P, "-o", FIELDS], f"-o {FIELDS} is the policy file {FIELDS} (read by {P})"),
        (["deadline", P, "--accepted", "2022-05-10", "-o", P], f"-o {P} is the policy {P}"),
        (["template", P, "--force", "-o", P], f"-o {P} is the policy {P}"),
        (["new-year", "policies/haizhu/2023.jifen", "--force", "-o", P], f"-o {P} is the policy file {P} (read by policies/haizhu/2023.jifen)"),
        (["diff", P, "policies/haizhu/2023.jifen", "-o", "policies/haizhu/2023.jifen"], "-o policies/haizhu/2023.jifen is the new policy policies/haizhu/2023.jifen"),
        (["diff", P, "policies/haizhu/2023.jifen", "-o", FIELDS], f"-o {FIELDS} is the policy file {FIELDS} (read by {P})"),
        (["diff", P, "policies/haizhu/2023.jifen", "--applicants", A, "-o", A], f"-o {A} is the applicant file {A}"),
    ],
    ids=lambda v: v if isinstance(v, str) else "-".join(a for a in v[:1]),
)
def test_o_onto_an_input_of_any_command_is_refused(work, args, message):
    before = files(work)
    refused(run(*args), f"{message}; choose another output file")
    assert files(work) == before


def test_publish_onto_its_results_is_refused(work):
    assert run("evaluate", P, A, "--out", "run", "-q").exit_code == 0
    shutil.copyfile(work / "run" / "results.json", work / "results.json")
    before = files(work)
    refused(run("publish", "results.json", "--kind", "points", "--policy", P, "-o", "results.json"),
            "-o results.json is the results file results.json; choose another output file")
    refused(run("publish", "run", "--kind", "points", "-o", "run/results.json"),
            "-o run/results.json is the run's results.json run/results.json; choose another output file")
    refused(run("publish", "results.json", "--kind", "points", "--policy", P, "-o", P), f"-o {P} is the policy {P}; choose another output file")
    assert files(work) == before


def test_rejects_onto_the_input_is_refused(work):
    before = files(work)
    refused(run("evaluate", P, MIXED, "--lenient", "--rejects", MIXED), f"--rejects {MIXED} is the applicant file {MIXED}; choose another output file")
    assert files(work) == before


def test_rejects_and_results_to_one_file_is_refused(work):
    before = files(work)
    refused(run("evaluate", P, MIXED, "--lenient", "--rejects", "r.csv", "-o", "r.csv"), "--rejects r.csv is also -o r.csv; give each output its own file")
    refused(run("evaluate", P, MIXED, "--lenient", "--rejects", "-"), "--rejects - is also the results on standard output; give each output its own file")
    assert files(work) == before


def test_rejects_to_standard_output_beside_results_in_a_file(work):
    result = run("evaluate", P, MIXED, "--lenient", "--rejects", "-", "-o", "out.csv", "--format", "csv", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("行号,原因,id,grade,")
    assert len(result.stdout.splitlines()) == 7
    assert "in standard output" in result.stderr
    assert (work / "out.csv").read_text(encoding="utf-8").startswith("id,grade,eligible,")


def test_the_template_descriptions_may_not_be_the_policy(work):
    # A CSV template writes NAME-columns.csv beside NAME.csv: here that is the policy itself.
    policy = "policies/haizhu/p-columns.csv"
    shutil.copyfile(work / P, work / policy)
    before = files(work)
    refused(run("template", policy, "--format", "csv", "--force", "-o", "policies/haizhu/p.csv"),
            f"the template file {policy} is the policy {policy}; choose another output file")
    assert files(work) == before


# ------------------------------------------------------------------ what is not a regular file


class _PipeReader:
    """Read a FIFO in a thread, each time the command opens it, until ``until`` has come; never let the command hang.

    A command that opens a FIFO for writing waits for a reader: should the test's reader
    stop early, a watchdog opens the FIFO without waiting, so the command fails instead.
    """

    def __init__(self, fifo: Path, until: bytes):
        self.fifo, self.until, self.received = fifo, until, bytearray()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.watchdog = threading.Timer(60, self._release)
        self.thread.start()
        self.watchdog.start()

    def _read(self) -> None:
        while self.until not in self.received:
            with open(self.fifo, "rb") as reader:
                self.received.extend(reader.read())

    def _release(self) -> None:
        for _ in range(100):
            os.close(os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK))

    def done(self) -> bytes:
        self.thread.join(timeout=60)
        self.watchdog.cancel()
        return bytes(self.received)


def test_o_onto_a_fifo_writes_into_it(work):
    fifo = work / "pipe"
    os.mkfifo(fifo)
    expected = run("evaluate", P, A, "--format", "csv", "-q").stdout_bytes
    reader = _PipeReader(fifo, until=expected[-20:])
    result = run("evaluate", P, A, "--format", "csv", "-o", "pipe", "-q")
    assert result.exit_code == 0, result.stderr
    assert reader.done() == expected
    assert fifo.is_fifo()  # still the pipe, not a file renamed over it
    assert sorted(p.name for p in work.iterdir()) == sorted(["policies", A, S, MIXED, "pipe"])


def test_a_fifo_may_be_named_twice(work):
    # Written in place, a pipe replaces nothing, so it is never refused as the same file.
    fifo = work / "pipe"
    os.mkfifo(fifo)
    reader = _PipeReader(fifo, until=b"id,grade,eligible")  # the results' header comes after the rejects
    result = run("evaluate", P, MIXED, "--lenient", "--rejects", "pipe", "-o", "pipe", "--format", "csv", "-q")
    received = reader.done()
    assert result.exit_code == 0, result.stderr
    assert received.startswith("行号,原因,id,grade,child_birth_date".encode("utf-8"))
    assert b"\nid,grade,eligible," in received
    assert fifo.is_fifo()


def test_o_through_a_symlink_keeps_the_link(work):
    (work / "real.csv").write_text("old\n", encoding="utf-8")
    (work / "link.csv").symlink_to("real.csv")
    result = run("evaluate", P, A, "--format", "csv", "-o", "link.csv", "-q")
    assert result.exit_code == 0, result.stderr
    assert (work / "link.csv").is_symlink()
    assert (work / "real.csv").read_bytes() == run("evaluate", P, A, "--format", "csv", "-q").stdout_bytes


# ------------------------------------------------------------------ -o -


@pytest.mark.parametrize(
    "args",
    [
        ["evaluate", P, A, "--format", "csv", "-q"],
        ["allocate", P, A, S, "--summary", "-q"],
        ["explain", P, A, "--id", "HZ2022-E01"],
        ["compile", P, "--show"],
        ["schedule", P],
        ["deadline", P, "--accepted", "2022-05-10"],
        ["diff", P, "policies/haizhu/2023.jifen"],
    ],
    ids=lambda v: v[0],
)
def test_dash_is_standard_output(work, args):
    before = files(work)
    plain = run(*args)
    dashed = run(*args, "-o", "-")
    assert plain.exit_code == dashed.exit_code == 0, dashed.stderr
    assert dashed.stdout_bytes == plain.stdout_bytes != b""
    assert files(work) == before  # no file named "-"


def test_dash_takes_a_workbook_to_standard_output(work):
    before = files(work)
    result = run("evaluate", P, A, "--format", "xlsx", "-o", "-", "-q")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes.startswith(b"PK\x03\x04")
    run("evaluate", P, A, "--format", "xlsx", "-o", "r.xlsx", "-q")
    assert (work / "r.xlsx").read_bytes() == result.stdout_bytes
    (work / "r.xlsx").unlink()
    template = run("template", P, "-o", "-")
    assert template.exit_code == 0 and template.stdout_bytes.startswith(b"PK\x03\x04")
    assert files(work) == before


def test_new_year_to_standard_output(work):
    before = files(work)
    result = run("new-year", P, "-o", "-")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# 2022年广州市海珠区") and "年度 2023" in result.stdout
    assert result.stderr.startswith(f"wrote standard output: 海珠区 2023, from {P}\n")
    assert files(work) == before


def test_a_csv_template_needs_a_file(work):
    result = run("template", P, "--format", "csv", "-o", "-")
    assert result.exit_code == 2
    assert "a CSV template is two files" in result.stderr


# ------------------------------------------------------------------ failed writes


def test_a_full_disk_leaves_no_partial_file(work, monkeypatch):
    def disk_full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    before = files(work)
    monkeypatch.setattr(os, "fsync", disk_full)
    result = run("evaluate", P, A, "--format", "csv", "-o", "out.csv", "-q")
    assert result.exit_code == 1
    assert result.stderr == "error: out.csv: cannot write (No space left on device)\n"
    assert files(work) == before


def _at_most(size: int):
    """For a child process: files it writes may grow to ``size`` bytes; past that a write fails (EFBIG) instead of killing it."""
    import resource
    import signal

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@pytest.mark.parametrize("command", [("evaluate", P, A), ("allocate", P, A, S)], ids=["evaluate", "allocate"])
def test_results_written_straight_from_the_columns_stop_whole_when_the_file_cannot_grow(work, command):
    # polars writes the CSV results into the output file itself: a write failing half-way
    # must leave no file behind, and say so in one line.
    before = files(work)
    result = subprocess.run(
        [sys.executable, "-m", "jifen_dsl", "--lang", "en", *command, "--format", "csv", "-o", "out.csv", "-q"],
        capture_output=True, text=True, preexec_fn=_at_most(4096), cwd=work,
    )
    assert result.returncode == 1, result.stderr
    assert result.stderr == "error: out.csv: cannot write (File too large)\n"
    assert files(work) == before


class _FullDisk(io.RawIOBase):
    """Unbuffered standard output on a disk with ``room`` bytes left: a short count, then ENOSPC."""

    def __init__(self, room: int):
        self.room = room
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.room == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        count = min(len(data), self.room)
        self.data += bytes(data[:count])
        self.room -= count
        return count


def test_standard_output_on_a_full_disk_is_an_error_not_a_short_result(monkeypatch):
    disk = _FullDisk(100)
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(disk, encoding="utf-8", write_through=True))
    with pytest.raises(WriteError) as caught:
        emit("x" * 1000, None)
    assert caught.value.render() == "error: cannot write to standard output (No space left on device)"
    assert len(disk.data) == 100


def _cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jifen_dsl", *args], stderr=subprocess.PIPE, timeout=120, **kwargs)


@pytest.mark.parametrize("unbuffered", ["1", ""], ids=["unbuffered", "buffered"])
@pytest.mark.parametrize("args", [["evaluate", P, A, "--format", "json", "-q"], ["check", P], ["compile", P, "--show"]], ids=lambda v: v[0])
def test_standard_output_closed_is_one_line_and_exit_1(work, args, unbuffered):
    reader, writer = os.pipe()
    os.close(reader)  # the reader went away before anything was written
    try:
        env = dict(os.environ, PYTHONUNBUFFERED=unbuffered, PYTHONPATH=str(ROOT))
        done = _cli(*args, stdout=writer, env=env)
    finally:
        os.close(writer)
    assert done.returncode == 1
    assert done.stderr.decode() == "错误: 无法写入标准输出（Broken pipe）\n"  # in the policy's language, Chinese


def test_standard_output_full_through_the_command_line(work):
    # The command line in a process whose standard output is a disk with 4 KB left.
    code = (
        "import io, sys, errno, os\n"
        "class Full(io.RawIOBase):\n"
        "    room = 4096\n"
        "    def writable(self): return True\n"
        "    def write(self, b):\n"
        "        if not self.room: raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
        "        n = min(len(b), self.room); self.room -= n; return n\n"
        "sys.stdout = io.TextIOWrapper(Full(), encoding='utf-8', write_through=True)\n"
        "from jifen_dsl.cli.app import main\n"
        f"main(['evaluate', {P!r}, {A!r}, '--format', 'json', '-q'])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], stderr=subprocess.PIPE, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 1
    assert done.stderr.decode() == "错误: 无法写入标准输出（No space left on device）\n"  # the policy is Chinese
    english = subprocess.run(
        [sys.executable, "-c", code.replace("main(['evaluate'", "main(['--lang', 'en', 'evaluate'")],
        stderr=subprocess.PIPE, timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert english.returncode == 1
    assert english.stderr.decode() == "error: cannot write to standard output (No space left on device)\n"


def test_publish_of_a_run_whose_results_are_a_pipe_is_refused_not_waited_for(work):
    assert run("evaluate", P, A, "--out", "run", "-q").exit_code == 0
    (work / "run" / "results.json").unlink()
    os.mkfifo(work / "run" / "results.json")
    result = run("publish", "run", "--kind", "points")
    assert result.exit_code == 1
    assert "run/results.json: not a regular file" in result.stderr


# ------------------------------------------------------------------ a broken allocation writes nothing


def _broken_allocation(monkeypatch):
    """Every admitted applicant put in the first school: a placement the verification must refuse."""
    import polars as pl

    from jifen_dsl.runs import engine

    real = engine.allocate_arrays

    def broken(policy, frame, offer):
        placed = real(policy, frame, offer)
        return placed.with_columns(school=pl.when(pl.col("status") == "admitted").then(pl.lit(0, dtype=pl.Int32)).otherwise(pl.col("school")))

    monkeypatch.setattr(engine, "allocate_arrays", broken)


@pytest.mark.parametrize("rejects", [(), ("--lenient", "--rejects", "rejected.csv")], ids=["results", "results-and-rejects"])
@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "table"])
def test_an_allocation_that_fails_its_verification_writes_no_file_of_any_format(work, monkeypatch, fmt, rejects):
    _broken_allocation(monkeypatch)
    before = files(work)
    result = run("allocate", P, A, S, "--format", fmt, "-o", "out", *rejects, "-q")
    assert result.exit_code == 1
    assert "has 1 seats but admitted" in result.stderr or "seats but admitted" in result.stderr, result.stderr
    assert result.stdout == ""
    assert files(work) == before  # neither the results nor the rejects file


def test_an_allocation_that_fails_its_verification_shows_nothing_on_standard_output(work, monkeypatch):
    _broken_allocation(monkeypatch)
    result = run("allocate", P, A, S, "--format", "csv")
    assert result.exit_code == 1
    assert "seats but admitted" in result.stderr
    assert result.stdout == ""
