"""Every diagnostic's code is documented in docs/messages.md, once, and a published code is never dropped or reused."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from jifen_dsl.messages import maintain

from ..conftest import ROOT

DOCS = ROOT / "docs" / "messages.md"
HEADING = re.compile(r"^### ([A-Z][0-9]{4}) - (.*)$", re.MULTILINE)
CODE = re.compile(r"^[PLCKEDRUS][0-9]{4}$")


def _documented(text: str) -> dict[str, str]:
    return {code: title for code, title in HEADING.findall(text)}


def test_every_code_in_the_code_is_documented_and_every_documented_one_is_used_or_retired():
    used = {message.context for message in maintain.extract() if message.context}
    assert all(CODE.match(code) for code in used), sorted(c for c in used if not CODE.match(c))
    text = DOCS.read_text(encoding="utf-8")
    documented = _documented(text)
    assert len(HEADING.findall(text)) == len(documented), "a code is documented twice"
    assert sorted(used - set(documented)) == []
    retired = {code for code, title in documented.items() if title.startswith("retired")}
    assert sorted(used & retired) == [], "a retired code is used again"
    assert sorted(set(documented) - used - retired) == [], "documented but no longer used: mark it retired"


def test_each_entry_has_an_example_and_a_fix():
    # An example: the message as shown, in both languages (`english` / `中文`), and
    # where the input that gives it is not plain from the message, an "Example" of it.
    text = DOCS.read_text(encoding="utf-8")
    entries = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    lacking = [
        entry.splitlines()[0]
        for entry in entries
        if "retired" not in entry.splitlines()[0]
        and ("\nFix: " not in entry or not re.search(r"^`.+` / `.+`$", entry, re.MULTILINE))
    ]
    assert lacking == []


def test_no_published_code_leaves_the_page():
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("the page's history needs the git repository")
    history = subprocess.run(
        ["git", "log", "--format=", "-p", "--", "docs/messages.md"], cwd=ROOT, capture_output=True, text=True
    )
    if history.returncode != 0:
        pytest.skip("no git history here")
    ever = {code for code in re.findall(r"^[+-]### ([A-Z][0-9]{4}) - ", history.stdout, re.MULTILINE)}
    now = set(_documented(DOCS.read_text(encoding="utf-8")))
    assert sorted(ever - now) == []
