"""Check a loaded policy: resolve names, type every expression, collect ALL errors.

The checker never stops at the first problem. It reports unknown names with
suggestions, type errors, duplicate names, windows that end before they start,
tie-break chains that do not order every pair of applicants, and more; and it
warns about definitions nothing uses. Its output is a :class:`model.Policy`.
"""

from __future__ import annotations

import datetime as _dt
import difflib
from decimal import Decimal
from typing import Any, Iterable

from . import ast, ir, model
from .dates import Duration
from .errors import Diagnostic, EvaluationError, PolicyError, Span
from .loader import Program
from .runtime import fold
from .typesys import (
    BOOL, DATE, DATETIME, DECIMAL, DURATION, ERROR, INTEGER, SCHOOL_LIST, TEXT, TEXT_LIST,
    Type, enum_type, is_numeric, is_orderable, set_of, unify,
)

__all__ = ["check", "FUNCTIONS"]

# Built-in functions: canonical name -> every spelling.
FUNCTIONS: dict[str, tuple[str, ...]] = {
    "full_years": ("full_years", "整年数"),
    "full_months": ("full_months", "整月数"),
    "age_on": ("age_on", "周岁"),
    "days_between": ("days_between", "间隔天数"),
    "min": ("min", "最小值"),
    "max": ("max", "最大值"),
    "round": ("round", "四舍五入"),
    "count": ("count", "个数"),
    "year_of": ("year_of", "年份"),
    "month_of": ("month_of", "月份"),
    "day_of": ("day_of", "日份"),
    "present": ("present", "已填写"),
    "date_of": ("date_of", "日期部分"),
}
_SPELLING = {spelling: canonical for canonical, spellings in FUNCTIONS.items() for spelling in spellings}

_TYPE_OF_KIND = {
    "text": TEXT, "integer": INTEGER, "decimal": DECIMAL, "bool": BOOL, "date": DATE,
    "datetime": DATETIME, "school_list": SCHOOL_LIST, "text_list": TEXT_LIST,
}

_OP_SYMBOL = {
    "add": "+", "sub": "-", "mul": "*", "div": "/", "eq": "=", "ne": "!=", "lt": "<", "le": "<=",
    "gt": ">", "ge": ">=", "and": "and", "or": "or", "in": "in", "not_in": "not in",
}


def _a(t: Type) -> str:
    """'a date', 'an integer' ... for messages."""
    text = str(t)
    return ("an " if text[:1] in "aeiou" else "a ") + text


class _Symbol:
    __slots__ = ("kind", "index", "type", "span", "nullable", "may_miss", "order")

    def __init__(self, kind, index, type_, span, *, nullable=False, may_miss=False, order=0):
        self.kind = kind  # "field", "define" or "indicator"
        self.index = index
        self.type = type_
        self.span = span
        self.nullable = nullable
        self.may_miss = may_miss
        self.order = order  # declaration order, for define-before-use


class _Checker:
    def __init__(self, program: Program):
        self.program = program
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.fields: list[model.Field] = []
        self.definitions: list[model.Definition] = []
        self.symbols: dict[str, _Symbol] = {}
        self.indicator_symbols: dict[str, _Symbol] = {}
        self.used_defs: set[int] = set()
        self.used_fields: set[int] = set()
        self.library_defs: set[int] = set()
        self.language = program.main.header.language if program.main.header else "en"

    # -------------------------------------------------------------- messages
    def error(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.errors.append(Diagnostic(message, span, hint))

    def warn(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.warnings.append(Diagnostic(message, span, hint, severity="warning"))

    def _suggest(self, name: str, candidates: Iterable[str]) -> str | None:
        close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
        if not close:
            return None
        return "did you mean " + " or ".join(repr(c) for c in close) + "?"

    # ------------------------------------------------------------------ run
    def run(self) -> model.Policy | model.Library | None:
        decls = self.program.declarations
        header = self.program.main.header

        for decl, _path in decls:
            if isinstance(decl, ast.FieldDecl):
                self._declare_field(decl)

        order = 0
        blocks: dict[type, Any] = {}
        requirements_ast: list[tuple[ast.Requirement, str | None]] = []
        grade_blocks: list[ast.GradeBlock] = []
        for decl, path in decls:
            order += 1
            if isinstance(decl, ast.Define):
                self._declare_define(decl, order, from_library=path != self.program.main.path)
            elif isinstance(decl, ast.Requirement):
                requirements_ast.append((decl, None))
            elif isinstance(decl, ast.GradeBlock):
                grade_blocks.append(decl)
            elif isinstance(decl, (ast.PointsBlock, ast.BatchesBlock, ast.TieBreakBlock, ast.AllocationBlock, ast.SubsidyBlock)):
                if type(decl) in blocks:
                    first = blocks[type(decl)]
                    self.error(
                        f"a policy has one {_BLOCK_NAMES[type(decl)]} section; this is a second one",
                        decl.span,
                        f"the first is at line {first.span.line}" if first.span else None,
                    )
                else:
                    blocks[type(decl)] = decl

        grade_field = self._engine_field(model.GRADE_FIELD, ("enum",), header)
        id_field = self._engine_field(model.ID_FIELD, ("text",), header)
        if id_field is not None and not id_field.unique and header is not None:
            self.error("the field 'id' must be declared unique", id_field.span, "add 'unique' to its declaration")

        requirements: list[model.Requirement] = []
        grades: list[model.Grade] = []
        req_names: dict[str, Span | None] = {}

        def add_requirement(req: ast.Requirement, grade: str | None) -> int:
            if req.name in req_names:
                previous = req_names[req.name]
                self.error(
                    f"duplicate requirement name {req.name!r}",
                    req.name_span or req.span,
                    f"the first is at line {previous.line}" if previous else None,
                )
            req_names[req.name] = req.name_span or req.span
            condition = self._bool_expr(req.condition, "a requirement's condition")
            uses = self._uses(req.condition)
            index = len(requirements)
            requirements.append(model.Requirement(index, req.name, req.title, req.cite, condition, grade, uses, span=req.span))
            return index

        for req, _ in requirements_ast:
            add_requirement(req, None)
        seen_grades: dict[str, Span | None] = {}
        for block in grade_blocks:
            grade_value = self._grade_value(block, grade_field)
            if grade_value is not None and grade_value in seen_grades:
                self.error(f"grade {block.grade!r} already has a block of requirements", block.grade_span, "put all of a grade's requirements in one block")
            indexes = tuple(add_requirement(r, grade_value) for r in block.requirements)
            if grade_value is not None and grade_value not in seen_grades:
                seen_grades[grade_value] = block.grade_span
                grades.append(model.Grade(grade_value, block.stage, indexes))

        points = self._points(blocks.get(ast.PointsBlock), header)
        batches = self._batches(blocks.get(ast.BatchesBlock))
        tiebreaks = self._tiebreaks(blocks.get(ast.TieBreakBlock), points, header)
        allocation = self._allocation(blocks.get(ast.AllocationBlock))
        subsidies = self._subsidies(blocks.get(ast.SubsidyBlock), grades)

        if header is not None:
            self._check_header(header)
            if allocation is not None:
                self._allocation_fields(allocation, blocks[ast.AllocationBlock])
        self._warn_unused(header)

        if self.errors:
            return None
        if header is None:
            return model.Library(self.program.main.path, tuple(self.fields), tuple(self.definitions), tuple(self.warnings), self.program.sources)
        read = set(self.used_fields)
        for name in (model.ID_FIELD, model.GRADE_FIELD):
            read.add(self._field_index(name))
        if allocation is not None:
            for name in (model.CHOICES_FIELD, model.COORDINATION_FIELD, model.SIBLING_FIELD, model.CLEARING_FIELD):
                if self._has_field(name):
                    read.add(self._field_index(name))
        return model.Policy(
            path=self.program.main.path,
            header=model.Header(header.title, header.district, header.year, header.as_of, header.source, header.language),
            fields=tuple(self.fields),
            definitions=tuple(self.definitions),
            requirements=tuple(requirements),
            grades=tuple(grades),
            points=points,
            batches=batches,
            tiebreaks=tiebreaks,
            allocation=allocation,
            subsidies=subsidies,
            read_fields=tuple(sorted(read)),
            warnings=tuple(self.warnings),
            sources=self.program.sources,
            files=self.program.files,
        )

    # --------------------------------------------------------------- header
    def _check_header(self, header: ast.Header) -> None:
        if not 1990 <= header.year <= 2200:
            self.error(f"the year {header.year} is not a plausible admission year", header.span)
        elif header.as_of.year != header.year:
            self.warn(
                f"the reference date {header.as_of} is not in the policy's year {header.year}",
                header.span,
                "policies usually count to 31 August of the admission year",
            )
        for label, value in (("title", header.title), ("district", header.district), ("source", header.source)):
            if not value.strip():
                self.error(f"the policy's {label} is empty", header.span)

    def _engine_field(self, name: str, kinds: tuple[str, ...], header: ast.Header | None) -> model.Field | None:
        for f in self.fields:
            if f.name == name:
                if f.type.kind not in kinds:
                    self.error(f"the field {name!r} must be {' or '.join(kinds)}, not {f.type}", f.span)
                return f
        if header is not None:
            self.error(
                f"the policy declares no field {name!r}, which every applicant file needs",
                header.span,
                "import the shared field declarations, e.g. import \"../guangzhou/fields.jifen\"",
            )
        return None

    def _has_field(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)

    def _field_index(self, name: str) -> int:
        for f in self.fields:
            if f.name == name:
                return f.index
        raise KeyError(name)

    # --------------------------------------------------------------- fields
    def _claim(self, name: str, symbol: _Symbol, span: Span | None, what: str) -> None:
        existing = self.symbols.get(name)
        if existing is not None:
            where = f"line {existing.span.line}" + (f" of {existing.span.path}" if existing.span and span and existing.span.path != span.path else "") if existing.span else "elsewhere"
            self.error(f"{what} {name!r} is already declared ({where})", span, "every field, label and definition needs its own name")
            return
        if name in _SPELLING:
            self.error(f"{what} {name!r} has the name of a built-in function", span, "choose another name")
        self.symbols[name] = symbol

    def _declare_field(self, decl: ast.FieldDecl) -> None:
        type_ = self._field_type(decl)
        default = None
        if decl.default is not None:
            default_node = self._literal(decl.default)
            if type_.kind == "enum" and default_node.type.kind == "text":
                canonical = type_.canonical(default_node.value)
                if canonical is None:
                    self.error(f"the default {default_node.value!r} is not one of {type_}", decl.default.span)
                default = canonical
            elif type_.kind in ("school_list", "text_list"):
                self.error("a list field cannot have a default; an empty cell is an empty list", decl.default.span)
            elif unify(type_, default_node.type) not in (type_,) and not (type_ == DECIMAL and default_node.type == INTEGER):
                self.error(f"the default is {_a(default_node.type)}, but the field is {_a(type_)}", decl.default.span)
            else:
                default = Decimal(default_node.value) if type_ == DECIMAL else default_node.value
        if decl.unique and decl.optional:
            self.error("a unique field cannot be optional", decl.span, "every applicant needs a value to tell them apart")
        index = len(self.fields)
        f = model.Field(index, decl.name, decl.label, type_, decl.unique, decl.optional or decl.default is not None, default, span=decl.name_span or decl.span)
        self.fields.append(f)
        symbol = _Symbol("field", index, type_, decl.name_span or decl.span, nullable=f.nullable)
        self._claim(decl.name, symbol, decl.name_span or decl.span, "the field")
        if decl.label is not None and decl.label != decl.name:
            self._claim(decl.label, symbol, decl.name_span or decl.span, "the label")

    def _field_type(self, decl: ast.FieldDecl) -> Type:
        ref = decl.type
        if ref.kind != "enum":
            return _TYPE_OF_KIND[ref.kind]
        members: list[str] = []
        aliases: list[tuple[str, str]] = []
        spellings: set[str] = set()
        for member in ref.members:
            for spelling in (member.value,) + member.aliases:
                if spelling in spellings:
                    self.error(f"{spelling!r} appears twice in the enum", member.span)
                spellings.add(spelling)
            members.append(member.value)
            aliases.extend((alias, member.value) for alias in member.aliases)
        return enum_type(tuple(members), tuple(aliases), decl.name)

    # ---------------------------------------------------------- definitions
    def _declare_define(self, decl: ast.Define, order: int, from_library: bool) -> None:
        index = len(self.definitions)
        node = self._expr(decl.expr, current_order=order)
        definition = model.Definition(index, decl.name, decl.label, decl.cite, node, span=decl.name_span or decl.span)
        self.definitions.append(definition)
        symbol = _Symbol("define", index, node.type, decl.name_span or decl.span, may_miss=ir.may_miss(node), order=order)
        if from_library:
            self.library_defs.add(index)
        self._claim(decl.name, symbol, decl.name_span or decl.span, "the definition")
        if decl.label is not None and decl.label != decl.name:
            self._claim(decl.label, symbol, decl.name_span or decl.span, "the label")

    def _warn_unused(self, header) -> None:
        if header is None:
            return
        for name, symbol in self.symbols.items():
            if symbol.kind != "define" or symbol.index in self.library_defs:
                continue  # shared definitions serve many policies; no one policy must use them all
            definition = self.definitions[symbol.index]
            if definition.name != name:
                continue  # the label of a definition already reported under its name
            if symbol.index not in self.used_defs:
                self.warn(f"the definition {name!r} is never used", symbol.span, "use it in a rule, or remove it")

    # ---------------------------------------------------------- expressions
    def _bool_expr(self, node: ast.Expr, what: str, **kw) -> ir.Node:
        result = self._expr(node, **kw)
        if result.type not in (BOOL, ERROR):
            self.error(f"{what} must be true or false, but this is {_a(result.type)}", node.span, "compare it with something, e.g. x >= 1")
        return result

    def _literal(self, node) -> ir.Const:
        if isinstance(node, ast.NumberLit):
            if node.is_integer:
                return ir.Const(int(node.value), INTEGER, span=node.span)
            return ir.Const(node.value, DECIMAL, span=node.span)
        if isinstance(node, ast.StringLit):
            return ir.Const(node.value, TEXT, span=node.span)
        if isinstance(node, ast.BoolLit):
            return ir.Const(node.value, BOOL, span=node.span)
        if isinstance(node, ast.DateLit):
            return ir.Const(node.value, DATE, span=node.span)
        if isinstance(node, ast.DateTimeLit):
            return ir.Const(node.value, DATETIME, span=node.span)
        raise TypeError(node)

    def _expr(self, node: ast.Expr, *, current_order: int | None = None, tiebreak: bool = False) -> ir.Node:
        ctx = (current_order, tiebreak)
        return self._visit(node, ctx)

    def _visit(self, node, ctx) -> ir.Node:
        method = getattr(self, "_e_" + type(node).__name__)
        return method(node, ctx)

    def _e_NumberLit(self, node, ctx):
        return self._literal(node)

    _e_StringLit = _e_BoolLit = _e_DateLit = _e_DateTimeLit = _e_NumberLit

    def _e_DurationLit(self, node, ctx):
        return ir.Const(Duration(node.years, node.months, node.days), DURATION, span=node.span)

    def _e_AsOf(self, node, ctx):
        header = self.program.main.header
        if header is None:
            self.error("as_of is the policy's reference date, and a library has no policy header", node.span, "define this in the policy file itself")
            return ir.Const(None, ERROR, span=node.span)
        return ir.Const(header.as_of, DATE, span=node.span)

    def _e_PolicyYear(self, node, ctx):
        header = self.program.main.header
        if header is None:
            self.error("year is the policy's admission year, and a library has no policy header", node.span)
            return ir.Const(None, ERROR, span=node.span)
        return ir.Const(header.year, INTEGER, span=node.span)

    def _e_Ref(self, node, ctx):
        current_order, tiebreak = ctx
        symbol = self.symbols.get(node.name)
        if symbol is None and tiebreak:
            symbol = self.indicator_symbols.get(node.name)
        if symbol is None:
            candidates = list(self.symbols) + (list(self.indicator_symbols) if tiebreak else [])
            hint = self._suggest(node.name, candidates)
            if hint is None and node.name in self.indicator_symbols:
                hint = "indicator scores can only be used in the tie-break chain"
            self.error(f"unknown name {node.name!r}", node.span, hint or "declare it as a field or a definition")
            return ir.Const(None, ERROR, span=node.span)
        if symbol.kind == "field":
            self.used_fields.add(symbol.index)
            f = self.fields[symbol.index]
            return ir.FieldRef(symbol.index, f.name, symbol.type, f.nullable, span=node.span)
        if symbol.kind == "define":
            if current_order is not None and symbol.order >= current_order:
                self.error(
                    f"{node.name!r} is defined later (line {symbol.span.line})" if symbol.span else f"{node.name!r} is defined later",
                    node.span,
                    "a definition can only use definitions above it; move it below",
                )
                return ir.Const(None, ERROR, span=node.span)
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
            self.error("an empty set matches nothing", node.span, "list at least one value")
            return ir.Const(frozenset(), set_of(ERROR), span=node.span)
        element = items[0].type
        for item, src in zip(items[1:], node.items[1:]):
            joined = unify(element, item.type)
            if joined is None:
                self.error(f"a set mixes {_a(element)} and {_a(item.type)}", src.span)
                return ir.Const(frozenset(), set_of(ERROR), span=node.span)
            element = joined
        values = []
        for item, src in zip(items, node.items):
            if not isinstance(item, ir.Const):
                self.error("a set lists fixed values, not expressions", src.span, "use a definition or a comparison instead")
                return ir.Const(frozenset(), set_of(ERROR), span=node.span)
            values.append(Decimal(item.value) if element == DECIMAL else item.value)
        if element.kind in ("duration", "bool"):
            self.error(f"a set of {element} is not supported", node.span)
        return ir.Const(frozenset(values), set_of(element), span=node.span)

    def _e_Unary(self, node, ctx):
        operand = self._visit(node.operand, ctx)
        t = operand.type
        if t == ERROR:
            return operand
        if node.op == "not":
            if t != BOOL:
                self.error(f"'not' needs true or false, but this is {_a(t)}", node.operand.span)
                return ir.Const(None, ERROR, span=node.span)
            return self._apply("not", (operand,), BOOL, node.span)
        if is_numeric(t):
            return self._apply("neg", (operand,), t, node.span)
        if t == DURATION:
            return self._apply("neg_dur", (operand,), DURATION, node.span)
        self.error(f"cannot negate {_a(t)}", node.span)
        return ir.Const(None, ERROR, span=node.span)

    def _e_Binary(self, node, ctx):
        left = self._visit(node.left, ctx)
        right = self._visit(node.right, ctx)
        lt, rt = left.type, right.type
        if ERROR in (lt, rt) or lt.kind == "set" and lt.element == ERROR or rt.kind == "set" and rt.element == ERROR:
            return ir.Const(None, ERROR, span=node.span)
        op = node.op
        symbol = _OP_SYMBOL[op]
        if op in ("and", "or"):
            bad = [(n, t) for n, t in ((node.left, lt), (node.right, rt)) if t != BOOL]
            for n, t in bad:
                self.error(f"'{symbol}' joins conditions, but this is {_a(t)}", n.span, "write a comparison such as x >= 1")
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
        symbol = _OP_SYMBOL[op]
        if is_numeric(lt) and is_numeric(rt):
            if op == "div":
                if isinstance(right, ir.Const) and right.value == 0:
                    self.error("division by zero", node.right.span)
                    return ir.Const(None, ERROR, span=node.span)
                return self._apply("div", (left, right), DECIMAL, node.span)
            result = INTEGER if lt == rt == INTEGER else DECIMAL
            return self._apply(op, (left, right), result, node.span)
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
            hint = "to measure the time between two dates use full_years(a, b), full_months(a, b) or days_between(a, b)"
        elif DURATION in (lt, rt) and is_numeric(lt if rt == DURATION else rt) and op != "mul":
            hint = "a duration is written with its unit: 1 year, 6 months, 35 days (1年, 6个月, 35天)"
        elif op in ("add", "sub") and DURATION in (lt, rt):
            hint = "a duration can be added to or taken from a date or another duration"
        self.error(f"'{symbol}' cannot combine {_a(lt)} and {_a(rt)}", node.span, hint)
        return ir.Const(None, ERROR, span=node.span)

    def _enum_literal(self, enum: Type, node: ir.Node, src) -> ir.Node | None:
        """A text literal compared with an enum, as the member it names (aliases allowed)."""
        if not (isinstance(node, ir.Const) and node.type == TEXT):
            return node
        canonical = enum.canonical(node.value)
        if canonical is None:
            spellings = list(enum.members) + [a for a, _ in enum.aliases]
            hint = self._suggest(node.value, spellings) or f"the values are: {', '.join(spellings)}"
            self.error(f"{node.value!r} is not a value of {enum.field or 'this enum'}", src.span, hint)
            return None
        return ir.Const(canonical, enum, span=node.span)

    def _compare(self, node, op, left, right):
        lt, rt = left.type, right.type
        symbol = _OP_SYMBOL[op]
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
            if {lt.kind, rt.kind} == {"date", "datetime"}:
                hint = "take the date of a date and time with date_of(x), or write both as dates"
            elif "duration" in (lt.kind, rt.kind):
                hint = "add the duration to a date first, e.g. permit_start + 1 year <= as_of"
            self.error(f"cannot compare {_a(lt)} with {_a(rt)}", node.span, hint)
            return ir.Const(None, ERROR, span=node.span)
        if op in ("lt", "le", "gt", "ge") and not is_orderable(joined):
            self.error(f"'{symbol}' needs numbers, dates or times, but these are {joined}", node.span)
            return ir.Const(None, ERROR, span=node.span)
        if joined.kind in ("school_list", "text_list", "duration", "set"):
            self.error(f"cannot compare {_a(lt)} with '{symbol}'", node.span)
            return ir.Const(None, ERROR, span=node.span)
        return self._apply(op, (left, right), BOOL, node.span)

    def _membership(self, node, op, left, right):
        lt, rt = left.type, right.type
        if rt.kind not in ("set", "school_list", "text_list"):
            self.error(f"'{_OP_SYMBOL[op]}' needs a set such as {{\"a\", \"b\"}} or a list on its right, not {_a(rt)}", node.right.span)
            return ir.Const(None, ERROR, span=node.span)
        element = rt.element
        if lt.kind == "enum" and element == TEXT and isinstance(right, ir.Const):
            members = []
            for value in sorted(right.value):
                canonical = lt.canonical(value)
                if canonical is None:
                    spellings = list(lt.members) + [a for a, _ in lt.aliases]
                    self.error(f"{value!r} is not a value of {lt.field or 'this enum'}", node.right.span, self._suggest(value, spellings) or f"the values are: {', '.join(spellings)}")
                    return ir.Const(None, ERROR, span=node.span)
                members.append(canonical)
            right = ir.Const(frozenset(members), set_of(lt), span=right.span)
            element = lt
        if unify(lt, element) is None:
            self.error(f"cannot look for {_a(lt)} among {rt}", node.span)
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
            self.error(f"'between' needs three numbers, dates or times, but got {', '.join(str(t) for t in types)}", node.span)
            return ir.Const(None, ERROR, span=node.span)
        if isinstance(low, ir.Const) and isinstance(high, ir.Const) and low.value > high.value:
            self.error(
                f"the window starts after it ends: {low.value} is later than {high.value}",
                Span(node.low.span.path, node.low.span.line, node.low.span.column, node.high.span.end_line, node.high.span.end_column) if node.low.span and node.high.span else node.span,
                "write the earlier bound first: x between low and high",
            )
            return ir.Const(None, ERROR, span=node.span)
        return self._apply("between", (value, low, high), BOOL, node.span)

    def _e_IfThenElse(self, node, ctx):
        condition = self._visit(node.condition, ctx)
        then = self._visit(node.then, ctx)
        otherwise = self._visit(node.otherwise, ctx)
        if condition.type not in (BOOL, ERROR):
            self.error(f"'if' needs a condition, but this is {_a(condition.type)}", node.condition.span)
            return ir.Const(None, ERROR, span=node.span)
        if ERROR in (condition.type, then.type, otherwise.type):
            return ir.Const(None, ERROR, span=node.span)
        joined = unify(then.type, otherwise.type)
        if joined is None:
            self.error(f"the two branches differ: {_a(then.type)} after 'then', {_a(otherwise.type)} after 'else'", node.span)
            return ir.Const(None, ERROR, span=node.span)
        return self._apply("if", (condition, then, otherwise), joined, node.span)

    def _e_Call(self, node, ctx):
        canonical = _SPELLING.get(node.function)
        if canonical is None:
            hint = self._suggest(node.function, list(_SPELLING))
            self.error(f"unknown function {node.function!r}", node.function_span or node.span, hint or f"the functions are: {', '.join(FUNCTIONS)}")
            return ir.Const(None, ERROR, span=node.span)
        if canonical == "present":
            return self._present(node, ctx)
        args = [self._visit(a, ctx) for a in node.args]
        if any(a.type == ERROR for a in args):
            return ir.Const(None, ERROR, span=node.span)
        types = [a.type for a in args]
        shown = node.function

        def arity(n: int) -> bool:
            if len(args) != n:
                self.error(f"{shown}() takes {n} argument{'s' if n != 1 else ''}, not {len(args)}", node.span)
                return False
            return True

        if canonical in ("full_years", "full_months", "age_on", "days_between"):
            if not arity(2):
                return ir.Const(None, ERROR, span=node.span)
            if not (types[0] == types[1] and types[0] in (DATE, DATETIME)):
                self.error(f"{shown}() needs two dates, but got {types[0]} and {types[1]}", node.span)
                return ir.Const(None, ERROR, span=node.span)
            op = "full_years" if canonical == "age_on" else canonical
            return self._apply(op, tuple(args), INTEGER, node.span)
        if canonical in ("min", "max"):
            if len(args) < 2:
                self.error(f"{shown}() needs at least two arguments", node.span)
                return ir.Const(None, ERROR, span=node.span)
            joined = types[0]
            for t in types[1:]:
                joined = unify(joined, t)
                if joined is None:
                    break
            if joined is None or not is_orderable(joined):
                self.error(f"{shown}() needs numbers, dates or times of one kind, but got {', '.join(map(str, types))}", node.span)
                return ir.Const(None, ERROR, span=node.span)
            return self._apply(canonical, tuple(args), joined, node.span)
        if canonical == "round":
            if not arity(2):
                return ir.Const(None, ERROR, span=node.span)
            if not is_numeric(types[0]) or not (isinstance(args[1], ir.Const) and types[1] == INTEGER and 0 <= args[1].value <= 10):
                self.error(f"{shown}(x, n) needs a number and a fixed number of decimal places from 0 to 10", node.span)
                return ir.Const(None, ERROR, span=node.span)
            return self._apply("round", tuple(args), DECIMAL, node.span)
        if canonical == "count":
            if not arity(1):
                return ir.Const(None, ERROR, span=node.span)
            if types[0].kind not in ("school_list", "text_list"):
                self.error(f"{shown}() counts the entries of a list, not {_a(types[0])}", node.span)
                return ir.Const(None, ERROR, span=node.span)
            return self._apply("count", tuple(args), INTEGER, node.span)
        if canonical in ("year_of", "month_of", "day_of"):
            if not arity(1):
                return ir.Const(None, ERROR, span=node.span)
            if types[0] not in (DATE, DATETIME):
                self.error(f"{shown}() needs a date, not {_a(types[0])}", node.span)
                return ir.Const(None, ERROR, span=node.span)
            return self._apply(canonical, tuple(args), INTEGER, node.span)
        if canonical == "date_of":
            if not arity(1):
                return ir.Const(None, ERROR, span=node.span)
            if types[0] != DATETIME:
                self.error(f"{shown}() needs a date and time, not {_a(types[0])}", node.span)
                return ir.Const(None, ERROR, span=node.span)
            return self._apply("date_of", tuple(args), DATE, node.span)
        raise AssertionError(canonical)  # pragma: no cover - every function is handled above

    def _present(self, node, ctx):
        if len(node.args) != 1 or not isinstance(node.args[0], ast.Ref):
            self.error(f"{node.function}() takes one field, e.g. present(applied_at)", node.span)
            return ir.Const(None, ERROR, span=node.span)
        target = self._visit(node.args[0], ctx)
        if target.type == ERROR:
            return target
        if not isinstance(target, (ir.FieldRef, ir.DefRef)) or not ir.may_miss(target):
            self.warn(f"{node.args[0].name!r} always has a value, so {node.function}() is always true", node.span)
            return ir.Const(True, BOOL, span=node.span)
        return ir.Present(target, BOOL, span=node.span)

    def _apply(self, op: str, args: tuple[ir.Node, ...], type_: Type, span: Span | None) -> ir.Node:
        if all(isinstance(a, ir.Const) for a in args):
            where = str(span) if span else "policy"
            try:
                value = fold(op, [a.value for a in args], where)
            except EvaluationError as exc:
                self.error(str(exc).removeprefix(where + ": "), span)
                return ir.Const(None, ERROR, span=span)
            return ir.Const(value, type_, span=span)
        return ir.Apply(op, args, type_, span=span)

    def _uses(self, expr: ast.Expr) -> tuple[model.UsedValue, ...]:
        """The fields and definitions a condition names, in order of first mention."""
        seen: dict[tuple[str, int], model.UsedValue] = {}
        stack = [expr]
        order: list[model.UsedValue] = []
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Ref):
                symbol = self.symbols.get(node.name)
                if symbol is not None and symbol.kind in ("field", "define"):
                    key = (symbol.kind, symbol.index)
                    if key not in seen:
                        seen[key] = model.UsedValue(symbol.kind, symbol.index, node.name)
                        order.append(seen[key])
            elif isinstance(node, ast.AsOf):
                if ("as_of", 0) not in seen:
                    seen[("as_of", 0)] = model.UsedValue("as_of", 0, "基准日" if self.language == "zh" else "as_of")
                    order.append(seen[("as_of", 0)])
            else:
                children = [getattr(node, name) for name in ("items", "operand", "left", "right", "value", "low", "high", "condition", "then", "otherwise", "args") if hasattr(node, name)]
                flat = []
                for child in children:
                    if isinstance(child, tuple):
                        flat.extend(child)
                    elif child is not None and not isinstance(child, (str, Decimal, bool, int, _dt.date)):
                        flat.append(child)
                stack.extend(reversed(flat))
        return tuple(order)

    # ---------------------------------------------------------------- grades
    def _grade_value(self, block: ast.GradeBlock, grade_field: model.Field | None) -> str | None:
        if grade_field is None:
            return block.grade
        canonical = grade_field.type.canonical(block.grade)
        if canonical is None:
            spellings = list(grade_field.type.members) + [a for a, _ in grade_field.type.aliases]
            self.error(
                f"{block.grade!r} is not a grade of field 'grade'",
                block.grade_span,
                self._suggest(block.grade, spellings) or f"the grades are: {', '.join(spellings)}",
            )
        return canonical

    # ---------------------------------------------------------------- points
    def _numeric(self, expr: ast.Expr, what: str, *, tiebreak: bool = False) -> ir.Node:
        node = self._expr(expr, tiebreak=tiebreak)
        if node.type == ERROR:
            return node
        if not is_numeric(node.type):
            self.error(f"{what} must be a number, but this is {_a(node.type)}", expr.span)
            return ir.Const(None, ERROR, span=expr.span)
        if ir.may_miss(node):
            missing = sorted({n.name for n in ir.walk(node) if isinstance(n, (ir.FieldRef, ir.DefRef)) and ir.may_miss(n)})
            self.error(
                f"{what} uses {', '.join(repr(m) for m in missing)}, which an applicant may leave empty",
                expr.span,
                "give the field a default, e.g. 'default 0', or use if present(x) then x else 0",
            )
        return node

    def _points(self, block: ast.PointsBlock | None, header) -> model.Points:
        if block is None:
            if header is not None:
                self.error("the policy has no points section", header.span, "add: points { total = points } or an indicator table")
            return model.Points(None, ())
        total = self._numeric(block.total, "the points total") if block.total is not None else None
        indicators = []
        for ind in block.indicators:
            formula = self._numeric(ind.formula, f"indicator {ind.name!r}")
            cap = self._numeric(ind.cap, f"the cap of indicator {ind.name!r}") if ind.cap is not None else None
            if cap is not None and not isinstance(cap, ir.Const) and cap.type != ERROR:
                self.error("a cap must be a fixed number", ind.cap.span)
            elif cap is not None and isinstance(cap, ir.Const) and cap.type != ERROR and cap.value < 0:
                self.error("a cap cannot be negative", ind.cap.span)
            index = len(indicators)
            indicators.append(model.Indicator(index, ind.name, ind.title, ind.cite, formula, cap, span=ind.name_span or ind.span))
            if ind.name in self.indicator_symbols:
                self.error(f"duplicate indicator name {ind.name!r}", ind.name_span or ind.span)
            elif ind.name in self.symbols:
                self.error(f"the indicator {ind.name!r} has the name of a field or definition", ind.name_span or ind.span, "indicator names are used in the tie-break chain and must stand apart")
            else:
                self.indicator_symbols[ind.name] = _Symbol("indicator", index, formula.type if formula.type != ERROR else DECIMAL, ind.name_span or ind.span)
        if total is None and not indicators:
            self.error("the points section needs a total or at least one indicator", block.span)
        return model.Points(total, tuple(indicators))

    # --------------------------------------------------------------- batches
    def _batches(self, block: ast.BatchesBlock | None) -> tuple[model.Batch, ...]:
        if block is None:
            return ()
        batches = []
        names: set[str] = set()
        for i, b in enumerate(block.batches):
            if b.name in names:
                self.error(f"duplicate batch name {b.name!r}", b.name_span or b.span)
            names.add(b.name)
            if b.condition is None:
                if i != len(block.batches) - 1:
                    self.error("'otherwise' must be the last batch: no applicant could reach the batches after it", b.span)
                condition = None
            else:
                condition = self._bool_expr(b.condition, "a batch's condition")
            batches.append(model.Batch(i, b.name, b.title, b.cite, condition, span=b.name_span or b.span))
        return tuple(batches)

    # -------------------------------------------------------------- tiebreak
    def _tiebreaks(self, block: ast.TieBreakBlock | None, points: model.Points, header) -> tuple[model.TieBreak, ...]:
        if block is None:
            if header is not None:
                self.error(
                    "the policy has no tie-break chain, so applicants with equal points have no order",
                    header.span,
                    "add: tiebreak { ... id ascending } ending in a unique field or a seeded lottery",
                )
            return ()
        keys: list[model.TieBreak] = []
        total_at: Span | None = None
        for key in block.keys:
            if total_at is not None:
                self.warn("this tie-break key is never reached: the key before it already orders every pair", key.span)
            if key.kind == "lottery":
                keys.append(model.TieBreak("lottery", f"lottery (seed {key.seed})", False, seed=key.seed, unique=True, span=key.span))
                total_at = key.span
            elif key.kind == "indicators":
                if not points.indicators:
                    self.error("the tie-break compares indicator scores, but the points section has no indicators", key.span)
                for ind in points.indicators:
                    keys.append(model.TieBreak("indicator", ind.name, key.descending, indicator=ind.index, span=key.span))
            else:
                node = self._expr(key.expr, tiebreak=True)
                if node.type == ERROR:
                    continue
                if not (is_orderable(node.type) or node.type in (TEXT, BOOL) or node.type.kind == "enum"):
                    self.error(f"a tie-break key must be a number, a date, a time or text, not {_a(node.type)}", key.expr.span)
                    continue
                if ir.may_miss(node):
                    self.error("this tie-break key may be missing for some applicants", key.expr.span, "give the field a default, or declare it required")
                    continue
                if isinstance(node, ir.Const):
                    self.error("a fixed value cannot order applicants", key.expr.span)
                    continue
                label = key.expr.name if isinstance(key.expr, ast.Ref) else _source_text(self.program, key.expr.span)
                unique = isinstance(node, ir.FieldRef) and self.fields[node.index].unique
                if isinstance(node, ir.IndicatorRef):
                    keys.append(model.TieBreak("indicator", label, key.descending, indicator=node.index, span=key.span))
                else:
                    keys.append(model.TieBreak("expr", label, key.descending, expr=node, unique=unique, span=key.span))
                if unique:
                    total_at = key.span
        if total_at is None:
            unique_fields = [f.name for f in self.fields if f.unique]
            self.error(
                "the tie-break chain does not order every pair of applicants",
                block.span,
                "end it with a unique field" + (f" ({', '.join(unique_fields)} ascending)" if unique_fields else "") + " or a seeded lottery (lottery seed 2022)",
            )
        return tuple(keys)

    # ------------------------------------------------------------ allocation
    def _allocation(self, block: ast.AllocationBlock | None) -> model.Allocation | None:
        if block is None:
            return None
        values: dict[str, Any] = {}
        for setting in block.settings:
            if setting.key in values:
                self.error(f"the allocation setting {setting.key!r} is given twice", setting.span)
                continue
            if setting.key == "choices" and not 1 <= setting.value <= 100:
                self.error(f"the number of choices must be between 1 and 100, not {setting.value}", setting.span)
            values[setting.key] = setting.value
        if "clearing" in values:
            values["clearing"] = values["clearing"] == "on"
        return model.Allocation(cite=block.cite, **values)

    def _allocation_fields(self, allocation: model.Allocation, block) -> None:
        wanted = [(model.CHOICES_FIELD, ("school_list",), True), (model.COORDINATION_FIELD, ("bool",), True), (model.SIBLING_FIELD, ("text",), False)]
        if allocation.clearing:
            wanted.append((model.CLEARING_FIELD, ("school_list",), True))
        for name, kinds, required in wanted:
            found = [f for f in self.fields if f.name == name]
            if not found:
                if required:
                    self.error(f"allocation needs a field {name!r}, which the policy does not declare", block.span, "declare it, or import the shared field declarations")
                continue
            if found[0].type.kind not in kinds:
                self.error(f"the field {name!r} must be {' or '.join(kinds)} for allocation, not {found[0].type}", found[0].span)

    def _subsidies(self, block: ast.SubsidyBlock | None, grades: list[model.Grade]) -> model.Subsidies | None:
        if block is None:
            return None
        seen: set[tuple[str, str]] = set()
        rates = []
        for rate in block.rates:
            key = (rate.school_type, rate.stage)
            if key in seen:
                self.error(f"the {rate.school_type} {rate.stage} rate is given twice", rate.span)
            seen.add(key)
            if rate.amount < 0:
                self.error("a subsidy rate cannot be negative", rate.span)
            rates.append((rate.school_type, rate.stage, rate.amount))
        if not block.semesters_per_year:
            self.error("the subsidies section must say how many semesters a year has", block.span, "add: semesters_per_year 2")
            semesters = 2
        else:
            semesters = block.semesters_per_year[0]
            for span in block.semesters_spans[1:]:
                self.error("semesters_per_year is given twice", span)
            if not 1 <= semesters <= 4:
                self.error(f"{semesters} semesters a year is not plausible", block.semesters_spans[0])
        for grade in grades:
            if grade.stage is None:
                self.error(f"grade {grade.value!r} needs a stage (primary or junior) so its subsidy rate can be found", block.span, f'write: for grade "{grade.value}" stage primary {{ ... }}')
        return model.Subsidies(tuple(rates), semesters, block.cite)


_BLOCK_NAMES = {
    ast.PointsBlock: "points",
    ast.BatchesBlock: "batches",
    ast.TieBreakBlock: "tiebreak",
    ast.AllocationBlock: "allocation",
    ast.SubsidyBlock: "subsidies",
}


def _source_text(program: Program, span: Span | None) -> str:
    if span is None:
        return "?"
    source = program.sources.get(span.path)
    if source is None:
        return "?"
    return " ".join(source.text[span.start : span.end].split())


def check(program: Program) -> model.Policy | model.Library:
    """Check a loaded file; raise PolicyError listing every error (and any warnings).

    A file with a policy header gives a :class:`model.Policy`; a shared file of
    field declarations and definitions gives a :class:`model.Library`.
    """
    checker = _Checker(program)
    result = checker.run()
    if checker.errors or result is None:
        raise PolicyError(checker.errors + checker.warnings, program.sources)
    return result
