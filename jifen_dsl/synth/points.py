"""The city points tables that the generated indicator scores follow.

Generated scores come from the table in force for the admission year, so that a
row's points are believable for its dates; they are held in tenths, because a
few indicators give half points.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["PointsTable", "age_points", "points_table", "tenths"]


@dataclass(frozen=True)
class PointsTable:
    """Points per indicator of a city points table (穗府规〔2021〕7号, and the 2018 table before it)."""

    permit_per_year: int
    owned_home: int
    rent_per_year: int
    rent_max: int
    insurance_per_type_year: int
    fund_per_year: int
    education: tuple[int, int, int]  # bachelor, college, high school
    skills: tuple[int, int, int]  # high, middle, low
    skills_bonus: int  # working in the certified trade


# 穗府规〔2021〕7号, used from the 2022 admissions.
_TABLE_2021 = PointsTable(8, 20, 5, 20, 2, 2, (30, 20, 10), (20, 10, 5), 5)
# The 2018 table, used before. Its housing-fund rate is not in the public summaries; 1 per year is
# assumed, in step with its insurance rate. Both tables use the same age rule here.
_TABLE_2018 = PointsTable(3, 10, 2, 10, 1, 1, (50, 35, 20), (30, 20, 10), 10)


def points_table(year: int) -> PointsTable:
    """The table in force for an admission year."""
    return _TABLE_2021 if year >= 2022 else _TABLE_2018


def age_points(age: int) -> int:
    """18-40: 30 points; 2 fewer for each year over 40."""
    return 30 if age <= 40 else max(0, 30 - 2 * (age - 40))


def tenths(value: int) -> str:
    """Points held as tenths, written with at most one decimal place."""
    whole, tenth = divmod(value, 10)
    return str(whole) if not tenth else f"{whole}.{tenth}"
