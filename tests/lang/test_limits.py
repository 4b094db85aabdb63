"""Limits: huge, deep and long inputs end in success or a clear error - never a crash or a hang."""

from __future__ import annotations


import pytest

from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.errors import DataError, PolicyError
from jifen_dsl.lang.parsing.parser import MAX_NESTING
from jifen_dsl.compile.pipeline import check_file, load_policy
from jifen_dsl.messages import render

from ..conftest import BASE_APPLICANT, EN_HEADER, EN_TAIL, FIELDS_IMPORT, policy_folder, rows_to_csv


def policy_text(tmp_path, body: str) -> str:
    return EN_HEADER + FIELDS_IMPORT + body + EN_TAIL


def policy_path(tmp_path):
    """Where the policy of a test goes: in a policy library of its own (conftest.policy_folder)."""
    return policy_folder(tmp_path) / "p.jifen"


@pytest.mark.parametrize(
    "body",
    [
        'requirement r "t": ' + " + ".join(["points"] * 10_000) + " > 1",
        'requirement r "t": ' + "not " * 10_000 + "child_enrolled",
        'requirement r "t": ' + " or ".join(["primary_graduation_year = 1"] * 10_000),
        'requirement r "t": ' + "max(points, " * 10_000 + "points" + ")" * 10_000 + " > 1",
    ],
    ids=["sum", "not", "or", "calls"],
)
def test_ten_thousand_deep_expressions_are_a_clear_error(tmp_path, body):
    with pytest.raises(PolicyError) as info:
        check_file(str(policy_path(tmp_path)), policy_text(tmp_path, body))
    [diagnostic] = info.value.diagnostics
    assert diagnostic.text() == f"this expression nests more than {MAX_NESTING} operators deep"
    assert (diagnostic.span.line, diagnostic.span.column) == (7, 20)


def test_deep_parentheses_alone_are_fine(tmp_path):
    body = 'requirement r "t": ' + "(" * 10_000 + "child_enrolled" + ")" * 10_000
    assert check_file(str(policy_path(tmp_path)), policy_text(tmp_path, body)).requirements[0].name == "r"


def test_nesting_at_the_limit_compiles_in_every_mode(tmp_path):
    # primary_graduation_year is optional: this exercises the three-valued code too
    body = 'requirement r "t": ' + " or ".join(["primary_graduation_year = 1"] * MAX_NESTING) + "\n"
    body += 'requirement s "t": ' + "not " * (MAX_NESTING - 1) + "(primary_graduation_year = 1)\n"
    path = policy_path(tmp_path)
    path.write_text(policy_text(tmp_path, body), encoding="utf-8")
    assert load_policy(str(path)).source.count("def evaluate(") == 1


def test_a_ten_megabyte_policy(tmp_path):
    body = ("# " + "说明" * 49 + "\n") * 50_000 + ('requirement r "' + "x" * 100_000 + '": true\n')
    text = policy_text(tmp_path, body)
    assert len(text.encode("utf-8")) > 10_000_000
    path = policy_path(tmp_path)
    path.write_text(text, encoding="utf-8")
    compiled = load_policy(str(path))  # a 100,000-character line among 10 MB of comments
    assert compiled.policy.requirements[0].title == "x" * 100_000


def test_ten_thousand_requirements(tmp_path):
    body = "\n".join(f'requirement r{i} "t{i}": permit_start + {i % 7} days <= as_of' for i in range(10_000))
    path = policy_path(tmp_path)
    path.write_text(policy_text(tmp_path, body), encoding="utf-8")
    compiled = load_policy(str(path))
    assert len(compiled.policy.requirements) == 10_000
    data = tmp_path / "a.csv"
    data.write_text(rows_to_csv([{**BASE_APPLICANT, "permit_start": "2022-08-28"}]), encoding="utf-8")
    from jifen_dsl.evaluation.evaluator import evaluate

    [e] = evaluate(compiled, read_applicants(str(data), compiled.policy))
    assert len(e.failed) == sum(1 for i in range(10_000) if i % 7 > 3)  # 2022-08-28 + 4..6 days is past as_of


def test_a_million_character_cell(tmp_path):
    data = tmp_path / "a.csv"
    data.write_text(rows_to_csv([{**BASE_APPLICANT, "child_hukou": "湖" * 1_000_000}]), encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_applicants(str(data), _haizhu())
    # The problem in English (the policy is Chinese, so the command would tell it in Chinese).
    assert tuple(render(p, "en") for p in info.value.problems) == (
        f"{data}:2: a cell is longer than 131,072 characters; is this really the applicant file?",
    )


def _haizhu():
    from ..conftest import POLICIES

    return load_policy(str(POLICIES / "haizhu" / "2022.jifen")).policy
