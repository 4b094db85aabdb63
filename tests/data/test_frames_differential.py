"""The applicant reader agrees with a careful reference reader: the same applicants, the same rows set aside, the same messages.

``load_applicants`` reads a file as columns (:mod:`jifen_dsl.data.frames`,
polars reading a plain CSV file itself) and makes the applicants from them;
the reference (:mod:`tests.data.reference`) reads it with ``read_table`` and
types it row by row and cell by cell with ``values.parser_for``. Every file is
read both ways, strictly and with --lenient, and the two outcomes compared
whole: each applicant's row, id, grade and record, the rows set aside with
their cells and reasons, the row count, the table's digest, encoding, header,
format and sheet - or the DataError's problems, groups and title. The same
table read by ``read_table`` is also typed by ``records_from_table`` (the
columns made from a table's rows). The files: the bundled examples, generated
cohorts in every format, the malformed-data corpus, the hostile corpus's
applicant files, CSV files made to find where polars and the csv module could
part, and random CSV text.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_dsl.api import load_policy
from jifen_dsl.data.applicants import load_applicants, records_from_table
from jifen_dsl.data.frames import read_cohort_frame
from jifen_dsl.data.readers import read_table
from jifen_dsl.errors import DataError, PolicyError
from jifen_dsl.data.tables import csv_line
from jifen_dsl.messages import render
from jifen_dsl.synth import FIELDS, generate_applicants

from ..conftest import BASE_APPLICANT, ROOT
from .reference import read_applicants_reference, records_reference

BAD = ROOT / "tests" / "data" / "bad"
HAIZHU = ROOT / "policies" / "haizhu" / "2022.jifen"
ARGUMENTS = {"gb18030_read_as_utf8.csv": {"encoding": "utf-8"}, "missing_sheet.xlsx": {"sheet": "名单"}}
CORPUS = sorted(p.name for p in BAD.iterdir() if p.suffix != ".py" and p.name != "bad_schools.csv")
EXAMPLES = {"haizhu-2022": "haizhu/2022", "baiyun-2022": "baiyun/2022", "conghua-2020": "conghua/2020"}

# A policy reading a field of every type, a unique field besides the id, and a name (whose text is checked).
POLICY = '''policy "Frames"
district "海珠区"
year 2022
as_of 2022-08-31
source "tests"
field id "申请编号": text unique
field grade "申请年级": enum("G1" "小学一年级", "G7" "初中一年级")
field points "积分": decimal
field born "出生日期": date
field enrolled "已入学": bool default false
field year_done "毕业年份": integer optional
field choices "志愿": school_list
field tags "标签": text_list optional
field applied "申请时间": datetime optional
field applicant_name "申请人姓名": text optional
field ticket "票号": decimal unique
field bonus "加分": decimal default 0
field note "备注": text optional
requirement enough "Enough points": points + bonus >= 10
requirement born_ok "Born": born <= 2016-08-31
requirement fresh "Fresh": not enrolled
requirement done "Done": not present(year_done) or year_done >= 2000
requirement chose "Chose": count(choices) >= 0 and count(tags) >= 0
requirement on_time "On time": if present(applied) then applied < 2022-05-01 00:00 else true
requirement tick "Ticket": ticket >= 0
requirement noted "Noted": note = "x" or true
points { total = points }
tiebreak { id ascending }
'''
HEADER = ["id", "grade", "points", "born", "enrolled", "year_done", "choices", "tags", "applied", "applicant_name", "ticket", "bonus", "note"]
GOOD = ["A1", "G1", "85.5", "2016-03-01", "false", "", "S1;S2", "", "2022-04-26 10:00", "张三", "1", "", ""]


def _canonical(value):
    """A value as compared: its type with it, a Decimal as its sign, digits and exponent (85.5 is not 85.50, -0 is not 0)."""
    if isinstance(value, Decimal):
        return ("decimal", value.as_tuple())
    if isinstance(value, tuple):
        return tuple(_canonical(v) for v in value)
    return (type(value).__name__, value)


def _table(table) -> tuple:
    return (table.path, table.format, tuple(table.header), table.digest, table.encoding, table.sheet, table.header_row, table.broken, table.hidden)


def _outcome(read) -> tuple:
    applicants = [(a.row, a.id, a.grade, _canonical(a.record)) for a in read.applicants]
    return ("ok", applicants, [(r.row, r.cells, r.reasons) for r in read.rejects], read.rows, _table(read.table))


def _error(exc: DataError) -> tuple:
    """A refusal as compared: its problems, groups and title in English (they are messages, put into words when shown)."""
    groups = None if exc.groups is None else tuple(render(g, "en") for g in exc.groups)
    return ("error", tuple(render(p, "en") for p in exc.problems), groups, None if exc.title is None else render(exc.title, "en"))


def old_outcome(path: str, policy, lenient: bool, **options):
    """What the reference reader gives."""
    try:
        return _outcome(read_applicants_reference(path, policy, lenient=lenient, **options))
    except DataError as exc:
        return _error(exc)


def new_outcome(path: str, policy, lenient: bool, **options):
    """What load_applicants gives."""
    try:
        return _outcome(load_applicants(path, policy, lenient=lenient, **options))
    except DataError as exc:
        return _error(exc)


def _from_table(table, policy, lenient: bool, records):
    try:
        applicants, rejects = records(table, policy, lenient=lenient)
    except DataError as exc:
        return _error(exc)
    return ("ok", [(a.row, a.id, a.grade, _canonical(a.record)) for a in applicants], [(r.row, r.cells, r.reasons) for r in rejects])


def _reference_records(table, policy, lenient: bool):
    read = records_reference(table, policy, lenient=lenient)
    return read.applicants, read.rejects


def assert_same(path, policy, *, strict_only: bool = False, from_table: bool = True, **options) -> None:
    """Both readers give the same outcome for the file, strictly and (unless ``strict_only``) with --lenient.

    With ``from_table``, the table ``read_table`` reads is typed both ways too.
    """
    path = str(path)
    table = None
    if from_table:
        try:
            table = read_table(path, what="applicant", **{"fmt" if k == "input_format" else k: v for k, v in options.items()})
        except DataError:
            pass
    strict = None
    for lenient in (False,) if strict_only else (False, True):
        # A file read strictly without a problem reads the same with --lenient: the reference need not read it again.
        expected = strict if lenient and strict[0] == "ok" else old_outcome(path, policy, lenient, **options)
        strict = strict or expected
        assert new_outcome(path, policy, lenient, **options) == expected, (path, lenient)
        if table is not None:  # the same rows typed from the table
            assert _from_table(table, policy, lenient, records_from_table) == _from_table(table, policy, lenient, _reference_records), (path, lenient)


@pytest.fixture(scope="module")
def haizhu():
    return load_policy(HAIZHU).policy


@pytest.fixture(scope="module")
def policy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("library") / "frames"
    folder.mkdir()
    (folder / "p.jifen").write_text(POLICY, encoding="utf-8")
    return load_policy(folder / "p.jifen").policy


# ------------------------------------------------------------------ the bundled files


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_the_examples(example):
    policy = load_policy(ROOT / "policies" / f"{EXAMPLES[example]}.jifen").policy
    assert_same(ROOT / "examples" / example / "applicants.csv", policy)


@pytest.mark.parametrize("name", ["haizhu", "baiyun"])
def test_the_test_applicants(name):
    policy = load_policy(ROOT / "policies" / name / "2022.jifen").policy
    assert_same(ROOT / "tests" / "data" / "applicants" / f"{name}.csv", policy)


@pytest.mark.parametrize("name", CORPUS)
def test_each_file_of_the_malformed_corpus(name, haizhu, monkeypatch):
    monkeypatch.chdir(ROOT)  # messages name the file as the command line is given it
    assert_same(f"tests/data/bad/{name}", haizhu, **ARGUMENTS.get(name, {}))


def _hostile_cases():
    from ..test_hostile import CASES

    return [case for case in CASES if case.argv[0] == "evaluate" and case.argv[1] == "p.jifen"]


@pytest.mark.parametrize("case", _hostile_cases(), ids=lambda case: case.name)
def test_each_applicant_file_of_the_hostile_corpus(case, tmp_path, monkeypatch):
    case.build(tmp_path)
    monkeypatch.chdir(tmp_path)
    try:
        policy = load_policy(tmp_path / "p.jifen").policy
    except PolicyError:
        pytest.skip("the case's policy is refused before any file is read")
    options, rest = {}, case.argv[3:]
    for flag, key in (("--sheet", "sheet"), ("--encoding", "encoding"), ("--formulas", "formulas"), ("--input-format", "input_format")):
        if flag in rest:
            options[key] = rest[rest.index(flag) + 1]
    assert_same(case.argv[2], policy, **options)


# ------------------------------------------------------------------ generated cohorts, in every format


def _typed_cell(name: str, text: str):
    """A generated cell as a workbook or JSON holds it: dates, numbers and yes/no as such (a spoilt one as text)."""
    if text == "":
        return None
    try:
        if name == "applied_at":
            return dt.datetime.fromisoformat(text)
        if name.endswith(("_date", "_start")):
            return dt.date.fromisoformat(text)
        if name in ("points", "primary_graduation_year") or name.startswith("ind_"):
            return int(text) if text.lstrip("-").isdigit() else float(text)
    except ValueError:
        return text
    if text in ("true", "false"):
        return text == "true"
    return text


def _write(folder: Path, kind: str, header: list[str], rows: list[list[str]], labels: dict[str, str]) -> Path:
    chinese = [labels.get(h, h) for h in header]
    if kind in ("csv", "csv-crlf", "csv-quoted", "csv-bom", "csv-gb18030"):
        text = io.StringIO()
        quoting = csv.QUOTE_ALL if kind == "csv-quoted" else csv.QUOTE_MINIMAL
        csv.writer(text, lineterminator="\r\n" if kind == "csv-crlf" else "\n", quoting=quoting).writerows(
            [chinese if kind in ("csv-bom", "csv-gb18030") else header, *rows]
        )
        encoding = {"csv-bom": "utf-8-sig", "csv-gb18030": "gb18030"}.get(kind, "utf-8")
        path = folder / f"{kind}.csv"
        path.write_bytes(text.getvalue().encode(encoding))
        return path
    if kind == "xlsx":
        from openpyxl import Workbook

        book = Workbook()
        sheet = book.active
        sheet.append(chinese)
        for row in rows:
            sheet.append([_typed_cell(h, c) for h, c in zip(header, row)])
        path = folder / "cohort.xlsx"
        book.save(path)
        return path
    records = []
    for row in rows:
        record = {}
        for h, c in zip(header, row):
            value = _typed_cell(h, c)
            if isinstance(value, (dt.date, dt.datetime)):
                value = c
            elif h in ("choices", "clearing_choices"):
                value = [s for s in c.split(";") if s]
            record[h] = value
        records.append(record)
    if kind == "json":
        path = folder / "cohort.json"
        path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    else:
        path = folder / "cohort.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


KINDS = ["csv", "csv-crlf", "csv-quoted", "csv-bom", "csv-gb18030", "xlsx", "json", "jsonl"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("district, year", [("haizhu", 2022), ("baiyun", 2022), ("conghua", 2020)])
def test_generated_cohorts_with_their_edge_rows(district, year, kind, tmp_path):
    compiled = load_policy(ROOT / "policies" / district / f"{year}.jifen")
    policy = compiled.policy
    labels = {f.name: f.label for f in policy.fields if f.label}
    rows = [[row[name] for name in FIELDS] for row in generate_applicants(district, year, 200, seed=7)]
    path = _write(tmp_path, kind, list(FIELDS), rows, labels)
    assert old_outcome(str(path), policy, False)[0] == "ok"  # a clean file: --lenient reads it the same
    assert_same(path, policy, strict_only=True)


def test_a_generated_cohort_with_bad_rows_in_every_format(tmp_path, haizhu):
    rows = [[row[name] for name in FIELDS] for row in generate_applicants("haizhu", 2022, 120, seed=3)]
    spoil = {
        5: ("child_birth_date", "2016-02-30"), 9: ("points", "八十"), 14: ("grade", "G3"), 20: ("id", rows[3][0]),
        27: ("choices", ""), 33: ("child_enrolled", "maybe"), 41: ("applied_at", "2022-04-26 25:00"), 50: ("points", " 90.50 "),
    }
    for at, (name, value) in spoil.items():
        rows[at][FIELDS.index(name)] = value
    labels = {f.name: f.label for f in haizhu.fields if f.label}
    for kind in KINDS:
        assert_same(_write(tmp_path, kind, list(FIELDS), rows, labels), haizhu)


# ------------------------------------------------------------------ CSV files where the two readers could part


def _csv_file(tmp_path: Path, text: str | bytes, name: str = "a.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _lines(*rows: list[str], header: list[str] = HEADER, end: str = "\n") -> str:
    return "".join(",".join(row) + end for row in [header, *rows])


def _row(**values: str) -> list[str]:
    row = list(GOOD)
    for name, value in values.items():
        row[HEADER.index(name)] = value
    return row


EDGE_FILES = {
    "clean": _lines(_row(), _row(id="A2", ticket="2")),
    "crlf": _lines(_row(), _row(id="A2", ticket="2"), end="\r\n"),
    "no final line end": _lines(_row(), _row(id="A2", ticket="2")).rstrip("\n"),
    "blank lines": _lines(_row(), [], _row(id="A2", ticket="2"), [], []),
    "blank crlf lines": _lines(_row(), [], _row(id="A2", ticket="2"), end="\r\n"),
    "whitespace lines": _lines(_row(), ["  "], ["\t"], _row(id="A2", ticket="2")),
    "commas only": _lines(_row(), [""] * len(HEADER), _row(id="A2", ticket="2")),
    "ragged": _lines(_row(), ["A2", "G1"], _row(id="A3", ticket="3") + ["extra"], _row(id="A4", ticket="4")),
    "first row short": _lines(["A2", "G1"], _row()),
    "first row long": _lines(_row() + ["x"], _row(id="A2", ticket="2")),
    "long row blank past the header": _lines(_row(), [""] * len(HEADER) + [" ", "x"], [""] * (len(HEADER) + 2)),
    "quoted cells": _lines(_row(applicant_name='"张,三"'), _row(id='"A2"', ticket="2", note='"say ""hi"""')),
    "quoted header": '"id","grade",points,born,enrolled,year_done,choices,tags,applied,applicant_name,ticket,bonus,note\n' + _lines(_row())[_lines(_row()).index("\n") + 1:],
    "quoted empty cells": _lines(_row(), ['""'] * len(HEADER), _row(id="A2", ticket="2", note='""')),
    "quote in an unquoted cell": _lines(_row(note='a"b'), _row(id="A2", ticket="2")),
    "text after a closing quote": _lines(_row(note='"a"b'), _row(id="A2", ticket="2")),
    "quote left open": _lines(_row(note='"ab'), _row(id="A2", ticket="2")),
    "line break in a quoted cell": _lines(_row(note='"a\nb"'), _row(id="A2", ticket="2")),
    "carriage return in a quoted cell": _lines(_row(note='"a\rb"'), _row(id="A2", ticket="2")),
    "lone carriage return": _lines(_row(), _row(id="A2", ticket="2")).replace("\nA2", "\rA2"),
    "nul": _lines(_row(note="a\x00b"), _row(id="A2", ticket="2")),
    "bom in the middle": _lines(_row(note="a\ufeffb"), _row(id="A2", ticket="2")),
    "bom and header only": "\ufeff" + _lines(),
    "header only without line end": ",".join(HEADER),
    "header and blank lines": _lines([], []),
    "single cell header": "id\nA1\n",
    "tab separated": "\t".join(HEADER) + "\n" + "\t".join(GOOD) + "\n",
    "blank first line": "\n" + _lines(_row()),
    "long cell": _lines(_row(note="x" * 140_000), _row(id="A2", ticket="2")),
    "long line of short cells": _lines(_row(note=",".join(["y"] * 70_000)), _row(id="A2", ticket="2")),
    "spaces and full-width digits": _lines(_row(points=" 85.50 ", year_done="２０２０", ticket="١"), _row(id=" A2 ", ticket="2", born=" 2016/3/1")),
    "every spelling": _lines(
        _row(grade="小学一年级", born="2016年3月1日", enrolled="否", choices="S1；S2; ;S3", tags=" a ; b ", applied="2022年4月26日 9:05"),
        _row(id="A2", ticket="2", born="2016/3/1 00:00", enrolled="√", applied="2022/4/26T10:00:30", bonus="-.5", points="+7."),
        _row(id="A3", ticket="3", born="2016-03-01T00:00:00", enrolled="YES", year_done="-0", points="0.50"),
    ),
    "bad cells": _lines(
        _row(points="abc", born="2016-02-30", enrolled="maybe", year_done="1.5", applied="2022-04-26 24:00"),
        _row(id="", ticket="2", grade="G3", choices="", born="0000-01-01"),
        _row(id="A3", ticket="3", points="1e3", born="31/12/2015", applied="2022-04-26"),
        _row(id="A4", ticket="4", grade="", points="", born=""),
    ),
    "negative zeros": _lines(
        _row(points="-0", bonus="-0.00"), _row(id="A2", ticket="2", points=" -0.0 ", bonus="+0", year_done="-0"),
        _row(id="A3", ticket="3", points="-.0", bonus="-0."), _row(id="A4", ticket="-0", points="0"), _row(id="A5", ticket="0", points="-0"),
    ),
    "numbers as large as a column holds": _lines(
        _row(year_done="9223372036854775807"), _row(id="A2", ticket="2", year_done="-9223372036854775808", points="9" * 38),
        _row(id="A3", ticket="3", points="0." + "0" * 60 + "1", bonus="-" + "1" * 20 + "." + "2" * 18),
    ),
    "duplicates": _lines(
        _row(), _row(id="A1", ticket="2"), _row(id="A3", ticket="1"), _row(id="A1\u200b", ticket="4"), _row(id="Ａ1", ticket="5"),
        _row(id="A6", ticket="1.0"), _row(id="A1", ticket="7", grade="G3"), _row(id="A8", ticket="8", grade="G3"), _row(id="A9", ticket="1", points="x"),
    ),
    "control characters": _lines(_row(id="A\x1b1"), _row(id="A2", ticket="2", applicant_name="李\u202e四"), _row(id="A3", ticket="3", note="a\x07b", applicant_name="王\u3000五")),
    "nameless column": _lines(_row() + [""], _row(id="A2", ticket="2") + ["x"], header=HEADER + [""]),
    "duplicate column": _lines(_row() + ["1"], header=HEADER + ["points"]),
    "labels": _lines(_row(), header=["申请编号", "申请年级", "积分", "出生日期", "已入学", "毕业年份", "志愿", "标签", "申请时间", "申请人姓名", "票号", "加分", "备注"]),
    "name and label": _lines(_row() + ["1"], header=HEADER + ["积分"]),
    "missing columns": _lines(_row()[:3], header=HEADER[:3]),
    "only blank rows": _lines([], ["  "], [""] * len(HEADER)),
}


@pytest.mark.parametrize("name", sorted(EDGE_FILES))
def test_csv_files_where_polars_and_the_csv_module_could_part(name, policy, tmp_path):
    assert_same(_csv_file(tmp_path, EDGE_FILES[name]), policy)


ENCODED = {
    "gb18030": (_lines(_row(applicant_name="张三"), _row(id="A2", ticket="2", applicant_name="𠀀")).encode("gb18030"), {}),
    "gb18030 with a byte-order mark": (("\ufeff" + _lines(_row())).encode("gb18030"), {}),
    "gb18030 given": (_lines(_row(applicant_name="张三")).encode("gb18030"), {"encoding": "gb18030"}),
    "gbk given": (_lines(_row(applicant_name="张三")).encode("gbk"), {"encoding": "GBK"}),
    "utf-8 with a byte-order mark given": (("\ufeff" + _lines(_row())).encode("utf-8"), {"encoding": "utf-8"}),
    "two byte-order marks, utf-8-sig given": (("\ufeff\ufeff" + _lines(_row())).encode("utf-8"), {"encoding": "utf-8-sig"}),
    "utf-16 given": (_lines(_row(applicant_name="张三")).encode("utf-16"), {"encoding": "utf-16"}),
    "utf-16": (_lines(_row()).encode("utf-16"), {}),
    "gb18030 read as utf-8": (_lines(_row(applicant_name="张三")).encode("gb18030"), {"encoding": "utf-8"}),
    "neither": (_lines(_row()).encode("utf-8") + b"\xff\xfe\x80\x81", {}),
    "unknown encoding": (_lines(_row()).encode("utf-8"), {"encoding": "klingon"}),
    "a zip file": (b"PK\x03\x04" + b"\x00" * 40, {}),
    "empty": (b"", {}),
    "only whitespace": (b" \n\n ", {}),
    "utf-8 bytes that are gb18030 too": (_lines(_row(note="é")).encode("utf-8"), {}),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_encodings_as_read_table_decides_them(name, policy, tmp_path):
    data, options = ENCODED[name]
    assert_same(_csv_file(tmp_path, data), policy, **options)


def _large(policy_rows: int, end: str = "\n") -> bytes:
    rows = [_row(id=f"A{i}", ticket=str(i)) for i in range(policy_rows)]
    return _lines(*rows, end=end).encode("utf-8")


def _padded_to(data: bytes, found: int, wanted: int) -> bytes:
    """``data`` with the first row's last cell (a note) made longer, so that what was at ``found`` comes to ``wanted``."""
    first = data.index(b"\r\n", data.index(b"\r\n") + 2)
    return data[:first] + b"x" * (wanted - found) + data[first:]


@pytest.mark.parametrize("put", ["bom", "crlf", "lone cr", "quote", "nul", "comma"])
def test_what_spans_two_pieces_of_a_large_file(put, policy, tmp_path):
    from jifen_dsl.data.frames.csvscan import PIECE

    data = _large(30_000, end="\r\n" if put == "crlf" else "\n")
    assert len(data) > 2 * PIECE
    at = data.index(b"\n", PIECE - 20) + 1  # the start of a line a little before the first piece ends
    cut = PIECE - 1  # a byte-order mark or a line end across the pieces' boundary
    insert = {
        "bom": lambda: data[:cut] + b"\xef\xbb\xbf" + data[cut:],
        "crlf": lambda: _padded_to(data, data.index(b"\r\n", PIECE - 300), PIECE - 1),
        "lone cr": lambda: data[:at] + b"\r" + data[at:],
        "quote": lambda: data[: PIECE + 100] + b'"' + data[PIECE + 100 :],
        "nul": lambda: data[: PIECE + 5] + b"\x00" + data[PIECE + 5 :],
        "comma": lambda: data[:at] + b"," + data[at:],
    }[put]()
    if put == "crlf":
        assert insert[PIECE - 1 : PIECE + 1] == b"\r\n"
    assert_same(_csv_file(tmp_path, insert), policy, from_table=False)  # the table's path is the one read_table reads: tested on small files


def test_a_number_no_column_can_hold_is_refused_where_the_scalar_reader_would_take_it(policy, tmp_path):
    # The one difference: Python's integers have no bounds, Int64 and a 38-digit Int128 coefficient do.
    path = _csv_file(tmp_path, _lines(_row(year_done="9223372036854775808"), _row(id="A2", ticket="2", points="1" * 39)))
    assert old_outcome(str(path), policy, False)[0] == "ok"
    with pytest.raises(DataError) as caught:
        read_cohort_frame(str(path), policy)
    assert _error(caught.value)[1] == (
        f"{path}:2:6: column 'year_done' (毕业年份): '9223372036854775808' is out of range for a whole number"
        " (-9223372036854775808 to 9223372036854775807)",
        f"{path}:3:3: column 'points' (积分): '{'1' * 39}' has too many digits (a number may have at most 38)",
    )


def test_a_sheet_or_a_format_given_for_a_csv_file(policy, tmp_path, monkeypatch):
    path = _csv_file(tmp_path, _lines(_row()))
    assert_same(path, policy, sheet="x")
    assert_same(path, policy, input_format="json")
    assert_same(_csv_file(tmp_path, _lines(_row()), "a.data"), policy, input_format="csv")
    assert_same(tmp_path / "missing.csv", policy)
    assert_same(tmp_path, policy, input_format="csv")
    for name in ("a[1].csv", "a*.csv", "a?.csv"):  # names polars would take for patterns
        assert_same(_csv_file(tmp_path, _lines(_row(id=name)), name), policy)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "~").mkdir()
    (tmp_path / "s3:").mkdir()
    _csv_file(tmp_path / "~", _lines(_row()), "b.csv")
    _csv_file(tmp_path / "s3:", _lines(_row()), "b.csv")
    assert_same("~/b.csv", policy)  # a folder named ~, not the home folder
    assert_same("s3://b.csv", policy)  # a folder named s3:, not a URL


def test_the_rows_of_a_csv_file_read_by_polars_are_read_again_as_read_table_reads_them(policy, tmp_path):
    path = _csv_file(tmp_path, EDGE_FILES["blank lines"])
    read = read_cohort_frame(str(path), policy)
    assert len(read.table.rows) == 5
    assert list(read.table.rows) == read_table(str(path)).rows
    assert read.table.at(3) == f"{path}:3" and read.table.at(3, 2) == f"{path}:3:3"
    path.write_bytes(path.read_bytes() + b"\n")
    with pytest.raises(DataError, match="the file changed while it was being read"):
        list(read.table.rows)


# ------------------------------------------------------------------ random CSV text

_CELLS = {
    "id": ["A1", "A2", "A3", " A4 ", "", "A\u200b1", "Ａ2", "A\x1b5", "甲6", '"A7"', '"A,8"'],
    "grade": ["G1", "G7", "小学一年级", "G3", "", " G1 ", '"G1"'],
    "points": ["85.5", "85.50", "90", " 90 ", "-3", "abc", "1e3", "", ".5", "5.", "１２", "-0", "-0.00"],
    "born": ["2016-03-01", "2016/3/1", "2016年3月1日", "2016-02-30", "2016-03-01 00:00", "01/03/2016", "", "0000-01-01"],
    "enrolled": ["true", "否", "√", "maybe", "", "TRUE", " no "],
    "year_done": ["", "2020", "+2020", "20.5", "9" * 18, "２０２０"],
    "choices": ["S1", "S1;S2", "S1; S2", "S1；S2", ";", "", '"S1,S2"', '"S1\nS2"'],
    "tags": ["", "a", "a;;b", " "],
    "applied": ["2022-04-26 10:30", "2022年4月26日 10:30", "2022-04-26", "", "25:00", "2022/4/26 9:5"],
    "applicant_name": ["", "张三", "李\u202e四", "王\u3000五", '"赵""六"'],
    "ticket": ["1", "2", "1.0", "3", "", "0", "-0"],
    "bonus": ["", "0", "1.50", "x", "-0"],
    "note": ["", "x", '"a""b"', "a\"b", '"open', " ", "a\u2028b", "\x85", "\x0b\x0c", "\ufeff", "a\rb", '"a\r\nb"'],
}


@st.composite
def _csv_texts(draw) -> tuple[bytes, dict]:
    header = list(HEADER)
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    rows = []
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["row"] * 6 + ["blank", "spaces", "short", "long"]))
        if kind == "blank":
            rows.append("")
        elif kind == "spaces":
            rows.append(" ,\t" if draw(st.booleans()) else "  ")
        else:
            cells = [draw(st.sampled_from(_CELLS[name])) for name in header]
            if kind == "short":
                cells = cells[: draw(st.integers(1, len(cells) - 1))]
            elif kind == "long":
                cells = cells + ["x"]
            rows.append(",".join(cells))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join([",".join(header), *rows]) + draw(st.sampled_from([end, ""]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    return data, {}


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(_csv_texts())
def test_random_csv_text(policy, tmp_path, made):
    data, options = made
    folder = tmp_path / "random"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    assert_same(_csv_file(folder, data), policy, **options)


# ------------------------------------------------------------------ the shipped policy's columns, with cells that are hard to read

SHIPPED_HEADER = list(BASE_APPLICANT) + ["applicant_name", "child_name"]
NAMES = ["张三", "", " 李四 ", "王\u3000五", "赵\u200b六", "Ｌｉ", "李\u202e四", "王\x85五", "张\n三", "A\x1b[2J"]
# Cells each column may hold: good ones, and ones only a careful reading explains.
SHIPPED_CELLS = {
    "id": ["A1", "A2", "A3", " A4 ", "", "A,5", 'A"6', "A\u200b1", "Ａ1", "A\n7", "A\x1b8", "A\u202e9", "甲1", "Ａ\u200b1"],
    "grade": ["G1", "G7", "小学一年级", "G3", "", " G1"],
    "child_birth_date": ["2016-03-01", "2016/3/1", "2016年3月1日", "2016-02-30", "2016-03-01 00:00", "01/03/2016", ""],
    "points": ["85.5", "85.50", "90", " 90 ", "-3", "abc", "1e3", ""],
    "choices": ["S1", "S1;S2", "S1; S2", "S1；S2", "S1;;S2", ";", "", "S1;S1", "S1\nS2"],
    "child_enrolled": ["true", "否", "√", "maybe", ""],
    "applied_at": ["2022-04-26 10:30", "2022年4月26日 10:30", "2022-04-26", "", "25:00"],
    "clearing_choices": ["", "S2", "S2;S3", " "],
    "sibling_group": ["", "T1", "T1 "],
    "child_hukou": ["湖南", "广西壮族自治区", "湖南,长沙", "“湖南”", "é", "湖南\r长沙", "湖南\n长沙"],
    "residence_district": ["海珠区", "白云区", "海珠区 ", "　海珠区"],
    "applicant_name": NAMES,
    "child_name": NAMES,
}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    rows=st.lists(st.fixed_dictionaries({name: st.sampled_from(cells) for name, cells in SHIPPED_CELLS.items()}), min_size=1, max_size=8),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    blank=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
)
def test_cells_of_the_shipped_policy_that_are_hard_to_read(haizhu, tmp_path, rows, ending, blank, encoding):
    base = {**BASE_APPLICANT, "applicant_name": "张三", "child_name": "张小三"}
    lines = [csv_line(SHIPPED_HEADER)[:-1] + ending]
    for i, changes in enumerate(rows):
        lines.append(csv_line([{**base, **changes}[name] for name in SHIPPED_HEADER])[:-1] + ending)
        if blank and i == 0:
            lines.append(ending)
    folder = tmp_path / "shipped"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    assert_same(_csv_file(folder, "".join(lines).encode(encoding)), haizhu)


def test_a_quoted_cell_over_several_lines_keeps_the_line_numbers(haizhu, tmp_path):
    header = list(BASE_APPLICANT)
    rows = [{**BASE_APPLICANT, "id": "A1", "child_hukou": "湖南\n长沙"}, {**BASE_APPLICANT, "id": "A2"}]
    path = _csv_file(tmp_path, "".join(csv_line([row[h] for h in header]) for row in [dict(zip(header, header)), *rows]))
    assert_same(path, haizhu)
    read = load_applicants(str(path), haizhu)
    assert [(a.row, a.id) for a in read.applicants] == [(2, "A1"), (4, "A2")]
    assert read.applicants[0].record[haizhu.read_fields.index(haizhu.field("child_hukou").index)] == "湖南\n长沙"


def test_a_file_that_stops_being_utf8_past_its_first_piece_is_refused_as_read_table_refuses_it(haizhu, tmp_path):
    header = list(BASE_APPLICANT)
    text = csv_line(header) + csv_line([BASE_APPLICANT[h] for h in header])
    path = _csv_file(tmp_path, text.encode("utf-8") + b"x" * 70_000 + b"\xff\n")
    assert_same(path, haizhu, strict_only=True)
    with pytest.raises(DataError) as caught:
        load_applicants(str(path), haizhu)
    assert "neither UTF-8 nor GB18030" in caught.value.render()


def test_equal_values_are_one_object(haizhu):
    # Applicants share their points objects: the writers format each distinct object once.
    read = load_applicants(str(ROOT / "examples" / "haizhu-2022" / "applicants.csv"), haizhu)
    position = haizhu.read_fields.index(haizhu.field("points").index)
    points = [a.record[position] for a in read.applicants]
    assert len({id(p) for p in points}) == len({(p, str(p)) for p in points}) < len(points)
