"""The fast path of reading - rows streamed from disk, typed by a generated converter - agrees with the careful path.

For any file, streamed rows are the rows the whole-file reader gives (or the
stream steps aside for it), and the applicants, the rows set aside and every
message are the ones the careful, cell-by-cell path gives.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_dsl.data import applicants as applicants_module
from jifen_dsl.data.applicants import load_applicants
from jifen_dsl.data.csvstream import Fallback
from jifen_dsl.errors import DataError
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.readers import is_streamed, open_table, read_table
from jifen_dsl.data.tables import csv_line

from ..conftest import BASE_APPLICANT, POLICIES, reading_outcome

HAIZHU = str(POLICIES / "haizhu" / "2022.jifen")
HEADER = list(BASE_APPLICANT)

# Cells each column may hold: good ones, and ones the careful path must explain.
CELLS = {
    # Ids the fast path must leave to the careful one: look-alikes of A1 (zero-width space, full-width
    # letters), a line break, an escape, a bidirectional override; and ones it takes as they are.
    "id": ["A1", "A2", "A3", " A4 ", "", "A,5", 'A"6', "A\u200b1", "Ａ1", "A\n7", "A\x1b8", "A\u202e9", "甲1", "Ａ\u200b1"],
    "grade": ["G1", "G7", "小学一年级", "G3", "", " G1"],
    "child_birth_date": ["2016-03-01", "2016/3/1", "2016年3月1日", "2016-02-30", "2016-03-01 00:00", "01/03/2016", ""],
    "points": ["85.5", "85.50", "90", " 90 ", "-3", "abc", "1e3", ""],
    "choices": ["S1", "S1;S2", "S1; S2", "S1；S2", "S1;;S2", ";", "", "S1;S1", "S1\nS2"],
    "child_enrolled": ["true", "否", "√", "maybe", ""],
    "applied_at": ["2022-04-26 10:30", "2022年4月26日 10:30", "2022-04-26", "", "25:00"],
    "clearing_choices": ["", "S2", "S2;S3", " "],
    "sibling_group": ["", "T1", "T1 "],
}
ENDINGS = ["\n", "\r\n"]


@pytest.fixture(scope="module")
def policy():
    return load_policy(HAIZHU).policy


def _careful_only(monkeypatch) -> None:
    """Route every row through the careful path, as if the generated reader took none."""

    def reader(*args, lines=None, **kwargs):
        if lines is not None:
            codec = lines  # the lines are bytes in this encoding

            def read(lines_, number, quoted, append, seen, careful, add, progress):
                done = 0
                step = 1
                for text in lines_:
                    number += step
                    step = 1
                    if b'"' in text:
                        cells, step = quoted(text)
                        cells = [cell.decode(codec) for cell in cells]
                    else:
                        line = text.rstrip(b"\r\n").decode(codec)
                        cells = line.split(",") if line else []
                    careful(number, cells)
                    done += 1
                return done
        else:
            def read(rows, append, seen, careful, add, progress):
                done = 0
                for line, cells in rows:
                    careful(line, cells)
                    done += 1
                return done
        return read

    monkeypatch.setattr(applicants_module, "row_reader", reader)


rows_strategy = st.lists(
    st.fixed_dictionaries({name: st.sampled_from(values) for name, values in CELLS.items()}),
    min_size=1,
    max_size=8,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, ending=st.sampled_from(ENDINGS), blank=st.booleans(), bom=st.booleans(), lenient=st.booleans())
def test_the_fast_path_reads_what_the_careful_path_reads(tmp_path_factory, policy, rows, ending, blank, bom, lenient):
    directory = tmp_path_factory.mktemp("fast")
    lines = [csv_line(HEADER)[:-1] + ending]
    for i, changes in enumerate(rows):
        lines.append(csv_line([{**BASE_APPLICANT, **changes}[name] for name in HEADER])[:-1] + ending)
        if blank and i == 0:
            lines.append(ending)
    path = directory / "applicants.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + "".join(lines).encode("utf-8"))
    fast = reading_outcome(str(path), policy, lenient)
    with pytest.MonkeyPatch.context() as patch:
        _careful_only(patch)
        careful = reading_outcome(str(path), policy, lenient)
    assert fast == careful
    if fast[0] == "ok":
        assert fast[4] == hashlib.sha256(path.read_bytes()).hexdigest()


NAMES = ["张三", "", " 李四 ", "王\u3000五", "赵\u200b六", "Ｌｉ", "李\u202e四", "王\x85五", "张\n三", "A\x1b[2J"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(
        st.tuples(st.sampled_from(["A1", "A2", "A3", "Ａ1", "A\u200b2", "甲4"]), st.sampled_from(NAMES), st.sampled_from(NAMES)),
        min_size=1, max_size=6,
    ),
    lenient=st.booleans(),
    streamed=st.booleans(),
)
def test_ids_and_names_read_the_same_on_both_paths(tmp_path_factory, policy, rows, lenient, streamed):
    header = HEADER + ["applicant_name", "child_name"]
    lines = [csv_line(header)] + [
        csv_line([{**BASE_APPLICANT, "id": identity}[name] for name in HEADER] + [applicant, child]) for identity, applicant, child in rows
    ]
    path = tmp_path_factory.mktemp("names") / "applicants.csv"
    path.write_bytes("".join(lines).encode("utf-8"))
    with pytest.MonkeyPatch.context() as patch:
        if not streamed:
            _whole_file_only(patch)
        fast = reading_outcome(str(path), policy, lenient)
        _careful_only(patch)
        careful = reading_outcome(str(path), policy, lenient)
    assert fast == careful


CORPUS = sorted(
    str(p) for p in [*(POLICIES.parent / "tests").rglob("*.csv"), *(POLICIES.parent / "examples").rglob("*.csv")]
)


@pytest.mark.parametrize("path", CORPUS, ids=[Path(p).name for p in CORPUS])
def test_streamed_rows_are_the_rows_read_whole(path):
    try:
        table = open_table(path)
    except DataError:
        return  # refused at once, with the same message (read_table gave it)
    if not is_streamed(table):
        return
    try:
        rows = list(table.rows)
    except Fallback:
        return  # the whole-file reader explains what is wrong
    whole = read_table(path)
    assert rows == whole.rows
    assert (table.header, table.encoding, table.rows.digest) == (whole.header, whole.encoding, whole.digest)


def test_a_quoted_cell_over_several_lines_keeps_the_line_numbers(tmp_path, policy):
    header = csv_line(HEADER)
    first = csv_line([{**BASE_APPLICANT, "id": "A1", "child_hukou": "湖南\n长沙"}[name] for name in HEADER])
    second = csv_line([{**BASE_APPLICANT, "id": "A2"}[name] for name in HEADER])
    path = tmp_path / "a.csv"
    path.write_text(header + first + second, encoding="utf-8")
    result = load_applicants(str(path), policy)
    assert [(a.row, a.id) for a in result.applicants] == [(2, "A1"), (4, "A2")]
    assert result.applicants[0].record[HEADER.index("child_hukou")] == "湖南\n长沙"


def test_a_file_changed_between_passes_is_refused(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text(csv_line(HEADER) + csv_line([BASE_APPLICANT[name] for name in HEADER]), encoding="utf-8")
    table = open_table(str(path))
    list(table.rows)
    path.write_text(csv_line(HEADER) + csv_line([{**BASE_APPLICANT, "id": "B"}[name] for name in HEADER]), encoding="utf-8")
    with pytest.raises(DataError, match="changed while it was being read"):
        list(table.rows)


def test_a_file_that_stops_being_utf8_is_read_whole(tmp_path, policy):
    path = tmp_path / "a.csv"
    good = csv_line(HEADER) + csv_line([BASE_APPLICANT[name] for name in HEADER]) * 1
    path.write_bytes(good.encode("utf-8") + b"x" * 70_000 + b"\xff\n")
    with pytest.raises(DataError) as info:
        load_applicants(str(path), policy)
    assert "neither UTF-8 nor GB18030" in info.value.render()


def _whole_file_only(monkeypatch) -> None:
    """Read every file whole, as if the stream could take none."""
    from jifen_dsl.data import csvstream

    monkeypatch.setattr(csvstream, "open_csv", lambda path, encoding: None)


# Text that exercises the byte-level split: multi-byte characters whose bytes in
# GB18030 are not those of a comma, quote or line end, and the characters themselves.
BYTE_CELLS = {
    "child_hukou": ["湖南", "广西壮族自治区", "湖南,长沙", '“湖南”', "é", "湖南\r长沙", "湖南\n长沙"],
    "residence_district": ["海珠区", "白云区", "海珠区 ", "　海珠区"],
    "id": ["A1", "甲1", "A,2", "A3"],
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rows=st.lists(st.fixed_dictionaries({name: st.sampled_from(values) for name, values in BYTE_CELLS.items()}), min_size=1, max_size=6),
    encoding=st.sampled_from(["utf-8", "gb18030"]),
    ending=st.sampled_from(["\n", "\r\n", "\r"]),
    lenient=st.booleans(),
)
def test_streaming_by_bytes_reads_what_the_whole_file_reader_reads(tmp_path_factory, policy, rows, encoding, ending, lenient):
    lines = [csv_line(HEADER)[:-1] + ending]
    for changes in rows:
        lines.append(csv_line([{**BASE_APPLICANT, **changes}[name] for name in HEADER])[:-1] + ending)
    path = tmp_path_factory.mktemp("bytes") / "applicants.csv"
    path.write_bytes("".join(lines).encode(encoding))
    streamed = reading_outcome(str(path), policy, lenient)
    with pytest.MonkeyPatch.context() as patch:
        _whole_file_only(patch)
        whole = reading_outcome(str(path), policy, lenient)
    assert streamed == whole


def test_a_gb18030_file_streams_to_the_values_of_its_utf8_twin(tmp_path, policy):
    text = csv_line(HEADER) + "".join(
        csv_line([{**BASE_APPLICANT, "id": f"甲{i}", "child_hukou": "广西壮族自治区"}[name] for name in HEADER]) for i in range(3)
    )
    utf8, gb = tmp_path / "u.csv", tmp_path / "g.csv"
    utf8.write_bytes(text.encode("utf-8"))
    gb.write_bytes(text.encode("gb18030"))
    assert is_streamed(open_table(str(gb)))
    one, two = reading_outcome(str(utf8), policy, False), reading_outcome(str(gb), policy, False)
    assert one[1] == two[1] and two[5] == "gb18030"
    assert [a[1] for a in two[1]] == ["甲0", "甲1", "甲2"]


def test_a_lone_carriage_return_sends_the_file_to_the_whole_file_reader(tmp_path):
    path = tmp_path / "a.csv"
    path.write_bytes((csv_line(HEADER) + csv_line([BASE_APPLICANT[name] for name in HEADER])).replace("\n", "\r", 1).encode("utf-8"))
    table = open_table(str(path))
    with pytest.raises(Fallback):
        list(table.rows)
