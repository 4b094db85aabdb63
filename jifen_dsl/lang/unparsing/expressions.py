"""Write an expression as policy text, with parentheses exactly where precedence needs them.

The binding strengths are the grammar's; an ``and`` inside an ``or`` is bracketed
all the same, for readers. Chinese writes comparisons of dates as words (早于,
不晚于) and every other operator as a symbol. :mod:`jifen_dsl.lang.unparsing.unparse`
builds on this writer for declarations and sections.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.lang import syntax
from jifen_dsl.lang.functions import FUNCTIONS
from jifen_dsl.lang.unparsing.words import keyword, literal_text, name_text, punctuation, string_text

__all__ = ["ExpressionWriter"]


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


class ExpressionWriter:
    """Writes expressions in one language; its words, names and strings are spelled as :mod:`jifen_dsl.lang.unparsing.words` says."""

    def __init__(self, language: str):
        self.language = language
        self.p = punctuation(language)

    def w(self, key: str) -> str:
        return keyword(key, self.language)

    def name(self, name: str) -> str:
        return name_text(name, self.language)

    def string(self, value: str) -> str:
        return string_text(value, self.language)

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
