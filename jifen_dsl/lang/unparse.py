"""Write a syntax tree back as policy text, in English or in Chinese spelling.

``parse(unparse(tree)) == tree`` for every policy (tests/test_unparse.py checks
it on every shipped file): parentheses are written exactly where precedence
needs them, every name that is not a plain ASCII word, or that is spelled like
a keyword, is bracketed, and every literal keeps its value. Comments and the
author's layout are not in the tree, so they are not reproduced; the year-over-
year diff uses this module to show a clause as the policy would write it.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from typing import Any

from jifen_dsl.lang import syntax
from jifen_dsl.lang.functions import FUNCTIONS

__all__ = ["unparse", "unparse_expr", "unparse_declaration", "unparse_item", "name_text", "literal_text", "string_text", "date_text", "keyword"]

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _keywords() -> frozenset[str]:
    from jifen_dsl.lang.parser import keywords

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


def keyword(key: str, language: str) -> str:
    """A keyword's spelling in ``language``: keyword("requirement", "zh") is 要求; a word that is no keyword stays as it is."""
    spellings = _WORDS.get(key)
    return spellings[1 if language == "zh" else 0] if spellings else key


def _punct(language: str) -> dict[str, str]:
    if language == "zh":
        return {"(": "（", ")": "）", ",": "，", "{": "｛", "}": "｝", ":": "："}
    return {"(": "(", ")": ")", ",": ", ", "{": "{", "}": "}", ":": ":"}


# ------------------------------------------------------------------ expressions

# Binding strength, as in the grammar: a larger number binds tighter.
_IF, _OR, _AND, _NOT, _COMPARE, _SUM, _PRODUCT, _UNARY, _ATOM = range(9)
_COMPARISONS = {"eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"}
_SYMBOLS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">=", "add": "+", "sub": "-", "mul": "*", "div": "/"}
# Chinese: the words for dates, the symbols for everything else.
_ZH_DATE_WORDS = {"lt": "早于", "le": "不晚于", "gt": "晚于", "ge": "不早于"}
_ZH_SYMBOLS = {"eq": "=", "ne": "≠", "lt": "<", "le": "≤", "gt": ">", "ge": "≥", "add": "+", "sub": "-", "mul": "×", "div": "÷"}


def _level(node: Any) -> int:
    if isinstance(node, syntax.IfThenElse):
        return _IF
    if isinstance(node, syntax.Binary):
        if node.op == "or":
            return _OR
        if node.op == "and":
            return _AND
        if node.op in _COMPARISONS:
            return _COMPARE
        return _SUM if node.op in ("add", "sub") else _PRODUCT
    if isinstance(node, (syntax.Between, syntax.Within)):
        return _COMPARE
    if isinstance(node, syntax.Unary):
        return _NOT if node.op == "not" else _UNARY
    if isinstance(node, syntax.NumberLit) and node.value < 0:
        return _UNARY  # written with a minus sign
    return _ATOM


def _looks_like_dates(node: Any) -> bool:
    """Whether a comparison is about dates, so that Chinese reads 早于 / 不晚于 rather than < / ≤."""
    for side in (node.left, node.right):
        current = side
        while isinstance(current, syntax.Binary) and current.op in ("add", "sub"):
            current = current.left
        if isinstance(current, (syntax.DateLit, syntax.DateTimeLit, syntax.AsOf)):
            return True
        if isinstance(side, syntax.Binary) and isinstance(side.right, (syntax.DurationLit, syntax.WorkdaysLit)):
            return True
        if isinstance(current, syntax.Call) and current.function in ("date_of", "start_of", "end_of"):
            return True
    return False


class _Writer:
    def __init__(self, language: str):
        self.language = language
        self.p = _punct(language)

    def w(self, key: str) -> str:
        return keyword(key, self.language)

    def name(self, name: str) -> str:
        return name_text(name, self.language)

    def string(self, value: str) -> str:
        return string_text(value, self.language)

    # expressions ---------------------------------------------------------
    def at(self, node: Any, least: int) -> str:
        """``node`` written where its binding strength must be at least ``least``."""
        text = self.expr(node)
        if _level(node) < least:
            return f"{self.p['(']}{text}{self.p[')']}"
        return text

    def expr(self, node: Any) -> str:
        if isinstance(node, (syntax.NumberLit, syntax.StringLit, syntax.BoolLit, syntax.DateLit, syntax.DateTimeLit, syntax.DurationLit, syntax.WorkdaysLit)):
            return literal_text(node, self.language)
        if isinstance(node, syntax.Ref):
            return self.name(node.name)
        if isinstance(node, syntax.AsOf):
            return self.w("as_of")
        if isinstance(node, syntax.PolicyYear):
            return self.w("year")
        if isinstance(node, syntax.SetLit):
            return self.p["{"] + self.p[","].join(self.expr(i) for i in node.items) + self.p["}"]
        if isinstance(node, syntax.Unary):
            if node.op == "not":
                return f"{self.w('not')} {self.at(node.operand, _NOT)}"
            return f"-{self.at(node.operand, _UNARY)}"
        if isinstance(node, syntax.Binary):
            return self.binary(node)
        if isinstance(node, syntax.Between):
            return (
                f"{self.at(node.value, _SUM)} {self.w('between')} {self.at(node.low, _SUM)}"
                f" {self.w('between_and')} {self.at(node.high, _SUM)}"
            )
        if isinstance(node, syntax.Within):
            text = f"{self.at(node.value, _SUM)} {self.w('within')} {self.at(node.window, _SUM)}"
            return text + " 内" if self.language == "zh" else text
        if isinstance(node, syntax.IfThenElse):
            return (
                f"{self.w('if')} {self.at(node.condition, _OR)} {self.w('then')} {self.at(node.then, _OR)}"
                f" {self.w('else')} {self.expr(node.otherwise)}"
            )
        if isinstance(node, syntax.Call):
            spellings = FUNCTIONS.get(node.function)
            function = (spellings[1] if self.language == "zh" else spellings[0]) if spellings else node.function
            return function + self.p["("] + self.p[","].join(self.expr(a) for a in node.args) + self.p[")"]
        if isinstance(node, syntax.Evidence):
            return self.evidence(node)
        raise TypeError(f"cannot write {node!r}")

    def binary(self, node: syntax.Binary) -> str:
        level = _level(node)
        if node.op in ("and", "or"):
            left, right = self.at(node.left, level), self.at(node.right, level + 1)
            if node.op == "or":
                # An "and" inside an "or" is bracketed although it binds tighter: readers should not have to know that.
                left, right = (self._bracket_and(side, text) for side, text in ((node.left, left), (node.right, right)))
            return f"{left} {self.w(node.op)} {right}"
        if node.op in _COMPARISONS:
            if node.op in ("in", "not_in"):
                op = self.w(node.op)
            elif self.language == "zh":
                op = _ZH_DATE_WORDS.get(node.op) if _looks_like_dates(node) else None
                op = op or _ZH_SYMBOLS[node.op]
            else:
                op = _SYMBOLS[node.op]
            return f"{self.at(node.left, _SUM)} {op} {self.at(node.right, _SUM)}"
        symbols = _ZH_SYMBOLS if self.language == "zh" else _SYMBOLS
        # Left-associative: the right operand of the same strength needs parentheses.
        return f"{self.at(node.left, level)} {symbols[node.op]} {self.at(node.right, level + 1)}"

    def _bracket_and(self, node: Any, text: str) -> str:
        if isinstance(node, syntax.Binary) and node.op == "and":
            return f"{self.p['(']}{text}{self.p[')']}"
        return text

    def reference(self, node: Any) -> str:
        """A window's reference: a simple term, anything else in parentheses."""
        if isinstance(node, (syntax.Ref, syntax.AsOf, syntax.Call, syntax.DateLit, syntax.DateTimeLit)):
            return self.expr(node)
        return f"{self.p['(']}{self.expr(node)}{self.p[')']}"

    def evidence(self, node: syntax.Evidence) -> str:
        head = f"{self.w('evidence')} {self.name(node.indicator)}"
        if node.length is not None:
            length = self.expr(node.length)
            if self.language == "zh":
                return f"{head} 日期 在 {self.reference(node.reference)} 前 {length} 内"
            return f"{head} dated within {length} before {self.reference(node.reference)}"
        if node.low is not None:
            return f"{head} {self.w('dated')} {self.w('from')} {self.reference(node.low)} {self.w('to')} {self.reference(node.high)}"
        return head

    # declarations ----------------------------------------------------------
    def cite(self, cite: str | None) -> str:
        return f" {self.w('cite')} {self.string(cite)}" if cite is not None else ""

    def header(self, header: syntax.Header) -> str:
        return "\n".join([
            f"{self.w('policy')} {self.string(header.title)}",
            f"{self.w('district')} {self.string(header.district)}",
            f"{self.w('calendar_year')} {header.year}",
            f"{self.w('as_of_kw')} {date_text(header.as_of, self.language)}",
            f"{self.w('source')} {self.string(header.source)}",
        ])

    def type_(self, ref: syntax.TypeRef) -> str:
        if ref.kind != "enum":
            return self.w(ref.kind)
        members = self.p[","].join(" ".join(self.string(s) for s in (m.value,) + m.aliases) for m in ref.members)
        return f"{self.w('enum')}{self.p['(']}{members}{self.p[')']}"

    def field(self, decl: syntax.FieldDecl) -> str:
        text = f"{self.w('field')} {self.name(decl.name)}"
        if decl.label is not None:
            text += f" {self.string(decl.label)}"
        text += f"{self.p[':']} {self.type_(decl.type)}"
        if decl.unique:
            text += f" {self.w('unique')}"
        if decl.optional:
            text += f" {self.w('optional')}"
        if decl.default is not None:
            text += f" {self.w('default')} {self.expr(decl.default)}"
        return text

    def define(self, decl: syntax.Define) -> str:
        text = f"{self.w('define')} {self.name(decl.name)}"
        if decl.label is not None:
            text += f" {self.string(decl.label)}"
        return text + f"{self.cite(decl.cite)} = {self.expr(decl.expr)}"

    def requirement(self, decl: syntax.Requirement, indent: str = "") -> str:
        return (
            f"{indent}{self.w('requirement')} {self.name(decl.name)} {self.string(decl.title)}{self.cite(decl.cite)}{self.p[':']}\n"
            f"{indent}    {self.expr(decl.condition)}"
        )

    def grade_block(self, block: syntax.GradeBlock) -> str:
        head = f"{self.w('for_grade')} {self.string(block.grade)}"
        if block.stage is not None:
            head += f" {self.w('stage')} {self.w(block.stage)}"
        return self.block(head, [self.requirement(r, "    ") for r in block.requirements], indented=True)

    def block(self, head: str, lines: list[str], *, indented: bool = False) -> str:
        body = [line if indented else "    " + line for line in lines]
        return "\n".join([f"{head} {self.p['{']}"] + body + [self.p["}"]])

    def item(self, item: Any) -> str:
        """One item of a section, as it is written inside the section."""
        if isinstance(item, syntax.Total):
            return f"{self.w('total')} = {self.expr(item.expr)}"
        if isinstance(item, syntax.Indicator):
            text = f"{self.w('indicator')} {self.name(item.name)} {self.string(item.title)}{self.cite(item.cite)} = {self.expr(item.formula)}"
            return text + (f" {self.w('cap')} {self.expr(item.cap)}" if item.cap is not None else "")
        if isinstance(item, syntax.Batch):
            condition = self.w("otherwise") if item.condition is None else self.expr(item.condition)
            return f"{self.w('batch')} {self.name(item.name)} {self.string(item.title)}{self.cite(item.cite)}{self.p[':']} {condition}"
        if isinstance(item, syntax.TieBreakKey):
            direction = self.w("descending" if item.descending else "ascending")
            if item.kind == "lottery":
                return f"{self.w('lottery')} {self.w('seed')} {item.seed}"
            if item.kind == "indicators":
                return f"{self.w('indicators')} {direction}"
            return f"{self.expr(item.expr)} {direction}"
        if isinstance(item, syntax.Setting):
            return self.setting(item)
        if isinstance(item, syntax.SubsidyRate):
            return f"{self.w('rate')} {self.w(item.school_type)} {self.w(item.stage)} {number_text(item.amount)}"
        if isinstance(item, syntax.Phase):
            return self.phase(item)
        if isinstance(item, syntax.Verification):
            return self.verification(item)
        if isinstance(item, syntax.MakeupSetting):
            return f"{self.w('makeup_days')} {self.w('counted' if item.counted else 'not_counted')}"
        if isinstance(item, syntax.CalendarYear):
            return f"{self.w('calendar_year')} {item.year}"
        if isinstance(item, syntax.CalendarDays):
            text = f"{self.w(item.kind)} {date_text(item.start, self.language)}"
            return text + (f" {self.w('to')} {date_text(item.end, self.language)}" if item.end is not None else "")
        if isinstance(item, syntax.MaskRule):
            sep = "" if self.language == "zh" else " "
            return f"{self.w(item.target)} {self.w('keep')} {self.w('first')}{sep}{item.keep_first} {self.w('last')}{sep}{item.keep_last}"
        if isinstance(item, syntax.Override):
            return f"{self.w('override')} {self.item(item.item)}"
        if isinstance(item, syntax.Remove):
            return self.remove(item)
        raise TypeError(f"not a section item: {item!r}")

    def setting(self, item: syntax.Setting) -> str:
        if item.key == "semesters_per_year":
            return f"{self.w('semesters_per_year')} {item.value}"
        if item.key == "siblings":
            return f"{self.w('siblings')} {self.w('together')} {self.w('else')} {self.w(item.value)}"
        value = str(item.value) if item.key == "choices" else self.w(item.value)
        return f"{self.w(item.key)} {value}"

    def moment(self, node: Any) -> str:
        return self.expr(node)

    def phase(self, item: syntax.Phase) -> str:
        text = f"{self.w('phase')} {self.name(item.name)} {self.string(item.title)}{self.cite(item.cite)}"
        if item.follows:
            text = f"{self.w('next')} {text}"
        if item.start is not None:
            text += f" {self.w('from')} {self.moment(item.start)} {self.w('to')} {self.moment(item.end)}"
        elif item.end is not None:
            text += f" {self.w('until')} {self.moment(item.end)}"
        if item.length is not None:
            text += f" {self.w('lasting')} {self.expr(item.length)}"
        return text

    def verification(self, item: syntax.Verification) -> str:
        length = self.expr(item.length)
        if self.language == "zh" and item.after is not None:
            text = f"积分核定 {self.name(item.after)} 后 {length}"
        else:
            text = f"{self.w('verification')} {length}"
            if item.after is not None:
                text += f" {self.w('after')} {self.name(item.after)}"
        if item.needed_for is not None:
            text += f" {self.w('for')} {self.name(item.needed_for)}"
        return text

    def remove(self, item: syntax.Remove) -> str:
        head = self.w("remove")
        kind, name = item.kind, item.name
        if kind in ("requirement", "define", "field", "indicator", "batch", "phase"):
            return f"{head} {self.w(kind)} {self.name(name)}"
        if kind == "grade":
            return f"{head} {self.w('for_grade')} {self.string(name)}"
        if kind == "section":
            return f"{head} {self.w(name)}"
        if kind == "key":
            if name == "expr":
                expr = item.expr
                text = self.expr(expr) if isinstance(expr, syntax.Ref) else f"{self.p['(']}{self.expr(expr)}{self.p[')']}"
                return f"{head} {text}"
            return f"{head} {self.w(name)}"
        if kind == "rate":
            school_type, stage = name.split()
            return f"{head} {self.w('rate')} {self.w(school_type)} {self.w(stage)}"
        if kind in ("total", "semesters_per_year", "verification", "makeup_days", "setting", "mask"):
            return f"{head} {self.w(name)}"
        raise TypeError(f"cannot write {item!r}")

    def section(self, block: Any) -> str:
        from jifen_dsl.lang.body import section_entries, section_kind

        kind = section_kind(block)
        head = self.w(kind)
        cite = getattr(block, "cite", None)
        if cite is not None:
            head += self.cite(cite)
        lines = [self.item(i) for i in section_entries(block)] + [self.item(e) for e in block.edits]
        return self.block(head, lines)

    def declaration(self, decl: Any) -> str:
        if isinstance(decl, syntax.Import):
            return f"{self.w('import')} {self.string(decl.path)}"
        if isinstance(decl, syntax.FieldDecl):
            return self.field(decl)
        if isinstance(decl, syntax.Define):
            return self.define(decl)
        if isinstance(decl, syntax.Requirement):
            return self.requirement(decl)
        if isinstance(decl, syntax.GradeBlock):
            return self.grade_block(decl)
        if isinstance(decl, syntax.CalendarBlock):
            head = self.w("calendar") + self.cite(decl.cite)
            return self.block(head, [self.item(i) for i in decl.items])
        if isinstance(decl, syntax.Override):
            return f"{self.w('override')} {self.declaration(decl.item)}"
        if isinstance(decl, syntax.Remove):
            return self.remove(decl)
        return self.section(decl)

    def file(self, tree: syntax.PolicyFile) -> str:
        parts = []
        if tree.header is not None:
            parts.append(self.header(tree.header))
        if tree.extends is not None:
            parts.append(f"{self.w('extends')} {self.string(tree.extends.path)}")
        parts.extend(self.declaration(d) for d in tree.declarations)
        return "\n\n".join(parts) + "\n"


def _language(tree: syntax.PolicyFile, language: str | None) -> str:
    if language is not None:
        return language
    return tree.header.language if tree.header is not None else "en"


def unparse(tree: syntax.PolicyFile, language: str | None = None) -> str:
    """A whole file as policy text, in ``language`` (default: the file's own)."""
    return _Writer(_language(tree, language)).file(tree)


def unparse_expr(node: Any, language: str = "en") -> str:
    """One expression as policy text."""
    return _Writer(language).expr(node)


def unparse_declaration(decl: Any, language: str = "en") -> str:
    """One declaration (a requirement, a section ...) as policy text."""
    return _Writer(language).declaration(decl)


def unparse_item(item: Any, language: str = "en") -> str:
    """One item of a section (an indicator, a batch, a phase ...) as it is written in the section."""
    return _Writer(language).item(item)
