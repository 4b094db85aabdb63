"""Synthetic applicants and schools for the Guangzhou points-based admission policies.

Every file is a pure function of its arguments: one ``random.Random`` per file,
seeded from the district, year and seed, so the same command always writes the
same bytes. Two commands::

    python -m jifen_dsl.synth applicants --district haizhu --year 2022 --count 240 --seed 1 -o applicants.csv
    python -m jifen_dsl.synth schools --district haizhu --year 2022 --count 12 --seed 1 -o schools.csv

``applicants`` is the default command: ``python -m jifen_dsl.synth --district
haizhu --year 2022 ...`` runs it. Without ``-o`` (or with ``-o -``) the CSV goes
to stdout.

Applicant choices name schools of the applicant's grade. Give the schools file
with ``--schools FILE``; without it the applicants command builds the schools
itself with ``generate_schools(district, year, --school-count, --seed)``, which
is the file the ``schools`` command writes for the same arguments.

The first rows of every applicant file are hand-placed boundary cases, one on
each side of each cut-off of that district-year's policy (see ``EDGE_CASES``);
their ids end in ``-E01``, ``-E02`` ... The other rows are drawn at random.
"""

from __future__ import annotations

import bisect
import calendar
import csv
import datetime as _dt
import io
import itertools
import sys
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from random import Random
from typing import IO

import click

from jifen_dsl.errors import DataError
from jifen_dsl.data.output import atomic_file

__all__ = [
    "EDGE_CASES",
    "FIELDS",
    "PROFILES",
    "SCHOOL_FIELDS",
    "EdgeCase",
    "Profile",
    "cli",
    "generate_applicants",
    "generate_schools",
    "iter_applicants",
    "main",
    "profile",
    "read_schools",
    "write_csv",
]

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
_COL = {name: i for i, name in enumerate(FIELDS)}
_INDICATORS = ("ind_permit", "ind_housing", "ind_employment", "ind_age", "ind_education", "ind_skills", "ind_other")

GUANGZHOU_DISTRICTS = (
    "越秀区", "荔湾区", "天河区", "海珠区", "白云区", "黄埔区", "番禺区", "花都区", "南沙区", "从化区", "增城区",
)

# Where the children of migrants come from: mostly the neighbouring provinces and
# the other cities of Guangdong (written by city, as the points system records them).
_HUKOU_WEIGHTS: tuple[tuple[str, int], ...] = (
    ("湖南", 14), ("广西", 11), ("四川", 8), ("江西", 8), ("湖北", 8), ("河南", 7), ("贵州", 4),
    ("重庆", 3), ("福建", 2), ("安徽", 2), ("湛江", 7), ("茂名", 6), ("梅州", 4), ("揭阳", 4),
    ("汕头", 3), ("清远", 3), ("韶关", 2), ("河源", 2), ("肇庆", 2),
)
# Hukou that the policies reject (Guangzhou itself; Hong Kong, Macau and Taiwan in Haizhu and Conghua).
_SPECIAL_HUKOU: tuple[tuple[str, int], ...] = (("广州", 60), ("香港", 25), ("澳门", 10), ("台湾", 5))


@dataclass(frozen=True)
class Profile:
    """What the generator needs to know about one district-year policy."""

    key: str  # the --district value
    code: str  # id prefix
    district: str  # as the policy and the data write it
    year: int
    window: tuple[str, str]  # online application window, 'YYYY-MM-DD HH:MM'
    max_choices: int  # the policy's allocation "choices"
    places: tuple[str, ...]  # local place names for school names
    neighbours: tuple[str, ...]  # other districts people live or work in
    resides: float  # share living in the district
    works_where_lives: float  # share of residents who also work there
    insured: float  # share paying social insurance now


PROFILES: dict[tuple[str, int], Profile] = {
    ("haizhu", 2022): Profile(
        "haizhu", "HZ", "海珠区", 2022,
        ("2022-04-25 09:00", "2022-05-10 17:00"),  # 实施细则 申请流程（二）
        5,
        ("南华", "江南", "昌岗", "赤岗", "新港", "瑞宝", "琶洲", "南洲", "素社", "沙园", "凤阳", "龙凤",
         "滨江", "官洲", "华洲", "江海", "南石头", "晓港", "宝岗", "前进"),
        ("越秀区", "荔湾区", "天河区", "番禺区"),
        0.90, 0.80, 0.90,
    ),
    ("baiyun", 2022): Profile(
        "baiyun", "BY", "白云区", 2022,
        # The measures give no window; a May window like the other districts' (no Baiyun rule reads it).
        ("2022-05-09 09:00", "2022-05-20 17:00"),
        5,
        ("三元里", "京溪", "同和", "永平", "嘉禾", "新市", "石井", "人和", "太和", "钟落潭", "江高", "均禾",
         "龙归", "鹤龙", "松洲", "景泰", "黄石", "棠景", "金沙", "云城"),
        ("越秀区", "天河区", "花都区", "荔湾区"),
        0.88, 0.80, 0.88,
    ),
    ("conghua", 2020): Profile(
        "conghua", "CH", "从化区", 2020,
        # The notice gives no window; a May window after the points deadlines (no Conghua rule reads it).
        ("2020-05-11 09:00", "2020-05-22 17:00"),
        3,
        ("街口", "城郊", "江埔", "太平", "温泉", "良口", "吕田", "鳌头", "流溪", "西和", "明珠", "神岗",
         "龙潭", "棋杆", "城康", "河滨", "荔园", "新开", "民乐", "向阳"),
        ("增城区", "花都区", "白云区"),
        # Conghua lies outside the city centre: people mostly live, work and pay insurance in one place.
        0.95, 0.93, 0.95,
    ),
}


def profile(district: str, year: int) -> Profile:
    """The profile of a supported district-year; ValueError naming the supported ones otherwise."""
    found = PROFILES.get((district, year))
    if found is None:
        known = ", ".join(f"{d} {y}" for d, y in PROFILES)
        raise ValueError(f"no generator profile for {district} {year} (supported: {known})")
    return found


# ---------------------------------------------------------------- points tables

@dataclass(frozen=True)
class _Table:
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
_TABLE_2021 = _Table(8, 20, 5, 20, 2, 2, (30, 20, 10), (20, 10, 5), 5)
# The 2018 table, used before. Its housing-fund rate is not in the public summaries; 1 per year is
# assumed, in step with its insurance rate. Both tables use the same age rule here.
_TABLE_2018 = _Table(3, 10, 2, 10, 1, 1, (50, 35, 20), (30, 20, 10), 10)


def _table(year: int) -> _Table:
    return _TABLE_2021 if year >= 2022 else _TABLE_2018


def _age_points(age: int) -> int:
    """18-40: 30 points; 2 fewer for each year over 40."""
    return 30 if age <= 40 else max(0, 30 - 2 * (age - 40))


def _tenths(value: int) -> str:
    """Points held as tenths, written with at most one decimal place."""
    whole, tenth = divmod(value, 10)
    return str(whole) if not tenth else f"{whole}.{tenth}"


# ---------------------------------------------------------------- dates as ordinals

_ISO: dict[int, str] = {}
_YMD: dict[int, tuple[int, int, int]] = {}


def _iso(ordinal: int) -> str:
    text = _ISO.get(ordinal)
    if text is None:
        text = _ISO[ordinal] = _dt.date.fromordinal(ordinal).isoformat()
    return text


def _ymd(ordinal: int) -> tuple[int, int, int]:
    parts = _YMD.get(ordinal)
    if parts is None:
        day = _dt.date.fromordinal(ordinal)
        parts = _YMD[ordinal] = (day.year, day.month, day.day)
    return parts


def _ord(text: str) -> int:
    return _dt.date.fromisoformat(text).toordinal()


def _full_years(start: int, end: int) -> int:
    """Whole years from start to end (end >= start), by jifen_dsl.timeline.dates' 29 February rule."""
    sy, sm, sd = _ymd(start)
    ey, em, ed = _ymd(end)
    if sm == 2 and sd == 29 and not calendar.isleap(ey):
        sd = 28  # 29 February plus n years falls on 28 February in a common year
    return ey - sy - ((em, ed) < (sm, sd))


def _minutes(text: str) -> int:
    moment = _dt.datetime.strptime(text, "%Y-%m-%d %H:%M")
    return moment.date().toordinal() * 1440 + moment.hour * 60 + moment.minute


def _moment(minutes: int) -> str:
    day, minute = divmod(minutes, 1440)
    return f"{_iso(day)} {minute // 60:02d}:{minute % 60:02d}"


# ---------------------------------------------------------------- schools

_ZH_DIGITS = "零一二三四五六七八九"


def _zh_number(n: int) -> str:
    """1..99 in Chinese numerals, as school names write them (第十二中学)."""
    tens, ones = divmod(n, 10)
    if not tens:
        return _ZH_DIGITS[ones]
    return ("" if tens == 1 else _ZH_DIGITS[tens]) + "十" + (_ZH_DIGITS[ones] if ones else "")


_PRIMARY_PUBLIC = ("{p}小学", "{p}实验小学", "第{n}实验小学", "第{n}小学")
_PRIMARY_PRIVATE = ("{p}育才学校", "{p}外国语学校", "{p}英才学校", "{p}博雅小学")
_JUNIOR_PUBLIC = ("{p}中学", "第{n}中学", "{p}实验中学")
_JUNIOR_PRIVATE = ("{p}育才中学", "{p}外国语学校", "{p}英豪学校", "{p}培英学校")
# Points-admission seats are sized for about 40% of a grade's applicants, so the
# seat count cuts the list of the eligible (60-80% of the applicants), even after
# the floor of 10 seats a school.
_SEAT_SHARE = 0.4
_G1_SHARE = 0.67


def _grade_split(count: int) -> tuple[int, int]:
    """How many of ``count`` schools take Grade 1 and Grade 7 (about 2:1; at least one each)."""
    if count < 2:
        raise ValueError("at least 2 schools are needed, one for each grade")
    g7 = max(1, round(count / 3))
    return count - g7, g7


def generate_schools(district: str, year: int, count: int, seed: int, applicants: int | None = None) -> list[dict[str, str]]:
    """``count`` schools of the district: ids, Chinese names, type, grade, seats.

    With ``applicants``, each grade's seats add up to about 40% of that grade's
    expected applicants (at least 10 per school), so that seats are short.
    """
    prof = profile(district, year)
    g1, g7 = _grade_split(count)
    rng = Random(f"schools/{prof.key}/{prof.year}/{seed}")
    places = list(prof.places)
    rng.shuffle(places)
    used: set[str] = set()
    rows: list[dict[str, str]] = []
    for grade, n, letter in (("G1", g1, "P"), ("G7", g7, "J")):
        numbers = itertools.count(1)  # 第一小学 and 第一中学 are different schools
        for i in range(1, n + 1):
            private = rng.random() < 0.45
            if grade == "G1":
                patterns = _PRIMARY_PRIVATE if private else _PRIMARY_PUBLIC
            else:
                patterns = _JUNIOR_PRIVATE if private else _JUNIOR_PUBLIC
            pattern = patterns[int(rng.random() * len(patterns))]
            while True:
                if "{p}" in pattern and places:
                    name = prof.district + pattern.format(p=places.pop())
                else:  # numbered names once the place names run out
                    number = next(numbers)
                    name = prof.district + (pattern if "{n}" in pattern else "第{n}学校").format(n=_zh_number(number) if number < 100 else number)
                if name not in used:
                    break
            used.add(name)
            rows.append({
                "id": f"{prof.code}-{letter}{i:02d}",
                "name": name,
                "type": "private" if private else "public",
                "grade": grade,
                "seats": "",
                "district": prof.district,
            })
    # Seats from their own stream, so sizing them never changes the names or types.
    seat_rng = Random(f"seats/{prof.key}/{prof.year}/{seed}")
    for grade, n, share in (("G1", g1, _G1_SHARE), ("G7", g7, 1 - _G1_SHARE)):
        group = [r for r in rows if r["grade"] == grade]
        if applicants is None:
            for r in group:
                r["seats"] = str(seat_rng.randint(2, 24) * 5)
            continue
        target = applicants * share * _SEAT_SHARE
        weights = [seat_rng.uniform(0.6, 1.4) for _ in group]
        total = sum(weights)
        for r, w in zip(group, weights):
            r["seats"] = str(min(120, max(10, round(target * w / total))))
    return rows


def read_schools(path: str) -> list[dict[str, str]]:
    """The rows of a schools CSV; ValueError when a column is missing."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows:
        missing = [c for c in ("id", "grade") if c not in rows[0]]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
    return rows


@dataclass
class _Choices:
    """One grade's schools, with how popular each is (public schools draw more choices)."""

    ids: list[str]
    cumulative: list[float]

    @classmethod
    def of(cls, schools: Sequence[Mapping[str, str]], grade: str) -> _Choices:
        ids: list[str] = []
        cumulative: list[float] = []
        total = 0.0
        for row in schools:
            if row.get("grade") != grade:
                continue
            if not row.get("id") or any(c in row["id"] for c in ',;"\r\n'):
                raise ValueError(f"school id {row.get('id')!r} is empty or holds a comma, semicolon, quote or line break")
            total += 3.0 if row.get("type") == "public" else 1.0
            ids.append(row["id"])
            cumulative.append(total)
        if not ids:
            raise ValueError(f"the schools have no {grade} school to choose")
        return cls(ids, cumulative)

    def draw(self, rng: Random, k: int) -> list[str]:
        k = min(k, len(self.ids))
        picked: list[str] = []
        top = self.cumulative[-1]
        while len(picked) < k:
            school = self.ids[bisect.bisect(self.cumulative, rng.random() * top)]
            if school not in picked:
                picked.append(school)
        return picked


# ---------------------------------------------------------------- boundary cases

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
    return {"grade": "G7", "child_birth_date": born or f"{year - 12}-03-15",
            "primary_graduation_year": str(year if graduated is None else graduated)}


def _uninsured() -> dict[str, str]:
    return {"insurance_active": "false", "insurance_start": "", "insurance_district": ""}


_HZ = "海珠区"
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
    start_day = _minutes(prof.window[0]) // 1440
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
        "applied_at": f"{_iso(start_day + 1)} 10:30",
    }


def _edge_scores(prof: Profile, row: Mapping[str, str]) -> dict[str, int]:
    """Indicator scores (whole points) that follow the row's dates: a renter aged 35 with a college degree."""
    table = _table(prof.year)
    points_day = _dt.date(prof.year, 4, 1).toordinal()
    permit = _ord(row["permit_start"])
    permit_years = _full_years(permit, points_day) if permit <= points_day else 0
    employment = 0
    if row["insurance_active"] == "true" and row["insurance_start"]:
        start = _ord(row["insurance_start"])
        if start <= points_day:
            employment = 5 * table.insurance_per_type_year * _full_years(start, points_day)
    return {
        "ind_permit": table.permit_per_year * permit_years,
        "ind_housing": min(3 * table.rent_per_year, table.rent_max),
        "ind_employment": employment,
        "ind_age": _age_points(35),
        "ind_education": table.education[1],
        "ind_skills": 0,
        "ind_other": 0,
    }


def _edge_rows(prof: Profile, choices: Mapping[str, _Choices]) -> list[list[str]]:
    """The boundary rows of a district-year, in order, as CSV cells."""
    rows: list[list[str]] = []
    for case in EDGE_CASES.get((prof.key, prof.year), ()):
        row = _baseline(prof)
        row.update({k: v for k, v in case.changes.items() if k not in _INDICATORS})
        scores = _edge_scores(prof, row)
        for name in _INDICATORS:
            if name in case.changes:
                scores[name] = int(case.changes[name])
        row.update({name: str(value) for name, value in scores.items()})
        row["points"] = str(sum(scores.values()))
        row["id"] = f"{prof.code}{prof.year}-{case.suffix}"
        # The first schools of the grade, as many as the policy reads (at most 3).
        row["choices"] = ";".join(choices[row["grade"]].ids[: min(3, prof.max_choices)])
        rows.append([row[name] for name in FIELDS])
    return rows


# ---------------------------------------------------------------- random applicants

class _Maker:
    """Draws random applicants for one district-year from one seeded stream.

    Dates are day ordinals; everything a row needs per day (its ISO text, whole
    years to the points date) is tabulated once, so that a million rows take
    seconds rather than minutes.
    """

    def __init__(self, prof: Profile, seed: int, schools: Sequence[Mapping[str, str]]):
        self.p = prof
        self.rng = Random(f"applicants/{prof.key}/{prof.year}/{seed}")
        self.table = _table(prof.year)
        y = prof.year
        self.points_day = _dt.date(y, 4, 1).toordinal()  # points as verified in the spring
        self.permit_cut = _dt.date(y - 1, 8, 31).toordinal()  # latest start with a full year by 31 August
        self.permit_floor = _dt.date(2010, 1, 1).toordinal()  # the Guangdong residence permit dates from 2010
        self.g1_born = (_dt.date(y - 7, 9, 1).toordinal(), _dt.date(y - 6, 8, 31).toordinal())
        self.g7_born = (_dt.date(y - 13, 9, 1).toordinal(), _dt.date(y - 12, 8, 31).toordinal())
        self.window = (_minutes(prof.window[0]), _minutes(prof.window[1]))
        # Every date a random row can hold lies in [base, end].
        self.base = min(self.permit_floor, self.g7_born[0] - 400)
        end = self.window[1] // 1440 + 3
        self.iso = [_iso(o) for o in range(self.base, end + 1)]
        self.years_to_points = [_full_years(o, self.points_day) if o <= self.points_day else 0 for o in range(self.base, end + 1)]
        self.clock = [f" {m // 60:02d}:{m % 60:02d}" for m in range(1440)]
        self.tenths = [_tenths(v) for v in range(2001)]
        self.choices = {"G1": _Choices.of(schools, "G1"), "G7": _Choices.of(schools, "G7")}
        self.choice_cum = list(_cumulate(range(1, prof.max_choices + 1)))  # more choices are likelier
        self.hukou = [h for h, _ in _HUKOU_WEIGHTS]
        self.hukou_cum = list(_cumulate(w for _, w in _HUKOU_WEIGHTS))
        self.special = [h for h, _ in _SPECIAL_HUKOU]
        self.special_cum = list(_cumulate(w for _, w in _SPECIAL_HUKOU))
        self.others = [d for d in GUANGZHOU_DISTRICTS if d != prof.district and d not in prof.neighbours]
        # Recent totals per grade, for rows that deliberately tie with one of them.
        self.recent: dict[str, deque[tuple[int, int]]] = {"G1": deque(maxlen=32), "G7": deque(maxlen=32)}

    def _elsewhere(self) -> str:
        """Another Guangzhou district, most often a neighbour."""
        r = self.rng.random
        pool = self.p.neighbours if r() < 0.7 else self.others
        return pool[int(r() * len(pool))]

    def _soft_scores(self) -> tuple[int, int, int, int]:
        """Housing, education, skills and other points, in tenths."""
        r = self.rng.random
        t = self.table
        u = r()
        if u < 0.15:
            housing = t.owned_home
        elif u < 0.85:
            housing = min(t.rent_per_year * (1 + int(r() * 6)), t.rent_max)
        else:
            housing = 0  # employer housing or an unregistered lease
        u = r()
        education = t.education[0] if u < 0.18 else t.education[1] if u < 0.48 else t.education[2] if u < 0.85 else 0
        u = r()
        if u < 0.75:
            skills = 0
        else:
            skills = t.skills[2] if u < 0.85 else t.skills[1] if u < 0.95 else t.skills[0]
            if r() < 0.4:
                skills += t.skills_bonus
        u = r()
        # Volunteer service, donations and taxes give small and half points.
        other = 0 if u < 0.6 else (5 * (1 + int(r() * 12)) if u < 0.88 else 10 * (2 + int(r() * 19)))
        return 10 * housing, 10 * education, 10 * skills, other

    def row(self, serial: int) -> list[str]:
        """One random applicant, as cells in FIELDS order."""
        p = self.p
        rng = self.rng
        r = rng.random
        bisect_ = bisect.bisect
        year = p.year
        base = self.base
        iso = self.iso
        points_day = self.points_day

        grade = "G1" if r() < _G1_SHARE else "G7"
        if grade == "G1":
            lo, hi = self.g1_born
            u = r()
            if u < 0.94:
                born = lo + int(r() * (hi - lo + 1))
            elif u < 0.97:
                born = lo - 1 - int(r() * 365)  # a year older: a late start
            else:
                born = hi + 1 + int(r() * 120)  # born after 31 August: too young
            enrolled = "true" if r() < 0.03 else "false"
            graduation = ""
        else:
            lo, hi = self.g7_born
            born = lo + int(r() * (hi - lo + 1)) if r() < 0.92 else lo - 1 - int(r() * 365)
            enrolled = "false"
            graduation = str(year) if r() < 0.95 else str(year - 1)

        # Hukou: the child's mostly follows the applicant's.
        if r() < 0.985:
            applicant_hukou = self.hukou[bisect_(self.hukou_cum, r() * self.hukou_cum[-1])]
        else:
            applicant_hukou = self.special[bisect_(self.special_cum, r() * self.special_cum[-1])]
        u = r()
        if u < 0.95:
            child_hukou = applicant_hukou
        elif u < 0.98:
            child_hukou = self.hukou[bisect_(self.hukou_cum, r() * self.hukou_cum[-1])]
        else:
            child_hukou = self.special[bisect_(self.special_cum, r() * self.special_cum[-1])]

        # A tie target: the total of a recent applicant of the same grade.
        recent = self.recent[grade]
        target = recent[int(r() * len(recent))] if recent and r() < 0.12 else None

        if target is not None and r() < 0.5:
            permit = target[1]  # the same permit points, so a later indicator decides the tie
        elif r() < 0.055:
            permit = self.permit_cut + 1 + int(r() * (points_day - self.permit_cut - 1))  # under a year by 31 August
        else:
            # Most permits are a few years old, some up to ten (a product of uniforms leans towards recent).
            permit = max(self.permit_floor, self.permit_cut - int(3650 * r() * (0.25 + 0.75 * r())))

        u = r()
        if u < p.resides:
            residence = p.district
        elif u < p.resides + (1 - p.resides) * 0.7:
            residence = self._elsewhere()
        else:
            residence = ""
        u = r()
        if residence == p.district:
            work = p.district if u < p.works_where_lives else (self._elsewhere() if u < 0.97 else "")
        else:
            work = p.district if u < 0.7 else (self._elsewhere() if u < 0.95 else "")

        u = r()
        if residence == p.district and u < 0.65:
            district_permit = iso[permit - base]
        elif (residence == p.district and u < 0.93) or (residence != p.district and u < 0.2):
            district_permit = iso[permit - base + int(r() * max(0, points_day - 30 - permit))]
        else:
            district_permit = ""

        t = self.table
        if r() < p.insured:
            insured = "true"
            reach = max(400, points_day - 60 - permit)
            start = max(self.permit_floor, min(points_day - 60, permit + int((r() * 1.3 - 0.3) * reach)))
            insurance_start = iso[start - base]
            insurance_district = work if work and r() < 0.95 else (residence or p.district)
            years = self.years_to_points[start - base]
            kinds = 5 if r() < 0.6 else 2 + int(r() * 3)  # employees pay all five; others fewer
            fund = t.fund_per_year * int(r() * (years + 1)) if r() < 0.35 else 0
        else:
            insured, insurance_start, insurance_district = "false", "", ""
            years = kinds = fund = 0

        # Points in tenths.
        s_permit = 10 * t.permit_per_year * self.years_to_points[permit - base]
        parent_age = int((points_day - born) / 365.25) + 21 + int(10 * r() + 11 * r())
        s_age = 10 * _age_points(parent_age)
        s_employment = 10 * (t.insurance_per_type_year * kinds * years + fund)
        housing, education, skills, other = self._soft_scores()
        hard = s_permit + s_age
        while kinds > 1 and hard + s_employment + housing + education + skills + other > 2000:
            kinds -= 1  # keep totals in the realistic 20..200 range
            s_employment = 10 * (t.insurance_per_type_year * kinds * years + fund)
        if target is not None:
            for _ in range(12):
                diff = target[0] - (hard + s_employment + housing + education + skills)
                if 0 <= diff <= 300:
                    other = diff
                    break
                housing, education, skills, other = self._soft_scores()
        total = hard + s_employment + housing + education + skills + other
        if total > 2000:
            excess = total - 2000
            cut = min(other, excess)
            other -= cut
            excess -= cut
            cut = min(skills, excess)
            skills -= cut
            excess -= cut
            cut = min(s_employment, excess)
            s_employment -= cut
            housing -= excess - cut
        elif total < 200:
            other += 200 - total
        total = hard + s_employment + housing + education + skills + other
        recent.append((total, permit))

        u = r()
        status = "verified" if u < 0.94 else "disputed" if u < 0.975 else "adjusting"
        pool = self.choices[grade]
        k = 1 + bisect_(self.choice_cum, r() * self.choice_cum[-1])
        choices = ";".join(pool.draw(rng, k))
        clearing = ";".join(pool.draw(rng, 1 + int(r() * 3))) if r() < 0.08 else ""

        start_min, end_min = self.window
        u = r()
        if u < 0.04:
            applied = ""
        else:
            if u < 0.055:
                # Outside the window: a little early, or late.
                moment = start_min - 1 - int(r() * 600) if r() < 0.3 else end_min + 1 + int(r() * 2880)
            else:
                moment = start_min + int(r() * (end_min - start_min + 1))
                if moment % 1440 < 420:  # fewer applications at night
                    moment = start_min + int(r() * (end_min - start_min + 1))
            day, minute = divmod(moment, 1440)
            applied = iso[day - base] + self.clock[minute]

        tenths = self.tenths
        return [
            f"{p.code}{year}-{serial:06d}", grade, iso[born - base], child_hukou, applicant_hukou, enrolled, graduation,
            iso[permit - base], district_permit, residence, work, insured, insurance_start, insurance_district,
            tenths[total], status, tenths[s_permit], tenths[housing], tenths[s_employment], tenths[s_age],
            tenths[education], tenths[skills], tenths[other], choices, "true" if r() < 0.85 else "false", "",
            clearing, applied,
        ]


def _cumulate(weights: Iterable[int]) -> Iterator[int]:
    total = 0
    for w in weights:
        total += w
        yield total


def _applicant_rows(district: str, year: int, count: int, seed: int,
                    schools: Sequence[Mapping[str, str]] | None = None,
                    school_count: int = 12) -> Iterator[list[str]]:
    """Rows of cells in FIELDS order: the boundary cases first, then random applicants.

    The arguments are checked here, before the first row is asked for.
    """
    prof = profile(district, year)
    if count < 0:
        raise ValueError("count must not be negative")
    if schools is None:
        schools = generate_schools(district, year, school_count, seed)
    foreign = sorted({row["district"] for row in schools if row.get("district") and row["district"] != prof.district})
    if foreign:
        raise ValueError(f"the schools belong to {', '.join(foreign)}, not {prof.district}")
    maker = _Maker(prof, seed, schools)
    return _stream(maker, _edge_rows(prof, maker.choices), count)


def _stream(maker: _Maker, edges: list[list[str]], count: int) -> Iterator[list[str]]:
    prof = maker.p
    yield from edges[:count]
    left = count - len(edges)
    serial = 0
    groups = 0
    rng = maker.rng
    while left > 0:
        serial += 1
        row = maker.row(serial)
        size = 1
        # Twins and triplets: the same application for each child but the id.
        if left >= 2 and rng.random() < 0.012:
            size = 3 if left >= 3 and rng.random() < 0.15 else 2
            groups += 1
            row[_COL["sibling_group"]] = f"{prof.code}{prof.year}-M{groups:04d}"
        yield row
        for _ in range(size - 1):
            serial += 1
            twin = list(row)
            twin[0] = f"{prof.code}{prof.year}-{serial:06d}"
            yield twin
        left -= size


def iter_applicants(district: str, year: int, count: int, seed: int,
                    schools: Sequence[Mapping[str, str]] | None = None,
                    school_count: int = 12) -> Iterator[dict[str, str]]:
    """Applicants one at a time (boundary cases first), as column name -> cell text."""
    for row in _applicant_rows(district, year, count, seed, schools, school_count):
        yield dict(zip(FIELDS, row))


def generate_applicants(district: str, year: int, count: int, seed: int,
                        schools: Sequence[Mapping[str, str]] | None = None,
                        school_count: int = 12) -> list[dict[str, str]]:
    """``count`` applicants of a district-year (boundary cases first), as column name -> cell text."""
    return list(iter_applicants(district, year, count, seed, schools, school_count))


# ---------------------------------------------------------------- writing

def _write_cells(header: Sequence[str], rows: Iterable[Sequence[str]], path: str | None, *, plain: bool = False) -> None:
    """Stream rows to a CSV file (replaced only once complete) or, for None or '-', to stdout.

    ``plain`` rows hold no comma, quote or line break, so they are joined without
    the csv module's quoting checks (several times faster for a million rows).
    """
    if path is None or path == "-":
        out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
        try:
            _dump(out, header, rows, plain)
        finally:
            out.flush()
            out.detach()
        return
    try:
        with atomic_file(path, text=True) as handle:
            _dump(handle, header, rows, plain)
    except DataError as exc:
        raise ValueError("; ".join(exc.problems)) from None


def _dump(handle: IO[str], header: Sequence[str], rows: Iterable[Sequence[str]], plain: bool) -> None:
    writer = csv.writer(handle, lineterminator="\n")  # "\n" keeps the files diff-friendly on every platform
    writer.writerow(header)
    if not plain:
        writer.writerows(rows)
        return
    chunk: list[str] = []
    for row in rows:
        chunk.append(",".join(row))
        if len(chunk) == 4096:
            chunk.append("")
            handle.write("\n".join(chunk))
            chunk.clear()
    if chunk:
        chunk.append("")
        handle.write("\n".join(chunk))


def write_csv(rows: Iterable[Mapping[str, str]], path: str | None, fields: Sequence[str] = FIELDS) -> None:
    """Write rows (column name -> text) as CSV with ``fields`` as the header; '-' or None is stdout."""
    _write_cells(fields, ([row.get(name, "") for name in fields] for row in rows), path)


# ---------------------------------------------------------------- command line

class _DefaultApplicants(click.Group):
    """A group that runs ``applicants`` when the first argument names no command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["applicants", *args]
        return super().parse_args(ctx, args)


_district_opt = click.option("--district", required=True, type=click.Choice(sorted({d for d, _ in PROFILES})), help="District of the policy.")
_year_opt = click.option("--year", required=True, type=int, help="Admission year of the policy.")
_seed_opt = click.option("--seed", default=1, show_default=True, type=int, help="Seed of the random stream.")
_output_opt = click.option("-o", "--output", default="-", show_default=True, help="Output file; '-' is stdout.")


def _profile_or_fail(district: str, year: int) -> None:
    try:
        profile(district, year)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--district/--year") from None


@click.group(cls=_DefaultApplicants, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Generate synthetic applicant and school files (applicants is the default command)."""


@cli.command()
@_district_opt
@_year_opt
@click.option("--count", default=240, show_default=True, type=click.IntRange(min=0), help="Number of applicants, boundary cases included.")
@_seed_opt
@click.option("--schools", "schools_path", type=click.Path(exists=True, dir_okay=False), help="Schools CSV the choices are drawn from.")
@click.option("--school-count", default=12, show_default=True, type=click.IntRange(min=2), help="Without --schools: generate this many schools with the same seed.")
@_output_opt
def applicants(district: str, year: int, count: int, seed: int, schools_path: str | None, school_count: int, output: str) -> None:
    """Write an applicant CSV: boundary cases first, then random applicants."""
    _profile_or_fail(district, year)
    try:
        schools = read_schools(schools_path) if schools_path else None
        _write_cells(FIELDS, _applicant_rows(district, year, count, seed, schools, school_count), output, plain=True)
    except BrokenPipeError:
        raise  # click ends quietly when the reader stops early (| head)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@_district_opt
@_year_opt
@click.option("--count", default=12, show_default=True, type=click.IntRange(min=2), help="Number of schools (2 G1 for each G7).")
@_seed_opt
@click.option("--applicants", "applicant_count", type=click.IntRange(min=1), help="Size the seats for this many applicants (about 40% get one).")
@_output_opt
def schools(district: str, year: int, count: int, seed: int, applicant_count: int | None, output: str) -> None:
    """Write a schools CSV: id, name, type, grade, seats, district."""
    _profile_or_fail(district, year)
    try:
        write_csv(generate_schools(district, year, count, seed, applicant_count), output, SCHOOL_FIELDS)
    except BrokenPipeError:
        raise  # click ends quietly when the reader stops early (| head)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def main(argv: list[str] | None = None) -> None:
    """Run the command line."""
    cli.main(args=argv, prog_name="python -m jifen_dsl.synth")


if __name__ == "__main__":
    main()
