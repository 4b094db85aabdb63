"""The unparser: every shipped policy reads back to the same tree, in its own spelling and in the other."""

from __future__ import annotations

import pytest

from jifen_dsl.lang import syntax
from jifen_dsl.lang.parsing.parser import parse
from jifen_dsl.lang.unparsing.unparse import name_text, unparse, unparse_expr

from ..conftest import ROOT

FILES = sorted(
    str(p.relative_to(ROOT))
    for p in [*(ROOT / "policies").rglob("*.jifen"), *(ROOT / "tests" / "lang" / "valid").rglob("*.jifen"), *(ROOT / "tests" / "lang" / "invalid" / "parents").glob("*.jifen")]
)


def tree_of(path: str) -> syntax.PolicyFile:
    return parse((ROOT / path).read_text(encoding="utf-8"), path)


@pytest.mark.parametrize("path", FILES)
def test_every_policy_reads_back_to_the_same_tree(path):
    tree = tree_of(path)
    assert parse(unparse(tree), path) == tree


@pytest.mark.parametrize("path", FILES)
def test_the_other_spelling_says_the_same(path):
    tree = tree_of(path)
    other = "zh" if (tree.header is None or tree.header.language == "en") else "en"
    again = parse(unparse(tree, other), path)
    assert again.declarations == tree.declarations and again.extends == tree.extends


def condition(text: str) -> syntax.Expr:
    return parse(f'requirement r "t": {text}', "t.jifen").declarations[0].condition


@pytest.mark.parametrize("text", [
    "a - (b - c) > 0",
    "(a - b) - c > 0",
    "a * (b + c) / d > -1",
    "-(a + b) < 0",
    "not (a and b) or c",
    "(a or b) and c",
    "a or b and c",
    "(if a then 1 else 2) + 3 > 0",
    "if (if a then b else c) then d else e",
    "x between 2015-09-01 and 2016-08-31 or y in {\"a\", \"b\"}",
    "evidence tax dated from 2017-01-01 to 2019-12-31 + evidence inn dated within 5 years before (as_of - 1 day) > 0",
    "applied_at within apply and date_of(applied_at) + 35 workdays <= end_of(apply)",
    "a - -1 > 0",
])
def test_parentheses_go_where_precedence_needs_them(text):
    expr = condition(text)
    for language in ("en", "zh"):
        assert condition(unparse_expr(expr, language)) == expr


def test_an_and_inside_an_or_is_bracketed_for_the_reader():
    assert unparse_expr(condition("a or b and c")) == "a or (b and c)"
    assert unparse_expr(condition("a or b or c")) == "a or b or c"


def test_names_that_read_as_keywords_are_bracketed():
    assert name_text("permit_start") == "permit_start"
    assert name_text("居住证起始日期") == "「居住证起始日期」"
    assert name_text("year") == "「year」" and name_text("if") == "「if」"
    # Keywords that never start an expression stay bare, as policies write them.
    assert name_text("points") == "points"
    assert unparse_expr(condition("「year」 = year")) == "「year」 = year"


def test_strings_keep_their_quotes_and_escapes():
    expr = condition('a = "say \\"hi\\"" or b = “中文”')
    assert condition(unparse_expr(expr, "en")) == expr
    assert condition(unparse_expr(expr, "zh")) == expr


def test_chinese_reads_dates_with_words_and_numbers_with_symbols():
    assert unparse_expr(condition("permit_start + 1 year <= as_of"), "zh") == "permit_start + 1年 不晚于 基准日"
    assert unparse_expr(condition("age_on(b, as_of) >= 6"), "zh") == "周岁（b，基准日） ≥ 6"


def test_inheritance_reads_back():
    text = '''policy "x" district "d" year 2023 as_of 2023-08-31 source "s"
extends "2022.jifen"
override requirement a "A": x > 1
remove requirement b
remove for grade "G7"
remove batches
batches { override batch first "F": x  remove batch second  batch third "T": otherwise }
points { override total = points  remove indicator other  indicator z "Z" = 1 }
tiebreak { remove id  remove (a - b)  remove indicators  remove lottery  override permit descending  id ascending }
allocation { override choices 3  remove clearing }
subsidies { override rate private primary 2600  remove rate private junior  override semesters_per_year 2 }
schedule { override then phase apply "A" from 2023-04-25 to 2023-05-10  remove phase documents  remove verification  remove makeup_days }
publication { override names keep first 1 last 1  remove id_number }
override tiebreak { id ascending }
'''
    tree = parse(text, "t.jifen")
    assert parse(unparse(tree), "t.jifen") == tree
    again = parse(unparse(tree, "zh"), "t.jifen")
    assert again.declarations == tree.declarations and again.extends == tree.extends
