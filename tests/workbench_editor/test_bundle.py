"""The workbench's policy editor: the committed CodeMirror bundle, rebuilt and run in a browser.

jifen_dsl/workbench/static/editor/editor.js is built by editors/codemirror/build.sh
(CodeMirror 6 and the jifen language, bundled by esbuild) and committed, since a
pip install has no node to build it. These tests check:

- that the committed file is what the build writes, byte for byte (when node and
  the pinned packages are installed: editors/codemirror/build.sh installs them);
- that it works in a real headless Chromium, driven by Playwright, on a page like
  the workbench's editor page: a textarea#source holding a Chinese policy and a
  stub window.jifenWorkbench that records its calls. The editor must replace the
  textarea and keep it in step, highlight keywords and names differently, show
  the checker's diagnostic inline with its message, hint and code, show hovers as
  text, and on Ctrl-S format and then save the formatted text.

Screenshots of each step are written into the test's temporary folder. The tests
that need node, Playwright or Chromium skip, saying why, when they are missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from jifen_dsl.lang.formatting import format_text

from ..browser import launched_browser
from ..conftest import ROOT

CODEMIRROR = ROOT / "editors" / "codemirror"
BUNDLE = ROOT / "jifen_dsl" / "workbench" / "static" / "editor" / "editor.js"
POLICY = ROOT / "policies" / "haizhu" / "2022.jifen"

# Where the stub checker reports its diagnostic: the first use of this name.
TARGET = "「申请人户籍」"
MESSAGE = "未定义的字段「申请人户籍」"
HINT = "检查拼写，或先用 字段 声明它"
CODE = "E0101"
HOVER = "**字段** `「申请人户籍」`：文本\n\n- 声明于 `fields.jifen` 第3行\n\n<b>not markup</b>"


def test_bundle_is_committed():
    assert BUNDLE.is_file(), "jifen_dsl/workbench/static/editor/editor.js is missing: run editors/codemirror/build.sh"
    data = BUNDLE.read_bytes()
    assert data.isascii(), "the bundle should be ASCII (esbuild escapes other characters), whatever charset it is served with"
    assert b"sourceMappingURL" not in data
    head = data[:400]
    assert b"editors/codemirror/build.sh" in head and b"MIT" in head


# ------------------------------------------------------------------ the build


def _build_missing() -> str | None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        return "node and npm are not installed, so the editor bundle was not rebuilt"
    packages = json.loads((CODEMIRROR / "package.json").read_text(encoding="utf-8"))["devDependencies"]
    for name, version in packages.items():
        manifest = CODEMIRROR / "node_modules" / name / "package.json"
        if not manifest.is_file():
            return f"{name} is not installed: run editors/codemirror/build.sh"
        if json.loads(manifest.read_text(encoding="utf-8"))["version"] != version:
            return f"{name} is installed in another version than package.json's {version}: run editors/codemirror/build.sh"
    return None


def test_committed_bundle_is_the_build(tmp_path):
    missing = _build_missing()
    if missing:
        pytest.skip(missing)
    result = subprocess.run(
        [str(CODEMIRROR / "build.sh"), "--no-install", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    built = (tmp_path / "editor.js").read_bytes()
    assert built == BUNDLE.read_bytes(), (
        "the committed editor.js is not what editors/codemirror/build.sh builds from the sources "
        "(and the TextMate grammar's keywords): run editors/codemirror/build.sh"
    )


# ------------------------------------------------------------------ the browser


@pytest.fixture(scope="module")
def browser():
    if not BUNDLE.is_file():
        pytest.skip("the editor bundle is missing: run editors/codemirror/build.sh")
    with launched_browser() as launched:
        yield launched


def _locate(text: str, needle: str) -> tuple[int, int]:
    """The 1-based line and column (in characters) of needle's first occurrence."""
    start = text.index(needle)
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return line, column


def _page_html(policy: str, *, services: bool) -> str:
    line, column = _locate(policy, TARGET)
    diagnostic = {
        "line": line, "column": column, "end_line": line, "end_column": column + len(TARGET),
        "severity": "error", "code": CODE, "message": MESSAGE, "hint": HINT,
    }
    stub = f"""
    window.calls = [];
    window.inputEvents = 0;
    window.jifenWorkbench = {{
      check(text) {{
        calls.push(["check", text]);
        return Promise.resolve({{diagnostics: [{json.dumps(diagnostic, ensure_ascii=False)}]}});
      }},
      hover(text, line, column) {{
        calls.push(["hover", line, column]);
        return Promise.resolve({{markdown: {json.dumps(HOVER, ensure_ascii=False)}}});
      }},
      format(text) {{
        calls.push(["format", text]);
        if (text.includes("REFUSE")) {{
          // As the workbench's API refuses a text that does not check: an Error carrying the answer.
          const error = new Error("invalid policy");
          error.body = {{error: {{code: "invalid_policy", diagnostics: [{json.dumps(dict(diagnostic, message="格式化失败"), ensure_ascii=False)}]}}}};
          return Promise.reject(error);
        }}
        return new Promise((resolve) => setTimeout(() => resolve({{text: text.toLowerCase()}}), 50));
      }},
      save(text) {{
        calls.push(["save", text]);
        return Promise.resolve({{saved: true}});
      }},
    }};
    """ if services else "window.calls = []; window.inputEvents = 0;"
    escaped = policy.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"""<!doctype html>
<html lang="zh-CN">
<head><meta charset="utf-8"><title>政策编辑器</title>
<style>body {{ margin: 16px; width: 900px; }}</style>
<script>{stub}</script>
</head>
<body>
<form id="form"><label for="source">政策文本</label>
<textarea id="source" name="source" rows="30" cols="80">{escaped}</textarea></form>
<script>
document.getElementById("source").addEventListener("input", () => {{ window.inputEvents += 1; }});
// The workbench page saves on Ctrl-S itself when the editor does not take the key.
document.addEventListener("keydown", (event) => {{
  if ((event.ctrlKey || event.metaKey) && event.key === "s") calls.push(["page-save"]);
}});
document.addEventListener("jifen-editor-saved", (event) => {{
  calls.push(["saved-event", event.detail.text, event.target.id]);
}});
</script>
<script src="{BUNDLE.as_uri()}"></script>
</body>
</html>
"""


@pytest.fixture
def editor_page(browser, tmp_path):
    """Open the test page; yields (page, policy text, screenshot function)."""
    pages = []

    def open_page(*, services: bool = True, policy: str | None = None, name: str = "editor"):
        policy = POLICY.read_text(encoding="utf-8") if policy is None else policy
        html = tmp_path / f"{name}.html"
        html.write_text(_page_html(policy, services=services), encoding="utf-8")
        page = browser.new_page(viewport={"width": 960, "height": 900})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(html.as_uri())
        page.wait_for_selector(".cm-editor .cm-content")
        pages.append((page, errors))

        def shot(name: str):
            page.screenshot(path=str(tmp_path / f"{name}.png"))

        return page, policy, shot

    yield open_page
    for page, errors in pages:
        page.close()
        assert not errors, f"errors in the page: {errors}"


def _token_classes(page, text: str) -> list[str]:
    """The class lists of the highlighted spans (tok-...) whose text is exactly ``text``."""
    return page.evaluate(
        """(text) => [...document.querySelectorAll(".cm-content span[class*='tok-']")]
               .filter((span) => span.textContent === text).map((span) => span.className)""",
        text,
    )


def test_editor_replaces_the_textarea_and_highlights(editor_page):
    page, policy, shot = editor_page()
    shot("1-loaded")
    assert page.locator("#source").is_hidden()
    assert page.locator(".cm-editor").count() == 1
    # The editor stands where the textarea stood and holds its text.
    assert page.evaluate("document.getElementById('source').nextElementSibling.classList.contains('cm-editor')")
    assert page.evaluate("window.jifenEditor.getText()") == policy
    assert page.locator(".cm-lineNumbers .cm-gutterElement").count() > 10

    keyword = _token_classes(page, "要求")
    declared = _token_classes(page, "「申请人非广州户籍」")
    used = _token_classes(page, TARGET)
    assert keyword and all("tok-keyword" in c and "tok-name" not in c for c in keyword), keyword
    assert declared and "tok-name" in declared[0] and "tok-definition" in declared[0] and "tok-keyword" not in declared[0]
    assert used and "tok-name" in used[0] and "tok-bracketed" in used[0] and "tok-keyword" not in used[0]
    # Longer Chinese keywords are not cut by shorter ones: 否则 is one word, not 否 and 则.
    assert any("tok-keyword-control" in c for c in _token_classes(page, "否则"))
    assert not _token_classes(page, "否")
    assert any("tok-function" in c for c in _token_classes(page, "已填写"))
    assert any("tok-date" in c for c in _token_classes(page, "2022年8月31日"))
    assert any("tok-string" in c for c in _token_classes(page, "“海珠区”"))
    assert any("tok-comment" in c for c in page.evaluate(
        "[...document.querySelectorAll('.cm-content span')].filter(s => s.textContent.startsWith('# 2022年')).map(s => s.className)"))
    # The fonts that draw Chinese and Latin text in one monospaced grid.
    font = page.evaluate("getComputedStyle(document.querySelector('.cm-scroller')).fontFamily")
    assert "Noto Sans Mono CJK SC" in font and "Noto Sans CJK SC" in font and "monospace" in font


# English words the editor must tell apart by their place, as the grammar does.
ENGLISH_TAIL = "\ndefine total_points = points + present(x)\noverride points\n"


def test_english_policy_is_highlighted(editor_page):
    english = format_text(POLICY.read_text(encoding="utf-8"), str(POLICY), "en")
    page, policy, shot = editor_page(policy=english + ENGLISH_TAIL, name="english")
    # Show the end of the text, where the context-dependent words are.
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.wait_for_timeout(200)
    shot("1-english-end")
    expected = {
        "total_points": "tok-definition",
        "present": "tok-function",
        "x": "tok-name",
        "override": "tok-keyword-edit",
    }
    for word, kind in expected.items():
        assert any(kind in c for c in _token_classes(page, word)), (word, _token_classes(page, word))
    points = _token_classes(page, "points")
    assert any("tok-name" in c for c in points), points  # a name in an expression
    assert any("tok-keyword-section" in c for c in points), points  # after override
    page.keyboard.press("Control+Home")
    page.wait_for_timeout(200)
    shot("1-english-start")
    for word, kind in {
        "requirement": "tok-keyword-declaration", "「申请人非广州户籍」": "tok-definition", "as_of": "tok-keyword-header",
        "2022-08-31": "tok-date", "cite": "tok-keyword", "if": "tok-keyword-control", "true": "tok-bool",
        "schedule": "tok-keyword-section", "phase": "tok-keyword-declaration", "2022-04-25 09:00": "tok-date",
    }.items():
        assert any(kind in c for c in _token_classes(page, word)), (word, _token_classes(page, word))


def test_diagnostic_is_shown_inline_with_message_hint_and_code(editor_page):
    page, policy, shot = editor_page()
    mark = page.locator(".cm-lintRange-error").first
    mark.wait_for(timeout=5000)
    assert page.locator(".cm-lintRange-error").count() == 1
    assert mark.text_content() == TARGET
    assert page.evaluate("calls.filter(c => c[0] === 'check').length") >= 1
    assert page.evaluate("calls.find(c => c[0] === 'check')[1]") == policy

    mark.hover()
    tooltip = page.locator(".cm-tooltip-lint")
    tooltip.wait_for(timeout=5000)
    text = tooltip.text_content()
    assert MESSAGE in text and HINT in text and CODE in text
    shot("2-diagnostic")

    # The lint panel lists it too.
    page.locator(".cm-content").click()
    page.keyboard.press("Control+Shift+M")
    panel = page.locator(".cm-panel-lint")
    panel.wait_for(timeout=5000)
    assert MESSAGE in panel.text_content()
    shot("3-lint-panel")


def test_hover_shows_markdown_as_text(editor_page):
    page, policy, shot = editor_page()
    used = page.locator(".cm-content span", has_text=TARGET).filter(has_not_text="要求").first
    used.hover()
    hover = page.locator(".cm-tooltip-hover .cm-jifen-hover")
    hover.wait_for(timeout=5000)
    assert hover.locator("strong").first.text_content() == "字段"
    assert hover.locator("code").first.text_content() == TARGET
    assert hover.locator("li").count() == 1
    assert hover.locator("b").count() == 0 and "<b>not markup</b>" in hover.text_content()
    line, column = _locate(policy, TARGET)
    asked = page.evaluate("calls.filter(c => c[0] === 'hover').map(c => [c[1], c[2]])")
    assert asked and asked[-1][0] == line and column <= asked[-1][1] < column + len(TARGET)
    shot("4-hover")


def test_typing_updates_the_textarea(editor_page):
    page, policy, shot = editor_page()
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# Checked BY STAFF")
    page.keyboard.insert_text(" 「新字段」")
    expected = policy + "\n# Checked BY STAFF 「新字段」"
    assert page.evaluate("document.getElementById('source').value") == expected
    assert page.evaluate("new FormData(document.getElementById('form')).get('source')") == expected
    assert page.evaluate("window.inputEvents") >= len("\n# Checked BY STAFF")
    # Undo goes back through the history.
    page.keyboard.press("Control+z")
    assert page.evaluate("document.getElementById('source').value") != expected
    # A script selecting in the textarea (as the page does to go to a diagnostic) moves the editor's cursor.
    page.evaluate("document.getElementById('source').setSelectionRange(5, 7)")
    assert page.evaluate("[window.jifenEditor.view.state.selection.main.from, window.jifenEditor.view.state.selection.main.to]") == [5, 7]
    # A script setting the textarea's value sets the editor's text.
    page.evaluate("document.getElementById('source').value = '政策 “测试”\\n年度 2024\\n'")
    assert page.evaluate("window.jifenEditor.getText()") == "政策 “测试”\n年度 2024\n"
    assert any("tok-keyword" in c for c in _token_classes(page, "年度"))
    shot("5-typed")


@pytest.mark.parametrize("opening, closing", [("「", "」"), ("（", "）"), ("｛", "｝"), ("(", ")")])
def test_brackets_are_matched(editor_page, opening, closing):
    page, policy, shot = editor_page(name="brackets")
    text = "定义 「甲」 = 1\n要求 「乙」：\n    （「甲」 ＋ 1） ＞ (2) 且 「丙」 属于 ｛“一”，“二”｝\n"
    page.evaluate("(text) => { document.getElementById('source').value = text; }", text)
    page.locator(".cm-content").click()
    cursor = text.index(" " + opening, text.index("\n    ")) + 1  # before a bracket that follows a space
    page.evaluate("(pos) => window.jifenEditor.view.dispatch({selection: {anchor: pos}})", cursor)
    page.wait_for_function("document.querySelectorAll('.cm-matchingBracket').length == 2", timeout=5000)
    marked = page.evaluate("[...document.querySelectorAll('.cm-matchingBracket')].map(e => e.textContent)")
    assert marked == [opening, closing]


def test_ctrl_s_formats_then_saves_the_formatted_text(editor_page):
    page, policy, shot = editor_page()
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# Saved BY STAFF")
    page.keyboard.press("Control+s")
    page.wait_for_function("calls.some(c => c[0] === 'save')", timeout=5000)
    calls = page.evaluate("calls.filter(c => c[0] === 'format' || c[0] === 'save')")
    assert [c[0] for c in calls] == ["format", "save"]
    typed = policy + "\n# Saved BY STAFF"
    assert calls[0][1] == typed
    assert calls[1][1] == typed.lower()
    assert page.evaluate("window.jifenEditor.getText()") == typed.lower()
    assert page.evaluate("document.getElementById('source').value") == typed.lower()
    # The page's own Ctrl-S listener did not save a second time; it was told of the save.
    assert page.evaluate("calls.filter(c => c[0] === 'page-save').length") == 0
    page.wait_for_function("calls.some(c => c[0] === 'saved-event')", timeout=5000)
    assert page.evaluate("calls.find(c => c[0] === 'saved-event')") == ["saved-event", typed.lower(), "source"]
    shot("6-saved")


def test_a_refused_format_shows_its_diagnostics_and_keeps_the_text(editor_page):
    page, policy, shot = editor_page(name="refused")
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# REFUSE")
    page.keyboard.press("Control+s")
    page.wait_for_function("calls.some(c => c[0] === 'save')", timeout=5000)
    assert page.evaluate("window.jifenEditor.getText()") == policy + "\n# REFUSE"
    page.locator(".cm-content").click()
    page.keyboard.press("Control+Shift+M")
    page.locator(".cm-panel-lint").wait_for(timeout=5000)
    assert "格式化失败" in page.locator(".cm-panel-lint").text_content()
    shot("6-refused")


def test_without_the_workbench_it_is_a_plain_editor(editor_page):
    page, policy, shot = editor_page(services=False, name="plain")
    assert page.evaluate("window.jifenEditor.getText()") == policy
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n# plain")
    page.keyboard.press("Control+s")
    page.wait_for_timeout(500)
    assert page.evaluate("document.getElementById('source').value") == policy + "\n# plain"
    assert page.locator(".cm-lintRange").count() == 0
    assert _token_classes(page, "要求")
    shot("7-plain")
