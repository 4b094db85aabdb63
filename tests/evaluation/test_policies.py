"""The shipped policies at each cut-off: the day before, on and after, and the seeds' scenarios."""

from __future__ import annotations

import pytest

from ..conftest import POLICIES, evaluate_rows, failed_names

HAIZHU = str(POLICIES / "haizhu" / "2022.jifen")
BAIYUN = str(POLICIES / "baiyun" / "2022.jifen")
CONGHUA = str(POLICIES / "conghua" / "2020.jifen")

BAIYUN_BASE = {"residence_district": "白云区", "work_district": "白云区", "insurance_district": "白云区"}
CONGHUA_BASE = {
    "residence_district": "从化区", "work_district": "从化区", "insurance_district": "从化区",
    "permit_start": "2018-01-01", "applied_at": "", "child_birth_date": "2014-03-01",
}


def outcome(policy: str, **row) -> list[str]:
    compiled, results = evaluate_rows(policy, [row])
    return failed_names(compiled, results[row.get("id", "A1")])


# ------------------------------------------------------------------ Haizhu 2022


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [("2015-08-31", False), ("2015-09-01", True), ("2015-09-02", True),
     ("2016-08-30", True), ("2016-08-31", True), ("2016-09-01", False)],
)
def test_haizhu_grade1_birth_window(birth, eligible):
    failed = outcome(HAIZHU, child_birth_date=birth)
    assert (failed == []) is eligible
    assert failed in ([], ["一年级出生日期"])


@pytest.mark.parametrize(("start", "eligible"), [("2021-08-30", True), ("2021-08-31", True), ("2021-09-01", False)])
def test_haizhu_permit_one_year_by_31_august(start, eligible):
    assert (outcome(HAIZHU, permit_start=start) == []) is eligible


@pytest.mark.parametrize(
    ("applied", "eligible"),
    [("2022-04-25 08:59", False), ("2022-04-25 09:00", True), ("2022-05-10 17:00", True),
     ("2022-05-10 17:01", False), ("", True)],
)
def test_haizhu_online_application_window(applied, eligible):
    assert (outcome(HAIZHU, applied_at=applied) == []) is eligible


@pytest.mark.parametrize(
    ("residence", "work", "insured", "eligible"),
    [
        ("海珠区", "", "false", True),  # lives in Haizhu
        ("天河区", "海珠区", "true", True),  # works in Haizhu and still pays insurance
        ("天河区", "海珠区", "false", False),  # works there but insurance stopped
        ("", "海珠区", "true", True),  # residence unknown: the work condition alone decides
        ("天河区", "天河区", "true", False),
    ],
)
def test_haizhu_district_link(residence, work, insured, eligible):
    failed = outcome(HAIZHU, residence_district=residence, work_district=work, insurance_active=insured)
    assert (failed == []) is eligible


def test_haizhu_district_link_with_nothing_known_fails_naming_the_missing_value():
    compiled, results = evaluate_rows(HAIZHU, [{"residence_district": "", "work_district": ""}])
    e = results["A1"]
    assert failed_names(compiled, e) == ["在海珠居住或就业"]
    assert e.missing == ((2, "residence_district"),)


@pytest.mark.parametrize(("hukou", "eligible"), [("湖南", True), ("广州", False), ("香港", False), ("澳门", False), ("台湾", False)])
def test_haizhu_child_hukou(hukou, eligible):
    assert (outcome(HAIZHU, child_hukou=hukou) == []) is eligible


@pytest.mark.parametrize(("year", "eligible"), [("2022", True), ("2021", False), ("", False)])
def test_haizhu_grade7_graduates_of_this_year(year, eligible):
    row = {"grade": "G7", "child_birth_date": "2010-03-01", "primary_graduation_year": year}
    assert (outcome(HAIZHU, **row) == []) is eligible


def test_haizhu_reports_every_failed_requirement_with_its_values():
    compiled, results = evaluate_rows(
        HAIZHU,
        [{"permit_start": "2022-01-01", "child_hukou": "广州", "points_status": "disputed", "child_birth_date": "2014-01-01"}],
    )
    e = results["A1"]
    assert failed_names(compiled, e) == ["居住证满一年", "积分已核定", "子女外地户籍", "一年级出生日期"]
    from jifen_dsl.evaluation.report import evaluation_records

    record = evaluation_records(compiled, [e])[0]
    assert record["failed_details"][0]["values"] == {"居住证起始日期": "2022-01-01", "基准日": "2022-08-31"}
    assert record["failed_details"][2]["values"]["随迁子女户籍"] == "广州"


def test_haizhu_ties_go_by_indicator_scores_in_table_order():
    rows = [
        {"id": "A", "points": "100", "ind_permit": "24", "ind_housing": "20"},
        {"id": "B", "points": "100", "ind_permit": "32", "ind_housing": "12"},  # more permit points: first
        {"id": "C", "points": "100", "ind_permit": "24", "ind_housing": "25"},  # same permit, more housing
        {"id": "D", "points": "101", "ind_permit": "0", "ind_housing": "0"},  # more points beats any tie-break
    ]
    _, results = evaluate_rows(HAIZHU, rows)
    assert {i: results[i].rank for i in "ABCD"} == {"D": 1, "B": 2, "C": 3, "A": 4}


# ------------------------------------------------------------------ Baiyun 2022


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [("2016-08-30", True), ("2016-08-31", True), ("2016-09-01", False), ("2016-02-29", True), ("2010-01-01", True)],
)
def test_baiyun_six_by_31_august(birth, eligible):
    assert (outcome(BAIYUN, **BAIYUN_BASE, child_birth_date=birth) == []) is eligible


@pytest.mark.parametrize(("start", "eligible"), [("2021-08-30", True), ("2021-08-31", True), ("2021-09-01", False)])
def test_baiyun_permit_one_full_year(start, eligible):
    assert (outcome(BAIYUN, **BAIYUN_BASE, permit_start=start) == []) is eligible


@pytest.mark.parametrize(
    ("residence", "work", "insurance_district", "insured", "eligible"),
    [
        ("白云区", "", "", "false", True),
        ("天河区", "白云区", "", "false", True),
        ("天河区", "天河区", "白云区", "true", True),  # insurance paid through a Baiyun employer
        ("天河区", "天河区", "白云区", "false", False),
        ("", "", "", "true", False),
    ],
)
def test_baiyun_residence_or_employment(residence, work, insurance_district, insured, eligible):
    row = {"residence_district": residence, "work_district": work, "insurance_district": insurance_district, "insurance_active": insured}
    assert (outcome(BAIYUN, **row) == []) is eligible


def test_baiyun_points_in_dispute_or_adjustment_are_not_valid():
    assert outcome(BAIYUN, **BAIYUN_BASE, points_status="disputed") == ["points_verified"]
    assert outcome(BAIYUN, **BAIYUN_BASE, points_status="调整中") == ["points_verified"]


@pytest.mark.parametrize(
    ("district_start", "insurance_start", "batch"),
    [
        ("2017-08-30", "2017-08-30", "first"),
        ("2017-08-31", "2017-08-31", "first"),
        ("2017-09-01", "2017-08-31", "second"),
        ("2017-08-31", "2017-09-01", "second"),
        ("", "2010-01-01", "second"),  # no district permit period known: not shown to be five years
    ],
)
def test_baiyun_first_batch_five_consecutive_years(district_start, insurance_start, batch):
    compiled, results = evaluate_rows(BAIYUN, [{**BAIYUN_BASE, "district_permit_start": district_start, "insurance_start": insurance_start}])
    e = results["A1"]
    assert e.eligible
    assert compiled.policy.batches[e.batch].name == batch


def test_baiyun_first_batch_ranks_ahead_of_more_points():
    rows = [
        {**BAIYUN_BASE, "id": "SECOND", "points": "150", "district_permit_start": "2020-01-01"},
        {**BAIYUN_BASE, "id": "FIRST", "points": "90", "district_permit_start": "2015-01-01", "insurance_start": "2015-01-01"},
    ]
    compiled, results = evaluate_rows(BAIYUN, rows)
    assert results["FIRST"].rank == 1 and results["SECOND"].rank == 2


def test_baiyun_tie_break_chain_down_to_birth_date():
    base = {**BAIYUN_BASE, "points": "100", "ind_permit": "24", "ind_employment": "16", "ind_education": "10", "district_permit_start": "2020-01-01"}
    rows = [
        {**base, "id": "E", "ind_permit": "32"},  # more permit-years points
        {**base, "id": "D", "ind_employment": "20", "ind_housing": "0"},  # then employment
        {**base, "id": "C", "ind_education": "20"},  # then education
        {**base, "id": "B", "child_birth_date": "2015-12-01"},  # then the older child
        {**base, "id": "A", "child_birth_date": "2016-01-01"},
        {**base, "id": "Z", "child_birth_date": "2016-01-01", "ind_housing": "99"},  # housing is not in Baiyun's chain
    ]
    _, results = evaluate_rows(BAIYUN, rows)
    assert [i for i in sorted(results, key=lambda i: results[i].rank)] == ["E", "D", "C", "B", "A", "Z"]


def test_baiyun_grade7_sixth_graders_of_this_year():
    row = {**BAIYUN_BASE, "grade": "G7", "child_birth_date": "2010-03-01"}
    assert outcome(BAIYUN, **row, primary_graduation_year="2022") == []
    assert outcome(BAIYUN, **row, primary_graduation_year="2023") == ["in_grade_six_this_year"]


# ----------------------------------------------------------------- Conghua 2020


@pytest.mark.parametrize(("birth", "eligible"), [("2014-08-30", True), ("2014-08-31", True), ("2014-09-01", False), ("2014-02-28", True)])
def test_conghua_six_by_31_august(birth, eligible):
    assert (outcome(CONGHUA, **{**CONGHUA_BASE, "child_birth_date": birth}) == []) is eligible


@pytest.mark.parametrize(("start", "eligible"), [("2019-08-30", True), ("2019-08-31", True), ("2019-09-01", False)])
def test_conghua_permit_one_year(start, eligible):
    assert (outcome(CONGHUA, **{**CONGHUA_BASE, "permit_start": start}) == []) is eligible


@pytest.mark.parametrize(
    "change",
    [{"residence_district": "花都区"}, {"work_district": ""}, {"insurance_active": "false"}, {"insurance_district": "天河区"}],
)
def test_conghua_lives_works_and_insured_all_in_conghua(change):
    assert outcome(CONGHUA, **{**CONGHUA_BASE, **change}) == ["在从化居住就业参保"]


def test_conghua_points_must_be_verified_and_hk_macao_taiwan_residents_are_outside_the_system():
    assert outcome(CONGHUA, **{**CONGHUA_BASE, "points_status": "adjusting"}) == ["积分已核定"]
    assert outcome(CONGHUA, **{**CONGHUA_BASE, "applicant_hukou": "香港"}) == ["申请人非港澳台居民"]
    # a Hong Kong child of an eligible applicant is handled like any other
    assert outcome(CONGHUA, **{**CONGHUA_BASE, "child_hukou": "香港"}) == []
