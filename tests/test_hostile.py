"""The hostile corpus: files and arguments made to break jifen, each run through the real command line.

Each case is built as small files in its own folder at test time (nothing binary
is checked in), then ``python -m jifen_dsl`` runs in that folder as a separate
process, with its address space limited to 2 GB and a timeout, so a memory bomb
or a hang fails the case instead of the machine. For every case the test checks:

- the exit status;
- the rendered message (stderr, with the case's folder written ``<case>``), a
  syrupy snapshot, so every wording change is seen;
- every file in the case's folder before and after (name, kind, size, sha256):
  nothing changed but the case's intended output;
- no traceback, no internal error, no terminal escape, and nothing of a file that
  is not a policy (/etc/passwd, the environment) in what the tool printed.

docs/robustness.md (the threat model) says which guarantee each case holds.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import resource
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from .workbooks import patched

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60  # seconds; a clear error takes about one
MEMORY = 2 << 30  # bytes of address space for the tool's process
# Put in the tool's environment: if a message ever shows /proc/self/environ, it shows this.
SECRET = "hostile-corpus-secret-4f1c9a"

POLICY = '''policy "Hostile corpus"
district "海珠区"
year 2022
as_of 2022-08-31
source "tests/test_hostile.py"
field id "申请编号": text unique
field grade "申请年级": enum("G1" "小学一年级", "G7" "初中一年级")
field points "积分": decimal
requirement enough "Enough points": points >= 10
{extra}
points {{ total = points }}
tiebreak {{ id ascending }}
'''
HEADER = ["id", "grade", "points"]
ROWS = [["A1", "G1", "100"], ["A2", "G7", "5"], ["A3", "G1", "50"]]


def policy(extra: str = "") -> str:
    return POLICY.format(extra=extra)


def csv_text(rows=ROWS, header=HEADER) -> str:
    return "".join(",".join(r) + "\n" for r in [header, *rows])


def put(folder: Path, name: str, content: str | bytes) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)


def base(folder: Path, applicants: str | bytes | None = None, name: str = "a.csv") -> None:
    """The policy (p.jifen) and an applicant file."""
    put(folder, "p.jifen", policy())
    put(folder, name, csv_text() if applicants is None else applicants)


# ------------------------------------------------------------------ workbooks


def workbook(rows, *, hidden_first: list | None = None) -> bytes:
    """An XLSX file of ``rows`` (header first), written by openpyxl; with ``hidden_first``, a hidden sheet before it."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    if hidden_first is not None:
        sheet.title = "points"
        for row in hidden_first:
            sheet.append(row)
        sheet.sheet_state = "hidden"
        sheet = book.create_sheet("名单")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def numeric_rows() -> list[list]:
    return [HEADER] + [[i, g, int(p)] for i, g, p in ROWS]


SHEET = "xl/worksheets/sheet1.xml"


def with_merged_range(data: bytes) -> bytes:
    # Written into the XML: openpyxl itself would make a cell object for each of the range's 17 billion cells.
    return patched(data, SHEET, lambda x: x.replace(b"</sheetData>", b'</sheetData><mergeCells count="1"><mergeCell ref="A300:XFD1048576"/></mergeCells>'))


def with_formula(data: bytes) -> bytes:
    return patched(data, SHEET, lambda x: re.sub(rb'<c r="C2"[^>]*>.*?</c>', b'<c r="C2"><f>100+35</f><v>999</v></c>', x, count=1))


def with_inline_string(data: bytes, text: str) -> bytes:
    """The first applicant's id replaced by ``text`` in the XML: openpyxl would cut it to Excel's 32,767 characters."""
    cell = f'<c r="A2" t="inlineStr"><is><t>{text}</t></is></c>'.encode("utf-8")
    return patched(data, SHEET, lambda x: re.sub(rb'<c r="A2"[^>]*>.*?</c>', lambda _: cell, x, count=1))


def with_shared_string(data: bytes, text: str) -> bytes:
    """The first applicant's id moved into the shared strings, as Excel writes text (openpyxl writes it inline)."""
    strings = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
    data = patched(data, SHEET, lambda x: re.sub(rb'<c r="A2"[^>]*>.*?</c>', b'<c r="A2" t="s"><v>0</v></c>', x, count=1),
                   added={"xl/sharedStrings.xml": strings.encode("utf-8")})
    data = patched(data, "[Content_Types].xml", lambda x: x.replace(b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType='
                   b'"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'))
    return patched(data, "xl/_rels/workbook.xml.rels", lambda x: x.replace(b"</Relationships>", b'<Relationship Id="rIdStrings" Type='
                   b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))


def with_bad_crc(data: bytes) -> bytes:
    """The sheet stored uncompressed, then one of its digits changed: the zip's CRC no longer matches."""
    stored = patched(data, SHEET, lambda x: x.replace(b"<v>50</v>", b"<v>777</v>"), stored=True)
    assert stored.count(b"<v>777</v>") == 1
    return stored.replace(b"<v>777</v>", b"<v>778</v>")


def xfd_rows() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    for r in range(2, 1002):  # each row reaching column XFD: 16,384 columns if padded
        sheet.cell(row=r, column=1, value=f"A{r}")
        sheet.cell(row=r, column=2, value="G1")
        sheet.cell(row=r, column=3, value=10)
        sheet.cell(row=r, column=16384, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ runs and manifests


def jifen(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the tool while building a case (not the run under test)."""
    return subprocess.run([sys.executable, "-m", "jifen_dsl", *args], cwd=folder, capture_output=True, timeout=TIMEOUT, env=_env())


def a_run(folder: Path) -> dict:
    """A run directory ``run`` written by evaluate --out; its manifest."""
    base(folder)
    done = jifen(folder, "evaluate", "p.jifen", "a.csv", "--out", "run", "-q")
    assert done.returncode == 0, done.stderr.decode()
    return json.loads((folder / "run" / "manifest.json").read_text(encoding="utf-8"))


def forged(change: Callable[[dict], object]) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        data = a_run(folder)
        text = change(data)
        put(folder, "run/manifest.json", text if isinstance(text, str) else json.dumps(data, indent=2))

    return build


def _truncated(data: dict) -> str:
    text = json.dumps(data, indent=2)
    return text[: len(text) // 2]


def _wrong_types(data: dict) -> None:
    data["tool"] = "jifen"
    data["outputs"] = [{"file": 7, "sha256": None, "bytes": "12"}]


def _huge_number(data: dict) -> str:
    text = json.dumps(data, indent=2)
    return re.sub(r'"bytes": \d+', '"bytes": ' + "9" * 5_000, text, count=1)


def _nul_path(data: dict) -> None:
    data["arguments"]["applicants"]["path"] = data["inputs"]["applicants"]["path"] = "a.csv\u0000.txt"


def _output_outside(data: dict) -> None:
    data["outputs"][0]["file"] = "../../../../etc/passwd"


def _dev_zero(data: dict) -> None:
    data["arguments"]["applicants"]["path"] = data["inputs"]["applicants"]["path"] = "/dev/zero"


def _output_link_to_dev_zero(folder: Path) -> None:
    a_run(folder)
    (folder / "run" / "results.csv").unlink()
    os.symlink("/dev/zero", folder / "run" / "results.csv")


# ------------------------------------------------------------------ the cases


@dataclass
class Case:
    name: str
    build: Callable[[Path], None]
    argv: list[str]
    status: int
    changes: frozenset[str] = frozenset()  # files that may appear or change: the intended output
    stdout: bool = False  # the output is part of the snapshot
    how: str = "plain"  # "fifo_output": -o names a FIFO, read meanwhile; "stdout_closed": the reader leaves early
    check: Callable[[Path, str, str], None] | None = None


def _fifo(folder: Path, name: str) -> None:
    os.mkfifo(folder / name)


def _case_out_foreign(folder: Path) -> None:
    base(folder)
    put(folder, "out/manifest.json", '{"owner": "the district office", "note": "not a jifen run"}\n')
    put(folder, "out/letter.docx", b"PK\x03\x04 a letter to the parents")


def _case_import(target: str) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        base(folder)
        put(folder, "p.jifen", policy().replace('source "tests/test_hostile.py"\n', f'source "tests/test_hostile.py"\nimport "{target}"\n'))

    return build


def _case_import_fifo(folder: Path) -> None:
    _case_import("pipe.jifen")(folder)
    _fifo(folder, "pipe.jifen")


def _case_fifo_output(folder: Path) -> None:
    base(folder)
    _fifo(folder, "out.csv")


def _rows_json(points: str) -> str:
    return '[{"id": "A1", "grade": "G1", "points": %s}, {"id": "A2", "grade": "G7", "points": 5}]\n' % points


def _case_ids(first: str, second: str) -> Callable[[Path], None]:
    def build(folder: Path) -> None:
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([HEADER, [first, "G1", "100"], [second, "G1", "90"]])
        base(folder, text.getvalue())

    return build


def _case_literal(folder: Path) -> None:
    put(folder, "p.jifen", policy(f'requirement cap "Below the cap": points < {"9" * 5_000}'))
    put(folder, "a.csv", csv_text())


def _case_year(folder: Path) -> None:
    put(folder, "p.jifen", policy().replace("year 2022", "year " + "9" * 5_001))


def _case_new_year(folder: Path) -> None:
    put(folder, "2022.jifen", policy())


def _case_big_output(folder: Path) -> None:
    base(folder, csv_text([[f"A{i:05d}", "G1", str(10 + i % 90)] for i in range(20_000)]))


def _same_as_clean(folder: Path, stdout: str, stderr: str) -> None:
    clean = folder.parent / "clean"
    clean.mkdir(exist_ok=True)
    base(clean)
    expected = jifen(clean, "evaluate", "p.jifen", "a.csv", "--format", "csv")
    assert stdout == expected.stdout.decode("utf-8"), "an empty merged range changed the result"


def _forged_points_unread(folder: Path, stdout: str, stderr: str) -> None:
    assert "999" not in stdout and "A2,G7,false,,5,,enough" in stdout


def _cached_value_read(folder: Path, stdout: str, stderr: str) -> None:
    assert "A1,G1,true,,999," in stdout


CASES = [
    # Outputs never overwrite inputs.
    Case("out_into_folder_with_foreign_manifest", _case_out_foreign, ["evaluate", "p.jifen", "a.csv", "--out", "out"], 1),
    # The inputs may lie in the run's folder: they are kept, the run written beside them.
    Case("out_into_the_inputs_folder", base, ["evaluate", "p.jifen", "a.csv", "--out", "."], 0,
         changes=frozenset({"results.csv", "results.json", "manifest.json"})),
    Case("output_onto_the_applicant_file", base, ["evaluate", "p.jifen", "a.csv", "--format", "csv", "-o", "a.csv"], 1),
    Case("output_onto_the_policy", base, ["evaluate", "p.jifen", "a.csv", "--format", "csv", "-o", "p.jifen"], 1),
    Case("rejects_onto_the_input", base, ["evaluate", "p.jifen", "a.csv", "--lenient", "--rejects", "a.csv"], 1),
    Case("rejects_and_output_the_same_file", base, ["evaluate", "p.jifen", "a.csv", "--lenient", "--rejects", "r.csv", "-o", "r.csv"], 1),
    Case("output_onto_a_fifo", _case_fifo_output, ["evaluate", "p.jifen", "a.csv", "--format", "csv", "-o", "out.csv"], 0, stdout=True, how="fifo_output"),
    Case("stdout_closed_early", _case_big_output, ["evaluate", "p.jifen", "a.csv", "--format", "csv", "-q"], 1, how="stdout_closed"),
    # Policies import only policy files from their library.
    Case("import_etc_passwd", _case_import("/etc/passwd"), ["check", "p.jifen"], 1),
    Case("import_proc_self_environ", _case_import("/proc/self/environ"), ["check", "p.jifen"], 1),
    Case("import_dotdot_etc_passwd", _case_import("../../../../../../../../etc/passwd"), ["check", "p.jifen"], 1),
    Case("import_a_fifo", _case_import_fifo, ["check", "p.jifen"], 1),
    Case("import_dev_zero", _case_import("/dev/zero"), ["check", "p.jifen"], 1),
    # Data files are read within bounds, and as they are.
    Case("xlsx_merged_range_to_the_last_cell", lambda f: base(f, with_merged_range(workbook(numeric_rows())), "a.xlsx"),
         ["evaluate", "p.jifen", "a.xlsx", "--format", "csv"], 0, stdout=True, check=_same_as_clean),
    Case("xlsx_rows_reaching_column_xfd", lambda f: base(f, xfd_rows(), "a.xlsx"), ["evaluate", "p.jifen", "a.xlsx", "--format", "csv"], 1),
    Case("json_points_1e999999999", lambda f: base(f, _rows_json("1e999999999"), "a.json"), ["evaluate", "p.jifen", "a.json"], 1),
    Case("json_points_1e999", lambda f: base(f, _rows_json("1e999"), "a.json"), ["evaluate", "p.jifen", "a.json"], 1),
    Case("xlsx_cell_of_200_kb", lambda f: base(f, with_inline_string(workbook(numeric_rows()), "A" * 200_000), "a.xlsx"), ["evaluate", "p.jifen", "a.xlsx"], 1),
    Case("xlsx_shared_string_of_200_kb", lambda f: base(f, with_shared_string(workbook(numeric_rows()), "A" * 200_000), "a.xlsx"),
         ["evaluate", "p.jifen", "a.xlsx"], 1),
    # What Excel shows is what is read: the first visible sheet, never the hidden one before it.
    Case("xlsx_hidden_first_sheet_with_forged_points", lambda f: base(f, workbook(numeric_rows(), hidden_first=[HEADER, ["A2", "G7", 999]]), "a.xlsx"),
         ["evaluate", "p.jifen", "a.xlsx", "--format", "csv"], 0, stdout=True, check=_forged_points_unread),
    Case("xlsx_formula_with_a_stale_cached_value", lambda f: base(f, with_formula(workbook(numeric_rows())), "a.xlsx"),
         ["evaluate", "p.jifen", "a.xlsx", "--format", "csv"], 1),
    Case("xlsx_formula_read_as_cached", lambda f: base(f, with_formula(workbook(numeric_rows())), "a.xlsx"),
         ["evaluate", "p.jifen", "a.xlsx", "--format", "csv", "--formulas", "cached"], 0, stdout=True, check=_cached_value_read),
    Case("ids_differing_by_a_zero_width_space", _case_ids("A1", "A\u200b1"), ["evaluate", "p.jifen", "a.csv"], 1),
    Case("ids_differing_by_full_width_letters", _case_ids("A1", "\uff211"), ["evaluate", "p.jifen", "a.csv"], 1),
    Case("id_with_a_newline", _case_ids("A\n1", "A2"), ["evaluate", "p.jifen", "a.csv"], 1),
    Case("id_with_an_escape", _case_ids("A\x1b[2J1", "A2"), ["evaluate", "p.jifen", "a.csv"], 1),
    Case("xlsx_damaged_sheet_xml", lambda f: base(f, patched(workbook(numeric_rows()), SHEET, lambda x: x[: len(x) // 2]), "a.xlsx"),
         ["evaluate", "p.jifen", "a.xlsx"], 1),
    Case("xlsx_bad_crc", lambda f: base(f, with_bad_crc(workbook(numeric_rows())), "a.xlsx"), ["evaluate", "p.jifen", "a.xlsx"], 1),
    Case("sheet_named_superscript_two", lambda f: base(f, workbook(numeric_rows()), "a.xlsx"), ["evaluate", "p.jifen", "a.xlsx", "--sheet", "²"], 1),
    # Literals check accepts, evaluate handles; and years a date can hold.
    Case("integer_literal_of_5000_digits_check", _case_literal, ["check", "p.jifen"], 1),
    Case("integer_literal_of_5000_digits_evaluate", _case_literal, ["evaluate", "p.jifen", "a.csv"], 1),
    Case("year_of_5001_digits", _case_year, ["check", "p.jifen"], 1),
    Case("new_year_10000", _case_new_year, ["new-year", "2022.jifen", "--year", "10000"], 1),
    # verify-run opens only what its manifest may name.
    Case("manifest_truncated", forged(_truncated), ["verify-run", "run"], 1),
    Case("manifest_a_list", forged(lambda data: "[1, 2, 3]\n"), ["verify-run", "run"], 1),
    Case("manifest_wrong_types", forged(_wrong_types), ["verify-run", "run"], 1),
    Case("manifest_huge_number", forged(_huge_number), ["verify-run", "run"], 1),
    Case("manifest_path_with_nul", forged(_nul_path), ["verify-run", "run"], 1),
    Case("manifest_output_outside_the_run", forged(_output_outside), ["verify-run", "run"], 1),
    Case("manifest_naming_dev_zero", forged(_dev_zero), ["verify-run", "run"], 1),
    Case("run_output_linked_to_dev_zero", _output_link_to_dev_zero, ["verify-run", "run"], 1),
]


# ------------------------------------------------------------------ the harness


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("JIFEN_DEBUG",)}
    env["JIFEN_HOSTILE_SECRET"] = SECRET
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def _limit_memory() -> None:  # in the child, before the tool starts
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def listing(folder: Path) -> dict[str, tuple]:
    """Every entry under ``folder``: kind, and for a regular file its size and sha256. Pipes and devices are never opened."""
    entries: dict[str, tuple] = {}
    for directory, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(directory, name)
            info = path.lstat()
            key = str(path.relative_to(folder))
            if stat.S_ISLNK(info.st_mode):
                entries[key] = ("link", os.readlink(path))
            elif stat.S_ISREG(info.st_mode):
                entries[key] = ("file", info.st_size, hashlib.sha256(path.read_bytes()).hexdigest())
            elif stat.S_ISDIR(info.st_mode):
                entries[key] = ("directory",)
            else:
                entries[key] = ("fifo" if stat.S_ISFIFO(info.st_mode) else "other",)
    return entries


def _run(case: Case, folder: Path) -> tuple[int, str, str]:
    command = [sys.executable, "-m", "jifen_dsl", *case.argv]
    options = dict(cwd=folder, env=_env(), preexec_fn=_limit_memory, stdin=subprocess.DEVNULL)
    if case.how == "plain":
        done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, **options)
        return done.returncode, _text(done.stdout), _text(done.stderr)
    if case.how == "fifo_output":
        return _run_reading_fifo(command, folder / case.argv[-1], options)
    if case.how == "stdout_closed":
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)
        process.stdout.read(100)
        process.stdout.close()  # the reader (head, a pager) goes away
        try:
            err = process.stderr.read()
            return process.wait(timeout=TIMEOUT), "", _text(err)
        finally:
            process.kill()
    raise AssertionError(case.how)


def _run_reading_fifo(command: list[str], fifo: Path, options: dict) -> tuple[int, str, str]:
    """Run while a thread reads the FIFO the tool writes to; what was read stands for stdout."""
    read: list[bytes] = []
    done = threading.Event()

    def reader() -> None:
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)  # never blocks: the tool may refuse to open it
        try:
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    chunk = None
                if chunk:
                    read.append(chunk)
                elif done.is_set():
                    break
                else:
                    time.sleep(0.01)
        finally:
            os.close(fd)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    try:
        finished = subprocess.run(command, capture_output=True, timeout=TIMEOUT, **options)
    finally:
        done.set()
        thread.join(TIMEOUT)
    return finished.returncode, _text(b"".join(read)), _text(finished.stderr)


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="backslashreplace")


def normalised(text: str, folder: Path) -> str:
    for path, name in ((folder, "<case>"), (folder.parent, "<tmp>"), (ROOT, "<repo>")):
        text = text.replace(str(path), name)
    return text


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, tmp_path: Path, snapshot) -> None:
    folder = tmp_path / "case"
    folder.mkdir()
    case.build(folder)
    before = listing(folder)
    started = time.monotonic()
    status, stdout, stderr = _run(case, folder)
    elapsed = time.monotonic() - started
    after = listing(folder)

    record = {"exit": status, "stderr": normalised(stderr, folder)}
    if case.stdout:
        record["stdout"] = normalised(stdout, folder)
    assert record == snapshot

    shown = stdout + stderr
    for sign in ("Traceback", "internal error", "Exception ignored", "\x1b", "root:x:0:0", SECRET):
        assert sign not in shown, f"{case.name}: the output holds {sign!r}"
    changed = {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}
    assert changed <= case.changes, f"{case.name}: changed {sorted(changed - case.changes)}"
    assert status == case.status, f"{case.name}: exit {status}, {stderr[:400]!r}"
    assert elapsed < TIMEOUT
    if case.check is not None:
        case.check(folder, stdout, stderr)


def test_every_case_has_its_own_name():
    assert len({c.name for c in CASES}) == len(CASES)
