"""jifen diff: clause by clause, parameters, moved dates, the JSON and CSV forms; the cohort impact and its causes."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from click.testing import CliRunner

from jifen_dsl.cli import cli
from jifen_dsl.years.diff import diff, load_side
from jifen_dsl.errors import DataError
from jifen_dsl.years.impact import impact

from ..conftest import BASE_APPLICANT, EN_HEADER, EN_TAIL, FIELDS_IMPORT, ROOT, policy_folder, rows_to_csv


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@pytest.fixture
def pair(tmp_path):
    """Write old.jifen and new.jifen (header, shared fields, body, tail) and return their paths."""
    folder = policy_folder(tmp_path)

    def write(old_body: str, new_body: str, *, old_header: str = EN_HEADER, new_header: str = EN_HEADER) -> tuple[str, str]:
        paths = []
        for name, header, body in (("old.jifen", old_header, old_body), ("new.jifen", new_header, new_body)):
            path = folder / name
            path.write_text(header + FIELDS_IMPORT + body + EN_TAIL, encoding="utf-8")
            paths.append(str(path))
        return tuple(paths)

    return write


def changes_of(old: str, new: str):
    return diff(load_side(old), load_side(new))


def by_id(changes):
    return {c.id: c for c in changes}


# ------------------------------------------------------------------ clauses


def test_identical_policies_have_no_changes():
    assert changes_of("policies/haizhu/2022.jifen", "policies/haizhu/2022.jifen") == []


def test_names_and_labels_and_either_spelling_are_the_same_clause(pair):
    old, new = pair(
        'requirement r "Permit": permit_start + 1 year <= as_of\n',
        'requirement r "Permit": 「居住证起始日期」 + 1年 不晚于 基准日\n',
    )
    assert changes_of(old, new) == []


def test_a_birth_window_reads_as_a_parameter(pair):
    old, new = pair(
        'requirement born "Born": child_birth_date between 2015-09-01 and 2016-08-31\n',
        'requirement born "Born": child_birth_date <= 2017-08-31\n',
    )
    (change,) = changes_of(old, new)
    assert (change.id, change.change) == ("requirement:born", "changed")
    assert [(s.name, s.old, s.new) for s in change.aspects] == [
        ("condition", "child_birth_date between 2015-09-01 and 2016-08-31", "child_birth_date <= 2017-08-31"),
    ]
    assert [(p.subject, p.old, p.new) for p in change.parameters] == [("child_birth_date", "2015-09-01..2016-08-31", "..2017-08-31")]


def test_a_constant_inside_a_condition_reads_as_a_parameter(pair):
    old, new = pair(
        'requirement long "Long": district_permit_start + 5 years <= as_of\n',
        'requirement long "Long": district_permit_start + 3 years <= as_of\n',
    )
    (change,) = changes_of(old, new)
    assert [(p.subject, p.old, p.new) for p in change.parameters] == [("district_permit_start + 5 years <= as_of", "5 years", "3 years")]


def test_any_of_three_to_any_of_two(pair):
    old, new = pair(
        'requirement link "Link": residence_district = "海珠区" or work_district = "海珠区" or insurance_district = "海珠区"\n',
        'requirement link "Link": residence_district = "海珠区" or (work_district = "海珠区" and insurance_active)\n',
    )
    (change,) = changes_of(old, new)
    aspects = [(s.name, s.old, s.new) for s in change.aspects[1:]]
    assert aspects == [
        ("conditions (any of)", "3", "2"),
        ("condition taken out", 'work_district = "海珠区"', None),
        ("condition taken out", 'insurance_district = "海珠区"', None),
        ("condition put in", None, 'work_district = "海珠区" and insurance_active'),
    ]


def test_wording_only_changes_are_marked(pair):
    old, new = pair('requirement r "Old title" cite "1": true or permit_start < as_of\n', 'requirement r "New title" cite "2": true or permit_start < as_of\n')
    (change,) = changes_of(old, new)
    assert change.wording_only and [s.name for s in change.aspects] == ["title", "cite"]


def test_added_removed_and_moved_with_the_year():
    changes = by_id(changes_of("policies/haizhu/2022.jifen", "policies/haizhu/2023.jifen"))
    assert changes["header:year"].moved_with_year and changes["header:as_of"].moved_with_year
    assert changes["phase:网上申请"].moved_with_year  # the dates moved; only the citation changed besides
    assert not changes["requirement:一年级出生日期"].moved_with_year
    baiyun = by_id(changes_of("policies/baiyun/2022.jifen", "policies/baiyun/2023.jifen"))
    assert baiyun["phase:in_force"].change == "removed" and baiyun["phase:clearing"].change == "added"
    assert baiyun["field:baiyun_residence_start"].new == 'field baiyun_residence_start "本区居住起始日期": date optional'


def test_rates_settings_order_and_sections(pair):
    old, new = pair(
        'batches { batch a "A": child_enrolled batch b "B": otherwise }\n'
        'allocation { choices 5 }\nsubsidies { rate private primary 2500 semesters_per_year 2 }\n',
        'batches { batch a "A": child_enrolled batch c "C": insurance_active batch b "B": otherwise }\n'
        'allocation { choices 3 }\nsubsidies { rate private primary 2600 semesters_per_year 2 }\npublication { names keep first 1 last 0 }\n',
    )
    changes = by_id(changes_of(old, new))
    assert [(p.subject, p.old, p.new) for p in changes["rate:private primary"].parameters] == [("rate private primary", "2500", "2600")]
    assert [(p.subject, p.old, p.new) for p in changes["setting:choices"].parameters] == [("choices", "5", "3")]
    assert changes["batch:c"].change == "added"
    assert changes["section:publication"].change == "added"


def test_the_tiebreak_chain_is_one_clause(pair):
    old, new = pair("", "")
    text = open(new, encoding="utf-8").read().replace("tiebreak { id ascending }", "tiebreak { child_birth_date ascending id ascending }")
    with open(new, "w", encoding="utf-8") as handle:
        handle.write(text)
    (change,) = changes_of(old, new)
    assert change.id == "tiebreak:tiebreak"
    assert change.aspects[0].old == "id ascending" and change.aspects[0].new == "child_birth_date ascending\nid ascending"


# ------------------------------------------------------------------ the command


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_diff_json_has_stable_keys():
    done = run("diff", "policies/haizhu/2022.jifen", "policies/haizhu/2023.jifen", "--format", "json")
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert set(data) == {"old", "new", "changes"}
    assert data["new"] == {"path": "policies/haizhu/2023.jifen", "district": "海珠区", "year": 2023, "language": "zh"}
    change = next(c for c in data["changes"] if c["id"] == "requirement:一年级出生日期")
    assert set(change) == {"id", "clause", "name", "change", "grade", "moved_with_year", "wording_only", "old", "new", "aspects", "parameters"}
    assert change["parameters"] == [{"subject": "「出生日期」", "old": "2015-09-01..2016-08-31", "new": "..2017-08-31"}]
    assert change["grade"] == "G1"


def test_diff_csv_has_one_row_per_change():
    done = run("diff", "policies/baiyun/2022.jifen", "policies/baiyun/2023.jifen", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["id"] for r in rows][:3] == ["header:title", "header:year", "header:as_of"]
    assert {r["id"]: r["change"] for r in rows}["batch:first"] == "changed"


def test_diff_text_labels_follow_the_new_policys_language():
    english = run("diff", "policies/haizhu/2022.jifen", "policies/baiyun/2022.jifen").stdout
    assert "requirement 居住证满一年: removed" in english
    chinese = run("diff", "policies/baiyun/2022.jifen", "policies/haizhu/2022.jifen").stdout
    assert "要求 居住证满一年：新增" in chinese


def test_diff_errors_are_project_errors(tmp_path):
    done = run("diff", "policies/haizhu/2022.jifen", str(tmp_path / "missing.jifen"))
    assert done.exit_code == 1 and "政策文件不存在" in done.stderr and "Traceback" not in done.output  # after a Chinese policy
    done = run("--lang", "en", "diff", "policies/haizhu/2022.jifen", str(tmp_path / "missing.jifen"))
    assert done.exit_code == 1 and "no such policy file" in done.stderr and "Traceback" not in done.output
    done = run("diff", "policies/haizhu/2022.jifen", "policies/guangzhou/fields.jifen")
    assert done.exit_code == 1 and "is a library" in done.stderr
    usage = run("diff", "policies/haizhu/2022.jifen", "policies/haizhu/2023.jifen", "--schools", "examples/haizhu-2022/schools.csv")
    assert usage.exit_code == 2 and "--applicants" in usage.output


# ------------------------------------------------------------------ the impact


def test_each_change_is_run_alone_to_find_who_it_affects():
    result = impact("policies/haizhu/2022.jifen", "policies/haizhu/2023.jifen", "examples/haizhu-2022/applicants.csv")
    assert result.year == 2022 and result.moved == (0, -1)
    e01 = next(x for x in result.affected if x.id == "HZ2022-E01")
    assert e01.changed == ("eligible", "failed", "rank")
    assert (e01.old.eligible, e01.new.eligible, e01.old.failed, e01.new.failed) == (False, True, ("一年级出生日期",), ())
    assert e01.causes == ("requirement:一年级出生日期",)
    assert result.summary["gain_eligibility"] == 7 and result.summary["lose_eligibility"] == 0
    assert "change_school" not in result.summary  # no schools file: no places


def test_a_change_from_a_combination_is_said_to_be(pair, tmp_path):
    old, new = pair(
        'requirement a "A": residence_district = "海珠区"\nrequirement b "B": work_district = "海珠区"\n',
        'requirement a "A": residence_district = "天河区"\nrequirement b "B": work_district = "天河区"\n',
    )
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(rows_to_csv([
        {**BASE_APPLICANT, "id": "both", "residence_district": "天河区", "work_district": "天河区"},
        {**BASE_APPLICANT, "id": "one", "residence_district": "天河区", "work_district": "海珠区"},
    ]), encoding="utf-8")
    result = impact(old, new, str(cohort))
    both = next(x for x in result.affected if x.id == "both")
    assert both.old.failed == ("a", "b") and both.new.failed == ()
    assert both.causes == ()  # neither change alone makes the applicant eligible
    assert dict(both.by_aspect)["eligible"] == ()
    one = next(x for x in result.affected if x.id == "one")
    assert (one.old.failed, one.new.failed) == (("a",), ("b",))
    # Changing a alone clears a; b fails only with its change: no single change gives ("b",).
    assert one.causes == () and dict(one.by_aspect)["failed"] == ()


def test_with_schools_places_are_compared_too():
    result = impact(
        "policies/baiyun/2022.jifen", "policies/baiyun/2023.jifen", "examples/baiyun-2022/applicants.csv", "examples/baiyun-2022/schools.csv",
    )
    assert result.summary["change_batch"] == 15 and result.summary["change_school"] == 7
    moved = next(x for x in result.affected if x.id == "BY2022-E07")
    assert (moved.old.batch, moved.new.batch) == ("first", "second") and moved.causes == ("batch:first",)


def test_the_cohort_must_have_the_columns_both_policies_read(pair, tmp_path):
    old, new = pair("", 'field extra "额外": text\nrequirement e "Extra": extra = "x"\n')
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(rows_to_csv([BASE_APPLICANT]), encoding="utf-8")
    with pytest.raises(DataError) as info:
        impact(old, new, str(cohort))
    text = info.value.render()
    assert f"the header does not fit the policy {new}" in text and "missing column 'extra' (额外)" in text


def test_impact_json_and_csv(tmp_path):
    args = ["diff", "policies/haizhu/2022.jifen", "policies/haizhu/2023.jifen", "--applicants", "examples/haizhu-2022/applicants.csv",
            "--schools", "examples/haizhu-2022/schools.csv"]
    data = json.loads(run(*args, "--format", "json").stdout)
    assert set(data) == {"old", "new", "cohort", "schools", "year", "moved", "summary", "changes", "applicants"}
    first = data["applicants"][0]
    assert set(first) == {"id", "grade", "changed", "old", "new", "causes", "combination", "causes_by_aspect"}
    assert set(first["old"]) == {"eligible", "failed", "batch", "rank", "status", "school"}
    assert {c["run"] for c in data["changes"]} == {"alone", "wording only"}
    out = tmp_path / "impact.csv"
    assert run(*args, "--format", "csv", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == data["summary"]["affected"]
    assert rows[0]["id"] == "HZ2022-E01" and rows[0]["old_status"] == "ineligible" and rows[0]["new_status"] == "admitted"
    assert rows[0]["causes"] == "requirement:一年级出生日期" and rows[0]["combination"] == "false"


def test_the_cohort_year_moves_both_policies():
    # The 2022 cohort compared in 2023: every 2022 application time falls outside the 2023 window.
    result = impact("policies/haizhu/2022.jifen", "policies/haizhu/2023.jifen", "examples/haizhu-2022/applicants.csv", year=2023)
    assert result.moved == (1, 0)
    assert all("按时网上申请" in x.old.failed for x in result.affected if x.old.failed and x.id.startswith("HZ2022-E0"))


def test_a_change_that_cannot_stand_alone_is_said_so(pair, tmp_path):
    old, new = pair(
        'schedule { phase a "A" from 2022-04-01 to 2022-04-10 then phase b "B" from 2022-04-11 to 2022-04-20 }\n'
        'requirement on_time "On time": applied_at within a\n',
        'schedule { phase a "A" from 2022-05-01 to 2022-05-10 then phase b "B" from 2022-05-11 to 2022-05-20 }\n'
        'requirement on_time "On time": applied_at within a\n',
    )
    cohort = tmp_path / "cohort.csv"
    cohort.write_text(rows_to_csv([{**BASE_APPLICANT, "applied_at": "2022-05-02 10:00"}]), encoding="utf-8")
    result = impact(old, new, str(cohort))
    assert "the phase 'b' is declared to follow 'a'" in result.notes["phase:a"].render("en")
    (person,) = result.affected
    assert person.old.failed == ("on_time",) and person.new.failed == ()
    assert person.causes == ()  # phase a cannot move alone, and moving b alone changes nothing for this applicant
    text = run("diff", old, new, "--applicants", str(cohort)).stdout
    assert "[1] phase a: changed - cannot be run alone: the phase 'b' is declared to follow 'a'" in text


def test_evidence_counts_in_the_impact(tmp_path):
    # A policy extends only within its library: this one's holds a copy of the 2020 policy it widens.
    folder = policy_folder(tmp_path, "conghua")
    shutil.copyfile(ROOT / "policies" / "conghua" / "2020.jifen", folder / "2020.jifen")
    wider = folder / "wider.jifen"
    wider.write_text(
        "政策 “测试” 区 “从化区” 年度 2020 基准日 2020年8月31日 来源 “测试”\n"
        "继承 “2020.jifen”\n"
        "积分 ｛ 修改 指标 「创新创业」 “创新创业” = 材料 「创新创业」 日期 在 截止时间（「积分受理」） 前 6年 内 ｝\n",
        encoding="utf-8",
    )
    args = ("policies/conghua/2020.jifen", str(wider), "examples/conghua-2020/applicants.csv")
    # CH2020-E03's innovation evidence of 2015-04-29 counts in a six-year window, and puts it ahead of CH2020-E01.
    result = impact(*args, evidence="examples/conghua-2020/evidence.csv")
    assert [(x.id, x.old.rank, x.new.rank, x.causes) for x in result.affected] == [
        ("CH2020-E01", 27, 28, ("indicator:创新创业",)),
        ("CH2020-E03", 28, 27, ("indicator:创新创业",)),
    ]
    assert impact(*args).affected == ()  # without the evidence file nobody has evidence


def test_a_bound_named_by_a_definition_still_reads_as_a_window(pair):
    old, new = pair(
        'requirement born "Born": child_birth_date between 2015-09-01 and 2016-08-31\n',
        'define latest = 2017-08-31\nrequirement born "Born": child_birth_date <= latest\n',
    )
    change = by_id(changes_of(old, new))["requirement:born"]
    assert [(p.subject, p.old, p.new) for p in change.parameters] == [("child_birth_date", "2015-09-01..2016-08-31", "..2017-08-31")]
