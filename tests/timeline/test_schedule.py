"""Schedules, working days and calendars in policies: checked, folded, compiled and evaluated."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.errors import EvaluationError, PolicyError
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.compile.pipeline import check_file, load_policy
from jifen_dsl.lang.operations import fold
from jifen_dsl.timeline.schedule import Window, deadline
from jifen_dsl.timeline.workdays import Workdays, builtin_calendar

from ..conftest import BASE_APPLICANT, POLICIES, evaluate_rows, failed_names, policy_folder

D = dt.date
T = dt.datetime
HAIZHU = str(POLICIES / "haizhu" / "2022.jifen")
CONGHUA = str(POLICIES / "conghua" / "2020.jifen")
HEADER_2020 = 'policy "p" district "d" year 2020 as_of 2020-08-31 source "s"\n'
HEADER_2027 = 'policy "p" district "d" year 2027 as_of 2027-08-31 source "s"\n'


def evaluate_with(path: str, rows: list[dict[str, str]]):
    """Evaluate rows merged over BASE_APPLICANT, keeping columns BASE_APPLICANT lacks."""
    compiled = load_policy(path)
    full = [{**BASE_APPLICANT, **row} for row in rows]
    header = list(dict.fromkeys(k for row in full for k in row))
    data = [(i + 2, [r.get(h, "") for h in header]) for i, r in enumerate(full)]
    applicants = records_from_rows("test.csv", header, data, compiled.policy)
    return compiled, {e.id: e for e in evaluate(compiled, applicants)}


# ---------------------------------------------------------------- the Conghua example


def test_conghua_policy_reproduces_its_notice():
    policy = check_file(CONGHUA)
    schedule = policy.schedule
    assert not schedule.makeup_counted
    assert schedule.verification.length == Workdays(35)
    result = deadline(schedule, policy.calendar, D(2020, 4, 30))
    assert result.verified_by == D(2020, 6, 23)
    assert result.accepted_in_time is True
    late = deadline(schedule, policy.calendar, D(2020, 5, 6))
    assert late.verified_by == D(2020, 6, 24) and late.accepted_in_time is False


@pytest.mark.parametrize(("makeup", "expected"), [("counted", "2020-06-22"), ("not_counted", "2020-06-23")])
def test_the_two_readings_of_make_up_days_fold_at_check_time(write_policy, makeup, expected):
    path = write_policy(
        f"schedule {{ makeup_days {makeup} }}\n"
        "define verified_by = 2020-04-30 + 35 workdays\n"
        'requirement r "r": permit_start <= verified_by\n',
        header=HEADER_2020,
    )
    compiled = load_policy(path)
    assert compiled.policy.definitions[0].expr.value == D.fromisoformat(expected)


def test_without_a_schedule_make_up_days_count(write_policy):
    path = write_policy('define v = 2020-05-08 + 1 workday\nrequirement r "r": permit_start <= v\n', header=HEADER_2020)
    assert load_policy(path).policy.definitions[0].expr.value == D(2020, 5, 9)  # the make-up Saturday


# ---------------------------------------------------------------- working days per applicant


def test_working_days_per_applicant_across_labour_day_2020(write_policy):
    path = write_policy(
        'requirement by_first_of_may "accepted in time": permit_start + 1 workday <= 2020-05-06\n'
        'requirement counted "counted": workdays_between(permit_start, 2020-05-11) = 9\n',
        header=HEADER_2020,
    )
    compiled, results = evaluate_rows(path, [
        {"id": "thu", "permit_start": "2020-04-30"},  # + 1 workday = 05-06: the holiday 05-01..05-05 is skipped
        {"id": "fri", "permit_start": "2020-05-01"},  # a holiday: counting starts the day after, 05-06 again
        {"id": "sun", "permit_start": "2020-04-26"},  # the make-up Sunday is a working day
        {"id": "wed", "permit_start": "2020-05-06"},
    ])
    assert failed_names(compiled, results["thu"]) == ["counted"]  # 05-06 .. 05-09, 05-11: 5 working days
    assert failed_names(compiled, results["fri"]) == ["counted"]
    assert failed_names(compiled, results["sun"]) == []  # 04-27 .. 04-30, 05-06 .. 05-09, 05-11
    assert failed_names(compiled, results["wed"]) == ["by_first_of_may", "counted"]


def test_a_date_and_time_keeps_its_time(write_policy):
    # 2022: Labour Day 04-30 .. 05-04 with Saturday 05-07 worked; Dragon Boat Friday 06-03.
    path = write_policy('requirement r "r": applied_at + 35 workdays <= 2022-06-23 10:00\n')
    compiled, results = evaluate_rows(path, [
        {"id": "in_time", "applied_at": "2022-05-05 10:00"},
        {"id": "a_minute_late", "applied_at": "2022-05-05 10:01"},
    ])
    assert failed_names(compiled, results["in_time"]) == []
    assert failed_names(compiled, results["a_minute_late"]) == ["r"]


def test_a_missing_date_fails_only_its_rule(write_policy):
    path = write_policy('requirement r "r": applied_at + 3 workdays <= 2022-06-21 10:00\nrequirement other "o": true\n')
    compiled, results = evaluate_rows(path, [{"applied_at": ""}])
    assert failed_names(compiled, results["A1"]) == ["r"]
    assert results["A1"].missing == ((0, "applied_at"),)


calendar_days = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 9, 30))


@settings(max_examples=200)
@given(calendar_days, st.integers(min_value=0, max_value=60), st.sampled_from([builtin_calendar(True), builtin_calendar(False)]))
def test_the_compiled_operations_count_back_what_they_add(start, n, calendar):
    moved = fold("add_workdays", [start, Workdays(n), calendar], "p")
    assert fold("workdays_between", [start, moved, calendar], "p") == n
    if calendar.is_workday(start):
        assert fold("sub_workdays", [moved, Workdays(n), calendar], "p") == start


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    from ..conftest import FIELDS_IMPORT

    path = policy_folder(tmp_path_factory.mktemp("round_trip")) / "p.jifen"
    path.write_text(
        HEADER_2020 + FIELDS_IMPORT +
        "define there = permit_start + 35 workdays\n"
        'requirement back "back": workdays_between(permit_start, there) = 35\n'
        'requirement again "again": there - 35 workdays <= permit_start\n'
        "points { total = points }\ntiebreak { id ascending }\n",
        encoding="utf-8",
    )
    return load_policy(str(path))


@settings(max_examples=50, deadline=None)
@given(st.dates(min_value=D(2004, 4, 1), max_value=D(2026, 10, 31)))
def test_compiled_policies_count_back_what_they_add(round_trip, start):
    header = list(BASE_APPLICANT)
    row = {**BASE_APPLICANT, "permit_start": start.isoformat()}
    applicants = records_from_rows("t.csv", header, [(2, [row[h] for h in header])], round_trip.policy)
    (result,) = evaluate(round_trip, applicants)
    assert result.failed == ()


# ---------------------------------------------------------------- windows


@pytest.mark.parametrize(
    ("applied_at", "on_time"),
    [
        ("2022-04-25 08:59:59", False),
        ("2022-04-25 09:00:00", True),
        ("2022-05-10 16:59:59", True),
        ("2022-05-10 17:00:00", True),  # both ends of a window count
        ("2022-05-10 17:00:01", False),
    ],
)
def test_haizhu_online_window_to_the_second(applied_at, on_time):
    compiled, results = evaluate_rows(HAIZHU, [{"applied_at": applied_at}])
    assert ("按时网上申请" not in failed_names(compiled, results["A1"])) is on_time


@pytest.mark.parametrize(
    ("moment", "status"),
    [
        (T(2022, 5, 10, 16, 59, 59), "open"),
        (T(2022, 5, 10, 17, 0, 0), "open"),
        (T(2022, 5, 10, 17, 0, 1), "closed"),
        (T(2022, 4, 25, 8, 59, 59), "upcoming"),
        (D(2022, 5, 10), "open"),  # a whole day: open at some moment of it
        (D(2022, 5, 11), "closed"),
        (D(2022, 4, 24), "upcoming"),
    ],
)
def test_a_window_of_dates_and_times(moment, status):
    assert Window(T(2022, 4, 25, 9), T(2022, 5, 10, 17)).status(moment) == status


def test_a_window_of_dates_holds_whole_days():
    window = Window(D(2022, 4, 25), D(2022, 5, 11))
    assert window.contains(T(2022, 5, 11, 23, 59, 59)) and not window.contains(T(2022, 5, 12, 0, 0))
    assert window.contains(D(2022, 4, 25)) and not window.contains(D(2022, 4, 24))
    assert Window(None, D(2020, 4, 30)).contains(D(2004, 1, 1))


def test_a_date_field_within_a_date_phase():
    # The Conghua policy declares the field points_accepted_on and the phase 积分受理 (until 2020-04-30).
    compiled, results = evaluate_with(CONGHUA, [
        {"id": "last_day", "points_accepted_on": "2020-04-30"},
        {"id": "day_after", "points_accepted_on": "2020-05-01"},
        {"id": "long_before", "points_accepted_on": "2019-03-01"},
        {"id": "not_given", "points_accepted_on": ""},
    ])
    late = {k for k, e in results.items() if "按时受理积分" in failed_names(compiled, e)}
    assert late == {"day_after"}


def test_phases_are_constants_in_rules(write_policy):
    path = write_policy(
        "schedule { phase apply \"Apply\" from 2022-04-25 09:00 to 2022-05-10 17:00 }\n"
        'requirement r "r": date_of(applied_at) <= date_of(end_of(apply)) and applied_at >= start_of(apply)\n'
    )
    compiled, results = evaluate_rows(path, [
        {"id": "evening", "applied_at": "2022-05-10 23:00"},
        {"id": "early", "applied_at": "2022-04-25 08:00"},
    ])
    assert failed_names(compiled, results["evening"]) == []
    assert failed_names(compiled, results["early"]) == ["r"]
    assert "h_" not in compiled.source.split("# r: r")[1].split("\n")[1]  # plain comparisons with constants


def test_a_date_cannot_fall_in_a_window_of_times(write_policy):
    path = write_policy(
        "schedule { phase apply \"Apply\" from 2022-04-25 09:00 to 2022-05-10 17:00 }\n"
        'requirement r "r": permit_start within apply\n'
    )
    with pytest.raises(PolicyError, match="a date cannot fall within a window of dates and times"):
        check_file(path)


# ---------------------------------------------------------------- beyond the calendar

CALENDAR_2027 = '''# A made-up 2027 for the tests, not the State Council's arrangement.
calendar cite "test" {
    year 2027
    holiday 2027-01-01
    holiday 2027-05-01 to 2027-05-05
    workday 2027-05-08
}
'''


def test_a_year_beyond_the_calendar_is_an_error_until_a_calendar_file_declares_it(write_policy, tmp_path):
    body = (
        "define verified_by = 2027-04-30 + 35 workdays\n"
        'requirement r "r": permit_start + 1 workday <= 2027-05-06\n'
        'requirement v "v": permit_start <= verified_by\n'
    )
    path = write_policy(body, header=HEADER_2027)
    with pytest.raises(PolicyError) as info:
        check_file(path)
    text = info.value.render()
    assert "2027-04-30 is outside the working-day calendar, which covers 2004-2026; declare 2027 in a calendar file and import it" in text
    assert "policy.jifen:3:22:" in text  # the span of the constant expression

    (policy_folder(tmp_path) / "calendar-2027.jifen").write_text(CALENDAR_2027, encoding="utf-8")  # beside the policy
    path = write_policy('import "calendar-2027.jifen"\n' + body, header=HEADER_2027)
    compiled = load_policy(path)
    assert compiled.policy.calendar.covered() == "2004-2027"
    # 05-06, 05-07, 05-08 (the declared Saturday), 05-10 ... counting from 04-30
    assert compiled.policy.definitions[0].expr.value == builtin_calendar().declare(
        {2027: (frozenset({D(2027, 1, 1)} | {D(2027, 5, d) for d in range(1, 6)}), frozenset({D(2027, 5, 8)}))}
    ).add(D(2027, 4, 30), 35)
    compiled, results = evaluate_rows(path, [
        {"id": "in_time", "permit_start": "2027-04-30"},
        {"id": "late", "permit_start": "2027-05-06"},
    ])
    assert failed_names(compiled, results["in_time"]) == []
    assert failed_names(compiled, results["late"]) == ["r"]
    # An applicant's date in a year nobody declared is an error naming the applicant and the date.
    with pytest.raises(EvaluationError) as info:
        evaluate_rows(path, [{"id": "far", "permit_start": "2028-01-03"}])
    message = str(info.value)
    assert message.startswith("applicant 'far' (row 2): ")
    assert "2028-01-03 is outside the working-day calendar, which covers 2004-2027; declare 2028" in message


def test_a_calendar_library_checks_on_its_own(tmp_path):
    path = tmp_path / "calendar-2027.jifen"
    path.write_text(CALENDAR_2027, encoding="utf-8")
    library = check_file(str(path))
    assert library.calendar_years == (2027,) and library.warnings == ()


def test_declaring_a_built_in_year_replaces_it_with_a_warning(write_policy):
    path = write_policy(
        "calendar { year 2020 holiday 2020-05-01 }\n"
        "define v = 2020-04-30 + 1 workday\n"
        'requirement r "r": permit_start <= v\n',
        header=HEADER_2020,
    )
    checked = check_file(path)
    assert checked.definitions[0].expr.value == D(2020, 5, 4)  # only 05-01 is off now; no make-up days
    assert [w.text() for w in checked.warnings] == [
        "2020 is already in the built-in calendar (2004-2026); this declaration replaces it"
    ]


# ---------------------------------------------------------------- checks of the schedule


def test_verification_that_cannot_meet_its_phase_is_a_warning(write_policy):
    path = write_policy(
        "schedule {\n"
        "    phase acceptance \"Acceptance\" until 2022-04-30\n"
        "    phase apply \"Apply\" from 2022-05-01 09:00 to 2022-05-10 17:00\n"
        "    verification 35 workdays after acceptance for apply\n"
        "}\n"
        'requirement r "r": applied_at within apply\n'
    )
    messages = [w.text() for w in check_file(path).warnings]
    assert messages == [
        "points accepted on the last day of 'acceptance' (2022-04-30) are verified only by 2022-06-22, after 'apply' ends (2022-05-10)"
    ]


def test_a_length_must_agree_with_its_window(write_policy):
    ok = write_policy(
        "schedule {\n"
        "    phase publicity \"Publicity\" from 2022-06-01 to 2022-06-05 lasting 5 days\n"
        "    phase review \"Review\" from 2022-05-23 to 2022-05-27 lasting 5 workdays\n"
        "    phase dragon \"Over Dragon Boat\" from 2022-05-30 to 2022-06-06 lasting 5 workdays\n"
        "}\n"
        'requirement r "r": true\n'
    )
    assert check_file(ok).schedule.phases[0].length is not None
    bad = write_policy(
        "schedule { phase review \"Review\" from 2022-05-30 to 2022-06-06 lasting 6 workdays }\n"
        'requirement r "r": true\n',
        name="bad.jifen",
    )
    with pytest.raises(PolicyError, match="the window 2022-05-30 .. 2022-06-06 holds 5 working days, not 6"):
        check_file(bad)


def test_phases_side_by_side_need_no_order(write_policy):
    path = write_policy(
        "schedule {\n"
        "    phase apply \"Apply\" from 2022-04-25 09:00 to 2022-05-10 17:00\n"
        "    phase documents \"Documents\" from 2022-04-25 to 2022-05-11\n"
        "    then phase choose \"Choose\" from 2022-05-12 00:00 to 2022-05-14 15:00\n"
        "}\n"
        'requirement r "r": true\n'
    )
    assert [p.follows for p in check_file(path).schedule.phases] == [False, False, True]


def test_a_schedule_section_is_given_once(write_policy):
    path = write_policy('schedule { }\nschedule { }\nrequirement r "r": true\n')
    with pytest.raises(PolicyError, match="a policy has one schedule section; this is a second one"):
        check_file(path)


def test_only_policies_have_schedules_and_libraries_may_bring_calendars(write_policy, tmp_path):
    library = policy_folder(tmp_path) / "lib.jifen"  # where write_policy writes the policy
    library.write_text('schedule { phase p "P" until 2022-05-01 }\n', encoding="utf-8")
    with pytest.raises(PolicyError, match="a library may only declare fields, definitions and calendars"):
        check_file(str(library))
    path = write_policy('import "lib.jifen"\nrequirement r "r": true\n')
    with pytest.raises(PolicyError, match="an imported library may only declare fields, definitions and calendars"):
        check_file(path)
