"""The Haizhu 2022 rules written by hand in Python: the baseline the compiled policy is measured against.

It reads the same typed record as the compiled policy (the fields of
``policy.read_fields``, in order) and returns the same result tuple, so both do
the same work; ``tests/test_benchmark_baseline.py`` checks they agree.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jifen_dsl.lang.operations import Missing

APPLY_FROM = dt.datetime(2022, 4, 25, 9, 0)
APPLY_UNTIL = dt.datetime(2022, 5, 10, 17, 0)
PERMIT_BY = dt.date(2021, 8, 31)  # one full year before the reference date 2022-08-31
BORN_FROM = dt.date(2015, 9, 1)
BORN_UNTIL = dt.date(2016, 8, 31)
EXCLUDED_HUKOU = frozenset({"广州", "香港", "澳门", "台湾"})
ZERO = Decimal(0)
NO_MISSING = ()


def evaluate(r):
    """(failed, missing, points, scores, batch, keys) for one Haizhu 2022 applicant."""
    (app_id, grade, birth, child_hukou, applicant_hukou, enrolled, graduation_year, permit_start,
     residence, work, insured, points, status, s0, s1, s2, s3, s4, s5, s6,
     _choices, _coordination, _siblings, _clearing, applied_at, _applicant_name, _child_name, _id_number) = r
    failed = []
    missing = NO_MISSING
    if applicant_hukou == "广州":
        failed.append(0)
    if permit_start > PERMIT_BY:
        failed.append(1)
    if residence != "海珠区" and not (work == "海珠区" and insured):
        failed.append(2)
        if residence is None or (work is None and insured):  # undecided without the missing value
            missing = ((2, "residence_district" if residence is None else "work_district"),)
    if status != "verified":
        failed.append(3)
    if applied_at is not None and not APPLY_FROM <= applied_at <= APPLY_UNTIL:
        failed.append(4)
    if child_hukou in EXCLUDED_HUKOU:
        failed.append(5)
    if grade == "G1":
        if not BORN_FROM <= birth <= BORN_UNTIL:
            failed.append(6)
        if enrolled:
            failed.append(7)
    elif grade == "G7":
        if graduation_year != 2022:
            failed.append(8)
            if graduation_year is None:
                missing = missing + ((8, "primary_graduation_year"),)
    if points < ZERO:
        points = ZERO
    return (failed, missing, points, (s0, s1, s2, s3, s4, s5, s6), None, (app_id,))


__all__ = ["evaluate", "Missing"]
