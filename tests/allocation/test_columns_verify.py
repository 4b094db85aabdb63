"""The column checks against the object checks: on broken allocations, the same messages in the same order.

Each broken allocation is made from a correct object allocation, by hand (the
cases the object checks' own tests break) or at random, then checked both ways:
by :func:`verify.verify` on the objects and by :func:`verify_frame` on the same
allocation as a placed frame.
"""

from __future__ import annotations

import os

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_dsl.allocation.allocator import ADMITTED, NOT_QUALIFIED, UNPLACED, allocate
from jifen_dsl.allocation.arrays import allocate_arrays
from jifen_dsl.allocation.columns_verify import verify_frame
from jifen_dsl.allocation.frame import placed_frame, placement_frame
from jifen_dsl.allocation.verify import AllocationError, verify
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.data.schools import check_choices, read_schools
from jifen_dsl.errors import DataError
from jifen_dsl.evaluation.evaluator import evaluate

from ..conftest import ROOT, policy_folder
from .test_allocator import ALLOCATION, run, schools_from
from .test_arrays_properties import Policies, applicants_of, cohorts

HAIZHU = str(ROOT / "policies" / "haizhu" / "2022.jifen")
EXAMPLE = ROOT / "examples" / "haizhu-2022"
BAD = ROOT / "tests" / "allocation" / "bad_allocation"


@pytest.fixture
def policy_with(write_policy):
    """A small policy allocating points first, seats cut, coordination in file order, clearing on (as the object checks' tests use)."""
    return lambda: write_policy('requirement ok "ok": not child_enrolled\n' + ALLOCATION["points_first"] + "\n")


@pytest.fixture(scope="module")
def policies(tmp_path_factory) -> Policies:
    return Policies(policy_folder(tmp_path_factory.mktemp("verify-policies")))


def violations(check) -> tuple[str, ...] | None:
    """The violations a check raises, or None when it passes."""
    try:
        check()
    except AllocationError as exc:
        return tuple(v.render("en") for v in exc.problems)  # as written in the code, whatever the policy's language
    return None


def same_verdict(allocation, input_ids) -> tuple[str, ...] | None:
    """Check the allocation both ways; fail unless both give the same violations. Return them."""
    expected = violations(lambda: verify(allocation, input_ids))
    got = violations(lambda: verify_frame(allocation.policy, placed_frame(allocation), allocation.schools, input_ids))
    assert got == expected
    return got


def school(allocation, school_id):
    return next(s for s in allocation.schools if s.id == school_id)


# ------------------------------------------------------------ the object checks' own cases


def test_a_school_over_capacity(policy_with):
    allocation, placed = run(policy_with(), [{"id": "a", "points": "90", "choices": "S1"}, {"id": "b", "points": "80", "choices": "S2"}], "S1:1 S2:1")
    placed["b"].school = placed["a"].school
    found = same_verdict(allocation, ["a", "b"])
    assert found and "school S1 has 1 seats but admitted 2: a, b" in found


def test_justified_envy_and_lost_applicants(policy_with):
    allocation, placed = run(policy_with(), [{"id": "a", "points": "90", "choices": "S1;S2"}, {"id": "b", "points": "80", "choices": "S1;S2"}], "S1:1 S2:1")
    placed["a"].school, placed["b"].school = placed["b"].school, placed["a"].school
    placed["a"].round, placed["b"].round = "choice:2", "choice:1"
    found = same_verdict(allocation, ["a", "b", "c"])
    assert found[0] == "applicants missing from the result: c"
    assert "a listed S1 but was refused while it admitted b with a weaker claim" in found


def test_twins_apart_and_unasked_coordination(policy_with):
    rows = [
        {"id": "t1", "points": "90", "choices": "S1", "sibling_group": "T"},
        {"id": "t2", "points": "90", "choices": "S1", "sibling_group": "T"},
        {"id": "c", "points": "80", "choices": "S1", "accepts_coordination": "false"},
    ]
    allocation, placed = run(policy_with(), rows, "S1:2 S2:1")
    placed["t2"].school = placed["c"].school = school(allocation, "S2")
    placed["c"].status, placed["c"].round = ADMITTED, "coordinated"
    found = same_verdict(allocation, ["t1", "t2", "c"])
    assert "siblings placed apart: t1 (admitted S1), t2 (admitted S2)" in found
    assert "c was placed by coordination without accepting it" in found


def _example():
    compiled = load_policy(HAIZHU)
    applicants = read_applicants(str(EXAMPLE / "applicants.csv"), compiled.policy)
    schools = read_schools(str(EXAMPLE / "schools.csv"), compiled.policy)
    return compiled, applicants, schools


def test_every_admitted_pupil_of_a_grade_in_one_school():
    # As the run's own check is tested: every admitted applicant of a grade put in the first one's school.
    compiled, applicants, schools = _example()
    allocation = allocate(compiled, evaluate(compiled, applicants), schools)
    admitted = [p for p in allocation.placements if p.status == ADMITTED]
    first = admitted[0].school
    for p in admitted:
        if p.school.grade == first.grade:
            p.school = first
    found = same_verdict(allocation, [a.id for a in applicants])
    assert len(found) > 10 and found[0].startswith(f"school {first.id} has {first.seats} seats but admitted")


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.glob("applicants_*.csv")))
def test_choices_the_input_checks_refuse(name):
    """Past the input checks (which refuse these files), both allocators fail on the same files, or agree on every seat."""
    compiled, _, schools = _example()
    applicants = read_applicants(str(BAD / name), compiled.policy)
    with pytest.raises(DataError):
        check_choices(applicants, compiled.policy, schools, name)
    evaluations = evaluate(compiled, applicants)
    frame = placement_frame(compiled.policy, evaluations)
    try:
        allocation = allocate(compiled, evaluations, schools)
    except KeyError:
        with pytest.raises(KeyError, match="names no school of that grade"):
            allocate_arrays(compiled.policy, frame, schools)
        return
    placed = allocate_arrays(compiled.policy, frame, schools)
    assert placed.select("status", "school", "round", "group").equals(placed_frame(allocation).select("status", "school", "round", "group"))
    assert same_verdict(allocation, [a.id for a in applicants]) is None


# ------------------------------------------------------------ broken at random


def _eligible(allocation, status=None):
    return [p for p in allocation.placements if not p.evaluation.failed and (status is None or p.status in status)]


def _change(placement, changes: dict) -> None:
    for name, value in changes.items():
        setattr(placement, name, value)


def _swap(p, q) -> None:
    p.school, q.school = q.school, p.school


def breakage(data, allocation):
    """One way to break the allocation, as a function that applies it (returning a new allocation, or None when it
    changed the placements in place); None when the allocation offers nothing to break so; "ids" to change the input ids."""
    draw = data.draw
    kind = draw(st.sampled_from(["move", "swap", "admit", "unplace", "disqualify", "qualify", "reround", "regroup", "drop", "twice", "ids", "coordinate", "clear", "outbid"]))
    admitted = _eligible(allocation, {ADMITTED})
    pick = lambda pool: pool[draw(st.integers(0, len(pool) - 1))] if pool else None  # noqa: E731
    some_school = pick(list(allocation.schools))
    some_round = draw(st.sampled_from(["choice:1", "choice:2", "choice:3", "coordinated", "clearing"]))
    if kind in ("move", "reround", "unplace"):
        p = pick(admitted)
        if p is None:
            return None
        changes = {"move": {"school": some_school}, "reround": {"round": some_round}, "unplace": {"status": UNPLACED, "school": None, "round": None}}[kind]
        return lambda a: _change(p, changes)
    if kind == "swap":
        p, q = pick(admitted), pick(admitted)
        if p is None:
            return None
        return lambda a: _change(p, {"school": q.school}) if p is q else _swap(p, q)
    if kind == "outbid":  # someone ranked below an unplaced applicant given a seat in clearing
        q = pick(_eligible(allocation, {UNPLACED}))
        below = [p for p in _eligible(allocation) if q is not None and p.evaluation.rank > q.evaluation.rank and p.evaluation.grade == q.evaluation.grade]
        p, seat = pick(below), pick([s for s in allocation.schools if q is not None and s.grade == q.evaluation.grade])
        if p is None or seat is None:
            return None
        return lambda a: _change(p, {"status": ADMITTED, "school": seat, "round": "clearing"})
    if kind in ("admit", "disqualify", "qualify", "regroup", "coordinate", "clear"):
        status = {"admit": {UNPLACED, NOT_QUALIFIED}, "qualify": {NOT_QUALIFIED}, "coordinate": {UNPLACED, ADMITTED}, "clear": {UNPLACED, ADMITTED}}.get(kind)
        p = pick(_eligible(allocation, status))
        if p is None:
            return None
        changes = {
            "admit": {"status": ADMITTED, "school": some_school, "round": some_round},
            "coordinate": {"status": ADMITTED, "school": some_school, "round": "coordinated"},
            "clear": {"status": ADMITTED, "school": some_school, "round": "clearing"},
            "disqualify": {"status": NOT_QUALIFIED, "school": None, "round": None},
            "qualify": {"status": UNPLACED},
            "regroup": {"group": draw(st.sampled_from([None, "T1", "T9"]))},
        }[kind]
        return lambda a: _change(p, changes)
    placements = list(allocation.placements)
    if not placements:
        return None
    at = draw(st.integers(0, len(placements) - 1))
    if kind == "drop":
        return lambda a: attrs.evolve(a, placements=tuple(placements[:at] + placements[at + 1 :]))
    if kind == "twice":
        return lambda a: attrs.evolve(a, placements=tuple(placements[: at + 1] + placements[at:]))
    return "ids"  # the input ids changed instead: one more, one fewer, or one twice


PROPERTY = settings(
    max_examples=int(os.environ.get("JIFEN_PROPERTY_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(cohorts(), st.data())
def test_broken_at_random_the_same_messages(policies, cohort, data):
    rows, spec, key = cohort
    compiled = policies[key]
    applicants = applicants_of(compiled, rows)
    allocation = allocate(compiled, evaluate(compiled, applicants), schools_from(spec, compiled.policy))
    ids = [a.id for a in applicants]
    for _ in range(data.draw(st.integers(1, 3))):
        change = breakage(data, allocation)
        if change == "ids":
            how = data.draw(st.sampled_from(["more", "fewer", "twice"]))
            ids = ids + ["Z9"] if how == "more" else ids[1:] if how == "fewer" else ids + ids[:1]
        elif change is not None:
            allocation = change(allocation) or allocation
    same_verdict(allocation, ids)


def test_the_random_breakages_are_caught():
    """Each kind of promise the random breakage can break is broken, and caught the same way, in a fixed cohort."""
    compiled = load_policy(HAIZHU)
    _, applicants, schools = _example()
    allocation = allocate(compiled, evaluate(compiled, applicants), schools)
    ids = [a.id for a in applicants]
    assert same_verdict(allocation, ids) is None
    admitted = _eligible(allocation, {ADMITTED})
    waiting = _eligible(allocation, {NOT_QUALIFIED})
    admitted[-1].status, admitted[-1].school, admitted[-1].round = UNPLACED, None, None  # a free seat left to one who accepted coordination
    waiting[0].status = UNPLACED  # qualified below someone not qualified
    admitted[0].round = "coordinated"
    found = same_verdict(allocation, ids[1:] + ["Z9"])
    text = "\n".join(found)
    for promise in ("missing from the result", "more than once or not in the input", "is not qualified but rank", "was left unplaced while", "by coordinated"):
        assert promise in text, promise


def test_clearing_envy(policy_with):
    rows = [
        {"id": "a", "points": "90", "choices": "S1"},
        {"id": "b", "points": "80", "choices": "S1", "accepts_coordination": "false", "clearing_choices": "S2"},
        {"id": "c", "points": "70", "choices": "S1", "accepts_coordination": "false", "clearing_choices": "S2"},
    ]
    allocation, placed = run(policy_with(), rows, "S1:1 S2:1 S3:1")
    assert (placed["b"].round, placed["c"].status) == ("clearing", UNPLACED)
    placed["c"].status, placed["c"].school, placed["c"].round = ADMITTED, placed["b"].school, "clearing"
    placed["b"].status, placed["b"].school, placed["b"].round = UNPLACED, None, None
    found = same_verdict(allocation, ["a", "b", "c"])
    assert found == ("b chose S2 in clearing but was refused while it admitted c with a weaker claim",)


def test_a_first_batch_seat_lost_to_a_later_batch():
    base = {"residence_district": "白云区", "work_district": "白云区", "insurance_district": "白云区", "applied_at": ""}
    rows = [
        {**base, "id": "second", "points": "150", "district_permit_start": "2020-01-01", "choices": "S1"},
        {**base, "id": "first", "points": "90", "district_permit_start": "2015-01-01", "insurance_start": "2015-01-01", "choices": "S1"},
    ]
    allocation, placed = run(str(ROOT / "policies" / "baiyun" / "2022.jifen"), rows, "S1:1 S2:1")
    assert (placed["first"].evaluation.batch, placed["second"].evaluation.batch) == (0, 1)
    _swap(placed["first"], placed["second"])
    placed["first"].round, placed["second"].round = "coordinated", "choice:1"
    found = same_verdict(allocation, ["second", "first"])
    assert found == (
        "first listed S1 but was refused while it admitted second with a weaker claim",
        "first (batch 0) lost a listed seat at S1 to second of a later batch",
    )


def test_allocated_and_checked_in_this_process_alone(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no second process")

    monkeypatch.setattr(os, "fork", refuse)
    compiled, applicants, schools = _example()
    frame = placement_frame(compiled.policy, evaluate(compiled, applicants))
    verify_frame(compiled.policy, allocate_arrays(compiled.policy, frame, schools), schools, [a.id for a in applicants])
