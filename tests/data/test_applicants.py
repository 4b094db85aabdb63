"""Reading applicant files: typed cells, Chinese headers, and every bad row reported."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.errors import DataError
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.messages import render

from ..conftest import BASE_APPLICANT, POLICIES, rows_to_csv

HAIZHU = str(POLICIES / "haizhu" / "2022.jifen")


@pytest.fixture(scope="module")
def policy():
    return load_policy(HAIZHU).policy


def write(tmp_path, rows, name="applicants.csv", text=None):
    path = tmp_path / name
    path.write_text(text if text is not None else rows_to_csv([{**BASE_APPLICANT, **r} for r in rows]), encoding="utf-8")
    return str(path)


def value(policy, applicant, field):
    return applicant.record[policy.read_fields.index(policy.field(field).index)]


def test_cells_are_typed(tmp_path, policy):
    path = write(tmp_path, [{"points": "85.5", "child_enrolled": "否", "grade": "小学一年级", "points_status": "已核定", "choices": "S1; S2；S3"}])
    [a] = read_applicants(path, policy)
    assert a.grade == "G1"
    assert value(policy, a, "points") == Decimal("85.5")
    assert value(policy, a, "child_enrolled") is False
    assert value(policy, a, "points_status") == "verified"
    assert value(policy, a, "choices") == ("S1", "S2", "S3")
    assert value(policy, a, "applied_at") == dt.datetime(2022, 4, 26, 10, 0)
    assert value(policy, a, "primary_graduation_year") is None  # optional, empty
    assert value(policy, a, "ind_skills") == Decimal(0)


@pytest.mark.parametrize("spelling", ["true", "TRUE", "1", "yes", "是", "√"])
def test_boolean_spellings(tmp_path, policy, spelling):
    [a] = read_applicants(write(tmp_path, [{"insurance_active": spelling}]), policy)
    assert value(policy, a, "insurance_active") is True


@pytest.mark.parametrize("date", ["2016-03-01", "2016/3/1", "2016年3月1日"])
def test_date_spellings(tmp_path, policy, date):
    [a] = read_applicants(write(tmp_path, [{"child_birth_date": date}]), policy)
    assert value(policy, a, "child_birth_date") == dt.date(2016, 3, 1)


def test_chinese_headers_are_accepted(tmp_path, policy):
    text = rows_to_csv([BASE_APPLICANT])
    header, *rest = text.splitlines()
    labels = {f.name: f.label for f in policy.fields}
    zh_header = ",".join(labels.get(h, h) for h in header.split(","))
    [a] = read_applicants(write(tmp_path, [], text="\ufeff" + "\n".join([zh_header, *rest]) + "\n"), policy)
    assert a.id == "A1" and value(policy, a, "child_hukou") == "湖南"


def problems(path, policy) -> list[str]:
    """The problems of a file, in English (they are messages, put into words when shown)."""
    with pytest.raises(DataError) as info:
        read_applicants(path, policy)
    return [render(p, "en") for p in info.value.problems]


def test_every_bad_row_is_listed_with_row_and_column(tmp_path, policy):
    path = write(tmp_path, [
        {"id": "A1"},
        {"id": "A2", "child_birth_date": "2016-02-30"},
        {"id": "A3", "grade": "G9", "points": "lots"},
        {"id": "A1"},
        {"id": "A5", "permit_start": ""},
    ])
    found = problems(path, policy)
    name = path
    assert found == [
        f"{name}:3:3: column 'child_birth_date' (出生日期): '2016-02-30' is not a calendar date",
        f"{name}:4:2: column 'grade' (申请年级): 'G9' is not one of G1, G7, 小学一年级, 初中一年级",
        f"{name}:4:15: column 'points' (积分): 'lots' is not a number",
        f"{name}:5:1: duplicate id 'A1' (first on line 2)",
        f"{name}:6:8: column 'permit_start' (居住证起始日期): empty, but a value is required",
    ]


def test_missing_columns_are_named_with_their_labels(tmp_path, policy):
    text = rows_to_csv([BASE_APPLICANT])
    lines = text.splitlines()
    header = lines[0].split(",")
    keep = [i for i, h in enumerate(header) if h not in ("permit_start", "points")]
    cut = "\n".join(",".join(line.split(",")[i] for i in keep) for line in lines) + "\n"
    found = problems(write(tmp_path, [], text=cut), policy)
    assert any("missing column 'permit_start' (居住证起始日期)" in p for p in found)
    assert any("missing column 'points' (积分)" in p for p in found)


def test_a_grade_the_policy_has_no_rules_for(tmp_path):
    from ..conftest import EN_HEADER, FIELDS_IMPORT, policy_folder

    policy_path = policy_folder(tmp_path) / "g1only.jifen"
    policy_path.write_text(
        EN_HEADER + FIELDS_IMPORT +
        'for grade "G1" { requirement r "r": true }\npoints { total = points }\ntiebreak { id ascending }\n',
        encoding="utf-8",
    )
    policy = load_policy(str(policy_path)).policy
    found = problems(write(tmp_path, [{"id": "X", "grade": "G7"}]), policy)
    assert found == [f"{tmp_path / 'applicants.csv'}:2:2: this policy has no rules for grade 'G7' (it covers G1)"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("id,grade\nA,G1,extra\n", "missing column"),
    ],
)
def test_malformed_files(tmp_path, policy, text, message):
    assert any(message in p for p in problems(write(tmp_path, [], text=text), policy))


def test_blank_lines_are_not_applicants_and_short_rows_are_errors(tmp_path, policy):
    text = rows_to_csv([{**BASE_APPLICANT, "id": "A1"}, {**BASE_APPLICANT, "id": "A2"}])
    header, first, second = text.splitlines()
    assert [a.id for a in read_applicants(write(tmp_path, [], text="\n".join([header, first, "", "  ", second]) + "\n"), policy)] == ["A1", "A2"]
    found = problems(write(tmp_path, [], name="short.csv", text="\n".join([header, first, "A3,G1"]) + "\n"), policy)
    assert found == [f"{tmp_path / 'short.csv'}:3: the row has 2 cells but the header has {len(header.split(','))}"]


def test_gb18030_is_detected_and_read_like_utf8(tmp_path, policy):
    text = rows_to_csv([{**BASE_APPLICANT, "child_hukou": "湖南", "residence_district": "海珠区"}])
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gb18030"))
    utf8 = tmp_path / "utf8.csv"
    utf8.write_text(text, encoding="utf-8")
    assert read_applicants(str(gbk), policy) == read_applicants(str(utf8), policy)


def test_neither_utf8_nor_gb18030_names_the_byte(tmp_path, policy):
    path = tmp_path / "latin.csv"
    path.write_bytes(rows_to_csv([BASE_APPLICANT]).encode("utf-8") + b"A2,G1,\xff\xfe\xff\n")
    [message] = problems(str(path), policy)
    offset = len(rows_to_csv([BASE_APPLICANT]).encode("utf-8")) + len(b"A2,G1,")
    assert message.startswith(
        f"{path}:3: the file is neither UTF-8 nor GB18030 text: it reads as UTF-8 up to byte offset {offset} (0xff), which is not valid UTF-8"
    )


def test_a_forced_encoding_that_does_not_fit_is_an_error(tmp_path, policy):
    path = tmp_path / "gbk.csv"
    path.write_bytes(rows_to_csv([BASE_APPLICANT]).encode("gb18030"))
    with pytest.raises(DataError) as info:
        read_applicants(str(path), policy, encoding="utf-8")
    assert "the file is not utf-8 text: byte offset" in info.value.render()
