"""The columnar backend gives, row for row, what the scalar backend gives: every bundled policy, generated cohorts.

For each policy of ``policies/`` (the shared fields aside), a cohort made by the
generator (its boundary rows first, then random applicants), the same cohort
with optional cells emptied and dates moved onto month ends and 29 February,
and for the policies that count evidence, random evidence items around their
windows. The cohort is read as the tool reads an applicant file, turned into a
frame with ``lang.columns.frame_of_records``, and each row's columnar result
must equal ``CompiledPolicy.evaluate`` of its record: eligibility, failed and
unknown requirements in order, batch, points and scores to the exponent (and
written alike), tie-break keys; and ``trouble`` exactly where the scalar call
raises - or, the one documented difference, where the row comes to an integer
no column holds (Python's ints are unbounded).
"""

from __future__ import annotations

import decimal
import random
from decimal import Decimal
from pathlib import Path
from typing import Any, Sequence

import polars as pl
import pytest

from jifen_dsl.api import load_policy
from jifen_dsl.compile.columnar import NEGATIVE_ZERO, compile_columnar
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.data.evidence import attach_evidence
from jifen_dsl.errors import EvaluationError
from jifen_dsl.compile.columnar.values import INT_LIMIT
from jifen_dsl.lang import columns, ir
from jifen_dsl.lang.operations import DECIMAL_CONTEXT, fold
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.synth.applicants import generate_applicants
from jifen_dsl.synth.columns import FIELDS

from ..conftest import POLICIES, ROOT

BUNDLED = sorted(p for p in POLICIES.glob("*/*.jifen") if p.name != "fields.jifen")
# The generator's district-years; a policy of another year is fed its district's applicants.
PROFILE_YEAR = {"haizhu": 2022, "baiyun": 2022, "conghua": 2020}
SPECIAL_DATES = ["2016-02-29", "2020-02-29", "2015-08-31", "2016-08-31", "2016-09-01", "2021-08-31", "2021-02-28", "2017-01-31", "2019-12-31", "2004-01-01", "2026-12-31"]


def frame_of(compiled, records: Sequence[tuple]) -> pl.DataFrame:
    policy = compiled.policy
    types = [policy.fields[i].type for i in policy.read_fields]
    return columns.frame_of_records(types, records, len(policy.evidence))


def decimal_column(result: pl.DataFrame, name: str) -> list[Decimal]:
    """A decimal result column as Decimals, its negative zeros told by the column beside it."""
    return columns.decimal_values(result.get_column(name), result.get_column(NEGATIVE_ZERO.format(name)))


def _same(expected: Any, got: Any) -> bool:
    """Equal, and written alike (85.5 is not 85.50; 2 and Decimal('2') are both '2')."""
    return expected == got and str(expected) == str(got) and (expected is None) == (got is None)


def scalar(compiled, record: tuple):
    """The scalar result, or None when the scalar call raises (as the evaluator sees it)."""
    with decimal.localcontext(DECIMAL_CONTEXT):
        try:
            return compiled.evaluate(record)
        except (EvaluationError, decimal.DecimalException):
            return None


def assert_same(compiled, records: Sequence[tuple], columnar=None) -> dict[str, int]:
    """Compare both backends on every record; return how many rows agreed, and how many of them raise."""
    columnar = columnar or compile_columnar(compiled.policy)
    result = columnar.evaluate(frame_of(compiled, records))
    assert result.height == len(records)
    key_types = columnar.key_types
    assert [t.kind for t in key_types] == [
        "decimal" if t.expr.type.kind == "integer" and k.kind == "decimal" else t.expr.type.kind
        for t, k in zip([t for t in compiled.policy.tiebreaks if t.kind == "expr"], key_types)
    ]
    decimal_names = ["points"] + [f"s_{i}" for i in range(len(compiled.policy.points.indicators))]
    decimal_names += [f"k_{i}" for i, t in enumerate(key_types) if t.kind == "decimal"]
    held = {name: decimal_column(result, name) for name in decimal_names}
    trouble = 0
    for n, record in enumerate(records):
        row = {**result.row(n, named=True), **{name: values[n] for name, values in held.items()}}
        expected = scalar(compiled, record)
        where = f"row {n}: {record!r}"
        if expected is None:
            assert row["trouble"], f"{where}: the scalar backend raises, the columnar one marks no trouble"
            trouble += 1
            continue
        if row["trouble"]:
            assert _beyond_columns(compiled.policy, record), f"{where}: trouble marked, but the scalar backend gives {expected!r}"
            trouble += 1
            continue
        failed, unknown, points, scores, batch, keys = expected
        assert row["failed"] == list(failed), where
        assert row["unknown"] == list(unknown), where
        assert (not row["failed"]) == (not failed), where
        assert row["batch"] == batch, where
        assert _same(points, row["points"]), (where, points, row["points"])
        for i, score in enumerate(scores):
            assert _same(score, row[f"s_{i}"]), (where, i, score, row[f"s_{i}"])
        for i, key in enumerate(keys):
            assert _same(key, row[f"k_{i}"]), (where, i, key, row[f"k_{i}"])
    return {"rows": len(records), "trouble": trouble}


def _beyond_columns(policy, record: tuple) -> bool:
    """Whether an expression of the policy comes, for this record, to a number no column holds.

    Python's ints are unbounded; the columnar backend holds integers below
    10**38 (Int128) and integer keys in Int64, and marks a row reaching beyond
    as trouble though the scalar backend computes it. Every node is computed
    here, bottom up, with the scalar backend's functions - a branch not taken
    too, so this may say yes where the columnar backend could have said no.
    """
    position = {index: pos for pos, index in enumerate(policy.read_fields)}
    found = []
    defs: dict[int, Any] = {}
    scores: dict[int, Any] = {}

    def value(node):
        if isinstance(node, ir.Const):
            return node.value
        if isinstance(node, ir.FieldRef):
            return record[position[node.index]]
        if isinstance(node, ir.DefRef):
            return defs.get(node.index)
        if isinstance(node, ir.IndicatorRef):
            return scores.get(node.index)
        if isinstance(node, ir.EvidenceRef):
            return record[len(policy.read_fields) + node.slot]
        if isinstance(node, ir.Present):
            return value(node.target) is not None
        args = [value(a) for a in node.args]
        if node.op == "if":
            return None if args[0] is None else (args[1] if args[0] else args[2])
        if any(a is None for a in args):
            return None
        with decimal.localcontext(DECIMAL_CONTEXT):
            try:
                result = fold(node.op, args, "check")
            except (EvaluationError, ArithmeticError, ValueError):
                return None
        numbers = result if isinstance(result, Duration) else [result]
        found.extend(n for n in numbers if isinstance(n, int) and not isinstance(n, bool) and abs(n) >= INT_LIMIT)
        return result

    for d in policy.definitions:
        defs[d.index] = value(d.expr)
    for r in policy.requirements:
        value(r.condition)
    for ind in policy.points.indicators:
        scores[ind.index] = value(ind.formula)
    for expr in [policy.points.total] + [b.condition for b in policy.batches]:
        if expr is not None:
            value(expr)
    for t in policy.tiebreaks:
        if t.kind == "expr":
            key = value(t.expr)
            if t.expr.type.kind == "integer" and key is not None and not -(2**63) <= key < 2**63:
                found.append(key)
    return bool(found)


# ---------------------------------------------------------------- cohorts


def _extra_cell(policy, name: str, rng: random.Random) -> str:
    """A cell for a field the generator does not write (a policy's own optional field)."""
    f = policy.field(name)
    if f.optional and rng.random() < 0.3:
        return ""
    kind = f.type.kind
    if kind == "date":
        return rng.choice(SPECIAL_DATES + [f"{rng.randint(2012, 2023)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"])
    if kind == "datetime":
        return f"2022-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23):02d}:{rng.choice(['00', '30', '59'])}"
    if kind in ("integer", "decimal"):
        return str(rng.randint(-3, 30))
    if kind == "bool":
        return rng.choice(["true", "false"])
    if kind == "enum":
        return rng.choice(f.type.members)
    return rng.choice(["湖南", "海珠区", "白云区", "从化区", "广州"])


def _mutated(policy, rows: list[list[str]], header: list[str], rng: random.Random) -> list[list[str]]:
    """The rows with optional cells emptied and dates moved onto month ends and 29 February, at random."""
    optional = {i for i, name in enumerate(header) if policy.has_field(name) and policy.field(name).optional}
    dated = {i for i, name in enumerate(header) if policy.has_field(name) and policy.field(name).type.kind == "date"}
    out = []
    for row in rows:
        row = list(row)
        for i in range(2, len(row)):
            if i in optional and rng.random() < 0.25:
                row[i] = ""
            elif i in dated and row[i] and rng.random() < 0.3:
                row[i] = rng.choice(SPECIAL_DATES)
        out.append(row)
    return out


def _evidence(policy, applicants, rng: random.Random):
    """Random evidence items for each indicator the policy counts, around its windows."""
    days = SPECIAL_DATES + ["2015-04-30", "2015-05-01", "2020-04-30", "2017-01-01", "2016-12-31", "2020-01-01", "2014-06-30"]
    values = ["1", "2", "0.5", "2.50", "10", "0", "-1", "3.25", "0.125"]
    rows = []
    for a in applicants:
        for indicator in policy.evidence:
            for _ in range(rng.choice([0, 0, 1, 2, 3, 6])):
                rows.append((len(rows) + 2, [a.id, indicator, rng.choice(days), rng.choice(values)]))
    return attach_evidence("evidence.csv", ["id", "indicator", "date", "value"], rows, policy, applicants)


def cohort(compiled, district: str, count: int, seed: int, *, mutate: bool = False) -> list[tuple]:
    """The records of a generated cohort, read as the tool reads an applicant file."""
    policy = compiled.policy
    rng = random.Random(seed)
    generated = generate_applicants(district, PROFILE_YEAR[district], count, seed)
    extra = [policy.fields[i].name for i in policy.read_fields if policy.fields[i].name not in FIELDS and not policy.fields[i].name.endswith("name") and policy.fields[i].name != "id_number"]
    header = list(FIELDS) + extra
    rows = [[r[f] for f in FIELDS] + [_extra_cell(policy, name, rng) for name in extra] for r in generated]
    if mutate:
        rows = _mutated(policy, rows, header, rng)
    applicants = records_from_rows("applicants.csv", header, [(i + 2, row) for i, row in enumerate(rows)], policy)
    if policy.evidence:
        applicants = _evidence(policy, applicants, rng)
    return [a.record for a in applicants]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: f"{p.parent.name}-{p.stem}")
@pytest.mark.parametrize("mutate", [False, True], ids=["generated", "mutated"])
def test_every_bundled_policy_agrees_on_a_generated_cohort(path: Path, mutate: bool):
    compiled = load_policy(str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path))
    records = cohort(compiled, path.parent.name, 1500, seed=7 if mutate else 1, mutate=mutate)
    counts = assert_same(compiled, records)
    assert counts["rows"] == 1500


def test_the_boundary_rows_agree_one_by_one():
    """Each boundary row alone, as a frame of one row: nothing depends on the rest of the cohort."""
    compiled = load_policy(str(POLICIES / "haizhu" / "2022.jifen"))
    columnar = compile_columnar(compiled.policy)
    for record in cohort(compiled, "haizhu", 26, seed=1):
        assert_same(compiled, [record], columnar)


def test_an_empty_cohort_gives_an_empty_result():
    compiled = load_policy(str(POLICIES / "baiyun" / "2022.jifen"))
    columnar = compile_columnar(compiled.policy)
    result = columnar.evaluate(frame_of(compiled, []))
    assert result.height == 0 and result.columns == columnar.names


def test_a_frame_that_does_not_fit_is_refused():
    compiled = load_policy(str(POLICIES / "baiyun" / "2022.jifen"))
    columnar = compile_columnar(compiled.policy)
    frame = frame_of(compiled, cohort(compiled, "baiyun", 3, seed=1)).drop("f_2")
    with pytest.raises(ValueError, match="no column f_2"):
        columnar.evaluate(frame)


def test_the_result_columns_and_types():
    compiled = load_policy(str(POLICIES / "conghua" / "2020.jifen"))
    columnar = compile_columnar(compiled.policy)
    result = columnar.evaluate(frame_of(compiled, cohort(compiled, "conghua", 40, seed=3)))
    schema = result.schema
    assert schema["failed"] == pl.List(pl.UInt32) and schema["unknown"] == pl.List(pl.UInt32)
    assert schema["points"] == columns.DECIMAL and schema["points_nz"] == pl.Boolean
    assert [n for n in result.columns if n.startswith("s_") and not n.endswith("_nz")] == [f"s_{i}" for i in range(len(compiled.policy.points.indicators))]
    assert schema["batch"] == pl.Int32 and schema["trouble"] == pl.Boolean
    assert schema["k_0"] == pl.String  # id ascending


def test_a_policy_of_many_requirements_lists_every_failure_in_order(write_policy):
    """More requirements than a word of bits holds: the failed and unknown lists span several words."""
    body = "".join(
        f'requirement q{k} "Q{k}": primary_graduation_year != {k % 7} or points > {k}\n' if k % 3 else f'requirement q{k} "Q{k}": points >= {k / 10}\n'
        for k in range(150)
    )
    body += 'for grade "G1" {\n    requirement g0 "G0": child_birth_date >= 2015-09-01\n}\n'
    body += 'for grade "G7" {\n' + "".join(f'    requirement h{k} "H{k}": primary_graduation_year = {2000 + k}\n' for k in range(20)) + "}\n"
    compiled = load_policy(write_policy(body))
    records = cohort(compiled, "haizhu", 400, seed=5, mutate=True)
    counts = assert_same(compiled, records)
    result = compile_columnar(compiled.policy).evaluate(frame_of(compiled, records))
    assert counts["rows"] == 400 and max(result["failed"].list.len()) > 64


NEGATIVE_ZEROS = """
points {
    total = (points - 1000) * 0
    indicator permit "Permit" = ind_permit * -1 cap 5
    indicator graduation "Graduation" = (if present(primary_graduation_year) then primary_graduation_year - 2000 else 0) cap 0.5
}
tiebreak {
    (graduation * 2) descending
    (permit - 0.00) ascending
    id ascending
}
"""


def test_negative_zeros_and_scores_of_integer_formulas(write_policy):
    """Points of -0 are written -0; a key typed integer that reads a capped score holds 1.0 (a Decimal)."""
    compiled = load_policy(write_policy("", tail=NEGATIVE_ZEROS))
    records = cohort(compiled, "haizhu", 300, seed=11, mutate=True)
    assert_same(compiled, records)
    columnar = compile_columnar(compiled.policy)
    result = columnar.evaluate(frame_of(compiled, records))
    assert result["points_nz"].all() and str(decimal_column(result, "points")[0]) == "-0"
    assert [t.kind for t in columnar.key_types] == ["decimal", "decimal", "text"]
    assert "1.0" in {str(v) for v in decimal_column(result, "k_0")}


REACHED = """
requirement guarded "Guarded": if present(primary_graduation_year) and primary_graduation_year != 2022 then points / (primary_graduation_year - 2022) < 1 else true
requirement chained "Chained": points between 1000 and 100 / (primary_graduation_year - 2022)
requirement either "Either": residence_district = "海珠区" or points / (primary_graduation_year - 2022) > 0
"""


def test_trouble_only_where_the_scalar_backend_computes_the_division(write_policy):
    """A division by zero raises only when reached: a branch not taken, a chained bound not needed, an 'or' decided."""
    compiled = load_policy(write_policy(REACHED))
    records = [r for r in cohort(compiled, "haizhu", 600, seed=2, mutate=True)]
    counts = assert_same(compiled, records)
    position = {compiled.policy.fields[i].name: p for p, i in enumerate(compiled.policy.read_fields)}
    graduating = [r for r in records if r[position["primary_graduation_year"]] == 2022]
    assert graduating and 0 < counts["trouble"] < len(graduating)
