"""Build expression nodes: literals, names, durations, operators, calls and evidence windows.

Part of the tree builder (see :mod:`jifen_dsl.lang.parsing.nodes`); like every
parser module it may use Lark, which no module outside the parser modules does.
A literal that cannot be (a 30 February, a duration that names a unit twice) is
collected as an error rather than raised, so one parse reports them all.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from decimal import Decimal

from lark import v_args

from jifen_dsl.lang import syntax
from jifen_dsl.lang.functions import SPELLING
from jifen_dsl.lang.numberlimits import MAX_DIGITS
from jifen_dsl.lang.parsing.nodes import NameTok, NodeBuilder
from jifen_dsl.messages import M, T

__all__ = ["ExpressionBuilder"]


def _unescape(body: str) -> str:
    """A "..." string's value: \\n, \\t, \\" and \\\\ read as the character they stand for, any other backslash kept."""
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# The units of a duration, as a message names them ("the duration gives months twice").
_UNIT_WORDS = {
    "years": M("P0104", "years"), "months": M("P0104", "months"), "days": M("P0104", "days"), "workdays": M("P0104", "workdays"),
}

_DATE_ZH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?")
_DATETIME_ZH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日[ \u3000]?(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?")  # a space, or an ideographic one as a Chinese keyboard types it


@v_args(meta=True)
class ExpressionBuilder(NodeBuilder):
    """The builder methods of the expression and literal rules."""

    def within(self, meta, children):
        value, window = children
        return syntax.Within(value, window, span=self._span(meta))

    def evidence(self, meta, children):
        name, window = children
        parts = window or {}
        return syntax.Evidence(name.value, **parts, span=self._span(meta), name_span=name.span)

    def window_before(self, meta, children):
        length, reference = children
        return {"length": length, "reference": reference}

    def window_before_zh(self, meta, children):
        reference, length = children
        return {"length": length, "reference": reference}

    def window_range(self, meta, children):
        low, high = children
        return {"low": low, "high": high}

    def if_expr(self, meta, children):
        return syntax.IfThenElse(*children, span=self._span(meta))

    def _binary(op):
        def build(self, meta, children):
            left, right = children
            return syntax.Binary(op, left, right, span=self._span(meta))

        return build

    or_ = _binary("or")
    and_ = _binary("and")
    eq = _binary("eq")
    ne = _binary("ne")
    lt = _binary("lt")
    le = _binary("le")
    gt = _binary("gt")
    ge = _binary("ge")
    in_ = _binary("in")
    not_in = _binary("not_in")
    add = _binary("add")
    sub = _binary("sub")
    mul = _binary("mul")
    div = _binary("div")
    del _binary

    def not_(self, meta, children):
        return syntax.Unary("not", children[0], span=self._span(meta))

    def neg(self, meta, children):
        operand = children[0]
        if isinstance(operand, syntax.NumberLit):
            return syntax.NumberLit(-operand.value, operand.is_integer, span=self._span(meta))
        return syntax.Unary("neg", operand, span=self._span(meta))

    def between(self, meta, children):
        return syntax.Between(*children, span=self._span(meta))

    def ref(self, meta, children):
        name = children[0]
        return syntax.Ref(name.value, span=name.span)

    def as_of(self, meta, children):
        return syntax.AsOf(span=self._span(meta))

    def policy_year(self, meta, children):
        return syntax.PolicyYear(span=self._span(meta))

    def set_lit(self, meta, children):
        items = tuple(c for c in children if c is not None)
        return syntax.SetLit(items, span=self._span(meta))

    def call(self, meta, children):
        function, *args = children
        args = tuple(a for a in args if a is not None)
        # Both spellings of a built-in name the same function: keep the canonical name.
        name = SPELLING.get(str(function), str(function))
        return syntax.Call(name, args, span=self._span(meta), function_span=self._tok_span(function), spelling=str(function))

    def function(self, meta, children):
        return children[0]

    def duration(self, meta, children):
        years = months = days = workdays = 0
        seen = set()
        span = self._span(meta)
        for unit, amount, part_span in children:
            if unit in seen:
                self._error(
                    M("P0104", "the duration gives {unit} twice", unit=_UNIT_WORDS[unit]), part_span, T("write each unit once, e.g. 1 year 6 months"),
                )
            seen.add(unit)
            if unit == "years":
                years += amount
            elif unit == "months":
                months += amount
            elif unit == "workdays":
                workdays += amount
            else:
                days += amount
        if "workdays" in seen:
            if len(seen) > 1:
                # A working day is not a fixed length of calendar time, so the two cannot be one duration.
                self._error(
                    M("P0105", "working days cannot be combined with years, months or days in one duration"),
                    span,
                    T("add them one after the other, e.g. d + 1 month + 3 workdays"),
                )
            return syntax.WorkdaysLit(workdays, span=span)
        return syntax.DurationLit(years, months, days, span=span)

    def duration_part(self, meta, children):
        number, unit = children
        amount = self._integer(number, T("a duration"))
        return (unit, amount, self._span(meta))

    def unit_years(self, meta, children):
        return "years"

    def unit_months(self, meta, children):
        return "months"

    def unit_days(self, meta, children):
        return "days"

    def unit_workdays(self, meta, children):
        return "workdays"

    # literals ---------------------------------------------------------
    def number(self, meta, children):
        tok = children[0]
        text = str(tok)
        span = self._tok_span(tok)
        whole, _, fraction = text.partition(".")
        # Counted on the text, before any conversion: turning thousands of digits into a
        # number is itself slow, and Python refuses to turn one back into text.
        digits = len(whole.lstrip("0")) + len(fraction)
        if digits > MAX_DIGITS:
            self._error(
                M("P0106", "this number has {digits:,} digits; a number may have at most {limit}", digits=digits, limit=MAX_DIGITS),
                span,
                T(
                    "jifen computes with {limit} significant digits, so a longer number could not be used as written (leading zeros do not count)",
                    limit=MAX_DIGITS,
                ),
            )
            self.refused_numbers.add(span)
            return syntax.NumberLit(Decimal(0), not fraction, span=span)
        return syntax.NumberLit(Decimal(text), not fraction, span=span)

    def string(self, meta, children):
        tok = children[0]
        raw = str(tok)
        value = _unescape(raw[1:-1]) if tok.type == "STRING" else raw[1:-1]
        return syntax.StringLit(unicodedata.normalize("NFC", value), span=self._tok_span(tok))

    def name(self, meta, children):
        tok = children[0]
        raw = str(tok)
        span = self._tok_span(tok)
        if tok.type == "BRACKET_NAME":
            raw = raw[1:-1]
            if not raw.strip():
                self._error(M("P0107", "a bracketed name cannot be empty"), span)
            elif raw != raw.strip():
                self._error(M("P0108", "a bracketed name cannot start or end with a space"), span, T("write 「{name}」", name=raw.strip()))
        return NameTok(unicodedata.normalize("NFC", raw), span)

    def true(self, meta, children):
        return syntax.BoolLit(True, span=self._span(meta))

    def false(self, meta, children):
        return syntax.BoolLit(False, span=self._span(meta))

    def date_value(self, meta, children):
        tok = children[0]
        span = self._tok_span(tok)
        text = str(tok)
        match = _DATE_ZH.fullmatch(text)
        parts = match.groups() if match else text.split("-")
        try:
            value = _dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            self._error(M("P0109", "{text} is not a calendar date", text=text), span, T("check the month and the day"))
            value = _dt.date(1, 1, 1)
        return syntax.DateLit(value, span=span)

    def datetime_value(self, meta, children):
        tok = children[0]
        span = self._tok_span(tok)
        text = str(tok)
        match = (_DATETIME_ZH if tok.type == "DATETIME_ZH" else _DATETIME).fullmatch(text)
        y, mo, d, h, mi, s = match.groups()
        try:
            value = _dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
        except ValueError:
            self._error(M("P0110", "{text} is not a valid date and time", text=text), span)
            value = _dt.datetime(1, 1, 1)
        return syntax.DateTimeLit(value, span=span)
