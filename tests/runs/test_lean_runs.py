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


def test_a_lean_evaluation_checks_the_choice_lists_but_does_not_split_them():
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.data.frames import read_cohort_frame
    from jifen_dsl.lang import columns
    from jifen_dsl.runs.engine import unread_fields

    policy = load_policy(POLICY).policy
    names = lambda found: {policy.fields[i].name for i in found}  # noqa: E731
    assert names(unread_fields(policy, False, False)) == {"choices", "clearing_choices", "accepts_coordination", "sibling_group"}
    assert unread_fields(policy, True, False) == frozenset()  # allocating reads them
    assert unread_fields(policy, False, True) == frozenset()  # a run that keeps the fields reads them all
    unread = unread_fields(policy, False, False)
    whole = read_cohort_frame(str(EXAMPLE / "applicants.csv"), policy)
    lean = read_cohort_frame(str(EXAMPLE / "applicants.csv"), policy, unread=unread)
    lists = [columns.field_column(policy.read_fields.index(policy.field(name).index)) for name in ("choices", "clearing_choices")]
    assert whole.frame.get_column(lists[0]).drop_nulls().len() == whole.frame.height
    assert all(lean.frame.get_column(name).null_count() == lean.frame.height for name in lists)
    assert lean.frame.drop(lists).equals(whole.frame.drop(lists))  # every other field read as ever


def test_a_lean_evaluation_reports_bad_cells_in_columns_it_does_not_read(tmp_path):
    from jifen_dsl.errors import DataError
    from jifen_dsl.messages import render

    lines = (EXAMPLE / "applicants.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[3].split(",")
    cells[header.index("accepts_coordination")] = "maybe"
    cells[header.index("choices")] = "HZ-P01;;HZ-P02"  # read as the scalar reader reads it, though its values go unread
    lines[3] = ",".join(cells)
    path = tmp_path / "applicants.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    spec = RunSpec("evaluate", POLICY, Source(str(path)))
    said = []
    for fields in (True, False):
        with pytest.raises(DataError) as caught:
            execute(spec, fields=fields)
        said.append([render(m, "en") for m in caught.value.problems])
    assert said[0] == said[1] and any("accepts_coordination" in line and ":4:" in line for line in said[0]), said
