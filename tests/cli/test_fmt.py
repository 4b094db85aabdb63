"""``jifen fmt`` through its process: in place, --check, --diff, --to, standard input, and files it must not touch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ..conftest import ROOT

UNFORMATTED = 'policy "p" district "d" year 2022 as_of 2022-08-31 source "s"\nimport "../guangzhou/fields.jifen"\n\n\n\nrequirement r "t":   permit_start + 1 year <= as_of\npoints { total = points }\ntiebreak { id ascending }\n'


def jifen(*args: str, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jifen_dsl", *args], input=stdin, capture_output=True, text=True, cwd=cwd, timeout=120)


def _library(tmp_path: Path) -> Path:
    (tmp_path / "guangzhou").mkdir()
    shutil.copy(ROOT / "policies" / "guangzhou" / "fields.jifen", tmp_path / "guangzhou" / "fields.jifen")
    (tmp_path / "d").mkdir()
    path = tmp_path / "d" / "p.jifen"
    path.write_text(UNFORMATTED, encoding="utf-8")
    return path


def test_fmt_rewrites_in_place_and_then_leaves_the_file_alone(tmp_path):
    path = _library(tmp_path)
    done = jifen("fmt", str(path))
    assert done.returncode == 0, done.stderr
    formatted = path.read_text(encoding="utf-8")
    assert formatted != UNFORMATTED and "\n\n\n" not in formatted
    assert "requirement r \"t\":\n    permit_start + 1 year <= as_of\n" in formatted
    assert f"reformatted {path}" in done.stderr and "1 file reformatted, 0 unchanged" in done.stderr
    again = jifen("fmt", str(path))
    assert again.returncode == 0 and path.read_text(encoding="utf-8") == formatted and "0 files reformatted, 1 unchanged" in again.stderr
    assert jifen("check", str(path)).returncode == 0


def test_check_exits_1_with_a_unified_diff_and_writes_nothing(tmp_path):
    path = _library(tmp_path)
    done = jifen("fmt", "--check", str(path))
    assert done.returncode == 1
    assert done.stdout.startswith(f"--- {path} (now)\n+++ {path} (formatted)\n@@ ")
    assert "-requirement r \"t\":   permit_start + 1 year <= as_of\n" in done.stdout
    assert path.read_text(encoding="utf-8") == UNFORMATTED
    shown = jifen("fmt", "--diff", str(path))
    assert shown.returncode == 0 and shown.stdout == done.stdout and path.read_text(encoding="utf-8") == UNFORMATTED


def test_the_bundled_policies_pass_the_check():
    done = jifen("fmt", "--check", "policies")
    assert done.returncode == 0, done.stdout
    assert "0 files would be reformatted, 9 unchanged" in done.stderr


def test_a_file_that_does_not_parse_is_reported_as_check_does_and_left_untouched(tmp_path):
    path = _library(tmp_path)
    broken = UNFORMATTED.replace("permit_start + 1 year <= as_of", "permit_start + <= as_of")
    path.write_text(broken, encoding="utf-8")
    done = jifen("fmt", str(path))
    assert done.returncode == 1
    assert f"{path}:6:" in done.stderr and "error[P0001]:" in done.stderr and "Traceback" not in done.stderr
    assert path.read_text(encoding="utf-8") == broken
    assert "0 files reformatted, 0 unchanged, 1 not formatted" in done.stderr


def test_standard_input_is_formatted_to_standard_output():
    done = jifen("fmt", "-", stdin=UNFORMATTED)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith('policy "p"\ndistrict "d"\n') and done.stderr == ""


def test_to_zh_and_back_to_en_gives_the_english_file_again(tmp_path):
    path = _library(tmp_path)
    assert jifen("fmt", str(path)).returncode == 0
    english = path.read_text(encoding="utf-8")
    assert jifen("fmt", "--to", "zh", str(path)).returncode == 0
    chinese = path.read_text(encoding="utf-8")
    assert chinese.startswith("政策 “p”\n区 “d”\n") and "要求 r “t”：" in chinese
    assert jifen("check", str(path)).returncode == 0
    assert jifen("fmt", "--to", "en", str(path)).returncode == 0
    assert path.read_text(encoding="utf-8") == english


def test_allocate_with_summary_says_its_count_once():
    done = jifen(
        "--lang", "en", "allocate", "policies/haizhu/2022.jifen", "examples/haizhu-2022/applicants.csv", "examples/haizhu-2022/schools.csv", "--summary",
    )
    assert done.returncode == 0, done.stderr
    said = [line for line in (done.stdout + done.stderr).splitlines() if line.startswith("240 applicants:")]
    assert said == ["240 applicants: 120 admitted, 2 unplaced, 48 not qualified, 70 ineligible"]
