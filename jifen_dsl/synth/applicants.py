"""Applicant files: the boundary rows first, then random applicants, some of them twins.

Choices name schools of the applicant's grade: those given, or else the schools
that :func:`~jifen_dsl.synth.schools.generate_schools` makes for the same seed,
which is the file the schools command writes for the same arguments.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from jifen_dsl.messages import M, series
from jifen_dsl.synth.columns import COLUMN, FIELDS
from jifen_dsl.synth.edges import edge_rows
from jifen_dsl.synth.profiles import profile
from jifen_dsl.synth.randomrows import RandomApplicants
from jifen_dsl.synth.schools import generate_schools

__all__ = ["applicant_rows", "generate_applicants", "iter_applicants"]


def applicant_rows(district: str, year: int, count: int, seed: int,
                   schools: Sequence[Mapping[str, str]] | None = None,
                   school_count: int = 12) -> Iterator[list[str]]:
    """Rows of cells in FIELDS order: the boundary cases first, then random applicants.

    The arguments are checked here, before the first row is asked for.
    """
    prof = profile(district, year)
    if count < 0:
        raise ValueError(M("R0400", "count must not be negative"))
    if schools is None:
        schools = generate_schools(district, year, school_count, seed)
    foreign = sorted({row["district"] for row in schools if row.get("district") and row["district"] != prof.district})
    if foreign:
        raise ValueError(M("R0401", "the schools belong to {districts}, not {district}", districts=series(foreign), district=prof.district))
    maker = RandomApplicants(prof, seed, schools)
    return _stream(maker, edge_rows(prof, maker.choices), count)


def _stream(maker: RandomApplicants, edges: list[list[str]], count: int) -> Iterator[list[str]]:
    """``count`` rows: the boundary rows (as many as fit), then random rows, each twin right after the other."""
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
            row[COLUMN["sibling_group"]] = f"{prof.code}{prof.year}-M{groups:04d}"
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
    for row in applicant_rows(district, year, count, seed, schools, school_count):
        yield dict(zip(FIELDS, row))


def generate_applicants(district: str, year: int, count: int, seed: int,
                        schools: Sequence[Mapping[str, str]] | None = None,
                        school_count: int = 12) -> list[dict[str, str]]:
    """``count`` applicants of a district-year (boundary cases first), as column name -> cell text."""
    return list(iter_applicants(district, year, count, seed, schools, school_count))
