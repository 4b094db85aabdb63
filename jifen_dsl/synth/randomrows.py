"""Random applicants: one row of cells at a time, from one seeded stream.

A row is drawn part by part (the child, hukou, permit, residence and work,
insurance, points, choices, application time), always in the same order, so
that the same seed writes the same rows.
"""

from __future__ import annotations

import bisect
import datetime as _dt
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from random import Random

from jifen_dsl.synth.dates import full_years, iso, minutes
from jifen_dsl.synth.points import age_points, points_table, tenths
from jifen_dsl.synth.profiles import G1_SHARE, GUANGZHOU_DISTRICTS, HUKOU_WEIGHTS, SPECIAL_HUKOU, Profile
from jifen_dsl.synth.schools import Choices

__all__ = ["RandomApplicants"]


def _cumulate(weights: Iterable[int]) -> Iterator[int]:
    total = 0
    for w in weights:
        total += w
        yield total


class RandomApplicants:
    """Draws random applicants for one district-year from one seeded stream.

    Dates are day ordinals; everything a row needs per day (its ISO text, whole
    years to the points date) is tabulated once, so that a million rows take
    seconds rather than minutes.
    """

    def __init__(self, prof: Profile, seed: int, schools: Sequence[Mapping[str, str]]):
        self.p = prof
        self.rng = Random(f"applicants/{prof.key}/{prof.year}/{seed}")
        self.random = self.rng.random  # bound once: it is called dozens of times a row
        self.table = points_table(prof.year)
        y = prof.year
        self.points_day = _dt.date(y, 4, 1).toordinal()  # points as verified in the spring
        self.permit_cut = _dt.date(y - 1, 8, 31).toordinal()  # latest start with a full year by 31 August
        self.permit_floor = _dt.date(2010, 1, 1).toordinal()  # the Guangdong residence permit dates from 2010
        self.g1_born = (_dt.date(y - 7, 9, 1).toordinal(), _dt.date(y - 6, 8, 31).toordinal())
        self.g7_born = (_dt.date(y - 13, 9, 1).toordinal(), _dt.date(y - 12, 8, 31).toordinal())
        self.window = (minutes(prof.window[0]), minutes(prof.window[1]))
        # Every date a random row can hold lies in [base, end].
        self.base = min(self.permit_floor, self.g7_born[0] - 400)
        end = self.window[1] // 1440 + 3
        self.iso = [iso(o) for o in range(self.base, end + 1)]
        self.years_to_points = [full_years(o, self.points_day) if o <= self.points_day else 0 for o in range(self.base, end + 1)]
        self.clock = [f" {m // 60:02d}:{m % 60:02d}" for m in range(1440)]
        self.tenths = [tenths(v) for v in range(2001)]
        self.choices = {"G1": Choices.of(schools, "G1"), "G7": Choices.of(schools, "G7")}
        self.choice_cum = list(_cumulate(range(1, prof.max_choices + 1)))  # more choices are likelier
        self.hukou = [h for h, _ in HUKOU_WEIGHTS]
        self.hukou_cum = list(_cumulate(w for _, w in HUKOU_WEIGHTS))
        self.special = [h for h, _ in SPECIAL_HUKOU]
        self.special_cum = list(_cumulate(w for _, w in SPECIAL_HUKOU))
        self.others = [d for d in GUANGZHOU_DISTRICTS if d != prof.district and d not in prof.neighbours]
        # Recent totals per grade, for rows that deliberately tie with one of them.
        self.recent: dict[str, deque[tuple[int, int]]] = {"G1": deque(maxlen=32), "G7": deque(maxlen=32)}

    def row(self, serial: int) -> list[str]:
        """One random applicant, as cells in FIELDS order."""
        # The parts draw from the one stream in this order; changing it changes every file.
        p = self.p
        iso = self.iso
        base = self.base
        grade, born, enrolled, graduation = self._child()
        applicant_hukou, child_hukou = self._hukou()
        target = self._tie_target(grade)
        permit = self._permit(target)
        residence, work = self._residence_and_work()
        district_permit = self._district_permit(residence, permit)
        insured, insurance_start, insurance_district, years, kinds, fund = self._insurance(residence, work, permit)
        s_permit, housing, employment, s_age, education, skills, other = self._scores(born, permit, years, kinds, fund, target)
        total = s_permit + housing + employment + s_age + education + skills + other
        self.recent[grade].append((total, permit))
        status = self._points_status()
        choices, clearing = self._choices(grade)
        applied = self._applied_at()
        tenths = self.tenths
        return [
            f"{p.code}{p.year}-{serial:06d}", grade, iso[born - base], child_hukou, applicant_hukou, enrolled, graduation,
            iso[permit - base], district_permit, residence, work, insured, insurance_start, insurance_district,
            tenths[total], status, tenths[s_permit], tenths[housing], tenths[employment], tenths[s_age],
            tenths[education], tenths[skills], tenths[other], choices, "true" if self.random() < 0.85 else "false", "",
            clearing, applied,
        ]

    def _child(self) -> tuple[str, int, str, str]:
        """Grade, birth day, whether already enrolled, and the year of leaving primary school."""
        r = self.random
        year = self.p.year
        grade = "G1" if r() < G1_SHARE else "G7"
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
        return grade, born, enrolled, graduation

    def _hukou(self) -> tuple[str, str]:
        """The applicant's hukou and the child's, which mostly follows it."""
        r = self.random
        bisect_ = bisect.bisect
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
        return applicant_hukou, child_hukou

    def _tie_target(self, grade: str) -> tuple[int, int] | None:
        """Sometimes the (total, permit day) of a recent applicant of the grade, for this one to tie with."""
        r = self.random
        recent = self.recent[grade]
        return recent[int(r() * len(recent))] if recent and r() < 0.12 else None

    def _permit(self, target: tuple[int, int] | None) -> int:
        """The day the residence permit started."""
        r = self.random
        if target is not None and r() < 0.5:
            return target[1]  # the same permit points, so a later indicator decides the tie
        if r() < 0.055:
            return self.permit_cut + 1 + int(r() * (self.points_day - self.permit_cut - 1))  # under a year by 31 August
        # Most permits are a few years old, some up to ten (a product of uniforms leans towards recent).
        return max(self.permit_floor, self.permit_cut - int(3650 * r() * (0.25 + 0.75 * r())))

    def _residence_and_work(self) -> tuple[str, str]:
        """The districts the family lives and works in; '' when not known."""
        r = self.random
        p = self.p
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
        return residence, work

    def _elsewhere(self) -> str:
        """Another Guangzhou district, most often a neighbour."""
        r = self.random
        pool = self.p.neighbours if r() < 0.7 else self.others
        return pool[int(r() * len(pool))]

    def _district_permit(self, residence: str, permit: int) -> str:
        """When the permit moved to this district: often with the permit itself, later or never for some."""
        r = self.random
        district = self.p.district
        u = r()
        if residence == district and u < 0.65:
            return self.iso[permit - self.base]
        if (residence == district and u < 0.93) or (residence != district and u < 0.2):
            return self.iso[permit - self.base + int(r() * max(0, self.points_day - 30 - permit))]
        return ""

    def _insurance(self, residence: str, work: str, permit: int) -> tuple[str, str, str, int, int, int]:
        """The insurance cells, then what employment points count: years insured, kinds paid, fund points."""
        r = self.random
        p = self.p
        points_day = self.points_day
        if r() >= p.insured:
            return "false", "", "", 0, 0, 0
        reach = max(400, points_day - 60 - permit)
        start = max(self.permit_floor, min(points_day - 60, permit + int((r() * 1.3 - 0.3) * reach)))
        district = work if work and r() < 0.95 else (residence or p.district)
        years = self.years_to_points[start - self.base]
        kinds = 5 if r() < 0.6 else 2 + int(r() * 3)  # employees pay all five; others fewer
        fund = self.table.fund_per_year * int(r() * (years + 1)) if r() < 0.35 else 0
        return "true", self.iso[start - self.base], district, years, kinds, fund

    def _scores(self, born: int, permit: int, years: int, kinds: int, fund: int,
                target: tuple[int, int] | None) -> tuple[int, int, int, int, int, int, int]:
        """The indicator scores in tenths, in FIELDS order; with a target, they add up to its total when they can."""
        r = self.random
        t = self.table
        s_permit = 10 * t.permit_per_year * self.years_to_points[permit - self.base]
        parent_age = int((self.points_day - born) / 365.25) + 21 + int(10 * r() + 11 * r())
        s_age = 10 * age_points(parent_age)
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
        s_employment, housing, skills, other = _within_range(hard + education, s_employment, housing, skills, other)
        return s_permit, housing, s_employment, s_age, education, skills, other

    def _soft_scores(self) -> tuple[int, int, int, int]:
        """Housing, education, skills and other points, in tenths."""
        r = self.random
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

    def _points_status(self) -> str:
        """Mostly verified; a few points are disputed or being adjusted, which the policies refuse."""
        u = self.random()
        return "verified" if u < 0.94 else "disputed" if u < 0.975 else "adjusting"

    def _choices(self, grade: str) -> tuple[str, str]:
        """The schools chosen, and the clearing-round choices of the few who give them."""
        r = self.random
        pool = self.choices[grade]
        k = 1 + bisect.bisect(self.choice_cum, r() * self.choice_cum[-1])
        choices = ";".join(pool.draw(self.rng, k))
        clearing = ";".join(pool.draw(self.rng, 1 + int(r() * 3))) if r() < 0.08 else ""
        return choices, clearing

    def _applied_at(self) -> str:
        """When the application was made, mostly inside the window and by day; '' when not recorded."""
        r = self.random
        start_min, end_min = self.window
        u = r()
        if u < 0.04:
            return ""
        if u < 0.055:
            # Outside the window: a little early, or late.
            moment = start_min - 1 - int(r() * 600) if r() < 0.3 else end_min + 1 + int(r() * 2880)
        else:
            moment = start_min + int(r() * (end_min - start_min + 1))
            if moment % 1440 < 420:  # fewer applications at night
                moment = start_min + int(r() * (end_min - start_min + 1))
        day, minute = divmod(moment, 1440)
        return self.iso[day - self.base] + self.clock[minute]


def _within_range(fixed: int, employment: int, housing: int, skills: int, other: int) -> tuple[int, int, int, int]:
    """Employment, housing, skills and other (tenths) cut or topped up so that the total lies in 20..200 points.

    ``fixed`` is what is never changed: the permit, age and education scores.
    """
    total = fixed + employment + housing + skills + other
    if total > 2000:
        excess = total - 2000
        cut = min(other, excess)
        other -= cut
        excess -= cut
        cut = min(skills, excess)
        skills -= cut
        excess -= cut
        cut = min(employment, excess)
        employment -= cut
        housing -= excess - cut
    elif total < 200:
        other += 200 - total
    return employment, housing, skills, other
