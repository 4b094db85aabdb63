"""A tie-break key that names an indicator whose score is a field as it stands reads that score."""

from __future__ import annotations

from decimal import Decimal

from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.evaluation.evaluator import evaluate

from ..conftest import BASE_APPLICANT, EN_HEADER, FIELDS_IMPORT, policy_folder

BODY = """
requirement ok "ok": true
points { total = points indicator permit "Permit" = ind_permit }
tiebreak { permit * 2 descending id ascending }
"""


def test_a_key_naming_a_plain_indicator_is_computed(tmp_path):
    path = policy_folder(tmp_path) / "policy.jifen"
    path.write_text(EN_HEADER + FIELDS_IMPORT + BODY, encoding="utf-8")
    compiled = load_policy(str(path))
    rows = [{**BASE_APPLICANT, "id": f"P{i}", "points": "50", "ind_permit": value} for i, value in enumerate(["1.5", "3", "2"])]
    header = list(rows[0])
    applicants = records_from_rows("applicants.csv", header, [(i + 2, [r[h] for h in header]) for i, r in enumerate(rows)], compiled.policy)
    evaluations = evaluate(compiled, applicants)
    assert [e.keys[0] for e in evaluations] == [Decimal("3.0"), Decimal("6"), Decimal("4")]
    assert [e.rank for e in evaluations] == [3, 1, 2]
