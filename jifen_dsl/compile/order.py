"""The parts of the policy's order as generated code gathers them: batch, points, then the tie-break chain.

The evaluation loop that :mod:`jifen_dsl.compile.compiler` generates appends each
eligible applicant's order values to one list per part while they are at hand;
:mod:`jifen_dsl.evaluation.ranking` ranks from those lists. Both read the layout
from here, so the loop and the ranking can never disagree about it.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.lang import model

__all__ = ["OrderPart", "order_parts"]

_PACKABLE = frozenset({"integer", "decimal", "date", "datetime", "bool", "enum"})


class OrderPart:
    """One part of the order as the ranking reads its values: where from, which way, how."""

    __slots__ = ("source", "index", "descending", "packable", "members", "seed")

    def __init__(self, source: str, index: int | None, descending: bool, packable: bool, members: dict[Any, int] | None = None, seed: int | None = None):
        # "batch", "points", "indicator" (the index-th score), "key" (the index-th
        # tie-break expression's value) or "lottery" (its values are the ids it draws from)
        self.source = source
        self.index = index
        self.descending = descending
        self.packable = packable  # takes few values of an ordered kind, so may be packed
        self.members = members  # an enum's members in their declared order
        self.seed = seed  # a lottery's


def order_parts(policy: model.Policy) -> tuple[list[OrderPart], list[OrderPart]]:
    """The parts of the order, first to last, split in two: the leading parts that may be packed, and the rest.

    The evaluator's loop gathers their values for the eligible as it goes, while
    each applicant's values are at hand, into one list per part, so that the
    ranking never reads them back from a million evaluations scattered over the heap.
    """
    parts = [OrderPart("batch", None, False, True), OrderPart("points", None, True, True)]
    expr_position = 0
    for tie in policy.tiebreaks:
        if tie.kind == "indicator":
            parts.append(OrderPart("indicator", int(tie.indicator), tie.descending, True))
        elif tie.kind == "expr":
            kind = tie.expr.type.kind
            members = {member: i for i, member in enumerate(tie.expr.type.members)} if kind == "enum" else None
            parts.append(OrderPart("key", expr_position, tie.descending, kind in _PACKABLE, members))
            expr_position += 1
        else:
            parts.append(OrderPart("lottery", None, False, False, seed=int(tie.seed)))
    leading = 0
    while leading < len(parts) and parts[leading].packable:
        leading += 1
    return parts[:leading], parts[leading:]
