"""Check a loaded policy: resolve names, type every expression, collect ALL errors.

The checker never stops at the first problem. It reports unknown names with
suggestions, type errors, duplicate names, windows that end before they start,
tie-break chains that do not order every pair of applicants, and more; and it
warns about definitions nothing uses. Its output is a :class:`model.Policy`.

This module runs the checks in order and builds the result; the checks of each
concept are mixins of their own: declarationcheck, typecheck and typecalls,
sectioncheck, timecheck.

Every message is a lazy :mod:`jifen_dsl.messages` message with its code, C0001 to
C0699 (``docs/messages.d/checking.md``), put into words when it is shown: a policy
checked once and kept in the cache shows its warnings later in any language.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable

from jifen_dsl.lang import syntax, ir, model
from jifen_dsl.errors import Diagnostic, PolicyError, Span
from jifen_dsl.messages import M, Message, T, alternatives, quoted, series
from jifen_dsl.lang.loader import Program
from jifen_dsl.lang.functions import FUNCTIONS
from jifen_dsl.lang.checking.declarations import DeclarationChecking, Symbol
from jifen_dsl.lang.checking.sections import SectionChecking
from jifen_dsl.lang.checking.schedule import ScheduleChecking
from jifen_dsl.lang.checking.calls import CallTyping
from jifen_dsl.lang.checking.expressions import ExpressionTyping, kind_name, type_name
from jifen_dsl.lang.typesys import BOOL

__all__ = ["check", "FUNCTIONS"]


class _Checker(DeclarationChecking, ExpressionTyping, CallTyping, SectionChecking, ScheduleChecking):
    def __init__(self, program: Program):
        self.program = program
        self.errors: list[Diagnostic] = []
        self.warnings: list[Diagnostic] = []
        self.fields: list[model.Field] = []
        self.definitions: list[model.Definition] = []
        self.symbols: dict[str, Symbol] = {}
        self.indicator_symbols: dict[str, Symbol] = {}
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
    def error(self, message: Message, span: Span | None, hint: Message | None = None) -> None:
        self.errors.append(Diagnostic(message, span, hint))

    def warn(self, message: Message, span: Span | None, hint: Message | None = None) -> None:
        self.warnings.append(Diagnostic(message, span, hint, severity="warning"))

    def _suggest(self, name: str, candidates: Iterable[str]) -> Message | None:
        """A hint naming the candidates spelled closest to ``name``, or None when none is close."""
        close = difflib.get_close_matches(name, list(candidates), n=3, cutoff=0.6)
        if not close:
            return None
        return T("did you mean {names}?", names=alternatives(close))

    # ------------------------------------------------------------------ run
    def run(self) -> model.Policy | model.Library | None:
        """Check the program step by step; the messages come in the order of the steps."""
        decls = self.program.declarations
        header = self.program.main.header

        # The calendar and the phases come first: rules anywhere may count working
        # days or name a phase, and constant folding needs the calendar.
        schedule_block = _first(decls, syntax.ScheduleBlock)
        makeup_counted = self._makeup_counted(schedule_block)
        self.calendar = self._build_calendar([d for d, _ in decls if isinstance(d, syntax.CalendarBlock)], makeup_counted)
        self._note_indicators(_first(decls, syntax.PointsBlock))

        if header is None:
            self._check_library(decls)
        self._declare_fields(decls)
        self._declare_phases(schedule_block)
        self._announce_definitions(decls)
        sections, requirements_ast, grade_blocks = self._take_declarations(decls)

        grade_field = self._check_engine_fields(header)
        requirements, grades = self._requirements_and_grades(requirements_ast, grade_blocks, grade_field)
        checked = self._check_sections(sections, schedule_block, makeup_counted, grades, header)
        self._final_checks(header, checked["allocation"], sections.get(syntax.AllocationBlock))

        if self.errors:
            return None
        if header is None:
            return model.Library(
                self.program.main.path, tuple(self.fields), tuple(self.definitions), tuple(self.warnings), self.program.sources,
                calendar_years=self.calendar_years,
            )
        return self._policy(header, requirements, grades, checked)

    def _note_indicators(self, points_block: syntax.PointsBlock | None) -> None:
        """Every indicator of the points section, known from the start: evidence is filed under them."""
        if points_block is not None:
            for position, ind in enumerate(points_block.indicators):
                self.evidence_indicators.setdefault(ind.name, position)

    def _check_library(self, decls) -> None:
        for decl, _path in decls:
            if not isinstance(decl, (syntax.FieldDecl, syntax.Define, syntax.CalendarBlock)):
                self.error(
                    M("C0001", "a file without a policy header is a library, and a library may only declare fields, definitions and calendars"),
                    decl.span,
                    T("start the file with the policy header (policy ... district ... year ... as_of ... source ...) to make it a policy"),
                )

    def _take_declarations(self, decls) -> tuple[dict[type, Any], list[syntax.Requirement], list[syntax.GradeBlock]]:
        """Type the definitions in order; gather the requirements, the grade blocks and the sections (one of each kind)."""
        sections: dict[type, Any] = {}
        requirements_ast: list[syntax.Requirement] = []
        grade_blocks: list[syntax.GradeBlock] = []
        for decl, path in decls:
            if isinstance(decl, syntax.Define):
                self._declare_define(decl, from_library=path != self.program.main.path)
            elif isinstance(decl, syntax.Requirement):
                requirements_ast.append(decl)
            elif isinstance(decl, syntax.GradeBlock):
                grade_blocks.append(decl)
            elif isinstance(decl, tuple(_BLOCK_NAMES)):
                if type(decl) in sections:
                    first = sections[type(decl)]
                    self.error(
                        M("C0002", "a policy has one {section} section; this is a second one", section=_BLOCK_NAMES[type(decl)]),
                        decl.span,
                        _first_at(first.span),
                    )
                else:
                    sections[type(decl)] = decl
        return sections, requirements_ast, grade_blocks

    def _final_checks(self, header: syntax.Header | None, allocation: model.Allocation | None, allocation_block) -> None:
        """The checks that need everything declared: the header, the fields allocation reads, unused definitions."""
        if header is not None:
            self._check_header(header)
            if allocation is not None:
                self._allocation_fields(allocation, allocation_block)
        self._warn_unused(header)

    def _policy(self, header: syntax.Header, requirements: list[model.Requirement], grades: list[model.Grade], checked: dict[str, Any]) -> model.Policy:
        return model.Policy(
            path=self.program.main.path,
            header=model.Header(header.title, header.district, header.year, header.as_of, header.source, header.language),
            fields=tuple(self.fields),
            definitions=tuple(self.definitions),
            requirements=tuple(requirements),
            grades=tuple(grades),
            points=checked["points"],
            batches=checked["batches"],
            tiebreaks=checked["tiebreaks"],
            allocation=checked["allocation"],
            subsidies=checked["subsidies"],
            read_fields=self._read_fields(checked["allocation"]),
            warnings=tuple(self.warnings),
            sources=self.program.sources,
            files=self.program.files,
            schedule=checked["schedule"],
            calendar=self.calendar,
            evidence=tuple(sorted(self.evidence_slots, key=self.evidence_slots.get)),
            publication=checked["publication"],
        )

    def _read_fields(self, allocation: model.Allocation | None) -> tuple[int, ...]:
        """The fields a run reads from the applicant file, by index."""
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
        return tuple(sorted(read))

    def _warn_if_fixed(self, condition: ir.Node, source: syntax.Expr, what: str) -> None:
        """A condition that folded to a constant decides nothing about the applicant: say so.

        ``what`` is "requirement" or "batch".
        """
        if isinstance(condition, ir.Const) and condition.type == BOOL and not isinstance(source, syntax.BoolLit):
            message = _FIXED_CONDITION[what, bool(condition.value)]
            self.warn(message, source.span, T("check the dates and numbers it compares"))

    # --------------------------------------------------------------- header
    def _check_header(self, header: syntax.Header) -> None:
        if not 1990 <= header.year <= 2200:
            self.error(M("C0004", "the year {year} is not a plausible admission year", year=header.year), header.span)
        elif header.as_of.year != header.year:
            self.warn(
                M("C0005", "the reference date {as_of} is not in the policy's year {year}", as_of=header.as_of, year=header.year),
                header.span,
                T("policies usually count to 31 August of the admission year"),
            )
        empty = (
            (header.title, M("C0006", "the policy's title is empty")),
            (header.district, M("C0006", "the policy's district is empty")),
            (header.source, M("C0006", "the policy's source is empty")),
        )
        for value, message in empty:
            if not value.strip():
                self.error(message, header.span)

    def _check_engine_fields(self, header: syntax.Header | None) -> model.Field | None:
        """The fields the engine itself reads must be declared, with the right types; gives the grade field."""
        for name in model.PERSONAL_FIELDS:
            for f in self.fields:
                if f.name == name and f.type.kind != "text":
                    self.error(M("C0007", "the field {name} holds personal details and must be text, not {type}", name=quoted(name), type=type_name(f.type)), f.span)
        grade_field = self._engine_field(model.GRADE_FIELD, ("enum",), header)
        id_field = self._engine_field(model.ID_FIELD, ("text",), header)
        if id_field is not None and not id_field.unique and header is not None:
            self.error(M("C0008", "the field 'id' must be declared unique"), id_field.span, T("add 'unique' to its declaration"))
        return grade_field

    def _engine_field(self, name: str, kinds: tuple[str, ...], header: syntax.Header | None) -> model.Field | None:
        for f in self.fields:
            if f.name == name:
                if f.type.kind not in kinds:
                    self.error(
                        M("C0009", "the field {name} must be {kinds}, not {type}", name=quoted(name), kinds=alternatives(map(kind_name, kinds), quote=False), type=type_name(f.type)),
                        f.span,
                    )
                return f
        if header is not None:
            self.error(
                M("C0010", "the policy declares no field {name}, which every applicant file needs", name=quoted(name)),
                header.span,
                T("import the shared field declarations, e.g. import \"../guangzhou/fields.jifen\""),
            )
        return None

    def _has_field(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)

    def _field_index(self, name: str) -> int:
        for f in self.fields:
            if f.name == name:
                return f.index
        raise KeyError(name)

    # ---------------------------------------------------------------- grades
    def _requirements_and_grades(
        self, requirements_ast: list[syntax.Requirement], grade_blocks: list[syntax.GradeBlock], grade_field: model.Field | None,
    ) -> tuple[list[model.Requirement], list[model.Grade]]:
        """The requirements for every grade, then each grade's own, numbered in that order."""
        requirements: list[model.Requirement] = []
        grades: list[model.Grade] = []
        names: dict[str, Span | None] = {}
        for req in requirements_ast:
            self._requirement(req, None, requirements, names)
        seen_grades: dict[str, Span | None] = {}
        for block in grade_blocks:
            grade_value = self._grade_value(block, grade_field)
            if grade_value is not None and grade_value in seen_grades:
                self.error(
                    M("C0011", "grade {grade} already has a block of requirements", grade=quoted(block.grade)),
                    block.grade_span,
                    T("put all of a grade's requirements in one block"),
                )
            indexes = tuple(self._requirement(r, grade_value, requirements, names) for r in block.requirements)
            if grade_value is not None and grade_value not in seen_grades:
                seen_grades[grade_value] = block.grade_span
                grades.append(model.Grade(grade_value, block.stage, indexes))
        return requirements, grades

    def _requirement(self, req: syntax.Requirement, grade: str | None, requirements: list[model.Requirement], names: dict[str, Span | None]) -> int:
        """Check one requirement and add it to ``requirements``; gives its index."""
        if req.name in names:
            previous = names[req.name]
            self.error(
                M("C0012", "duplicate requirement name {name}", name=quoted(req.name)),
                req.name_span or req.span,
                _first_at(previous),
            )
        names[req.name] = req.name_span or req.span
        condition = self._bool_expr(req.condition, T("a requirement's condition"))
        self._warn_if_fixed(condition, req.condition, "requirement")
        uses = self._uses(req.condition)
        index = len(requirements)
        requirements.append(model.Requirement(index, req.name, req.title, req.cite, condition, grade, uses, span=req.span))
        return index

    def _grade_value(self, block: syntax.GradeBlock, grade_field: model.Field | None) -> str | None:
        if grade_field is None:
            return block.grade
        canonical = grade_field.type.canonical(block.grade)
        if canonical is None:
            spellings = list(grade_field.type.members) + [a for a, _ in grade_field.type.aliases]
            self.error(
                M("C0013", "{grade} is not a grade of field 'grade'", grade=quoted(block.grade)),
                block.grade_span,
                self._suggest(block.grade, spellings) or T("the grades are: {grades}", grades=series(spellings)),
            )
        return canonical


# Each section by its keyword (in Chinese, the Chinese keyword).
_BLOCK_NAMES = {
    syntax.PointsBlock: T("points"),
    syntax.BatchesBlock: T("batches"),
    syntax.TieBreakBlock: T("tiebreak"),
    syntax.AllocationBlock: T("allocation"),
    syntax.SubsidyBlock: T("subsidies"),
    syntax.ScheduleBlock: T("schedule"),
    syntax.PublicationBlock: T("publication"),
}

_FIXED_CONDITION = {
    ("requirement", True): M("C0003", "this requirement condition always holds, whatever the applicant"),
    ("requirement", False): M("C0003", "this requirement condition never holds, whatever the applicant"),
    ("batch", True): M("C0003", "this batch condition always holds, whatever the applicant"),
    ("batch", False): M("C0003", "this batch condition never holds, whatever the applicant"),
}


def _first_at(span: Span | None) -> Message | None:
    """The hint pointing at the first of two declarations that may be made once."""
    return T("the first is at line {line}", line=span.line) if span else None


def _first(decls, kind: type):
    """The first declaration of a kind, or None."""
    return next((d for d, _ in decls if isinstance(d, kind)), None)


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
