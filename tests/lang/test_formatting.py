"""The formatter: one layout, comments kept where they belong, meaning kept, idempotent, both surface languages."""

from __future__ import annotations

import pytest
from hypothesis import given

from jifen_dsl.compile.compiler import compile_policy
from jifen_dsl.compile.pipeline import check_file
from jifen_dsl.errors import PolicyError
from jifen_dsl.lang.formatting import WIDTH, format_text
from jifen_dsl.lang.parsing.parser import parse, parse_with_comments

from ..conftest import ROOT
from .test_fuzz import FUZZ, mutated

BUNDLED = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").rglob("*.jifen"))
VALID = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests" / "lang" / "valid").rglob("*.jifen"))


def _text(path: str) -> str:
    return (ROOT / path).read_text(encoding="utf-8")


@pytest.mark.parametrize("path", BUNDLED)
def test_every_bundled_policy_is_kept_formatted(path):
    text = _text(path)
    assert format_text(text, path) == text, f"run: jifen fmt {path}"


@pytest.mark.parametrize("path", BUNDLED + VALID)
def test_formatting_keeps_the_tree_the_comments_and_is_idempotent(path):
    text = _text(path)
    once = format_text(text, path)
    assert format_text(once, path) == once
    assert parse(once, path) == parse(text, path)
    assert [c.text for c in parse_with_comments(once, path)[1]] == [c.text for c in parse_with_comments(text, path)[1]]


@pytest.mark.parametrize("path", [p for p in BUNDLED if not p.endswith("fields.jifen")])
def test_the_formatted_policy_compiles_to_the_same_code(path, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    before = compile_policy(check_file(path)).source
    formatted = format_text(_text(path), path)
    assert compile_policy(check_file(path, formatted)).source == before


@pytest.mark.parametrize("path", BUNDLED)
def test_the_other_surface_language_and_back_gives_the_file_byte_for_byte(path):
    text = _text(path)
    own = parse(text, path).header
    language = own.language if own is not None else ("zh" if "字段 " in text else "en")
    other = "en" if language == "zh" else "zh"
    there = format_text(text, path, other)
    assert there != text
    assert parse(there, path).declarations == parse(text, path).declarations
    assert format_text(there, path, language) == text


@pytest.mark.parametrize("value", ["gives_up", "coordinated"])
def test_every_value_of_a_setting_has_its_own_spelling_in_the_other_language(value):
    # 'coordinated' is 统筹安排 for siblings but 服从统筹 for missing choices.
    text = _text(str(ROOT / "policies" / "baiyun" / "2022.jifen")).replace("missing_choices gives_up", f"missing_choices {value}")
    there = format_text(text, "p.jifen", "zh")
    assert parse(there, "p.jifen").declarations == parse(text, "p.jifen").declarations
    assert format_text(there, "p.jifen", "en") == text


LAYOUT_IN = """# top of the file
# second line of it

policy "p" district "d" year 2022 as_of 2022-08-31 source "s"
import "../guangzhou/fields.jifen"



# about r1
requirement r1 "one" cite "c1":
    # the condition's own note
    permit_start + 1 year <= as_of   # trailing words
requirement r2 "two": residence_district = "A" or residence_district = "B" or residence_district = "C" or residence_district = "D" or work_district = "E"

points {
    # the total first
    total = points


    # an indicator
    indicator housing "Housing" = ind_housing
    # the end of points
}
tiebreak { id ascending }
# the last words
"""

LAYOUT_OUT = """# top of the file
# second line of it

policy "p"
district "d"
year 2022
as_of 2022-08-31
source "s"
import "../guangzhou/fields.jifen"

# about r1
requirement r1 "one" cite "c1":
    # the condition's own note
    permit_start + 1 year <= as_of  # trailing words
requirement r2 "two":
    residence_district = "A"
    or residence_district = "B"
    or residence_district = "C"
    or residence_district = "D"
    or work_district = "E"

points {
    # the total first
    total = points

    # an indicator
    indicator housing "Housing" = ind_housing
    # the end of points
}
tiebreak {
    id ascending
}
# the last words
"""


def test_the_layout_keeps_each_comment_where_it_belongs_and_one_blank_line_where_there_were_any():
    assert format_text(LAYOUT_IN, "t.jifen") == LAYOUT_OUT
    assert format_text(LAYOUT_OUT, "t.jifen") == LAYOUT_OUT


def test_a_long_condition_is_wrapped_at_its_operators_and_every_line_fits():
    out = format_text(LAYOUT_IN, "t.jifen")
    assert all(len(line) <= WIDTH for line in out.splitlines())
    assert "requirement r1" in out and out.count("\n    or ") == 4


def test_a_file_that_does_not_parse_is_refused_with_the_checkers_message():
    with pytest.raises(PolicyError) as info:
        format_text('requirement r "t": 1 >', "bad.jifen")
    assert "bad.jifen:1:" in info.value.render()


@FUZZ
@given(mutated())
def test_any_text_that_parses_formats_to_the_same_tree_and_is_idempotent(case):
    path, text = case
    try:
        tree = parse(text, path)
    except PolicyError:
        return
    once = format_text(text, path)
    assert parse(once, path) == tree
    assert format_text(once, path) == once


def test_a_carriage_return_or_line_separator_inside_a_comment_does_not_shift_the_lines():
    # Only "\n" ends a line for the parser; str.splitlines() would also split at "\r" and U+2028.
    text = _text("policies/haizhu/2022.jifen")
    for odd in ("\r", "\u2028", "\x0c"):
        shifted = "#" + odd + text[1:]  # "# 2022年..." becomes "#\r 2022年..."
        once = format_text(shifted, "p.jifen")
        assert format_text(once, "p.jifen") == once
        assert once.startswith("#" + odd + " 2022年") and parse(once, "p.jifen") == parse(text, "p.jifen")
