"""Working days: the State Council's calendar, the counting convention, and the calendar's edges."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jifen_dsl.timeline.workdays import Calendar, CalendarError, Workdays, builtin_calendar, year_ranges

D = dt.date
OFFICIAL = builtin_calendar()  # make-up working days count
WEEKDAYS = builtin_calendar(makeup_counted=False)  # Monday to Friday except holidays


def test_the_conghua_2020_example():
    # "accepted on 04-30, 35 working days, final points at the latest on 06-23":
    # the notice counts Monday to Friday and skips the Labour Day holiday ...
    assert WEEKDAYS.add(D(2020, 4, 30), 35) == D(2020, 6, 23)
    assert WEEKDAYS.between(D(2020, 4, 30), D(2020, 6, 23)) == 35
    # ... while the State Council's calendar also works Saturday 2020-05-09, a day sooner.
    assert OFFICIAL.add(D(2020, 4, 30), 35) == D(2020, 6, 22)


@pytest.mark.parametrize("day", [D(2020, 5, d) for d in range(1, 6)])
def test_labour_day_2020_is_five_days_off(day):
    assert not OFFICIAL.is_workday(day)
    assert not WEEKDAYS.is_workday(day)


def test_labour_day_2020_make_up_days():
    # Sunday 2020-04-26 and Saturday 2020-05-09 were working days.
    assert D(2020, 4, 26).weekday() == 6 and D(2020, 5, 9).weekday() == 5
    assert OFFICIAL.is_workday(D(2020, 4, 26)) and OFFICIAL.is_workday(D(2020, 5, 9))
    assert not WEEKDAYS.is_workday(D(2020, 4, 26)) and not WEEKDAYS.is_workday(D(2020, 5, 9))
    assert not OFFICIAL.is_workday(D(2020, 4, 25))  # the Saturday before stays a rest day
    # Counting across the holiday: the day after 04-30 that is worked is 05-06.
    assert OFFICIAL.add(D(2020, 4, 30), 1) == D(2020, 5, 6)
    assert OFFICIAL.add(D(2020, 5, 8), 1) == D(2020, 5, 9)
    assert WEEKDAYS.add(D(2020, 5, 8), 1) == D(2020, 5, 11)
    assert OFFICIAL.between(D(2020, 4, 24), D(2020, 5, 11)) == 10  # 04-26 .. 04-30, 05-06 .. 05-09, 05-11
    assert WEEKDAYS.between(D(2020, 4, 24), D(2020, 5, 11)) == 8  # 04-27 .. 04-30, 05-06 .. 05-08, 05-11


def test_dragon_boat_2020_and_its_make_up_sunday():
    assert [OFFICIAL.is_workday(D(2020, 6, d)) for d in range(24, 30)] == [True, False, False, False, True, True]
    assert OFFICIAL.add(D(2020, 6, 24), 1) == D(2020, 6, 28)
    assert WEEKDAYS.add(D(2020, 6, 24), 1) == D(2020, 6, 29)


def test_the_start_day_never_counts_whatever_it_is():
    assert OFFICIAL.add(D(2020, 5, 1), 1) == D(2020, 5, 6)  # a holiday: the next working day
    assert OFFICIAL.add(D(2020, 5, 16), 1) == D(2020, 5, 18)  # a Saturday: the Monday
    assert OFFICIAL.add(D(2020, 5, 18), 1) == D(2020, 5, 19)  # a Monday: the Tuesday
    assert OFFICIAL.add(D(2020, 5, 18), 0) == D(2020, 5, 18)
    assert OFFICIAL.add(D(2020, 5, 16), -1) == D(2020, 5, 15)
    assert OFFICIAL.add(D(2020, 5, 6), -1) == D(2020, 4, 30)
    assert OFFICIAL.between(D(2020, 5, 18), D(2020, 5, 18)) == 0
    assert OFFICIAL.between(D(2020, 6, 23), D(2020, 4, 30)) == -36  # 05-09 counts officially
    assert WEEKDAYS.between(D(2020, 6, 23), D(2020, 4, 30)) == -35


def test_a_date_and_time_keeps_its_time_of_day():
    assert OFFICIAL.add(dt.datetime(2020, 4, 30, 16, 45, 5), 1) == dt.datetime(2020, 5, 6, 16, 45, 5)
    assert OFFICIAL.between(dt.datetime(2020, 4, 30, 23, 0), dt.datetime(2020, 5, 6, 1, 0)) == 1


def test_latest_start_is_the_last_working_day_that_is_still_in_time():
    assert WEEKDAYS.latest_start(D(2020, 6, 23), 35) == D(2020, 4, 30)
    assert WEEKDAYS.latest_start(D(2020, 6, 22), 35) == D(2020, 4, 29)
    assert OFFICIAL.latest_start(D(2020, 6, 22), 35) == D(2020, 4, 30)
    assert OFFICIAL.latest_start(D(2020, 6, 27), 35) == D(2020, 5, 7)  # 06-25 .. 06-27 are off: 05-07 + 35 = 06-24


def test_a_year_beyond_the_data_is_a_clear_error():
    assert 2026 in OFFICIAL.years and 2027 not in OFFICIAL.years and OFFICIAL.covered() == "2004-2026"
    with pytest.raises(CalendarError) as info:
        OFFICIAL.add(D(2027, 3, 1), 5)
    assert str(info.value) == (
        "2027-03-01 is outside the working-day calendar, which covers 2004-2026; declare 2027 in a calendar "
        "file and import it (calendar { year 2027 holiday ... workday ... })"
    )
    assert info.value.message.code == "K0001"
    assert info.value.message.render("zh") == (
        "2027-03-01 不在工作日日历范围内（日历涵盖 2004-2026）；请在日历文件中声明 2027 年并引用该文件"
        "（日历 { 年度 2027 节假日 ... 调休上班 ... }）"
    )
    with pytest.raises(CalendarError, match="runs past 2026-12-31, the end of the working-day calendar"):
        OFFICIAL.add(D(2026, 12, 20), 35)
    with pytest.raises(CalendarError, match="2003-12-31 is outside"):
        OFFICIAL.between(D(2003, 12, 31), D(2004, 1, 5))
    with pytest.raises(CalendarError, match="before 2004-01-01"):
        OFFICIAL.add(D(2004, 1, 5), -10)


def test_a_declared_year_joins_the_calendar():
    # A made-up 2027, not the State Council's: New Year's Day off, a make-up Saturday.
    declared = OFFICIAL.declare({2027: (frozenset({D(2027, 1, 1)}), frozenset({D(2027, 1, 9)}))})
    assert declared.covered() == "2004-2027"
    assert not declared.is_workday(D(2027, 1, 1)) and declared.is_workday(D(2027, 1, 9))
    assert declared.add(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert declared.add(D(2026, 12, 20), 35) == D(2027, 2, 5)  # 9 in 2026, 1-01 off, 1-09 worked
    assert declared.with_makeup_counted(False).add(D(2027, 1, 8), 1) == D(2027, 1, 11)
    assert OFFICIAL.declare({}) == OFFICIAL and declared != OFFICIAL


def test_a_gap_between_known_years_is_an_error_too():
    gapped = OFFICIAL.declare({2028: (frozenset(), frozenset())})
    assert year_ranges(gapped.years) == "2004-2026, 2028"
    assert gapped.add(D(2028, 1, 3), 1) == D(2028, 1, 4)
    with pytest.raises(CalendarError, match="crosses 2027, which the working-day calendar does not cover"):
        gapped.add(D(2026, 12, 28), 10)
    with pytest.raises(CalendarError, match="crosses 2027"):
        gapped.between(D(2026, 12, 28), D(2028, 1, 3))


def test_workdays_values_read_as_working_days():
    assert str(Workdays(35)) == "35 working days" and str(Workdays(1)) == "1 working day"
    assert -Workdays(3) == Workdays(-3) and isinstance(-Workdays(3), Workdays)
    assert repr(Workdays(35)) == "Workdays(35)"


def test_an_empty_calendar_covers_nothing():
    empty = Calendar(frozenset(), frozenset(), frozenset())
    with pytest.raises(CalendarError, match="covers no years"):
        empty.add(D(2020, 1, 1), 1)


known = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 6, 30))


@given(known, st.integers(min_value=0, max_value=120), st.booleans())
def test_between_undoes_adding(start, n, makeup_counted):
    calendar = OFFICIAL if makeup_counted else WEEKDAYS
    assert calendar.between(start, calendar.add(start, n)) == n


@given(known, st.integers(min_value=-120, max_value=120))
def test_on_working_days_adding_and_counting_agree_both_ways(start, n):
    if not OFFICIAL.is_workday(start) or start < D(2004, 7, 1):
        return
    moved = OFFICIAL.add(start, n)
    assert OFFICIAL.between(start, moved) == n
    assert OFFICIAL.is_workday(moved)
    assert OFFICIAL.add(moved, -n) == start


@given(known, known)
def test_adding_never_reverses_the_order_of_two_dates(a, b):
    if a > b:
        a, b = b, a
    assert OFFICIAL.add(a, 10) <= OFFICIAL.add(b, 10)


def test_working_days_and_a_year_crossed_are_told_in_either_language():
    gap = OFFICIAL.declare({2028: (frozenset(), frozenset())})  # 2027 left out
    with pytest.raises(CalendarError) as info:
        gap.add(D(2026, 12, 20), 50)
    assert info.value.message.code == "K0002"
    assert str(info.value) == (
        "2026-12-20 + 50 working days crosses 2027, which the working-day calendar does not cover (2004-2026, 2028); "
        "declare 2027 in a calendar file and import it"
    )
    assert info.value.message.render("zh") == (
        "2026-12-20 加 50个工作日 跨入 2027 年，而工作日日历未涵盖该年（日历涵盖 2004-2026, 2028）；"
        "请在日历文件中声明 2027 年并引用该文件"
    )
    assert Workdays(1).words().render("en") == "1 working day" == str(Workdays(1))
    assert Workdays(35).words().render("zh") == "35个工作日"
