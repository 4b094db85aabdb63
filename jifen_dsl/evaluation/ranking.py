"""The policy's order of applicants: batch, then points (highest first), then the tie-break chain.

The checker guarantees the chain ends in a unique key or a seeded lottery, so
this is a total order: the ranking never depends on the order of input rows.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import operator
from typing import Any, Callable, Sequence

from jifen_dsl.compile.order import OrderPart, order_parts
from jifen_dsl.lang import model

__all__ = ["sort_key", "rank_order", "packed_order", "ranks", "ranks_by_values", "order_values", "lottery_ticket", "KeyPart", "key_parts", "deciding_key"]


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
    evaluations = list(evaluations)
    return _in_rank_order(evaluations, ranks(policy, evaluations))


def _in_rank_order(evaluations: list[Any], found: list[int]) -> list[Any]:
    """The evaluations placed by their ranks (1 = first)."""
    ordered: list[Any] = [None] * len(evaluations)
    for e, rank in zip(evaluations, found):
        ordered[rank - 1] = e
    return ordered


def ranks(policy: model.Policy, evaluations: Sequence[Any]) -> list[int]:
    """Each evaluation's rank in the policy's order (1 = best), in the order given."""
    evaluations = list(evaluations)
    return ranks_by_values(policy, evaluations, order_values(policy, evaluations))


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


def order_values(policy: model.Policy, evaluations: Sequence[Any]) -> list[list[Any]]:
    """What the evaluator's loop gathers (see :func:`order_parts`), read from the evaluations instead."""
    leading, rest = order_parts(policy)
    rows: dict[str, list[Any]] = {}  # each attribute read once

    def column(part: OrderPart) -> Any:
        attribute = {"indicator": "scores", "key": "keys", "lottery": "id"}.get(part.source, part.source)
        if attribute not in rows:
            rows[attribute] = list(map(operator.attrgetter(attribute), evaluations))
        if part.index is None:
            return rows[attribute]
        return map(operator.itemgetter(part.index), rows[attribute])

    return [list(column(part)) for part in leading + rest]


def packed_order(policy: model.Policy, evaluations: Sequence[Any]) -> list[Any] | None:
    """The policy's order by packed integers (see :func:`ranks_by_values`); None when the parts do not pack."""
    evaluations = list(evaluations)
    found = _packed_ranks(policy, order_values(policy, evaluations))
    return None if found is None else _in_rank_order(evaluations, found)


def ranks_by_values(policy: model.Policy, evaluations: list[Any], values: list[list[Any]]) -> list[int]:
    """Each evaluation's rank (1 = best), from the values of its order (laid out as :func:`order_parts` says)."""
    found = _packed_ranks(policy, values)
    if found is not None:
        return found
    place = {id(e): rank for rank, e in enumerate(_tuple_order(policy, evaluations), start=1)}
    return [place[id(e)] for e in evaluations]


def _packed_ranks(policy: model.Policy, values: list[list[Any]]) -> list[int] | None:
    """Each evaluation's rank (1 = best), sorting one integer per evaluation; None when the parts do not pack.

    Each leading part of the order that takes few distinct values (batch, points,
    indicator scores, numbers, dates, yes/no, enums) is replaced by the rank of its
    value among the distinct values present - exact for any decimal, since the
    values themselves are compared - and the ranks are packed into one integer,
    which sorts several times faster than a tuple of decimals. Applicants equal on
    the packed parts are then ordered by the parts left (an id, a lottery ticket),
    in stable passes, exactly as :func:`_tuple_order` orders them.

    It works a column at a time, with C-level ``set``, ``map``, ``sum`` and ``sort``
    over lists of values that applicants share (points and scores take few values),
    and sorts positions, not evaluations: it never visits the evaluations, which at
    a million applicants lie scattered over the heap, so that each visit would miss
    the cache.
    """
    leading, trailing = order_parts(policy)
    columns = values[: len(leading)]
    count = len(values[0])
    if count < 2:
        return [1] * count
    ranks_of: list[dict[Any, int]] = []
    for part, column in zip(leading, columns):
        present = set(column)
        if len(present) > _PACK_LIMIT:
            break
        if part.source == "batch":
            in_batch = present - {None}
            ordered = sorted(in_batch) + ([None] if None in present else [])  # in no batch: after the last
        else:
            try:
                ordered = sorted(present, key=part.members.__getitem__) if part.members is not None else sorted(present)
            except (TypeError, KeyError):  # values that do not order (a missing value): the tuple sort says so
                return None
        if part.descending:
            ordered.reverse()
        ranks_of.append({value: rank for rank, value in enumerate(ordered)})
    packed_count = len(ranks_of)
    # Each rank is multiplied by its place value (the product of the sizes of the parts
    # after it), so the packed integer is a plain sum of one lookup per part.
    terms = []
    place = 1
    for position in range(packed_count - 1, -1, -1):
        ranking = ranks_of[position]
        if len(ranking) > 1:  # a part with a single value adds nothing
            by_value = {value: rank * place for value, rank in ranking.items()}
            terms.append(map(by_value.__getitem__, columns[position]))
        place *= len(ranking)
    if not terms:
        packed = [0] * count
    elif len(terms) == 1:
        packed = list(terms[0])
    else:
        packed = list(map(sum, zip(*terms)))
    del terms
    rest = list(zip(leading[packed_count:] + trailing, values[packed_count:]))  # parts too diverse to pack join the rest
    positions = list(range(count))
    if rest and all(part.source != "lottery" for part, _ in rest):
        # The parts left (an id) are cheap to read for everyone: order by them first, then
        # stably by the packed key - together, the order of the tuple of all the parts.
        for part, column in reversed(rest):
            if part.members is not None:
                column = list(map(part.members.__getitem__, column))
            positions.sort(key=column.__getitem__, reverse=part.descending)
        rest = []
    positions.sort(key=packed.__getitem__)
    if rest:
        _order_ties(positions, packed, rest)
    ranked = [0] * count
    for rank, i in enumerate(positions, start=1):
        ranked[i] = rank
    return ranked


def _order_ties(positions: list[int], packed: list[int], rest: list[tuple[OrderPart, list[Any]]]) -> None:
    """Order each run of positions equal on the packed key by the parts left, in place.

    A lottery ticket is a hash: drawn only for applicants equal on every packed part.
    """
    count = len(positions)
    start = 0
    for end in range(1, count + 1):
        if end == count or packed[positions[end]] != packed[positions[start]]:
            if end - start > 1:
                run = positions[start:end]
                for part, column in reversed(rest):
                    if part.source == "lottery":
                        tickets = {i: lottery_ticket(part.seed, column[i]) for i in run}
                        run.sort(key=tickets.__getitem__)
                    else:
                        read = column.__getitem__ if part.members is None else (lambda i, c=column, m=part.members: m[c[i]])
                        run.sort(key=read, reverse=part.descending)
                positions[start:end] = run
            start = end
