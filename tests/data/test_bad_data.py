"""The malformed-input corpus: every file gives its own precise message, and nothing is written.

The files in tests/data/bad/ are written by tests/data/bad/generate.py; each is
one way a district office's file goes wrong (encodings, Excel quirks, JSON that
is not a list, bad cells ...). The rendered messages are snapshots: a change in
wording is a visible change in the tool's behaviour. The policy is Chinese, so
its messages are: each file's are snapshots in Chinese, and in English
(``--lang en``) too.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys

import pytest


from ..conftest import ROOT, run_cli as run

BAD = ROOT / "tests" / "data" / "bad"
HAIZHU = "policies/haizhu/2022.jifen"

# Extra arguments a case needs; every other file is evaluated as it is.
ARGUMENTS = {
    "gb18030_read_as_utf8.csv": ["--encoding", "utf-8"],
    "missing_sheet.xlsx": ["--sheet", "名单"],
}
CORPUS = sorted(p.name for p in BAD.iterdir() if p.suffix != ".py" and p.name != "bad_schools.csv")


pytestmark = pytest.mark.usefixtures("at_root")


def test_the_corpus_is_large_enough_and_as_the_generator_writes_it():
    spec = importlib.util.spec_from_file_location("generate_bad", BAD / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    files = generate.corpus()
    assert len(files) >= 20
    assert sorted(files) == sorted(p.name for p in BAD.iterdir() if p.suffix != ".py")
    for name, data in files.items():
        if name.endswith(".xlsx") and data.startswith(b"PK"):
            # Another openpyxl or zlib may write other bytes for the same workbook: compare what it holds.
            assert _workbook_content((BAD / name).read_bytes()) == _workbook_content(data), name
        else:
            assert (BAD / name).read_bytes() == data, name


def _workbook_content(data: bytes):
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(data))
    return [
        (ws.title, sorted(str(r) for r in ws.merged_cells.ranges), [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()])
        for ws in workbook.worksheets
    ]


@pytest.mark.parametrize("name", CORPUS)
def test_each_malformed_file_gives_its_precise_message(name, snapshot, tmp_path):
    out = tmp_path / "out"
    result = run("evaluate", HAIZHU, f"tests/data/bad/{name}", *ARGUMENTS.get(name, []), "--out", str(out))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "Traceback" not in result.output
    assert result.stderr.rstrip().endswith("未写出任何文件")  # the policy's language: "... problems found; nothing was written"
    assert not out.exists() and list(tmp_path.iterdir()) == []
    assert result.stderr == snapshot


@pytest.mark.parametrize("name", CORPUS)
def test_each_malformed_file_gives_its_precise_message_in_english(name, snapshot):
    result = run("--lang", "en", "evaluate", HAIZHU, f"tests/data/bad/{name}", *ARGUMENTS.get(name, []))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.rstrip().endswith("found; nothing was written")
    assert result.stderr == snapshot


def test_every_message_is_distinct():
    messages = {name: run("evaluate", HAIZHU, f"tests/data/bad/{name}", *ARGUMENTS.get(name, [])).stderr for name in CORPUS}
    assert len(set(messages.values())) == len(messages)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_bad_schools_file_lists_every_problem(lang, snapshot):
    result = run("--lang", lang, "allocate", HAIZHU, "tests/data/applicants/haizhu.csv", "tests/data/bad/bad_schools.csv")
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == snapshot


def _jifen(*args: str) -> subprocess.CompletedProcess:
    """The ``jifen`` command in a process of its own, on a machine whose locale asks for no language."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "jifen_dsl", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_a_chinese_policy_tells_the_problems_of_an_applicant_file_in_chinese_unless_english_is_asked_for():
    missing, dates = "tests/data/bad/missing_columns.csv", "tests/data/bad/mixed_dates.csv"
    header = _jifen("evaluate", HAIZHU, missing)
    assert header.returncode == 1 and header.stdout == ""
    assert f"{missing}：表头与政策 {HAIZHU} 不符" in header.stderr
    assert f"{missing}:1：缺少本政策需要读取的列「permit_start」（居住证起始日期）" in header.stderr
    assert f"{missing}:1：缺少本政策需要读取的列「points」（积分）" in header.stderr
    assert header.stderr.splitlines()[-1] == "发现 2 个问题；未写出任何文件"
    cells = _jifen("evaluate", HAIZHU, dates)
    assert cells.returncode == 1
    assert f"{dates}:7:3：列「child_birth_date」（出生日期）：'2016-02-30' 不是日历上存在的日期" in cells.stderr
    assert f"{dates}:9:28：列「applied_at」（申请时间）：'2022/4/26' 不是日期时间（应写作 YYYY-MM-DD HH:MM，例如 2022-04-25 09:30）" in cells.stderr
    assert cells.stderr.splitlines()[-1] == "发现 6 个问题；未写出任何文件"

    english = _jifen("--lang", "en", "evaluate", HAIZHU, missing)
    assert english.returncode == 1 and english.stdout == ""
    assert english.stderr.splitlines() == [
        f"{missing}: the header does not fit the policy {HAIZHU}",
        f"error[D0413]: {missing}:1: missing column 'permit_start' (居住证起始日期), which this policy reads",
        f"error[D0413]: {missing}:1: missing column 'points' (积分), which this policy reads",
        "2 problems found; nothing was written",
    ]
    cells = _jifen("--lang", "en", "evaluate", HAIZHU, dates)
    assert f"error[D0401]: {dates}:7:3: column 'child_birth_date' (出生日期): '2016-02-30' is not a calendar date" in cells.stderr
    assert cells.stderr.splitlines()[-1] == "6 problems found; nothing was written"


def test_a_long_list_is_grouped_by_column_and_capped_with_the_total():
    result = run("--lang", "en", "evaluate", HAIZHU, "tests/data/bad/many_errors.csv")
    lines = result.stderr.splitlines()
    assert "column 'points' (积分): 43 problems" in lines
    assert "column 'child_birth_date' (出生日期): 9 problems" in lines
    assert "  ... and 33 more" in lines
    assert sum(1 for line in lines if line.startswith("  error[D04")) == 10 + 9
    assert lines[-1] == "52 problems found; nothing was written"


@pytest.mark.parametrize(
    ("name", "rejected"),
    [
        ("mixed_dates.csv", 6),
        ("duplicate_ids.csv", 4),  # both rows of each duplicated id
        ("broken_line.jsonl", 2),
        ("merged_data_cells.xlsx", 2),
        ("unknown_grade.csv", 2),
        ("lookalike_ids.csv", 4),  # every row of an id written two ways
        ("control_characters.csv", 3),
        ("formula_cell.xlsx", 1),
    ],
)
def test_lenient_sets_each_bad_row_aside_with_its_reason(name, rejected, tmp_path):
    import csv

    rejects = tmp_path / "rejects.csv"
    result = run("--lang", "en", "evaluate", HAIZHU, f"tests/data/bad/{name}", "--lenient", "--rejects", str(rejects), "--format", "json")
    assert result.exit_code == 0, result.stderr
    with open(rejects, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:2] == ["行号", "原因"]
    assert len(rows) - 1 == rejected
    assert all(row[1] for row in rows[1:])
    assert f"warning: {rejected} of " in result.stderr and str(rejects) in result.stderr
    import json

    kept = json.loads(result.stdout)
    # Nothing dropped silently: every data row is either evaluated or set aside.
    set_aside = {int(row[0]) for row in rows[1:]}
    assert len(kept) + len(set_aside) == _data_rows(name)


def _data_rows(name: str) -> int:
    from jifen_dsl.data.readers import read_table

    table = read_table(f"tests/data/bad/{name}")
    return sum(1 for _, cells in table.rows if any(c.strip() for c in cells)) + len(table.broken)


def test_lenient_still_refuses_a_header_that_does_not_fit(tmp_path):
    result = run("evaluate", HAIZHU, "tests/data/bad/missing_columns.csv", "--lenient", "--rejects", str(tmp_path / "r.csv"))
    assert result.exit_code == 1
    assert "缺少本政策需要读取的列「points」（积分）" in result.stderr
    assert not (tmp_path / "r.csv").exists()


def test_lenient_needs_somewhere_to_keep_the_rows():
    result = run("--lang", "en", "evaluate", HAIZHU, "tests/data/bad/mixed_dates.csv", "--lenient")
    assert result.exit_code == 2
    assert "--lenient sets rows aside: give --rejects FILE (or --out DIR)" in result.output
