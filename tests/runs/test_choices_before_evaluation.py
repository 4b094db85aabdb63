"""A choice refused is the one error shown, whatever the evaluation would have found."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

from ..conftest import ROOT

EXAMPLE = ROOT / "examples" / "haizhu-2022"
BROKEN = '''policy "broken"
district "海珠区"
year 2022
as_of 2022-08-31
source "tests"

extends "2022.jifen"

requirement share "share": points / ind_other > 1
'''


def _jifen(folder, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jifen_dsl", "--lang", "en", *args], capture_output=True, text=True, cwd=folder)


def test_a_refused_choice_comes_before_an_evaluation_that_fails(tmp_path):
    # Every applicant divides by a zero score, and the first chose a school that does not exist.
    for district in ("haizhu", "guangzhou"):
        shutil.copytree(ROOT / "policies" / district, tmp_path / "policies" / district)
    (tmp_path / "policies" / "haizhu" / "broken.jifen").write_text(BROKEN, encoding="utf-8")
    with open(EXAMPLE / "applicants.csv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    for row in rows[1:]:
        row[header.index("ind_other")] = "0"
    rows[1][header.index("choices")] = "NO-SUCH-SCHOOL"
    with open(tmp_path / "a.csv", "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    shutil.copyfile(EXAMPLE / "schools.csv", tmp_path / "s.csv")

    evaluated = _jifen(tmp_path, "evaluate", "policies/haizhu/broken.jifen", "a.csv", "--format", "csv", "-o", "out.csv")
    assert evaluated.returncode == 1
    assert "division by zero" in evaluated.stderr  # the evaluation fails on its own

    allocated = _jifen(tmp_path, "allocate", "policies/haizhu/broken.jifen", "a.csv", "s.csv", "--format", "csv", "-o", "out.csv")
    assert allocated.returncode == 1
    assert "chose unknown school 'NO-SUCH-SCHOOL' in choices" in allocated.stderr
    assert "division by zero" not in allocated.stderr
    assert not (tmp_path / "out.csv").exists()
