"""The column allocator against the object allocator on generated cohorts: the same seat for every applicant.

Every bundled policy with an allocation section, on cohorts of its district from
``jifen_dsl.synth`` (boundary rows, twins and triplets, clearing choices), over
schools with seats short or plenty; then every combination of allocation
settings, written as policies that extend a bundled one, on the same cohorts.
Each allocation is also checked by both verifiers, which must both pass.
"""

from __future__ import annotations

import functools
import itertools
import re
import shutil

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from jifen_dsl.allocation.allocator import ADMITTED, INELIGIBLE, NOT_QUALIFIED, UNPLACED, allocate
from jifen_dsl.allocation.arrays import allocate_arrays
from jifen_dsl.allocation.columns_verify import verify_frame
from jifen_dsl.allocation.frame import FRAME_SCHEMA, OUTCOME_SCHEMA, placed_frame, placement_frame
from jifen_dsl.allocation.verify import verify
from jifen_dsl.api import load_policy
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.data.schools import _schools, check_choices
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.synth import FIELDS, SCHOOL_FIELDS, generate_applicants, generate_schools

from ..conftest import POLICIES, policy_folder

OUTCOME = list(OUTCOME_SCHEMA)
BUNDLED = sorted(p for p in POLICIES.glob("*/*.jifen") if p.parent.name != "guangzhou")
# The district-year whose applicants the generator knows, for each district's policies.
PROFILE = {"haizhu": ("haizhu", 2022), "baiyun": ("baiyun", 2022), "conghua": ("conghua", 2020)}
# (seed, applicants, schools, seats sized short for the applicants)
COHORTS = [(1, 1500, 12, True), (2, 700, 5, False), (3, 2500, 30, True)]


def compare(compiled, applicants, schools) -> pl.DataFrame:
    """Allocate both ways and verify both ways; fail unless every applicant has the same outcome. Return the placed frame."""
    policy = compiled.policy
    ids = [a.id for a in applicants]
    evaluations = evaluate(compiled, applicants)
    allocation = allocate(compiled, evaluations, schools)
    verify(allocation, ids)
    frame = placement_frame(policy, evaluations)
    placed = allocate_arrays(policy, frame, schools)
    assert placed.schema == pl.Schema({**FRAME_SCHEMA, **OUTCOME_SCHEMA})
    assert_frame_equal(placed.select(list(FRAME_SCHEMA)), frame)  # the rows as given, in their order
    assert_frame_equal(placed.select(OUTCOME), placed_frame(allocation).select(OUTCOME))
    verify_frame(policy, placed, schools, ids)
    return placed


@functools.lru_cache(maxsize=None)
def _generated(district: str, seed: int, count: int, school_count: int, sized: bool, shift: int) -> tuple[tuple, tuple]:
    key, year = PROFILE[district]
    school_rows = generate_schools(key, year, school_count, seed, count if sized else None)
    rows = generate_applicants(key, year, count, seed, school_rows)
    return tuple(tuple(r[f] for f in SCHOOL_FIELDS) for r in school_rows), tuple(tuple(_shifted(r[f], f, shift) for f in FIELDS) for r in rows)


_DATE = re.compile(r"([0-9]{4})(-[0-9]{2}-[0-9]{2}.*)")


def _shifted(cell: str, field: str, years: int) -> str:
    """A cell moved ``years`` years on: the generator knows one year of each district, the policies several."""
    if not years:
        return cell
    if field == "primary_graduation_year" and cell.isdigit():
        return str(int(cell) + years)
    found = _DATE.fullmatch(cell)
    if found is None:
        return cell
    rest = found.group(2).replace("-02-29", "-02-28")
    return f"{int(found.group(1)) + years}{rest}"


_ACCEPTS, _GRADE, _CHOICES, _CLEARING = (FIELDS.index(f) for f in ("accepts_coordination", "grade", "choices", "clearing_choices"))


def _declining(cells: tuple, schools: tuple) -> tuple:
    """The applicant choosing only the grade's first school, refusing coordinated placement, and choosing again
    in clearing among every school of the grade, the last first."""
    row = list(cells)
    offer = [s[0] for s in schools if s[3] == row[_GRADE]]
    row[_ACCEPTS] = "false"
    row[_CHOICES] = offer[0]
    row[_CLEARING] = ";".join(reversed(offer))
    return tuple(row)


def synth_cohort(compiled, district: str, seed: int, count: int, school_count: int, sized: bool, decline: int = 0):
    """Applicants and schools generated for the district, moved to the policy's year, read as the policy reads them.

    With ``decline``, every decline-th applicant refuses coordinated placement and
    chooses again in clearing: the generator makes few such, and clearing needs them.
    """
    policy = compiled.policy
    school_cells, applicant_cells = _generated(district, seed, count, school_count, sized, policy.header.year - PROFILE[district][1])
    if decline:
        applicant_cells = tuple(_declining(r, school_cells) if i % decline == 0 else r for i, r in enumerate(applicant_cells))
    schools = _schools("schools.csv", SCHOOL_FIELDS, [list(r) for r in school_cells], policy)
    applicants = records_from_rows("applicants.csv", FIELDS, [(i + 2, list(r)) for i, r in enumerate(applicant_cells)], policy)
    check_choices(applicants, policy, schools, "applicants.csv")
    return applicants, schools


def test_every_bundled_policy_allocates():
    assert len(BUNDLED) >= 8
    assert all(load_policy(str(p)).policy.allocation is not None for p in BUNDLED)


@pytest.mark.parametrize("cohort", COHORTS, ids=lambda c: f"seed{c[0]}-{c[1]}x{c[2]}{'-short' if c[3] else ''}")
@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_bundled_policies_give_the_same_seats(path, cohort):
    compiled = load_policy(str(path))
    applicants, schools = synth_cohort(compiled, path.parent.name, *cohort)
    placed = compare(compiled, applicants, schools)
    assert placed.filter(pl.col("status") == ADMITTED).height > 0


# Every combination of the settings; the number of choices (all, or 2) goes with the coordination
# order, to halve the count: the property tests combine them freely.
VARIANTS = [
    (mechanism, qualification, coordination, siblings, clearing, "" if coordination == "file_order" else "choices 2")
    for mechanism, qualification, coordination, siblings, clearing in itertools.product(
        ["points_first", "choice_first"], ["seats", "all_eligible"], ["file_order", "most_free_seats"], ["coordinated", "unplaced"], ["on", "off"],
    )
]


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    """A policy for each combination of allocation settings, for each district: the bundled policy with its allocation overridden."""
    root = tmp_path_factory.mktemp("variants")
    made = {}
    for district, (_, year) in PROFILE.items():
        folder = policy_folder(root, district)
        shutil.copyfile(POLICIES / district / f"{year}.jifen", folder / f"{year}.jifen")
        for variant in VARIANTS:
            mechanism, qualification, coordination, siblings, clearing, choices = variant
            path = folder / f"{'-'.join(v.replace(' ', '') for v in variant if v)}.jifen"
            path.write_text(
                f'policy "variant"\ndistrict "{_DISTRICT[district]}"\nyear {year}\nas_of {year}-08-31\nsource "tests"\n\n'
                f'extends "{year}.jifen"\n\noverride allocation {{\n    qualification {qualification}\n    mechanism {mechanism}\n'
                f"    {choices}\n    coordination {coordination}\n    siblings together else {siblings}\n    clearing {clearing}\n}}\n",
                encoding="utf-8",
            )
            made[(district, variant)] = load_policy(str(path))
    return made


_DISTRICT = {"haizhu": "海珠区", "baiyun": "白云区", "conghua": "从化区"}


@pytest.mark.parametrize("variant", VARIANTS, ids="-".join)
@pytest.mark.parametrize("district", sorted(PROFILE))
def test_every_allocation_setting_gives_the_same_seats(variants, district, variant):
    compiled = variants[(district, variant)]
    settings = compiled.policy.allocation
    assert (settings.mechanism, settings.qualification, settings.coordination, settings.siblings, settings.clearing, settings.choices) == (
        *variant[:4], variant[4] == "on", 2 if variant[5] else None,  # without a number every listed choice counts
    )
    applicants, schools = synth_cohort(compiled, district, 4, 900, 6, True, decline=7)
    compare(compiled, applicants, schools)


def test_the_generated_cohorts_reach_every_kind_of_outcome(variants):
    """The comparisons above are worth something only if the cohorts reach every status, round and sibling group."""
    seen_status, seen_round, groups = set(), set(), 0
    for variant in [("choice_first", "seats", "most_free_seats", "coordinated", "on", "choices 2"), ("points_first", "all_eligible", "file_order", "unplaced", "on", "")]:
        compiled = variants[("baiyun", variant)]
        applicants, schools = synth_cohort(compiled, "baiyun", 4, 900, 6, True, decline=7)
        placed = compare(compiled, applicants, schools)
        seen_status |= set(placed.get_column("status").to_list())
        seen_round |= {r.split(":")[0] if r.startswith("choice:") and r != "choice:1" else r for r in placed.get_column("round").drop_nulls().to_list()}
        groups += placed.get_column("group").drop_nulls().n_unique()
    assert seen_status == {ADMITTED, UNPLACED, NOT_QUALIFIED, INELIGIBLE}
    assert seen_round == {"choice:1", "choice", "coordinated", "clearing"}
    assert groups >= 5
