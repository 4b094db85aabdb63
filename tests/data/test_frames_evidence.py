"""Evidence read as columns agrees with a careful reference reader: the same items in each applicant's lists, or the same problems.

Each file is read three ways: into a cohort's columns (``read_evidence_frame``),
into applicant records (``read_evidence``, which reads the columns), and by
the reference (:mod:`tests.data.reference`), row by row with the csv module
and ``values.parser_for``.
"""

from __future__ import annotations

import datetime as dt

import pytest

from jifen_dsl.api import load_policy
from jifen_dsl.data.applicants import load_applicants
from jifen_dsl.data.evidence import read_evidence
from jifen_dsl.data.frames import read_cohort_frame
from jifen_dsl.data.frames.evidence import read_evidence_frame
from jifen_dsl.errors import DataError
from jifen_dsl.lang import columns
from jifen_dsl.lang.typesys import EVIDENCE
from jifen_dsl.messages import render

from ..conftest import ROOT
from .reference import read_applicants_reference, read_evidence_reference

CONGHUA = ROOT / "policies" / "conghua" / "2020.jifen"
APPLICANTS = ROOT / "examples" / "conghua-2020" / "applicants.csv"
IDS = ["CH2020-E01", "CH2020-E02", "CH2020-E03", "CH2020-E04"]


@pytest.fixture(scope="module")
def conghua():
    return load_policy(CONGHUA).policy


def _canonical(lists):
    return tuple(tuple((day, columns.decimal_parts(v)["c"], columns.decimal_parts(v)["e"]) for day, v in items) for items in lists)


def _records(read_applicants, read_evidence, path, policy, applicants_path, lenient, **options):
    read = read_applicants(str(applicants_path), policy, lenient=lenient)
    set_aside = {r.cells[0].strip() for r in read.rejects} if lenient else set()
    try:
        joined = read_evidence(str(path), policy, read.applicants, set_aside=set_aside, **options)
    except DataError as exc:
        return _error(exc)
    fields = len(policy.read_fields)
    return ("ok", {a.id: _canonical(a.record[fields:]) for a in joined})


def _error(exc: DataError) -> tuple:
    """A refusal as compared: its problems and title in English (they are messages, put into words when shown)."""
    return ("error", tuple(render(p, "en") for p in exc.problems), None if exc.title is None else render(exc.title, "en"))


def _old(path, policy, applicants_path, lenient=False, **options):
    """What the reference reader gives."""
    return _records(read_applicants_reference, read_evidence_reference, path, policy, applicants_path, lenient, **options)


def _public(path, policy, applicants_path, lenient=False, **options):
    """What read_evidence gives."""
    return _records(load_applicants, read_evidence, path, policy, applicants_path, lenient, **options)


def _new(path, policy, applicants_path, lenient=False, **options):
    cohort = read_cohort_frame(str(applicants_path), policy, lenient=lenient)
    set_aside = {r.cells[0].strip() for r in cohort.rejects} if lenient else set()
    try:
        joined = read_evidence_frame(str(path), policy, cohort, set_aside=set_aside, **options)
    except DataError as exc:
        return _error(exc)
    frame = joined.frame
    assert frame.columns[: cohort.frame.width] == cohort.frame.columns
    slots = [columns.column_values(frame.get_column(columns.evidence_column(n)), EVIDENCE) for n in range(len(policy.evidence))]
    return ("ok", {id_: _canonical(lists) for id_, lists in zip(frame["id"], zip(*slots))})


def _same(path, policy, applicants_path=APPLICANTS, lenient_only=False, **options):
    for lenient in (True,) if lenient_only else (False, True):
        expected = _old(path, policy, applicants_path, lenient, **options)
        assert _new(path, policy, applicants_path, lenient, **options) == expected
        assert _public(path, policy, applicants_path, lenient, **options) == expected


def _write(tmp_path, lines: list[str], name="evidence.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def test_the_example_evidence(conghua):
    _same(ROOT / "examples" / "conghua-2020" / "evidence.csv", conghua)
    assert _new(ROOT / "examples" / "conghua-2020" / "evidence.csv", conghua, APPLICANTS)[0] == "ok"


def test_items_are_sorted_by_date_then_value_equal_ones_in_file_order(conghua, tmp_path):
    path = _write(tmp_path, [
        "id,indicator,date,value",
        f"{IDS[0]},纳税,2019-01-01,1", f"{IDS[0]},纳税,2017-06-01,2.50", f"{IDS[0]},纳税,2017-06-01,2.5", f"{IDS[0]},纳税,2017-06-01,-1",
        f"{IDS[0]},纳税,2017-06-01,10", f"{IDS[1]},公益,2018年3月1日, 0.125 ", f"{IDS[1]},公益,2018-03-01,1", "", f" {IDS[2]} ,创新创业,2016/5/1,3",
    ])
    _same(path, conghua)
    ok, lists = _new(path, conghua, APPLICANTS)
    assert lists[IDS[0]][3] == ((dt.date(2017, 6, 1), -1, 0), (dt.date(2017, 6, 1), 250, -2), (dt.date(2017, 6, 1), 25, -1), (dt.date(2017, 6, 1), 10, 0), (dt.date(2019, 1, 1), 1, 0))


def test_values_too_far_apart_for_one_scale_are_sorted_all_the_same(conghua, tmp_path):
    path = _write(tmp_path, ["id,indicator,date,value", f"{IDS[0]},纳税,2019-01-01,{'9' * 30}", f"{IDS[0]},纳税,2019-01-01,0.{'0' * 20}1", f"{IDS[0]},纳税,2019-01-01,5"])
    _same(path, conghua)


def test_every_problem_in_file_order(conghua, tmp_path):
    path = _write(tmp_path, [
        "申请编号,指标,日期,分值",
        f"{IDS[0]},纳税,2018-01-01,1",
        "B7,纳税,2018-01-01,1",
        f"{IDS[0]},创业,2018-01-01,1",
        f"{IDS[1]},居住证,2018-01-01,1",
        f"{IDS[1]},纳税,2018-02-30,x",
        f"{IDS[0]}x,公益,,",
        f"{IDS[0]},公益",
        ",,,",
        f"{IDS[2]},纳税,2018-01-01,1,extra",
        "ch2020-e01,其他,2018-01-01,1",
    ])
    _same(path, conghua)


def test_the_header_and_what_is_not_an_evidence_file(conghua, tmp_path):
    _same(_write(tmp_path, ["id,指标,date,points,amount"]), conghua)
    _same(_write(tmp_path, ["id,date"], name="short.csv"), conghua)
    _same(_write(tmp_path, ["id,indicator,date,value"], name="header.csv"), conghua)
    _same(tmp_path / "missing.csv", conghua)
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "x", "indicator": "纳税", "date": "2018-01-01", "value": 1}\nnot json\n', encoding="utf-8")
    _same(broken, conghua)
    haizhu = load_policy(ROOT / "policies" / "haizhu" / "2022.jifen").policy
    assert _new(_write(tmp_path, ["id,indicator,date,value"]), haizhu, ROOT / "examples" / "haizhu-2022" / "applicants.csv") == _old(
        _write(tmp_path, ["id,indicator,date,value"]), haizhu, ROOT / "examples" / "haizhu-2022" / "applicants.csv"
    )


def test_a_workbook_and_json(conghua, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["申请编号", "指标", "日期", "分值"])
    sheet.append([IDS[0], "纳税", dt.date(2018, 1, 1), 1.5])
    sheet.append([IDS[2], "公益", dt.datetime(2018, 1, 1), 2])
    book.save(tmp_path / "evidence.xlsx")
    _same(tmp_path / "evidence.xlsx", conghua)
    assert _new(tmp_path / "evidence.xlsx", conghua, APPLICANTS)[1][IDS[0]][3] == ((dt.date(2018, 1, 1), 15, -1),)
    sheet.append([IDS[1], "公益", dt.date(2018, 1, 1), "=1+1"])
    book.save(tmp_path / "formula.xlsx")
    _same(tmp_path / "formula.xlsx", conghua)
    (tmp_path / "evidence.json").write_text(
        f'[{{"id": "{IDS[0]}", "indicator": "纳税", "date": "2018-01-01", "value": 1.50}}, {{"id": "{IDS[1]}", "indicator": "公益", "date": "2018-01-01", "value": [1]}}]',
        encoding="utf-8",
    )
    _same(tmp_path / "evidence.json", conghua)


def test_the_evidence_of_an_applicant_a_lenient_reading_set_aside_is_skipped(conghua, tmp_path):
    source = APPLICANTS.read_text(encoding="utf-8").splitlines()
    source[1] = source[1].replace("2014", "2014x", 1)  # the first applicant's birth date spoilt
    applicants = tmp_path / "applicants.csv"
    applicants.write_text("\n".join(source) + "\n", encoding="utf-8")
    first = source[1].split(",")[0]
    path = _write(tmp_path, ["id,indicator,date,value", f"{first},纳税,2018-01-01,1", f"{IDS[2]},纳税,2018-01-01,2"])
    assert _old(path, conghua, applicants, lenient=True)[0] == "ok"
    _same(path, conghua, applicants, lenient_only=True)


def test_ids_compare_as_the_applicant_files_do(conghua, tmp_path):
    path = _write(tmp_path, ["id,indicator,date,value", f"{IDS[0]}\u200b,纳税,2018-01-01,1", f"{IDS[1].replace('C', 'Ｃ')},纳税,2018-01-01,1"])
    _same(path, conghua)


def test_applicants_given_with_an_id_twice_get_their_items_as_the_reference_gives_them(conghua, tmp_path):
    import attrs

    applicants = load_applicants(str(APPLICANTS), conghua).applicants
    first = applicants[0]
    twins = [attrs.evolve(first, row=90), attrs.evolve(first, row=91, id=first.id.replace("C", "Ｃ", 1))]
    given = [*applicants, *twins, attrs.evolve(applicants[1], row=92)]
    path = _write(tmp_path, ["id,indicator,date,value", f"{first.id},纳税,2018-01-01,1", f"{IDS[1]},纳税,2018-01-01,2"])
    fields = len(conghua.read_fields)
    got = [(a.row, a.id, _canonical(a.record[fields:])) for a in read_evidence(path, conghua, given)]
    assert got == [(a.row, a.id, _canonical(a.record[fields:])) for a in read_evidence_reference(path, conghua, given)]
    assert sum(1 for _, _, lists in got if any(lists)) >= 2
