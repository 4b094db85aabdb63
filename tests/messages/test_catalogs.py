"""The catalogs are whole, messages render in the chosen language, and the language is chosen as documented."""

from __future__ import annotations

import pickle

import pytest

from jifen_dsl.messages import M, N, T, alternatives, language, language_of_text, listing, prefer, quoted, speak
from jifen_dsl.messages import maintain


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    assert maintain.problems("zh") == []


def test_a_missing_or_broken_translation_is_reported(tmp_path, monkeypatch):
    po = tmp_path / "jifen.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh\\n"\n"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgctxt "P0003"\nmsgid "this expression nests more than {limit} operators deep"\nmsgstr "此表达式嵌套过深"\n\n'
        'msgctxt "P0004"\nmsgid "unexpected character {char}"\nmsgstr "此处不应出现字符 {character}"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(maintain, "catalog_files", lambda lang: [po])
    found = "\n".join(maintain.problems("zh"))
    assert "[P0003] 'this expression nests more than {limit} operators deep' has placeholders [], the message ['limit']" in found
    assert "[P0004] 'unexpected character {char}' has placeholders ['character'], the message ['char']" in found
    assert "no zh translation of [P0006] 'the file ends in the middle of a declaration'" in found


def test_a_message_whose_text_is_not_a_literal_is_reported(tmp_path, monkeypatch):
    module = tmp_path / "pkg" / "bad.py"
    module.parent.mkdir()
    module.write_text('def f(x):\n    return M("C9999", f"unknown {x}")\n', encoding="utf-8")
    monkeypatch.setattr(maintain, "PACKAGE_DIR", module.parent)
    monkeypatch.setattr(maintain, "_python_files", lambda under: [module])
    assert [where for where, _ in maintain._computed_messages()] == ["pkg/bad.py:2"]


def test_messages_render_in_either_language_and_survive_pickling():
    message = M("P0004", "unexpected character {char}", char="'%'")
    again = pickle.loads(pickle.dumps(message))
    assert again.render("en") == "unexpected character '%'"
    assert again.render("zh") == "此处不应出现字符 '%'"
    assert again.code == "P0004"
    assert N("{count} error", "{count} errors", 1).render("en") == "1 error"
    assert N("{count} error", "{count} errors", 2).render("en") == "2 errors"
    assert N("{count} error", "{count} errors", 2).render("zh") == "2 个错误"


def test_names_are_joined_and_quoted_as_each_language_does():
    assert alternatives(["a", "b", "c"]).render("en") == "'a', 'b' or 'c'"
    assert alternatives(["甲", "乙", "丙"]).render("zh") == "「甲」、「乙」或「丙」"
    assert listing(["a", "b"]).render("en") == "'a' and 'b'"
    assert listing(["甲", "乙"]).render("zh") == "「甲」和「乙」"
    assert alternatives(["only"]).render("en") == "'only'"
    assert quoted("年龄").render("zh") == "「年龄」"


def test_a_template_can_only_name_values_never_reach_into_them():
    # A translation is data: {char.__class__} must not run attribute access on the value.
    from jifen_dsl.messages.text import _fill

    assert _fill("{char.__class__} {char}", {"char": "x"}) == "{char.__class__} x"
    assert _fill("{count:,}", {"count": 12345}) == "12,345"


@pytest.mark.parametrize(
    ("environment", "asked", "policy", "expected"),
    [
        ({}, None, None, "en"),
        ({}, None, "zh", "zh"),
        ({"LANG": "zh_CN.UTF-8"}, None, None, "en"),  # LANG alone is the machine's default, not a request
        ({"LANG": "en_US.UTF-8"}, None, "zh", "zh"),
        ({"LC_MESSAGES": "en_US.UTF-8"}, None, "zh", "en"),
        ({"LC_ALL": "zh_CN.UTF-8"}, None, "en", "zh"),
        ({"LC_ALL": "C.UTF-8"}, None, "zh", "zh"),
        ({"LC_ALL": "fr_FR.UTF-8"}, None, "zh", "zh"),
        ({"LANGUAGE": "fr:zh_CN:en", "LC_ALL": "en_US.UTF-8"}, None, None, "zh"),
        ({"LANGUAGE": "zh_CN"}, "en", "zh", "en"),
        ({}, "zh", "en", "zh"),
    ],
)
def test_the_language_is_the_one_asked_for_then_the_policys(monkeypatch, environment, asked, policy, expected):
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for variable, value in environment.items():
        monkeypatch.setenv(variable, value)
    prefer(asked)
    speak(policy)
    assert language() == expected
    assert T("error").render() == ("错误" if expected == "zh" else "error")


def test_a_language_without_messages_is_refused():
    with pytest.raises(ValueError):
        prefer("fr")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("政策 “x”", "zh"),
        ("# 注释\n\n  # another\n字段 「年龄」", "zh"),
        ("# 中文注释\npolicy \"x\"", "en"),
        ("", "en"),
        ("field age: integer", "en"),
    ],
)
def test_the_language_of_a_policy_is_that_of_its_first_word(text, expected):
    assert language_of_text(text) == expected
