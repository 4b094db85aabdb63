"""Reading the second part of a large file in a second process gives exactly what reading it alone gives."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_dsl.data import applicants as applicants_module
from jifen_dsl.data import parallelread
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.tables import csv_line

from ..conftest import BASE_APPLICANT, POLICIES, reading_outcome

HAIZHU = str(POLICIES / "haizhu" / "2022.jifen")
HEADER = list(BASE_APPLICANT)

pytestmark = pytest.mark.skipif(not parallelread.enabled(), reason="needs fork and a second core")


@pytest.fixture(scope="module")
def policy():
    return load_policy(HAIZHU).policy


def _both(path: str, policy, lenient: bool, monkeypatch):
    """The outcome read in two processes (with what the second one did), and read alone."""
    taken = []
    real = applicants_module._take_part

    def spy(*args, **kwargs):
        result = real(*args, **kwargs)
        taken.append(result is not None)
        return result

    with monkeypatch.context() as patch:
        patch.setattr(parallelread, "MIN_BYTES", 0)
        patch.setattr(applicants_module, "_take_part", spy)
        two = reading_outcome(path, policy, lenient)
    with monkeypatch.context() as patch:
        patch.setenv("JIFEN_NO_PARALLEL", "1")
        one = reading_outcome(path, policy, lenient)
    return two, one, taken


def _write(path, rows: list[dict], ending: str = "\n", extra: bytes = b"") -> str:
    text = csv_line(HEADER)[:-1] + ending + "".join(csv_line([{**BASE_APPLICANT, **row}[h] for h in HEADER])[:-1] + ending for row in rows)
    path.write_bytes(text.encode("utf-8") + extra)
    return str(path)


def test_a_clean_file_is_read_in_two_processes_with_the_same_result(tmp_path, policy, monkeypatch):
    path = _write(tmp_path / "a.csv", [{"id": f"A{i}", "points": str(60 + i % 40)} for i in range(400)])
    two, one, taken = _both(path, policy, False, monkeypatch)
    assert taken == [True]  # the second process's rows were used
    assert two == one
    assert two[4] == hashlib.sha256((tmp_path / "a.csv").read_bytes()).hexdigest()
    assert [row[1] for row in two[1]] == [f"A{i}" for i in range(400)]


# Rows that make the second part unclean in each way it can be, and ones that do not.
TROUBLE = [
    {},  # clean
    {"points": "abc"},  # a bad cell: the careful path
    {"id": "A1"},  # the id of a row in the first part
    {"id": "B0"},  # an id twice in the second part (with the row below it)
    {"grade": "G3"},  # a grade without rules
    {"id": "", "grade": "", "child_birth_date": ""},  # a row with empty required cells
    {"id": "Ａ1"},  # a look-alike of the id of a row in the first part: the same id
    {"id": "B\u200b1"},  # an id with a zero-width space: the careful path, and B1 again if B1 is there
    {"id": "B\x1b9"},  # an escape in an id: refused
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    count=st.integers(min_value=2, max_value=60),
    trouble=st.lists(st.tuples(st.integers(min_value=0, max_value=59), st.sampled_from(TROUBLE)), max_size=3),
    blank=st.booleans(),
    ending=st.sampled_from(["\n", "\r\n"]),
    lenient=st.booleans(),
)
def test_any_file_reads_the_same_in_two_processes_as_alone(tmp_path_factory, policy, monkeypatch, count, trouble, blank, ending, lenient):
    rows = [{"id": f"A{i}" if i < count // 2 else f"B{i}"} for i in range(count)]
    for at, change in trouble:
        if at < count:
            rows[at] = {**rows[at], **change}
            if change.get("id") == "B0" and at + 1 < count:
                rows[at + 1] = {**rows[at + 1], "id": "B0"}
    path = tmp_path_factory.mktemp("two") / "a.csv"
    text_rows = rows
    _write(path, text_rows, ending)
    if blank:
        path.write_bytes(path.read_bytes() + ending.encode() + csv_line([{**BASE_APPLICANT, "id": "Z9"}[h] for h in HEADER]).encode())
    two, one, _ = _both(str(path), policy, lenient, monkeypatch)
    assert two == one


def test_a_look_alike_of_a_first_part_id_in_the_second_part_is_a_duplicate(tmp_path, policy, monkeypatch):
    rows = [{"id": f"A{i}"} for i in range(200)]
    rows[150] = {"id": "Ａ3"}  # full-width: A3, read by the second process
    path = _write(tmp_path / "a.csv", rows)
    two, one, taken = _both(path, policy, False, monkeypatch)
    assert two == one and two[0] == "error"
    assert "duplicate id 'Ａ3': it is 'A3' (first on line 5)" in two[1]
    assert taken in ([], [False])


def test_a_bad_byte_in_the_second_part_gives_the_whole_file_reader_s_message(tmp_path, policy, monkeypatch):
    path = _write(tmp_path / "a.csv", [{"id": f"A{i}"} for i in range(200)], extra=b"A999,G1,\xff\n")
    two, one, taken = _both(path, policy, False, monkeypatch)
    assert two == one and two[0] == "error"
    assert taken in ([], [False])


def test_a_file_with_a_quote_is_not_split(tmp_path, monkeypatch):
    monkeypatch.setattr(parallelread, "MIN_BYTES", 0)
    path = tmp_path / "a.csv"
    path.write_text("id,name\nA1,x\nA2,\"y\"\n" * 10, encoding="utf-8")
    assert parallelread.plan_split(str(path)) is None
    path.write_text("id,name\n" + "A1,x\n" * 100, encoding="utf-8")
    split = parallelread.plan_split(str(path))
    assert split is not None and path.read_bytes()[split.offset - 1 : split.offset] == b"\n"
    assert path.read_bytes()[len("id,name\n") : split.offset].count(b"\n") == split.lines


def test_it_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setattr(parallelread, "MIN_BYTES", 0)
    path = tmp_path / "a.csv"
    path.write_text("id,name\n" + "A1,x\n" * 100, encoding="utf-8")
    monkeypatch.setenv("JIFEN_NO_PARALLEL", "1")
    assert parallelread.plan_split(str(path)) is None


def test_a_character_cut_by_the_read_buffer_does_not_stop_the_first_process(tmp_path, policy, monkeypatch):
    # The first process checks its part chunk by chunk, then only hashes the rest: a
    # character its last checked chunk cut in two must not count as a decoding error.
    from jifen_dsl.data import csvstream

    monkeypatch.setattr(parallelread, "MIN_BYTES", 0)
    header = HEADER + ["applicant_name"]
    path = tmp_path / "a.csv"
    for pad in range(12):
        lines = [csv_line(header)] + [
            csv_line([{**BASE_APPLICANT, "id": f"A{i}"}[h] for h in HEADER] + ["张" * (40 + pad)]) for i in range(20_000)
        ]
        data = "".join(lines).encode("utf-8")
        path.write_bytes(data)
        split = parallelread.plan_split(str(path))
        cut = (split.offset // csvstream._BUFFER + 1) * csvstream._BUFFER  # the end of the last chunk the first process checks
        if cut < len(data) and data[cut] & 0xC0 == 0x80:  # a continuation byte: that chunk ends inside a character
            break
    else:
        pytest.fail("no file with a character cut at the end of the first process's last chunk")
    monkeypatch.undo()
    two, one, taken = _both(str(path), policy, False, monkeypatch)
    assert taken == [True]
    assert two == one and two[0] == "ok" and len(two[1]) == 20_000


def test_a_process_with_other_threads_does_not_fork():
    import threading

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert not parallelread.enabled()
    finally:
        release.set()
        other.join()
    assert parallelread.enabled()


def test_a_value_the_second_process_sends_again_is_the_same_object(tmp_path, policy, monkeypatch):
    # Its blocks share one pickle memo: a value many rows share is made once here, as when
    # one process reads the whole file, not once per block (later passes compare by identity).
    path = _write(tmp_path / "a.csv", [{"id": f"A{i}", "points": str(60 + i % 7)} for i in range(400)])
    monkeypatch.setattr(parallelread, "MIN_BYTES", 0)
    monkeypatch.setattr(parallelread, "BLOCK", 16)  # the second process's 180 rows in a dozen blocks
    from jifen_dsl.data.applicants import load_applicants

    taken = []
    real = applicants_module._take_part
    monkeypatch.setattr(applicants_module, "_take_part", lambda *a, **k: taken.append(real(*a, **k)) or taken[-1])
    read = load_applicants(path, policy).applicants
    assert taken and taken[0] is not None  # the second process's rows were used
    position = policy.read_fields.index(policy.field("points").index)
    points = [a.record[position] for a in read]
    assert len(set(points)) == 7
    assert len(set(map(id, points))) <= 2 * 7  # each value made once in each process
