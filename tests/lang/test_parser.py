"""The grammar and the parser: bilingual keywords, bracketed Chinese names, spans, syntax errors."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import lark
import pytest

from jifen_dsl.lang import syntax
from jifen_dsl.errors import PolicyError
from jifen_dsl.lang.parsing.grammar import grammar_text
from jifen_dsl.lang.parsing.parser import parse


def test_grammar_builds_in_strict_mode():
    # strict=True turns every shift/reduce conflict and terminal collision into an error.
    lark.Lark(grammar_text(), parser="lalr", strict=True, propagate_positions=True, maybe_placeholders=True)


def condition(text: str) -> syntax.Expr:
    tree = parse(f'requirement r "t": {text}', "t.jifen")
    return tree.declarations[0].condition


EN_ZH_PAIRS = [
    ("a >= 1 and not b", "a 不小于 1 并且 非 b"),
    ("a <= 1 or b", "a 不超过 1 或者 b"),
    ("a in {\"x\", \"y\"}", "a 属于 ｛“x”，“y”｝"),
    ("a not in {\"x\", \"y\"}", "a 不属于 ｛“x”、“y”｝"),
    ("a between 2015-09-01 and 2016-08-31", "a 介于 2015年9月1日 至 2016年8月31日"),
    ("if a then 1 else 2", "如果 a 那么 1 否则 2"),
    ("full_years(a, as_of) > 1", "整年数（a，基准日） 大于 1"),
    ("a + 1 year 6 months < as_of", "a + 1年6个月 早于 基准日"),
    ("b = year", "b 等于 年度"),
    ("b != true", "b 不等于 是"),
    ("applied_at within apply", "applied_at 在 apply 内"),
    ("a + 35 workdays <= end_of(apply)", "a + 35个工作日 不晚于 截止时间（apply）"),
    ("workdays_between(start_of(apply), a) >= 3", "间隔工作日（开始时间（apply），a） 不小于 3"),
    ("evidence tax dated from 2017-01-01 to 2019-12-31 > 0", "材料 tax 日期 自 2017年1月1日 至 2019年12月31日 大于 0"),
    ("evidence inn dated within 5 years before as_of + evidence inn > 0", "材料 inn 日期 在 基准日 前 5年 内 + 材料 inn 大于 0"),
]


@pytest.mark.parametrize(("english", "chinese"), EN_ZH_PAIRS)
def test_both_spellings_give_the_same_tree(english, chinese):
    assert condition(english) == condition(chinese)


def test_bracketed_names_may_hold_any_text():
    expr = condition("「居住证起始日期」 + 1年 不晚于 基准日")
    assert expr == syntax.Binary(
        "le",
        syntax.Binary("add", syntax.Ref("居住证起始日期"), syntax.DurationLit(1, 0, 0)),
        syntax.AsOf(),
    )
    assert condition("「age」 > 1") == condition("age > 1")


def test_no_spaces_needed_around_bracketed_names():
    assert condition("「年龄」大于6") == syntax.Binary("gt", syntax.Ref("年龄"), syntax.NumberLit(Decimal(6), True))


def test_unbracketed_chinese_is_never_a_name():
    with pytest.raises(PolicyError) as info:
        parse('requirement r "t": 年龄大于6', "t.jifen")
    text = info.value.render()
    assert "unexpected Chinese text '年龄大于'" in text
    assert "「年龄」" in text
    assert text.startswith("t.jifen:1:20:")


def test_longest_keyword_wins():
    # 否则 must not lex as 否 (false) followed by 则 (then).
    expr = condition("如果 a 那么 否 否则 是")
    assert expr == syntax.IfThenElse(syntax.Ref("a"), syntax.BoolLit(False), syntax.BoolLit(True))
    assert condition("a 大于等于 1") == condition("a >= 1")


def test_english_keywords_are_not_names_but_names_may_contain_them():
    assert condition("android = 1") == syntax.Binary("eq", syntax.Ref("android"), syntax.NumberLit(Decimal(1), True))
    assert condition("points_total > 1").left == syntax.Ref("points_total")


def test_precedence_and_binds_tighter_than_or():
    expr = condition("a or b and c")
    assert expr == syntax.Binary("or", syntax.Ref("a"), syntax.Binary("and", syntax.Ref("b"), syntax.Ref("c")))
    expr = condition("not a = 1")
    assert expr == syntax.Unary("not", syntax.Binary("eq", syntax.Ref("a"), syntax.NumberLit(Decimal(1), True)))
    assert condition("1 + 2 * 3 > 0").left == syntax.Binary(
        "add", syntax.NumberLit(Decimal(1), True), syntax.Binary("mul", syntax.NumberLit(Decimal(2), True), syntax.NumberLit(Decimal(3), True))
    )


def test_literals():
    assert condition("a = 2022-04-25 09:00").right == syntax.DateTimeLit(dt.datetime(2022, 4, 25, 9, 0))
    assert condition("a = 2022年4月25日09:00").right == syntax.DateTimeLit(dt.datetime(2022, 4, 25, 9, 0))
    # The space a Chinese keyboard types (U+3000) before the time, as well as a plain one.
    assert condition("a = 2022年4月25日\u300009:00：30").right == syntax.DateTimeLit(dt.datetime(2022, 4, 25, 9, 0, 30))
    assert condition("a = 2022年4月25日 09:00").right == syntax.DateTimeLit(dt.datetime(2022, 4, 25, 9, 0))
    assert condition("a = 2022-04-25T09:00:30").right == syntax.DateTimeLit(dt.datetime(2022, 4, 25, 9, 0, 30))
    assert condition("a = 2.50").right == syntax.NumberLit(Decimal("2.50"), False)
    assert condition('a = "q\\"uote\\\\"').right == syntax.StringLit('q"uote\\')
    assert condition("a = 35 days").right == syntax.DurationLit(0, 0, 35)
    assert condition("a = -3").right == syntax.NumberLit(Decimal(-3), True)


def test_spans_point_at_the_source():
    tree = parse('# comment\nrequirement r "t":\n    「出生日期」 > 2016-08-31\n', "t.jifen")
    req = tree.declarations[0]
    assert (req.span.line, req.span.column) == (2, 1)
    assert (req.condition.left.span.line, req.condition.left.span.column) == (3, 5)
    assert (req.condition.right.span.line, req.condition.right.span.column) == (3, 14)
    # spans take no part in equality
    assert req.condition == parse('requirement r "t": 「出生日期」>2016-08-31', "other.jifen").declarations[0].condition


def test_header_language_follows_the_keyword():
    en = parse('policy "p" district "d" year 2022 as_of 2022-08-31 source "s"', "a")
    zh = parse("政策 “p” 区 “d” 年度 2022 基准日 2022年8月31日 来源 “s”", "b")
    assert en.header.language == "en" and zh.header.language == "zh"
    assert en.header == syntax.Header("p", "d", 2022, dt.date(2022, 8, 31), "s", "en")


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ('define x = 2022-02-30', "2022-02-30 is not a calendar date"),
        ('define x = 1 year 2 years', "the duration gives years twice"),
        ('define x = 1.5 years', "a duration must be a whole number"),
        ('define x = 「 」', "a bracketed name cannot be empty"),
        ('define x = 「 a」', "cannot start or end with a space"),
        ('requirement r "t": a >', "the file ends in the middle of a declaration"),
        ('requirement r "t" a > 1', "unexpected 'a'"),
        ('field a "x" text', "unexpected 'text'"),
        ('define x = 6岁', "unexpected character '岁'"),
    ],
)
def test_syntax_errors_say_what_is_wrong(source, message):
    with pytest.raises(PolicyError) as info:
        parse(source, "t.jifen")
    assert message in info.value.render()


def test_parser_cache_lives_in_a_private_directory(tmp_path, monkeypatch):
    from jifen_dsl.lang.parsing.parser import _cache_path

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv("JIFEN_NO_CACHE", raising=False)
    path = _cache_path(grammar_text())
    directory = tmp_path / "jifen_dsl"
    assert path is not None and path.startswith(str(directory))
    assert directory.stat().st_mode & 0o777 == 0o700
    assert _cache_path(grammar_text() + " ") != path  # a changed grammar never reads an old cache
    directory.chmod(0o777)  # a directory others could write to is never trusted
    assert _cache_path(grammar_text()) is None
    monkeypatch.setenv("JIFEN_NO_CACHE", "1")
    directory.chmod(0o700)
    assert _cache_path(grammar_text()) is None


def test_a_cached_parser_parses_the_same(tmp_path):
    import subprocess
    import sys

    script = "from jifen_dsl.lang.parsing.parser import parse; print(parse('requirement r \"t\": 「出生日期」 > 2016-08-31', 'x').declarations[0])"
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True).stdout
    assert list((tmp_path / "jifen_dsl").glob("parser-*.cache"))
    second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True).stdout
    assert first == second and "出生日期" in first


def test_working_days_are_their_own_unit():
    assert condition("a + 35 workdays < b").left.right == syntax.WorkdaysLit(35)
    assert condition("a + 1 workday < b") == condition("a + 1工作日 早于 b")
    with pytest.raises(PolicyError) as info:
        parse('define x = 1 month 3 workdays', "t.jifen")
    assert "working days cannot be combined with years, months or days in one duration" in info.value.render()


def test_an_evidence_window_ends_the_term_it_starts():
    # The reference is a simple term: what follows it belongs to the enclosing expression.
    expr = condition("evidence inn dated within 5 years before as_of * 2 > 1").left
    assert expr == syntax.Binary("mul", syntax.Evidence("inn", syntax.DurationLit(5, 0, 0), syntax.AsOf()), syntax.NumberLit(Decimal(2), True))
    assert condition("evidence inn dated within 3 workdays before (as_of - 1 day) > 1").left.length == syntax.WorkdaysLit(3)


SCHEDULE_EN = """
schedule cite "Process" {
    makeup_days not_counted
    phase apply "Apply" cite "(2)" from 2022-04-25 09:00 to 2022-05-10 17:00
    phase documents "Documents" from 2022-04-25 to 2022-05-11 lasting 17 days
    then phase choose "Choose" from 2022-06-10 09:00 to 2022-06-14 15:00
    phase register "Register" until 2020-04-23
    phase publicity "Publicity" lasting 5 days
    verification 35 workdays after register for apply
}
calendar cite "State Council" {
    year 2027
    holiday 2027-01-01
    holiday 2027-02-06 to 2027-02-12
    workday 2027-02-14
}
"""

SCHEDULE_ZH = """
日程 依据 “Process” ｛
    调休上班日 不计入
    阶段 apply “Apply” 依据 “(2)” 自 2022年4月25日 09:00 至 2022年5月10日 17:00
    阶段 documents “Documents” 自 2022年4月25日 至 2022年5月11日 为期 17天
    随后 阶段 choose “Choose” 自 2022年6月10日 09:00 至 2022年6月14日 15:00
    阶段 register “Register” 截至 2020年4月23日
    阶段 publicity “Publicity” 为期 5日
    积分核定 register 后 35个工作日 用于 apply
｝
日历 依据 “State Council” ｛
    年度 2027
    节假日 2027年1月1日
    节假日 2027年2月6日 至 2027年2月12日
    调休上班 2027年2月14日
｝
"""


def test_schedule_and_calendar_read_the_same_in_both_languages():
    en, zh = parse(SCHEDULE_EN, "en.jifen"), parse(SCHEDULE_ZH, "zh.jifen")
    assert en.declarations == zh.declarations
    schedule, calendar = en.declarations
    assert [type(i).__name__ for i in schedule.items] == ["MakeupSetting", "Phase", "Phase", "Phase", "Phase", "Phase", "Verification"]
    setting, apply, documents, choose, register, publicity, verification = schedule.items
    assert setting == syntax.MakeupSetting(False)
    assert apply.start == syntax.DateTimeLit(dt.datetime(2022, 4, 25, 9)) and apply.cite == "(2)" and not apply.follows
    assert documents.length == syntax.DurationLit(0, 0, 17) and choose.follows
    assert register.start is None and register.end == syntax.DateLit(dt.date(2020, 4, 23))
    assert publicity.start is None and publicity.end is None
    assert verification == syntax.Verification(syntax.WorkdaysLit(35), "register", "apply")
    assert calendar.items == (
        syntax.CalendarYear(2027),
        syntax.CalendarDays("holiday", dt.date(2027, 1, 1), None),
        syntax.CalendarDays("holiday", dt.date(2027, 2, 6), dt.date(2027, 2, 12)),
        syntax.CalendarDays("workday", dt.date(2027, 2, 14), None),
    )
    # A 'then' phase's span starts at 'then', so messages about the order point there.
    assert (choose.span.line, choose.span.column) == (6, 5)


def test_verification_may_omit_its_phases():
    rule = parse("schedule { verification 35 workdays }", "t.jifen").declarations[0].items[0]
    assert rule == syntax.Verification(syntax.WorkdaysLit(35), None, None)
    assert parse("日程 ｛ 积分核定 35个工作日 用于 「网上申请」 ｝", "t.jifen").declarations[0].items[0].needed_for == "网上申请"
def test_publication_section_in_both_languages():
    english = parse('publication cite "5 (III)" {\n  names keep first 1 last 1\n  id_number keep first 6 last 4\n}', "a")
    chinese = parse("公示 依据 “5 (III)” ｛\n  姓名 保留 前1 后1\n  身份证号 保留 前 6 后 4\n｝", "b")
    assert english.declarations == chinese.declarations
    assert english.declarations[0] == syntax.PublicationBlock(
        "5 (III)", (syntax.MaskRule("names", 1, 1), syntax.MaskRule("id_number", 6, 4))
    )


def test_publication_keywords_do_not_take_names():
    # 'names' and 'id_number' are keywords only inside the publication section.
    tree = parse('field id_number "身份证号": text optional\ndefine names = id_number', "t.jifen")
    assert tree.declarations[1].expr == syntax.Ref("id_number")


def test_publication_counts_are_whole_numbers():
    with pytest.raises(PolicyError) as info:
        parse("公示 ｛ 身份证号 保留 前1.5 后0 ｝", "t.jifen")
    assert "the number of characters kept must be a whole number, not 1.5" in info.value.render()


@pytest.mark.parametrize(
    ("source", "code", "english", "chinese"),
    [
        ("define x = 1 year 2 years", "P0104", "the duration gives years twice", "时长中重复给出了年数"),
        ("define x = 1.5 years", "P0101", "a duration must be a whole number, not 1.5", "时长必须是整数，不能是 1.5"),
        ("定义 x = 2022年2月30日", "P0109", "2022年2月30日 is not a calendar date", "2022年2月30日 不是日历上存在的日期"),
        ("define x = 「 a」", "P0108", "a bracketed name cannot start or end with a space", "「」中的名称不能以空格开头或结尾"),
    ],
)
def test_a_literal_error_has_its_code_and_is_told_in_either_language(source, code, english, chinese):
    with pytest.raises(PolicyError) as info:
        parse(source, "t.jifen")
    [diagnostic] = info.value.diagnostics
    assert diagnostic.code == code
    assert diagnostic.text("en") == english and diagnostic.text("zh") == chinese


def test_a_long_number_is_counted_in_either_language():
    with pytest.raises(PolicyError) as info:
        parse("define x = " + "9" * 5_000, "t.jifen")
    [diagnostic] = info.value.diagnostics
    assert diagnostic.head("zh") == "错误[P0106]: 此数字有 5,000 位；数字最多只能有 28 位"
    assert diagnostic.hint_text("zh") == "jifen 按 28 位有效数字计算，更长的数字无法按原样使用（前导零不计）"
