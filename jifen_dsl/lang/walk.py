"""Walk and rebuild syntax trees generically, by their attrs fields.

The syntax tree has no behaviour of its own (see :mod:`jifen_dsl.lang.syntax`); the
passes that treat every node alike - finding every date, moving every date,
collecting the names an expression uses - walk it through these functions.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

import attrs

__all__ = ["children", "walk", "rebuild", "names_used"]


def _node_fields(node: Any):
    # Spans and other fields left out of equality are not part of the tree.
    return [f for f in attrs.fields(type(node)) if f.eq]


def children(node: Any) -> Iterator[Any]:
    """The nodes directly below ``node``, in field order (tuples are looked into)."""
    for f in _node_fields(node):
        value = getattr(node, f.name)
        if attrs.has(type(value)):
            yield value
        elif isinstance(value, tuple):
            for item in value:
                if attrs.has(type(item)):
                    yield item


def walk(node: Any, *, skip: tuple[type, ...] = ()) -> Iterator[Any]:
    """``node`` and every node below it, depth first, not descending into nodes of the ``skip`` types."""
    stack = [node]
    while stack:
        current = stack.pop()
        if skip and isinstance(current, skip):
            continue
        yield current
        stack.extend(reversed(list(children(current))))


def rebuild(node: Any, change: Callable[[Any], Any], *, skip: tuple[type, ...] = ()) -> Any:
    """A copy of ``node`` with ``change`` applied to every node, children first; nodes of the ``skip`` types are kept whole."""
    if skip and isinstance(node, skip):
        return node
    updates = {}
    for f in _node_fields(node):
        value = getattr(node, f.name)
        if attrs.has(type(value)):
            new = rebuild(value, change, skip=skip)
        elif isinstance(value, tuple) and any(attrs.has(type(v)) for v in value):
            new = tuple(rebuild(v, change, skip=skip) if attrs.has(type(v)) else v for v in value)
        else:
            continue
        if new is not value:
            updates[f.name] = new
    if updates:
        node = attrs.evolve(node, **updates)
    return change(node)


def names_used(node: Any) -> set[str]:
    """Every name an expression (or declaration) refers to."""
    from jifen_dsl.lang import syntax

    found: set[str] = set()
    for n in walk(node):
        if isinstance(n, syntax.Ref):
            found.add(n.name)
        elif isinstance(n, syntax.Evidence):
            found.add(n.indicator)
    return found
