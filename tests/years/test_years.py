"""Each district's consecutive years, compared: the clause diff and the impact on the bundled cohort.

A change to a policy that changes a clause or an applicant's outcome fails here
until the snapshot is updated; the updated snapshot shows the reviewer exactly
what changed and for whom. tests/years.py says how to add a year.
"""

from __future__ import annotations

from .compare import compare_years


def test_haizhu_2022_against_2020(snapshot):
    compare_years(snapshot, "haizhu", 2020, 2022, cohort="haizhu-2022")


def test_haizhu_2023_against_2022(snapshot):
    compare_years(snapshot, "haizhu", 2022, 2023, cohort="haizhu-2022")


def test_baiyun_2022_against_2021(snapshot):
    compare_years(snapshot, "baiyun", 2021, 2022, cohort="baiyun-2022")


def test_baiyun_2023_against_2022(snapshot):
    compare_years(snapshot, "baiyun", 2022, 2023, cohort="baiyun-2022")


def test_conghua_2021_against_2020(snapshot):
    compare_years(snapshot, "conghua", 2020, 2021, cohort="conghua-2020")
