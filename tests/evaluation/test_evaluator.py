"""Evaluation semantics: decimals, missing values, ranking, determinism, the 29 February rule."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl.errors import EvaluationError

from ..conftest import EN_HEADER, FIELDS_IMPORT, POLICIES, ROOT, ZH_HEADER, evaluate_rows, failed_names, policy_folder


def test_points_total_is_a_decimal_never_below_zero(write_policy):
    path = write_policy(
        'requirement r "any": true\n',
        tail="""
points {
    indicator permit "Permit" = 8 * full_years(permit_start, as_of) cap 40
    indicator housing "Housing" = ind_housing / 3
    indicator penalty "Penalty" = 0 - ind_other
}
tiebreak { indicators descending id ascending }
""",
    )
    compiled, results = evaluate_rows(path, [
        {"id": "A", "permit_start": "2019-08-31", "ind_housing": "10", "ind_other": "0"},
        {"id": "B", "permit_start": "2010-01-01", "ind_housing": "0", "ind_other": "1000"},
    ])
    a, b = results["A"], results["B"]
    assert a.scores[0] == Decimal(24) and isinstance(a.scores[0], Decimal)
    assert a.scores[1] == Decimal(10) / Decimal(3)
    assert a.points == Decimal(24) + Decimal(10) / Decimal(3)
    assert b.scores[0] == Decimal(40)  # capped: 12 full years would give 96
    assert b.points == Decimal(0)  # 40 - 1000, but a total is never below 0
    assert not any(isinstance(v, float) for v in a.scores + b.scores)


def test_29_february_starts_and_births(write_policy):
    # A reference date of 2021-02-28: a permit from 2020-02-29 has run one full year
    # (2020-02-29 + 1 year = 2021-02-28), and a child born 2015-02-29 ... does not exist;
    # a child born 2016-02-29 is five on 2021-02-28.
    header = 'policy "p" district "d" year 2021 as_of 2021-02-28 source "s"\n'
    path = write_policy(
        'requirement permit "one year": permit_start + 1 year <= as_of\n'
        'requirement age "five": age_on(child_birth_date, as_of) >= 5\n',
        header=header,
    )
    compiled, results = evaluate_rows(path, [
        {"id": "ok", "permit_start": "2020-02-29", "child_birth_date": "2016-02-29", "applied_at": ""},
        {"id": "late", "permit_start": "2020-03-01", "child_birth_date": "2016-03-01", "applied_at": ""},
    ])
    assert failed_names(compiled, results["ok"]) == []
    assert failed_names(compiled, results["late"]) == ["permit", "age"]


def test_missing_values_fail_only_the_requirements_that_need_them(write_policy):
    path = write_policy(
        'requirement grad "graduate": primary_graduation_year = year\n'
        'requirement either "either": primary_graduation_year = year or not child_enrolled\n'
        'requirement both "both": primary_graduation_year = year and child_enrolled\n'
        'requirement guarded "guarded": not present(primary_graduation_year) or primary_graduation_year >= 2000\n'
    )
    compiled, results = evaluate_rows(path, [
        {"id": "A", "primary_graduation_year": "", "child_enrolled": "false"},
        {"id": "B", "primary_graduation_year": "", "child_enrolled": "true"},
    ])
    # A: 'either' is decided true by 'not child_enrolled', 'both' decided false by it;
    # only 'grad' fails for want of the year.
    assert failed_names(compiled, results["A"]) == ["grad", "both"]
    assert results["A"].missing == ((0, "primary_graduation_year"),)
    # B is enrolled: neither 'either' nor 'both' can be decided without the year.
    assert failed_names(compiled, results["B"]) == ["grad", "either", "both"]
    assert [i for i, _ in results["B"].missing] == [0, 1, 2]


def test_a_definition_that_needs_a_missing_value_fails_its_users_only(write_policy):
    path = write_policy(
        'define years_since_graduating = year - primary_graduation_year\n'
        'requirement recent "recent": years_since_graduating <= 1\n'
        'requirement other "other": not child_enrolled\n'
    )
    compiled, results = evaluate_rows(path, [{"primary_graduation_year": ""}])
    e = results["A1"]
    assert failed_names(compiled, e) == ["recent"]
    assert e.missing == ((0, "years_since_graduating"),)


def test_rank_is_per_grade_among_the_eligible(write_policy):
    path = write_policy('requirement ok "ok": not child_enrolled\n')
    _, results = evaluate_rows(path, [
        {"id": "g1-low", "points": "50"},
        {"id": "g7-low", "grade": "G7", "points": "50"},
        {"id": "g1-high", "points": "90"},
        {"id": "g1-out", "points": "99", "child_enrolled": "true"},
        {"id": "g7-high", "grade": "G7", "points": "60"},
    ])
    assert {k: v.rank for k, v in results.items()} == {
        "g1-low": 2, "g7-low": 2, "g1-high": 1, "g1-out": None, "g7-high": 1,
    }


def test_descending_text_keys_and_lotteries_order_everyone(write_policy):
    path = write_policy('requirement ok "ok": true\n', tail="""
points { total = points }
tiebreak { child_hukou descending lottery seed 2022 }
""")
    rows = [{"id": f"A{i}", "child_hukou": d} for i, d in enumerate(["湖南", "广西", "湖南", "四川", "湖南"])]
    _, results = evaluate_rows(path, rows)
    ranks = sorted(results.values(), key=lambda e: e.rank)
    districts = [rows[int(e.id[1:])]["child_hukou"] for e in ranks]
    assert districts == sorted(districts, reverse=True)
    assert sorted(e.rank for e in ranks) == [1, 2, 3, 4, 5]
    _, again = evaluate_rows(path, list(reversed(rows)))
    assert {k: v.rank for k, v in again.items()} == {k: v.rank for k, v in results.items()}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=50, max_value=60), st.integers(min_value=0, max_value=3), st.sampled_from(["2016-01-01", "2016-02-29", "2015-10-01"])),
        min_size=1, max_size=12,
    ),
    st.randoms(use_true_random=False),
)
def test_ranks_do_not_depend_on_row_order(tmp_path_factory, people, rnd):
    policy = policy_folder(tmp_path_factory.mktemp("p")) / "p.jifen"
    policy.write_text(EN_HEADER + FIELDS_IMPORT + """
requirement ok "ok": true
points { total = points indicator permit "Permit" = ind_permit }
tiebreak { indicators descending child_birth_date ascending id ascending }
""", encoding="utf-8")
    rows = [{"id": f"P{i:02}", "points": str(p), "ind_permit": str(k), "child_birth_date": b} for i, (p, k, b) in enumerate(people)]
    _, first = evaluate_rows(str(policy), rows)
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    _, second = evaluate_rows(str(policy), shuffled)
    assert {k: v.rank for k, v in first.items()} == {k: v.rank for k, v in second.items()}
    ordered = sorted(first.values(), key=lambda e: e.rank)
    for better, worse in zip(ordered, ordered[1:]):
        assert better.points >= worse.points


def test_division_by_zero_names_the_applicant_and_the_policy_line(write_policy):
    path = write_policy('define share = points / ind_other\nrequirement r "r": share > 1\n')
    with pytest.raises(EvaluationError) as info:
        evaluate_rows(path, [{"id": "Z9", "ind_other": "0"}])
    message = str(info.value)
    assert "applicant 'Z9' (row 2)" in message
    assert "policy.jifen:7:16: division by zero" in message


def test_chinese_policy_reads_fields_by_label(write_policy):
    path = write_policy(
        "要求 「积分达标」 “积分不少于60”：「积分」 不少于 60 且 「申请年级」 = “小学一年级”\n",
        header=ZH_HEADER,
        tail="积分 ｛ 总分 = 「积分」 ｝\n同分排序 ｛ 「申请编号」 升序 ｝\n",
    )
    compiled, results = evaluate_rows(path, [{"id": "A", "points": "60"}, {"id": "B", "points": "59.9"}])
    assert results["A"].eligible and not results["B"].eligible
    assert compiled.policy.language == "zh"


def test_shuffled_input_gives_the_same_evaluations(write_policy):
    path = write_policy('requirement r "r": permit_start + 1 year <= as_of\n')
    rows = [{"id": f"X{i}", "points": str(50 + i % 7), "permit_start": f"2021-0{1 + i % 9}-15"} for i in range(30)]
    _, a = evaluate_rows(path, rows)
    random.Random(7).shuffle(rows)
    _, b = evaluate_rows(path, rows)
    assert {k: (v.eligible, v.rank, v.points) for k, v in a.items()} == {k: (v.eligible, v.rank, v.points) for k, v in b.items()}


def test_present_is_tested_on_every_path(write_policy):
    path = write_policy(
        'requirement given "given": present(applied_at)\n'
        'requirement on_time "on time": if present(applied_at) then applied_at < 2022-05-01 00:00 else false\n'
        'requirement either "either": (if present(applied_at) then applied_at < 2022-05-01 00:00 else false) or primary_graduation_year = 2022\n'
    )
    compiled, results = evaluate_rows(path, [
        {"id": "none", "applied_at": "", "primary_graduation_year": ""},
        {"id": "late", "applied_at": "2022-05-02 10:00", "primary_graduation_year": "2022"},
        {"id": "early", "applied_at": "2022-04-26 10:00", "primary_graduation_year": ""},
    ])
    assert failed_names(compiled, results["none"]) == ["given", "on_time", "either"]
    assert results["none"].missing == ((2, "primary_graduation_year"),)
    assert failed_names(compiled, results["late"]) == ["on_time"]
    assert failed_names(compiled, results["early"]) == []


def test_enum_tie_break_keys_follow_the_declared_member_order(write_policy):
    # points_status is declared verified, disputed, adjusting: 'ascending' follows that order, not the alphabet
    path = write_policy('requirement ok "ok": true\n', tail="""
points { total = points }
tiebreak { points_status ascending id ascending }
""")
    _, results = evaluate_rows(path, [
        {"id": "a", "points_status": "adjusting"},
        {"id": "d", "points_status": "disputed"},
        {"id": "v", "points_status": "verified"},
    ])
    assert [i for i in sorted(results, key=lambda i: results[i].rank)] == ["v", "d", "a"]
    path = write_policy('requirement ok "ok": true\n', name="text.jifen", tail="""
points { total = points }
tiebreak { points_status ascending child_hukou descending id ascending }
""")
    _, again = evaluate_rows(path, [
        {"id": "a", "points_status": "adjusting"},
        {"id": "d", "points_status": "disputed"},
        {"id": "v", "points_status": "verified"},
    ])
    assert [i for i in sorted(again, key=lambda i: again[i].rank)] == ["v", "d", "a"]  # the several-pass sort agrees


def test_present_guards_make_an_optional_value_usable_in_points(write_policy):
    path = write_policy('requirement ok "ok": true\n', tail="""
points {
    indicator year_points "Graduation year" = if present(primary_graduation_year) then primary_graduation_year - 2000 else 0
}
tiebreak { id ascending }
""")
    _, results = evaluate_rows(path, [{"id": "a", "primary_graduation_year": "2022"}, {"id": "b", "primary_graduation_year": ""}])
    assert results["a"].points == 22 and results["b"].points == 0


def test_a_condition_that_can_never_change_is_a_warning(write_policy):
    from jifen_dsl.compile.pipeline import check_file

    checked = check_file(write_policy('requirement r "r": as_of > 2030-01-01\nrequirement s "s": true\n'))
    assert [w.text("en") for w in checked.warnings] == ["this requirement condition never holds, whatever the applicant"]


def test_a_headerless_file_may_not_hold_rules(tmp_path):
    from jifen_dsl.errors import PolicyError
    from jifen_dsl.compile.pipeline import check_file

    path = tmp_path / "lib.jifen"
    path.write_text('field a "A": text\nrequirement r "r": a = "x"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        check_file(str(path))
    assert "a library may only declare fields, definitions and calendars" in info.value.render()


def test_several_present_tests_joined_by_and_guard_each_value(write_policy):
    from jifen_dsl.errors import PolicyError
    from jifen_dsl.compile.pipeline import check_file

    path = write_policy('requirement ok "ok": true\n', tail="""
points {
    total = points + (if present(primary_graduation_year) and present(district_permit_start) then primary_graduation_year - year_of(district_permit_start) else 0)
}
tiebreak { id ascending }
""")
    _, results = evaluate_rows(path, [{"id": "a", "primary_graduation_year": "2022", "district_permit_start": "2016-01-01", "points": "10"}])
    assert results["a"].points == 16
    bad = write_policy('requirement ok "ok": true\n', name="bad.jifen", tail="""
points { total = points + (if present(primary_graduation_year) then primary_graduation_year else 0) + year_of(district_permit_start) }
tiebreak { id ascending }
""")
    with pytest.raises(PolicyError) as info:
        check_file(bad)
    assert "the points total uses 'district_permit_start', which an applicant may leave empty" in info.value.render()


def test_a_failure_deep_in_a_cohort_names_that_applicant(write_policy):
    path = write_policy('define share = points / ind_other\nrequirement r "r": share > 1\n')
    rows = [{"id": f"A{i}", "ind_other": "2"} for i in range(1500)]  # past the first block of the bulk loop
    rows[1234] = {"id": "Z9", "ind_other": "0"}
    with pytest.raises(EvaluationError) as info:
        evaluate_rows(path, rows)
    assert "applicant 'Z9' (row 1236)" in str(info.value)


@pytest.mark.parametrize("example", ["haizhu-2022", "baiyun-2022", "conghua-2020"])
def test_the_bulk_loop_gives_what_each_applicant_alone_gives(example):
    from jifen_dsl.data.applicants import read_applicants
    from jifen_dsl.evaluation.evaluator import evaluate
    from jifen_dsl.compile.pipeline import load_policy

    district, year = example.split("-")
    compiled = load_policy(str(POLICIES / district / f"{year}.jifen"))
    people = read_applicants(str(ROOT / "examples" / example / "applicants.csv"), compiled.policy)
    bulk = evaluate(compiled, people)
    assert [e.applicant for e in bulk] == people
    for e in bulk:
        failed, unknown, points, scores, batch, keys = compiled.evaluate(e.applicant.record)
        assert (e.failed, e.unknown, e.points, e.scores, e.batch, e.keys) == (tuple(failed), unknown, points, scores, batch, keys)
        assert type(e.failed) is tuple and (e.rank is None) == bool(failed)
    assert any(e.failed for e in bulk) and any(not e.failed for e in bulk)
