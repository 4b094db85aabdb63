"""The Compare page in chromium against a real ``jifen serve``: an edit that changes nothing shows no difference;
a birth-date window moved by a month lists the applicants it changes, each with the clause that causes it."""

from __future__ import annotations

import re
import shutil

from ..browser import launched_browser, no_sideways_scroll, screenshot, served
from ..conftest import POLICIES, ROOT

POLICY = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"
SCHOOLS = "examples/haizhu-2022/schools.csv"
WINDOW = "「出生日期」 介于 2015年9月1日 至 2016年8月31日"
MOVED = "「出生日期」 介于 2015年10月1日 至 2016年9月30日"


def _run(page, text: str) -> None:
    page.fill("#edit-text", text)
    page.click("#run-impact")
    page.wait_for_selector("#impact[data-done]", timeout=60_000)



def test_the_impact_of_an_edit_before_it_is_saved(tmp_path):
    folder = tmp_path / "repository"
    shutil.copytree(POLICIES, folder / "policies")
    shutil.copytree(ROOT / "examples", folder / "examples")
    saved = (folder / POLICY).read_text(encoding="utf-8")
    assert saved.count(WINDOW) == 1
    with served(folder) as address, launched_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(address + f"compare?path={POLICY}&applicants={APPLICANTS}&schools={SCHOOLS}")
        assert "与 policies/haizhu/2020.jifen 逐条对比" in page.locator("#against h2").inner_text()
        assert page.locator("#base-diff .change").count() > 0

        # The text as saved, then with a comment and blank lines added: no difference, nothing listed.
        for text in (saved, "# 只加了一条注释\n\n" + saved + "\n\n"):
            _run(page, text)
            impact = page.locator("#impact")
            assert "没有差别" in impact.inner_text()
            assert impact.locator("table, .change").count() == 0
        screenshot(page, tmp_path, "compare-no-difference", at="#edit")

        # The first-grade birth-date window a month later: the applicants it changes, each traced to the clause.
        _run(page, saved.replace(WINDOW, MOVED))
        impact = page.locator("#impact")
        assert "没有差别" not in impact.inner_text()
        assert "[1] 要求 一年级出生日期 (G1)" in impact.locator(".change h3").first.inner_text()
        rows = page.locator("#affected tbody tr")
        assert rows.count() > 50
        first = rows.filter(has_text="HZ2022-E02").first.inner_text()
        assert "合格：是 → 否" in first and "一年级出生日期" in first and "已录取 → 不符合条件" in first
        assert all("要求 一年级出生日期" in cell for cell in page.locator("#affected tbody tr td:last-child").all_inner_texts())
        seats = page.locator("#seats").inner_text()
        assert "HZ-P05" in seats and "93.5" in seats and "73" in seats  # a cut-off that shifts
        assert (folder / POLICY).read_text(encoding="utf-8") == saved  # nothing saved
        screenshot(page, tmp_path, "compare-impact", at="#impact")
        assert no_sideways_scroll(page)

        # At a phone's width: the same list, no sideways scroll.
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(200)
        assert no_sideways_scroll(page)
        assert page.locator("#affected").is_visible()
        screenshot(page, tmp_path, "compare-impact-phone", at="#affected")


def test_an_edit_left_unsaved_in_the_editor_is_what_compare_weighs(tmp_path):
    folder = tmp_path / "repository"
    shutil.copytree(POLICIES, folder / "policies")
    shutil.copytree(ROOT / "examples", folder / "examples")
    saved = (folder / POLICY).read_text(encoding="utf-8")
    with served(folder) as address, launched_browser() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(address + f"edit?path={POLICY}")
        page.wait_for_selector(".cm-content")
        # The window's line is far below the fold, where the editor draws nothing: the edit goes in
        # through the editor's text, as a paste would, and is checked as typing is.
        page.evaluate("([from, to]) => { const s = document.getElementById('source'); s.value = s.value.replace(from, to); }", [WINDOW, MOVED])
        expect(page.locator("#state")).to_have_text("有未保存的修改", timeout=15_000)

        # Not saved; the link to Compare carries the edit, and its impact is shown.
        page.click("#impact-link")
        # The page's script (deferred) puts the edit in once the page has loaded: wait for it, not for the box.
        expect(page.locator("#edit-text")).to_have_value(re.compile(re.escape(MOVED)), timeout=15_000)
        page.fill("#applicants", APPLICANTS)
        page.fill("#schools", SCHOOLS)
        page.click("#run-impact")
        page.wait_for_selector("#impact[data-done]", timeout=60_000)
        assert "[1] 要求 一年级出生日期 (G1)" in page.locator("#impact .change h3").first.inner_text()
        assert (folder / POLICY).read_text(encoding="utf-8") == saved

        # Back in the editor, the edit is there still, not saved; saved, it is forgotten.
        page.goto(address + f"edit?path={POLICY}")
        page.wait_for_selector(".cm-content")
        expect(page.locator("#state")).to_have_text("有未保存的修改", timeout=15_000)
        assert MOVED in page.evaluate("window.jifenWorkbench.getText()")
        page.keyboard.press("Control+s")
        expect(page.locator("#diff")).to_contain_text("一年级出生日期", timeout=15_000)
        assert MOVED in (folder / POLICY).read_text(encoding="utf-8")
        assert page.evaluate(f"window.sessionStorage.getItem('jifen-unsaved:{POLICY}')") is None
