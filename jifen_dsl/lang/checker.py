"""Check a loaded policy: resolve names, type every expression, collect ALL errors.

The checker never stops at the first problem. It reports unknown names with
suggestions, type errors, duplicate names, windows that end before they start,
tie-break chains that do not order every pair of applicants, and more; and it
warns about definitions nothing uses. Its output is a :class:`model.Policy`.
"""

from __future__ import annotations

import difflib
from decimal import Decimal
from typing import Any, Iterable

from jifen_dsl.lang import syntax, ir, model
from jifen_dsl.errors import Diagnostic, PolicyError, Span
from jifen_dsl.lang.loader import Program
from jifen_dsl.lang.functions import FUNCTIONS
from jifen_dsl.lang.timecheck import ScheduleChecking
from jifen_dsl.lang.typecheck import ExpressionTyping, describe
from jifen_dsl.lang.typesys import (
    BOOL, DATE, DATETIME, DECIMAL, ERROR, INTEGER, SCHOOL_LIST, TEXT, TEXT_LIST,
    Type, enum_type, is_numeric, is_orderable, unify,
)

__all__ = ["check", "FUNCTIONS"]

# Keywords that are values in an expression: a field or definition spelled like one
# would be silently shadowed by the keyword wherever it is written without brackets.
_VALUE_KEYWORDS = frozenset({"year", "as_of", "true", "false"})

_TYPE_OF_KIND = {
    "text": TEXT, "integer": INTEGER, "decimal": DECIMAL, "bool": BOOL, "date": DATE,
    "datetime": DATETIME, "school_list": SCHOOL_LIST, "text_list": TEXT_LIST,
}

class _Symbol:
    __slots__ = ("kind", "index", "type", "span", "nullable", "may_miss")

    def __init__(self, kind, index, type_, span, *, nullable=False, may_miss=False):
        self.kind = kind  # "field", "define", "indicator" or "phase"
        self.index = index
        self.type = type_
        self.span = span
        self.nullable = nullable
        self.may_miss = may_miss


class _Checker(ExpressionTyping, ScheduleChecking):
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
        self.pending_defs: dict[str, Span | None] = {}
        self.forward_refs: set[str] = set()
        self.language = program.main.header.language if program.main.header else "en"
        self.phases = []
        self.calendar_years: tuple[int, ...] = ()
        self.evidence_indicators: dict[str, int] = {}  # indicator name -> position in the points section
        self.evidence_slots: dict[str, int] = {}  # indicator name -> record slot, in order of first use

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

        # The calendar and the phases come first: rules anywhere may count working
        # days or name a phase, and constant folding needs the calendar.
        schedule_block = next((d for d, _ in decls if isinstance(d, syntax.ScheduleBlock)), None)
        calendar_blocks = [d for d, _ in decls if isinstance(d, syntax.CalendarBlock)]
        makeup_counted = self._makeup_counted(schedule_block)
        self.calendar = self._build_calendar(calendar_blocks, makeup_counted)
        points_block = next((d for d, _ in decls if isinstance(d, syntax.PointsBlock)), None)
        if points_block is not None:
            for position, ind in enumerate(points_block.indicators):
                self.evidence_indicators.setdefault(ind.name, position)

        if header is None:
            for decl, _path in decls:
                if not isinstance(decl, (syntax.FieldDecl, syntax.Define, syntax.CalendarBlock)):
                    self.error(
                        "a file without a policy header is a library, and a library may only declare fields, definitions and calendars",
                        decl.span,
                        "start the file with the policy header (policy ... district ... year ... as_of ... source ...) to make it a policy",
                    )
        for decl, _path in decls:
            if isinstance(decl, syntax.FieldDecl):
                self._declare_field(decl)
        self._declare_phases(schedule_block)

        # Every definition's name, before any is typed, so that a use before the
        # definition reads "defined later" rather than "unknown name".
        for decl, _path in decls:
            if isinstance(decl, syntax.Define):
                for name in (decl.name, decl.label):
                    if name is not None:
                        self.pending_defs.setdefault(name, decl.name_span or decl.span)
        blocks: dict[type, Any] = {}
        requirements_ast: list[tuple[syntax.Requirement, str | None]] = []
        grade_blocks: list[syntax.GradeBlock] = []
        for decl, path in decls:
            if isinstance(decl, syntax.Define):
                self._declare_define(decl, from_library=path != self.program.main.path)
            elif isinstance(decl, syntax.Requirement):
                requirements_ast.append((decl, None))
            elif isinstance(decl, syntax.GradeBlock):
                grade_blocks.append(decl)
            elif isinstance(decl, (syntax.PointsBlock, syntax.BatchesBlock, syntax.TieBreakBlock, syntax.AllocationBlock, syntax.SubsidyBlock, syntax.ScheduleBlock, syntax.PublicationBlock)):
                if type(decl) in blocks:
                    first = blocks[type(decl)]
                    self.error(
                        f"a policy has one {_BLOCK_NAMES[type(decl)]} section; this is a second one",
                        decl.span,
                        f"the first is at line {first.span.line}" if first.span else None,
                    )
                else:
                    blocks[type(decl)] = decl

        for name in model.PERSONAL_FIELDS:
            for f in self.fields:
                if f.name == name and f.type.kind != "text":
                    self.error(f"the field {name!r} holds personal details and must be text, not {f.type}", f.span)
        grade_field = self._engine_field(model.GRADE_FIELD, ("enum",), header)
        id_field = self._engine_field(model.ID_FIELD, ("text",), header)
        if id_field is not None and not id_field.unique and header is not None:
            self.error("the field 'id' must be declared unique", id_field.span, "add 'unique' to its declaration")

        requirements: list[model.Requirement] = []
        grades: list[model.Grade] = []
        req_names: dict[str, Span | None] = {}

        def add_requirement(req: syntax.Requirement, grade: str | None) -> int:
            if req.name in req_names:
                previous = req_names[req.name]
                self.error(
                    f"duplicate requirement name {req.name!r}",
                    req.name_span or req.span,
                    f"the first is at line {previous.line}" if previous else None,
                )
            req_names[req.name] = req.name_span or req.span
            condition = self._bool_expr(req.condition, "a requirement's condition")
            self._warn_if_fixed(condition, req.condition, "requirement")
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

        points = self._points(blocks.get(syntax.PointsBlock), header)
        batches = self._batches(blocks.get(syntax.BatchesBlock))
        tiebreaks = self._tiebreaks(blocks.get(syntax.TieBreakBlock), points, header)
        allocation = self._allocation(blocks.get(syntax.AllocationBlock))
        subsidies = self._subsidies(blocks.get(syntax.SubsidyBlock), grades)
        schedule = self._schedule(schedule_block, makeup_counted)
        publication = self._publication(blocks.get(syntax.PublicationBlock))

        if header is not None:
            self._check_header(header)
            if allocation is not None:
                self._allocation_fields(allocation, blocks[syntax.AllocationBlock])
        self._warn_unused(header)

        if self.errors:
            return None
        if header is None:
            return model.Library(
                self.program.main.path, tuple(self.fields), tuple(self.definitions), tuple(self.warnings), self.program.sources,
                calendar_years=self.calendar_years,
            )
        read = set(self.used_fields)
        for name in (model.ID_FIELD, model.GRADE_FIELD):
            read.add(self._field_index(name))
        if allocation is not None:
            for name in (model.CHOICES_FIELD, model.COORDINATION_FIELD, model.SIBLING_FIELD, model.CLEARING_FIELD):
                if self._has_field(name):
                    read.add(self._field_index(name))
        # Personal details are read (when declared) only to be carried to the outputs.
        for name in model.PERSONAL_FIELDS:
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
            schedule=schedule,
            calendar=self.calendar,
            evidence=tuple(sorted(self.evidence_slots, key=self.evidence_slots.get)),
            publication=publication,
        )

    def _warn_if_fixed(self, condition: ir.Node, source: syntax.Expr, what: str) -> None:
        """A condition that folded to a constant decides nothing about the applicant: say so."""
        if isinstance(condition, ir.Const) and condition.type == BOOL and not isinstance(source, syntax.BoolLit):
            outcome = "always holds" if condition.value else "never holds"
            self.warn(f"this {what} condition {outcome}, whatever the applicant", source.span, "check the dates and numbers it compares")

    # --------------------------------------------------------------- header
    def _check_header(self, header: syntax.Header) -> None:
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

    def _engine_field(self, name: str, kinds: tuple[str, ...], header: syntax.Header | None) -> model.Field | None:
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
        if name in _VALUE_KEYWORDS:
            # The name is fine in brackets, but bare it is a value of its own: year is the policy's year.
            self.warn(
                f"{what} {name!r} is spelled like a keyword of the language",
                span,
                f"write it as 「{name}」 wherever it is used, or choose another name",
            )
        self.symbols[name] = symbol

    def _declare_symbol(self, name: str, kind: str, index: int, type_: Type, span: Span | None, what: str) -> None:
        self._claim(name, _Symbol(kind, index, type_, span), span, what)

    def _declare_field(self, decl: syntax.FieldDecl) -> None:
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
                self.error(f"the default is {describe(default_node.type)}, but the field is {describe(type_)}", decl.default.span)
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

    def _field_type(self, decl: syntax.FieldDecl) -> Type:
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
    def _declare_define(self, decl: syntax.Define, from_library: bool) -> None:
        index = len(self.definitions)
        node = self._expr(decl.expr)
        definition = model.Definition(index, decl.name, decl.label, decl.cite, node, span=decl.name_span or decl.span)
        self.definitions.append(definition)
        self.pending_defs.pop(decl.name, None)
        if decl.label is not None:
            self.pending_defs.pop(decl.label, None)
        symbol = _Symbol("define", index, node.type, decl.name_span or decl.span, may_miss=ir.may_miss(node))
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
            if definition.type == ERROR or name in self.forward_refs:
                continue  # already reported as an error
            if symbol.index not in self.used_defs:
                self.warn(f"the definition {name!r} is never used", symbol.span, "use it in a rule, or remove it")

    # ---------------------------------------------------------------- grades
    def _grade_value(self, block: syntax.GradeBlock, grade_field: model.Field | None) -> str | None:
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
    def _numeric(self, expr: syntax.Expr, what: str, *, tiebreak: bool = False) -> ir.Node:
        node = self._expr(expr, tiebreak=tiebreak)
        if node.type == ERROR:
            return node
        if not is_numeric(node.type):
            self.error(f"{what} must be a number, but this is {describe(node.type)}", expr.span)
            return ir.Const(None, ERROR, span=expr.span)
        if ir.may_miss(node):
            missing = sorted({n.name for n in ir.unguarded(node)})
            self.error(
                f"{what} uses {', '.join(repr(m) for m in missing)}, which an applicant may leave empty",
                expr.span,
                "give the field a default, e.g. 'default 0', or use if present(x) then x else 0",
            )
        return node

    def _points(self, block: syntax.PointsBlock | None, header) -> model.Points:
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
    def _batches(self, block: syntax.BatchesBlock | None) -> tuple[model.Batch, ...]:
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
                self._warn_if_fixed(condition, b.condition, "batch")
            batches.append(model.Batch(i, b.name, b.title, b.cite, condition, span=b.name_span or b.span))
        return tuple(batches)

    # -------------------------------------------------------------- tiebreak
    def _tiebreaks(self, block: syntax.TieBreakBlock | None, points: model.Points, header) -> tuple[model.TieBreak, ...]:
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
                label = f"抽签（种子 {key.seed}）" if self.language == "zh" else f"lottery (seed {key.seed})"
                keys.append(model.TieBreak("lottery", label, False, seed=key.seed, unique=True, span=key.span))
                total_at = key.span
            elif key.kind == "indicators":
                if not points.indicators:
                    self.error("the tie-break compares indicator scores, but the points section has no indicators", key.span)
                for ind in points.indicators:
                    keys.append(model.TieBreak("indicator", ind.title, key.descending, indicator=ind.index, span=key.span))
            else:
                node = self._expr(key.expr, tiebreak=True)
                if node.type == ERROR:
                    continue
                if not (is_orderable(node.type) or node.type in (TEXT, BOOL) or node.type.kind == "enum"):
                    self.error(f"a tie-break key must be a number, a date, a time or text, not {describe(node.type)}", key.expr.span)
                    continue
                if ir.may_miss(node):
                    self.error("this tie-break key may be missing for some applicants", key.expr.span, "give the field a default, declare it required, or write if present(x) then x else ...")
                    continue
                if isinstance(node, ir.Const):
                    self.error("a fixed value cannot order applicants", key.expr.span)
                    continue
                label = key.expr.name if isinstance(key.expr, syntax.Ref) else _source_text(self.program, key.expr.span)
                unique = isinstance(node, ir.FieldRef) and self.fields[node.index].unique
                if isinstance(node, ir.IndicatorRef):
                    title = points.indicators[node.index].title
                    keys.append(model.TieBreak("indicator", title, key.descending, indicator=node.index, span=key.span))
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
    def _allocation(self, block: syntax.AllocationBlock | None) -> model.Allocation | None:
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

    def _subsidies(self, block: syntax.SubsidyBlock | None, grades: list[model.Grade]) -> model.Subsidies | None:
        if block is None:
            return None
        seen: set[tuple[str, str]] = set()
        rates = []
        for rate in block.rates:
            key = (rate.school_type, rate.stage)
            if key in seen:
                self.error(f"the {rate.school_type} {rate.stage} rate is given twice", rate.span)
            seen.add(key)
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


    def _publication(self, block: syntax.PublicationBlock | None) -> model.Publication:
        if block is None:
            return model.Publication()
        masks: dict[str, model.Mask] = {}
        for rule in block.rules:
            if rule.target in masks:
                self.error(f"the masking of {_MASK_TARGETS[rule.target]} is given twice", rule.span)
                continue
            most, rule_text = _MASK_LIMITS[rule.target]
            kept = rule.keep_first + rule.keep_last
            if kept > most:
                self.error(
                    f"keeping {kept} characters shows too much of {_MASK_TARGETS[rule.target]}",
                    rule.span,
                    f"{rule_text}; keep at most {most} in all",
                )
            masks[rule.target] = model.Mask(rule.keep_first, rule.keep_last)
        default = model.Publication()
        return model.Publication(
            names=masks.get("names", default.names),
            id_number=masks.get("id_number", default.id_number),
            cite=block.cite,
            declared=True,
        )


_MASK_TARGETS = {"names": "names", "id_number": "identity numbers"}
# The most characters a rule may keep, and why. Lists mask at run time too, so a
# value shorter than the rule expects never shows whole (see masking.py).
_MASK_LIMITS = {
    "names": (2, "a public list must hide at least one character of a three-character name"),
    "id_number": (12, "a public list must hide at least 6 of the 18 characters of an identity number"),
}


_BLOCK_NAMES = {
    syntax.PointsBlock: "points",
    syntax.BatchesBlock: "batches",
    syntax.TieBreakBlock: "tiebreak",
    syntax.AllocationBlock: "allocation",
    syntax.SubsidyBlock: "subsidies",
    syntax.ScheduleBlock: "schedule",
    syntax.PublicationBlock: "publication",
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
