"""A run whose results are written from the columns lets go of the applicants' fields once evaluated, and writes the same bytes."""

from __future__ import annotations

import pytest

from jifen_dsl.allocation.columnar_report import placement_csv_bytes
from jifen_dsl.evaluation.columnar_report import csv_bytes_of, evaluation_cells
from jifen_dsl.runs.run import RunSpec, Source, execute

from ..conftest import ROOT

EXAMPLE = ROOT / "examples" / "haizhu-2022"
POLICY = str(ROOT / "policies" / "haizhu" / "2022.jifen")


def _spec(command: str) -> RunSpec:
    schools = Source(str(EXAMPLE / "schools.csv")) if command == "allocate" else None
    return RunSpec(command, POLICY, Source(str(EXAMPLE / "applicants.csv")), schools)


def _results(run) -> bytes:
    policy = run.compiled.policy
    if run.results.placed is None:
        return csv_bytes_of(evaluation_cells(policy, run.results.outcome))
    return placement_csv_bytes(policy, run.report_frame, run.results.schools)


@pytest.mark.parametrize("command", ["evaluate", "allocate"])
def test_a_lean_run_keeps_only_what_the_results_read_and_writes_the_same_results(command):
    whole, lean = execute(_spec(command)), execute(_spec(command), fields=False)
    assert any(name.startswith("s_") for name in whole.results.outcome.columns)  # the scores, and every field
    kept = set(lean.results.outcome.columns)
    assert not any(name.startswith(("s_", "k_")) for name in kept)
    assert len(kept) < len(whole.results.outcome.columns) - 15
    assert lean.results.cohort.frame.columns == ["row", "id", "grade"]
    assert _results(lean) == _results(whole)
    assert lean.accepted == whole.accepted


def test_a_lean_run_refuses_to_make_evaluations_it_cannot():
    lean = execute(_spec("evaluate"), fields=False)
    with pytest.raises(RuntimeError, match="let go of the applicants' fields"):
        lean.evaluations
