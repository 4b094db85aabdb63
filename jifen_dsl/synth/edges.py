"""The hand-placed boundary rows: one applicant on each side of each cut-off of a policy.

They come first in every applicant file and do not depend on the seed, so a test
can name the outcome each must get (see ``EDGE_CASES``); their ids end in
``-E01``, ``-E02`` ...
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass

from jifen_dsl.synth.columns import FIELDS, INDICATORS
from jifen_dsl.synth.dates import full_years, iso, minutes, ordinal
from jifen_dsl.synth.points import age_points, points_table
from jifen_dsl.synth.profiles import Profile
from jifen_dsl.synth.schools import Choices

__all__ = ["EDGE_CASES", "EdgeCase", "edge_rows"]


@dataclass(frozen=True)
class EdgeCase:
    """A hand-placed applicant beside a cut-off, and what the policy must make of it."""

    suffix: str  # the id is <CODE><YEAR>-<suffix>
    note: str
    changes: Mapping[str, str]  # fields that differ from the baseline applicant
    eligible: bool
    fails: tuple[str, ...] = ()  # requirement names that fail (exactly these)
    batch: str | None = None  # the batch name when the policy has batches
    ahead_of: str | None = None  # suffix of a row this one must rank ahead of
    points_vs: str = "any"  # against ahead_of: "equal" (a tie) or "fewer" (batch beats points)


# The baseline applicant (see _baseline) is eligible under its policy: a Grade 1
# child born on 15 December seven years before, hukou 湖南, permit since March
# five years before, district permit since June three years before, living,
# working and insured in the district since July four years before, verified
# points, applied on the second day of the window. Each case below changes only
# what it tests; dates move the indicator scores with them (see _edge_scores).
#
# Haizhu 2022 (as of 2022-08-31; window 2022-04-25 09:00 .. 2022-05-10 17:00):
#   E01-E04  G1 birth date either side of 2015-09-01 .. 2016-08-31.
#   E05-E06  permit since 2021-08-31 (a full year on 2022-08-31) / 2021-09-01 (one day short).
#   E07-E10  applied at 04-25 08:59 (early) / 09:00 / 05-10 17:00 / 17:01 (late).
#   E11-E15  the district link: lives in Haizhu without insurance (ok); works there with
#            insurance (ok) and without (fails); residence unknown, works there with
#            insurance (ok: the other side decides) and without (fails: missing value).
#   E16-E18  child hukou 香港 and 广州, applicant hukou 广州: all fail.
#   E19-E20  points disputed (fails); no application time recorded (ok, per the policy's assumption).
#   E21-E23  G1 already enrolled (fails); G7 graduating 2022 (ok) / 2021 (fails).
#   E24-E26  a three-way tie on 135 points: E25 has more residence-permit points than
#            E24 and ranks first although its id is later; E26 equals E24 in every
#            indicator, so the id puts E24 first.
# Baiyun 2022 (as of 2022-08-31):
#   E01-E04  G1 born 2016-08-31 (six on the day, ok) / 2016-09-01 (fails) / 2016-02-29
#            (six on 2022-02-28, ok) / 2015-03-10 (seven: Baiyun sets no upper bound, ok).
#   E05-E06  permit since 2021-08-31 (ok) / 2021-09-01 (fails).
#   E07-E10  first batch: district permit and insurance since 2017-08-31 (first); either one
#            from 2017-09-01 (second); E10 is second-batch with more points than E07 and
#            still ranks behind it.
#   E11-E12  first-batch durations but living elsewhere (second); no district permit date
#            (second: a missing date never earns priority).
#   E13-E14  living and working elsewhere, insured through Baiyun (ok) / insurance lapsed (fails).
#   E15-E16  points disputed / adjusting: both fail.
#   E17-E19  child hukou 广州 (fails), applicant hukou 广州 (fails), child hukou 香港 (ok here).
#   E20-E22  G1 already enrolled (fails); G7 in grade six this year (ok) / last year (fails).
#   E23-E24  a tie on points and permit points: E24 has more employment points and ranks first.
#   E25-E26  a tie on points, permit, employment and education: the older child (E26, born
#            2016-01-10) ranks ahead of E25 (2016-05-20) although E25 has the earlier id.
# Conghua 2020 (as of 2020-08-31; the 2018 points table):
#   E01-E04  G1 born 2014-08-31 (six on the day, ok) / 2014-09-01 (fails) / 2014-02-28 (ok) /
#            2012-02-29 (eight, ok: only a lower age bound).
#   E05-E06  permit since 2019-08-31 (ok) / 2019-09-01 (fails).
#   E07-E12  lives, works and is insured in Conghua (ok); then each part of the all-of
#            condition missing in turn: works in 花都区, lives in 增城区, insurance not
#            paid, insured through 白云区, work district unknown - all fail.
#   E13-E16  applicant hukou 香港 (fails: outside the points system); child hukou 香港 with a
#            湖南 applicant (ok: Conghua admits Hong Kong children); child 广州 / applicant 广州 (fail).
#   E17-E18  points adjusting (fails); G1 already enrolled (fails).
#   E19-E20  G7 born 2008-02-29 graduating 2020 (ok) / graduating 2019 (fails).
#   E21-E22  a tie on 105 points and equal permit points: E22 owns its home (more housing
#            points) and ranks ahead of E21.

def _g7(year: int, born: str = "", graduated: int | None = None) -> dict[str, str]:
    """The changes that make the baseline a Grade 7 child (born in March, graduating this year unless told)."""
    return {"grade": "G7", "child_birth_date": born or f"{year - 12}-03-15",
            "primary_graduation_year": str(year if graduated is None else graduated)}


def _uninsured() -> dict[str, str]:
    """The changes that stop the baseline's social insurance."""
    return {"insurance_active": "false", "insurance_start": "", "insurance_district": ""}


EDGE_CASES: dict[tuple[str, int], tuple[EdgeCase, ...]] = {
    ("haizhu", 2022): (
        EdgeCase("E01", "G1 born 2015-08-31, a day before the window", {"child_birth_date": "2015-08-31"}, False, ("一年级出生日期",)),
        EdgeCase("E02", "G1 born 2015-09-01, first day of the window", {"child_birth_date": "2015-09-01"}, True),
        EdgeCase("E03", "G1 born 2016-08-31, last day of the window", {"child_birth_date": "2016-08-31"}, True),
        EdgeCase("E04", "G1 born 2016-09-01, a day after the window", {"child_birth_date": "2016-09-01"}, False, ("一年级出生日期",)),
        EdgeCase("E05", "permit since 2021-08-31: one full year on 2022-08-31",
                 {"permit_start": "2021-08-31", "district_permit_start": "2021-08-31", "insurance_start": "2021-09-15"}, True),
        EdgeCase("E06", "permit since 2021-09-01: one day short of a year",
                 {"permit_start": "2021-09-01", "district_permit_start": "2021-09-01", "insurance_start": "2021-09-15"}, False, ("居住证满一年",)),
        EdgeCase("E07", "applied 2022-04-25 08:59, before the window opens", {"applied_at": "2022-04-25 08:59"}, False, ("按时网上申请",)),
        EdgeCase("E08", "applied 2022-04-25 09:00, as the window opens", {"applied_at": "2022-04-25 09:00"}, True),
        EdgeCase("E09", "applied 2022-05-10 17:00, as the window closes", {"applied_at": "2022-05-10 17:00"}, True),
        EdgeCase("E10", "applied 2022-05-10 17:01, after the window closes", {"applied_at": "2022-05-10 17:01"}, False, ("按时网上申请",)),
        EdgeCase("E11", "lives in Haizhu, works in Tianhe, no insurance",
                 {"work_district": "天河区", **_uninsured()}, True),
        EdgeCase("E12", "lives in Panyu, works in Haizhu, insured there",
                 {"residence_district": "番禺区", "district_permit_start": ""}, True),
        EdgeCase("E13", "lives in Panyu, works in Haizhu, no insurance",
                 {"residence_district": "番禺区", "district_permit_start": "", **_uninsured()}, False, ("在海珠居住或就业",)),
        EdgeCase("E14", "residence unknown, works in Haizhu, insured: the work side decides",
                 {"residence_district": "", "district_permit_start": ""}, True),
        EdgeCase("E15", "residence unknown, works in Haizhu, no insurance: fails on the missing value",
                 {"residence_district": "", "district_permit_start": "", **_uninsured()}, False, ("在海珠居住或就业",)),
        EdgeCase("E16", "child hukou 香港", {"child_hukou": "香港"}, False, ("子女外地户籍",)),
        EdgeCase("E17", "child hukou 广州", {"child_hukou": "广州"}, False, ("子女外地户籍",)),
        EdgeCase("E18", "applicant hukou 广州", {"applicant_hukou": "广州"}, False, ("申请人非广州户籍",)),
        EdgeCase("E19", "points disputed", {"points_status": "disputed"}, False, ("积分已核定",)),
        EdgeCase("E20", "no application time recorded", {"applied_at": ""}, True),
        EdgeCase("E21", "G1 child already enrolled", {"child_enrolled": "true"}, False, ("尚未入学",)),
        EdgeCase("E22", "G7 graduating from primary school in 2022", _g7(2022), True),
        EdgeCase("E23", "G7 who graduated in 2021", _g7(2022, graduated=2021), False, ("小学应届毕业",)),
        EdgeCase("E24", "tie on 135 points: fewer permit points (32), more housing",
                 {"permit_start": "2018-03-01", "ind_housing": "20", "ind_other": "3"}, True, ahead_of="E26", points_vs="equal"),
        EdgeCase("E25", "tie on 135 points: more permit points (40), ranks ahead of E24",
                 {}, True, ahead_of="E24", points_vs="equal"),
        EdgeCase("E26", "identical indicators to E24: the id puts E24 first",
                 {"permit_start": "2018-03-01", "ind_housing": "20", "ind_other": "3"}, True),
    ),
    ("baiyun", 2022): (
        EdgeCase("E01", "G1 born 2016-08-31: six on 31 August", {"child_birth_date": "2016-08-31"}, True, batch="second"),
        EdgeCase("E02", "G1 born 2016-09-01: not yet six on 31 August", {"child_birth_date": "2016-09-01"}, False, ("six_by_31_august",)),
        EdgeCase("E03", "G1 born 2016-02-29: six on 2022-02-28", {"child_birth_date": "2016-02-29"}, True, batch="second"),
        EdgeCase("E04", "G1 born 2015-03-10: seven, no upper age bound in Baiyun", {"child_birth_date": "2015-03-10"}, True, batch="second"),
        EdgeCase("E05", "permit since 2021-08-31: one full year",
                 {"permit_start": "2021-08-31", "district_permit_start": "2021-08-31", "insurance_start": "2021-09-15"}, True, batch="second"),
        EdgeCase("E06", "permit since 2021-09-01: one day short",
                 {"permit_start": "2021-09-01", "district_permit_start": "2021-09-01", "insurance_start": "2021-09-15"}, False, ("permit_one_full_year",)),
        EdgeCase("E07", "first batch: district permit and insurance since 2017-08-31",
                 {"permit_start": "2016-05-01", "district_permit_start": "2017-08-31", "insurance_start": "2017-08-31"},
                 True, batch="first", ahead_of="E10", points_vs="fewer"),
        EdgeCase("E08", "district permit since 2017-09-01: second batch",
                 {"permit_start": "2016-05-01", "district_permit_start": "2017-09-01", "insurance_start": "2017-08-31"}, True, batch="second"),
        EdgeCase("E09", "insurance since 2017-09-01: second batch",
                 {"permit_start": "2016-05-01", "district_permit_start": "2017-08-31", "insurance_start": "2017-09-01"}, True, batch="second"),
        EdgeCase("E10", "second batch with more points than E07",
                 {"permit_start": "2013-03-01", "district_permit_start": "2019-06-01", "insurance_start": "2016-05-01"},
                 True, batch="second"),
        EdgeCase("E11", "first-batch durations but lives in Tianhe (works in Baiyun)",
                 {"permit_start": "2016-05-01", "district_permit_start": "2017-08-31", "insurance_start": "2017-08-31",
                  "residence_district": "天河区"}, True, batch="second"),
        EdgeCase("E12", "no district permit date: second batch",
                 {"district_permit_start": "", "insurance_start": "2016-05-01"}, True, batch="second"),
        EdgeCase("E13", "lives in Tianhe, works in Yuexiu, insured through Baiyun",
                 {"residence_district": "天河区", "work_district": "越秀区", "district_permit_start": ""}, True, batch="second"),
        EdgeCase("E14", "lives in Tianhe, works in Yuexiu, insurance lapsed",
                 {"residence_district": "天河区", "work_district": "越秀区", "district_permit_start": "", **_uninsured()},
                 False, ("lives_or_works_in_baiyun",)),
        EdgeCase("E15", "points disputed", {"points_status": "disputed"}, False, ("points_verified",)),
        EdgeCase("E16", "points being adjusted", {"points_status": "adjusting"}, False, ("points_verified",)),
        EdgeCase("E17", "child hukou 广州", {"child_hukou": "广州"}, False, ("child_without_gz_hukou",)),
        EdgeCase("E18", "applicant hukou 广州", {"applicant_hukou": "广州"}, False, ("applicant_without_gz_hukou",)),
        EdgeCase("E19", "child hukou 香港: Baiyun excludes only Guangzhou", {"child_hukou": "香港"}, True, batch="second"),
        EdgeCase("E20", "G1 child already enrolled", {"child_enrolled": "true"}, False, ("not_yet_enrolled",)),
        EdgeCase("E21", "G7 in grade six in 2022", _g7(2022), True, batch="second"),
        EdgeCase("E22", "G7 who left grade six in 2021", _g7(2022, graduated=2021), False, ("in_grade_six_this_year",)),
        EdgeCase("E23", "tie on 135 points, equal permit points, fewer employment points",
                 {"insurance_start": "2019-07-01", "ind_housing": "20", "ind_other": "5"}, True, batch="second"),
        EdgeCase("E24", "tie on 135 points, equal permit points, more employment points: ahead of E23",
                 {}, True, batch="second", ahead_of="E23", points_vs="equal"),
        EdgeCase("E25", "tie on 140 points through education; born 2016-05-20",
                 {"child_birth_date": "2016-05-20", "ind_other": "5"}, True, batch="second"),
        EdgeCase("E26", "tie with E25 through education; born 2016-01-10, older: ahead of E25",
                 {"child_birth_date": "2016-01-10", "ind_housing": "20"}, True, batch="second", ahead_of="E25", points_vs="equal"),
    ),
    ("conghua", 2020): (
        EdgeCase("E01", "G1 born 2014-08-31: six on 31 August", {"child_birth_date": "2014-08-31"}, True),
        EdgeCase("E02", "G1 born 2014-09-01: not yet six", {"child_birth_date": "2014-09-01"}, False, ("年满六周岁",)),
        EdgeCase("E03", "G1 born 2014-02-28", {"child_birth_date": "2014-02-28"}, True),
        EdgeCase("E04", "G1 born 2012-02-29: eight, only a lower age bound", {"child_birth_date": "2012-02-29"}, True),
        EdgeCase("E05", "permit since 2019-08-31: one full year",
                 {"permit_start": "2019-08-31", "district_permit_start": "2019-08-31", "insurance_start": "2019-09-15"}, True),
        EdgeCase("E06", "permit since 2019-09-01: one day short",
                 {"permit_start": "2019-09-01", "district_permit_start": "2019-09-01", "insurance_start": "2019-09-15"}, False, ("居住证满一年",)),
        EdgeCase("E07", "lives, works and is insured in Conghua", {}, True),
        EdgeCase("E08", "works (and is insured) in Huadu", {"work_district": "花都区", "insurance_district": "花都区"}, False, ("在从化居住就业参保",)),
        EdgeCase("E09", "lives in Zengcheng", {"residence_district": "增城区", "district_permit_start": ""}, False, ("在从化居住就业参保",)),
        EdgeCase("E10", "pays no social insurance", _uninsured(), False, ("在从化居住就业参保",)),
        EdgeCase("E11", "insured through a Baiyun employer", {"insurance_district": "白云区"}, False, ("在从化居住就业参保",)),
        EdgeCase("E12", "work district unknown", {"work_district": ""}, False, ("在从化居住就业参保",)),
        EdgeCase("E13", "applicant (and child) hukou 香港", {"applicant_hukou": "香港", "child_hukou": "香港"}, False, ("申请人非港澳台居民",)),
        EdgeCase("E14", "child hukou 香港, applicant 湖南", {"child_hukou": "香港"}, True),
        EdgeCase("E15", "child hukou 广州", {"child_hukou": "广州"}, False, ("子女非广州户籍",)),
        EdgeCase("E16", "applicant hukou 广州", {"applicant_hukou": "广州"}, False, ("申请人非广州户籍",)),
        EdgeCase("E17", "points being adjusted", {"points_status": "adjusting"}, False, ("积分已核定",)),
        EdgeCase("E18", "G1 child already enrolled", {"child_enrolled": "true"}, False, ("尚未入学",)),
        EdgeCase("E19", "G7 born 2008-02-29, graduating 2020", _g7(2020, born="2008-02-29"), True),
        EdgeCase("E20", "G7 who graduated in 2019", _g7(2020, graduated=2019), False, ("小学应届毕业",)),
        EdgeCase("E21", "tie on 105 points, equal permit points, rents (6 housing points)", {"ind_other": "4"}, True),
        EdgeCase("E22", "tie on 105 points, owns its home (10 housing points): ahead of E21",
                 {"ind_housing": "10"}, True, ahead_of="E21", points_vs="equal"),
    ),
}


def _baseline(prof: Profile) -> dict[str, str]:
    """An applicant that every rule of the district-year accepts (see the comment above EDGE_CASES)."""
    y = prof.year
    start_day = minutes(prof.window[0]) // 1440
    return {
        "grade": "G1",
        "child_birth_date": f"{y - 7}-12-15",
        "child_hukou": "湖南",
        "applicant_hukou": "湖南",
        "child_enrolled": "false",
        "primary_graduation_year": "",
        "permit_start": f"{y - 5}-03-01",
        "district_permit_start": f"{y - 3}-06-01",
        "residence_district": prof.district,
        "work_district": prof.district,
        "insurance_active": "true",
        "insurance_start": f"{y - 4}-07-01",
        "insurance_district": prof.district,
        "points_status": "verified",
        "accepts_coordination": "true",
        "sibling_group": "",
        "clearing_choices": "",
        "applied_at": f"{iso(start_day + 1)} 10:30",
    }


def _edge_scores(prof: Profile, row: Mapping[str, str]) -> dict[str, int]:
    """Indicator scores (whole points) that follow the row's dates: a renter aged 35 with a college degree."""
    table = points_table(prof.year)
    points_day = _dt.date(prof.year, 4, 1).toordinal()
    permit = ordinal(row["permit_start"])
    permit_years = full_years(permit, points_day) if permit <= points_day else 0
    employment = 0
    if row["insurance_active"] == "true" and row["insurance_start"]:
        start = ordinal(row["insurance_start"])
        if start <= points_day:
            employment = 5 * table.insurance_per_type_year * full_years(start, points_day)
    return {
        "ind_permit": table.permit_per_year * permit_years,
        "ind_housing": min(3 * table.rent_per_year, table.rent_max),
        "ind_employment": employment,
        "ind_age": age_points(35),
        "ind_education": table.education[1],
        "ind_skills": 0,
        "ind_other": 0,
    }


def edge_rows(prof: Profile, choices: Mapping[str, Choices]) -> list[list[str]]:
    """The boundary rows of a district-year, in order, as CSV cells."""
    rows: list[list[str]] = []
    for case in EDGE_CASES.get((prof.key, prof.year), ()):
        row = _baseline(prof)
        row.update({k: v for k, v in case.changes.items() if k not in INDICATORS})
        scores = _edge_scores(prof, row)
        for name in INDICATORS:
            if name in case.changes:
                scores[name] = int(case.changes[name])
        row.update({name: str(value) for name, value in scores.items()})
        row["points"] = str(sum(scores.values()))
        row["id"] = f"{prof.code}{prof.year}-{case.suffix}"
        # The first schools of the grade, as many as the policy reads (at most 3).
        row["choices"] = ";".join(choices[row["grade"]].ids[: min(3, prof.max_choices)])
        rows.append([row[name] for name in FIELDS])
    return rows

