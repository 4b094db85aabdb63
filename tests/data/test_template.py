"""Templates: an empty applicant file for a policy, filled in and read back; XLSX output; the progress bar."""

from __future__ import annotations

import csv
import io
import sys

import pytest

from jifen_dsl.cli import run_commands as cli_module
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.progress import NO_PROGRESS, Progress
from jifen_dsl.data.readers import read_table

from ..conftest import BASE_APPLICANT, run_cli as run

HAIZHU = "policies/haizhu/2022.jifen"


pytestmark = pytest.mark.usefixtures("at_root")


def labels() -> list[str]:
    policy = load_policy(HAIZHU).policy
    return [policy.fields[i].label or policy.fields[i].name for i in policy.read_fields]


def test_xlsx_template_has_the_policy_columns_in_chinese_and_a_description_sheet(tmp_path):
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    path = tmp_path / "t.xlsx"
    result = run("template", HAIZHU, "-o", str(path))
    assert result.exit_code == 0, result.stderr
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["申请名单", "填写说明"]
    form, guide = workbook["申请名单"], workbook["填写说明"]
    header = [c.value for c in form[1]]
    assert header == labels()
    assert header[:2] == ["申请编号", "申请年级"] and header[-3:] == ["申请人姓名", "子女姓名", "身份证号"]
    described = [[c.value for c in row] for row in guide.iter_rows(min_row=2)]
    assert [row[0] for row in described] == header
    assert described[1][3] == "以下之一：G1（小学一年级）；G7（初中一年级）"
    column = {name: get_column_letter(i + 1) for i, name in enumerate(header)}
    assert form.column_dimensions[column["身份证号"]].number_format == "@"  # kept as text, never a rounded number
    assert form.column_dimensions[column["出生日期"]].number_format == "yyyy-mm-dd"
    offered = {str(v.sqref).split(":")[0]: v.formula1 for v in form.data_validations.dataValidation}
    assert offered["B2"] == '"小学一年级,初中一年级"'


def test_a_filled_in_xlsx_template_is_read_as_it_is(tmp_path):
    import datetime as dt

    from openpyxl import load_workbook

    path = tmp_path / "t.xlsx"
    run("template", HAIZHU, "-o", str(path))
    workbook = load_workbook(path)
    form = workbook["申请名单"]
    policy = load_policy(HAIZHU).policy
    names = [policy.fields[i].name for i in policy.read_fields]
    values = {**BASE_APPLICANT, "grade": "小学一年级", "child_birth_date": dt.date(2016, 3, 1), "insurance_active": "是", "points": 100,
              "applicant_name": "张伟明", "child_name": "张小红", "id_number": "440105201603010011"}
    for column, name in enumerate(names, start=1):
        form.cell(row=2, column=column, value=values.get(name) or None)
    workbook.save(path)
    result = run("evaluate", HAIZHU, str(path), "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == "A1,G1,true,,100,1,,张伟明,张小红,440105201603010011"


def test_an_empty_template_fits_the_policy_but_has_no_rows(tmp_path):
    path = tmp_path / "t.xlsx"
    run("template", HAIZHU, "-o", str(path))
    result = run("evaluate", HAIZHU, str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].endswith(f"{path}：文件只有表头，没有申请人记录")  # the policy's language
    english = run("--lang", "en", "evaluate", HAIZHU, str(path))
    assert english.stderr.startswith(f"error[D0423]: {path}: the file has a header but no applicant rows")


def test_csv_template_comes_with_a_column_description_file(tmp_path):
    path = tmp_path / "t.csv"
    result = run("template", HAIZHU, "--format", "csv", "-o", str(path))
    assert result.exit_code == 0
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode("utf-8"))  # so Excel shows the Chinese headers
    assert data.decode("utf-8-sig").splitlines() == [",".join(labels())]
    rows = list(csv.reader(io.StringIO((tmp_path / "t-columns.csv").read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["列名", "字段名", "是否必填", "填写格式", "默认值", "说明"]
    assert ["已入学", "child_enrolled", "选填", "是/否（也可填 true/false、1/0、√/×）", "否", ""] in rows
    assert run("template", HAIZHU, "--format", "csv", "--no-bom", "-o", str(tmp_path / "plain.csv")).exit_code == 0
    assert not (tmp_path / "plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_template_never_replaces_a_file_unless_forced(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"filled in by hand")
    result = run("--lang", "en", "template", HAIZHU, "-o", str(path))
    assert result.exit_code == 1 and "already exists" in result.stderr
    assert path.read_bytes() == b"filled in by hand"
    assert run("template", HAIZHU, "-o", str(path), "--force").exit_code == 0
    assert path.read_bytes().startswith(b"PK")


# ------------------------------------------------------------------ XLSX and CSV output


def test_xlsx_results_are_deterministic_and_read_back_as_the_csv(tmp_path):
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    for path in (first, second):
        result = run("allocate", HAIZHU, "examples/haizhu-2022/applicants.csv", "examples/haizhu-2022/schools.csv", "--format", "xlsx", "-o", str(path))
        assert result.exit_code == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    text = run("allocate", HAIZHU, "examples/haizhu-2022/applicants.csv", "examples/haizhu-2022/schools.csv", "--format", "csv").stdout
    rows = list(csv.reader(io.StringIO(text)))
    table = read_table(str(first))
    assert list(table.header) == rows[0]
    assert [cells for _, cells in table.rows] == rows[1:]


def test_bom_only_when_asked(tmp_path):
    plain = run("evaluate", HAIZHU, "tests/data/applicants/haizhu.csv", "--format", "csv").stdout
    path = tmp_path / "out.csv"
    assert run("evaluate", HAIZHU, "tests/data/applicants/haizhu.csv", "--format", "csv", "--bom", "-o", str(path)).exit_code == 0
    assert path.read_bytes() == ("\ufeff" + plain).encode("utf-8")
    assert not plain.startswith("\ufeff")


# ------------------------------------------------------------------ progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_redraws_in_place_and_clears_itself():
    stream = _Terminal()
    advance = Progress(stream, min_total=1).phase("reading", 4)
    for _ in range(4):
        advance(1)
    text = stream.getvalue()
    assert text.count("\r") == 5
    assert "reading    [" in text and " 100% 4/4" in text
    assert text.endswith("\r\x1b[K")
    assert Progress(stream, min_total=10).phase("reading", 4) is None
    assert NO_PROGRESS.phase("reading", 10**6) is None


def test_the_bar_is_drawn_only_on_a_terminal_and_not_with_quiet(monkeypatch):
    monkeypatch.setattr(sys, "stderr", _Terminal())
    assert cli_module._progress(False).stream is sys.stderr
    assert cli_module._progress(True) is NO_PROGRESS
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert cli_module._progress(False) is NO_PROGRESS


def test_progress_and_quiet_never_change_stdout(monkeypatch):
    args = ["allocate", HAIZHU, "examples/haizhu-2022/applicants.csv", "examples/haizhu-2022/schools.csv", "--format", "csv"]
    plain = run("--lang", "en", *args)
    quiet = run(*args, "--quiet")
    assert quiet.stdout == plain.stdout
    assert quiet.stderr == "" and plain.stderr.startswith("240 applicants:")
    assert "\r" not in plain.stderr  # not a terminal: no bar
    terminal = _Terminal()
    monkeypatch.setattr(cli_module, "_progress", lambda quiet: Progress(terminal, min_total=1))
    drawn = run("--lang", "en", *args)
    assert drawn.stdout == plain.stdout
    assert "reading" in terminal.getvalue() and "evaluating" in terminal.getvalue()
