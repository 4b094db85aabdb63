"""The allocator's rank order: found without a sort when each grade's ranks are 1..n, by a stable sort otherwise.

Both ways must give the same order whenever the ranks allow one, and the sort
must keep the input order among equal ranks (a frame made by hand may have them).
"""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl.allocation.arrays import _by_rank_places, _in_rank_order


def _eligible(grades: list[int], ranks: list[int | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"_row": range(len(grades)), "_g": grades, "rank": ranks},
        schema={"_row": pl.UInt32, "_g": pl.UInt32, "rank": pl.Int64},
    )


def _sorted_by_hand(frame: pl.DataFrame) -> list[int]:
    rows = frame.rows(named=True)
    return [r["_row"] for r in sorted(rows, key=lambda r: (r["_g"], r["rank"] is not None, r["rank"] or 0, r["_row"]))]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 2), min_size=1, max_size=40), st.randoms(use_true_random=False))
def test_ranks_one_to_n_are_put_in_order_without_a_sort(grades: list[int], rnd) -> None:
    ranks: list[int | None] = [0] * len(grades)
    for grade in set(grades):
        at = [i for i, g in enumerate(grades) if g == grade]
        places = list(range(1, len(at) + 1))
        rnd.shuffle(places)
        for i, rank in zip(at, places):
            ranks[i] = rank
    frame = _eligible(grades, ranks)
    fast = _by_rank_places(frame, 3)
    assert fast is not None
    assert fast.get_column("_row").to_list() == _sorted_by_hand(frame)
    assert _in_rank_order(frame, 3).get_column("_row").to_list() == _sorted_by_hand(frame)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.one_of(st.none(), st.integers(-1, 6))), min_size=1, max_size=40))
def test_any_other_ranks_are_sorted_with_equal_ranks_in_input_order(pairs: list[tuple[int, int | None]]) -> None:
    frame = _eligible([g for g, _ in pairs], [r for _, r in pairs])
    assert _in_rank_order(frame, 3).get_column("_row").to_list() == _sorted_by_hand(frame)


def test_a_repeated_rank_is_left_to_the_sort() -> None:
    frame = _eligible([0, 0, 0], [2, 1, 2])  # 1..3 would fit the grade's size, but 2 is there twice
    assert _by_rank_places(frame, 1) is None
    assert _in_rank_order(frame, 1).get_column("_row").to_list() == [1, 0, 2]


def test_a_rank_beyond_its_grade_is_left_to_the_sort() -> None:
    frame = _eligible([0, 1, 1], [1, 1, 3])
    assert _by_rank_places(frame, 2) is None
    assert _in_rank_order(frame, 2).get_column("_row").to_list() == [0, 1, 2]
