"""The synthetic data generator: determinism, format, consistency, and the boundary rows' outcomes."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import re
import shlex
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from jifen_dsl.lang import model
from jifen_dsl import synth
from jifen_dsl.synth.columns import INDICATORS
from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.compile.pipeline import check_file, load_policy

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CASES = [("haizhu", 2022), ("baiyun", 2022), ("conghua", 2020)]
IDS = [f"{d}-{y}" for d, y in CASES]


def policy_path(district: str, year: int) -> str:
    return str(ROOT / "policies" / district / f"{year}.jifen")


def run(args: list[str]) -> str:
    """Run the synth command line in-process; return its stdout."""
    result = CliRunner().invoke(synth.cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture(scope="module")
def compiled():
    return {(d, y): load_policy(policy_path(d, y)) for d, y in CASES}


# ---------------------------------------------------------------- determinism and format

def test_header_is_the_field_library() -> None:
    library = check_file(str(ROOT / "policies" / "guangzhou" / "fields.jifen"))
    # Synthetic data carries no personal details (names, identity numbers).
    names = tuple(f.name for f in library.fields if f.name not in model.PERSONAL_FIELDS)
    assert synth.FIELDS == names
    text = run(["applicants", "--district", "haizhu", "--year", "2022", "--count", "5"])
    assert text.splitlines()[0].split(",") == list(names)


@pytest.mark.parametrize(("district", "year"), CASES, ids=IDS)
def test_same_arguments_same_bytes(district: str, year: int, tmp_path: Path) -> None:
    args = ["--district", district, "--year", str(year), "--count", "400", "--seed", "9"]
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    run([*args, "-o", str(first)])  # the default command
    run(["applicants", *args, "-o", str(second)])
    assert first.read_bytes() == second.read_bytes()
    assert run(["applicants", *args]).encode("utf-8") == first.read_bytes()  # stdout gets the same bytes
    other = run(["applicants", "--district", district, "--year", str(year), "--count", "400", "--seed", "10"])
    assert other.encode("utf-8") != first.read_bytes()
    # The boundary rows do not depend on the seed; the random rows do.
    edges = len(synth.EDGE_CASES[(district, year)])
    assert other.splitlines()[: edges + 1] == first.read_text(encoding="utf-8").splitlines()[: edges + 1]


def test_schools_are_deterministic() -> None:
    args = ["schools", "--district", "baiyun", "--year", "2022", "--count", "15", "--seed", "3"]
    assert run(args) == run(args)
    assert run(args) != run([*args[:-1], "4"])


def test_module_entry_point_runs_applicants_by_default() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "jifen_dsl.synth", "--district", "conghua", "--year", "2020", "--count", "30", "-o", "-"],
        capture_output=True, cwd=ROOT, check=True,
    )
    text = done.stdout.decode("utf-8")
    assert text == run(["applicants", "--district", "conghua", "--year", "2020", "--count", "30"])
    assert len(rows_of(text)) == 30


def test_unsupported_district_year() -> None:
    with pytest.raises(ValueError, match="haizhu 2022"):
        synth.generate_applicants("haizhu", 2023, 10, 1)
    result = CliRunner().invoke(synth.cli, ["--district", "haizhu", "--year", "2023"])
    assert result.exit_code == 2
    assert "supported" in result.output


def test_count_includes_the_boundary_rows() -> None:
    rows = synth.generate_applicants("baiyun", 2022, 3, 1)
    assert [r["id"] for r in rows] == ["BY2022-E01", "BY2022-E02", "BY2022-E03"]
    rows = synth.generate_applicants("baiyun", 2022, 100, 1)
    assert len(rows) == 100
    assert len({r["id"] for r in rows}) == 100


# ---------------------------------------------------------------- realistic and consistent values

@pytest.fixture(scope="module", params=CASES, ids=IDS)
def sample(request) -> tuple[str, int, list[dict[str, str]]]:
    district, year = request.param
    return district, year, synth.generate_applicants(district, year, 3000, 11)


def test_values_are_well_formed(sample) -> None:
    district, year, rows = sample
    prof = synth.profile(district, year)
    id_pattern = re.compile(rf"{prof.code}{year}-(E\d\d|\d{{6}})")
    for r in rows:
        assert id_pattern.fullmatch(r["id"]), r["id"]
        assert r["grade"] in ("G1", "G7")
        for name in ("child_enrolled", "insurance_active", "accepts_coordination"):
            assert r[name] in ("true", "false")
        for name in ("child_birth_date", "permit_start", "district_permit_start", "insurance_start"):
            if r[name]:
                dt.date.fromisoformat(r[name])
        if r["applied_at"]:
            assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r["applied_at"])
            dt.datetime.strptime(r["applied_at"], "%Y-%m-%d %H:%M")
        assert r["points_status"] in ("verified", "disputed", "adjusting")
        # Points: the sum of the indicators, at most one decimal place, 20..200.
        assert re.fullmatch(r"\d+(\.\d)?", r["points"])
        total = Decimal(r["points"])
        assert total == sum(Decimal(r[name]) for name in INDICATORS)
        assert Decimal(20) <= total <= Decimal(200)


def test_values_are_consistent(sample) -> None:
    _, year, rows = sample
    for r in rows:
        if r["grade"] == "G1":
            assert r["primary_graduation_year"] == ""
        else:
            assert r["primary_graduation_year"] in (str(year), str(year - 1))
            assert r["child_enrolled"] == "false"
        if r["insurance_active"] == "true":
            assert r["insurance_start"] and r["insurance_district"]
        else:
            assert r["insurance_start"] == "" and r["insurance_district"] == ""
        if r["district_permit_start"]:
            assert r["district_permit_start"] >= r["permit_start"]  # ISO dates compare as text


def test_distributions_are_realistic(sample) -> None:
    district, year, rows = sample
    prof = synth.profile(district, year)
    random_rows = [r for r in rows if not r["id"].split("-")[1].startswith("E")]
    n = len(random_rows)
    share = collections.Counter(r["grade"] for r in random_rows)["G1"] / n
    assert 0.6 < share < 0.75
    local = sum(r["residence_district"] == prof.district for r in random_rows) / n
    assert 0.8 < local < 0.99
    assert any(r["residence_district"] not in ("", prof.district) for r in random_rows)
    hukou = collections.Counter(r["child_hukou"] for r in random_rows)
    assert sum(hukou[h] for h in ("广州", "香港", "澳门", "台湾")) / n < 0.06
    assert hukou["广州"] > 0 and hukou["香港"] > 0
    status = collections.Counter(r["points_status"] for r in random_rows)
    assert 0.9 < status["verified"] / n < 0.97 and status["disputed"] and status["adjusting"]
    assert any(r["applied_at"] == "" for r in random_rows)
    assert sum(bool(r["clearing_choices"]) for r in random_rows) / n < 0.15


def test_equal_points_with_different_indicators(sample) -> None:
    """Ties on the total are common and the indicators differ, so the tie-break chain matters."""
    _, _, rows = sample
    groups: dict[tuple[str, str], set[tuple[str, ...]]] = collections.defaultdict(set)
    for r in rows:
        groups[(r["grade"], r["points"])].add(tuple(r[name] for name in INDICATORS))
    differing = [key for key, vectors in groups.items() if len(vectors) > 1]
    assert len(differing) > 50
    # Some ties share the permit points, so a later indicator decides.
    same_permit = [key for key, vectors in groups.items() if len({v[0] for v in vectors}) < len(vectors)]
    assert same_permit


def test_multiple_births(sample) -> None:
    _, _, rows = sample
    groups: dict[str, list[dict[str, str]]] = collections.defaultdict(list)
    for r in rows:
        if r["sibling_group"]:
            groups[r["sibling_group"]].append(r)
    assert groups
    assert {len(g) for g in groups.values()} <= {2, 3}
    for members in groups.values():
        first = {k: v for k, v in members[0].items() if k != "id"}
        for other in members[1:]:
            assert {k: v for k, v in other.items() if k != "id"} == first
        assert len({m["id"] for m in members}) == len(members)


# ---------------------------------------------------------------- schools and choices

def test_schools_file() -> None:
    rows = synth.generate_schools("haizhu", 2022, 15, 2)
    assert [tuple(r) for r in rows] == [synth.SCHOOL_FIELDS] * 15
    grades = collections.Counter(r["grade"] for r in rows)
    assert grades == {"G1": 10, "G7": 5}
    for r in rows:
        prefix = "HZ-P" if r["grade"] == "G1" else "HZ-J"
        assert re.fullmatch(rf"{prefix}\d\d", r["id"])
        assert r["name"].startswith("海珠区") and r["name"].endswith(("小学", "中学", "学校"))
        assert r["type"] in ("public", "private")
        assert 10 <= int(r["seats"]) <= 120
        assert r["district"] == "海珠区"
    assert len({r["name"] for r in rows}) == len(rows)
    # Sizing the seats changes only the seats.
    sized = synth.generate_schools("haizhu", 2022, 15, 2, applicants=240)
    strip = lambda rs: [{k: v for k, v in r.items() if k != "seats"} for r in rs]
    assert strip(sized) == strip(rows)
    assert all(10 <= int(r["seats"]) <= 120 for r in sized)


def test_many_schools_keep_unique_names() -> None:
    rows = synth.generate_schools("conghua", 2020, 90, 1)
    assert len({r["name"] for r in rows}) == 90
    assert len({r["id"] for r in rows}) == 90


@pytest.mark.parametrize(("district", "year"), CASES, ids=IDS)
def test_choices_name_schools_of_the_right_grade(district: str, year: int, compiled, tmp_path: Path) -> None:
    policy = compiled[(district, year)].policy
    limit = policy.allocation.choices
    schools_file = tmp_path / "schools.csv"
    run(["schools", "--district", district, "--year", str(year), "--count", "7", "--seed", "5", "-o", str(schools_file)])
    fresh = run(["applicants", "--district", district, "--year", str(year), "--count", "600", "--seed", "5",
                 "--schools", str(schools_file)])
    example_dir = EXAMPLES / f"{district}-{year}"
    pairs = [
        (synth.read_schools(str(schools_file)), rows_of(fresh)),
        (synth.read_schools(str(example_dir / "schools.csv")), rows_of((example_dir / "applicants.csv").read_text(encoding="utf-8"))),
    ]
    for schools, applicants in pairs:
        grade_of = {s["id"]: s["grade"] for s in schools}
        for r in applicants:
            choices = r["choices"].split(";")
            assert 1 <= len(choices) <= limit
            assert len(set(choices)) == len(choices)
            assert all(grade_of.get(c) == r["grade"] for c in choices), (r["id"], choices)
            if r["clearing_choices"]:
                assert all(grade_of.get(c) == r["grade"] for c in r["clearing_choices"].split(";"))


def test_choices_without_a_schools_file_match_the_schools_command() -> None:
    """Without --schools the applicants draw from generate_schools with the same seed and count."""
    with_file = synth.generate_applicants("haizhu", 2022, 300, 4, schools=synth.generate_schools("haizhu", 2022, 12, 4, applicants=300))
    without = synth.generate_applicants("haizhu", 2022, 300, 4, school_count=12)
    assert with_file == without


def test_schools_of_another_district_are_refused() -> None:
    with pytest.raises(ValueError, match="海珠区"):
        synth.generate_applicants("baiyun", 2022, 10, 1, schools=synth.generate_schools("haizhu", 2022, 12, 1))


# ---------------------------------------------------------------- the bundled examples

def readme_commands() -> list[list[str]]:
    text = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    prefix = "python -m jifen_dsl.synth "
    return [shlex.split(line)[3:] for line in text.splitlines() if line.startswith(prefix) and " examples/" in line]


def test_readme_lists_every_example_file() -> None:
    outputs = {cmd[cmd.index("-o") + 1] for cmd in readme_commands()}
    expected = {f"examples/{d}-{y}/{name}" for d, y in CASES for name in ("schools.csv", "applicants.csv")}
    assert outputs == expected


def test_examples_are_what_the_readme_commands_write(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)  # the commands use paths relative to the repository
    for command in readme_commands():
        at = command.index("-o") + 1
        target = command[at]
        fresh = tmp_path / target.replace("/", "_")
        run([*command[:at], str(fresh), *command[at + 1:]])
        assert fresh.read_bytes() == (ROOT / target).read_bytes(), f"{target} is stale: rerun the command in examples/README.md"


@pytest.mark.parametrize(("district", "year"), CASES, ids=IDS)
def test_examples_evaluate_with_a_sensible_share_and_short_seats(district: str, year: int, compiled) -> None:
    from jifen_dsl.cli import cli as jifen

    example_dir = EXAMPLES / f"{district}-{year}"
    done = CliRunner().invoke(jifen, ["evaluate", policy_path(district, year), str(example_dir / "applicants.csv"), "--format", "csv"])
    assert done.exit_code == 0, done.output
    assert done.stdout.count("\n") == 241  # a header and one line per applicant
    policy = compiled[(district, year)]
    results = evaluate(policy, read_applicants(str(example_dir / "applicants.csv"), policy.policy))
    assert len(results) == 240
    share = sum(e.eligible for e in results) / len(results)
    assert 0.6 <= share <= 0.8, share
    seats = collections.Counter()
    for school in synth.read_schools(str(example_dir / "schools.csv")):
        seats[school["grade"]] += int(school["seats"])
    assert sorted(seats) == ["G1", "G7"]
    for grade, total in seats.items():
        eligible = sum(e.eligible and e.grade == grade for e in results)
        assert total < eligible, (grade, total, eligible)


# ---------------------------------------------------------------- boundary rows

@pytest.mark.parametrize("source", ["example", "seed 77"])
@pytest.mark.parametrize(("district", "year"), CASES, ids=IDS)
def test_boundary_rows_evaluate_as_intended(district: str, year: int, source: str, compiled, tmp_path: Path) -> None:
    policy = compiled[(district, year)]
    if source == "example":
        path = EXAMPLES / f"{district}-{year}" / "applicants.csv"
    else:
        path = tmp_path / "applicants.csv"
        synth.write_csv(synth.iter_applicants(district, year, 500, 77), str(path))
    results = {e.id: e for e in evaluate(policy, read_applicants(str(path), policy.policy))}
    prof = synth.profile(district, year)
    cases = synth.EDGE_CASES[(district, year)]
    assert any(c.eligible for c in cases) and any(not c.eligible for c in cases)
    requirement_names = {r.name for r in policy.policy.requirements}
    batch_names = [b.name for b in policy.policy.batches]
    for case in cases:
        e = results[f"{prof.code}{year}-{case.suffix}"]
        where = f"{e.id} ({case.note})"
        assert set(case.fails) <= requirement_names, where
        assert e.eligible is case.eligible, where
        assert {policy.policy.requirements[i].name for i in e.failed} == set(case.fails), where
        if case.eligible:
            assert e.rank is not None, where
        if case.batch is not None:
            assert batch_names[e.batch] == case.batch, where
        elif not batch_names:
            assert e.batch is None, where
        if case.ahead_of:
            other = results[f"{prof.code}{year}-{case.ahead_of}"]
            assert e.grade == other.grade and e.rank < other.rank, where
            if case.points_vs == "equal":
                assert e.points == other.points, where
            elif case.points_vs == "fewer":
                assert e.points < other.points, where


def test_boundary_rows_sit_on_both_sides_of_the_cut_offs() -> None:
    """The pairs the policies' cut-offs need are present (a guard against edits that drop one side)."""
    def cells(district: str, year: int, name: str) -> set[str]:
        return {c.changes.get(name, "") for c in synth.EDGE_CASES[(district, year)]}

    assert {"2015-08-31", "2015-09-01", "2016-08-31", "2016-09-01"} <= cells("haizhu", 2022, "child_birth_date")
    assert {"2021-08-31", "2021-09-01"} <= cells("haizhu", 2022, "permit_start")
    assert {"2022-04-25 08:59", "2022-04-25 09:00", "2022-05-10 17:00", "2022-05-10 17:01"} <= cells("haizhu", 2022, "applied_at")
    assert {"香港", "广州"} <= cells("haizhu", 2022, "child_hukou")
    assert {"2016-08-31", "2016-09-01", "2016-02-29"} <= cells("baiyun", 2022, "child_birth_date")
    assert {"2021-08-31", "2021-09-01"} <= cells("baiyun", 2022, "permit_start")
    assert {"2017-08-31", "2017-09-01"} <= cells("baiyun", 2022, "district_permit_start")
    assert {"2017-08-31", "2017-09-01"} <= cells("baiyun", 2022, "insurance_start")
    assert {"disputed"} <= cells("baiyun", 2022, "points_status")
    assert {"2014-08-31", "2014-09-01", "2014-02-28", "2012-02-29"} <= cells("conghua", 2020, "child_birth_date")
    assert {"2019-08-31", "2019-09-01"} <= cells("conghua", 2020, "permit_start")
    assert {"香港"} <= cells("conghua", 2020, "applicant_hukou")
