"""The one date rule: month ends and 29 February (see jifen_dsl/dates.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jifen_dsl.timeline.dates import Duration, add_duration, add_months, days_between, full_months, full_years, sub_duration

D = dt.date


@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (D(2020, 2, 29), Duration(years=1), D(2021, 2, 28)),  # no 29 Feb in 2021: last day of February
        (D(2020, 2, 29), Duration(years=4), D(2024, 2, 29)),
        (D(2020, 1, 31), Duration(months=1), D(2020, 2, 29)),
        (D(2021, 1, 31), Duration(months=1), D(2021, 2, 28)),
        (D(2021, 3, 31), Duration(months=-1), D(2021, 2, 28)),
        (D(2020, 1, 31), Duration(months=1, days=1), D(2020, 3, 1)),  # months first, then days
        (D(2022, 8, 31), Duration(days=35), D(2022, 10, 5)),
        (D(2021, 8, 31), Duration(years=1), D(2022, 8, 31)),
    ],
)
def test_adding_durations_follows_the_month_end_rule(start, duration, expected):
    assert add_duration(start, duration) == expected


def test_subtracting_is_adding_the_negation():
    assert sub_duration(D(2022, 8, 31), Duration(years=1)) == D(2021, 8, 31)
    assert sub_duration(D(2021, 2, 28), Duration(years=1)) == D(2020, 2, 28)


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (D(2016, 2, 29), D(2022, 2, 27), 5),
        (D(2016, 2, 29), D(2022, 2, 28), 6),  # six on the day 2016-02-29 + 6 years falls on
        (D(2016, 2, 29), D(2024, 2, 28), 7),
        (D(2016, 2, 29), D(2024, 2, 29), 8),
        (D(2016, 8, 31), D(2022, 8, 31), 6),  # a birthday on the reference date counts
        (D(2016, 9, 1), D(2022, 8, 31), 5),
        (D(2015, 9, 1), D(2022, 8, 31), 6),
        (D(2015, 8, 31), D(2022, 8, 31), 7),
    ],
)
def test_age_is_full_years(birth, on, age):
    assert full_years(birth, on) == age


def test_full_months_counts_whole_months_under_the_same_rule():
    assert full_months(D(2020, 1, 31), D(2020, 2, 28)) == 0
    assert full_months(D(2020, 1, 31), D(2020, 2, 29)) == 1
    assert full_months(D(2022, 8, 31), D(2021, 8, 31)) == -12
    assert days_between(D(2020, 4, 30), D(2020, 6, 23)) == 54


dates = st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31))


@given(dates, st.integers(min_value=0, max_value=40))
def test_adding_n_years_gives_n_full_years(start, n):
    assert full_years(start, add_months(start, 12 * n)) == n


@given(dates, dates)
def test_full_years_is_the_largest_n_that_fits(a, b):
    n = full_years(a, b)
    if b >= a:
        assert add_months(a, 12 * n) <= b < add_months(a, 12 * (n + 1))
    else:
        assert n == -full_years(b, a)


@given(dates, st.integers(min_value=-600, max_value=600))
def test_adding_months_never_overshoots_the_month(start, months):
    moved = add_months(start, months)
    assert (moved.year * 12 + moved.month) - (start.year * 12 + start.month) == months
    assert moved.day == start.day or moved.day < start.day and (moved + dt.timedelta(days=1)).day == 1


@given(dates, dates)
def test_full_years_is_monotonic_in_the_end_date(a, b):
    assert full_years(a, b) <= full_years(a, b + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("duration", "english", "chinese"),
    [
        (Duration(1, 6, 0), "1 year 6 months", "1年6个月"),
        (Duration(0, 1, 1), "1 month 1 day", "1个月1天"),
        (Duration(2, 0, 0), "2 years", "2年"),
        (Duration(0, 0, 0), "0 days", "0天"),
    ],
)
def test_a_duration_in_words_is_its_text_in_english_and_reads_as_chinese(duration, english, chinese):
    assert duration.words().render("en") == english == str(duration)
    assert duration.words().render("zh") == chinese
