"""The column allocator against the object allocator on small random cohorts, schools and allocation settings.

Small cohorts reach the corners a generated city rarely does: seats of 0,
sibling groups of two or three with different choices, a member who is not
eligible, a group name shared across grades, equal points, applicants with no
batch, empty lists, and every combination of the allocation settings.
"""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_dsl.allocation.arrays import allocate_arrays
from jifen_dsl.allocation.frame import placement_frame
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.errors import PolicyError

from ..conftest import BASE_APPLICANT, EN_HEADER, FIELDS_IMPORT, policy_folder
from .test_allocator import schools_from
from .test_arrays_differential import compare

SETTINGS = list(itertools.product(
    ["points_first", "choice_first"], ["seats", "all_eligible"], ["file_order", "most_free_seats"], ["coordinated", "unplaced"], ["on", "off"], ["", "choices 2"],
))
BATCHES = {
    "two": 'batches { batch first "First": insurance_active batch rest "Rest": otherwise }\n',
    "some": 'batches { batch first "First": insurance_active }\n',  # the others have no batch
    "none": "",
}
G1_SCHOOLS = ["S1", "S2", "S3", "S4"]
G7_SCHOOLS = ["J1", "J2"]


class Policies:
    """The policy of each combination of settings and batches, compiled when first asked for."""

    def __init__(self, folder):
        self.folder = folder
        self.compiled = {}

    def __getitem__(self, key):
        if key not in self.compiled:
            (mechanism, qualification, coordination, siblings, clearing, choices), batches = key
            path = self.folder / f"{'-'.join(v.replace(' ', '') for v in (*key[0], batches) if v)}.jifen"
            path.write_text(
                EN_HEADER + FIELDS_IMPORT
                + 'requirement ok "ok": not child_enrolled\n'
                + 'points { total = points indicator permit "Permit" = ind_permit }\n'
                + BATCHES[batches]
                + "tiebreak { indicators descending id ascending }\n"
                + f"allocation {{ qualification {qualification} mechanism {mechanism} {choices} coordination {coordination}"
                + f" siblings together else {siblings} clearing {clearing} }}\n",
                encoding="utf-8",
            )
            self.compiled[key] = load_policy(str(path))
        return self.compiled[key]


@pytest.fixture(scope="module")
def policies(tmp_path_factory) -> Policies:
    return Policies(policy_folder(tmp_path_factory.mktemp("array-policies")))


@st.composite
def applicant(draw, index: int, g7: list[str]):
    grade = "G7" if g7 and draw(st.integers(0, 3)) == 0 else "G1"
    known = g7 if grade == "G7" else G1_SCHOOLS
    row = {
        "id": f"A{index:02}",
        "grade": grade,
        "points": str(draw(st.integers(60, 63))),
        "ind_permit": str(draw(st.integers(0, 1))),
        "insurance_active": draw(st.sampled_from(["true", "false"])),
        "child_enrolled": draw(st.sampled_from(["false"] * 6 + ["true"])),
        "choices": ";".join(draw(st.lists(st.sampled_from(known), unique=True, max_size=4))),
        "clearing_choices": ";".join(draw(st.lists(st.sampled_from(known), unique=True, max_size=3))),
        "accepts_coordination": draw(st.sampled_from(["true", "true", "false"])),
        "sibling_group": draw(st.sampled_from([""] * 5 + ["T1", "T1", "T2", "T3"])),
    }
    if grade == "G7":
        row["child_birth_date"] = "2010-01-01"
    return row


@st.composite
def cohorts(draw):
    """Rows of applicants, a schools spec (id:seats) and a key of the policies: settings and batches."""
    seats = draw(st.lists(st.integers(0, 4), min_size=1, max_size=4))
    g7_seats = draw(st.lists(st.integers(0, 3), max_size=2))
    spec = " ".join(f"{sid}:{n}" for sid, n in [*zip(G1_SCHOOLS, seats), *zip(G7_SCHOOLS, g7_seats)])
    g7 = G7_SCHOOLS[: len(g7_seats)]
    count = draw(st.integers(1, 16))
    rows = [draw(applicant(i, g7)) for i in range(count)]
    known = set(G1_SCHOOLS[: len(seats)]) | set(g7)
    for row in rows:  # choices name only the schools there are
        for name in ("choices", "clearing_choices"):
            row[name] = ";".join(s for s in row[name].split(";") if s in known)
    return rows, spec, (draw(st.sampled_from(SETTINGS)), draw(st.sampled_from(sorted(BATCHES))))


def applicants_of(compiled, rows):
    header = list(BASE_APPLICANT)
    data = [(i + 2, [{**BASE_APPLICANT, **r}[h] for h in header]) for i, r in enumerate(rows)]
    return records_from_rows("applicants.csv", header, data, compiled.policy)


PROPERTY = settings(
    max_examples=int(os.environ.get("JIFEN_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(cohorts())
def test_random_cohorts_get_the_same_seats_both_ways(policies, cohort):
    rows, spec, key = cohort
    compiled = policies[key]
    compare(compiled, applicants_of(compiled, rows), schools_from(spec, compiled.policy))


@pytest.mark.parametrize("mechanism", ["choice_first", "points_first"])
def test_a_later_batch_waits_for_the_earlier_batch_second_choices(policies, mechanism):
    # Under choice_first, round 2 of the first batch comes before round 1 of the second:
    # 'first' (first batch) takes S2 as its second choice before 'late' can take it as its first.
    rows = [
        {"id": "first", "points": "60", "insurance_active": "true", "choices": "S1;S2", "accepts_coordination": "false"},
        {"id": "late", "points": "99", "insurance_active": "false", "choices": "S2", "accepts_coordination": "false"},
    ]
    compiled = policies[((mechanism, "all_eligible", "file_order", "coordinated", "off", ""), "two")]
    placed = compare(compiled, applicants_of(compiled, rows), schools_from("S1:0 S2:1", compiled.policy))
    assert placed.select("id", "status", "round").rows() == [("first", "admitted", "choice:2"), ("late", "unplaced", None)]


@pytest.mark.parametrize("qualification", ["seats", "all_eligible"])
def test_nobody_and_a_grade_without_schools(policies, qualification):
    compiled = policies[(("points_first", qualification, "most_free_seats", "coordinated", "on", ""), "two")]
    offer = schools_from("S1:1", compiled.policy)
    assert compare(compiled, [], offer).height == 0
    nobody_eligible = [{"id": "x", "child_enrolled": "true"}]
    assert compare(compiled, applicants_of(compiled, nobody_eligible), offer).get_column("status").to_list() == ["ineligible"]
    no_school = [{"id": "g7", "grade": "G7", "child_birth_date": "2010-01-01", "choices": "", "clearing_choices": ""}, {"id": "g1", "choices": "S1"}]
    placed = compare(compiled, applicants_of(compiled, no_school), offer)
    assert placed.get_column("status").to_list() == ["not_qualified" if qualification == "seats" else "unplaced", "admitted"]


def test_a_policy_without_allocation_cannot_assign_seats(write_policy):
    compiled = load_policy(write_policy('requirement ok "ok": not child_enrolled\n'))
    with pytest.raises(PolicyError, match="no allocation section"):
        allocate_arrays(compiled.policy, placement_frame(compiled.policy, []), [])
