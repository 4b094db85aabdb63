"""The packed order (one integer per applicant) is exactly the order of the tuple of all the policy's keys."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl import ranking
from jifen_dsl.pipeline import load_policy

from .conftest import POLICIES

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
