"""Generated Python: reviewed as a snapshot, deterministic, and safe by construction."""

from __future__ import annotations

import ast as pyast
import os


from jifen_dsl.compile.pipeline import load_policy

from ..conftest import GENERATED_ATTRIBUTES, POLICIES, ROOT, evaluate_rows, failed_names, generated_call


def test_generated_code_of_haizhu_2022(snapshot, monkeypatch):
    monkeypatch.chdir(ROOT)
    assert load_policy("policies/haizhu/2022.jifen").source == snapshot


def test_generation_is_deterministic():
    path = str(POLICIES / "baiyun" / "2022.jifen")
    assert load_policy(path).source == load_policy(path).source


def test_generated_code_has_no_builtins():
    compiled = load_policy(str(POLICIES / "baiyun" / "2022.jifen"))
    namespace = compiled.evaluate.__globals__
    assert namespace["__builtins__"] == {}
    assert all(name.startswith(("h_", "k_", "m_", "__builtins__")) or name in ("evaluate", "evaluate_all", "definitions", "missing_name") for name in namespace)


def _identifiers(source: str) -> set[str]:
    tree = pyast.parse(source)
    return {n.id for n in pyast.walk(tree) if isinstance(n, pyast.Name)} | {
        a.arg for n in pyast.walk(tree) if isinstance(n, pyast.Lambda) for a in n.args.args
    }


HOSTILE = r'''
define 「__import__」 = 1
define 「os.system('touch PWNED')」 = 2
define h_missing = 3
define f_0 = 4
define 「x"); import os; os.system("touch PWNED"); ("」 = 5
requirement 「r'\"」 "title\nimport os; os.system('touch PWNED')" cite "\\\" ); import os #":
    __import__ + 「os.system('touch PWNED')」 + h_missing + f_0 + 「x"); import os; os.system("touch PWNED"); ("」 = 15
    and child_hukou != "'); import os; os.system('touch PWNED'); ('"
    and child_hukou != "{__import__('os').system('touch PWNED')}"
'''


def test_hostile_names_and_strings_are_inert(write_policy, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    compiled, results = evaluate_rows(write_policy(HOSTILE), [{"child_hukou": "湖南"}])
    assert failed_names(compiled, results["A1"]) == []
    assert not (tmp_path / "PWNED").exists()
    # Only generated names are identifiers; the policy's names survive only in strings and comments.
    names = _identifiers(compiled.source)
    assert all(n.startswith(("f_", "d_", "s_", "k_", "h_", "t_", "m_", "b_")) or n in {"r", "i", "failed", "unknown", "points", "batch", "e"} for n in names)
    # Structurally: no imports, no attribute access, and every call is a runtime helper.
    tree = pyast.parse(compiled.source)
    assert not [n for n in pyast.walk(tree) if isinstance(n, (pyast.Import, pyast.ImportFrom))]
    attributes = {pyast.unparse(n) for n in pyast.walk(tree) if isinstance(n, pyast.Attribute)}
    assert "failed.append" in attributes and attributes <= GENERATED_ATTRIBUTES
    calls = [pyast.unparse(n.func) for n in pyast.walk(tree) if isinstance(n, pyast.Call)]
    assert calls and all(generated_call(f) for f in calls)


def test_a_newline_in_a_title_cannot_end_a_comment(write_policy):
    compiled = load_policy(write_policy('requirement r "a\\nb = 1": true\n'))
    comment = next(line for line in compiled.source.splitlines() if "# r:" in line)
    assert comment.strip() == "# r: a\\nb = 1"


def test_compiled_code_is_registered_for_tracebacks(write_policy):
    import linecache

    compiled = load_policy(write_policy('requirement r "r": true\n'))
    assert linecache.getline(compiled.filename, 1).startswith("# Compiled from")
    assert os.path.basename(compiled.policy.path) == "policy.jifen"


def test_an_operation_that_fails_names_its_place_in_either_language():
    import datetime as dt
    import pickle

    import pytest

    from jifen_dsl.lang.operations import OPS, OperationError
    from jifen_dsl.timeline.dates import Duration

    with pytest.raises(OperationError) as info:
        OPS["div"][1](1, 0, "p.jifen:3:5")
    assert info.value.problem.code == "E0001" and info.value.where == "p.jifen:3:5"
    assert str(info.value) == "p.jifen:3:5: division by zero"
    assert info.value.args[0].render("zh") == "p.jifen:3:5：除数为零"
    again = pickle.loads(pickle.dumps(info.value))  # a failure crosses a process boundary whole
    assert again.problem == info.value.problem and str(again) == str(info.value)

    with pytest.raises(OperationError) as info:
        OPS["add_date"][1](dt.date(9999, 12, 1), Duration(0, 1, 0), "p.jifen:4:1")
    assert info.value.problem.code == "E0002"
    assert str(info.value) == "p.jifen:4:1: 9999-12-01 + 1 month is outside the calendar"
    assert info.value.args[0].render("zh") == "p.jifen:4:1：9999-12-01 加 1个月 超出日历范围"
