"""How one word or literal is written in policy text, in English or in Chinese spelling.

Keywords in either language, names (bracketed when they could be misread),
strings, numbers, dates and durations: the pieces :mod:`jifen_dsl.lang.unparsing.unparse`
puts together, and that the year-over-year diff and the new-year draft use to
quote a single value the way the policy writes it.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from typing import Any

from jifen_dsl.lang import syntax

__all__ = [
    "name_text", "string_text", "date_text", "datetime_text", "number_text", "duration_text", "literal_text",
    "keyword", "punctuation",
]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _keywords() -> frozenset[str]:
    """The parser's keywords, imported only when a name must be checked: writing other text never loads Lark."""
    from jifen_dsl.lang.parsing.parser import keywords

    return keywords()


# Keywords that can stand where a name can (at the start of an expression or of a
# tie-break key): a name spelled like one of these must be bracketed. Other
# keywords are read as names wherever a name is expected, as in "total = points".
_AMBIGUOUS = frozenset({
    "if", "not", "as_of", "year", "true", "false", "evidence", "indicator", "indicators", "lottery", "override", "remove",
})


def name_text(name: str, language: str = "en") -> str:
    """A name as the policy writes it: bare when it is a plain ASCII word that cannot be read as a keyword, else in corner brackets."""
    if _NAME.fullmatch(name) and not (name in _AMBIGUOUS and name in _keywords()):
        return name
    return f"「{name}」"


def string_text(value: str, language: str = "en") -> str:
    """A string literal: “...” in Chinese (when it can be), "..." otherwise."""
    if language == "zh" and "”" not in value and "\n" not in value:
        return f"“{value}”"
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")
    return f'"{escaped}"'


def date_text(value: _dt.date, language: str = "en") -> str:
    """2022-08-31, or 2022年8月31日."""
    if language == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return value.isoformat()


def datetime_text(value: _dt.datetime, language: str = "en") -> str:
    """2022-05-10 17:00, or 2022年5月10日 17:00 (seconds only when there are some)."""
    clock = f"{value.hour:02d}:{value.minute:02d}" + (f":{value.second:02d}" if value.second else "")
    return f"{date_text(value.date(), language)} {clock}"


def number_text(value: Decimal) -> str:
    """A decimal as written: 2500, 0.5, -3."""
    text = format(value, "f")
    return text


_UNITS = {
    "en": {"years": ("year", "years"), "months": ("month", "months"), "days": ("day", "days"), "workdays": ("workday", "workdays")},
    "zh": {"years": ("年", "年"), "months": ("个月", "个月"), "days": ("天", "天"), "workdays": ("个工作日", "个工作日")},
}


def duration_text(node: syntax.DurationLit | syntax.WorkdaysLit, language: str = "en") -> str:
    """1 year 6 months, 35 workdays; 1年 6个月, 35个工作日."""
    units = _UNITS[language]
    if isinstance(node, syntax.WorkdaysLit):
        parts = [("workdays", node.count)]
    else:
        parts = [(u, n) for u, n in (("years", node.years), ("months", node.months), ("days", node.days)) if n]
        if not parts:
            parts = [("days", 0)]
    out = []
    for unit, amount in parts:
        word = units[unit][0 if amount == 1 else 1]
        out.append(f"{amount}{word}" if language == "zh" else f"{amount} {word}")
    return " ".join(out)


def literal_text(node: Any, language: str = "en") -> str:
    """A literal node as policy text."""
    if isinstance(node, syntax.NumberLit):
        return number_text(node.value)
    if isinstance(node, syntax.StringLit):
        return string_text(node.value, language)
    if isinstance(node, syntax.BoolLit):
        return keyword("true" if node.value else "false", language)
    if isinstance(node, syntax.DateLit):
        return date_text(node.value, language)
    if isinstance(node, syntax.DateTimeLit):
        return datetime_text(node.value, language)
    if isinstance(node, (syntax.DurationLit, syntax.WorkdaysLit)):
        return duration_text(node, language)
    raise TypeError(f"not a literal: {node!r}")


# Keyword spellings: English, Chinese.
_WORDS = {
    "true": ("true", "是"), "false": ("false", "否"), "as_of": ("as_of", "基准日"), "year": ("year", "年度"),
    "and": ("and", "且"), "or": ("or", "或"), "not": ("not", "非"), "in": ("in", "属于"), "not_in": ("not in", "不属于"),
    "between": ("between", "介于"), "between_and": ("and", "至"), "within": ("within", "在"),
    "if": ("if", "如果"), "then": ("then", "那么"), "else": ("else", "否则"),
    "evidence": ("evidence", "材料"), "dated": ("dated", "日期"), "before": ("before", "前"), "from": ("from", "自"),
    "to": ("to", "至"), "policy": ("policy", "政策"), "district": ("district", "区"), "as_of_kw": ("as_of", "基准日"),
    "source": ("source", "来源"), "import": ("import", "引用"), "extends": ("extends", "继承"), "field": ("field", "字段"),
    "unique": ("unique", "唯一"), "optional": ("optional", "可选"), "default": ("default", "默认"),
    "define": ("define", "定义"), "requirement": ("requirement", "要求"), "cite": ("cite", "依据"),
    "for_grade": ("for grade", "年级"), "stage": ("stage", "学段"), "primary": ("primary", "小学"), "junior": ("junior", "初中"),
    "points": ("points", "积分"), "total": ("total", "总分"), "indicator": ("indicator", "指标"), "indicators": ("indicators", "指标"),
    "cap": ("cap", "上限"), "batches": ("batches", "批次"), "batch": ("batch", "批"), "otherwise": ("otherwise", "其余"),
    "tiebreak": ("tiebreak", "同分排序"), "ascending": ("ascending", "升序"), "descending": ("descending", "降序"),
    "lottery": ("lottery", "抽签"), "seed": ("seed", "种子"), "allocation": ("allocation", "学位分配"),
    "qualification": ("qualification", "资格"), "seats": ("seats", "按学位数"), "all_eligible": ("all_eligible", "全部合格"),
    "choices": ("choices", "志愿数"), "mechanism": ("mechanism", "录取方式"), "points_first": ("points_first", "积分优先"),
    "choice_first": ("choice_first", "志愿优先"), "coordination": ("coordination", "统筹顺序"),
    "file_order": ("file_order", "按学校顺序"), "most_free_seats": ("most_free_seats", "空位最多优先"),
    "siblings": ("siblings", "多胞胎"), "together": ("together", "同校"), "coordinated": ("coordinated", "统筹安排"),
    "unplaced": ("unplaced", "不录取"), "clearing": ("clearing", "补录"), "on": ("on", "开启"), "off": ("off", "关闭"),
    "missing_choices": ("missing_choices", "未填志愿"), "unconfirmed": ("unconfirmed", "逾期未确认"), "clearing_for": ("clearing_for", "补录对象"),
    "missing_gives_up": ("gives_up", "视为放弃"), "missing_coordinated": ("coordinated", "服从统筹"),
    "gives_up": ("gives_up", "视为放弃"), "declines": ("declines", "视为放弃"), "confirms": ("confirms", "视为确认"),
    "clearing_unplaced": ("unplaced", "未录取"), "clearing_gave_up": ("gave_up", "未填志愿者"),
    "clearing_declined": ("declined", "放弃录取者"), "window": ("window", "窗口"),
    "admitted_waits": ("admitted_waits", "录取后候补"),
    "stage_qualify": ("qualify", "资格名单"), "stage_choices": ("choices", "填报志愿"), "stage_confirm": ("confirm", "确认录取"),
    "stage_clearing": ("clearing", "补录"), "stage_register": ("register", "报到"),
    "window_qualify": ("window qualify", "窗口 资格名单"), "window_choices": ("window choices", "窗口 填报志愿"),
    "window_confirm": ("window confirm", "窗口 确认录取"), "window_clearing": ("window clearing", "窗口 补录"),
    "window_register": ("window register", "窗口 报到"),
    "subsidies": ("subsidies", "补助"), "rate": ("rate", "标准"), "private": ("private", "民办"), "public": ("public", "公办"),
    "semesters_per_year": ("semesters_per_year", "每年学期数"), "schedule": ("schedule", "日程"), "phase": ("phase", "阶段"),
    "next": ("then", "随后"), "until": ("until", "截至"), "lasting": ("lasting", "为期"),
    "makeup_days": ("makeup_days", "调休上班日"), "counted": ("counted", "计入"), "not_counted": ("not_counted", "不计入"),
    "verification": ("verification", "积分核定"), "after": ("after", "后"), "for": ("for", "用于"),
    "calendar": ("calendar", "日历"), "calendar_year": ("year", "年度"), "holiday": ("holiday", "节假日"),
    "workday": ("workday", "调休上班"), "publication": ("publication", "公示"), "names": ("names", "姓名"),
    "id_number": ("id_number", "身份证号"), "keep": ("keep", "保留"), "first": ("first", "前"), "last": ("last", "后"),
    "override": ("override", "修改"), "remove": ("remove", "删除"),
    "text": ("text", "文本"), "integer": ("integer", "整数"), "decimal": ("decimal", "小数"), "bool": ("bool", "布尔"),
    "date": ("date", "日期"), "datetime": ("datetime", "日期时间"), "enum": ("enum", "枚举"),
    "school_list": ("school_list", "学校列表"), "text_list": ("text_list", "文本列表"),
}


def keywords_in(language: str) -> list[str]:
    """Every keyword's spelling in ``language``, each once, in a stable order (for completion)."""
    spelled = [spellings[1 if language == "zh" else 0] for spellings in _WORDS.values()]
    return sorted(set(spelled), key=spelled.index)


def keyword(key: str, language: str) -> str:
    """A keyword's spelling in ``language``: keyword("requirement", "zh") is 要求; a word that is no keyword stays as it is."""
    spellings = _WORDS.get(key)
    return spellings[1 if language == "zh" else 0] if spellings else key


def punctuation(language: str) -> dict[str, str]:
    """The brackets, comma and colon of ``language``: full-width in Chinese."""
    if language == "zh":
        return {"(": "（", ")": "）", ",": "，", "{": "｛", "}": "｝", ":": "："}
    return {"(": "(", ")": ")", ",": ", ", "{": "{", "}": "}", ":": ":"}
