"""The fast CSV writer of placements writes exactly what the csv module would, whatever the cells hold."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_dsl.allocation.report import placement_csv, placement_table
from jifen_dsl.allocation.allocator import allocate
from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.schools import read_schools
from jifen_dsl.data.spreadsheet import csv_safe
from jifen_dsl.data.tables import csv_line, csv_text

from ..conftest import BASE_APPLICANT, POLICIES, ROOT

HAIZHU = str(POLICIES / "haizhu" / "2022.jifen")
SCHOOLS = str(ROOT / "examples" / "haizhu-2022" / "schools.csv")
PERSONAL = ("applicant_name", "child_name", "id_number")

# Text that a CSV writer must quote (comma, quote), and text it must not. A line break cannot reach
# the results from an id or a name (the readers refuse it: data/identity.py); csv_line's own tests cover it.
awkward = st.text(alphabet=st.sampled_from(['a', '张', ',', '"', ' ', ';']), min_size=1, max_size=6)
plain = st.text(alphabet=st.sampled_from(['a', 'b', '7', '张', '-']), min_size=1, max_size=6)


def _allocation(ids: list[str], details: list[list[str | None]]):
    compiled = load_policy(HAIZHU)
    header = list(BASE_APPLICANT) + list(PERSONAL)
    rows = []
    for row, (identity, personal) in enumerate(zip(ids, details), start=2):
        cells = {**BASE_APPLICANT, "id": identity, "choices": "HZ-P01;HZ-P02", "points": str(100 + row % 7)}
        rows.append((row, [cells[h] for h in BASE_APPLICANT] + [value or "" for value in personal]))
    people = records_from_rows("applicants.csv", header, rows, compiled.policy)
    offer = read_schools(SCHOOLS, compiled.policy)
    return allocate(compiled, evaluate(compiled, people), offer)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fast_writer_matches_the_csv_module(data):
    count = data.draw(st.integers(min_value=1, max_value=12))
    ids = data.draw(st.lists(st.one_of(plain, awkward), min_size=count, max_size=count, unique_by=str.strip))
    ids = [i for i in ids if i.strip() == i and i]  # ids are read trimmed; keep the ones a file can hold
    if not ids:
        ids = ["A1"]
    details = data.draw(
        st.lists(st.lists(st.one_of(st.none(), plain, awkward), min_size=3, max_size=3), min_size=len(ids), max_size=len(ids))
    )
    allocation = _allocation(ids, details)
    header, rows = placement_table(allocation)
    expected = csv_text(header, rows)
    written = "".join(placement_csv(allocation))
    assert written == expected
    # and the csv module reads back every applicant, once, with the id as given (an apostrophe in front of one a spreadsheet would take for a formula)
    read = list(csv.reader(io.StringIO(written, newline="")))
    assert sorted(r[0] for r in read[1:]) == sorted(map(csv_safe, ids))


def test_a_quoted_cell_in_a_large_block_leaves_the_other_lines_plain():
    ids = [f"A{i}" for i in range(9000)]
    details = [["张三", "张小明", "440101201603010011"] for _ in ids]
    details[8500] = ["张,三", 'say "hi"', "x"]
    written = "".join(placement_csv(_allocation(ids, details)))
    lines = written.split("\n")
    quoted = [line for line in lines if '"' in line]
    assert quoted == [line for line in lines if line.startswith("A8500,")]
    assert quoted[0].endswith(',"张,三","say ""hi""",x')


def test_a_cell_with_a_bare_carriage_return_is_quoted_so_the_row_reads_back_whole():
    line = csv_line(["A1", "x\ry", "z"])
    assert line == 'A1,"x\ry",z\n'
    assert list(csv.reader(io.StringIO(line, newline=""))) == [["A1", "x\ry", "z"]]
    assert csv_line(["A1", "plain"]) == "A1,plain\n"
