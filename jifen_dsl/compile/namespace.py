"""The namespace compiled policy code runs in: the language's operations, and nothing else.

Generated code reaches nothing but what :func:`helper_globals` hands it: the
operations of :mod:`jifen_dsl.lang.operations` under made-up ASCII names, to
which the compiler adds the policy's constants. There are no builtins in it, so
a policy cannot reach ``open``, ``__import__`` or anything else of Python's.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.lang.operations import (
    OPS, Missing, add_date, add_workdays, div, evidence_sum, evidence_total, kleene_and, kleene_or,
    missing, missing_name, round_half_up, sub_date, sub_workdays, to_decimal, workdays_between,
)
from jifen_dsl.timeline import dates
from jifen_dsl.timeline.dates import Duration

__all__ = ["helper_globals"]


def helper_globals() -> dict[str, Any]:
    """The namespace compiled policy code runs in: helpers only, no builtins."""
    return {
        "__builtins__": {},
        "h_div": div,
        "h_add_date": add_date,
        "h_sub_date": sub_date,
        "h_min": min,
        "h_max": max,
        "h_full_years": dates.full_years,
        "h_full_months": dates.full_months,
        "h_days_between": dates.days_between,
        "h_round": round_half_up,
        "h_len": len,
        "h_scale": Duration.scaled,
        "h_year_of": OPS["year_of"][1],
        "h_month_of": OPS["month_of"][1],
        "h_day_of": OPS["day_of"][1],
        "h_date_of": OPS["date_of"][1],
        "h_to_decimal": to_decimal,
        "h_add_workdays": add_workdays,
        "h_sub_workdays": sub_workdays,
        "h_workdays_between": workdays_between,
        "h_neg_workdays": OPS["neg_workdays"][1],
        "h_evidence_sum": evidence_sum,
        "h_evidence_total": evidence_total,
        "h_Missing": Missing,
        "h_kleene_or": kleene_or,
        "h_kleene_and": kleene_and,
        "h_missing": missing,
        "h_missing_name": missing_name,
    }
