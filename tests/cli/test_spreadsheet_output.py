"""Through the command line, in its own process: a name a spreadsheet would read as a formula is written as text in every CSV and XLSX output.

In CSV the cell has an apostrophe in front; in XLSX it is a string cell holding
the text exactly, and no cell of the sheet is a formula. Numbers stay numbers:
points and ranks unguarded in CSV, numeric cells in XLSX.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .. import cohort
from ..conftest import ROOT

HAIZHU = str(ROOT / "policies" / "haizhu" / "2022.jifen")
HOSTILE = ['=HYPERLINK("http://x","y")', "+SUM(1,2)", "-2+3", "@cmd"]
SCHOOL = "@宝岗小学"  # a school's name from the schools file, guarded as well


def jifen(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "jifen_dsl", *args], cwd=cwd, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    """The named Haizhu cohort with hostile names in its first rows, and the schools with one hostile school name."""
    folder = tmp_path_factory.mktemp("hostile")
    header, rows = cohort.named_rows()
    name = header.index("applicant_name")
    for row, text in zip(rows, HOSTILE):
        row[name] = text
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    (folder / "applicants.csv").write_text(buffer.getvalue(), encoding="utf-8")
    schools = cohort.SCHOOLS.read_text(encoding="utf-8")
    assert "海珠区宝岗小学" in schools
    (folder / "schools.csv").write_text(schools.replace("海珠区宝岗小学", SCHOOL), encoding="utf-8")
    return {"folder": folder, "applicants": folder / "applicants.csv", "schools": folder / "schools.csv", "ids": [r[0] for r in rows[: len(HOSTILE)]]}


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.startswith("xl/worksheets/"))


def _rows(path: Path) -> list[dict[str, object]]:
    """The first sheet's rows as dicts of cells (the cell objects, to see their type)."""
    ws = load_workbook(path).worksheets[0]
    lines = list(ws.iter_rows())
    header = [c.value for c in lines[0]]
    return [dict(zip(header, line)) for line in lines[1:]]


def _plain_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


def test_allocate_csv_guards_the_names_and_keeps_numbers(inputs):
    out = inputs["folder"] / "results.csv"
    jifen("allocate", HAIZHU, str(inputs["applicants"]), str(inputs["schools"]), "--format", "csv", "-o", str(out), "-q", cwd=inputs["folder"])
    rows = {r["id"]: r for r in _csv(out)}
    for identity, name in zip(inputs["ids"], HOSTILE):
        assert rows[identity]["applicant_name"] == "'" + name
    for row in rows.values():
        assert _plain_number(row["points"]) and (row["rank"] == "" or row["rank"].isdigit())
        assert not row["applicant_name"].startswith(("=", "+", "-", "@", "\t", "\r"))


def test_allocate_xlsx_writes_the_names_as_string_cells_never_formulas(inputs):
    out = inputs["folder"] / "results.xlsx"
    jifen("allocate", HAIZHU, str(inputs["applicants"]), str(inputs["schools"]), "--format", "xlsx", "-o", str(out), "-q", cwd=inputs["folder"])
    xml = _sheet_xml(out)
    assert "<f>" not in xml and "<f " not in xml
    rows = {r["id"].value: r for r in _rows(out)}
    for identity, name in zip(inputs["ids"], HOSTILE):
        cell = rows[identity]["applicant_name"]
        assert (cell.value, cell.data_type) == (name, "s")
    for row in rows.values():
        assert row["points"].data_type == "n" and isinstance(row["points"].value, (int, float))
        assert row["rank"].value is None or (row["rank"].data_type, type(row["rank"].value)) == ("n", int)


def test_the_summary_guards_a_school_name_in_csv_and_xlsx(inputs):
    folder = inputs["folder"]
    common = ("allocate", HAIZHU, str(inputs["applicants"]), str(inputs["schools"]), "--summary", "-q")
    jifen(*common, "--format", "csv", "-o", str(folder / "summary.csv"), cwd=folder)
    jifen(*common, "--format", "xlsx", "-o", str(folder / "summary.xlsx"), cwd=folder)
    names = [r["name"] for r in _csv(folder / "summary.csv")]
    assert "'" + SCHOOL in names and SCHOOL not in names
    assert "<f>" not in _sheet_xml(folder / "summary.xlsx")
    cells = [r["name"] for r in _rows(folder / "summary.xlsx")]
    assert [(c.value, c.data_type) for c in cells if c.value == SCHOOL] == [(SCHOOL, "s")]
    assert all(r["seats"].data_type == "n" for r in _rows(folder / "summary.xlsx"))


def test_a_run_folder_and_its_public_lists_guard_the_names(inputs):
    folder = inputs["folder"]
    run = folder / "run"
    jifen("allocate", HAIZHU, str(inputs["applicants"]), str(inputs["schools"]), "--out", str(run), "-q", cwd=folder)
    results = {r["id"]: r for r in _csv(run / "results.csv")}
    assert [results[i]["applicant_name"] for i in inputs["ids"]] == ["'" + n for n in HOSTILE]
    assert "'" + SCHOOL in [r["name"] for r in _csv(run / "summary.csv")]
    # publish: a masked name keeps its first character, so '=HYPERLINK(...)' is shown as '=***...*)'
    for kind in ("points", "admission"):
        for fmt in ("csv", "xlsx"):
            jifen("publish", str(run), "--kind", kind, "--format", fmt, "-o", str(folder / f"{kind}.{fmt}"), cwd=folder)
    names = [r["申请人姓名"] for r in _csv(folder / "points.csv")]
    assert "'=" + "*" * 24 + ")" in names and "'+*******)" in names and "'-**3" in names and "'@**d" in names
    assert all(not n.startswith(("=", "+", "-", "@")) for n in names)
    assert "'" + SCHOOL in [r["学校名称"] for r in _csv(folder / "admission.csv")]
    for kind in ("points", "admission"):
        assert "<f>" not in _sheet_xml(folder / f"{kind}.xlsx")
    cells = _rows(folder / "points.xlsx")
    formula_like = [r["申请人姓名"] for r in cells if str(r["申请人姓名"].value).startswith("=")]
    assert [(c.value, c.data_type) for c in formula_like] == [("=" + "*" * 24 + ")", "s")]
    assert all(r["积分"].data_type == "n" and r["排名"].value in (None, *range(1, 1000)) for r in cells)
    schools = [r["学校名称"] for r in _rows(folder / "admission.xlsx") if r["学校名称"].value == SCHOOL]
    assert schools and all(c.data_type == "s" for c in schools)


def test_rejects_guard_a_cell_starting_with_a_tab(inputs, tmp_path):
    header, rows = cohort.named_rows()
    rows = rows[:3]
    rows[1][header.index("points")] = "\t=SUM(A1)"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    (tmp_path / "applicants.csv").write_text(buffer.getvalue(), encoding="utf-8")
    jifen(
        "evaluate", HAIZHU, "applicants.csv", "--format", "csv", "-o", "results.csv", "--lenient", "--rejects", "rejects.csv", "-q",
        cwd=tmp_path,
    )
    (reject,) = _csv(tmp_path / "rejects.csv")
    assert reject["points"] == "'\t=SUM(A1)"


def test_publish_keeps_negative_points_numbers(tmp_path):
    records = [
        {"id": "N1", "grade": "G1", "eligible": True, "points": "-1.5", "rank": 2, "applicant_name": "@张三明"},
        {"id": "N2", "grade": "G1", "eligible": True, "points": "12", "rank": 1, "applicant_name": "-李四明"},
    ]
    (tmp_path / "results.json").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    common = ("publish", "results.json", "--kind", "points", "--policy", HAIZHU)
    jifen(*common, "--format", "csv", "-o", "points.csv", cwd=tmp_path)
    jifen(*common, "--format", "xlsx", "-o", "points.xlsx", cwd=tmp_path)
    listed = {r["申请编号"]: r for r in _csv(tmp_path / "points.csv")}
    assert (listed["N1"]["积分"], listed["N1"]["申请人姓名"]) == ("-1.5", "'@**明")
    assert (listed["N2"]["积分"], listed["N2"]["申请人姓名"]) == ("12", "'-**明")
    cells = {r["申请编号"].value: r for r in _rows(tmp_path / "points.xlsx")}
    assert (cells["N1"]["积分"].value, cells["N1"]["积分"].data_type) == (-1.5, "n")
    assert (cells["N1"]["申请人姓名"].value, cells["N1"]["申请人姓名"].data_type) == ("@**明", "s")
