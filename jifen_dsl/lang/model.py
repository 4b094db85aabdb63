"""A checked policy: every declaration resolved, typed and in evaluation order.

This is the checker's output and the compiler's, evaluator's and allocator's
input. Nothing here refers to syntax any more, except spans for messages.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Any

import attrs

from jifen_dsl.lang import ir
from jifen_dsl.errors import Diagnostic, SourceText, Span
from jifen_dsl.timeline.schedule import Schedule
from jifen_dsl.lang.typesys import Type
from jifen_dsl.timeline.workdays import Calendar

# Field names the engine itself reads. Policies declare them like any other field
# (see policies/guangzhou/fields.jifen); the checker makes sure their types fit.
ID_FIELD = "id"
GRADE_FIELD = "grade"
CHOICES_FIELD = "choices"
COORDINATION_FIELD = "accepts_coordination"
SIBLING_FIELD = "sibling_group"
CLEARING_FIELD = "clearing_choices"

# Personal details. No rule reads them: the engine carries them from the applicant
# file to internal outputs, and public lists show them only masked (see Publication).
APPLICANT_NAME_FIELD = "applicant_name"
CHILD_NAME_FIELD = "child_name"
ID_NUMBER_FIELD = "id_number"
NAME_FIELDS = (APPLICANT_NAME_FIELD, CHILD_NAME_FIELD)
PERSONAL_FIELDS = (APPLICANT_NAME_FIELD, CHILD_NAME_FIELD, ID_NUMBER_FIELD)


@attrs.frozen
class Field:
    index: int
    name: str
    label: str | None
    type: Type
    unique: bool
    optional: bool
    default: Any  # a runtime value, or None
    span: Span | None = attrs.field(default=None, eq=False)

    @property
    def nullable(self) -> bool:
        return self.optional and self.default is None and self.type.kind not in ("school_list", "text_list")

    def display(self, language: str) -> str:
        return self.label if (language == "zh" and self.label) else self.name


@attrs.frozen
class Definition:
    index: int
    name: str
    label: str | None
    cite: str | None
    expr: ir.Node
    span: Span | None = attrs.field(default=None, eq=False)

    @property
    def type(self) -> Type:
        return self.expr.type

    @property
    def may_miss(self) -> bool:
        return ir.may_miss(self.expr)


@attrs.frozen
class UsedValue:
    """A field or definition a requirement reads, as the author wrote its name."""

    kind: str  # "field", "define", "phase" or "as_of"
    index: int
    written: str


@attrs.frozen
class Requirement:
    index: int
    name: str
    title: str
    cite: str | None
    condition: ir.Node
    grade: str | None  # None: applies to every grade
    uses: tuple[UsedValue, ...]
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Grade:
    value: str
    stage: str | None
    requirements: tuple[int, ...]  # indexes into Policy.requirements


@attrs.frozen
class Indicator:
    index: int
    name: str
    title: str
    cite: str | None
    formula: ir.Node
    cap: ir.Node | None
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Points:
    total: ir.Node | None  # None: the capped indicators summed
    indicators: tuple[Indicator, ...]


@attrs.frozen
class Batch:
    index: int
    name: str
    title: str
    cite: str | None
    condition: ir.Node | None  # None: everyone not in an earlier batch
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class TieBreak:
    """One key of the tie-break chain, after batch and points."""

    kind: str  # "expr", "indicator" (one indicator's score) or "lottery"
    label: str
    descending: bool
    expr: ir.Node | None = None
    indicator: int | None = None
    seed: int | None = None
    unique: bool = False  # the key alone orders every pair of applicants
    span: Span | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Allocation:
    qualification: str = "seats"  # or "all_eligible"
    choices: int | None = None  # None: every listed choice counts
    mechanism: str = "points_first"  # or "choice_first"
    coordination: str = "file_order"  # or "most_free_seats"
    siblings: str = "coordinated"  # when no school has room for the whole group: or "unplaced"
    clearing: bool = False
    # The season's rules (jifen season), which districts set differently:
    missing_choices: str = "gives_up"  # a qualified applicant who files no choices: or "coordinated" (placed by coordination)
    unconfirmed: str = "declines"  # silence through the confirmation window: or "confirms"
    clearing_for: tuple[str, ...] = ("unplaced", "gave_up")  # who may enter clearing: also "declined"
    windows: tuple[tuple[str, str], ...] = ()  # (season stage, schedule phase open for it)
    admitted_waits: bool = False  # one holding a seat may still seek a better school in clearing
    clearing_span: Any = attrs.field(default=None, eq=False, repr=False)  # where the clearing setting is written, for refusals
    cite: str | None = None


@attrs.frozen
class Subsidies:
    rates: tuple[tuple[str, str, Decimal], ...]  # (school type, stage, yuan per pupil per semester)
    semesters_per_year: int
    cite: str | None = None

    def rate(self, school_type: str, stage: str) -> Decimal | None:
        for t, s, amount in self.rates:
            if t == school_type and s == stage:
                return amount
        return None


@attrs.frozen
class Mask:
    """Characters of a personal value left visible in a public list: so many at the start, so many at the end."""

    keep_first: int
    keep_last: int


@attrs.frozen
class Publication:
    """How public lists (公示) mask personal details; the defaults give 张*明 and 440102********1234."""

    names: Mask = Mask(1, 1)
    id_number: Mask = Mask(6, 4)
    cite: str | None = None
    declared: bool = False  # False: the policy has no publication section and these are the defaults


@attrs.frozen
class Header:
    title: str
    district: str
    year: int
    as_of: _dt.date
    source: str
    language: str


@attrs.frozen
class Policy:
    """A policy that passed the checker."""

    path: str
    header: Header
    fields: tuple[Field, ...]
    definitions: tuple[Definition, ...]
    requirements: tuple[Requirement, ...]
    grades: tuple[Grade, ...]
    points: Points
    batches: tuple[Batch, ...]
    tiebreaks: tuple[TieBreak, ...]
    allocation: Allocation | None
    subsidies: Subsidies | None
    read_fields: tuple[int, ...]  # the fields an applicant file must provide for this policy
    warnings: tuple[Diagnostic, ...] = ()
    sources: dict[str, SourceText] = attrs.field(factory=dict, eq=False, repr=False)
    files: tuple[str, ...] = ()  # every file read, the policy first
    schedule: Schedule | None = None
    calendar: Calendar | None = attrs.field(default=None, eq=False, repr=False)  # for working-day arithmetic
    # The indicators whose evidence the policy counts: a record holds one list of
    # evidence items per indicator, in this order, after the values of read_fields.
    evidence: tuple[str, ...] = ()
    publication: Publication = Publication()

    @property
    def language(self) -> str:
        return self.header.language

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def has_field(self, name: str) -> bool:
        return any(f.name == name for f in self.fields)

    def grade(self, value: str) -> Grade | None:
        for g in self.grades:
            if g.value == value:
                return g
        return None


@attrs.frozen
class Library:
    """A shared file of field declarations and definitions, with no policy header."""

    path: str
    fields: tuple[Field, ...]
    definitions: tuple[Definition, ...]
    warnings: tuple[Diagnostic, ...] = ()
    sources: dict[str, SourceText] = attrs.field(factory=dict, eq=False, repr=False)
    calendar_years: tuple[int, ...] = ()  # the years the library's calendar declarations add
