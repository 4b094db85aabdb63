"""Standard output that cannot be written - its reader gone, the disk full - ends a command with one line and status 1."""

from __future__ import annotations

import errno
import io
import os
import subprocess
import sys

import pytest

from jifen_dsl.cli import cli

from ..conftest import ROOT

HAIZHU = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"


@pytest.mark.parametrize(("args", "said"), [
    (("compile", "--show", HAIZHU), "错误: 无法写入标准输出（Broken pipe）\n"),  # one piece of text; the policy is Chinese
    (("--lang", "en", "evaluate", HAIZHU, APPLICANTS, "--format", "csv", "-q"), "error: cannot write to standard output (Broken pipe)\n"),  # in pieces
])
def test_a_reader_that_goes_away_is_one_line_and_status_1(args, said):
    process = subprocess.Popen([sys.executable, "-m", "jifen_dsl", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # before the command writes a byte
    error = process.stderr.read().decode("utf-8")
    process.stderr.close()
    assert (process.wait(timeout=120), error) == (1, said)


def test_a_command_started_with_standard_output_closed_says_so():
    # sys.stdout is None in such a process: neither the command nor the final flush may stumble on it
    closed = subprocess.run(
        [sys.executable, "-m", "jifen_dsl", "compile", "--show", HAIZHU],
        cwd=ROOT, stderr=subprocess.PIPE, text=True, timeout=120, preexec_fn=lambda: os.close(1),  # as a shell's >&- does
    )
    assert (closed.returncode, closed.stderr) == (1, "错误: 无法写入标准输出（已关闭）\n")  # the policy is Chinese


class _Full(io.RawIOBase):
    """A file on a full disk, until ``full`` is unset."""

    full = True

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        if self.full:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return len(data)


def test_a_full_disk_is_one_line_and_status_1(monkeypatch, capsys):
    disk = _Full()
    stdout = io.TextIOWrapper(io.BufferedWriter(disk), encoding="utf-8")
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as info:
        cli.main(["--lang", "en", "check", HAIZHU], prog_name="jifen")
    disk.full = False
    stdout.close()
    assert info.value.code == 1
    assert capsys.readouterr().err == f"error: cannot write to standard output ({os.strerror(errno.ENOSPC)})\n"


def test_any_other_os_error_is_still_a_bug(monkeypatch, capsys):
    def broken(path, text=None):
        raise OSError(errno.ENOSPC, "raised elsewhere")

    monkeypatch.setattr("jifen_dsl.compile.pipeline.check_file", broken)
    monkeypatch.chdir(ROOT)
    with pytest.raises(SystemExit) as info:
        cli.main(["check", HAIZHU], prog_name="jifen")
    assert info.value.code == 2
    assert capsys.readouterr().err.startswith("internal error: OSError: [Errno 28] raised elsewhere")
