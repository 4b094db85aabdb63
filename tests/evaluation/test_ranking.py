"""The packed order (one integer per applicant) is exactly the order of the tuple of all the policy's keys,
whether read from evaluations or from the values the evaluator gathered as it went."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl.evaluation import ranking
from jifen_dsl import synth
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.compile.pipeline import load_policy

from ..conftest import BASE_APPLICANT, EN_HEADER, FIELDS_IMPORT, POLICIES, policy_folder

SHIPPED = sorted(str(p) for p in POLICIES.rglob("20*.jifen"))


class _Applicant:
    def __init__(self, identity: str):
        self.id = identity


class _Evaluation:
    """What the ranking reads of an evaluation."""

    def __init__(self, identity, batch, points, scores, keys):
        self.applicant = _Applicant(identity)
        self.id = identity
        self.batch, self.points, self.scores, self.keys = batch, points, scores, keys

    def __repr__(self) -> str:
        return f"E({self.id}, {self.batch}, {self.points}, {self.scores}, {self.keys})"


# Few distinct values, so that ties go deep into the chain; decimals written
# differently but equal (1.5 and 1.50) must tie.
DECIMALS = [Decimal("0"), Decimal("1.5"), Decimal("1.50"), Decimal("2"), Decimal("10"), Decimal("-1")]
VALUES = {"decimal": DECIMALS, "date": [dt.date(2015, 1, 1), dt.date(2016, 2, 29), dt.date(2020, 12, 31)], "text": ["A", "B", "甲", "a"]}


def _cohort(policy, pick, size: int):
    """``size`` evaluations with values chosen by ``pick(values)``."""
    kinds = [t.expr.type.kind for t in policy.tiebreaks if t.kind == "expr"]
    out = []
    for i in range(size):
        batch = pick([None, *range(len(policy.batches))])
        scores = tuple(pick(DECIMALS) for _ in policy.points.indicators)
        keys = tuple(pick(VALUES[kind]) for kind in kinds)
        if kinds and kinds[-1] == "text":  # the chain ends in the unique id
            keys = keys[:-1] + (f"{pick(VALUES['text'])}{i}",)
        out.append(_Evaluation(f"id{i}", batch, pick(DECIMALS), scores, keys))
    return out


@pytest.fixture(scope="module", params=SHIPPED, ids=[p.split("policies/")[1] for p in SHIPPED])
def policy(request):
    return load_policy(request.param).policy


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_the_packed_order_is_the_tuple_order(policy, data):
    size = data.draw(st.integers(min_value=2, max_value=40))
    cohort = _cohort(policy, lambda values: data.draw(st.sampled_from(values)), size)
    packed = ranking.packed_order(policy, cohort)
    assert packed is not None
    assert [e.id for e in packed] == [e.id for e in ranking._tuple_order(policy, cohort)]


def test_the_order_does_not_depend_on_the_input_order(policy):
    rng = random.Random(3)
    cohort = _cohort(policy, rng.choice, 300)
    first = [e.id for e in ranking.rank_order(policy, cohort)]
    rng.shuffle(cohort)
    assert [e.id for e in ranking.rank_order(policy, cohort)] == first
    assert first != [e.id for e in cohort]  # the cohort was in another order


# ---------------------------------------------------------------- the evaluator's ranks

def _reference_ranks(policy, evaluations) -> dict[str, int]:
    """Ranks by the tuple of all the keys, grade by grade: what the evaluator must agree with."""
    by_grade: dict[str, list] = {}
    for e in evaluations:
        if e.eligible:
            by_grade.setdefault(e.grade, []).append(e)
    return {e.id: rank for group in by_grade.values() for rank, e in enumerate(ranking._tuple_order(policy, group), start=1)}


def _evaluated(path: str, rows: list[dict[str, str]]):
    compiled = load_policy(path)
    header = list(rows[0])
    applicants = records_from_rows("applicants.csv", header, [(i + 2, [r[h] for h in header]) for i, r in enumerate(rows)], compiled.policy)
    return compiled.policy, evaluate(compiled, applicants)


@pytest.mark.parametrize(("district", "year"), [("haizhu", 2022), ("baiyun", 2022), ("conghua", 2020)])
def test_the_evaluators_ranks_are_the_tuple_order(district, year):
    # The evaluator ranks from the values its loop gathered, not from the evaluations.
    path = str(POLICIES / district / f"{year}.jifen")
    policy, evaluations = _evaluated(path, synth.generate_applicants(district, year, 1500, 5))
    ranked = {e.id: e.rank for e in evaluations if e.rank is not None}
    assert len(ranked) > 500
    assert ranked == _reference_ranks(policy, evaluations)


CHAIN = """
points { total = points indicator permit "Permit" = ind_permit }
tiebreak { indicators descending points_status descending child_birth_date ascending child_hukou descending lottery seed 7 }
"""


@pytest.fixture(scope="module")
def chain_policy(tmp_path_factory) -> str:
    path = policy_folder(tmp_path_factory.mktemp("chain")) / "policy.jifen"
    path.write_text(EN_HEADER + FIELDS_IMPORT + 'requirement ok "ok": true\n' + CHAIN, encoding="utf-8")
    return str(path)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["50", "50.0", "60", "61.5"]),
            st.sampled_from(["0", "2"]),
            st.sampled_from(["verified", "disputed", "adjusting"]),
            st.sampled_from(["2016-01-01", "2016-02-29"]),
            st.sampled_from(["湖南", "广西", "四川"]),
        ),
        min_size=2, max_size=30,
    )
)
def test_an_enum_a_date_descending_text_and_a_lottery_rank_as_the_tuple_order(chain_policy, people):
    rows = [
        {**BASE_APPLICANT, "id": f"P{i:02}", "points": p, "ind_permit": k, "points_status": s, "child_birth_date": b, "child_hukou": h}
        for i, (p, k, s, b, h) in enumerate(people)
    ]
    policy, evaluations = _evaluated(chain_policy, rows)
    assert {e.id: e.rank for e in evaluations} == _reference_ranks(policy, evaluations)


# ---------------------------------------------------------------- each grade ranked on its own

def test_a_grade_ranks_the_same_with_the_other_grades_as_alone():
    path = str(POLICIES / "haizhu" / "2022.jifen")
    rows = synth.generate_applicants("haizhu", 2022, 1500, 8)
    _, evaluations = _evaluated(path, rows)
    together = {e.id: e.rank for e in evaluations}
    grades = sorted({r["grade"] for r in rows})
    assert {"G1", "G7"} <= set(grades)
    for grade in grades:
        _, alone = _evaluated(path, [r for r in rows if r["grade"] == grade])
        assert {e.id: e.rank for e in alone} == {e.id: together[e.id] for e in alone}
