"""Evidence files: joined to applicants by id, counted only within their windows, every problem reported."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.errors import DataError
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.data.evidence import attach_evidence, read_evidence
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.messages import render

from ..conftest import BASE_APPLICANT, POLICIES

CONGHUA = str(POLICIES / "conghua" / "2020.jifen")
HAIZHU = str(POLICIES / "haizhu" / "2022.jifen")


@pytest.fixture(scope="module")
def conghua():
    return load_policy(CONGHUA)


def applicants_of(compiled, ids=("A1", "A2", "A3")):
    header = list(BASE_APPLICANT)
    rows = [(i + 2, [{**BASE_APPLICANT, "id": id_}[h] for h in header]) for i, id_ in enumerate(ids)]
    return records_from_rows("applicants.csv", header, rows, compiled.policy)


def scores(compiled, applicants) -> dict[str, dict[str, Decimal]]:
    titles = [ind.title for ind in compiled.policy.points.indicators]
    return {e.id: dict(zip(titles, e.scores)) for e in evaluate(compiled, applicants)}


def write(tmp_path, text: str, name: str = "evidence.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_tax_years_count_from_their_first_to_their_last_day(conghua, tmp_path):
    path = write(tmp_path, "\n".join([
        "申请编号,指标,日期,分值",
        "A1,纳税,2016-12-31,100",  # a day before the window
        "A1,纳税,2017-01-01,1",  # its first day
        "A1,纳税,2019-12-31,2",  # its last day
        "A1,纳税,2020-01-01,100",  # a day after
    ]) + "\n")
    result = scores(conghua, read_evidence(path, conghua.policy, applicants_of(conghua)))
    assert result["A1"]["纳税"] == Decimal(3)


def test_five_years_before_the_end_of_acceptance(conghua, tmp_path):
    # Innovation, social service and public welfare: within 5 years before 2020-04-30, both ends included.
    path = write(tmp_path, "\n".join([
        "id,indicator,date,points",
        "A1,创新创业,2015-04-29,100",
        "A1,创新创业,2015-04-30,1",
        "A1,创新创业,2020-04-30,2",
        "A1,创新创业,2020-05-01,100",
        "A2,社会服务,2015-04-30,4",
        "A2,公益,2020-04-30,5.5",
    ]) + "\n")
    result = scores(conghua, read_evidence(path, conghua.policy, applicants_of(conghua)))
    assert result["A1"]["创新创业"] == Decimal(3)
    assert (result["A2"]["社会服务"], result["A2"]["公益"]) == (Decimal(4), Decimal("5.5"))
    assert (result["A3"]["创新创业"], result["A3"]["纳税"]) == (Decimal(0), Decimal(0))  # no evidence counts zero
    assert isinstance(result["A1"]["创新创业"], Decimal)


def test_evidence_for_unknown_applicants_and_indicators_is_refused_all_at_once(conghua, tmp_path):
    path = write(tmp_path, "\n".join([
        "申请编号,指标,日期,分值",
        "A1,纳税,2018-01-01,1",
        "B7,纳税,2018-01-01,1",
        "A1,创业,2018-01-01,1",
        "A2,居住证,2018-01-01,1",
        "A2,纳税,2018-02-30,x",
        "A1x,公益,2018-01-01,1",
    ]) + "\n")
    with pytest.raises(DataError) as info:
        read_evidence(path, conghua.policy, applicants_of(conghua))
    lines = info.value.render().splitlines()
    assert lines[0] == f"{path}: the evidence has problems"
    assert lines[1:-1] == [
        f"error[D0705]: {path}:3:1: no applicant has the id 'B7'",
        f"error[D0707]: {path}:4:2: unknown indicator '创业' (did you mean '创新创业'? the policy counts evidence for 创新创业, 社会服务, 公益, 纳税)",
        f"error[D0706]: {path}:5:2: the policy counts no evidence for the indicator '居住证'; it counts evidence for 创新创业, 社会服务, 公益, 纳税",
        f"error[D0401]: {path}:6:3: column 'date': '2018-02-30' is not a calendar date",
        f"error[D0407]: {path}:6:4: column 'value': 'x' is not a number",
        f"error[D0705]: {path}:7:1: no applicant has the id 'A1x' (did you mean 'A1'?)",
    ]
    assert lines[-1] == "6 problems found; nothing was written"


def test_the_header_needs_each_column_once(conghua, tmp_path):
    path = write(tmp_path, "id,指标,date,points,amount\n")
    with pytest.raises(DataError) as info:
        read_evidence(path, conghua.policy, applicants_of(conghua))
    assert "the column 'value' appears twice: 'points', 'amount'" in info.value.render()
    path = write(tmp_path, "id,date\n", name="short.csv")
    with pytest.raises(DataError) as info:
        read_evidence(path, conghua.policy, applicants_of(conghua))
    text = info.value.render()
    assert "missing column 'indicator' ('指标')" in text and "missing column 'value' ('points' or 'amount'" in text


def test_a_policy_that_counts_no_evidence_refuses_an_evidence_file(tmp_path):
    haizhu = load_policy(HAIZHU)
    path = write(tmp_path, "id,indicator,date,value\n")
    with pytest.raises(DataError) as info:
        read_evidence(path, haizhu.policy, applicants_of(haizhu))
    assert "不计算任何证明材料" in info.value.render()  # the policy's language
    assert "counts no evidence" in render(info.value.problems[0], "en")


def test_an_english_policy_takes_indicator_names_or_titles(write_policy):
    path = write_policy('requirement r "r": true\n', tail='''
points {
    total = points
    indicator innovation "Innovation and enterprise" = evidence innovation dated within 1 workday before 2020-05-06
    indicator tax "Tax" = evidence tax
}
tiebreak { indicators descending id ascending }
''')
    compiled = load_policy(path)
    assert compiled.policy.evidence == ("innovation", "tax")
    rows = [
        (2, ["A1", "Innovation and enterprise", "2020-04-29", "1"]),  # before the window 04-30 .. 05-06: one working day back, over the holiday
        (3, ["A1", "innovation", "2020-04-30", "2"]),
        (4, ["A1", "tax", "1999-01-01", "3"]),  # no window: every item counts
        (5, ["A1", "Tax", "2030-01-01", "4"]),
    ]
    applicants = attach_evidence("e.csv", ["id", "indicator", "date", "amount"], rows, compiled.policy, applicants_of(compiled, ("A1",)))
    (result,) = evaluate(compiled, applicants)
    assert result.scores == (Decimal(2), Decimal(7))


def test_evidence_is_sorted_and_kept_after_the_fields(conghua, tmp_path):
    path = write(tmp_path, "id,indicator,date,value\nA1,纳税,2019-01-01,1\nA1,纳税,2017-06-01,2\n\n")
    (first, *_rest) = read_evidence(path, conghua.policy, applicants_of(conghua))
    fields = len(conghua.policy.read_fields)
    assert first.record[fields:] == ((), (), (), ((dt.date(2017, 6, 1), Decimal(2)), (dt.date(2019, 1, 1), Decimal(1))))


def test_the_csv_module_reads_what_we_write(tmp_path, conghua):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["申请编号", "指标", "日期", "分值"])
    writer.writerow(["A1", "公益", "2019年3月1日", "2"])
    path = write(tmp_path, buffer.getvalue())
    result = scores(conghua, read_evidence(path, conghua.policy, applicants_of(conghua)))
    assert result["A1"]["公益"] == Decimal(2)


def test_an_evidence_file_is_part_of_a_reproducible_run(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from jifen_dsl.cli import cli

    from ..conftest import ROOT

    monkeypatch.chdir(ROOT)
    out = tmp_path / "run"
    evidence = tmp_path / "evidence.csv"
    evidence.write_bytes((ROOT / "examples" / "conghua-2020" / "evidence.csv").read_bytes())
    args = ["evaluate", "policies/conghua/2020.jifen", "examples/conghua-2020/applicants.csv", "--evidence", str(evidence), "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["arguments"]["evidence"]["path"] == str(evidence)
    assert manifest["inputs"]["evidence"]["rows"] > 0
    verified = CliRunner().invoke(cli, ["--lang", "en", "verify-run", str(out)])
    assert verified.exit_code == 0 and "verified" in verified.output
    evidence.write_text(evidence.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    changed = CliRunner().invoke(cli, ["verify-run", str(out)])
    assert changed.exit_code == 1
    assert f"{evidence}: the evidence file changed since the run" in changed.output
