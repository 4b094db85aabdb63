"""Property-based tests of the allocator over random cohorts, schools, choices and policies."""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_dsl.allocation.report import format_placements
from jifen_dsl.allocation.allocator import ADMITTED, allocate, outcome_order
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.allocation.verify import verify

from ..conftest import BASE_APPLICANT, EN_HEADER, FIELDS_IMPORT, policy_folder
from .test_allocator import schools_from

VARIANTS = list(itertools.product(
    ["points_first", "choice_first"], ["seats", "all_eligible"], ["file_order", "most_free_seats"], ["coordinated", "unplaced"], ["on", "off"],
))


@pytest.fixture(scope="module")
def policies(tmp_path_factory):
    """One compiled policy per combination of allocation settings, with two batches."""
    tmp = policy_folder(tmp_path_factory.mktemp("policies"))
    compiled = {}
    for mechanism, qualification, coordination, siblings, clearing in VARIANTS:
        path = tmp / f"{mechanism}-{qualification}-{coordination}-{siblings}-{clearing}.jifen"
        path.write_text(
            EN_HEADER + FIELDS_IMPORT +
            'requirement ok "ok": not child_enrolled\n'
            "points { total = points indicator permit \"Permit\" = ind_permit }\n"
            "batches { batch first \"First\": insurance_active batch rest \"Rest\": otherwise }\n"
            "tiebreak { indicators descending id ascending }\n"
            f"allocation {{ qualification {qualification} mechanism {mechanism} choices 3 coordination {coordination}"
            f" siblings together else {siblings} clearing {clearing} }}\n",
            encoding="utf-8",
        )
        compiled[(mechanism, qualification, coordination, siblings, clearing)] = load_policy(str(path))
    return compiled


SCHOOLS = ["S1", "S2", "S3", "S4"]


@st.composite
def cohorts(draw):
    seats = draw(st.lists(st.integers(0, 4), min_size=2, max_size=4))
    school_spec = " ".join(f"{sid}:{n}" for sid, n in zip(SCHOOLS, seats))
    known = SCHOOLS[: len(seats)]
    count = draw(st.integers(1, 14))
    rows = []
    for i in range(count):
        choices = draw(st.lists(st.sampled_from(known), unique=True, max_size=3))
        clearing = draw(st.lists(st.sampled_from(known), unique=True, max_size=2))
        rows.append({
            "id": f"A{i:02}",
            "points": str(draw(st.integers(60, 64))),
            "ind_permit": str(draw(st.integers(0, 2))),
            "insurance_active": draw(st.sampled_from(["true", "false"])),
            "child_enrolled": draw(st.sampled_from(["false"] * 9 + ["true"])),
            "choices": ";".join(choices),
            "clearing_choices": ";".join(clearing),
            "accepts_coordination": draw(st.sampled_from(["true", "false"])),
            "sibling_group": "",
        })
    # a few twin pairs: same group, same choices
    for a, b in draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1)), max_size=2)):
        if a != b and not rows[a]["sibling_group"] and not rows[b]["sibling_group"]:
            rows[a]["sibling_group"] = rows[b]["sibling_group"] = f"T{a}"
            rows[b]["choices"] = rows[a]["choices"]
    variant = draw(st.sampled_from(VARIANTS))
    return rows, school_spec, variant


def allocation_of(compiled, rows, school_spec):
    header = list(BASE_APPLICANT)
    data = [(i + 2, [{**BASE_APPLICANT, **r}[h] for h in header]) for i, r in enumerate(rows)]
    applicants = records_from_rows("applicants.csv", header, data, compiled.policy)
    offer = schools_from(school_spec, compiled.policy)
    allocation = allocate(compiled, evaluate(compiled, applicants), offer)
    verify(allocation, [a.id for a in applicants])  # raises on any broken promise
    return allocation


PROPERTY = settings(max_examples=int(os.environ.get("JIFEN_PROPERTY_EXAMPLES", "150")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@PROPERTY
@given(cohorts(), st.randoms(use_true_random=False))
def test_invariants_hold_and_row_order_does_not_matter(policies, cohort, rnd):
    rows, school_spec, variant = cohort
    compiled = policies[variant]
    first = allocation_of(compiled, rows, school_spec)
    assert [p.id for p in first.placements] == [r["id"] for r in rows]  # input order, each once
    shuffled = rows[:]
    rnd.shuffle(shuffled)
    second = allocation_of(compiled, shuffled, school_spec)
    by_id = {p.id: (p.status, p.school.id if p.school else None, p.round) for p in second.placements}
    assert {p.id: (p.status, p.school.id if p.school else None, p.round) for p in first.placements} == by_id


@PROPERTY
@given(cohorts())
def test_same_inputs_give_byte_identical_output(policies, cohort):
    rows, school_spec, variant = cohort
    compiled = policies[variant]
    assert format_placements(allocation_of(compiled, rows, school_spec), "json") == format_placements(allocation_of(compiled, rows, school_spec), "json")


@PROPERTY
@given(cohorts(), st.data())
def test_more_points_never_make_an_outcome_worse(policies, cohort, data):
    rows, school_spec, variant = cohort
    compiled = policies[variant]
    singles = [i for i, r in enumerate(rows) if not r["sibling_group"]]
    if not singles:
        return
    who = data.draw(st.sampled_from(singles))
    before = {p.id: p for p in allocation_of(compiled, rows, school_spec).placements}[rows[who]["id"]]
    raised = [dict(r) for r in rows]
    raised[who]["points"] = str(int(raised[who]["points"]) + data.draw(st.integers(1, 5)))
    after = {p.id: p for p in allocation_of(compiled, raised, school_spec).placements}[rows[who]["id"]]
    assert outcome_order(after) <= outcome_order(before)
    if before.status == ADMITTED and after.status == ADMITTED and outcome_order(after) == outcome_order(before) and before.round.startswith("choice:"):
        assert after.school.id == before.school.id
