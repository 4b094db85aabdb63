"""Input formats: the same cohort from CSV (UTF-8, BOM, GB18030), XLSX, JSON and JSON Lines gives the same results."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.cli import cli
from jifen_dsl.errors import DataError
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.readers import column_letter, format_of, read_table
from jifen_dsl.data.values import parser_for
from jifen_dsl.data.xlsxread import _excel_number
from jifen_dsl.lang.typesys import DATE
from jifen_dsl.messages import render

from .. import cohort
from ..conftest import ROOT

HAIZHU = str(ROOT / "policies" / "haizhu" / "2022.jifen")


@pytest.fixture(scope="module")
def policy():
    return load_policy(HAIZHU).policy


@pytest.fixture(scope="module")
def files(tmp_path_factory, policy):
    labels = {f.name: f.label for f in policy.fields if f.label}
    return cohort.write_all(tmp_path_factory.mktemp("cohort"), labels)


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_every_format_gives_the_same_records(files, policy):
    expected = [a.record for a in read_applicants(str(files["csv-utf8"]), policy)]
    assert len(expected) == 240
    for name, path in files.items():
        assert [a.record for a in read_applicants(str(path), policy)] == expected, name


@pytest.mark.parametrize("command", ["evaluate", "allocate"])
def test_every_format_gives_identical_results(files, command):
    schools = [str(cohort.SCHOOLS)] if command == "allocate" else []
    outputs = {name: run(command, HAIZHU, str(path), *schools, "--format", "json") for name, path in files.items()}
    reference = outputs["csv-utf8"]
    assert json.loads(reference)[0]["applicant_name"] == "张伟明"
    for name, text in outputs.items():
        assert text == reference, name


def test_the_encoding_is_detected_and_recorded(files):
    assert read_table(str(files["csv-utf8"])).encoding == "utf-8"
    assert read_table(str(files["csv-bom"])).encoding == "utf-8-sig"
    assert read_table(str(files["csv-gb18030"])).encoding == "gb18030"
    assert read_table(str(files["csv-gb18030"]), encoding="gbk").header[0] == "申请编号"


def test_rows_are_numbered_as_a_person_finds_them(files):
    assert read_table(str(files["csv-utf8"])).rows[0][0] == 2  # the line under the header
    assert read_table(str(files["xlsx"])).rows[0][0] == 2  # the spreadsheet row
    assert read_table(str(files["json"])).rows[0][0] == 1  # the first record
    assert read_table(str(files["jsonl"])).rows[0][0] == 1  # the first line


@pytest.mark.parametrize(
    ("value", "text"),
    [(85.5, "85.5"), (85.4 + 0.1, "85.5"), (0.1 + 0.2, "0.3"), (96.0, "96"), (-0.0, "0"), (1e-7, "0.0000001"), (123456789012345.0, "123456789012345")],
)
def test_excel_numbers_read_as_excel_shows_them(value, text):
    assert _excel_number(value) == text


def _workbook(tmp_path, rows, name="w.xlsx", number_formats=None, sheets=None):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "first"
    for row in rows:
        sheet.append(row)
    for cell, number_format in (number_formats or {}).items():
        sheet[cell].number_format = number_format
    for title, more in (sheets or {}).items():
        extra = workbook.create_sheet(title)
        for row in more:
            extra.append(row)
    path = tmp_path / name
    workbook.save(path)
    return str(path)


def test_excel_cells_become_canonical_text(tmp_path):
    path = _workbook(
        tmp_path,
        [
            ["date", "midnight", "time", "flag", "number", "text"],
            [dt.date(2016, 3, 1), dt.datetime(2016, 3, 1), dt.datetime(2022, 4, 26, 10, 30), True, 85.4 + 0.1, "湖南"],
        ],
        number_formats={"A2": "yyyy/m/d"},
    )
    table = read_table(path)
    assert table.rows == [(2, ["2016-03-01", "2016-03-01 00:00", "2022-04-26 10:30", "true", "85.5", "湖南"])]
    # A midnight time on a date, as spreadsheets write date columns, reads as the date.
    assert parser_for(DATE)("2016-03-01 00:00") == dt.date(2016, 3, 1)
    with pytest.raises(ValueError):
        parser_for(DATE)("2016-03-01 10:00")


def test_the_sheet_is_chosen_by_name_or_number_and_leading_blank_rows_are_skipped(tmp_path):
    path = _workbook(tmp_path, [["x"], [1]], sheets={"名单": [[], [], ["id", "grade"], ["A1", "G1"]]})
    assert read_table(path).header == ("x",)
    named = read_table(path, sheet="名单")
    assert (named.header, named.header_row, named.rows) == (("id", "grade"), 3, [(4, ["A1", "G1"])])
    assert read_table(path, sheet="2").header == ("id", "grade")
    assert render(named.at(4, 1), "en") == f"{path}, sheet 名单, B4"
    assert render(named.at(4, 1), "zh") == f"{path}，工作表 名单，单元格 B4"


def test_json_numbers_stay_exact_and_lists_become_choices(tmp_path, policy):
    from ..conftest import BASE_APPLICANT

    record = {**BASE_APPLICANT, "points": 85.50, "ind_permit": 1e1, "choices": ["S1", "S2"], "insurance_active": True}
    path = tmp_path / "a.json"
    path.write_text(json.dumps([record]).replace("85.5", "85.50"), encoding="utf-8")
    [applicant] = read_applicants(str(path), policy)
    position = {policy.fields[i].name: p for p, i in enumerate(policy.read_fields)}
    assert applicant.record[position["points"]] == Decimal("85.50")
    assert str(applicant.record[position["points"]]) == "85.50"
    assert applicant.record[position["ind_permit"]] == Decimal(10)
    assert applicant.record[position["choices"]] == ("S1", "S2")
    assert applicant.record[position["insurance_active"]] is True


def test_the_format_comes_from_the_extension_or_the_option():
    assert format_of("a.CSV") == "csv" and format_of("a.xlsx") == "xlsx" and format_of("a.ndjson") == "jsonl"
    assert format_of("a.dat", "json") == "json"
    with pytest.raises(DataError, match="cannot tell the format"):
        format_of("a.dat")
    with pytest.raises(DataError, match=r"\.xls\) cannot be read"):
        format_of("a.xls")


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == ["A", "Z", "AA", "AB", "ZZ", "AAA"]


def test_schools_accept_the_same_formats(tmp_path, policy):
    from jifen_dsl.data.schools import read_schools

    text = cohort.SCHOOLS.read_text(encoding="utf-8")
    expected = read_schools(str(cohort.SCHOOLS), policy)
    gb = tmp_path / "schools.csv"
    gb.write_bytes(text.replace("id,name,type,grade,seats,district", "学校代码,学校名称,类型,年级,学位数,所在区").encode("gb18030"))
    import csv

    rows = list(csv.reader(io.StringIO(text)))
    records = [dict(zip(rows[0], r)) | {"seats": int(r[4])} for r in rows[1:]]
    js = tmp_path / "schools.json"
    js.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    xl = _workbook(tmp_path, [rows[0]] + [r[:4] + [int(r[4]), r[5]] for r in rows[1:]], name="schools.xlsx")
    for path in (str(gb), str(js), xl):
        got = read_schools(path, policy)
        assert [(s.id, s.name, s.type, s.grade, s.seats) for s in got] == [(s.id, s.name, s.type, s.grade, s.seats) for s in expected], path


def test_a_json_key_given_twice_is_reported_not_overwritten(tmp_path, policy):
    from ..conftest import BASE_APPLICANT

    text = json.dumps([BASE_APPLICANT], ensure_ascii=False)
    path = tmp_path / "twice.json"
    path.write_text(text.replace('"points": "100"', '"points": "100", "points": "90"'), encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_applicants(str(path), policy)
    assert [render(p, "en") for p in info.value.problems] == [f"{path}, record 1: column 'points' (积分): the key 'points' appears twice in this object"]


def test_json_header_problems_name_the_file_not_a_record(tmp_path, policy):
    from ..conftest import BASE_APPLICANT

    record = {k: v for k, v in BASE_APPLICANT.items() if k != "points"}
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_applicants(str(path), policy)
    assert [render(p, "en") for p in info.value.problems] == [f"{path}: missing column 'points' (积分), which this policy reads"]
