"""Hostile input files, through the command line: reading stays within bounds, and what a reviewer sees is what is ranked.

Every case runs ``jifen evaluate`` (or allocate), never a reader's function, so
these tests hold whatever reader a later change puts behind the command. A case
that could take the machine's memory or time if the bound failed runs in a child
process with its address space limited and a timeout; the others run in-process.
Each checks the exit status, the message (file and place: sheet and cell, line
and column, record), and that nothing went wrong inside (no internal error).
The policy is Chinese; the messages are asked for in English (``--lang en``),
whose words these cases check.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import resource
import subprocess
import sys
import time
import zipfile

import pytest

from jifen_dsl.data.tables import text_table

from ..conftest import BASE_APPLICANT, ROOT, run_cli
from ..workbooks import patched

HAIZHU = "policies/haizhu/2022.jifen"
HEADER = list(BASE_APPLICANT)
SHEET = "xl/worksheets/sheet1.xml"
MEMORY = 3 << 29  # 1.5 GB of address space for a bounded run
TIMEOUT = 60

pytestmark = pytest.mark.usefixtures("at_root")


def _rows(count: int = 3, **changes: dict) -> list[list[str]]:
    """Data rows A1..An of the base applicant; ``changes`` maps a row's id to the cells it changes."""
    rows = []
    for i in range(1, count + 1):
        values = {**BASE_APPLICANT, "id": f"A{i}", **changes.get(f"A{i}", {})}
        rows.append([values[name] for name in HEADER])
    return rows


def _csv(rows: list[list[str]], header: list[str] = HEADER) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return buffer.getvalue()


def _workbook(*sheets: tuple[str, list[list], str]) -> bytes:
    """A workbook of (title, rows with the header first, state) sheets, the first active."""
    from openpyxl import Workbook

    book = Workbook()
    for index, (title, rows, state) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet(title)
        sheet.title = title
        for row in rows:
            sheet.append(row)
        sheet.sheet_state = state
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plain_workbook(rows: list[list] | None = None) -> bytes:
    return _workbook(("Sheet", [HEADER, *(rows if rows is not None else _rows())], "visible"))


def _in_sheet(data: bytes, xml: bytes) -> bytes:
    """``xml`` added to the end of the first sheet's rows."""
    return patched(data, SHEET, lambda x: x.replace(b"</sheetData>", xml + b"</sheetData>"))


def _evaluate(path, *extra: str):
    result = run_cli("--lang", "en", "evaluate", HAIZHU, str(path), *extra)
    assert "internal error" not in result.output and "Traceback" not in result.output
    return result


def _bounded(*args: str) -> tuple[int, str, str, float]:
    """``jifen --lang en`` in a child process with 1.5 GB of address space and a timeout: (status, stdout, stderr, seconds)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "jifen_dsl", "--lang", "en", *args], cwd=ROOT, env=env, preexec_fn=limit, capture_output=True, timeout=TIMEOUT,
    )
    stdout, stderr = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    assert "internal error" not in stderr and "out of memory" not in stderr and "Traceback" not in stderr, stderr[-2000:]
    return done.returncode, stdout, stderr, time.monotonic() - started


# ------------------------------------------------------------------ bounded reading


def test_a_merged_range_to_the_last_cell_of_the_sheet_changes_nothing(tmp_path):
    clean, merged = tmp_path / "clean.xlsx", tmp_path / "merged.xlsx"
    clean.write_bytes(_plain_workbook())
    merged.write_bytes(patched(clean.read_bytes(), SHEET, lambda x: x.replace(
        b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A300:XFD1048576"/></mergeCells>')))
    status, stdout, stderr, _ = _bounded("evaluate", HAIZHU, str(merged), "--format", "csv")
    assert status == 0, stderr
    assert stdout == _evaluate(clean, "--format", "csv").stdout


def test_rows_with_a_cell_in_column_xfd_are_refused_within_bounds(tmp_path):
    path = tmp_path / "a.xlsx"
    stray = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>A%d</t></is></c><c r="XFD%d"><v>1</v></c></row>' % (n, n, n, n) for n in range(5, 20_005))
    path.write_bytes(_in_sheet(_plain_workbook(), stray))
    status, _, stderr, _ = _bounded("evaluate", HAIZHU, str(path))
    assert status == 1
    assert re.search(r"a\.xlsx, sheet Sheet, row \d+: the rows reach column XFD, past the header's last column AB, but the rows hold few values", stderr)


def test_a_header_reaching_column_xfd_does_not_make_every_row_as_wide(tmp_path):
    path = tmp_path / "a.xlsx"
    data = patched(_plain_workbook(), SHEET, lambda x: x.replace(b"</row>", b'<c r="XFD1" t="inlineStr"><is><t>note</t></is></c></row>', 1))
    path.write_bytes(_in_sheet(data, b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>B%d</t></is></c></row>' % (n, n, n) for n in range(5, 20_005))))
    status, _, stderr, _ = _bounded("evaluate", HAIZHU, str(path))
    assert status == 1
    assert "the header reaches column XFD but the rows hold few values" in stderr


def test_a_row_a_billion_rows_down_is_not_waited_for(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(_in_sheet(_plain_workbook(), b'<row r="999999999"><c r="A999999999"><v>1</v></c></row>'))
    status, _, stderr, seconds = _bounded("evaluate", HAIZHU, str(path))
    assert status == 1 and seconds < 30
    assert "a.xlsx, sheet Sheet, B999999999: column 'grade' (申请年级): empty, but a value is required" in stderr


@pytest.mark.parametrize("size", [200_000, 64 << 20])
@pytest.mark.parametrize("where", ["inline", "shared"])
def test_an_xlsx_cell_longer_than_a_csv_cell_may_be_is_refused_where_it_is(tmp_path, size, where):
    path = tmp_path / "a.xlsx"
    long_id = b"A" * size
    data = _plain_workbook()
    if where == "inline":
        data = patched(data, SHEET, lambda x: x.replace(b"<t>A2</t>", b"<t>" + long_id + b"</t>"))
    else:
        data = _with_shared_strings(data, [b"A2", long_id], {"A3": 1})
    path.write_bytes(data)
    cell = "A3"  # the second data row's id
    if size > 1 << 20:
        status, _, stderr, _ = _bounded("evaluate", HAIZHU, str(path))
    else:
        result = _evaluate(path)
        status, stderr = result.exit_code, result.stderr
    assert status == 1
    assert f"a.xlsx, sheet Sheet, {cell}: a cell is longer than 131,072 characters; is this really the applicant file?" in stderr


def _with_shared_strings(data: bytes, strings: list[bytes], cells: dict[str, int]) -> bytes:
    """The workbook with a shared-string table of ``strings`` and the ``cells`` (inline strings) made to refer to them."""
    table = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>"

    def sheet(xml: bytes) -> bytes:
        for ref, index in cells.items():
            xml = re.sub(rb'<c r="' + ref.encode() + rb'" t="inlineStr"><is><t>[^<]*</t></is></c>', b'<c r="%s" t="s"><v>%d</v></c>' % (ref.encode(), index), xml)
        return xml

    data = patched(data, SHEET, sheet)
    data = patched(data, "[Content_Types].xml", lambda x: x.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    data = patched(data, "xl/_rels/workbook.xml.rels", lambda x: x.replace(b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", table)
    return out.getvalue()


def test_an_unused_long_shared_string_leaves_the_others_read_as_they_are(tmp_path):
    plain, long = tmp_path / "plain.xlsx", tmp_path / "long.xlsx"
    strings = [b"A2", b"\xe6\xb5\xb7\xe7\x8f\xa0\xe5\x8c\xba &amp; x005F_more"]
    plain.write_bytes(_with_shared_strings(_plain_workbook(), strings, {"A3": 0, "J3": 1}))
    long.write_bytes(_with_shared_strings(_plain_workbook(), strings + [b"y" * 3_000_000], {"A3": 0, "J3": 1}))
    assert _evaluate(plain, "--format", "csv").stdout == _evaluate(long, "--format", "csv").stdout


@pytest.mark.parametrize("number", ["1e999999999", "1e999", "9.6e1", "1E5"])
def test_a_json_number_with_an_exponent_is_refused_as_in_a_csv_cell(tmp_path, number):
    path = tmp_path / "a.json"
    records = [dict(zip(HEADER, row)) for row in _rows()]
    path.write_text(json.dumps(records).replace('"points": "100"', f'"points": {number}', 1), encoding="utf-8")
    status, _, stderr, seconds = _bounded("evaluate", HAIZHU, str(path))
    assert status == 1 and seconds < 30
    assert f"a.json, record 1: column 'points' (积分): the number {number} is written with an exponent, which a number in a cell may not be" in stderr
    same = tmp_path / "a.csv"
    same.write_text(_csv(_rows(3, A1={"points": number})), encoding="utf-8")
    assert f"a.csv:2:15: column 'points' (积分): '{number}' is not a number" in _evaluate(same).stderr


def test_json_values_longer_than_a_cell_objects_without_common_keys_and_deep_nesting_are_refused(tmp_path):
    records = [dict(zip(HEADER, row)) for row in _rows()]
    cases = {
        "long.json": (json.dumps([records[0], {**records[1], "child_hukou": "x" * 200_000}]),
                      "long.json, record 2: the value of 'child_hukou' is longer than 131,072 characters; is this really the applicant file?"),
        "sparse.json": (json.dumps(records + [{f"k{i}": 1} for i in range(5_000)]),
                        "sparse.json: the 5,003 objects have 5,028 different keys between them, so that a table of them would be almost all empty cells"),
        "deep.json": ("[" * 100_000 + "]" * 100_000, "deep.json: lists or objects nest too deeply to be a table's cells"),
        "deep.jsonl": (json.dumps(records[0]) + "\n" + "[" * 100_000 + "]" * 100_000 + "\n",
                       "deep.jsonl:2: lists or objects nest too deeply to be a table's cells"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = _evaluate(tmp_path / name)
        assert result.exit_code == 1 and message in result.stderr, (name, result.stderr)


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("truncated", lambda data: patched(data, SHEET, lambda x: x[: len(x) // 2]), "a.xlsx, sheet Sheet: the workbook is damaged and cannot be read (ParseError"),
        ("bad_row_number", lambda data: _in_sheet(data, b'<row r="x1"><c r="A9"><v>1</v></c></row>'), "a.xlsx, sheet Sheet: the workbook is damaged and cannot be read (ValueError"),
        ("bad_string_index", lambda data: _in_sheet(data, b'<row r="9"><c r="A9" t="s"><v>7</v></c></row>'), "a.xlsx, sheet Sheet: the workbook is damaged and cannot be read (IndexError"),
        ("rows_backwards", lambda data: _in_sheet(data, b'<row r="2"><c r="A2"><v>1</v></c></row>'), "a.xlsx, sheet Sheet: row 2 comes after row 4; the workbook is damaged"),
        ("beyond_xfd", lambda data: _in_sheet(data, b'<row r="9"><c r="XFE9"><v>1</v></c></row>'), "a.xlsx, sheet Sheet: the cell XFE9 lies beyond Excel's last column, XFD"),
        ("overlapping_merges", lambda data: patched(data, SHEET, lambda x: x.replace(
            b"</sheetData>", b'</sheetData><mergeCells count="2"><mergeCell ref="C2:D3"/><mergeCell ref="D3:E4"/></mergeCells>')),
         "a.xlsx, sheet Sheet: the merged cells C2:D3 and D3:E4 overlap; the workbook is damaged"),
    ],
)
def test_a_damaged_workbook_is_a_data_error_naming_file_and_sheet(tmp_path, name, change, message):
    path = tmp_path / "a.xlsx"
    path.write_bytes(change(_plain_workbook()))
    result = _evaluate(path)
    assert result.exit_code == 1 and message in result.stderr, result.stderr


def test_a_bad_crc_found_at_the_end_of_a_large_sheet_is_a_data_error(tmp_path):
    path = tmp_path / "a.xlsx"
    data = patched(_plain_workbook(_rows(3000)), SHEET, lambda x: x, stored=True)
    at = data.rfind(b"<t>A2999</t>")
    path.write_bytes(data[:at] + b"<t>B2999</t>" + data[at + 12:])  # the sheet's bytes no longer match its CRC
    result = _evaluate(path)
    assert result.exit_code == 1
    assert "a.xlsx" in result.stderr and "Bad CRC-32" in result.stderr


@pytest.mark.parametrize("sheet", ["²", "0", "3", "Sheet2"])
def test_a_sheet_that_is_not_there_is_named_with_the_sheets_that_are(tmp_path, sheet):
    path = tmp_path / "a.xlsx"
    path.write_bytes(_workbook(("名单", [HEADER, *_rows()], "visible"), ("备用", [HEADER], "hidden")))
    result = _evaluate(path, "--sheet", sheet)
    assert result.exit_code == 1
    assert f"a.xlsx: no sheet {sheet!r}; the workbook has '名单', '备用' (hidden)" in result.stderr


# ------------------------------------------------------------------ what a reviewer sees


def _points(output: str) -> dict[str, str]:
    return {row["id"]: row["points"] for row in csv.DictReader(io.StringIO(output))}


def test_a_hidden_sheet_is_read_only_when_named(tmp_path):
    path = tmp_path / "a.xlsx"
    forged = _rows(3, A1={"points": "999"})
    path.write_bytes(_workbook(("points", [HEADER, *forged], "hidden"), ("名单", [HEADER, *_rows()], "visible")))
    assert _points(_evaluate(path, "--format", "csv").stdout)["A1"] == "100"
    assert _points(_evaluate(path, "--format", "csv", "--sheet", "points").stdout)["A1"] == "999"
    assert _points(_evaluate(path, "--format", "csv", "--sheet", "1").stdout)["A1"] == "999"


def test_the_active_sheet_is_read_when_visible(tmp_path):
    path = tmp_path / "a.xlsx"
    data = _workbook(("旧", [HEADER, *_rows(3, A1={"points": "50"})], "visible"), ("名单", [HEADER, *_rows()], "visible"))
    path.write_bytes(patched(data, "xl/workbook.xml", lambda x: re.sub(rb'activeTab="\d+"', b"", x).replace(b"<workbookView ", b'<workbookView activeTab="1" ')))
    assert _points(_evaluate(path, "--format", "csv").stdout)["A1"] == "100"


def test_data_on_a_hidden_sheet_only_is_said_to_be_there(tmp_path):
    empty, cover = tmp_path / "empty.xlsx", tmp_path / "cover.xlsx"
    empty.write_bytes(_workbook(("说明", [], "visible"), ("名单", [HEADER, *_rows()], "hidden")))
    cover.write_bytes(_workbook(("说明", [["请勿修改本表"]], "visible"), ("名单", [HEADER, *_rows()], "hidden")))
    note = "the workbook's hidden sheet '名单' was not read: a hidden sheet is read only when named with --sheet (or unhide it in Excel)"
    result = _evaluate(empty)
    assert result.exit_code == 1 and f"empty.xlsx, sheet 说明: the sheet is empty; expected a header row and one row per applicant; {note}" in result.stderr
    result = _evaluate(cover)
    assert result.exit_code == 1 and f"cover.xlsx: {note}" in result.stderr and "missing column 'grade'" in result.stderr
    all_hidden = tmp_path / "all.xlsx"
    all_hidden.write_bytes(patched(_workbook(("a", [HEADER], "hidden"), ("b", [HEADER], "visible")), "xl/workbook.xml", lambda x: x.replace(b'state="visible"', b'state="hidden"')))
    assert "all.xlsx: every sheet of the workbook is hidden ('a', 'b'); a hidden sheet is read only when named" in _evaluate(all_hidden).stderr


def _with_formula(data: bytes, cell: bytes, formula: bytes, cached: bytes, kind: bytes = b"n") -> bytes:
    """The workbook with ``cell`` holding ``formula`` and the value saved with it (``kind`` "str" for text)."""
    made = b'<c r="' + cell + b'" t="' + kind + b'"><f>' + formula + b"</f><v>" + cached + b"</v></c>"
    return patched(data, SHEET, lambda x: re.sub(rb'<c r="' + cell + rb'"[^>]*>.*?</c>', made, x, count=1))


def test_a_formula_is_refused_unless_its_saved_value_is_trusted(tmp_path):
    path = tmp_path / "a.xlsx"
    path.write_bytes(_with_formula(_plain_workbook(), b"O2", b"100+35", b"999"))
    result = _evaluate(path)
    assert result.exit_code == 1
    assert (
        "a.xlsx, sheet Sheet, O2: column 'points' (积分): the cell holds a formula (=100+35); the value saved with a formula need not be"
        " what Excel shows; save the sheet as values only (复制, then 选择性粘贴 → 数值) or give --formulas cached to trust the saved values"
    ) in result.stderr
    assert _points(_evaluate(path, "--format", "csv", "--formulas", "cached").stdout)["A1"] == "999"
    header = tmp_path / "h.xlsx"
    header.write_bytes(_with_formula(_plain_workbook(), b"B1", b'"gra"&amp;"de"', b"grade", b"str"))
    assert 'h.xlsx, sheet Sheet, B1: the header cell holds a formula (="gra"&"de")' in _evaluate(header).stderr
    assert _evaluate(header, "--formulas", "cached").exit_code == 0


def test_a_formula_in_a_schools_workbook_is_refused_too(tmp_path):
    schools = tmp_path / "schools.xlsx"
    rows = [["id", "name", "type", "grade", "seats", "district"], ["S1", "甲小学", "public", "G1", 10, "海珠区"], ["S2", "乙小学", "public", "G1", 5, "海珠区"]]
    schools.write_bytes(_with_formula(_workbook(("Sheet", rows, "visible")), b"E2", b"5*2", b"900"))
    applicants = tmp_path / "a.csv"
    applicants.write_text(_csv(_rows()), encoding="utf-8")
    result = run_cli("--lang", "en", "allocate", HAIZHU, str(applicants), str(schools))
    assert result.exit_code == 1 and "schools.xlsx, sheet Sheet, E2: column 'seats': the cell holds a formula (=5*2)" in result.stderr
    assert run_cli("allocate", HAIZHU, str(applicants), str(schools), "--formulas", "cached").exit_code == 0


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("A1\u200b", "duplicate id 'A1\\u200b': it is 'A1' (first on line 2) written with invisible or look-alike characters"),
        ("Ａ1", "duplicate id 'Ａ1': it is 'A1' (first on line 2) written with invisible or look-alike characters"),
        ("A\u20601", "duplicate id 'A\\u20601': it is 'A1' (first on line 2)"),
        ("A1", "duplicate id 'A1' (first on line 2)"),
    ],
)
def test_ids_that_differ_only_in_invisible_or_look_alike_characters_are_one_id(tmp_path, second, message):
    path = tmp_path / "a.csv"
    path.write_text(_csv(_rows(3, A3={"id": second})), encoding="utf-8")
    result = _evaluate(path)
    assert result.exit_code == 1 and f"a.csv:4:1: {message}" in result.stderr
    rejects = tmp_path / "r.csv"
    result = _evaluate(path, "--lenient", "--rejects", str(rejects), "--format", "csv")
    assert result.exit_code == 0 and list(_points(result.stdout)) == ["A2"]  # both rows of the id set aside


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("id", "A\n9", "'A\\n9' holds a line break (U+000A) at character 2"),
        ("id", "A\x1b[2J9", "'A\\x1b[2J9' holds an escape character (U+001B) at character 2"),
        ("id", "A\u202e9", "'A\\u202e9' holds U+202E RIGHT-TO-LEFT OVERRIDE at character 2"),
        ("child_name", "张\x85三", "'张\\x85三' holds the control character U+0085 at character 2"),
        ("applicant_name", "李\u2028四", "'李\\u2028四' holds U+2028 LINE SEPARATOR at character 2"),
        ("id_number", "4401\t05", "'4401\\t05' holds a tab (U+0009) at character 5"),
    ],
)
def test_a_control_character_in_an_id_or_a_name_is_refused_where_it_is(tmp_path, column, value, shown):
    header = HEADER + ["applicant_name", "child_name", "id_number"]
    rows = [row + ["张三", "张小明", "440105"] for row in _rows()]
    rows[1][header.index(column)] = value
    path = tmp_path / "a.csv"
    path.write_text(_csv(rows, header), encoding="utf-8")
    result = _evaluate(path)
    assert result.exit_code == 1
    assert f"a.csv:3:{header.index(column) + 1}: column '{column}'" in result.stderr
    assert f"{shown}; an id or a name may not hold control characters, line separators or bidirectional controls" in result.stderr


def test_a_name_may_hold_an_ideographic_space_or_an_invisible_character(tmp_path):
    header = HEADER + ["applicant_name"]
    path = tmp_path / "a.csv"
    path.write_text(_csv([row + [name] for row, name in zip(_rows(), ["王\u3000五", "赵\u200b六", "Ｌｉ"])], header), encoding="utf-8")
    result = _evaluate(path, "--format", "json")
    assert result.exit_code == 0
    assert [r["applicant_name"] for r in json.loads(result.stdout)] == ["王\u3000五", "赵\u200b六", "Ｌｉ"]


def test_evidence_finds_its_applicant_by_the_same_id_rule(tmp_path):
    conghua = "policies/conghua/2020.jifen"  # counts tax evidence (纳税)
    applicants, evidence = tmp_path / "a.csv", tmp_path / "e.csv"
    applicants.write_text(_csv(_rows(2, A1={"id": "Ａ1"})), encoding="utf-8")
    evidence.write_text("id,indicator,date,value\nA1,纳税,2018-01-01,2\nA\u200b1,纳税,2018-02-01,1\n", encoding="utf-8")
    result = run_cli("explain", conghua, str(applicants), "--id", "Ａ1", "--evidence", str(evidence))
    assert result.exit_code == 0, result.stderr
    assert "纳税：3" in result.stdout  # both items, each written differently from the applicant's id


def test_a_text_table_escapes_the_control_characters_it_prints():
    table = text_table(["id", "name"], [["A\n1", "x\x1b[2Jy"], ["B\u202e2", "张三"]])
    assert table.splitlines() == [
        "id        name",
        "--------  ---------",
        "A\\n1      x\\x1b[2Jy",
        "B\\u202e2  张三",
    ]
