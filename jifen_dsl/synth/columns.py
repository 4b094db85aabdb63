"""The columns of the generated applicant and school files, in order.

One place for the layout, so that the boundary rows, the random rows and the
writer agree on it.
"""

from __future__ import annotations

__all__ = ["COLUMN", "FIELDS", "INDICATORS", "SCHOOL_FIELDS"]

# The columns of policies/guangzhou/fields.jifen, in order (a test keeps them in step),
# without the personal details: synthetic data names no one.
FIELDS: tuple[str, ...] = (
    "id", "grade", "child_birth_date", "child_hukou", "applicant_hukou", "child_enrolled",
    "primary_graduation_year", "permit_start", "district_permit_start", "residence_district",
    "work_district", "insurance_active", "insurance_start", "insurance_district", "points",
    "points_status", "ind_permit", "ind_housing", "ind_employment", "ind_age", "ind_education",
    "ind_skills", "ind_other", "choices", "accepts_coordination", "sibling_group",
    "clearing_choices", "applied_at",
)
SCHOOL_FIELDS: tuple[str, ...] = ("id", "name", "type", "grade", "seats", "district")
# Where each applicant column sits in a row of cells.
COLUMN = {name: i for i, name in enumerate(FIELDS)}
# The indicator columns, whose scores add up to the points.
INDICATORS = ("ind_permit", "ind_housing", "ind_employment", "ind_age", "ind_education", "ind_skills", "ind_other")
