"""A cell a spreadsheet would read as a formula is written as text: an apostrophe in front in CSV, a string cell in XLSX; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from jifen_dsl.allocation.report import placement_csv, placement_table
from jifen_dsl.data.spreadsheet import LEADING, csv_safe, joined_needs_guard, needs_guard
from jifen_dsl.data.tables import csv_bytes, csv_line, csv_text
from jifen_dsl.data.xlsx import Sheet, workbook_bytes

from .test_result_csv import _allocation

HYPERLINK = '=HYPERLINK("http://x","y")'


@pytest.mark.parametrize("text", [HYPERLINK, "=1+1", "+SUM(1,2)", "+1", "-2+3", "-x", "-", "@cmd", "@", "\tTAB", "\t=1+1", "\r=1", "\r"])
def test_text_starting_with_each_leading_character_is_guarded(text):
    assert needs_guard(text)
    assert csv_safe(text) == "'" + text


def test_the_six_leading_characters():
    assert LEADING == {"=", "+", "-", "@", "\t", "\r"}
    for lead in LEADING:
        assert needs_guard(lead + "a") and csv_safe(lead + "a") == "'" + lead + "a"


@pytest.mark.parametrize("number", ["-1.5", "-1", "0", "12", "85.50", "-0", "-007.25", "440101201603010011"])
def test_plain_numbers_are_not_guarded(number):
    assert not needs_guard(number)
    assert csv_safe(number) == number


@pytest.mark.parametrize("text", ["", "张三", "HZ-01", "a=b", "1+1", "x@y", "a\tb", " =1", "'=1", "#N/A", "G1"])
def test_other_text_is_not_guarded(text):
    assert not needs_guard(text)
    assert csv_safe(text) == text


@pytest.mark.parametrize("text", ["-1.", "-.5", "-1.5.3", "-1e3", "-1,5", "+5", "-١٢"])
def test_what_is_not_a_plain_number_is_guarded(text):
    assert needs_guard(text)


def test_cells_that_are_not_text_are_left_alone():
    assert not needs_guard(None) and csv_safe(None) is None
    assert csv_safe(-3) == -3


def test_csv_lines_guard_in_the_fast_and_the_careful_path():
    assert csv_line(["A1", "=1+1", "-1.5", "x"]) == "A1,'=1+1,-1.5,x\n"
    assert csv_line(["=1+1"]) == "'=1+1\n"
    assert csv_line(["-1.5", "-2"]) == "-1.5,-2\n"
    assert csv_line(["A1", "@x", "-y"]) == "A1,'@x,'-y\n"
    # quoted by the csv module, and guarded
    assert csv_line(["A1", HYPERLINK]) == "A1,\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n"
    assert csv_line(["+a,b", "\r=x"]) == "\"'+a,b\",\"'\r=x\"\n"
    assert csv_line(["\t=1", "-1"]) == "'\t=1,-1\n"
    # a cell that is not text goes to the csv module, the rest guarded
    assert csv_line(["=x", None, 3]) == "'=x,,3\n"
    # the header too
    assert csv_text(["=h", "points"], [["-3", "-1.5"]]) == "'=h,points\n-3,-1.5\n"
    assert csv_bytes(["n"], [["@x"]], bom=True) == "\ufeffn\n'@x\n".encode("utf-8")


def test_a_guarded_csv_cell_reads_back_as_the_text_behind_an_apostrophe():
    names = [HYPERLINK, "+SUM(1,2)", "-2+3", "@cmd", "\tTAB", "\r=1", "-1.5", "张三"]
    text = csv_text(["name"], [[n] for n in names])
    read = [r[0] for r in csv.reader(io.StringIO(text, newline=""))][1:]
    assert read == ["'" + n for n in names[:6]] + ["-1.5", "张三"]


cell = st.text(alphabet=st.sampled_from(["a", "7", "0", ".", "-", "=", "+", "@", "\t", "张"]), max_size=5)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(cell, min_size=1, max_size=5), min_size=1, max_size=5))
def test_the_block_check_agrees_with_the_cell_check(rows):
    block = "".join(",".join(row) + "\n" for row in rows)
    assert joined_needs_guard(block) == any(needs_guard(c) for row in rows for c in row)
    for row in rows:
        assert joined_needs_guard(",".join(row)) == any(map(needs_guard, row))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_fast_placement_writer_guards_exactly_as_csv_line(data):
    name = st.text(alphabet=st.sampled_from(["a", "1", ".", "-", "=", "+", "@", "张", ","]), min_size=1, max_size=5)
    count = data.draw(st.integers(min_value=1, max_value=6))
    ids = data.draw(st.lists(name, min_size=count, max_size=count, unique=True))
    ids = [i.replace(",", "") or "A" for i in ids]
    ids = list(dict.fromkeys(ids))
    details = data.draw(st.lists(st.lists(st.one_of(st.none(), name), min_size=3, max_size=3), min_size=len(ids), max_size=len(ids)))
    allocation = _allocation(ids, details)
    header, rows = placement_table(allocation)
    written = "".join(placement_csv(allocation))
    assert written == csv_text(header, rows)
    read = list(csv.reader(io.StringIO(written, newline="")))[1:]
    for line in read:
        for text in line:
            assert not needs_guard(text)


def test_a_large_block_with_one_formula_guards_that_line_alone():
    ids = [f"A{i}" for i in range(9000)]
    details = [["张三", "张小明", "440101201603010011"] for _ in ids]
    details[8500] = [HYPERLINK, "@x", "-5"]
    lines = "".join(placement_csv(_allocation(ids, details))).split("\n")
    guarded = [line for line in lines if "'" in line]
    assert len(guarded) == 1 and guarded[0].startswith("A8500,")
    assert guarded[0].endswith(",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'@x,-5")


def _sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def test_xlsx_writes_formula_text_as_string_cells_and_numbers_as_numbers():
    texts = [HYPERLINK, "+SUM(1,2)", "-2+3", "@cmd", "\tTAB", "=1", "#N/A", "张三"]
    rows = [[t, str(-1.5 + i)] for i, t in enumerate(texts)]
    rows.append(["-7", "=2+2"])  # a number in a text column stays text; text in a numeric column stays text
    data = workbook_bytes([Sheet("results", ["=name", "points"], rows, numeric=frozenset({1}))])
    assert "<f>" not in _sheet_xml(data) and "<f " not in _sheet_xml(data)
    ws = load_workbook(io.BytesIO(data))["results"]
    assert (ws["A1"].value, ws["A1"].data_type) == ("=name", "s")
    for i, text in enumerate(texts, start=2):
        assert (ws.cell(i, 1).value, ws.cell(i, 1).data_type) == (text, "s")
        assert ws.cell(i, 1).quotePrefix == needs_guard(text)
        assert ws.cell(i, 2).data_type == "n" and ws.cell(i, 2).value == -1.5 + i - 2
    last = len(texts) + 2
    assert (ws.cell(last, 1).value, ws.cell(last, 1).data_type, ws.cell(last, 1).quotePrefix) == ("-7", "s", False)
    assert (ws.cell(last, 2).value, ws.cell(last, 2).data_type) == ("=2+2", "s")


def test_a_workbook_stays_byte_identical():
    sheet = Sheet("t", ["name"], [[HYPERLINK], ["张三"]])
    assert workbook_bytes([sheet]) == workbook_bytes([sheet])
