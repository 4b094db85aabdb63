"""Policy files cannot reach Python: hostile names and strings are rejected or inert."""

from __future__ import annotations

import ast as pyast

import pytest

from jifen_dsl.errors import PolicyError
from jifen_dsl.compile.pipeline import check_file, load_policy

from ..conftest import evaluate_rows, failed_names, generated_call

GENERATED_NAMES = ["evaluate", "definitions", "missing_name", "failed", "unknown", "batch", "r", "i", "e",
                   "f_0", "d_0", "s_0", "t_0", "k_0", "h_missing", "h_div", "__builtins__", "__import__", "__class__"]


@pytest.mark.parametrize("name", GENERATED_NAMES)
def test_names_that_collide_with_generated_names_are_inert(write_policy, tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    path = write_policy(
        f"define 「{name}」 = 1\n"
        f'requirement 「{name}!」 "uses it": 「{name}」 = 1 and child_hukou != "广州"\n',
        tail=f'points {{ total = points indicator 「{name}ind」 "x" = ind_permit }}\n'
             f'batches {{ batch 「{name}b」 "b": 「{name}」 = 1 }}\ntiebreak {{ indicators descending id ascending }}\n',
    )
    compiled, results = evaluate_rows(path, [{"child_hukou": "湖南"}])
    assert failed_names(compiled, results["A1"]) == []
    assert compiled.policy.batches[results["A1"].batch].name == f"{name}b"
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["guangzhou", "guangzhou/fields.jifen", "haizhu", "haizhu/policy.jifen"]


STRINGS = [
    "{0.__class__.__mro__}", "%(x)s %s", "'); __import__('os').system('touch PWNED'); ('",
    '"""', "\\", "\\\\n", "${{7*7}}", "\x00", "\u2028import os", "`touch PWNED`",
]


@pytest.mark.parametrize("text", STRINGS)
def test_hostile_strings_stay_strings(write_policy, tmp_path, monkeypatch, text):
    monkeypatch.chdir(tmp_path)
    literal = text.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\0")
    path = write_policy(
        f'define s = "{literal}"\n'
        f'requirement r "{literal}" cite "{literal}": child_hukou != s\n'
    )
    try:
        compiled, results = evaluate_rows(path, [{"child_hukou": "湖南"}])
    except PolicyError:
        return  # rejected is fine; running anything is not
    assert failed_names(compiled, results["A1"]) == []
    assert not (tmp_path / "PWNED").exists()
    tree = pyast.parse(compiled.source)
    assert not [n for n in pyast.walk(tree) if isinstance(n, (pyast.Import, pyast.ImportFrom))]
    calls = {pyast.unparse(n.func) for n in pyast.walk(tree) if isinstance(n, pyast.Call)}
    assert all(generated_call(c) for c in calls)


@pytest.mark.parametrize(
    "body",
    [
        "define x = __import__(\"os\")\n",
        "define x = eval(\"1\")\n",
        "define x = open(\"f\")\n",
        "define x = points.__class__\n",
        "define x = 1; import os\n",
    ],
)
def test_calls_and_attribute_access_do_not_exist(write_policy, body):
    with pytest.raises(PolicyError) as info:
        check_file(write_policy(body))
    assert all(d.span is not None for d in info.value.diagnostics)


def test_the_namespace_has_no_builtins(write_policy):
    compiled = load_policy(write_policy('requirement r "r": true\n'))
    namespace = compiled.evaluate.__globals__
    assert namespace["__builtins__"] == {}
    for name in ("open", "eval", "exec", "__import__", "getattr", "compile", "globals"):
        assert name not in namespace
