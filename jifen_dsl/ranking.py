"""The policy's order of applicants: batch, then points (highest first), then the tie-break chain.

The checker guarantees the chain ends in a unique key or a seeded lottery, so
this is a total order: the ranking never depends on the order of input rows.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from decimal import Decimal
from typing import Any, Callable, Sequence

from . import model

__all__ = ["sort_key", "rank_order", "lottery_ticket", "KeyPart", "key_parts", "deciding_key"]


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
            parts.append(KeyPart(tie.label, tie.descending, _key_reader(expr_position), "expr"))
            expr_position += 1
        else:
            seed = tie.seed
            parts.append(KeyPart(tie.label, False, lambda e, seed=seed: lottery_ticket(seed, e.id), "lottery"))
    return parts


def _score_reader(index: int):
    return lambda e: e.scores[index]


def _key_reader(index: int):
    return lambda e: e.keys[index]


def _descending(value: Any) -> Any:
    """A value that sorts in the opposite order, or None when the type cannot be negated."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, Decimal)):
        return -value
    if isinstance(value, _dt.datetime):
        return -(value - _dt.datetime.min).total_seconds()
    if isinstance(value, _dt.date):
        return -value.toordinal()
    return None


def sort_key(policy: model.Policy) -> Callable[[Any], tuple] | None:
    """One tuple key for the whole order, or None when a key (descending text) needs several passes."""
    parts = key_parts(policy)
    readers = []
    for part in parts:
        if not part.descending:
            readers.append(part.read)
        elif part.kind in ("points", "indicator") or _negatable(policy, part):
            readers.append(lambda e, read=part.read: _descending(read(e)))
        else:
            return None
    return lambda e: tuple(read(e) for read in readers)


def _negatable(policy: model.Policy, part: KeyPart) -> bool:
    for tie in policy.tiebreaks:
        if tie.label == part.label and tie.kind == "expr":
            return tie.expr.type.kind in ("integer", "decimal", "date", "datetime", "bool")
    return False


def rank_order(policy: model.Policy, evaluations: Sequence[Any]) -> list[Any]:
    """The evaluations in the policy's order, best first."""
    key = sort_key(policy)
    if key is not None:
        return sorted(evaluations, key=key)
    ordered = list(evaluations)
    for part in reversed(key_parts(policy)):
        ordered.sort(key=part.read, reverse=part.descending)  # stable, so earlier keys win
    return ordered


def deciding_key(parts: Sequence[KeyPart], a: Any, b: Any) -> tuple[KeyPart, Any, Any] | None:
    """The first step of the order on which two evaluations differ, with both values."""
    for part in parts:
        va, vb = part.read(a), part.read(b)
        if va != vb:
            return part, va, vb
    return None
