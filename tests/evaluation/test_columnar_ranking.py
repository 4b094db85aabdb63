"""The columnar ranking gives the ranks the scalar ranking gives, whatever the input order."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl import synth
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.evaluation import ranking
from jifen_dsl.evaluation.columnar_ranking import rank_column
from jifen_dsl.lang import columns
from jifen_dsl.lang.typesys import DECIMAL

from ..conftest import BASE_APPLICANT, POLICIES
from .test_ranking import _evaluated, chain_policy  # noqa: F401 - the chain policy is a fixture shared with the scalar ranking's tests

SHIPPED = sorted(str(p) for p in POLICIES.rglob("20*.jifen"))
GENERATED_YEAR = {"haizhu": 2022, "baiyun": 2022, "conghua": 2020}


def _frame(policy, evaluations) -> pl.DataFrame:
    """What the columnar backend gives for these evaluations, built from the scalar ones."""
    key_types = [t.expr.type for t in policy.tiebreaks if t.kind == "expr"]
    data = [
        pl.Series("grade", [e.grade for e in evaluations], dtype=pl.String),
        pl.Series("id", [e.id for e in evaluations], dtype=pl.String),
        pl.Series("eligible", [e.eligible for e in evaluations], dtype=pl.Boolean),
        pl.Series("batch", [e.batch for e in evaluations], dtype=pl.Int32),
        columns.series("points", [e.points for e in evaluations], DECIMAL),
    ]
    for i in range(len(policy.points.indicators)):
        data.append(columns.series(f"s_{i}", [e.scores[i] for e in evaluations], DECIMAL))
    for i, type_ in enumerate(key_types):
        data.append(columns.series(f"k_{i}", [e.keys[i] for e in evaluations], type_))
    return pl.DataFrame(data)


def _columnar_ranks(policy, evaluations) -> dict[str, int | None]:
    ranks = rank_column(policy, _frame(policy, evaluations)).to_list()
    return {e.id: rank for e, rank in zip(evaluations, ranks)}


@pytest.mark.parametrize(("district", "year"), [("haizhu", 2022), ("baiyun", 2022), ("conghua", 2020)])
def test_a_generated_cohort_ranks_as_the_scalar_ranking(district, year):
    path = str(POLICIES / district / f"{year}.jifen")
    policy, evaluations = _evaluated(path, synth.generate_applicants(district, year, 1200, 11))
    expected = {e.id: e.rank for e in evaluations}
    assert sum(rank is not None for rank in expected.values()) > 300
    assert _columnar_ranks(policy, evaluations) == expected


class _Evaluation:
    """What the ranking reads of an evaluation, with values chosen to tie deep into the chain."""

    def __init__(self, identity, grade, batch, points, scores, keys):
        self.id, self.grade, self.eligible = identity, grade, True
        self.batch, self.points, self.scores, self.keys = batch, points, scores, keys


DECIMALS = [Decimal("0"), Decimal("1.5"), Decimal("1.50"), Decimal("2"), Decimal("10"), Decimal("-1"), Decimal("0.001")]
VALUES = {"decimal": DECIMALS, "date": [dt.date(2015, 1, 1), dt.date(2016, 2, 29)], "text": ["A", "B", "甲", "a"], "integer": [0, 7, -3]}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.split("policies/")[1] for p in SHIPPED])
def test_every_bundled_policy_ranks_tied_values_as_the_scalar_ranking(path):
    policy = load_policy(path).policy
    rng = random.Random(path)
    kinds = [t.expr.type.kind for t in policy.tiebreaks if t.kind == "expr"]
    cohort = []
    for i in range(600):
        keys = tuple(rng.choice(VALUES[kind]) for kind in kinds)
        if kinds and kinds[-1] == "text":  # the chain ends in the unique id
            keys = keys[:-1] + (f"{rng.choice(VALUES['text'])}{i}",)
        scores = tuple(rng.choice(DECIMALS) for _ in policy.points.indicators)
        batch = rng.choice([None, *range(len(policy.batches))])
        cohort.append(_Evaluation(f"id{i}", rng.choice(["G1", "G7"]), batch, rng.choice(DECIMALS), scores, keys))
    expected = {}
    for grade in ("G1", "G7"):
        group = [e for e in cohort if e.grade == grade]
        expected.update({e.id: rank for e, rank in zip(group, ranking.ranks(policy, group))})
    assert _columnar_ranks(policy, cohort) == expected


def test_the_ranks_do_not_depend_on_the_input_order():
    path = str(POLICIES / "haizhu" / "2022.jifen")
    policy, evaluations = _evaluated(path, synth.generate_applicants("haizhu", 2022, 800, 3))
    first = _columnar_ranks(policy, evaluations)
    shuffled = list(evaluations)
    random.Random(5).shuffle(shuffled)
    assert _columnar_ranks(policy, shuffled) == first


def test_a_file_nearly_in_id_order_ranks_as_a_shuffled_one():
    # Rows nearly in id order take the ids' ranks as integers; shuffled rows sort the text itself.
    path = str(POLICIES / "haizhu" / "2022.jifen")
    policy, evaluations = _evaluated(path, synth.generate_applicants("haizhu", 2022, 800, 4))
    nearly = sorted(evaluations, key=lambda e: e.id)
    nearly[10], nearly[500] = nearly[500], nearly[10]
    nearly.insert(0, nearly.pop())
    shuffled = list(evaluations)
    random.Random(9).shuffle(shuffled)
    expected = {e.id: e.rank for e in evaluations}
    assert sum(rank is not None for rank in expected.values()) > 200
    assert _columnar_ranks(policy, nearly) == expected
    assert _columnar_ranks(policy, shuffled) == expected


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["50", "50.0", "60", "61.5", "-1"]),
            st.sampled_from(["0", "2", "2.00"]),
            st.sampled_from(["verified", "disputed", "adjusting"]),
            st.sampled_from(["2016-01-01", "2016-02-29"]),
            st.sampled_from(["湖南", "广西", "四川", "A"]),
        ),
        min_size=2, max_size=30,
    )
)
def test_an_enum_a_date_descending_text_and_a_lottery_rank_as_the_scalar_ranking(chain_policy, people):
    # Equal decimals written differently (50 and 50.0) tie, and the lottery decides among the tied.
    rows = [
        {**BASE_APPLICANT, "id": f"P{i:02}", "points": p, "ind_permit": k, "points_status": s, "child_birth_date": b, "child_hukou": h}
        for i, (p, k, s, b, h) in enumerate(people)
    ]
    policy, evaluations = _evaluated(chain_policy, rows)
    assert _columnar_ranks(policy, evaluations) == {e.id: e.rank for e in evaluations}


def test_grades_the_policy_does_not_name_rank_as_the_ones_it_does():
    # The policy's grades are coded by comparison; others (a frame made by hand) by the grades present.
    path = str(POLICIES / "haizhu" / "2022.jifen")
    policy, evaluations = _evaluated(path, synth.generate_applicants("haizhu", 2022, 600, 8))
    frame = _frame(policy, evaluations)
    named = rank_column(policy, frame)
    renamed = frame.with_columns(pl.col("grade").replace({"G1": "一年级", "G7": "七年级"}))
    assert set(renamed.get_column("grade").unique().to_list()) == {"一年级", "七年级"}
    assert rank_column(policy, renamed).equals(named)
    assert named.drop_nulls().len() > 200


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.integers(0, 3000), min_size=2, max_size=2500),
    moves=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)), max_size=25),
)
def test_keys_nearly_in_order_are_placed_as_a_sort_places_them_equal_ones_in_file_order(keys, moves):
    # Sorted ids with a few moved, as an office's file often is (rows added at the start or the
    # end): the keys outside the longest run are placed into it, and the column is never sorted whole.
    import jifen_dsl.evaluation.columnar_ranking as ranking_module

    texts = sorted(f"K{k:05}" for k in keys)
    for source, target in moves:
        texts.insert(target % len(texts), texts.pop(source % len(texts)))
    column = pl.Series("k", texts, dtype=pl.String)
    descents = [i for i in range(len(texts) - 1) if texts[i + 1] < texts[i]]
    order = sorted(range(len(texts)), key=lambda i: (texts[i], i))
    expected = [0] * len(texts)
    for place, i in enumerate(order):
        expected[i] = place
    assert ranking_module._nearly_sorted_ranks(column, descents).to_list() == expected
    with pytest.MonkeyPatch.context() as patch:  # every key outside the longest run placed one by one, however many
        patch.setattr(ranking_module, "_OUTSIDE", 0)
        assert ranking_module._nearly_sorted_ranks(column, descents).to_list() == expected


def test_parts_packed_on_both_sides_of_a_lottery_rank_as_the_scalar_ranking(tmp_path):
    # The words made before a lottery and after it are told apart, however many parts each side packs.
    from ..conftest import EN_HEADER, FIELDS_IMPORT, policy_folder

    path = policy_folder(tmp_path) / "policy.jifen"
    path.write_text(
        EN_HEADER + FIELDS_IMPORT + 'requirement ok "ok": true\n'
        + "points { total = points indicator permit \"Permit\" = ind_permit }\n"
        + "tiebreak { lottery seed 1 child_birth_date ascending child_enrolled descending points_status ascending lottery seed 2 }\n",
        encoding="utf-8",
    )
    rng = random.Random(4)
    rows = [
        {
            **BASE_APPLICANT, "id": f"P{i:03}", "points": rng.choice(["50", "60"]), "points_status": rng.choice(["verified", "disputed"]),
            "child_birth_date": rng.choice(["2016-01-01", "2016-02-29"]), "child_enrolled": rng.choice(["true", "false"]),
        }
        for i in range(60)
    ]
    policy, evaluations = _evaluated(str(path), rows)
    expected = {e.id: e.rank for e in evaluations}
    assert sum(rank is not None for rank in expected.values()) == 60
    assert _columnar_ranks(policy, evaluations) == expected
