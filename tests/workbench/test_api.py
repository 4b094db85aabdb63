"""The workbench's answers called directly, without HTTP: plain values in, plain dicts out."""

from __future__ import annotations

import os

import pytest

from jifen_dsl.workbench import api
from jifen_dsl.workbench.safety import ApiError, confine, is_loopback


def test_confine(folder):
    root = os.path.realpath(folder)
    assert confine(root, "haizhu/./2023.jifen") == ("haizhu/2023.jifen", os.path.join(root, "haizhu", "2023.jifen"))
    assert confine(root, "notes.txt", policy=False)[0] == "notes.txt"
    for bad in ("../x.jifen", "/x.jifen", "x/../../y.jifen", "x.txt", None, 3):
        with pytest.raises(ApiError):
            confine(root, bad)


def test_is_loopback():
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.2", "example.org", "::"))


def test_the_answers_are_plain_dicts(folder):
    root = os.path.realpath(folder)
    text = (folder / "haizhu" / "2023.jifen").read_text(encoding="utf-8")
    assert api.read_policy(root, "haizhu/2023.jifen")["text"] == text
    assert api.check(root, "haizhu/2023.jifen", text) == {"path": "haizhu/2023.jifen", "language": "zh", "diagnostics": [], "errors": 0, "warnings": 0}
    assert api.format_policy(root, "haizhu/2023.jifen", text)["changed"] is False
    assert api.diff_text(root, "haizhu/2023.jifen", text)["base"] == "haizhu/2022.jifen"
    assert len(api.list_policies(root)["policies"]) == 9


def test_a_request_never_changes_the_language_of_the_next(folder):
    from jifen_dsl.messages import language

    root = os.path.realpath(folder)
    before = language()
    api.check(root, "haizhu/2023.jifen", "政策 “x”", lang="zh")
    assert language() == before


def test_refusals_are_api_errors_with_a_status(folder):
    root = os.path.realpath(folder)
    with pytest.raises(ApiError) as caught:
        api.read_policy(root, "haizhu/1999.jifen")
    assert (caught.value.status, caught.value.code) == (404, "not_found")
    assert caught.value.body("en") == {"error": {"message": "haizhu/1999.jifen: no such file", "code": "not_found"}}
