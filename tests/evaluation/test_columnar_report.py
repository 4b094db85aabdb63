"""Results written from columns are byte for byte the results the scalar report writes."""

from __future__ import annotations

from decimal import Decimal
from unittest.mock import patch

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jifen_dsl import synth
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.data.tables import csv_bytes
from jifen_dsl.evaluation import columnar_report
from jifen_dsl.evaluation.columnar_report import csv_bytes_of, csv_streamed, evaluation_cells, evaluation_cells_lazy, points_text
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.evaluation.report import evaluation_table
from jifen_dsl.lang import columns
from jifen_dsl.lang.typesys import DECIMAL

from ..conftest import BASE_APPLICANT, POLICIES


def _frame(compiled, evaluations) -> pl.DataFrame:
    """The columns the engine holds for these evaluations, built from the scalar ones."""
    policy = compiled.policy
    types = [policy.fields[i].type for i in policy.read_fields]
    fields = columns.frame_of_records(types, [e.applicant.record[: len(types)] for e in evaluations])
    return fields.with_columns(
        pl.Series("id", [e.id for e in evaluations], dtype=pl.String),
        pl.Series("grade", [e.grade for e in evaluations], dtype=pl.String),
        pl.Series("failed", [list(e.failed) for e in evaluations], dtype=pl.List(pl.UInt32)),
        pl.Series("batch", [e.batch for e in evaluations], dtype=pl.Int32),
        columns.series("points", [e.points for e in evaluations], DECIMAL),
        pl.Series("rank", [e.rank for e in evaluations], dtype=pl.Int64),
    )


def _both(path: str, rows: list[dict[str, str]], bom: bool = False) -> tuple[bytes, bytes]:
    compiled = load_policy(path)
    header = list(rows[0])
    applicants = records_from_rows("applicants.csv", header, [(i + 2, [r[h] for h in header]) for i, r in enumerate(rows)], compiled.policy)
    evaluations = evaluate(compiled, applicants)
    expected = csv_bytes(*evaluation_table(compiled, evaluations), bom=bom)
    frame = _frame(compiled, evaluations)
    written = csv_bytes_of(evaluation_cells(compiled.policy, frame), bom=bom)
    if not bom:  # as the evaluate command writes them: the cells made as polars writes them into the file
        assert csv_streamed(evaluation_cells_lazy(compiled.policy, frame)).bytes() == written
    return written, expected


@pytest.mark.parametrize(("district", "year"), [("haizhu", 2022), ("baiyun", 2022), ("conghua", 2020)])
def test_a_generated_cohort_is_written_as_the_scalar_report_writes_it(district, year):
    written, expected = _both(str(POLICIES / district / f"{year}.jifen"), synth.generate_applicants(district, year, 1500, 2))
    assert b"false" in written and b"true" in written
    assert written == expected


def test_personal_details_quotes_and_formulas_are_written_alike():
    names = ['=HYPERLINK("http://x","y")', "+1", "-2.5", "-x", "@a", "a,b", 'say "hi"', "", "王小明"]
    rows = [{**BASE_APPLICANT, "id": f"P{i}", "applicant_name": name, "child_name": name[::-1]} for i, name in enumerate(names)]
    written, expected = _both(str(POLICIES / "haizhu" / "2022.jifen"), rows, bom=True)
    assert "'=HYPERLINK".encode() in written
    assert written == expected


def test_policy_names_that_look_like_formulas_are_guarded_as_the_scalar_report_guards_them():
    """The guard skips the policy's own names unless one needs it: here the first requirement's and the grades' do."""
    import attrs

    from jifen_dsl.lang import model

    compiled = load_policy(str(POLICIES / "haizhu" / "2022.jifen"))
    policy = compiled.policy
    first = policy.requirements[0]
    grade = policy.field(model.GRADE_FIELD)
    renamed_type = attrs.evolve(grade.type, members=tuple("=" + m for m in grade.type.members))
    fields = tuple(attrs.evolve(f, type=renamed_type) if f is grade else f for f in policy.fields)
    policy = attrs.evolve(policy, requirements=(attrs.evolve(first, name="-" + first.name), *policy.requirements[1:]), fields=fields)
    renamed = attrs.evolve(compiled, policy=policy)
    rows = synth.generate_applicants("haizhu", 2022, 400, 5)
    header = list(rows[0])
    applicants = records_from_rows("applicants.csv", header, [(i + 2, [r[h] for h in header]) for i, r in enumerate(rows)], compiled.policy)
    evaluations = evaluate(compiled, applicants)
    frame = _frame(compiled, evaluations).with_columns(pl.lit("=").add(pl.col("grade")).alias("grade"))
    expected = csv_bytes(*evaluation_table(renamed, evaluations))
    written = csv_bytes_of(evaluation_cells(policy, frame))
    assert f",'-{first.name}".encode() in written and b",'=G1," in written
    lines = written.decode().splitlines()[1:]
    scalar = expected.decode().splitlines()[1:]
    # The scalar report reads the grade from the applicant, so it says G1 where the frame says =G1: compare the rest.
    assert [line.replace(",'=G", ",G") for line in lines] == scalar


_POINTS = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(
    lambda d: len(d.as_tuple().digits) <= 20 and -6 < d.as_tuple().exponent < 4
)


@given(st.lists(st.one_of(st.none(), _POINTS, st.sampled_from([Decimal("85.5"), Decimal("135"), Decimal("0.00")])), min_size=1, max_size=30))
def test_points_are_written_as_format_f_writes_them_by_table_or_by_lookup(values):
    frame = pl.DataFrame([columns.series("points", values, DECIMAL)])
    expected = [None if v is None else format(v if v or not v.is_signed() else abs(v), "f") for v in values]
    assert frame.with_columns(text=points_text(frame)).get_column("text").to_list() == expected
    # Values spread too wide for a table are looked up one by one; a narrow spread is too, when the table may not be made.
    with patch.object(columnar_report, "_TABLE", 0):
        assert frame.with_columns(text=points_text(frame)).get_column("text").to_list() == expected
