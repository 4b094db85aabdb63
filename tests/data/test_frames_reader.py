"""read_cohort_frame's frame: its columns and their types, which reader reads a file, and what the table tells callers."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl.api import load_policy
from jifen_dsl.data.frames import read_cohort_frame
from jifen_dsl.data.frames.csvframe import CsvCells
from jifen_dsl.data.frames.reader import read_cells
from jifen_dsl.data.frames.text import TableCells
from jifen_dsl.lang import columns
from jifen_dsl.progress import Progress

from ..conftest import ROOT

HAIZHU = ROOT / "policies" / "haizhu" / "2022.jifen"
EXAMPLE = ROOT / "examples" / "haizhu-2022" / "applicants.csv"


@pytest.fixture(scope="module")
def haizhu():
    return load_policy(HAIZHU).policy


def test_the_frame_has_row_id_grade_then_a_typed_column_per_field(haizhu):
    read = read_cohort_frame(str(EXAMPLE), haizhu)
    expected = {"row": pl.Int64, "id": pl.String, "grade": pl.String}
    expected |= {columns.field_column(n): columns.dtype(haizhu.fields[i].type) for n, i in enumerate(haizhu.read_fields)}
    assert dict(read.frame.schema) == expected
    assert read.frame["row"][0] == 2 and read.rows == read.frame.height and read.rejects == []
    points = read.frame.get_column(columns.field_column(haizhu.read_fields.index(haizhu.field("points").index)))
    assert points.dtype == columns.DECIMAL


def test_a_plain_csv_file_is_read_by_polars_and_any_other_file_by_the_existing_readers(tmp_path):
    assert isinstance(read_cells(str(EXAMPLE)), CsvCells)
    odd = tmp_path / "odd.csv"
    odd.write_bytes(EXAMPLE.read_bytes().replace(b"\n", b'\n"a\nb",', 1))  # a cell over two lines
    assert isinstance(read_cells(str(odd)), TableCells)
    quoted = tmp_path / "quoted.csv"
    quoted.write_text("".join(",".join(f'"{c}"' for c in line.split(",")) + "\n" for line in EXAMPLE.read_text(encoding="utf-8").splitlines()), encoding="utf-8")
    assert isinstance(read_cells(str(quoted)), CsvCells)
    gb = tmp_path / "gb.csv"
    gb.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("gb18030"))
    cells = read_cells(str(gb))
    assert isinstance(cells, CsvCells) and cells.table.encoding == "gb18030"


def test_the_table_tells_callers_what_the_applicant_files_table_does(haizhu, tmp_path):
    read = read_cohort_frame(str(EXAMPLE), haizhu)
    table = read.table
    assert (table.path, table.format, table.encoding, table.sheet, table.broken) == (str(EXAMPLE), "csv", "utf-8", None, ())
    assert table.header[0] == "id" and len(table.digest) == 64
    assert table.at(5, 0) == f"{EXAMPLE}:5:1"
    first = next(iter(table.rows))
    assert first[0] == 2 and first[1][0] == read.frame["id"][0]


def test_a_cohort_with_every_row_set_aside_keeps_its_columns(haizhu, tmp_path):
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0]] + [line.replace(",G1,", ",G9,").replace(",G7,", ",G9,") for line in lines[1:]]) + "\n", encoding="utf-8")
    read = read_cohort_frame(str(bad), haizhu, lenient=True)
    assert read.frame.height == 0 and len(read.rejects) == len(lines) - 1
    assert read.frame.schema == read_cohort_frame(str(EXAMPLE), haizhu).frame.schema


def test_reading_is_shown_as_a_phase_of_progress(haizhu):
    stream = io.StringIO()
    read_cohort_frame(str(EXAMPLE), haizhu, progress=Progress(stream, min_total=1))
    assert "reading" in stream.getvalue() and "100%" in stream.getvalue()


def test_a_workbook_is_read_with_its_rules(haizhu, tmp_path):
    from openpyxl import Workbook

    lines = [line.split(",") for line in EXAMPLE.read_text(encoding="utf-8").splitlines()]
    book = Workbook()
    hidden = book.active
    hidden.title = "hidden"
    hidden.append(lines[0])
    hidden.append(lines[1][:14] + ["999"] + lines[1][15:])
    hidden.sheet_state = "hidden"
    sheet = book.create_sheet("名单")
    for line in lines:
        sheet.append(line)
    book.active = 1
    path = tmp_path / "a.xlsx"
    book.save(path)
    read = read_cohort_frame(str(path), haizhu)
    assert read.table.sheet == "名单" and read.table.hidden == ("hidden",) and read.table.format == "xlsx"
    assert read.frame.height == len(lines) - 1
    born = read.frame.get_column(columns.field_column(haizhu.read_fields.index(haizhu.field("child_birth_date").index)))
    assert isinstance(born[0], dt.date)


_BYTES = st.lists(st.sampled_from([b"a", b",", b"\r", b"\n", b"\r\n", b'"', b"\xef\xbb\xbf", b"\xef", b"\x00", "张".encode()]), max_size=40)


@settings(max_examples=200, deadline=None)
@given(_BYTES, st.lists(st.integers(0, 200), max_size=6), st.sampled_from([0, 3]), st.integers(0, 12))
def test_a_scan_finds_the_same_whatever_pieces_the_file_comes_in(parts, cuts, start, body):
    from jifen_dsl.data.frames.csvscan import Scan, count_commas

    data = b"".join(parts)
    whole = Scan.of_text(data, data, start, body)
    pieces = Scan(start, body)
    edges = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    for a, b in zip(edges, edges[1:]):
        pieces.raw(data[a:b])
        pieces.text(data[a:b])
    pieces.finish()
    assert (pieces.odd, pieces.quoted, pieces.body_returns, pieces.digest) == (whole.odd, whole.quoted, whole.body_returns, whole.digest)
    lone = data.count(b"\r") != data.count(b"\r\n")
    assert whole.odd == (b"\x00" in data or data.find(b"\xef\xbb\xbf", start) >= 0 or lone)
    assert (whole.quoted, whole.body_returns) == (b'"' in data[body:], data[body:].count(b"\r"))
    counted = count_commas((data[a:b] for a, b in zip(edges, edges[1:])), body)
    assert counted == count_commas([data], body) == data[body:].count(b",")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=30), st.integers(4, 24), st.lists(st.integers(0, 1000), max_size=6), st.booleans())
def test_a_scan_says_a_line_may_be_long_exactly_when_one_reaches_the_limit(lengths, limit, cuts, ends):
    from jifen_dsl.data.frames.csvscan import Scan

    data = b"\n".join(b"a" * n for n in lengths) + (b"\n" if ends else b"")
    scan = Scan(0, 0, limit)
    edges = sorted({0, len(data), *(c % (len(data) + 1) for c in cuts)})
    for a, b in zip(edges, edges[1:]):
        scan.text(data[a:b])
    longest = max(lengths)
    if longest > limit:
        assert scan.long  # never missed: a cell that long is then measured
    if longest < limit:
        assert not scan.long  # and the usual file's cells are not measured at all


@pytest.mark.parametrize("at", [0, 5, -1])
def test_a_csv_cell_longer_than_the_csv_module_reads_is_refused_on_its_row(tmp_path, at):
    from jifen_dsl.errors import DataError
    from jifen_dsl.messages import render

    lines = (ROOT / "policies" / "haizhu" / "2022.samples.csv").read_text(encoding="utf-8").splitlines()
    row = at % (len(lines) - 1) + 1
    cells = lines[row].split(",")
    cells[3] = "x" * 140_000  # a line this long: its cells are measured
    lines[row] = ",".join(cells)
    path = tmp_path / "a.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as caught:
        read_cohort_frame(str(path), load_policy(str(ROOT / "policies" / "haizhu" / "2022.jifen")))
    assert [render(m, "en") for m in caught.value.problems] == [f"{path}:{row + 1}: a cell is longer than 131,072 characters; is this really the applicant file?"]


def test_a_line_short_of_cells_is_found_from_the_cells_lengths_and_counted_only_where_quotes_are(tmp_path, monkeypatch):
    # polars gives the cells a short line lacks as nulls: a full last column means every line is whole. Else
    # the rows' commas are their bytes less the cells' and the line ends, or, with quotes, counted.
    import jifen_dsl.data.frames.csvframe as csvframe

    counted = []
    real = csvframe.count_commas
    monkeypatch.setattr(csvframe, "count_commas", lambda pieces, body: counted.append(body) or real(pieces, body))
    header, *rows = EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines = [header, *(row for row in rows if not row.endswith(","))]  # every last cell filled in
    width = len(header.split(","))
    assert len(lines) > 10

    def cells(name: str, body: list[str], end: str = "\n", last: str = "\n"):
        path = tmp_path / name
        path.write_text(end.join(body) + last, encoding="utf-8")
        return read_cells(str(path))

    assert cells("whole.csv", lines).counts is None
    short = [*lines[:3], lines[3].rsplit(",", 2)[0], *lines[4:]]
    for end, last in (("\n", "\n"), ("\r\n", "\r\n"), ("\n", ""), ("\r\n", "")):
        found = cells("short.csv", short, end, last).counts
        assert found is not None and found.to_list() == [width] * 2 + [width - 2] + [width] * (len(lines) - 4), (end, last)
    empty_last = [*lines[:3], lines[3].rsplit(",", 1)[0] + ",", *lines[4:]]
    assert cells("empty-last.csv", empty_last).counts is None
    assert cells("empty-last-crlf.csv", empty_last + [""], "\r\n", "").counts is None  # a last line empty, without its line end
    assert counted == []
    quoted = [*lines[:2], '"' + lines[2].replace(",", '",', 1), *short[3:]]
    found = cells("quoted.csv", quoted).counts
    assert found is not None and found.to_list()[:4] == [width, width, width - 2, width]
    assert counted == [len(header.encode()) + 1]


def test_a_digest_not_taken_while_reading_is_taken_from_the_file_when_asked_for_and_only_if_it_is_unchanged(tmp_path):
    import hashlib
    import os

    from jifen_dsl.errors import DataError
    from jifen_dsl.messages import render

    data = EXAMPLE.read_bytes()
    path = tmp_path / "a.csv"
    path.write_bytes(data)
    now = read_cells(str(path))
    later = read_cells(str(path), digest_now=False)
    assert later.table.digest == now.table.digest == hashlib.sha256(data).hexdigest()
    assert [row for row in later.table.rows] == [row for row in now.table.rows]  # rows read again, checked against the digest

    changed = read_cells(str(path), digest_now=False)
    taken = read_cells(str(path))
    path.write_bytes(data.replace(b"HZ2022-E01", b"HZ2022-X01", 1))  # same size, other bytes
    os.utime(path, ns=(1, 1))  # and another time of last change, whatever the clock's grain
    assert taken.table.digest == hashlib.sha256(data).hexdigest()  # taken while it was read
    with pytest.raises(DataError) as caught:
        changed.table.digest
    assert "changed while it was being read" in render(caught.value.problems[0], "en")
