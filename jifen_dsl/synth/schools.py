"""Schools: generated with names and seats, read back from a file, and chosen by applicants.

The schools command writes what :func:`generate_schools` returns; the applicants
command draws each applicant's choices from one grade's schools (:class:`Choices`),
generated the same way or read with :func:`read_schools`.
"""

from __future__ import annotations

import bisect
import csv
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from random import Random

from jifen_dsl.messages import M, series
from jifen_dsl.synth.profiles import G1_SHARE, Profile, profile

__all__ = ["Choices", "generate_schools", "read_schools"]

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


def _grade_split(count: int) -> tuple[int, int]:
    """How many of ``count`` schools take Grade 1 and Grade 7 (about 2:1; at least one each)."""
    if count < 2:
        raise ValueError(M("R0403", "at least 2 schools are needed, one for each grade"))
    g7 = max(1, round(count / 3))
    return count - g7, g7


def generate_schools(district: str, year: int, count: int, seed: int, applicants: int | None = None) -> list[dict[str, str]]:
    """``count`` schools of the district: ids, Chinese names, type, grade, seats.

    With ``applicants``, each grade's seats add up to about 40% of that grade's
    expected applicants (at least 10 per school), so that seats are short.
    """
    prof = profile(district, year)
    g1, g7 = _grade_split(count)
    rows = _named_schools(prof, g1, g7, seed)
    _size_seats(prof, rows, g1, g7, seed, applicants)
    return rows


def _named_schools(prof: Profile, g1: int, g7: int, seed: int) -> list[dict[str, str]]:
    """The schools with ids, unique names, types and grades; their seats still empty."""
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
    return rows


def _size_seats(prof: Profile, rows: list[dict[str, str]], g1: int, g7: int, seed: int, applicants: int | None) -> None:
    """Fill in the seats: random sizes, or shares of ``applicants`` when it is given."""
    # Seats from their own stream, so sizing them never changes the names or types.
    seat_rng = Random(f"seats/{prof.key}/{prof.year}/{seed}")
    for grade, n, share in (("G1", g1, G1_SHARE), ("G7", g7, 1 - G1_SHARE)):
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


def read_schools(path: str) -> list[dict[str, str]]:
    """The rows of a schools CSV; ValueError when a column is missing."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if rows:
        missing = [c for c in ("id", "grade") if c not in rows[0]]
        if missing:
            raise ValueError(M("R0404", "{path}: missing column(s) {columns}", path=path, columns=series(missing)))
    return rows


@dataclass
class Choices:
    """One grade's schools, with how popular each is (public schools draw more choices)."""

    ids: list[str]
    cumulative: list[float]

    @classmethod
    def of(cls, schools: Sequence[Mapping[str, str]], grade: str) -> Choices:
        """The schools of ``grade``; ValueError when there is none or an id would break the choices cell."""
        ids: list[str] = []
        cumulative: list[float] = []
        total = 0.0
        for row in schools:
            if row.get("grade") != grade:
                continue
            if not row.get("id") or any(c in row["id"] for c in ',;"\r\n'):
                raise ValueError(M("R0405", "school id {id} is empty or holds a comma, semicolon, quote or line break", id=repr(row.get("id"))))
            total += 3.0 if row.get("type") == "public" else 1.0
            ids.append(row["id"])
            cumulative.append(total)
        if not ids:
            raise ValueError(M("R0406", "the schools have no {grade} school to choose", grade=grade))
        return cls(ids, cumulative)

    def draw(self, rng: Random, k: int) -> list[str]:
        """``k`` different schools (all of them when there are fewer), the popular ones likelier."""
        k = min(k, len(self.ids))
        picked: list[str] = []
        top = self.cumulative[-1]
        while len(picked) < k:
            school = self.ids[bisect.bisect(self.cumulative, rng.random() * top)]
            if school not in picked:
                picked.append(school)
        return picked
