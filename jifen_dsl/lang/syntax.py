"""Syntax tree of a policy file, as written.

Nodes are frozen attrs classes with no behaviour. Every node carries the source
span it came from as a keyword-only field that takes no part in equality, so two
policies that say the same thing compare equal wherever it is written.
Class names follow the grammar's rule names.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from typing import Union

import attrs

from jifen_dsl.errors import Span


def _span() -> Span | None:
    return attrs.field(default=None, kw_only=True, eq=False, repr=False)


def _edits():
    # The override and remove items of a section in a policy that extends another
    # (empty everywhere else); inheritance consumes them before the checker runs.
    return attrs.field(default=(), kw_only=True)


node = attrs.frozen


# ---------------------------------------------------------------- expressions


@node
class NumberLit:
    value: Decimal
    is_integer: bool
    span: Span | None = _span()


@node
class StringLit:
    value: str
    span: Span | None = _span()


@node
class BoolLit:
    value: bool
    span: Span | None = _span()


@node
class DateLit:
    value: _dt.date
    span: Span | None = _span()


@node
class DateTimeLit:
    value: _dt.datetime
    span: Span | None = _span()


@node
class DurationLit:
    years: int
    months: int
    days: int
    span: Span | None = _span()


@node
class WorkdaysLit:
    """A number of working days: ``35 workdays`` / ``35个工作日``."""

    count: int
    span: Span | None = _span()


@node
class Ref:
    """A name: a field (by name or label), a definition or an indicator."""

    name: str
    span: Span | None = _span()


@node
class AsOf:
    """The policy's reference date (``as_of`` / ``基准日``)."""

    span: Span | None = _span()


@node
class PolicyYear:
    """The policy's admission year (``year`` / ``年度``)."""

    span: Span | None = _span()


@node
class SetLit:
    items: tuple["Expr", ...]
    span: Span | None = _span()


@node
class Unary:
    op: str  # "neg" or "not"
    operand: "Expr"
    span: Span | None = _span()


@node
class Binary:
    """Arithmetic (add sub mul div), comparison (eq ne lt le gt ge), logic (and or), membership (in not_in)."""

    op: str
    left: "Expr"
    right: "Expr"
    span: Span | None = _span()


@node
class Between:
    value: "Expr"
    low: "Expr"
    high: "Expr"
    span: Span | None = _span()


@node
class Within:
    """``value within window`` / ``value 在 window 内``: inside a phase's window, both ends included."""

    value: "Expr"
    window: "Expr"
    span: Span | None = _span()


@node
class Evidence:
    """The sum of an indicator's evidence items dated within a window.

    ``evidence x dated within <length> before <reference>`` sets ``length`` and
    ``reference``; ``evidence x dated from <low> to <high>`` sets ``low`` and
    ``high``; plain ``evidence x`` counts every item.
    """

    indicator: str
    length: "Expr | None" = None
    reference: "Expr | None" = None
    low: "Expr | None" = None
    high: "Expr | None" = None
    span: Span | None = _span()
    name_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


@node
class IfThenElse:
    condition: "Expr"
    then: "Expr"
    otherwise: "Expr"
    span: Span | None = _span()


@node
class Call:
    function: str  # the canonical (English) name of a built-in, or the name as written
    args: tuple["Expr", ...]
    span: Span | None = _span()
    function_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)
    spelling: str | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


Expr = Union[
    NumberLit, StringLit, BoolLit, DateLit, DateTimeLit, DurationLit, WorkdaysLit, Ref, AsOf, PolicyYear,
    SetLit, Unary, Binary, Between, Within, Evidence, IfThenElse, Call,
]
Literal = Union[NumberLit, StringLit, BoolLit, DateLit, DateTimeLit]


# ---------------------------------------------------------------- declarations


@node
class Header:
    title: str
    district: str
    year: int
    as_of: _dt.date
    source: str
    language: str  # "en" or "zh": the spelling of the header keyword
    span: Span | None = _span()
    year_span: Span | None = _span()
    as_of_span: Span | None = _span()


@node
class Import:
    path: str
    span: Span | None = _span()


@node
class EnumMember:
    value: str
    aliases: tuple[str, ...]
    span: Span | None = _span()


@node
class TypeRef:
    kind: str  # text integer decimal bool date datetime enum school_list text_list
    members: tuple[EnumMember, ...] = ()
    span: Span | None = _span()


@node
class FieldDecl:
    name: str
    label: str | None
    type: TypeRef
    unique: bool = False
    optional: bool = False
    default: Literal | None = None
    span: Span | None = _span()
    name_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


@node
class Define:
    name: str
    label: str | None
    cite: str | None
    expr: Expr
    span: Span | None = _span()
    name_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


@node
class Requirement:
    name: str
    title: str
    cite: str | None
    condition: Expr
    span: Span | None = _span()
    name_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


@node
class GradeBlock:
    grade: str
    stage: str | None  # "primary" or "junior"
    requirements: tuple[Requirement, ...]
    span: Span | None = _span()
    grade_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


@node
class Indicator:
    name: str
    title: str
    cite: str | None
    formula: Expr
    cap: Expr | None
    span: Span | None = _span()
    name_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


@node
class PointsBlock:
    total: Expr | None
    indicators: tuple[Indicator, ...]
    span: Span | None = _span()
    edits: tuple["Override | Remove", ...] = _edits()


@node
class Batch:
    name: str
    title: str
    cite: str | None
    condition: Expr | None  # None: "otherwise", everyone not in an earlier batch
    span: Span | None = _span()
    name_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


@node
class BatchesBlock:
    batches: tuple[Batch, ...]
    span: Span | None = _span()
    edits: tuple["Override | Remove", ...] = _edits()


@node
class TieBreakKey:
    kind: str  # "expr", "indicators" or "lottery"
    expr: Expr | None = None
    descending: bool = False
    seed: int | None = None
    span: Span | None = _span()


@node
class TieBreakBlock:
    cite: str | None
    keys: tuple[TieBreakKey, ...]
    span: Span | None = _span()
    edits: tuple["Override | Remove", ...] = _edits()


@node
class Setting:
    key: str
    value: str | int
    span: Span | None = _span()


@node
class AllocationBlock:
    cite: str | None
    settings: tuple[Setting, ...]
    span: Span | None = _span()
    edits: tuple["Override | Remove", ...] = _edits()


@node
class SubsidyRate:
    school_type: str  # "private" or "public"
    stage: str  # "primary" or "junior"
    amount: Decimal
    span: Span | None = _span()


@node
class SubsidyBlock:
    cite: str | None
    rates: tuple[SubsidyRate, ...]
    semesters_per_year: tuple[int, ...]  # every declaration, so the checker can report duplicates
    span: Span | None = _span()
    semesters_spans: tuple[Span, ...] = attrs.field(default=(), kw_only=True, eq=False, repr=False)
    edits: tuple["Override | Remove", ...] = _edits()


@node
class Phase:
    """A named phase of the schedule with its window (both ends included) or only its length."""

    name: str
    title: str
    cite: str | None
    start: DateLit | DateTimeLit | None
    end: DateLit | DateTimeLit | None
    length: DurationLit | WorkdaysLit | None
    follows: bool  # declared with "then": it must come after the phase before it
    span: Span | None = _span()
    name_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


@node
class Verification:
    """How long the points system takes from acceptance to verified points, and for which phases."""

    length: DurationLit | WorkdaysLit
    after: str | None  # the phase in which points are accepted
    needed_for: str | None  # the phase that needs verified points
    span: Span | None = _span()
    after_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)
    needed_for_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


@node
class MakeupSetting:
    """``makeup_days counted`` or ``not_counted``: whether make-up working days count as working days."""

    counted: bool
    span: Span | None = _span()


@node
class ScheduleBlock:
    cite: str | None
    items: tuple[Phase | Verification | MakeupSetting, ...]
    span: Span | None = _span()
    edits: tuple["Override | Remove", ...] = _edits()


@node
class CalendarYear:
    year: int
    span: Span | None = _span()


@node
class CalendarDays:
    """Holidays or make-up working days: one date, or every date from ``start`` to ``end``."""

    kind: str  # "holiday" or "workday"
    start: _dt.date
    end: _dt.date | None
    span: Span | None = _span()


@node
class CalendarBlock:
    cite: str | None
    items: tuple[CalendarYear | CalendarDays, ...]
    span: Span | None = _span()


@node
class MaskRule:
    """How many characters of a personal value a public list shows, at the start and at the end."""

    target: str  # "names" or "id_number"
    keep_first: int
    keep_last: int
    span: Span | None = _span()


@node
class PublicationBlock:
    cite: str | None
    rules: tuple[MaskRule, ...]
    span: Span | None = _span()
    edits: tuple["Override | Remove", ...] = _edits()


# ---------------------------------------------------------------- inheritance


@node
class Extends:
    """``extends "path"`` / ``继承 “path”``: the policy this one starts from."""

    path: str
    span: Span | None = _span()


@node
class Total:
    """The points total as an item of its own, so that it can be overridden."""

    expr: Expr
    span: Span | None = _span()


@node
class Override:
    """``override <item>``: replaces the inherited item of the same name, or the whole inherited section."""

    item: "Declaration | Indicator | Total | Batch | TieBreakKey | Setting | SubsidyRate | Phase | Verification | MakeupSetting | MaskRule"
    span: Span | None = _span()


@node
class Remove:
    """``remove <kind> <name>``: drops an inherited item.

    ``kind`` is what is removed: requirement, define, field, grade, section,
    indicator, total, batch, key, setting, rate, semesters_per_year, phase,
    verification, makeup_days or mask. ``name`` names it: the name, the grade,
    the section (points, batches ...), the setting, the rate ("private primary"),
    the mask target; a tie-break key is ``expr`` (then ``expr`` is set),
    ``indicators`` or ``lottery``.
    """

    kind: str
    name: str
    expr: "Expr | None" = None
    span: Span | None = _span()
    name_span: Span | None = attrs.field(default=None, kw_only=True, eq=False, repr=False)


Declaration = Union[
    Import, FieldDecl, Define, Requirement, GradeBlock, PointsBlock, BatchesBlock,
    TieBreakBlock, AllocationBlock, SubsidyBlock, ScheduleBlock, CalendarBlock, PublicationBlock,
    Override, Remove,
]


@node
class PolicyFile:
    """One parsed file: a policy (with a header) or a shared library (fields, definitions)."""

    path: str
    header: Header | None
    declarations: tuple[Declaration, ...]
    span: Span | None = _span()
    extends: Extends | None = attrs.field(default=None, kw_only=True)
