"""The public API: docs/api.md's session runs as written, names load lazily, and bad calls raise project errors."""

from __future__ import annotations

import doctest
import subprocess
import sys

import pytest

import jifen_dsl as jf

from .conftest import ROOT

HAIZHU = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"


def test_the_session_in_docs_api_md_runs_as_written(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted >= 10
    assert result.failed == 0


def test_importing_the_package_loads_no_stage():
    code = "import sys, jifen_dsl; print(sorted(m for m in sys.modules if m.startswith('jifen_dsl')))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert loaded.strip() == "['jifen_dsl', 'jifen_dsl.version']"


def test_every_public_name_is_reachable_and_the_subpackages_do_not_hide_them():
    for name in jf.__all__:
        assert getattr(jf, name) is not None
    import jifen_dsl.allocation.allocator  # noqa: F401 - a stage loaded after the API must not shadow its function
    import jifen_dsl.evaluation.evaluator  # noqa: F401

    assert callable(jf.evaluate) and callable(jf.allocate)


def test_an_unknown_id_is_a_data_error_not_a_stop_iteration(monkeypatch):
    monkeypatch.chdir(ROOT)
    policy = jf.load_policy(HAIZHU)
    results = jf.evaluate(policy, jf.read_cohort(policy, APPLICANTS))
    with pytest.raises(jf.DataError) as caught:
        jf.explain(policy, results, "NO-SUCH-ID")
    assert "计算结果中没有申请编号为 'NO-SUCH-ID' 的申请人" in caught.value.render()  # the policy is Chinese
    from jifen_dsl.messages import prefer

    prefer("en")  # as --lang en does
    assert "no applicant in the evaluations has the id 'NO-SUCH-ID'" in caught.value.render()


def test_explaining_a_seat_needs_a_traced_allocation(monkeypatch):
    monkeypatch.chdir(ROOT)
    policy = jf.load_policy(HAIZHU)
    cohort = jf.read_cohort(policy, APPLICANTS)
    seats = jf.allocate(policy, cohort, jf.evaluate(policy, cohort), "examples/haizhu-2022/schools.csv")
    with pytest.raises(jf.DataError) as caught:
        jf.explain_seat(seats, "HZ2022-E02")
    assert "trace=True" in caught.value.render()


def test_a_bad_choice_is_named_with_its_file_and_row(monkeypatch, tmp_path):
    monkeypatch.chdir(ROOT)
    policy = jf.load_policy(HAIZHU)
    lines = (ROOT / APPLICANTS).read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("choices")] = "NO-SUCH-SCHOOL"
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], ",".join(cells)]) + "\n", encoding="utf-8")
    cohort = jf.read_cohort(policy, bad)
    with pytest.raises(jf.DataError) as caught:
        jf.allocate(policy, cohort, jf.evaluate(policy, cohort), "examples/haizhu-2022/schools.csv")
    assert f"{bad}:2" in caught.value.render() and "NO-SUCH-SCHOOL" in caught.value.render()
