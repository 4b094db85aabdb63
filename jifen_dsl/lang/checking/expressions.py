"""Typing of expressions: resolve names, apply the type rules, fold constants.

Part of the checker (see :mod:`jifen_dsl.lang.checking.checker`), kept apart because the
expression rules are a concept of their own; calls of the built-in functions are
typed in :mod:`jifen_dsl.lang.checking.calls`. Every problem is recorded, never
raised; an expression found wrong takes the type ``ERROR`` so that it causes no
further, follow-on messages.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal

from jifen_dsl.lang import syntax, ir, model
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.errors import EvaluationError, Span
from jifen_dsl.messages import M, Message, T, quoted, series
from jifen_dsl.lang.numberlimits import MAX_DIGITS, too_large
from jifen_dsl.lang.operations import fold
from jifen_dsl.lang.typesys import (
    BOOL, CALENDAR, DATE, DATETIME, DECIMAL, DURATION, ERROR, EVIDENCE, INTEGER, TEXT, WORKDAYS,
    Type, is_numeric, is_orderable, set_of, unify,
)
from jifen_dsl.timeline.workdays import Workdays

__all__ = ["ExpressionTyping", "describe", "type_name", "kind_name"]

_OP_SYMBOL = {
    "add": "+", "sub": "-", "mul": "*", "div": "/", "eq": "=", "ne": "!=", "lt": "<", "le": "<=",
    "gt": ">", "ge": ">=", "and": "and", "or": "or", "in": "in", "not_in": "not in",
}


# Each type's name and, for "but this is ...", its name with an article: in English
# what str(Type) says; in Chinese the words of the Chinese type keywords.
_TYPE_WORDS = {
    "text": (T("text"), T("a text")),
    "integer": (T("integer"), T("an integer")),
    "decimal": (T("decimal"), T("a decimal")),
    "bool": (T("bool"), T("a bool")),
    "date": (T("date"), T("a date")),
    "datetime": (T("date and time"), T("a date and time")),
    "duration": (T("duration"), T("a duration")),
    "workdays": (T("number of working days"), T("a number of working days")),
    "calendar": (T("working-day calendar"), T("a working-day calendar")),
    "evidence": (T("list of evidence"), T("a list of evidence")),
    "school_list": (T("list of schools"), T("a list of schools")),
    "text_list": (T("list of text"), T("a list of text")),
}
# A field's type as its declaration spells it, where that differs from the type's name.
_KIND_WORDS = {"enum": T("enum"), "school_list": T("school_list"), "text_list": T("text_list")}


def type_name(t: Type) -> Message | str:
    """'date', 'enum (a, b)', 'set of text' ... for messages: str(t), in the language shown."""
    if t.kind == "enum":
        return T("enum ({members})", members=series(t.members))
    if t.kind == "set" and t.element is not None:
        return T("set of {element}", element=type_name(t.element))
    if t.kind == "window":
        if t.element is None:
            return T("phase")
        return T("phase (date and times)") if t.element.kind == "datetime" else T("phase (dates)")
    words = _TYPE_WORDS.get(t.kind)
    return words[0] if words else str(t)


def describe(t: Type) -> Message | str:
    """'a date', 'an integer' ... for messages."""
    if t.kind == "enum":
        return T("an enum ({members})", members=series(t.members))
    if t.kind == "set" and t.element is not None:
        return T("a set of {element}", element=type_name(t.element))
    if t.kind == "window":
        if t.element is None:
            return T("a phase")
        return T("a phase (date and times)") if t.element.kind == "datetime" else T("a phase (dates)")
    words = _TYPE_WORDS.get(t.kind)
    if words:
        return words[1]
    text = str(t)  # the error type: never shown, since an error silences what follows from it
    return ("an " if text[:1] in "aeiou" else "a ") + text


def kind_name(kind: str) -> Message | str:
    """A field type's keyword (school_list, enum ...), for messages about the fields the engine reads."""
    words = _TYPE_WORDS.get(kind)
    return _KIND_WORDS.get(kind) or (words[0] if words else kind)


# The operators that are words, as each language writes them; the others are symbols.
_WORD_OPERATORS = {"and": T("'and'"), "or": T("'or'"), "in": T("'in'"), "not_in": T("'not in'")}


def _phrase(op: str) -> Message:
    """An operator in quotes, for messages: '+', 'and' / “+”, “并且”."""
    return _WORD_OPERATORS.get(op) or T("'{operator}'", operator=_OP_SYMBOL[op])


class ExpressionTyping:
    """Mixin of the checker that types expressions against its symbol table."""

    # ---------------------------------------------------------- expressions
    def _bool_expr(self, node: syntax.Expr, what: Message, **kw) -> ir.Node:
        result = self._expr(node, **kw)
        if result.type not in (BOOL, ERROR):
            self.error(
                M("C0202", "{what} must be true or false, but this is {type}", what=what, type=describe(result.type)),
                node.span,
                T("compare it with something, e.g. x >= 1"),
            )
        return result

    def _literal(self, node) -> ir.Const:
        if isinstance(node, syntax.NumberLit):
            if node.is_integer:
                return ir.Const(int(node.value), INTEGER, span=node.span)
            return ir.Const(node.value, DECIMAL, span=node.span)
        if isinstance(node, syntax.StringLit):
            return ir.Const(node.value, TEXT, span=node.span)
        if isinstance(node, syntax.BoolLit):
            return ir.Const(node.value, BOOL, span=node.span)
        if isinstance(node, syntax.DateLit):
            return ir.Const(node.value, DATE, span=node.span)
        if isinstance(node, syntax.DateTimeLit):
            return ir.Const(node.value, DATETIME, span=node.span)
        raise TypeError(node)

    def _expr(self, node: syntax.Expr, *, tiebreak: bool = False) -> ir.Node:
        """Type an expression; ``tiebreak`` lets it name indicator scores."""
        return self._visit(node, tiebreak)

    def _visit(self, node, ctx) -> ir.Node:
        method = getattr(self, "_e_" + type(node).__name__)
        return method(node, ctx)

    def _e_NumberLit(self, node, ctx):
        return self._literal(node)

    _e_StringLit = _e_BoolLit = _e_DateLit = _e_DateTimeLit = _e_NumberLit

    def _e_DurationLit(self, node, ctx):
        return ir.Const(Duration(node.years, node.months, node.days), DURATION, span=node.span)

    def _e_WorkdaysLit(self, node, ctx):
        return ir.Const(Workdays(node.count), WORKDAYS, span=node.span)

    def _calendar(self, span: Span | None) -> ir.Const:
        """The policy's working-day calendar, as the constant argument of a working-day operation."""
        return ir.Const(self.calendar, CALENDAR, span=span)

    def _e_AsOf(self, node, ctx):
        header = self.program.main.header
        if header is None:
            self.error(
                M("C0203", "as_of is the policy's reference date, and a library has no policy header"),
                node.span,
                T("define this in the policy file itself"),
            )
            return ir.Const(None, ERROR, span=node.span)
        return ir.Const(header.as_of, DATE, span=node.span)

    def _e_PolicyYear(self, node, ctx):
        header = self.program.main.header
        if header is None:
            self.error(M("C0204", "year is the policy's admission year, and a library has no policy header"), node.span)
            return ir.Const(None, ERROR, span=node.span)
        return ir.Const(header.year, INTEGER, span=node.span)

    def _e_Ref(self, node, ctx):
        tiebreak = ctx
        symbol = self.symbols.get(node.name)
        if symbol is None and tiebreak:
            symbol = self.indicator_symbols.get(node.name)
        if symbol is None and node.name in self.pending_defs:
            later = self.pending_defs[node.name]
            self.forward_refs.add(node.name)
            self.error(
                M("C0205", "{name} is defined later (line {line})", name=quoted(node.name), line=later.line)
                if later else M("C0205", "{name} is defined later", name=quoted(node.name)),
                node.span,
                T("a definition can only use definitions above it; move it below"),
            )
            return ir.Const(None, ERROR, span=node.span)
        if symbol is None:
            candidates = list(self.symbols) + (list(self.indicator_symbols) if tiebreak else [])
            if node.name in self.evidence_indicators:  # every indicator of the points section, known from the start
                hint = T("{name} is an indicator; indicator scores can only be used in the tie-break chain", name=quoted(node.name))
            else:
                hint = self._suggest(node.name, candidates)
            self.error(M("C0201", "unknown name {name}", name=quoted(node.name)), node.span, hint or T("declare it as a field or a definition"))
            return ir.Const(None, ERROR, span=node.span)
        if symbol.kind == "field":
            self.used_fields.add(symbol.index)
            f = self.fields[symbol.index]
            return ir.FieldRef(symbol.index, f.name, symbol.type, f.nullable, span=node.span)
        if symbol.kind == "phase":
            phase = self.phases[symbol.index]
            if phase.window is None:
                self.error(
                    M("C0206", "the phase {name} has no published dates, only a length", name=quoted(node.name)),
                    node.span,
                    T("give the phase its dates (from ... to ...) to use it in a rule"),
                )
                return ir.Const(None, ERROR, span=node.span)
            return ir.Const(phase.window, symbol.type, span=node.span)
        if symbol.kind == "define":
            self.used_defs.add(symbol.index)
            self._mark_def_fields(symbol.index)
            d = self.definitions[symbol.index]
            if isinstance(d.expr, ir.Const) and d.expr.type.kind != "error":
                return ir.Const(d.expr.value, d.expr.type, span=node.span)  # a named constant
            return ir.DefRef(symbol.index, d.name, symbol.type, symbol.may_miss, span=node.span)
        return ir.IndicatorRef(symbol.index, node.name, symbol.type, span=node.span)

    def _mark_def_fields(self, index: int) -> None:
        stack = [self.definitions[index].expr]
        while stack:
            for n in ir.walk(stack.pop()):
                if isinstance(n, ir.FieldRef):
                    self.used_fields.add(n.index)
                elif isinstance(n, ir.DefRef) and n.index not in self.used_defs:
                    self.used_defs.add(n.index)
                    stack.append(self.definitions[n.index].expr)

    def _e_SetLit(self, node, ctx):
        items = [self._visit(i, ctx) for i in node.items]
        if not items:
            self.error(M("C0207", "an empty set matches nothing"), node.span, T("list at least one value"))
            return ir.Const(frozenset(), set_of(ERROR), span=node.span)
        element = items[0].type
        for item, src in zip(items[1:], node.items[1:]):
            joined = unify(element, item.type)
            if joined is None:
                self.error(M("C0208", "a set mixes {first} and {other}", first=describe(element), other=describe(item.type)), src.span)
                return ir.Const(frozenset(), set_of(ERROR), span=node.span)
            element = joined
        values = []
        for item, src in zip(items, node.items):
            if not isinstance(item, ir.Const):
                self.error(M("C0209", "a set lists fixed values, not expressions"), src.span, T("use a definition or a comparison instead"))
                return ir.Const(frozenset(), set_of(ERROR), span=node.span)
            values.append(Decimal(item.value) if element == DECIMAL else item.value)
        if element.kind in ("duration", "bool"):
            self.error(M("C0210", "a set of {element} is not supported", element=type_name(element)), node.span)
        return ir.Const(frozenset(values), set_of(element), span=node.span)

    def _e_Unary(self, node, ctx):
        operand = self._visit(node.operand, ctx)
        t = operand.type
        if t == ERROR:
            return operand
        if node.op == "not":
            if t != BOOL:
                self.error(M("C0211", "'not' needs true or false, but this is {type}", type=describe(t)), node.operand.span)
                return ir.Const(None, ERROR, span=node.span)
            return self._apply("not", (operand,), BOOL, node.span)
        if is_numeric(t):
            return self._apply("neg", (operand,), t, node.span)
        if t == DURATION:
            return self._apply("neg_dur", (operand,), DURATION, node.span)
        if t == WORKDAYS:
            return self._apply("neg_workdays", (operand,), WORKDAYS, node.span)
        self.error(M("C0212", "cannot negate {type}", type=describe(t)), node.span)
        return ir.Const(None, ERROR, span=node.span)

    def _e_Binary(self, node, ctx):
        left = self._visit(node.left, ctx)
        right = self._visit(node.right, ctx)
        lt, rt = left.type, right.type
        if ERROR in (lt, rt) or lt.kind == "set" and lt.element == ERROR or rt.kind == "set" and rt.element == ERROR:
            return ir.Const(None, ERROR, span=node.span)
        op = node.op
        if op in ("and", "or"):
            bad = [(n, t) for n, t in ((node.left, lt), (node.right, rt)) if t != BOOL]
            for n, t in bad:
                self.error(
                    M("C0213", "{operator} joins conditions, but this is {type}", operator=_phrase(op), type=describe(t)),
                    n.span,
                    T("write a comparison such as x >= 1"),
                )
            if bad:
                return ir.Const(None, ERROR, span=node.span)
            return self._apply(op, (left, right), BOOL, node.span)
        if op in ("add", "sub", "mul", "div"):
            return self._arithmetic(node, op, left, right)
        if op in ("in", "not_in"):
            return self._membership(node, op, left, right)
        return self._compare(node, op, left, right)

    def _arithmetic(self, node, op, left, right):
        lt, rt = left.type, right.type
        if is_numeric(lt) and is_numeric(rt):
            if op == "div":
                if isinstance(right, ir.Const) and right.value == 0:
                    self.error(M("C0215", "division by zero"), node.right.span)
                    return ir.Const(None, ERROR, span=node.span)
                return self._apply("div", (left, right), DECIMAL, node.span)
            result = INTEGER if lt == rt == INTEGER else DECIMAL
            return self._apply(op, (left, right), result, node.span)
        if op in ("add", "sub") and lt in (DATE, DATETIME) and rt == WORKDAYS:
            return self._apply("add_workdays" if op == "add" else "sub_workdays", (left, right, self._calendar(node.span)), lt, node.span)
        if op == "add" and lt == WORKDAYS and rt in (DATE, DATETIME):
            return self._apply("add_workdays", (right, left, self._calendar(node.span)), rt, node.span)
        if op in ("add", "sub") and lt in (DATE, DATETIME) and rt == DURATION:
            return self._apply("add_date" if op == "add" else "sub_date", (left, right), lt, node.span)
        if op == "add" and lt == DURATION and rt in (DATE, DATETIME):
            return self._apply("add_date", (right, left), rt, node.span)
        if op in ("add", "sub") and lt == rt == DURATION:
            return self._apply("add_dur" if op == "add" else "sub_dur", (left, right), DURATION, node.span)
        if op == "mul" and {lt.kind, rt.kind} == {"duration", "integer"}:
            dur, n = (left, right) if lt == DURATION else (right, left)
            return self._apply("scale_dur", (dur, n), DURATION, node.span)
        hint = None
        if op == "sub" and lt == rt and lt in (DATE, DATETIME):
            hint = T("to measure the time between two dates use full_years(a, b), full_months(a, b), days_between(a, b) or workdays_between(a, b)")
        elif {lt, rt} == {DURATION, WORKDAYS} or (op in ("add", "sub") and lt == rt == WORKDAYS):
            hint = T("working days are not a fixed length of time; add each to the date in turn: d + 1 month + 3 workdays")
        elif WORKDAYS in (lt, rt):
            hint = T("working days can be added to or taken from a date: d + 35 workdays")
        elif DURATION in (lt, rt) and is_numeric(lt if rt == DURATION else rt) and op != "mul":
            hint = T("a duration is written with its unit: 1 year, 6 months, 35 days (1年, 6个月, 35天)")
        elif op in ("add", "sub") and DURATION in (lt, rt):
            hint = T("a duration can be added to or taken from a date or another duration")
        self.error(
            M("C0214", "{operator} cannot combine {left} and {right}", operator=_phrase(op), left=describe(lt), right=describe(rt)),
            node.span,
            hint,
        )
        return ir.Const(None, ERROR, span=node.span)

    def _enum_literal(self, enum: Type, node: ir.Node, src) -> ir.Node | None:
        """A text literal compared with an enum, as the member it names (aliases allowed)."""
        if not (isinstance(node, ir.Const) and node.type == TEXT):
            return node
        canonical = enum.canonical(node.value)
        if canonical is None:
            spellings = list(enum.members) + [a for a, _ in enum.aliases]
            hint = self._suggest(node.value, spellings) or T("the values are: {values}", values=series(spellings))
            self.error(_not_a_member(node.value, enum), src.span, hint)
            return None
        return ir.Const(canonical, enum, span=node.span)

    def _compare(self, node, op, left, right):
        lt, rt = left.type, right.type
        if lt.kind == "enum" and rt.kind in ("text", "enum"):
            right = self._enum_literal(lt, right, node.right)
            if right is None:
                return ir.Const(None, ERROR, span=node.span)
            rt = right.type
        elif rt.kind == "enum" and lt.kind == "text":
            left = self._enum_literal(rt, left, node.left)
            if left is None:
                return ir.Const(None, ERROR, span=node.span)
            lt = left.type
        joined = unify(lt, rt)
        if joined is None:
            hint = None
            if "window" in (lt.kind, rt.kind):
                hint = T("test whether a time falls in a phase with 'x within phase' (x 在 phase 内), or compare it with start_of(phase) or end_of(phase)")
            elif {lt.kind, rt.kind} == {"date", "datetime"}:
                hint = T("take the date of a date and time with date_of(x), or write both as dates")
            elif "duration" in (lt.kind, rt.kind):
                hint = T("add the duration to a date first, e.g. permit_start + 1 year <= as_of")
            elif {lt.kind, rt.kind} & {"date", "datetime"} and (is_numeric(lt) or is_numeric(rt)):
                hint = T("to test an age or a time held, use age_on(x, as_of) >= 6 or full_years(x, as_of) >= 1")
            self.error(M("C0217", "cannot compare {left} with {right}", left=describe(lt), right=describe(rt)), node.span, hint)
            return ir.Const(None, ERROR, span=node.span)
        if op in ("lt", "le", "gt", "ge") and not is_orderable(joined):
            self.error(M("C0218", "{operator} needs numbers, dates or times, but these are {type}", operator=_phrase(op), type=type_name(joined)), node.span)
            return ir.Const(None, ERROR, span=node.span)
        if joined.kind in ("school_list", "text_list", "duration", "set", "window", "workdays"):
            self.error(M("C0219", "cannot compare {type} with {operator}", type=describe(lt), operator=_phrase(op)), node.span)
            return ir.Const(None, ERROR, span=node.span)
        return self._apply(op, (left, right), BOOL, node.span)

    def _membership(self, node, op, left, right):
        lt, rt = left.type, right.type
        if rt.kind not in ("set", "school_list", "text_list"):
            self.error(
                M("C0220", "{operator} needs a set such as {{\"a\", \"b\"}} or a list on its right, not {type}", operator=_phrase(op), type=describe(rt)),
                node.right.span,
            )
            return ir.Const(None, ERROR, span=node.span)
        element = rt.element
        if lt.kind == "enum" and element == TEXT and isinstance(right, ir.Const):
            members = []
            for value in sorted(right.value):
                canonical = lt.canonical(value)
                if canonical is None:
                    spellings = list(lt.members) + [a for a, _ in lt.aliases]
                    self.error(
                        _not_a_member(value, lt),
                        node.right.span,
                        self._suggest(value, spellings) or T("the values are: {values}", values=series(spellings)),
                    )
                    return ir.Const(None, ERROR, span=node.span)
                members.append(canonical)
            right = ir.Const(frozenset(members), set_of(lt), span=right.span)
            element = lt
        if unify(lt, element) is None:
            self.error(M("C0221", "cannot look for {value} among {collection}", value=describe(lt), collection=type_name(rt)), node.span)
            return ir.Const(None, ERROR, span=node.span)
        return self._apply(op, (left, right), BOOL, node.span)

    def _e_Between(self, node, ctx):
        value = self._visit(node.value, ctx)
        low = self._visit(node.low, ctx)
        high = self._visit(node.high, ctx)
        types = [value.type, low.type, high.type]
        if ERROR in types:
            return ir.Const(None, ERROR, span=node.span)
        joined = unify(unify(types[0], types[1]) or ERROR, types[2])
        if joined is None or joined == ERROR or not is_orderable(joined):
            self.error(M("C0222", "'between' needs three numbers, dates or times, but got {types}", types=series(type_name(t) for t in types)), node.span)
            return ir.Const(None, ERROR, span=node.span)
        if isinstance(low, ir.Const) and isinstance(high, ir.Const) and low.value > high.value:
            self.error(
                M("C0223", "the window starts after it ends: {start} is later than {end}", start=low.value, end=high.value),
                Span(node.low.span.path, node.low.span.line, node.low.span.column, node.high.span.end_line, node.high.span.end_column) if node.low.span and node.high.span else node.span,
                T("write the earlier bound first: x between low and high"),
            )
            return ir.Const(None, ERROR, span=node.span)
        return self._apply("between", (value, low, high), BOOL, node.span)

    def _e_Within(self, node, ctx):
        value = self._visit(node.value, ctx)
        if isinstance(node.window, syntax.Ref) and node.window.name not in self.symbols and node.window.name not in self.pending_defs:
            self.error(M("C0224", "unknown phase {name}", name=quoted(node.window.name)), node.window.span, self._phase_hint(node.window.name))
            return ir.Const(None, ERROR, span=node.span)
        window = self._visit(node.window, ctx)
        if ERROR in (value.type, window.type):
            return ir.Const(None, ERROR, span=node.span)
        if window.type.kind != "window" or not isinstance(window, ir.Const):
            self.error(
                M("C0225", "'within' needs a phase of the schedule on its right, not {type}", type=describe(window.type)),
                node.window.span,
                T("name a phase declared in the schedule section"),
            )
            return ir.Const(None, ERROR, span=node.span)
        if value.type not in (DATE, DATETIME):
            self.error(M("C0226", "'within' tests a date or a date and time, not {type}", type=describe(value.type)), node.value.span)
            return ir.Const(None, ERROR, span=node.span)
        bounds = window.value
        if value.type == DATE and bounds.has_time:
            self.error(
                M("C0227", "a date cannot fall within a window of dates and times ({window}): the time of day decides", window=str(bounds)),
                node.span,
                T("give the value as a date and time, or compare dates: date_of(start_of(phase)) <= x"),
            )
            return ir.Const(None, ERROR, span=node.span)
        if value.type == DATETIME and not bounds.has_time:
            value = self._apply("date_of", (value,), DATE, node.value.span)  # a window of dates holds whole days
        kind = DATETIME if bounds.has_time else DATE
        end = ir.Const(bounds.end, kind, span=node.window.span)
        if bounds.start is None:
            return self._apply("le", (value, end), BOOL, node.span)
        start = ir.Const(bounds.start, kind, span=node.window.span)
        return self._apply("between", (value, start, end), BOOL, node.span)

    def _phase_hint(self, name: str) -> Message:
        """The hint for a name that is no phase: the phases spelled close to it, or all of them."""
        names = [p.name for p in self.phases]
        if not names:
            return T("declare the phase in the schedule section")
        return self._suggest(name, names) or T("the phases are: {phases}", phases=series(names))

    def _evidence_date(self, node, ctx, what: Message) -> ir.Node:
        """A bound of an evidence window, as a date (items are dated by day)."""
        bound = self._visit(node, ctx)
        if bound.type == DATETIME:
            return self._apply("date_of", (bound,), DATE, node.span)
        if bound.type not in (DATE, ERROR):
            self.error(M("C0228", "{what} must be a date, not {type}", what=what, type=describe(bound.type)), node.span)
            return ir.Const(None, ERROR, span=node.span)
        return bound

    def _e_Evidence(self, node, ctx):
        if node.indicator not in self.evidence_indicators:
            hint = self._suggest(node.indicator, list(self.evidence_indicators))
            self.error(
                M("C0229", "there is no indicator {name} to count evidence for", name=quoted(node.indicator)),
                node.name_span or node.span,
                hint or T("evidence is filed under an indicator of the points section: evidence <indicator> ..."),
            )
            return ir.Const(None, ERROR, span=node.span)
        slot = self.evidence_slots.setdefault(node.indicator, len(self.evidence_slots))
        items = ir.EvidenceRef(slot, node.indicator, EVIDENCE, span=node.name_span or node.span)
        if node.length is None and node.low is None:
            return ir.Apply("evidence_total", (items,), DECIMAL, span=node.span)
        if node.length is not None:
            high = self._evidence_date(node.reference, ctx, T("the window's reference date"))
            length = self._visit(node.length, ctx)
            if ERROR in (high.type, length.type):
                return ir.Const(None, ERROR, span=node.span)
            if length.type == WORKDAYS:
                low = self._apply("sub_workdays", (high, length, self._calendar(node.span)), DATE, node.span)
            else:
                low = self._apply("sub_date", (high, length), DATE, node.span)
        else:
            low = self._evidence_date(node.low, ctx, T("the window's start"))
            high = self._evidence_date(node.high, ctx, T("the window's end"))
            if ERROR in (low.type, high.type):
                return ir.Const(None, ERROR, span=node.span)
            if isinstance(low, ir.Const) and isinstance(high, ir.Const) and low.value > high.value:
                self.error(
                    M("C0223", "the window starts after it ends: {start} is later than {end}", start=low.value, end=high.value),
                    Span(node.low.span.path, node.low.span.line, node.low.span.column, node.high.span.end_line, node.high.span.end_column) if node.low.span and node.high.span else node.span,
                    T("write the earlier date after 'from' (自)"),
                )
                return ir.Const(None, ERROR, span=node.span)
        if ERROR in (low.type, high.type):
            return ir.Const(None, ERROR, span=node.span)
        return self._apply("evidence_sum", (items, low, high), DECIMAL, node.span)

    def _e_IfThenElse(self, node, ctx):
        condition = self._visit(node.condition, ctx)
        then = self._visit(node.then, ctx)
        otherwise = self._visit(node.otherwise, ctx)
        if condition.type not in (BOOL, ERROR):
            self.error(M("C0230", "'if' needs a condition, but this is {type}", type=describe(condition.type)), node.condition.span)
            return ir.Const(None, ERROR, span=node.span)
        if ERROR in (condition.type, then.type, otherwise.type):
            return ir.Const(None, ERROR, span=node.span)
        joined = unify(then.type, otherwise.type)
        if joined is None:
            self.error(
                M("C0231", "the two branches differ: {then} after 'then', {otherwise} after 'else'", then=describe(then.type), otherwise=describe(otherwise.type)),
                node.span,
            )
            return ir.Const(None, ERROR, span=node.span)
        return self._apply("if", (condition, then, otherwise), joined, node.span)

    def _apply(self, op: str, args: tuple[ir.Node, ...], type_: Type, span: Span | None) -> ir.Node:
        if all(isinstance(a, ir.Const) for a in args):
            where = str(span) if span else "policy"
            try:
                value = fold(op, [a.value for a in args], where)
            except EvaluationError as exc:
                self.error(_problem(exc, where), span)
                return ir.Const(None, ERROR, span=span)
            except (ArithmeticError, ValueError) as exc:  # e.g. a rounding beyond 28 significant digits
                self.error(M("C0232", "this cannot be computed: {error}", error=type(exc).__name__), span, T("check the size of the numbers"))
                return ir.Const(None, ERROR, span=span)
            if too_large(value):
                self.error(
                    M("C0233", "this calculation comes to a number of more than {digits} digits", digits=MAX_DIGITS),
                    span,
                    T("numbers are kept to {digits} digits: check the size of the numbers it multiplies", digits=MAX_DIGITS),
                )
                return ir.Const(None, ERROR, span=span)
            return ir.Const(value, type_, span=span)
        return ir.Apply(op, args, type_, span=span)

    def _uses(self, expr: syntax.Expr) -> tuple[model.UsedValue, ...]:
        """The fields and definitions a condition names, in order of first mention."""
        seen: dict[tuple[str, int], model.UsedValue] = {}
        stack = [expr]
        order: list[model.UsedValue] = []
        while stack:
            node = stack.pop()
            if isinstance(node, syntax.Ref):
                symbol = self.symbols.get(node.name)
                if symbol is not None and symbol.kind in ("field", "define", "phase"):
                    key = (symbol.kind, symbol.index)
                    if key not in seen:
                        seen[key] = model.UsedValue(symbol.kind, symbol.index, node.name)
                        order.append(seen[key])
            elif isinstance(node, syntax.PolicyYear):
                if ("year", 0) not in seen:
                    seen[("year", 0)] = model.UsedValue("year", 0, "年度" if self.language == "zh" else "year")
                    order.append(seen[("year", 0)])
            elif isinstance(node, syntax.AsOf):
                if ("as_of", 0) not in seen:
                    seen[("as_of", 0)] = model.UsedValue("as_of", 0, "基准日" if self.language == "zh" else "as_of")
                    order.append(seen[("as_of", 0)])
            else:
                names = ("items", "operand", "left", "right", "value", "window", "reference", "low", "high", "condition", "then", "otherwise", "args")
                children = [getattr(node, name) for name in names if hasattr(node, name)]
                flat = []
                for child in children:
                    if isinstance(child, tuple):
                        flat.extend(child)
                    elif child is not None and not isinstance(child, (str, Decimal, bool, int, _dt.date)):
                        flat.append(child)
                stack.extend(reversed(flat))
        return tuple(order)



def _not_a_member(value: str, enum: Type) -> Message:
    """The message for a text that names no member of an enum (nor an alias of one)."""
    if enum.field:
        return M("C0216", "{value} is not a value of {field}", value=quoted(value), field=enum.field)
    return M("C0216", "{value} is not a value of this enum", value=quoted(value))


def _problem(exc: EvaluationError, where: str) -> Message | str:
    """Why a constant could not be folded, in the operation's own message, without the place (the diagnostic has it)."""
    said = getattr(exc, "problem", None) or getattr(exc, "message", None)  # an operation's error, a calendar's
    if said is not None:
        return said
    return str(exc).removeprefix(where + ": ")
