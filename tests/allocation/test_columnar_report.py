"""Allocation results and summaries written from columns are byte for byte what the object reports write."""

from __future__ import annotations

import io
import json
import zipfile

import polars as pl
import pytest

from jifen_dsl import synth
from jifen_dsl.allocation.allocator import allocate
from jifen_dsl.allocation.columnar_report import json_text, placement_cells_lazy, placement_csv_bytes, placement_json_bytes, placement_sheet
from jifen_dsl.allocation.columnar_summary import summary_csv_bytes, summary_json_bytes, summary_of, summary_sheet
from jifen_dsl.allocation.frame import placed_frame
from jifen_dsl.allocation.report import placement_records, placement_table, summary, summary_table
from jifen_dsl.cli.emit import xlsx_sheet
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.data.schools import _schools
from jifen_dsl.data.tables import csv_bytes
from jifen_dsl.data.xlsx import workbook_bytes
from jifen_dsl.data.xlsxcolumns import workbook_bytes_of
from jifen_dsl.evaluation.columnar_report import csv_streamed
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.lang import columns
from jifen_dsl.lang.typesys import DECIMAL

from ..conftest import BASE_APPLICANT, POLICIES

# The numeric columns of the workbooks, as the allocate command gives them to cli.emit.xlsx_sheet.
SUMMARY_NUMERIC = ("seats", "admitted", "choices", "coordinated", "clearing", "cutoff", "remaining", "subsidy")
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-2.5", "-x", "@a", "a,b", 'say "hi"', "", "王小明", "back\\slash", " spaced "]


def _json_bytes(data) -> bytes:
    """As a run writes its JSON files (runs.run._json_bytes)."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _points(evaluations) -> list[pl.Series]:
    """The points as the columnar evaluator gives them: coefficient and exponent, and beside them which zeros are negative."""
    points = [e.points for e in evaluations]
    negative_zero = [p is not None and not p and p.is_signed() for p in points]
    return [columns.series("points", points, DECIMAL), pl.Series("points_nz", negative_zero, dtype=pl.Boolean)]


def _frame(allocation) -> pl.DataFrame:
    """The placement columns of an object allocation: the placed frame, points, failed requirements and the field columns."""
    policy = allocation.policy
    evaluations = [p.evaluation for p in allocation.placements]
    types = [policy.fields[i].type for i in policy.read_fields]
    fields = columns.frame_of_records(types, [e.applicant.record[: len(types)] for e in evaluations])
    outcome = pl.DataFrame([*_points(evaluations), pl.Series("failed", [list(e.failed) for e in evaluations], dtype=pl.List(pl.UInt32))])
    return pl.concat([placed_frame(allocation), outcome, fields], how="horizontal")


def _allocation(policy_path: str, rows: list[dict[str, str]], school_rows: list[dict[str, str]]):
    compiled = load_policy(policy_path)
    header = list(rows[0])
    applicants = records_from_rows("applicants.csv", header, [(i + 2, [r[h] for h in header]) for i, r in enumerate(rows)], compiled.policy)
    schools = _schools("schools.csv", list(school_rows[0]), [list(s.values()) for s in school_rows], compiled.policy)
    return allocate(compiled, evaluate(compiled, applicants), schools)


def _sheet_xml(workbook: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode("utf-8")


def _assert_all_alike(allocation, frame: pl.DataFrame) -> None:
    """Every output, CSV (with and without a byte-order mark), JSON and XLSX, of the results and the summary."""
    policy, schools = allocation.policy, allocation.schools
    for bom in (False, True):
        assert placement_csv_bytes(policy, frame, schools, bom=bom) == csv_bytes(*placement_table(allocation), bom=bom)
        assert summary_csv_bytes(policy, frame, schools, bom=bom) == csv_bytes(*summary_table(allocation), bom=bom)
    # As the allocate command writes them: the cells made as polars writes them into the file.
    assert csv_streamed(placement_cells_lazy(policy, frame, schools)).bytes() == csv_bytes(*placement_table(allocation))
    assert placement_json_bytes(policy, frame, schools) == _json_bytes(placement_records(allocation))
    assert summary_json_bytes(policy, frame, schools) == _json_bytes(summary(allocation))
    results = workbook_bytes([xlsx_sheet("results", placement_table(allocation), ("points", "rank"))])
    assert workbook_bytes_of([placement_sheet(policy, frame, schools)]) == results
    summarized = workbook_bytes([xlsx_sheet("summary", summary_table(allocation), SUMMARY_NUMERIC)])
    assert workbook_bytes_of([summary_sheet(summary_of(policy, frame, schools))]) == summarized


@pytest.fixture(scope="module", params=[("haizhu", 2022), ("baiyun", 2022), ("conghua", 2020)], ids=lambda p: f"{p[0]}-{p[1]}")
def cohort(request):
    """A generated cohort with personal details, some of them names a spreadsheet would take for formulas, allocated."""
    district, year = request.param
    school_rows = synth.generate_schools(district, year, 12, 2, applicants=1500)
    rows = synth.generate_applicants(district, year, 1500, 2, schools=school_rows)
    rows = [
        {**row, "applicant_name": HOSTILE[i % len(HOSTILE)], "child_name": f"子{i}" if i % 5 else "", "id_number": f"44{i:016d}" if i % 3 == 0 else ""}
        for i, row in enumerate(rows)
    ]
    allocation = _allocation(str(POLICIES / district / f"{year}.jifen"), rows, school_rows)
    return allocation, _frame(allocation)


def test_a_generated_cohort_is_written_as_the_object_reports_write_it(cohort):
    allocation, frame = cohort
    rounds = {p.round for p in allocation.placements}
    assert {"choice:1", "coordinated"} <= rounds and {p.status for p in allocation.placements} >= {"admitted", "ineligible"}
    assert b"'=HYPERLINK" in placement_csv_bytes(allocation.policy, frame, allocation.schools)
    if allocation.policy.batches:  # Baiyun: schools that admit from both batches
        assert any(len(s["by_batch"]) == 2 for s in summary(allocation)["schools"])
    _assert_all_alike(allocation, frame)


POLICY = '''
requirement not_enrolled "Not enrolled yet": not child_enrolled
for grade "G1" stage primary {
    requirement born "Born in time": child_birth_date <= 2016-08-31
}
for grade "G7" stage junior {
    requirement graduates "Graduates this year": primary_graduation_year = year
}
'''
TAIL = '''
points { total = points }
batches {
    batch first "First batch": district_permit_start + 5 years <= as_of
    batch second "Second batch": otherwise
}
tiebreak { id ascending }
allocation { qualification all_eligible mechanism points_first coordination file_order siblings together else coordinated clearing on }
subsidies {
    rate private primary 2500.5
    semesters_per_year 2
}
'''
SCHOOLS = [
    {"id": "S1", "name": '=cmd|"/c calc"!A1', "type": "public", "grade": "G1", "seats": "2", "district": "海珠区"},
    {"id": "P2", "name": "Private, \"two\"", "type": "private", "grade": "G1", "seats": "4", "district": "海珠区"},
    {"id": "S3", "name": "-empty", "type": "public", "grade": "G1", "seats": "4", "district": "海珠区"},
    {"id": "J1", "name": "@junior", "type": "private", "grade": "G7", "seats": "1", "district": "海珠区"},
]


def _row(i: int, points: str, **cells: str) -> dict[str, str]:
    name = HOSTILE[i % len(HOSTILE)]
    return {**BASE_APPLICANT, "id": f"A{i:02d}", "points": points, "applicant_name": name, "child_name": name[::-1], "id_number": "", **cells}


def test_batches_clearing_subsidies_and_hostile_text_are_written_alike(write_policy):
    later = {"district_permit_start": "2019-01-01"}  # the second batch
    rows = [
        _row(0, "90", choices="S1"),
        _row(1, "85.50", choices="P2;S1", **later),
        _row(2, "85.5", choices="P2"),
        _row(3, "95", choices="S1"),
        _row(4, "70", choices="S1", accepts_coordination="false", clearing_choices="P2", **later),  # placed in clearing
        _row(5, "-0", choices="P2", **later),  # a negative zero is written with its sign
        _row(6, "60", child_enrolled="true"),  # ineligible
        _row(7, "88", grade="G7", choices="J1", primary_graduation_year="2022"),
        _row(8, "99", grade="G7", choices="J1", primary_graduation_year="2022", accepts_coordination="false"),
    ]
    allocation = _allocation(write_policy(POLICY, tail=TAIL), rows, SCHOOLS)
    placed = {p.id: p for p in allocation.placements}
    assert placed["A04"].round == "clearing" and placed["A06"].status == "ineligible" and placed["A07"].status == "unplaced"
    assert {p.evaluation.batch for p in allocation.placements} == {0, 1, None}
    assert format(placed["A05"].evaluation.points, "f") == "-0"
    frame = _frame(allocation)
    data = summary_of(allocation.policy, frame, allocation.schools)
    cutoffs = {s["id"]: s["cutoff"] for s in data["schools"]}
    assert cutoffs["P2"] == "-0" and cutoffs["S3"] is None
    assert data["subsidy"]["total"] != "0"
    _assert_all_alike(allocation, frame)
    csv = placement_csv_bytes(allocation.policy, frame, allocation.schools).decode()
    assert "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" in csv and "'@a" in csv and ",-2.5," in csv
    assert "'=cmd" in summary_csv_bytes(allocation.policy, frame, allocation.schools).decode()


def test_equal_points_written_differently_show_the_first_as_cut_off(write_policy):
    rows = [_row(0, "85.50", choices="P2"), _row(1, "85.5", choices="P2"), _row(2, "90", choices="P2")]
    allocation = _allocation(write_policy(POLICY, tail=TAIL), rows, SCHOOLS)
    frame = _frame(allocation)
    assert {s["id"]: s["cutoff"] for s in summary_of(allocation.policy, frame, allocation.schools)["schools"]}["P2"] == "85.50"
    reordered = _allocation(write_policy(POLICY, tail=TAIL), [rows[1], rows[0], rows[2]], SCHOOLS)
    assert summary_json_bytes(reordered.policy, _frame(reordered), reordered.schools) == _json_bytes(summary(reordered))
    assert b'"cutoff": "85.5"' in summary_json_bytes(reordered.policy, _frame(reordered), reordered.schools)


def test_an_empty_allocation_is_written_alike(write_policy):
    allocation = _allocation(write_policy(POLICY, tail=TAIL), [_row(0, "1")], SCHOOLS)
    frame = _frame(allocation).head(0)
    policy, schools = allocation.policy, allocation.schools
    assert placement_json_bytes(policy, frame, schools) == b"[]\n"
    assert summary_of(policy, frame, schools)["applicants"] == 0


def test_json_strings_are_escaped_as_the_json_module_escapes_them():
    texts = ['a"b', "back\\slash", "".join(map(chr, range(0x20))), "\x7f\u2028\u00e9王", "", None, "/"]
    written = pl.DataFrame({"t": texts}, schema={"t": pl.String}).select(json_text(pl.col("t"))).to_series()
    assert written.to_list() == [json.dumps(t, ensure_ascii=False) for t in texts]


def test_a_workbook_holds_text_as_string_cells_and_numbers_as_numbers(cohort):
    from openpyxl import load_workbook

    allocation, frame = cohort
    written = workbook_bytes_of([placement_sheet(allocation.policy, frame, allocation.schools)])
    assert written == workbook_bytes_of([placement_sheet(allocation.policy, frame, allocation.schools)])
    xml = _sheet_xml(written)
    assert "<f>" not in xml and "<f " not in xml and 't="e"' not in xml
    sheet = load_workbook(io.BytesIO(written))["results"]
    header = [c.value for c in sheet[1]]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(allocation.placements)
    names = {row[header.index("applicant_name")] for row in rows}
    assert '=HYPERLINK("http://x","y")' in names and "+1" in names
    points = [row[header.index("points")] for row in rows]
    assert all(isinstance(p, (int, float)) for p in points)
    ranked = [p.evaluation.rank for p in allocation.placements]
    assert [row[header.index("rank")] for row in rows] == ranked
    guarded = next(c for c in sheet.iter_rows(min_row=2) for c in c if c.value == "@a")
    assert guarded.data_type == "s" and guarded.quotePrefix


@pytest.mark.parametrize("text", ["=1+1", "#N/A", "-x", " padded\t", "a&b<c>", "王\u0301", ""])
@pytest.mark.parametrize("text_first", [False, True], ids=["guarded-text-first", "guarded-id-first"])
def test_a_workbook_cell_is_written_as_openpyxl_writes_it(text, text_first):
    """Any text, in a text-format, a numeric and a plain column; the styles numbered in the order the cells first use them."""
    from jifen_dsl.data.xlsx import Sheet
    from jifen_dsl.data.xlsxcolumns import ColumnSheet

    rows = [["1", text, "@" + text], [text, "2.50", "x"], ["", "", text]]
    if text_first:
        rows = [[text, "3", "y"], *rows]
    cells = pl.DataFrame(rows, schema=["id", "n", "v"], orient="row")
    expected = workbook_bytes([Sheet("s", ["id", "n", "v"], rows, numeric=frozenset({1}), formats=((0, "@"),))])
    assert workbook_bytes_of([ColumnSheet("s", cells, frozenset({"n"}), frozenset({"id"}))]) == expected


def test_policy_names_that_look_like_formulas_are_guarded_alike(write_policy):
    """The policy's own names are guarded only when one of them needs it: here a batch and a requirement do."""
    policy = POLICY.replace('requirement not_enrolled "Not enrolled yet"', 'requirement 「@not_enrolled」 "Not enrolled yet"')
    tail = TAIL.replace('batch first "First batch"', 'batch 「-first」 "First batch"')
    rows = [
        _row(0, "90", choices="S1"),
        _row(1, "85", choices="P2;S1"),
        _row(2, "60", child_enrolled="true"),  # ineligible: fails 「@not_enrolled」
    ]
    allocation = _allocation(write_policy(policy, tail=tail), rows, SCHOOLS)
    frame = _frame(allocation)
    _assert_all_alike(allocation, frame)
    csv = placement_csv_bytes(allocation.policy, frame, allocation.schools).decode()
    assert ",'-first," in csv and ",'@not_enrolled" in csv


def test_finished_cells_guard_and_empty_only_the_columns_that_need_it():
    from jifen_dsl.allocation.columnar_report import finished_cells

    cells = pl.DataFrame({"a": ["=1+1", "", "x"], "b": ["", "y", "z"], "c": ["p", "q", "r"]})
    out = finished_cells(cells, True)
    assert out.get_column("a").to_list() == ["'=1+1", None, "x"]
    assert out.get_column("b").to_list() == [None, "y", "z"]
    assert out.get_column("c").to_list() == ["p", "q", "r"]
    plain = finished_cells(cells, False)  # a workbook: the text itself, an empty one still empty
    assert plain.get_column("a").to_list() == ["=1+1", None, "x"]
    assert finished_cells(cells, True, only=["c"]).get_column("a").to_list() == ["=1+1", "", "x"]
