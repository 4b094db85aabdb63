"""The policy's order of applicants: batch, then points (highest first), then the tie-break chain.

The checker guarantees the chain ends in a unique key or a seeded lottery, so
this is a total order: the ranking never depends on the order of input rows.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from typing import Any, Callable, Sequence

from . import model

__all__ = ["sort_key", "rank_order", "packed_order", "lottery_ticket", "KeyPart", "key_parts", "deciding_key"]


def lottery_ticket(seed: int, applicant_id: str) -> bytes:
    """The applicant's position in a seeded lottery: a hash of the seed and the id."""
    return hashlib.sha256(f"{seed}\x00{applicant_id}".encode("utf-8")).digest()


class KeyPart:
    """One step of the order, with how to read it from an evaluation."""

    __slots__ = ("label", "descending", "read", "kind")

    def __init__(self, label: str, descending: bool, read: Callable[[Any], Any], kind: str):
        self.label = label
        self.descending = descending
        self.read = read
        self.kind = kind  # "batch", "points", "indicator", "expr", "lottery"


def key_parts(policy: model.Policy) -> list[KeyPart]:
    """Every step of the order, first to last: batch, points, then the tie-break chain."""
    after_last_batch = len(policy.batches)
    parts = [
        KeyPart("batch", False, lambda e: after_last_batch if e.batch is None else e.batch, "batch"),
        KeyPart("points", True, lambda e: e.points, "points"),
    ]
    expr_position = 0
    for tie in policy.tiebreaks:
        if tie.kind == "indicator":
            parts.append(KeyPart(tie.label, tie.descending, _score_reader(tie.indicator), "indicator"))
        elif tie.kind == "expr":
            reader = _key_reader(expr_position)
            if tie.expr.type.kind == "enum":  # members order as declared, as in sort_key
                order = {member: i for i, member in enumerate(tie.expr.type.members)}
                reader = (lambda read, order: lambda e: order[read(e)])(reader, order)
            parts.append(KeyPart(tie.label, tie.descending, reader, "expr"))
            expr_position += 1
        else:
            seed = tie.seed
            parts.append(KeyPart(tie.label, False, lambda e, seed=seed: lottery_ticket(seed, e.id), "lottery"))
    return parts


def _score_reader(index: int):
    return lambda e: e.scores[index]


def _key_reader(index: int):
    return lambda e: e.keys[index]


def sort_key(policy: model.Policy) -> Callable[[Any], tuple] | None:
    """One tuple key for the whole order, or None when a key (descending text) needs several passes.

    The key function is generated as one Python expression, because it runs once
    per applicant and a loop over key readers costs several times more. It is
    built from the policy's structure only (indexes and directions), never from
    its text.
    """
    parts = ["(%d if e.batch is None else e.batch)" % len(policy.batches), "-e.points"]
    orders: dict[str, dict[str, int]] = {}
    expr_position = 0
    for tie in policy.tiebreaks:
        if tie.kind == "indicator":
            parts.append(("-" if tie.descending else "") + f"e.scores[{int(tie.indicator)}]")
        elif tie.kind == "lottery":
            parts.append(f"ticket({int(tie.seed)}, e.applicant.id)")
        else:
            value = f"e.keys[{expr_position}]"
            expr_position += 1
            kind = tie.expr.type.kind
            if kind == "enum":
                # An enum orders by the order its members were declared in, not alphabetically.
                name = f"members_{len(orders)}"
                orders[name] = {member: i for i, member in enumerate(tie.expr.type.members)}
                value = f"{name}[{value}]"
                kind = "integer"
            if not tie.descending:
                parts.append(value)
                continue
            if kind in ("integer", "decimal"):
                parts.append("-" + value)
            elif kind == "date":
                parts.append(f"-{value}.toordinal()")
            elif kind == "datetime":
                parts.append(f"negative_moment({value})")
            elif kind == "bool":
                parts.append(f"(not {value})")
            else:
                return None  # text cannot be negated: sort in several stable passes
    source = "lambda e: (" + ", ".join(parts) + ",)"
    namespace = {"__builtins__": {}, "ticket": lottery_ticket, "negative_moment": _negative_moment, **orders}
    return eval(source, namespace)  # noqa: S307 - built above from indexes only


def _negative_moment(value: _dt.datetime) -> float:
    return -(value - _dt.datetime.min).total_seconds()


def rank_order(policy: model.Policy, evaluations: Sequence[Any]) -> list[Any]:
    """The evaluations in the policy's order, best first."""
    ordered = packed_order(policy, evaluations)
    if ordered is not None:
        return ordered
    return _tuple_order(policy, evaluations)


def _tuple_order(policy: model.Policy, evaluations: Sequence[Any]) -> list[Any]:
    """The order by one tuple per evaluation (or stable passes, one per key): the reference the packed order keeps."""
    key = sort_key(policy)
    if key is not None:
        return sorted(evaluations, key=key)
    return _passes(key_parts(policy), list(evaluations))


def _passes(parts: Sequence[KeyPart], ordered: list[Any]) -> list[Any]:
    for part in reversed(parts):
        ordered.sort(key=part.read, reverse=part.descending)  # stable, so earlier keys win
    return ordered


def deciding_key(parts: Sequence[KeyPart], a: Any, b: Any) -> tuple[KeyPart, Any, Any] | None:
    """The first step of the order on which two evaluations differ, with both values."""
    for part in parts:
        va, vb = part.read(a), part.read(b)
        if va != vb:
            return part, va, vb
    return None


# ------------------------------------------------------------------ packed order

# Parts with more distinct values than this (ids, lottery tickets) are not packed:
# they only ever decide between applicants equal on every part before them.
_PACK_LIMIT = 1 << 18
_PACKABLE = frozenset({"integer", "decimal", "date", "datetime", "bool", "enum"})


def _packable_parts(policy: model.Policy) -> list[tuple[str, int | None, bool, dict[Any, int] | None]]:
    """The leading parts of the order that may take few values: (attribute, index, descending, enum member order)."""
    parts: list[tuple[str, int | None, bool, dict[Any, int] | None]] = [("batch", None, False, None), ("points", None, True, None)]
    expr_position = 0
    for tie in policy.tiebreaks:
        if tie.kind == "indicator":
            parts.append(("scores", int(tie.indicator), tie.descending, None))
        elif tie.kind == "expr":
            kind = tie.expr.type.kind
            if kind not in _PACKABLE:
                break
            order = {member: i for i, member in enumerate(tie.expr.type.members)} if kind == "enum" else None
            parts.append(("keys", expr_position, tie.descending, order))
            expr_position += 1
        else:
            break
    return parts


def packed_order(policy: model.Policy, evaluations: Sequence[Any]) -> list[Any] | None:
    """The policy's order, sorting one integer per evaluation; None when the parts do not pack (then sort by tuples).

    Each leading part of the order that takes few distinct values (batch, points,
    indicator scores, numbers, dates, yes/no, enums) is replaced by the rank of its
    value among the distinct values present - exact for any decimal, since the
    values themselves are compared - and the ranks are packed into one integer,
    which sorts several times faster than a tuple of decimals. Applicants equal on
    the packed parts are then ordered by the parts left (an id, a lottery ticket),
    in stable passes, exactly as :func:`_tuple_order` orders them.
    """
    evaluations = list(evaluations)
    count = len(evaluations)
    if count < 2:
        return evaluations
    parts = _packable_parts(policy)
    reads = [f"e.{attribute}" + (f"[{int(index)}]" if index is not None else "") for attribute, index, _, _ in parts]
    # The distinct values of every part, in one pass: each evaluation is visited once.
    collect: dict[str, Any] = {"__builtins__": {}, "set": set}
    exec(  # noqa: S102 - built from attribute names and indexes only
        "def distinct(evaluations):\n"
        + "".join(f"    d_{i} = set()\n    a_{i} = d_{i}.add\n" for i in range(len(parts)))
        + "    for e in evaluations:\n"
        + "".join(f"        a_{i}({read})\n" for i, read in enumerate(reads))
        + "    return [" + ", ".join(f"d_{i}" for i in range(len(parts))) + "]\n",
        collect,
    )
    ranks: list[dict[Any, int]] = []
    terms: list[str] = []
    for (attribute, index, descending, order), read, distinct in zip(parts, reads, collect["distinct"](evaluations)):
        if len(distinct) > _PACK_LIMIT:
            break
        if attribute == "batch":
            in_batch = distinct - {None}
            values = sorted(in_batch) + ([None] if None in distinct else [])  # in no batch: after the last
        else:
            try:
                values = sorted(distinct, key=order.__getitem__) if order is not None else sorted(distinct)
            except (TypeError, KeyError):  # values that do not order (a missing value): the tuple sort says so
                return None
        if descending:
            values.reverse()
        ranks.append({value: rank for rank, value in enumerate(values)})
        terms.append(f"r_{len(terms)}[{read}]")
    # Each rank is stored already multiplied by its place value (the product of the sizes of
    # the parts after it), so the key is a plain sum: one lookup and one addition per part.
    namespace: dict[str, Any] = {"__builtins__": {}}
    place = 1
    for position in range(len(ranks) - 1, -1, -1):
        namespace[f"r_{position}"] = {value: rank * place for value, rank in ranks[position].items()}
        place *= len(ranks[position])
    key = " + ".join(terms)
    # One list comprehension over all of them: built from attribute names and indexes only.
    exec(f"def keys(evaluations):\n    return [{key} for e in evaluations]\n", namespace)  # noqa: S102
    keys = namespace["keys"]
    rest = key_parts(policy)[len(terms):]
    if rest and all(part.kind != "lottery" for part in rest):
        # The parts left (an id) are cheap to read for everyone: order by them first, then
        # stably by the packed key - together, the order of the tuple of all the parts.
        evaluations = _passes(rest, evaluations)
        rest = []
    packed = keys(evaluations)
    order = sorted(range(count), key=packed.__getitem__)
    ordered = [evaluations[i] for i in order]
    if not rest:
        return ordered
    # A lottery ticket is a hash: drawn only for runs of applicants equal on every packed part.
    packed = [packed[i] for i in order]
    start = 0
    for end in range(1, count + 1):
        if end == count or packed[end] != packed[start]:
            if end - start > 1:
                ordered[start:end] = _passes(rest, ordered[start:end])
            start = end
    return ordered
