"""`jifen season`, driven as an officer drives it: each command a process of its own.

One Baiyun 2022 season is built once for the module (``baiyun``), stage by stage,
with the officers' files generated from the season's own export so that they fit;
a copy of the folder is kept after every stage, and tests that change a season
branch from a copy of one of them.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..conftest import ROOT

EXAMPLE = ROOT / "examples" / "baiyun-2022"
BAIYUN = ROOT / "policies" / "baiyun" / "2022.jifen"
HAIZHU = ROOT / "policies" / "haizhu" / "2022.jifen"
HAIZHU_DATA = ROOT / "examples" / "haizhu-2022"

HOLDING = ("admitted", "confirmed", "registered")
BUSY = re.compile(r"busy, try again|another season command is running")
TIMEOUT = 180


# ------------------------------------------------------------------ helpers


def season_cmd(*args: object) -> list[str]:
    return [sys.executable, "-m", "jifen_dsl", "season", *map(str, args)]


def jifen(*args: object) -> subprocess.CompletedProcess:
    """Run ``jifen season ARGS`` as its own process from the repository's top."""
    return subprocess.run(season_cmd(*args), capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT)


def ok(*args: object) -> subprocess.CompletedProcess:
    done = jifen(*args)
    assert done.returncode == 0, f"jifen season {' '.join(map(str, args))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def refused(*args: object) -> subprocess.CompletedProcess:
    done = jifen(*args)
    assert done.returncode == 1, f"expected a refusal (exit 1), got {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_rows(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def export(folder: Path, out: Path) -> list[dict[str, str]]:
    ok("export", folder, "-o", out)
    return read_rows(out)


def by_id(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in rows}


def db(folder: Path) -> sqlite3.Connection:
    return sqlite3.connect(folder / "season.db")


def table_counts(folder: Path) -> dict[str, int]:
    with closing_db(db(folder)) as con:
        return {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("log", "outcomes", "files")}


def log_table(folder: Path) -> list[tuple]:
    with closing_db(db(folder)) as con:
        return con.execute("SELECT seq, action, reason, digest FROM log ORDER BY seq").fetchall()


class closing_db:  # sqlite3's own context manager commits but does not close
    def __init__(self, con: sqlite3.Connection):
        self.con = con

    def __enter__(self) -> sqlite3.Connection:
        return self.con

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            self.con.commit()
        self.con.close()


def head_of(output: str) -> str:
    found = re.findall(r"log head: ([0-9a-f]{64})", output)
    assert found, output
    return found[-1]


def total_seats() -> int:
    return sum(int(s["seats"]) for s in read_rows(EXAMPLE / "schools.csv"))


def schools() -> dict[str, dict[str, str]]:
    return by_id(read_rows(EXAMPLE / "schools.csv"))


def applicant_ids(path: Path) -> list[str]:
    return [r["id"] for r in read_rows(path)]


# ------------------------------------------------------------------ the season, once


@dataclass
class Season:
    """The Baiyun season built once: a copy of its folder after each stage, the stage's output, the export, the files given."""

    base: Path
    snapshots: dict[str, Path] = field(default_factory=dict)
    output: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)
    exports: dict[str, subprocess.CompletedProcess] = field(default_factory=dict)
    files: dict[str, Path] = field(default_factory=dict)
    facts: dict[str, object] = field(default_factory=dict)

    def rows(self, stage: str) -> list[dict[str, str]]:
        done = self.exports[stage]
        assert done.returncode == 0, done.stderr
        return read_rows(self.base / f"export-{stage}.csv")

    def copy(self, stage: str, to: Path) -> Path:
        target = to / f"season-{stage}"
        shutil.copytree(self.snapshots[stage], target)
        return target


STAGE_ORDER = ("import", "qualify", "correct", "choices", "allocate", "confirm", "clearing", "confirm2", "register")


@pytest.fixture(scope="module")
def baiyun(tmp_path_factory) -> Season:
    base = tmp_path_factory.mktemp("baiyun")
    season = Season(base)
    work = base / "work"

    def after(stage: str, done: subprocess.CompletedProcess) -> list[dict[str, str]] | None:
        season.output[stage] = done
        season.snapshots[stage] = base / f"snapshot-{stage}"
        shutil.copytree(work, season.snapshots[stage])
        out = base / f"export-{stage}.csv"
        season.exports[stage] = jifen("export", season.snapshots[stage], "-o", out)
        return read_rows(out) if season.exports[stage].returncode == 0 else None

    ok("init", work, "--policy", BAIYUN, "--schools", EXAMPLE / "schools.csv", "--reason", "2022 season", "--officer", "Wang")
    after("import", ok("import", work, EXAMPLE / "applicants.csv"))
    qualified = after("qualify", ok("qualify", work))

    # A correction after an objection: the best-ranked G1 applicant left out of the
    # qualification list gets more points than anyone of the grade.
    g1 = [r for r in qualified if r["grade"] == "G1" and r["rank"]]
    out = min((r for r in g1 if r["status"] == "not_qualified"), key=lambda r: int(r["rank"]))
    top = max(float(r["points"]) for r in g1)
    new_points = f"{int(top) + 10}"
    season.facts.update(corrected=out["id"], corrected_points=(out["points"], new_points))
    season.files["corrections"] = write_rows(
        base / "corrections.csv", ["id", "field", "value", "reason", "officer"],
        [[out["id"], "points", new_points, "objection upheld: employment points left out", "Li"]],
    )
    corrected = after("correct", ok("correct", work, season.files["corrections"], "--reason", "objections heard"))

    # Choices: every qualified applicant but the two last-ranked of each grade files three schools.
    offers: dict[str, list[str]] = {}
    for school in read_rows(EXAMPLE / "schools.csv"):
        offers.setdefault(school["grade"], []).append(school["id"])
    lines, silent = [], []
    for grade, ids in offers.items():
        mine = sorted((r for r in corrected if r["grade"] == grade and r["status"] == "qualified"), key=lambda r: int(r["rank"]))
        silent += [r["id"] for r in mine[-2:]]
        for k, r in enumerate(mine[:-2]):
            listed = [ids[(k + j) % len(ids)] for j in range(3)]
            lines.append([r["id"], ";".join(listed), "true"])
    season.facts["gave_up"] = silent
    season.files["choices"] = write_rows(base / "choices.csv", ["id", "choices", "accepts_coordination"], lines)
    after("choices", ok("choices", work, season.files["choices"]))
    allocated = after("allocate", ok("allocate", work))

    # Confirmations: at one full school of each grade the last-ranked admitted declines;
    # one more admitted elsewhere says nothing (and so declines when the window closes).
    held = Counter(r["school"] for r in allocated if r["status"] == "admitted")
    seats = schools()
    full = {}
    for grade in ("G1", "G7"):
        full[grade] = next(s for s, count in sorted(held.items()) if seats[s]["grade"] == grade and count == int(seats[s]["seats"]))
    admitted = sorted((r for r in allocated if r["status"] == "admitted"), key=lambda r: (r["grade"], int(r["rank"])))
    decliners = {}
    for grade, school in full.items():
        decliners[grade] = max((r for r in admitted if r["school"] == school), key=lambda r: int(r["rank"]))["id"]
    quiet = next(r["id"] for r in admitted if r["school"] not in full.values())
    decisions = []
    for r in admitted:
        if r["id"] == quiet:
            continue
        if r["id"] == decliners["G1"]:
            decisions.append([r["id"], "declined"])
        elif r["id"] == decliners["G7"]:
            decisions.append([r["id"], "放弃"])
        else:
            decisions.append([r["id"], "confirmed" if len(decisions) % 2 else "确认"])
    season.facts.update(full=full, decliners=decliners, quiet=quiet)
    season.files["decisions"] = write_rows(base / "decisions.csv", ["id", "decision"], decisions)
    after("confirm", ok("confirm", work, season.files["decisions"], "--close"))

    # Clearing: those who gave up by filing no choices ask only for the full school of their grade.
    by = by_id(allocated)
    clearing_rows = [[i, full[by[i]["grade"]]] for i in silent]
    season.files["clearing"] = write_rows(base / "clearing.csv", ["id", "choices"], clearing_rows)
    cleared = after("clearing", ok("clearing", work, season.files["clearing"]))

    late = [r["id"] for r in cleared if r["status"] == "admitted"]
    season.files["clearing-decisions"] = write_rows(base / "clearing-decisions.csv", ["id", "decision"], [[i, "confirmed"] for i in late])
    confirmed = after("confirm2", ok("confirm", work, season.files["clearing-decisions"], "--close"))

    waiting = sorted(r["id"] for r in confirmed if r["status"] == "confirmed")
    answers = [[i, "否" if k == 0 else "是"] for k, i in enumerate(waiting[:-1])]  # the last says nothing
    season.files["registrations"] = write_rows(base / "registrations.csv", ["id", "registered"], answers)
    after("register", ok("register", work, season.files["registrations"], "--close"))
    return season


# ------------------------------------------------------------------ 1. a refused file changes nothing


def test_choices_naming_a_non_qualified_id_are_refused_and_change_nothing(baiyun, tmp_path):
    folder = baiyun.copy("correct", tmp_path)
    rows = baiyun.rows("correct")
    qualified = [r["id"] for r in rows if r["status"] == "qualified"][:2]
    outsider = next(r["id"] for r in rows if r["status"] == "not_qualified")
    grade = by_id(rows)
    school = {g: next(s for s, row in schools().items() if row["grade"] == g) for g in ("G1", "G7")}
    choices = write_rows(
        tmp_path / "choices.csv", ["id", "choices", "accepts_coordination"],
        [[i, school[grade[i]["grade"]], "true"] for i in (*qualified, outsider)],
    )
    log_before, counts_before = ok("log", folder).stdout, table_counts(folder)
    ok("export", folder, "-o", tmp_path / "before.csv")

    done = refused("choices", folder, choices)

    assert f"{choices}:4" in done.stderr, done.stderr  # the file, and the row (line 4: header, then rows 2..4)
    assert repr(outsider) in done.stderr
    assert "not qualified" in done.stderr
    for fine in qualified:
        assert fine not in done.stderr
    assert ok("log", folder).stdout == log_before
    assert table_counts(folder) == counts_before
    ok("export", folder, "-o", tmp_path / "after.csv")
    assert (tmp_path / "after.csv").read_bytes() == (tmp_path / "before.csv").read_bytes()


# ------------------------------------------------------------------ 2. clearing leaves confirmed admissions alone


def test_confirmed_admissions_are_unchanged_by_clearing(baiyun):
    def held(stage: str) -> set[tuple[str, str, str, str]]:
        return {(r["id"], r["school"], r["status"], r["round"]) for r in baiyun.rows(stage) if r["status"] in ("confirmed", "registered")}

    before = held("confirm")
    assert len(before) > 100
    assert held("clearing") == before
    after_second_window = held("confirm2")
    assert before <= after_second_window
    assert {r[0] for r in after_second_window - before} == {r["id"] for r in baiyun.rows("clearing") if r["round"] == "clearing"}
    # Registration turns each confirmed seat into registered (or gives it up), at the same school.
    final = by_id(baiyun.rows("register"))
    for applicant, school, _, _ in before:
        assert final[applicant]["status"] in ("registered", "declined")
        assert final[applicant]["school"] == school


# ------------------------------------------------------------------ 3. every declined seat is offered in clearing


def test_clearing_offers_every_seat_no_one_holds(baiyun):
    said = re.search(r"clearing: (\d+) admitted over (\d+) seats left, (\d+) not placed", baiyun.output["clearing"].stdout)
    assert said, baiyun.output["clearing"].stdout
    admitted, left, unplaced = map(int, said.groups())

    after_window = baiyun.rows("confirm")
    held = sum(1 for r in after_window if r["status"] in HOLDING)
    assert left == total_seats() - held
    declined = [r for r in after_window if r["status"] == "declined"]
    assert len(declined) == 3  # two declines and one silence
    never_taken = total_seats() - sum(1 for r in baiyun.rows("allocate") if r["status"] == "admitted")
    assert left == never_taken + len(declined)

    cleared = baiyun.rows("clearing")
    placed = [r for r in cleared if r["round"] == "clearing"]
    assert admitted == len(placed) == 2
    assert unplaced == len(baiyun.facts["gave_up"]) - admitted


def test_a_declined_seat_at_a_full_school_goes_to_clearing(baiyun):
    allocated, after_window, cleared = (by_id(baiyun.rows(s)) for s in ("allocate", "confirm", "clearing"))
    seats = schools()
    for grade, school in baiyun.facts["full"].items():
        # full after allocation; one seat there declined
        assert sum(1 for r in allocated.values() if r["school"] == school and r["status"] == "admitted") == int(seats[school]["seats"])
        decliner = baiyun.facts["decliners"][grade]
        assert (after_window[decliner]["status"], after_window[decliner]["school"]) == ("declined", school)
        # the best-ranked of those who gave up and asked for that school takes the seat
        asking = sorted((i for i in baiyun.facts["gave_up"] if allocated[i]["grade"] == grade), key=lambda i: int(allocated[i]["rank"]))
        first, *rest = asking
        assert (cleared[first]["status"], cleared[first]["school"], cleared[first]["round"]) == ("admitted", school, "clearing")
        for other in rest:
            assert cleared[other]["status"] == "gave_up" and not cleared[other]["school"]
        holding = sum(1 for r in cleared.values() if r["school"] == school and r["status"] in HOLDING)
        assert holding == int(seats[school]["seats"])


# ------------------------------------------------------------------ 4. a correction


def test_a_correction_changes_exactly_whom_it_should(baiyun, tmp_path):
    corrected = baiyun.facts["corrected"]
    old_points, new_points = baiyun.facts["corrected_points"]
    before, after = by_id(baiyun.rows("qualify")), by_id(baiyun.rows("correct"))
    assert before.keys() == after.keys()

    # What the correction should do: the corrected applicant, with more points than anyone
    # of G1, moves up (above everyone of its batch) and qualifies; those it passes move
    # down one; the last qualified of G1 drops out; no one else changes.
    old_rank, new_rank = int(before[corrected]["rank"]), int(after[corrected]["rank"])
    qualified_g1 = [r for r in before.values() if r["grade"] == "G1" and r["status"] == "qualified"]
    last = max(qualified_g1, key=lambda r: int(r["rank"]))
    assert new_rank < int(last["rank"]) < old_rank
    passed = next(r for r in before.values() if r["grade"] == "G1" and r["rank"] == str(new_rank))
    assert float(passed["points"]) < float(new_points)
    expected = {k: dict(v) for k, v in before.items()}
    for r in expected.values():
        if r["grade"] == "G1" and r["rank"] and new_rank <= int(r["rank"]) < old_rank:
            r["rank"] = str(int(r["rank"]) + 1)
    expected[corrected].update(status="qualified", rank=str(new_rank), points=new_points)
    expected[last["id"]]["status"] = "not_qualified"
    assert after == expected

    changed = {i for i in before if before[i] != after[i]}
    output = baiyun.output["correct"].stdout
    named = set(re.findall(r"^(\S+): ", output, flags=re.M)) - {"log head"}
    assert named == changed
    assert f"1 correction recorded; {len(changed)} applicants changed" in output
    line = next(l for l in output.splitlines() if l.startswith(f"{corrected}: "))
    assert f"points {old_points} -> {new_points}" in line
    assert "not qualified -> qualified" in line

    log = ok("log", baiyun.snapshots["correct"]).stdout
    entry = next(l for l in log.splitlines() if re.match(r"\s*\d+ \S+ correct ", l))
    assert "reason='objections heard'" in entry
    assert "corrections=corrections.csv@" in entry

    data = baiyun.files["corrections"].read_bytes()
    with closing_db(db(baiyun.snapshots["correct"])) as con:
        stored = con.execute("SELECT name, content FROM files WHERE digest = ?", (hashlib.sha256(data).hexdigest(),)).fetchone()
    assert stored is not None
    assert (stored[0], bytes(stored[1])) == ("corrections.csv", data)


def test_a_correction_that_keeps_the_rank_is_still_reported(baiyun, tmp_path):
    folder = baiyun.copy("qualify", tmp_path)
    rows = baiyun.rows("qualify")
    first = next(r for r in rows if r["grade"] == "G1" and r["rank"] == "1")
    points = f"{int(float(first['points'])) + 5}"
    corrections = write_rows(tmp_path / "corrections.csv", ["id", "field", "value", "reason"], [[first["id"], "points", points, "arithmetic slip"]])

    done = ok("correct", folder, corrections, "--reason", "review")

    after = by_id(export(folder, tmp_path / "after.csv"))
    assert after[first["id"]]["points"] == points and after[first["id"]]["rank"] == "1"  # it was applied
    assert "1 correction recorded; 1 applicant changed" in done.stdout, done.stdout
    assert any(line.startswith(f"{first['id']}: ") and points in line for line in done.stdout.splitlines()), done.stdout


# ------------------------------------------------------------------ 5. kill -9 in the middle of a stage


def _killed_qualify(folder: Path, delay: float) -> int:
    process = subprocess.Popen(season_cmd("qualify", folder), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if process.poll() is None:
        os.kill(process.pid, signal.SIGKILL)
    return process.wait(timeout=TIMEOUT)


def test_kill_9_during_a_stage_leaves_a_season_that_verifies(baiyun, tmp_path):
    # How long a whole qualify takes here: the kills are spread over that time.
    reference = baiyun.copy("import", tmp_path / "reference")
    started = time.monotonic()
    ok("qualify", reference)
    span = time.monotonic() - started
    assert [a for _, a, _, _ in log_table(reference)] == ["init", "import", "qualify"]

    chance = random.Random()
    delays = [0.05] + sorted(chance.uniform(0.3, 1.0) * span for _ in range(4))
    codes = []
    for k, delay in enumerate(delays):
        folder = baiyun.copy("import", tmp_path / f"kill-{k}")
        codes.append(_killed_qualify(folder, delay))
        checked = jifen("verify", folder)
        assert checked.returncode == 0, f"killed after {delay:.3f}s: {checked.stderr}"
        log = log_table(folder)
        actions = [a for _, a, _, _ in log]
        assert actions in (["init", "import"], ["init", "import", "qualify"]), (delay, actions)
        with closing_db(db(folder)) as con:
            per_seq = dict(con.execute("SELECT seq, COUNT(*) FROM outcomes GROUP BY seq").fetchall())
        assert set(per_seq) <= {seq for seq, *_ in log}, (delay, per_seq)
        if "qualify" in actions:
            assert per_seq == {3: len(applicant_ids(EXAMPLE / "applicants.csv"))}
        else:
            assert per_seq == {}
    assert -signal.SIGKILL in codes, f"no run was killed before it ended: {codes} after {delays}"


# ------------------------------------------------------------------ 6. two commands at once


def test_two_commands_at_once_lose_nothing(baiyun, tmp_path):
    folder = baiyun.copy("allocate", tmp_path)
    admitted = sorted(r["id"] for r in baiyun.rows("allocate") if r["status"] == "admitted")
    half = len(admitted) // 2
    first = write_rows(tmp_path / "first.csv", ["id", "decision"], [[i, "confirmed"] for i in admitted[:half]])
    second = write_rows(tmp_path / "second.csv", ["id", "decision"], [[i, "declined" if k % 5 == 0 else "confirmed"] for k, i in enumerate(admitted[half:])])
    entries_before = len(log_table(folder))

    commands = [("confirm", folder, first), ("confirm", folder, second), ("status", folder)]
    processes = [subprocess.Popen(season_cmd(*c), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    results = [(p.wait(timeout=TIMEOUT), *p.communicate()) for p in processes]

    for (code, out, err), command in zip(results, commands):
        assert code == 0 or (code == 1 and BUSY.search(err)), f"{command[0]} exited {code}:\n{out}\n{err}"
    recorded = [code == 0 for code, _, _ in results[:2]]
    assert any(recorded)
    log = log_table(folder)
    assert [a for _, a, _, _ in log[entries_before:]] == ["confirm"] * sum(recorded)

    after = by_id(export(folder, tmp_path / "after.csv"))
    for done, decisions in zip(recorded, (first, second)):
        for applicant, decision in ((r["id"], r["decision"]) for r in read_rows(decisions)):
            assert after[applicant]["status"] == (decision if done else "admitted"), applicant
    ok("verify", folder)


def test_a_command_that_finds_the_season_locked_says_busy_and_records_nothing(baiyun, tmp_path):
    folder = baiyun.copy("allocate", tmp_path)
    counts = table_counts(folder)
    holder = sqlite3.connect(folder / "season.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another officer's command, in the middle of its stage
        done = refused("confirm", folder, "--close")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert BUSY.search(done.stderr), done.stderr
    assert table_counts(folder) == counts
    assert all(r["status"] != "declined" for r in export(folder, tmp_path / "after.csv"))


def _bad_schools(tmp_path: Path) -> Path:
    text = (EXAMPLE / "schools.csv").read_text(encoding="utf-8").splitlines()
    cells = text[1].split(",")
    cells[4] = "ten"
    return write_rows(tmp_path / "schools-bad.csv", text[0].split(","), [cells, *(l.split(",") for l in text[2:])])


def test_a_refused_init_names_the_officers_schools_file(tmp_path):
    bad = _bad_schools(tmp_path)
    done = refused("init", tmp_path / "season", "--policy", BAIYUN, "--schools", bad)
    assert "'ten'" in done.stderr
    assert f"{bad}:2" in done.stderr, done.stderr


def test_a_refused_init_can_be_made_again(tmp_path):
    folder = tmp_path / "season"
    refused("init", folder, "--policy", BAIYUN, "--schools", _bad_schools(tmp_path))
    done = jifen("init", folder, "--policy", BAIYUN, "--schools", EXAMPLE / "schools.csv")
    assert done.returncode == 0, done.stderr
    assert [a for _, a, _, _ in log_table(folder)] == ["init"]


# ------------------------------------------------------------------ 7. an edited database is found out


def test_verify_finds_an_edited_outcome(baiyun, tmp_path):
    folder = baiyun.copy("allocate", tmp_path)
    seq = max(s for s, *_ in log_table(folder))
    with closing_db(db(folder)) as con:
        victim = con.execute("SELECT id FROM outcomes WHERE seq = ? AND status = 'admitted' ORDER BY id LIMIT 1", (seq,)).fetchone()[0]
        con.execute("UPDATE outcomes SET status = 'unplaced', school = NULL WHERE seq = ? AND id = ?", (seq, victim))
    done = refused("verify", folder)
    assert f"log entry {seq} (allocate)" in done.stderr, done.stderr


def test_verify_finds_an_edited_log_reason(baiyun, tmp_path):
    folder = baiyun.copy("allocate", tmp_path)
    with closing_db(db(folder)) as con:
        con.execute("DROP TRIGGER log_append_only_update")
        con.execute("UPDATE log SET reason = 'nothing happened' WHERE seq = 1")
    assert log_table(folder)[0][2] == "nothing happened"
    done = refused("verify", folder)
    assert "log entry 1 (init)" in done.stderr, done.stderr


def _truncated(baiyun: Season, tmp_path: Path) -> tuple[Path, str, int]:
    folder = baiyun.copy("allocate", tmp_path)
    head = head_of(baiyun.output["allocate"].stdout)
    seq = max(s for s, *_ in log_table(folder))
    with closing_db(db(folder)) as con:
        con.execute("DROP TRIGGER log_append_only_delete")
        con.execute("DELETE FROM log WHERE seq = ?", (seq,))
    assert max(s for s, *_ in log_table(folder)) == seq - 1
    return folder, head, seq


def test_verify_with_the_published_head_finds_a_truncated_log(baiyun, tmp_path):
    ok("verify", baiyun.snapshots["allocate"], "--head", head_of(baiyun.output["allocate"].stdout))
    folder, head, _ = _truncated(baiyun, tmp_path)
    done = refused("verify", folder, "--head", head)
    assert head in done.stderr, done.stderr


def test_verify_finds_a_truncated_log_without_the_head(baiyun, tmp_path):
    folder, _, seq = _truncated(baiyun, tmp_path)
    done = jifen("verify", folder)
    assert done.returncode == 1, done.stdout
    assert f"log entry {seq}" in done.stderr or f"entry {seq}" in done.stderr, done.stderr


# ------------------------------------------------------------------ 8. Haizhu holds no clearing


def test_haizhu_refuses_clearing_with_its_clause(tmp_path):
    folder = tmp_path / "haizhu"
    ok("init", folder, "--policy", HAIZHU, "--schools", HAIZHU_DATA / "schools.csv", "--reason", "2022")
    ok("import", folder, HAIZHU_DATA / "applicants.csv")
    ok("qualify", folder)
    rows = export(folder, tmp_path / "qualified.csv")
    offers = {s["grade"]: s["id"] for s in read_rows(HAIZHU_DATA / "schools.csv")}
    chosen = [next(r for r in rows if r["status"] == "qualified" and r["grade"] == g) for g in ("G1", "G7")]
    ok("choices", folder, write_rows(tmp_path / "choices.csv", ["申请编号", "志愿", "服从统筹"], [[r["id"], offers[r["grade"]], "是"] for r in chosen]))
    ok("allocate", folder)
    closed = ok("confirm", folder, write_rows(tmp_path / "decisions.csv", ["申请编号", "答复"], [[chosen[0]["id"], "确认"]]), "--close")
    assert "确认期已结束" in closed.stdout
    gave_up = next(r for r in rows if r["status"] == "qualified" and r["id"] not in {c["id"] for c in chosen})
    clearing = write_rows(tmp_path / "clearing.csv", ["申请编号", "志愿"], [[gave_up["id"], offers[gave_up["grade"]]]])
    log_before = log_table(folder)

    done = refused("clearing", folder, clearing)

    text = HAIZHU.read_text(encoding="utf-8").splitlines()
    line = next(k for k, l in enumerate(text, 1) if l.strip() == "补录 关闭")
    cite = re.search(r"学位分配 依据 “([^”]+)”", HAIZHU.read_text(encoding="utf-8")).group(1)
    assert "本政策不设补录" in done.stderr, done.stderr
    assert f"haizhu/2022.jifen:{line}" in done.stderr
    assert "`补录 关闭`" in done.stderr
    assert f"依据：{cite}" in done.stderr
    assert "the policy holds no clearing" not in done.stderr
    assert log_table(folder) == log_before


def in_language(lang: str, *args: object) -> subprocess.CompletedProcess:
    """``jifen --lang LANG season ARGS``."""
    return subprocess.run([sys.executable, "-m", "jifen_dsl", "--lang", lang, "season", *map(str, args)], capture_output=True, text=True, cwd=ROOT, timeout=TIMEOUT)


def test_a_chinese_season_speaks_chinese_and_english_when_asked(tmp_path):
    folder = tmp_path / "haizhu"
    ok("init", folder, "--policy", HAIZHU, "--schools", HAIZHU_DATA / "schools.csv", "--reason", "2022")
    ok("import", folder, HAIZHU_DATA / "applicants.csv")
    ok("qualify", folder)
    counts = Counter(r["status"] for r in export(folder, tmp_path / "qualified.csv"))

    chinese = ok("status", folder).stdout.splitlines()
    assert chinese[0] == "阶段：建立, 导入申请, 资格名单"
    assert f"  获得资格: {counts['qualified']}" in chinese and f"  未获资格: {counts['not_qualified']}" in chinese
    assert chinese[-2].startswith("下一阶段：填报志愿") and chinese[-1].startswith("日志摘要：")

    english = in_language("en", "status", folder)
    assert english.returncode == 0, english.stderr
    lines = english.stdout.splitlines()
    assert lines[0] == "stages: init, import, qualify"
    assert f"  qualified: {counts['qualified']}" in lines and f"  not qualified: {counts['not_qualified']}" in lines
    assert lines[-2].startswith("next: choices") and lines[-1] == f"log head: {head_of(english.stdout)}"
    assert lines[-1].removeprefix("log head: ") == chinese[-1].removeprefix("日志摘要：")

    # A refusal too: in the policy's language, or in the one asked for.
    assert "“导入申请”已完成，不能再次进行" in refused("import", folder, HAIZHU_DATA / "applicants.csv").stderr
    again = in_language("en", "import", folder, HAIZHU_DATA / "applicants.csv")
    assert again.returncode == 1 and "error[S0002]: import is done already; the season has moved on" in again.stderr, again.stderr


def test_an_english_season_speaks_chinese_when_asked(baiyun):
    done = in_language("zh", "status", baiyun.snapshots["qualify"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "阶段：建立, 导入申请, 资格名单"
    assert ok("status", baiyun.snapshots["qualify"]).stdout.splitlines()[0] == "stages: init, import, qualify"


# ------------------------------------------------------------------ 9. stages out of order


ORDER_CASES = [
    ("qualify", ("allocate",), "choices comes first: run `jifen season choices` before this"),
    ("import", ("choices", "{choices}"), "qualify comes first: run `jifen season qualify` before this"),
    ("choices", ("confirm", "--close"), "allocate comes first: run `jifen season allocate` before this"),
    ("allocate", ("register", "--close"), "close the confirmation window first (jifen season confirm"),
    ("allocate", ("clearing", "{clearing}"), "close the confirmation window first (jifen season confirm"),
    ("confirm", ("register", "--close"), "clearing comes first: run `jifen season clearing` before this"),
]


@pytest.mark.parametrize(("stage", "command", "said"), ORDER_CASES, ids=[f"{c[0]}-after-{s}" for s, c, _ in ORDER_CASES])
def test_stages_out_of_order_are_refused(baiyun, tmp_path, stage, command, said):
    folder = baiyun.copy(stage, tmp_path)
    action, *rest = command
    args = [a.format(choices=baiyun.files["choices"], clearing=baiyun.files["clearing"]) for a in rest]
    before, counts = log_table(folder), table_counts(folder)
    done = refused(action, folder, *args)
    assert said in done.stderr, done.stderr
    assert log_table(folder) == before and table_counts(folder) == counts


# ------------------------------------------------------------------ 10. everyone, once, at every stage


@pytest.mark.parametrize("stage", STAGE_ORDER[1:])
def test_every_applicant_appears_once_in_the_export(baiyun, stage):
    done = baiyun.exports[stage]
    assert done.returncode == 0, done.stderr
    exported = [r["id"] for r in baiyun.rows(stage)]
    applicants = applicant_ids(EXAMPLE / "applicants.csv")
    assert len(exported) == len(applicants)
    assert Counter(exported) == Counter(applicants)
    assert set(Counter(exported).values()) == {1}
    assert f"{len(applicants)} applicants -> " in done.stdout


def test_export_before_the_qualification_list_says_qualify_comes_first(baiyun):
    done = baiyun.exports["import"]
    assert done.returncode == 1
    assert "qualify comes first: run `jifen season qualify` before this" in done.stderr, done.stderr
    assert "internal error" not in done.stderr
