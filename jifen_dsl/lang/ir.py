"""Typed, resolved expressions: what the checker produces and the compiler consumes.

Every name has been resolved to a field, a definition or an indicator, every
literal has its runtime value, and every node knows its type. Constant
sub-expressions have already been folded.
"""

from __future__ import annotations

from typing import Any, Union

import attrs

from jifen_dsl.errors import Span
from jifen_dsl.lang.typesys import Type


def _span():
    return attrs.field(default=None, kw_only=True, eq=False, repr=False)


@attrs.frozen
class Const:
    value: Any
    type: Type
    span: Span | None = _span()


@attrs.frozen
class FieldRef:
    index: int  # position in the policy's field table
    name: str
    type: Type
    nullable: bool  # optional without a default: may be missing for an applicant
    span: Span | None = _span()


@attrs.frozen
class DefRef:
    index: int
    name: str
    type: Type
    may_miss: bool  # depends on a value that may be missing
    span: Span | None = _span()


@attrs.frozen
class IndicatorRef:
    index: int
    name: str
    type: Type
    span: Span | None = _span()


@attrs.frozen
class EvidenceRef:
    """The applicant's evidence items filed under one indicator, sorted by date (never missing)."""

    slot: int  # position among the policy's evidence lists, after the fields in a record
    name: str  # the indicator
    type: Type
    span: Span | None = _span()


@attrs.frozen
class Apply:
    """An operator or built-in function applied to arguments; ``op`` names a runtime operation."""

    op: str
    args: tuple["Node", ...]
    type: Type
    span: Span | None = _span()


@attrs.frozen
class Present:
    """``present(field)``: true when the applicant gave a value (never raises for a missing one)."""

    target: Union[FieldRef, DefRef]
    type: Type
    span: Span | None = _span()


Node = Union[Const, FieldRef, DefRef, IndicatorRef, EvidenceRef, Apply, Present]


def may_miss(node: Node, present: frozenset = frozenset()) -> bool:
    """Whether evaluating ``node`` can meet a missing value.

    ``if present(x) then A else B`` and ``present(x) and A`` read ``x`` in ``A``
    only when it is there, so ``x`` cannot be missing in ``A``. ``present``
    holds the values known to be there.
    """
    if isinstance(node, FieldRef):
        return node.nullable and ("field", node.index) not in present
    if isinstance(node, DefRef):
        return node.may_miss and ("define", node.index) not in present
    if isinstance(node, Apply):
        guarded = _guarded(node.args[0]) if node.op in ("if", "and") and node.args else frozenset()
        if guarded:
            known = present | guarded
            rest = node.args[2:] if node.op == "if" else ()
            return may_miss(node.args[1], known) or any(may_miss(a, present) for a in rest)
        return any(may_miss(a, present) for a in node.args)
    return False


def unguarded(node: Node, present: frozenset = frozenset()) -> list["FieldRef | DefRef"]:
    """The references in ``node`` that may be missing when they are read (the guarded ones left out)."""
    if isinstance(node, (FieldRef, DefRef)):
        return [node] if may_miss(node, present) else []
    if isinstance(node, Apply):
        guarded = _guarded(node.args[0]) if node.op in ("if", "and") and node.args else frozenset()
        if guarded:
            rest = node.args[2:] if node.op == "if" else ()
            return unguarded(node.args[1], present | guarded) + [r for a in rest for r in unguarded(a, present)]
        return [r for a in node.args for r in unguarded(a, present)]
    return []


def _guarded(condition: Node) -> frozenset:
    """The values a condition proves present when true: present(x), or several joined by 'and'."""
    if isinstance(condition, Present):
        return frozenset({_key(condition.target)})
    if isinstance(condition, Apply) and condition.op == "and":
        left, right = _guarded(condition.args[0]), _guarded(condition.args[1])
        if left and right:
            return left | right
    return frozenset()


def _key(target: "FieldRef | DefRef") -> tuple[str, int]:
    return ("field", target.index) if isinstance(target, FieldRef) else ("define", target.index)


def walk(node: Node):
    """Every node of an expression, parents before children."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, Apply):
            stack.extend(reversed(current.args))
        elif isinstance(current, Present):
            stack.append(current.target)
