"""The checker: every error class, rendered (snapshots), and the rules behind them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jifen_dsl.lang import model
from jifen_dsl.errors import PolicyError
from jifen_dsl.compile.pipeline import check_file

from ..conftest import ROOT

INVALID = sorted(p.name for p in (ROOT / "tests" / "lang" / "invalid").glob("*.jifen"))


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    # Rendered messages name files relative to where the tool runs; run from the repository top.
    monkeypatch.chdir(ROOT)


def rendered(name: str) -> str:
    with pytest.raises(PolicyError) as info:
        check_file(f"tests/lang/invalid/{name}")
    return info.value.render()


@pytest.mark.parametrize("name", INVALID)
def test_invalid_policy_is_rejected_with_rendered_errors(name, snapshot):
    assert rendered(name) == snapshot


def test_unknown_names_get_suggestions():
    text = rendered("unknown_name.jifen")
    assert "unknown name 'permit_strat'" in text
    assert "did you mean 'permit_start'" in text
    assert "tests/lang/invalid/unknown_name.jifen:8:5:" in text


def test_all_errors_are_collected_not_just_the_first():
    text = rendered("many_errors.jifen")
    for expected in [
        "'+' cannot combine an integer and a text",
        "unknown name 'undefined_thing'",
        "the window starts after it ends",
        "cannot compare a date with an integer",
        "duplicate requirement name 'a'",
    ]:
        assert expected in text
    assert text.rstrip().endswith("\n5 errors")


def test_caret_is_width_aware_under_chinese_text():
    text = rendered("chinese_errors.jifen")
    lines = text.splitlines()
    at = lines.index(next(line for line in lines if line.startswith("tests/lang/invalid/chinese_errors.jifen:9:5:")))
    source_line, caret_line = lines[at + 1], lines[at + 2]
    assert source_line.endswith("「居住证起始日」 + 1年 不晚于 基准日")
    # 4 spaces of indentation before the name, then a caret and tildes as wide as 「居住证起始日」 (16 columns).
    gutter = source_line.index("|") + 2
    assert caret_line[gutter:] == "    ^" + "~" * 15


def test_tiebreak_must_end_in_a_unique_key():
    text = rendered("tiebreak_not_total.jifen")
    assert "does not order every pair of applicants" in text
    assert "id ascending" in text


def test_warnings_do_not_fail_a_check():
    checked = check_file("tests/lang/valid/unused_definition.jifen")
    assert isinstance(checked, model.Policy)
    messages = [w.text("en") for w in checked.warnings]
    assert "the definition 'never_used' is never used" in messages
    assert any("never reached" in m for m in messages)
    assert any("reference date 2021-08-31 is not in the policy's year 2022" in m for m in messages)


def test_library_files_check_on_their_own():
    checked = check_file("policies/guangzhou/fields.jifen")
    assert isinstance(checked, model.Library)
    assert [f.name for f in checked.fields][:2] == ["id", "grade"]


@pytest.mark.parametrize("path", sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").rglob("*.jifen")))
def test_shipped_policies_check_clean(path):
    checked = check_file(path)
    assert checked.warnings == ()


def test_every_invalid_example_is_a_distinct_failure():
    texts = {name: rendered(name) for name in INVALID}
    assert len(set(texts.values())) == len(texts)
    assert all(Path("tests/lang/invalid", n).is_file() for n in INVALID)


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("round(9999999999999999999999999999, 2) > 1", "this cannot be computed: InvalidOperation"),  # 28 digits, 30 once rounded
        ("9999-12-31 + 1 day > as_of", "9999-12-31 + 1 day is outside the calendar"),
        ("as_of + 99999999 years > as_of", "2022-08-31 + 99999999 years is outside the calendar"),
        ("1 / (2 - 2) > 1", "division by zero"),
    ],
)
def test_constant_arithmetic_errors_are_reported_with_a_position(write_policy, expression, message):
    path = write_policy(f'requirement r "r": {expression}\n')
    with pytest.raises(PolicyError) as info:
        check_file(path)
    [diagnostic] = info.value.diagnostics
    assert diagnostic.text("en") == message
    assert diagnostic.span.line == 7 and diagnostic.span.column >= 20
def test_publication_rules_reach_the_policy_with_defaults_when_absent(write_policy):
    declared = check_file(write_policy("publication { names keep first 1 last 0 }"))
    assert declared.publication.names == model.Mask(1, 0)
    assert declared.publication.id_number == model.Mask(6, 4)  # not given: the default
    assert declared.publication.declared
    absent = check_file(write_policy("", name="plain.jifen"))
    assert absent.publication == model.Publication()
    assert not absent.publication.declared


def test_personal_fields_are_read_but_no_rule_uses_them():
    policy = check_file("policies/haizhu/2022.jifen")
    read = [policy.fields[i].name for i in policy.read_fields]
    assert read[-3:] == list(model.PERSONAL_FIELDS)
    assert all(u.kind != "field" or policy.fields[u.index].name not in model.PERSONAL_FIELDS for r in policy.requirements for u in r.uses)


def test_the_season_rules_reach_the_allocation_with_the_seeds_defaults(write_policy):
    given = check_file(write_policy("allocation { clearing on\n missing_choices coordinated\n unconfirmed confirms\n clearing_for declined, unplaced }\n"))
    assert (given.allocation.missing_choices, given.allocation.unconfirmed, given.allocation.clearing_for) == ("coordinated", "confirms", ("declined", "unplaced"))
    assert given.allocation.clearing_span.line == 7  # where a refused clearing is pointed at
    plain = check_file(write_policy("allocation { clearing off }\n", name="plain.jifen"))
    assert (plain.allocation.missing_choices, plain.allocation.unconfirmed, plain.allocation.clearing_for) == ("gives_up", "declines", ("unplaced", "gave_up"))


def test_a_clearing_group_named_twice_is_an_error(write_policy):
    with pytest.raises(PolicyError) as info:
        check_file(write_policy("allocation { clearing_for unplaced, gave_up, unplaced }\n"))
    assert [d.text("en") for d in info.value.diagnostics] == ["clearing_for names 'unplaced' twice"]


def _misspelt_haizhu(tmp_path: Path) -> Path:
    """Haizhu's 2022 policy in a library of its own, with 「居住证起始日期」 misspelt at one use."""
    library = tmp_path / "library"
    shutil.copytree(ROOT / "policies" / "guangzhou", library / "guangzhou")
    text = (ROOT / "policies" / "haizhu" / "2022.jifen").read_text(encoding="utf-8")
    use = "「居住证起始日期」 + 1年"
    assert text.count(use) == 1
    policy = library / "haizhu" / "2022.jifen"
    policy.parent.mkdir()
    policy.write_text(text.replace(use, "「居住证起日期」 + 1年"), encoding="utf-8")
    return policy


def _jifen(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jifen_dsl", *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_a_chinese_policy_gets_its_errors_in_chinese_and_in_english_when_asked(tmp_path):
    policy = _misspelt_haizhu(tmp_path)
    chinese = _jifen("check", str(policy))
    assert chinese.returncode == 1
    said = chinese.stdout + chinese.stderr
    assert f"{policy}:20:5: 错误[C0201]: 未知名称「居住证起日期」" in said
    assert "提示: 是否想写「居住证起始日期」、「本区居住证起始日期」或「居住证分」？" in said
    assert said.rstrip().endswith("1 个错误")
    assert "unknown name" not in said

    english = _jifen("--lang", "en", "check", str(policy))
    assert english.returncode == 1
    said = english.stdout + english.stderr
    assert f"{policy}:20:5: error[C0201]: unknown name '居住证起日期'" in said
    assert "hint: did you mean '居住证起始日期', '本区居住证起始日期' or '居住证分'?" in said
    assert said.rstrip().endswith("1 error")


def test_checker_messages_render_in_either_language_after_the_check():
    """A message keeps its values, not its words: the same diagnostic reads in both languages."""
    with pytest.raises(PolicyError) as info:
        check_file("tests/lang/invalid/unknown_name.jifen")
    first = info.value.diagnostics[0]
    assert first.code == "C0201"
    assert first.text("en") == "unknown name 'permit_strat'"
    assert first.text("zh") == "未知名称「permit_strat」"
    assert first.hint_text("zh").startswith("是否想写「permit_start」")

