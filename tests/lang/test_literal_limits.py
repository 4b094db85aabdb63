"""Number literals and years: what check accepts, evaluate handles; what cannot be, check refuses at the literal."""

from __future__ import annotations

import time

import pytest

from jifen_dsl.compile.pipeline import check_file, load_policy
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.errors import PolicyError
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.lang.numberlimits import MAX_DIGITS, MAX_YEAR
from jifen_dsl.years.newyear import new_year

# Self-contained (no import), so these tests do not depend on where the shared fields lie.
HEADER = '''policy "Test policy"
district "海珠区"
year {year}
as_of 2022-08-31
source "tests"
field id "申请编号": text unique
field grade "申请年级": enum("G1" "小学一年级", "G7" "初中一年级")
field points "积分": decimal
field start "起始日期": date
'''
TAIL = '''
points { total = points }
tiebreak { id ascending }
'''
LITERAL_HINT = (
    "jifen computes with 28 significant digits, so a longer number could not be used as written (leading zeros do not count)"
)


def policy(body: str, year: str = "2022") -> str:
    return HEADER.format(year=year) + body + "\n" + TAIL


def errors(tmp_path, text: str):
    with pytest.raises(PolicyError) as info:
        check_file(str(tmp_path / "p.jifen"), text)
    return info.value.diagnostics


def test_the_limit_is_the_decimal_precision():
    assert MAX_DIGITS == 28 and MAX_YEAR == 9999


@pytest.mark.parametrize(
    ("literal", "digits"),
    [("9" * 5_000, "5,000"), ("1" + "0" * 28, "29"), ("1." + "9" * 5_000, "5,001"), ("0." + "0" * 28 + "1", "29")],
    ids=["5000-digit integer", "29-digit integer", "5001-digit decimal", "29 decimal places"],
)
def test_a_literal_longer_than_the_precision_is_refused_at_the_literal(tmp_path, literal, digits):
    [diagnostic] = errors(tmp_path, policy(f'requirement r "t": points < {literal}'))
    assert diagnostic.text() == f"this number has {digits} digits; a number may have at most 28"
    assert diagnostic.hint_text() == LITERAL_HINT
    span = diagnostic.span
    assert (span.line, span.column, span.end_column) == (10, 29, 29 + len(literal))


def test_a_negative_literal_and_a_duration_are_counted_too(tmp_path):
    diagnostics = errors(tmp_path, policy(f'requirement r "t": points > -{"9" * 29} and start + {"9" * 40} days <= as_of'))
    assert [d.text() for d in diagnostics] == [
        "this number has 29 digits; a number may have at most 28",
        "this number has 40 digits; a number may have at most 28",
    ]


@pytest.mark.parametrize("literal", ["9" * 28, "9" * 27 + ".9", "0" * 40 + "1", "-" + "9" * 28, "0.000000000000000000000000001"])
def test_a_literal_at_the_limit_is_checked_compiled_and_evaluated(tmp_path, literal):
    path = tmp_path / "p.jifen"
    path.write_text(policy(f'requirement r "t": points < {literal} or points > {literal}'), encoding="utf-8")
    compiled = load_policy(str(path))
    applicants = records_from_rows("a.csv", ["id", "grade", "points", "start"], [(2, ["A1", "G1", "100", "2020-01-01"])], compiled.policy)
    [evaluation] = evaluate(compiled, applicants)
    assert evaluation.eligible


def test_a_year_of_5001_digits_is_one_error_at_the_year(tmp_path):
    [diagnostic] = errors(tmp_path, policy("", year="9" * 5_001))
    assert diagnostic.text() == "this number has 5,001 digits; a number may have at most 28"
    assert (diagnostic.span.line, diagnostic.span.column) == (3, 6)


@pytest.mark.parametrize("year", ["10000", "0", "9" * 28])
def test_a_year_a_date_cannot_hold_is_refused_at_the_year(tmp_path, year):
    [diagnostic] = errors(tmp_path, policy("", year=year))
    assert diagnostic.text() == f"the year {year} is outside the calendar: a year is from 1 to 9999"
    assert diagnostic.hint_text() == "write the admission year, e.g. 2024"
    assert (diagnostic.span.line, diagnostic.span.column, diagnostic.span.end_column) == (3, 6, 6 + len(year))


def test_a_plausible_year_is_still_the_checkers_to_judge(tmp_path):
    [diagnostic] = errors(tmp_path, policy("", year="9999"))
    assert diagnostic.text() == "the year 9999 is not a plausible admission year"


def test_a_product_of_constants_beyond_the_precision_is_refused(tmp_path):
    n = "9" * 28
    [diagnostic] = errors(tmp_path, policy(f'requirement r "t": points < {n} * {n}'))
    assert diagnostic.text() == "this calculation comes to a number of more than 28 digits"
    assert diagnostic.hint_text() == "numbers are kept to 28 digits: check the size of the numbers it multiplies"
    assert (diagnostic.span.line, diagnostic.span.column) == (10, 29)


def test_squaring_a_definition_again_and_again_ends_at_once(tmp_path):
    # Unbounded, 40 squarings of a 28-digit number would need 2**40 times its memory.
    body = "define a0 = " + "9" * 28 + "\n" + "".join(f"define a{i} = a{i - 1} * a{i - 1}\n" for i in range(1, 41))
    started = time.monotonic()
    diagnostics = errors(tmp_path, policy(body + 'requirement r "t": points < a40'))
    assert time.monotonic() - started < 10
    assert diagnostics[0].text() == "this calculation comes to a number of more than 28 digits"
    assert diagnostics[0].span.line == 11  # a1 = a0 * a0; what follows from it says nothing more


def test_a_duration_scaled_beyond_the_precision_is_refused(tmp_path):
    n = "9" * 28
    diagnostics = errors(tmp_path, policy(f'define d = 1 year * {n}\ndefine e = d * {n}\nrequirement r "t": start + e <= as_of'))
    assert [(d.text(), d.span.line) for d in diagnostics] == [("this calculation comes to a number of more than 28 digits", 11)]


def test_new_year_beyond_the_calendar_is_a_clear_error(tmp_path):
    path = tmp_path / "2022.jifen"
    path.write_text(policy(""), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        new_year(str(path), 10_000)
    [diagnostic] = info.value.diagnostics
    assert diagnostic.text() == "the new year cannot be later than 9999, the last year a date can hold"
    assert diagnostic.hint_text() == "give a year after 2022, e.g. 2023"
    assert not (tmp_path / "10000.jifen").exists()
