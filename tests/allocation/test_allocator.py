"""Seat allocation: the seeds' scenarios, the schools file, and the allocator's own checks."""

from __future__ import annotations

import csv
import io

import pytest

from jifen_dsl.allocation.allocator import ADMITTED, NOT_QUALIFIED, UNPLACED, allocate
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.errors import DataError
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.schools import _schools, check_choices
from jifen_dsl.allocation.verify import AllocationError, verify
from jifen_dsl.messages import render

from ..conftest import BASE_APPLICANT, POLICIES

HAIZHU = str(POLICIES / "haizhu" / "2022.jifen")
BAIYUN = str(POLICIES / "baiyun" / "2022.jifen")
BAIYUN_BASE = {"residence_district": "白云区", "work_district": "白云区", "insurance_district": "白云区", "applied_at": ""}

ALLOCATION = {
    "points_first": "allocation { qualification seats mechanism points_first coordination file_order siblings together else coordinated clearing on }",
    "choice_first": "allocation { qualification seats mechanism choice_first coordination file_order siblings together else coordinated clearing on }",
}


def schools_from(spec: str, policy):
    """Schools from 'S1:2 S2:1 P3:1:private' (id:seats[:type]), all grade G1 unless the id starts with J."""
    rows = []
    for item in spec.split():
        sid, seats, *kind = item.split(":")
        rows.append([sid, f"school {sid}", kind[0] if kind else "public", "G7" if sid.startswith("J") else "G1", seats, "海珠区"])
    return _schools("schools.csv", ["id", "name", "type", "grade", "seats", "district"], rows, policy)


def run(policy_path: str, rows: list[dict], schools: str, *, trace: bool = False):
    compiled = load_policy(policy_path)
    header = list(BASE_APPLICANT)
    data = [(i + 2, [{**BASE_APPLICANT, **r}[h] for h in header]) for i, r in enumerate(rows)]
    applicants = records_from_rows("applicants.csv", header, data, compiled.policy)
    offer = schools_from(schools, compiled.policy)
    check_choices(applicants, compiled.policy, offer, "applicants.csv")
    allocation = allocate(compiled, evaluate(compiled, applicants), offer, trace=trace)
    verify(allocation, [a.id for a in applicants])
    return allocation, {p.id: p for p in allocation.placements}


def outcome(p) -> tuple:
    return (p.status, p.school.id if p.school else None, p.round)


@pytest.fixture
def policy_with(write_policy):
    def make(mechanism: str = "points_first", extra: str = "", siblings: str = "coordinated", qualification: str = "seats", coordination: str = "file_order", choices: str = ""):
        text = ALLOCATION[mechanism].replace("siblings together else coordinated", f"siblings together else {siblings}")
        text = text.replace("qualification seats", f"qualification {qualification}").replace("coordination file_order", f"coordination {coordination}")
        if choices:
            text = text.replace("allocation {", f"allocation {{ choices {choices}")
        return write_policy('requirement ok "ok": not child_enrolled\n' + extra + text + "\n")

    return make


def test_qualification_cuts_the_ranked_list_at_the_seat_count(policy_with):
    rows = [{"id": f"A{p}", "points": str(p), "choices": "S1"} for p in (90, 80, 70, 60)]
    _, placed = run(policy_with(), rows, "S1:2 S2:1")
    assert placed["A90"].status == ADMITTED and placed["A80"].status == ADMITTED
    assert placed["A70"].status == ADMITTED and placed["A70"].round == "coordinated"  # qualified, S1 full
    assert placed["A60"].status == NOT_QUALIFIED  # 3 seats for the grade: rank 4 is cut


def test_everyone_eligible_can_qualify(policy_with):
    rows = [{"id": f"A{p}", "points": str(p), "choices": "S1", "accepts_coordination": "false"} for p in (90, 80, 70)]
    _, placed = run(policy_with(qualification="all_eligible"), rows, "S1:1")
    assert [placed[i].status for i in ("A90", "A80", "A70")] == [ADMITTED, UNPLACED, UNPLACED]


def test_points_first_takes_the_best_free_choice_in_rank_order(policy_with):
    rows = [
        {"id": "high", "points": "90", "choices": "S1;S2"},
        {"id": "mid", "points": "80", "choices": "S1;S2"},
        {"id": "low", "points": "70", "choices": "S2;S1"},
    ]
    _, placed = run(policy_with(), rows, "S1:1 S2:2")
    assert outcome(placed["high"]) == (ADMITTED, "S1", "choice:1")
    assert outcome(placed["mid"]) == (ADMITTED, "S2", "choice:2")
    assert outcome(placed["low"]) == (ADMITTED, "S2", "choice:1")


def test_choice_first_fills_first_choices_before_second_choices(policy_with):
    rows = [
        {"id": "high", "points": "90", "choices": "S1;S2"},
        {"id": "mid", "points": "80", "choices": "S2;S1"},
        {"id": "low", "points": "70", "choices": "S2;S1"},
    ]
    # points first: high S1, mid S2 (the last seat there), low S1 is full -> coordinated... with S1:1 S2:1 S3:1
    _, pf = run(policy_with("points_first"), rows, "S1:1 S2:1 S3:1")
    assert [outcome(pf[i])[1:] for i in ("high", "mid", "low")] == [("S1", "choice:1"), ("S2", "choice:1"), ("S3", "coordinated")]
    rows[0]["choices"] = "S2;S1"
    rows[1]["choices"] = "S1;S2"
    rows[2]["choices"] = "S2;S3"
    _, cf = run(policy_with("choice_first"), rows, "S1:1 S2:1 S3:1")
    # round 1: high takes S2, mid takes S1, low's first choice S2 is gone; round 2: low takes S3
    assert [outcome(cf[i])[1:] for i in ("high", "mid", "low")] == [("S2", "choice:1"), ("S1", "choice:1"), ("S3", "choice:2")]


def test_choice_first_lets_a_first_choice_beat_more_points(policy_with):
    rows = [
        {"id": "high", "points": "90", "choices": "S1;S2"},
        {"id": "low", "points": "70", "choices": "S2;S1"},
    ]
    _, cf = run(policy_with("choice_first"), rows, "S1:0 S2:1 S3:1")
    # S1 has no seats; in round 1 low takes S2 as a first choice before high reaches it as a second
    assert outcome(cf["low"])[1:] == ("S2", "choice:1")
    assert outcome(cf["high"])[1:] == ("S3", "coordinated")
    _, pf = run(policy_with("points_first"), rows, "S1:0 S2:1 S3:1")
    assert outcome(pf["high"])[1:] == ("S2", "choice:2")


def test_coordinated_placement_accepted_or_refused(policy_with):
    rows = [
        {"id": "first", "points": "90", "choices": "S1"},
        {"id": "yes", "points": "80", "choices": "S1", "accepts_coordination": "是"},
        {"id": "no", "points": "70", "choices": "S1", "accepts_coordination": "否"},
    ]
    _, placed = run(policy_with(), rows, "S1:1 S2:1 S3:1")
    assert outcome(placed["yes"]) == (ADMITTED, "S2", "coordinated")
    assert outcome(placed["no"]) == (UNPLACED, None, None)


def test_coordination_by_most_free_seats(policy_with):
    rows = [{"id": "a", "points": "90", "choices": "S1"}, {"id": "b", "points": "80", "choices": "S1"}]
    _, placed = run(policy_with(coordination="most_free_seats"), rows, "S1:1 S2:1 S3:3")
    assert outcome(placed["b"]) == (ADMITTED, "S3", "coordinated")


def test_only_the_declared_number_of_choices_counts(policy_with):
    rows = [{"id": "a", "points": "90", "choices": "S1"}, {"id": "b", "points": "80", "choices": "S1;S2", "accepts_coordination": "false"}]
    _, placed = run(policy_with(choices="1"), rows, "S1:1 S2:1")
    assert outcome(placed["b"]) == (UNPLACED, None, None)


def test_baiyun_first_batch_is_placed_before_more_points():
    rows = [
        {**BAIYUN_BASE, "id": "second-batch", "points": "150", "district_permit_start": "2020-01-01", "choices": "S1"},
        {**BAIYUN_BASE, "id": "first-batch", "points": "90", "district_permit_start": "2015-01-01", "insurance_start": "2015-01-01", "choices": "S1", "accepts_coordination": "false"},
    ]
    allocation, placed = run(BAIYUN, rows, "S1:1 S2:1")
    assert outcome(placed["first-batch"]) == (ADMITTED, "S1", "choice:1")
    assert outcome(placed["second-batch"]) == (ADMITTED, "S2", "coordinated")


def test_haizhu_equal_points_decided_by_indicator_order():
    rows = [
        {"id": "more-housing", "points": "96", "ind_permit": "24", "ind_housing": "20", "choices": "S1", "accepts_coordination": "false"},
        {"id": "more-permit", "points": "96", "ind_permit": "32", "ind_housing": "12", "choices": "S1", "accepts_coordination": "false"},
    ]
    _, placed = run(HAIZHU, rows, "S1:1 S2:1")
    assert outcome(placed["more-permit"]) == (ADMITTED, "S1", "choice:1")
    assert placed["more-housing"].status == UNPLACED


def test_baiyun_chain_down_to_birth_date():
    base = {**BAIYUN_BASE, "points": "100", "ind_permit": "24", "ind_employment": "16", "ind_education": "10", "district_permit_start": "2020-01-01", "choices": "S1", "accepts_coordination": "false"}
    rows = [{**base, "id": "younger", "child_birth_date": "2016-05-01"}, {**base, "id": "older", "child_birth_date": "2016-04-30"}]
    _, placed = run(BAIYUN, rows, "S1:1 S2:1")
    assert outcome(placed["older"]) == (ADMITTED, "S1", "choice:1")
    assert placed["younger"].status == UNPLACED


def test_twins_need_room_for_both(policy_with):
    rows = [
        {"id": "first", "points": "95", "choices": "S1"},
        {"id": "twin-a", "points": "90", "choices": "S1;S2", "sibling_group": "T1"},
        {"id": "twin-b", "points": "60", "choices": "S1;S2", "sibling_group": "T1"},
        {"id": "single", "points": "85", "choices": "S1"},
    ]
    # S1 has 2 seats: 'first' takes one; the twins need two, so they go to S2 together at
    # twin-a's rank (ahead of 'single', who then takes the last seat at S1).
    _, placed = run(policy_with(), rows, "S1:2 S2:2")
    assert outcome(placed["twin-a"]) == outcome(placed["twin-b"]) == (ADMITTED, "S2", "choice:2")
    assert outcome(placed["single"]) == (ADMITTED, "S1", "choice:1")
    assert placed["twin-a"].group == placed["twin-b"].group == "T1"


@pytest.mark.parametrize(("fallback", "expected"), [("coordinated", (ADMITTED, "S3", "coordinated")), ("unplaced", (UNPLACED, None, None))])
def test_twins_nobody_can_take_together(policy_with, fallback, expected):
    rows = [
        {"id": "first", "points": "95", "choices": "S1;S2"},
        {"id": "twin-a", "points": "90", "choices": "S1;S2", "sibling_group": "T1"},
        {"id": "twin-b", "points": "90", "choices": "S1;S2", "sibling_group": "T1"},
    ]
    _, placed = run(policy_with(siblings=fallback), rows, "S1:2 S2:1 S3:2")
    assert outcome(placed["twin-a"]) == outcome(placed["twin-b"]) == expected


def test_clearing_round_fills_seats_left_by_the_unplaced(policy_with):
    rows = [
        {"id": "a", "points": "90", "choices": "S1"},
        {"id": "b", "points": "80", "choices": "S1", "accepts_coordination": "false", "clearing_choices": "S2"},
        {"id": "c", "points": "70", "choices": "", "accepts_coordination": "false", "clearing_choices": "S2;S3"},
    ]
    _, placed = run(policy_with(), rows, "S1:1 S2:1 S3:1")
    assert outcome(placed["b"]) == (ADMITTED, "S2", "clearing")
    assert outcome(placed["c"]) == (ADMITTED, "S3", "clearing")  # missed choice filling, chooses again


def test_allocation_is_per_grade(policy_with):
    rows = [
        {"id": "g1", "points": "90", "choices": "S1"},
        {"id": "g7", "grade": "G7", "points": "50", "choices": "J1", "child_birth_date": "2010-01-01"},
    ]
    _, placed = run(policy_with(), rows, "S1:1 J1:1")
    assert outcome(placed["g7"]) == (ADMITTED, "J1", "choice:1")


# ------------------------------------------------------------ schools file errors


def test_schools_file_problems_are_all_listed():
    policy = load_policy(HAIZHU).policy
    header = ["id", "name", "type", "grade", "seats", "district"]
    rows = [
        ["S1", "a", "public", "G1", "10", "海珠区"],
        ["S1", "b", "public", "G1", "10", "海珠区"],
        ["S2", "c", "state", "G1", "-3", "海珠区"],
        ["S3", "d", "民办", "G9", "ten", "海珠区"],
    ]
    with pytest.raises(DataError) as info:
        _schools("schools.csv", header, rows, policy)
    assert [render(p, "en") for p in info.value.problems] == [
        "schools.csv:3:1: duplicate school id 'S1' (first on line 2)",
        "schools.csv:4:3: column 'type': 'state' is not public or private (公办 or 民办)",
        "schools.csv:4:5: column 'seats' (学位数): -3 is negative",
        "schools.csv:5:4: column 'grade': 'G9' is not one of G1, G7, 小学一年级, 初中一年级",
        "schools.csv:5:5: column 'seats' (学位数): 'ten' is not a whole number",
    ]


def test_choices_of_unknown_or_wrong_grade_schools_are_all_listed(policy_with):
    with pytest.raises(DataError) as info:
        run(policy_with(), [{"id": "a", "choices": "S1;NOPE;J1;S1"}, {"id": "b", "choices": "S1", "clearing_choices": "GONE"}], "S1:1 J1:1")
    assert [render(p, "en") for p in info.value.problems] == [
        "applicants.csv:2: applicant 'a' chose unknown school 'NOPE' in choices",
        "applicants.csv:2: applicant 'a' (grade G1) chose 'J1', a school for grade G7, in choices",
        "applicants.csv:2: applicant 'a' lists school 'S1' twice in choices",
        "applicants.csv:3: applicant 'b' chose unknown school 'GONE' in clearing_choices",
    ]


def test_chinese_school_headers(tmp_path):
    from jifen_dsl.data.schools import read_schools

    path = tmp_path / "schools.csv"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["学校代码", "学校名称", "类型", "年级", "学位数", "所在区"], ["S1", "第一小学", "公办", "小学一年级", "40", "海珠区"]])
    path.write_text("\ufeff" + buffer.getvalue(), encoding="utf-8")
    [school] = read_schools(str(path), load_policy(HAIZHU).policy)
    assert (school.id, school.type, school.grade, school.seats) == ("S1", "public", "G1", 40)


# ------------------------------------------------------ the allocator checks itself


def test_verify_catches_a_school_over_capacity(policy_with):
    allocation, placed = run(policy_with(), [{"id": "a", "points": "90", "choices": "S1"}, {"id": "b", "points": "80", "choices": "S2"}], "S1:1 S2:1")
    placed["b"].school = placed["a"].school
    with pytest.raises(AllocationError) as info:
        verify(allocation, ["a", "b"])
    assert "school S1 has 1 seats but admitted 2: a, b" in str(info.value)


def test_verify_catches_justified_envy_and_lost_applicants(policy_with):
    allocation, placed = run(policy_with(), [{"id": "a", "points": "90", "choices": "S1;S2"}, {"id": "b", "points": "80", "choices": "S1;S2"}], "S1:1 S2:1")
    placed["a"].school, placed["b"].school = placed["b"].school, placed["a"].school
    placed["a"].round, placed["b"].round = "choice:2", "choice:1"
    with pytest.raises(AllocationError) as info:
        verify(allocation, ["a", "b", "c"])
    text = str(info.value)
    assert "a listed S1 but was refused while it admitted b with a weaker claim" in text
    assert "applicants missing from the result: c" in text


def test_verify_catches_twins_apart_and_unasked_coordination(policy_with):
    rows = [
        {"id": "t1", "points": "90", "choices": "S1", "sibling_group": "T"},
        {"id": "t2", "points": "90", "choices": "S1", "sibling_group": "T"},
        {"id": "c", "points": "80", "choices": "S1", "accepts_coordination": "false"},
    ]
    allocation, placed = run(policy_with(), rows, "S1:2 S2:1")
    placed["t2"].school = placed["c"].school = next(s for s in allocation.schools if s.id == "S2")
    placed["c"].status, placed["c"].round = ADMITTED, "coordinated"
    with pytest.raises(AllocationError) as info:
        verify(allocation, ["t1", "t2", "c"])
    text = str(info.value)
    assert "siblings placed apart: t1 (admitted S1), t2 (admitted S2)" in text
    assert "c was placed by coordination without accepting it" in text
