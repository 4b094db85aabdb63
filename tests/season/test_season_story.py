"""One applicant's season told whole, late corrections, windows, the report and the public lists.

The season is run through the season room's own entry points (the command
line is tested through its process in test_season_cli.py); each test builds
its officers' files from the season's export, so that they fit the cohort.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import attrs
import polars as pl
import pytest

from jifen_dsl.season.audit import verify_season
from jifen_dsl.season.commands import init_season, run_stage, season_rows
from jifen_dsl.season.explain import explain_applicant
from jifen_dsl.season.public import public_list
from jifen_dsl.season.report import report_html
from jifen_dsl.season.stages import StageError

from ..conftest import ROOT

EXAMPLE = ROOT / "examples" / "baiyun-2022"


def _write(path: Path, header: list[str], rows: list[list[str]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def _table(folder: Path) -> dict[str, dict]:
    state, _ = season_rows(str(folder))
    return {row["id"]: row for row in state.table.iter_rows(named=True)}


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    """Baiyun 2022, but clearing open to those who declined too (so one applicant can decline and then clear)."""
    root = tmp_path_factory.mktemp("library")
    (root / "guangzhou").mkdir()
    shutil.copy(ROOT / "policies" / "guangzhou" / "fields.jifen", root / "guangzhou" / "fields.jifen")
    (root / "baiyun").mkdir()
    text = (ROOT / "policies" / "baiyun" / "2022.jifen").read_text(encoding="utf-8")
    assert "clearing_for unplaced, gave_up" in text
    text = text.replace("clearing_for unplaced, gave_up", "clearing_for unplaced, gave_up, declined")
    text = text.replace("schedule {", "schedule {\n    phase choosing \"Choices are filed\" from 2022-06-10 to 2022-06-14")
    text = text.replace("    unconfirmed declines", "    unconfirmed declines\n    window choices choosing")
    (root / "baiyun" / "2022.jifen").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def allocated(tmp_path_factory, library) -> tuple[Path, str]:
    """A season up to allocation; the corrected applicant's id."""
    work = tmp_path_factory.mktemp("season")
    folder = work / "season"
    init_season(str(folder), str(library / "baiyun" / "2022.jifen"), str(EXAMPLE / "schools.csv"), "officer A", "2022 season")
    run_stage(str(folder), "import", "officer A", "", [("applicants", str(EXAMPLE / "applicants.csv"))])
    run_stage(str(folder), "qualify", "officer A", "")
    table = _table(folder)
    target = next(i for i, r in sorted(table.items()) if r["status"] == "qualified" and r["grade"] == "G1")
    corrections = _write(work / "corrections.csv", ["id", "field", "value", "reason", "officer"], [[target, "points", "199", "points of a second permit left out", "Li"]])
    said = run_stage(str(folder), "correct", "officer B", "objections heard", [("corrections", corrections)])
    assert any(str(line).startswith(target) for line in said.lines)
    apps = {a["id"]: a for a in csv.DictReader((EXAMPLE / "applicants.csv").open(encoding="utf-8"))}
    qualified = [i for i, r in sorted(_table(folder).items()) if r["status"] == "qualified"]
    choices = _write(work / "choices.csv", ["id", "choices", "accepts_coordination"], [[i, apps[i]["choices"], "false"] for i in qualified])
    run_stage(str(folder), "choices", "officer A", "", [("choices", choices)], {"as_of": "2022-06-12"})
    run_stage(str(folder), "allocate", "officer A", "")
    return folder, target


def test_an_applicant_corrected_allocated_declined_and_cleared_is_told_whole(allocated, tmp_path):
    source, target = allocated
    folder = tmp_path / "season"
    shutil.copytree(source, folder)
    table = _table(folder)
    assert table[target]["status"] == "admitted"
    first_school = table[target]["school"]
    admitted = [i for i, r in sorted(table.items()) if r["status"] == "admitted"]
    decisions = _write(tmp_path / "decisions.csv", ["id", "decision"], [[i, "declined" if i == target else "confirmed"] for i in admitted])
    run_stage(str(folder), "confirm", "officer C", "window closes", [("decisions", decisions)], {"close": True})
    offered = sorted({s for s in (r["school"] for r in _table(folder).values()) if s} - {first_school})
    grade_schools = [row["id"] for row in csv.DictReader((EXAMPLE / "schools.csv").open(encoding="utf-8")) if row["grade"] == table[target]["grade"]]
    clearing = _write(tmp_path / "clearing.csv", ["id", "choices"], [[target, first_school]])
    said = run_stage(str(folder), "clearing", "officer D", "clearing round", [("clearing", clearing)])
    assert "1 admitted" in str(said.lines[0])
    after = _table(folder)[target]
    assert (after["status"], after["school"], after["round"]) == ("admitted", first_school, "clearing")  # its own declined seat, offered again
    assert first_school in grade_schools and offered is not None

    story = explain_applicant(str(folder), target)
    # the data and where each value came from: the application file's row, and the correction with its officer and reason
    assert "applicants.csv row" in story
    assert "corrected from" in story and "by Li (corrections.csv:2): points of a second permit left out" in story
    # each requirement with its clause, the points and the rank
    assert "[Article 4 (I) 2]" in story and "total (verified, read from the application): 199" in story and "Rank: " in story
    # choices, the allocation, and every officer's row about the applicant, from the recorded files
    assert "Choices filed:" in story and f"Allocation: admitted at {first_school}" in story
    for file in ("corrections.csv", "choices.csv", "decisions.csv", "clearing.csv"):
        assert f"{file} row" in story
    assert "decision=declined" in story
    # the status after each stage, ending in clearing
    steps = story.split("What the season did, stage by stage:")[1]
    assert [line.split(": ", 1)[1].split(" ")[0] for line in steps.strip().splitlines()[:6]] == [
        "qualified", "qualified", "qualified", "admitted", "declined", "admitted"
    ]
    assert "How far the tool decided" in story
    assert verify_season(str(folder)).problems == []


def test_a_late_correction_places_only_the_corrected_applicant_over_the_seats_left(allocated, tmp_path):
    source, _ = allocated
    folder = tmp_path / "season"
    shutil.copytree(source, folder)
    before = _table(folder)
    outsider = next(i for i, r in sorted(before.items()) if r["status"] == "not_qualified" and r["grade"] == "G1")
    corrections = _write(tmp_path / "late.csv", ["id", "field", "value", "reason"], [[outsider, "points", "400", "objection upheld after allocation"]])
    said = run_stage(str(folder), "correct", "officer B", "late objection", [("corrections", corrections)])
    changed = [str(line) for line in said.lines if str(line).startswith("BY2022")]
    assert len(changed) == 1 and changed[0].startswith(outsider)
    after = _table(folder)
    moved = {i for i in before if (before[i]["status"], before[i]["school"], before[i]["rank"]) != (after[i]["status"], after[i]["school"], after[i]["rank"])}
    assert moved == {outsider}  # no one else's result moves, not even a rank
    assert after[outsider]["status"] in ("admitted", "unplaced") and after[outsider]["rank"] < before[outsider]["rank"]


def test_a_late_correction_that_would_take_a_held_seat_is_refused(allocated, tmp_path):
    source, _ = allocated
    folder = tmp_path / "season"
    shutil.copytree(source, folder)
    holder = next(i for i, r in sorted(_table(folder).items()) if r["status"] == "admitted")
    corrections = _write(tmp_path / "late.csv", ["id", "field", "value", "reason"], [[holder, "applicant_hukou", "广州", "found to hold Guangzhou hukou"]])
    with pytest.raises(StageError) as info:
        run_stage(str(folder), "correct", "officer B", "", [("corrections", corrections)])
    assert holder in info.value.render()
    assert _table(folder)[holder]["status"] == "admitted"


def test_a_stage_outside_its_window_warns_and_inside_it_does_not(allocated, tmp_path, library):
    work = tmp_path
    folder = work / "season"
    init_season(str(folder), str(library / "baiyun" / "2022.jifen"), str(EXAMPLE / "schools.csv"), "A", "")
    run_stage(str(folder), "import", "A", "", [("applicants", str(EXAMPLE / "applicants.csv"))])
    run_stage(str(folder), "qualify", "A", "")
    qualified = [i for i, r in sorted(_table(folder).items()) if r["status"] == "qualified"]
    choices = _write(work / "choices.csv", ["id", "choices", "accepts_coordination"], [[qualified[0], "", "true"]])
    late = run_stage(str(folder), "choices", "A", "", [("choices", choices)], {"as_of": "2022-06-20"})
    assert [str(w) for w in late.warnings] == ["warning: choices on 2022-06-20 is outside the phase choosing (2022-06-10 to 2022-06-14)"]
    again = run_stage(str(folder), "choices", "A", "", [("choices", choices)], {"as_of": "2022-06-14"})
    assert again.warnings == []


def test_the_report_counts_the_subsidies_of_registered_pupils_at_private_schools(tmp_path):
    example = ROOT / "examples" / "haizhu-2022"
    folder = tmp_path / "season"
    init_season(str(folder), str(ROOT / "policies" / "haizhu" / "2022.jifen"), str(example / "schools.csv"), "A", "")
    run_stage(str(folder), "import", "A", "", [("applicants", str(example / "applicants.csv"))])
    run_stage(str(folder), "qualify", "A", "")
    apps = {a["id"]: a for a in csv.DictReader((example / "applicants.csv").open(encoding="utf-8"))}
    qualified = [i for i, r in sorted(_table(folder).items()) if r["status"] == "qualified"]
    choices = _write(tmp_path / "ch.csv", ["id", "choices", "accepts_coordination"], [[i, apps[i]["choices"], "true"] for i in qualified])
    run_stage(str(folder), "choices", "A", "", [("choices", choices)])
    run_stage(str(folder), "allocate", "A", "")
    admitted = [i for i, r in sorted(_table(folder).items()) if r["status"] == "admitted"]
    run_stage(str(folder), "confirm", "A", "", [("decisions", _write(tmp_path / "d.csv", ["id", "decision"], [[i, "确认"] for i in admitted]))], {"close": True})
    registering = admitted[1:]  # the first does not come: not counted
    run_stage(str(folder), "register", "A", "", [("registrations", _write(tmp_path / "r.csv", ["id", "registered"], [[i, "是"] for i in registering]))], {"close": True})
    state, entries = season_rows(str(folder))
    schools = {row["id"]: row for row in csv.DictReader((example / "schools.csv").open(encoding="utf-8"))}
    rates = {(t, s): a for t, s, a in state.policy.subsidies.rates}  # Haizhu 2022: private primary 2,500, junior 3,000
    stages = {g.value: g.stage for g in state.policy.grades}
    table = _table(folder)
    assert table[admitted[0]]["status"] == "declined"
    expected = sum(
        (rates.get((schools[r["school"]]["type"], stages[r["grade"]]), Decimal(0)) for r in table.values() if r["status"] == "registered"),
        Decimal(0),
    )
    assert expected > 0
    page = report_html(state, entries)
    per_year = expected * state.policy.subsidies.semesters_per_year
    assert f'<td class="n">{expected}</td><td class="n">{per_year}</td></tr></tbody>' in page
    assert page.count("<svg") >= 3 and "<script" not in page
    assert entries[-1].digest in page and "招生工作统计报告" in page


def test_a_public_list_notes_the_log_head_and_lists_only_seat_holders(allocated):
    folder, _ = allocated
    state, entries = season_rows(str(folder))
    admission = public_list(state, "admission", entries[-1].digest)
    assert admission.notes[-1] == f"Season log head: {entries[-1].digest}"
    holders = state.table.filter(pl.col("status") == "admitted").height
    assert len(admission.rows) == holders
    qualification = public_list(state, "qualification", entries[-1].digest)
    assert len(qualification.rows) == state.table.height


def test_verify_names_a_seat_left_untaken_while_one_who_listed_it_was_unplaced(allocated):
    from jifen_dsl.season import audit

    folder, _ = allocated
    state, entries = season_rows(str(folder))
    victim = state.table.filter((pl.col("status") == "admitted") & pl.col("sibling").is_null()).row(0, named=True)
    # As if allocation had left the victim unplaced: the seat it took is free, and it listed that school.
    broken = state.table.with_columns(
        status=pl.when(pl.col("id") == victim["id"]).then(pl.lit("unplaced")).otherwise(pl.col("status")),
        school=pl.when(pl.col("id") == victim["id"]).then(pl.lit(None)).otherwise(pl.col("school")),
    )
    allocation = next(e for e in entries if e.action == "allocate")
    found = [str(problem) for problem in audit._wasted(entries, {allocation.seq: attrs.evolve(state, table=broken)})]
    assert len(found) == 1 and found[0].startswith(f"priority: log entry {allocation.seq} (allocate): school {victim['school']} left 1 seats untaken while ")
    assert victim["id"] in found[0].split(" while ")[1]  # with any other unplaced applicant who listed it
    assert audit._wasted(entries, {allocation.seq: state}) == []


def test_verify_explains_every_unfilled_seat_in_the_policys_language(tmp_path):
    import subprocess
    import sys

    folder = tmp_path / "haizhu"
    done = subprocess.run(["sh", str(ROOT / "examples" / "haizhu-2022" / "season" / "run.sh"), str(folder)], capture_output=True, text=True, cwd=ROOT,
                          env={**__import__("os").environ, "PATH": str(Path(sys.executable).parent) + ":" + __import__("os").environ["PATH"]})
    assert done.returncode == 0, done.stderr
    state, _ = season_rows(str(folder))
    left = {s.id: s.seats for s in state.schools}
    for school in state.table.filter(pl.col("status").is_in(["admitted", "confirmed", "registered"])).get_column("school").to_list():
        left[school] -= 1
    unfilled = {k: v for k, v in left.items() if v > 0}
    assert f"ok: 最终有 {sum(unfilled.values())} 个学位空缺，原因如下：" in done.stdout
    explained = [line for line in done.stdout.splitlines() if line.startswith("  HZ-")]
    assert sorted(line.split("（")[0].strip() for line in explained) == sorted(unfilled)
    assert "本政策不设补录" in done.stderr  # the refused clearing of the script


def test_a_publication_is_logged_with_the_head_printed_on_it_and_the_lists_digest(allocated, tmp_path):
    import hashlib

    import openpyxl

    from jifen_dsl.season.commands import open_store
    from jifen_dsl.season.public import publish

    folder = tmp_path / "season"
    shutil.copytree(allocated[0], folder)
    _, before = season_rows(str(folder))
    out = tmp_path / "admission.xlsx"
    rows, head = publish(str(folder), "admission", "xlsx", str(out), "officer E", "public notice")
    assert head == before[-1].digest
    store = open_store(str(folder))
    try:
        entry = store.entries()[-1]
    finally:
        store.close()
    assert (entry.action, entry.officer, entry.reason) == ("publish", "officer E", "public notice")
    assert entry.options == {"list": "admission", "format": "xlsx", "file": "admission.xlsx", "digest": hashlib.sha256(out.read_bytes()).hexdigest(), "head": head}
    sheet = openpyxl.load_workbook(out).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert f"Season log head: {head}" in cells
    assert sheet.max_row == 1 + rows + 1 + 3  # the header, the rows, a gap, and the notes: count, publication rule, log head
    assert verify_season(str(folder), head).problems == []  # the head printed is still in the log


def test_where_the_policy_lets_admitted_applicants_wait_a_freed_better_seat_moves_them_and_theirs_is_offered_on(tmp_path):
    # Baiyun 2022 with admitted_waits on (as Parcoursup, SAE or NYC): one holding a seat may seek a better one in clearing.
    root = tmp_path / "library"
    (root / "guangzhou").mkdir(parents=True)
    shutil.copy(ROOT / "policies" / "guangzhou" / "fields.jifen", root / "guangzhou" / "fields.jifen")
    (root / "baiyun").mkdir()
    text = (ROOT / "policies" / "baiyun" / "2022.jifen").read_text(encoding="utf-8").replace("    unconfirmed declines", "    unconfirmed declines\n    admitted_waits on")
    (root / "baiyun" / "2022.jifen").write_text(text, encoding="utf-8")
    folder = tmp_path / "season"
    init_season(str(folder), str(root / "baiyun" / "2022.jifen"), str(EXAMPLE / "schools.csv"), "A", "")
    run_stage(str(folder), "import", "A", "", [("applicants", str(EXAMPLE / "applicants.csv"))])
    run_stage(str(folder), "qualify", "A", "")
    apps = {a["id"]: a for a in csv.DictReader((EXAMPLE / "applicants.csv").open(encoding="utf-8"))}
    qualified = [i for i, r in sorted(_table(folder).items()) if r["status"] == "qualified"]
    silent = qualified[-1]  # files no choices: gives up, and may enter clearing
    run_stage(str(folder), "choices", "A", "", [("choices", _write(tmp_path / "ch.csv", ["id", "choices", "accepts_coordination"], [[i, apps[i]["choices"], "false"] for i in qualified[:-1]]))])
    run_stage(str(folder), "allocate", "A", "")
    table = _table(folder)
    # A seat at someone's first choice is declined; the best-ranked holder of a later choice that listed it first waits for it.
    mover = min(
        (r for r in table.values() if r["status"] == "admitted" and r["round"] != "choice:1" and r["choices"] and r["grade"] == table[silent]["grade"]),
        key=lambda r: r["rank"],
    )
    wanted, held = mover["choices"][0], mover["school"]
    decliner = next(i for i, r in sorted(table.items()) if r["status"] == "admitted" and r["school"] == wanted)
    admitted = [i for i, r in sorted(table.items()) if r["status"] == "admitted"]
    decisions = [[i, "declined" if i == decliner else "confirmed"] for i in admitted]
    run_stage(str(folder), "confirm", "A", "", [("decisions", _write(tmp_path / "d.csv", ["id", "decision"], decisions))], {"close": True})
    clearing = _write(tmp_path / "c.csv", ["id", "choices"], [[mover["id"], f"{wanted};{held}"], [silent, held]])
    said = run_stage(str(folder), "clearing", "A", "", [("clearing", clearing)])
    after = _table(folder)
    assert (after[mover["id"]]["status"], after[mover["id"]]["school"], after[mover["id"]]["round"]) == ("admitted", wanted, "clearing")
    assert (after[silent]["status"], after[silent]["school"]) == ("admitted", held)  # the seat the mover left, in a further round
    assert "2 admitted" in str(said.lines[0])
    unchanged = {i for i in table if i not in (mover["id"], silent, decliner) and table[i]["status"] != "qualified"}
    assert all(after[i]["school"] == table[i]["school"] for i in unchanged)  # no one else moved
    assert verify_season(str(folder)).problems == []
