"""evaluate_all(): a policy's evaluation in one loop over a whole cohort, gathering what the ranking orders by.

The evaluator's bulk path (see :func:`jifen_dsl.evaluation.evaluator.evaluate`). The
loop runs the body of evaluate() for each applicant and makes the evaluation in
place - no call, no result tuple to pack and unpack per applicant. For the
eligible it also gathers, by grade, the values of the order while they are at
hand (:mod:`jifen_dsl.compile.order` says which). The names it adds (``b_...``)
are its own: no other generated name starts so.
"""

from __future__ import annotations

from jifen_dsl.compile.emitter import indent, tuple_display
from jifen_dsl.compile.order import OrderPart, order_parts
from jifen_dsl.lang import model

__all__ = ["evaluate_all_lines"]


def evaluate_all_lines(policy: model.Policy, body: list[str], scores: list[str], batch: str, keys: list[str]) -> list[str]:
    """The source of evaluate_all(), around ``body``: the statements of evaluate() before its result.

    ``scores``, ``batch`` and ``keys`` are the expressions of the indicator scores,
    the batch and the tie-break keys in evaluate()'s result. Its comments are left
    out: they are evaluate()'s to show.
    """
    bulk_keys = [f"b_key_{j}" for j in range(len(keys))]
    leading, trailing = order_parts(policy)
    gathered = ["b_evaluation"] + [_order_value(part, scores, batch, bulk_keys) for part in leading + trailing]
    adds = [f"b_add_{i}" for i in range(len(gathered))]
    each = ["r = b_applicant.record"] + [line for line in body if not line.lstrip().startswith("#")] + [
        f"{name} = {code}" for name, code in zip(bulk_keys, keys)
    ] + [
        "b_evaluation = b_new(b_class)",
        "b_evaluation.applicant = b_applicant",
        "b_evaluation.failed = b_tuple(failed) if failed else ()",
        "b_evaluation.unknown = unknown",
        "b_evaluation.points = points",
        f"b_evaluation.scores = {tuple_display(scores)}",
        f"b_evaluation.batch = {batch}",
        f"b_evaluation.keys = {tuple_display(bulk_keys)}",
        "b_evaluation.rank = None",
        "b_evaluation._missing_name = b_missing_name",
        "b_append(b_evaluation)",
        "if not failed:",
        "    b_adds = b_groups.get(b_applicant.grade)",
        "    if b_adds is None:",
        "        b_adds = b_open_group(b_applicant.grade)",
        f"    {', '.join(adds)}, = b_adds",
    ] + [f"    {add}({value})" for add, value in zip(adds, gathered)]
    return [
        "def evaluate_all(b_applicants, b_new, b_class, b_append, b_groups, b_open_group, b_missing_name, b_tuple):",
        "    for b_applicant in b_applicants:",
    ] + indent(each, 2) + [""]


def _order_value(part: OrderPart, scores: list[str], batch: str, keys: list[str]) -> str:
    """The expression the loop appends for one part of the order."""
    if part.source == "batch":
        return batch
    if part.source == "points":
        return "points"
    if part.source == "indicator":
        return scores[part.index]
    if part.source == "key":
        return keys[part.index]
    return "b_applicant.id"  # a lottery draws from the id
