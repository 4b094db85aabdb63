"""The benchmark's hand-written Haizhu 2022 function agrees with the compiled policy."""

from __future__ import annotations

from benchmarks import haizhu_2022_by_hand
from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.compile.pipeline import load_policy

from .conftest import ROOT


def test_hand_written_baseline_matches_the_compiled_policy():
    compiled = load_policy(str(ROOT / "policies" / "haizhu" / "2022.jifen"))
    records = [a.record for a in read_applicants(str(ROOT / "examples" / "haizhu-2022" / "applicants.csv"), compiled.policy)]
    records += [a.record for a in read_applicants(str(ROOT / "tests" / "data" / "applicants" / "haizhu.csv"), compiled.policy)]
    for record in records:
        failed, unknown, points, scores, batch, keys = compiled.evaluate(record)
        by_hand = haizhu_2022_by_hand.evaluate(record)
        assert (failed, points, scores, batch, keys) == (by_hand[0], by_hand[2], by_hand[3], by_hand[4], by_hand[5]), record[0]
        assert [i for i, _ in by_hand[1]] == list(unknown), record[0]
