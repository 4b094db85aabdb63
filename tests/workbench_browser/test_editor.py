"""The editor page as staff use it, in chromium against a real ``jifen serve``: a typo is marked as it is typed,
fixed, saved, and the save's clause diff is shown."""

from __future__ import annotations

import shutil

from ..browser import launched_browser, no_sideways_scroll, screenshot, served
from ..conftest import POLICIES


def test_a_typo_is_marked_as_typed_then_fixed_saved_and_its_diff_shown(tmp_path):
    folder = tmp_path / "policies"
    shutil.copytree(POLICIES, folder)
    policy = folder / "haizhu" / "2023.jifen"
    before = policy.read_text(encoding="utf-8")
    good, typo = "「居住证起始日期」 + 1年", "「居住证起始日其」 + 1年"
    assert good in before
    with served(folder) as address, launched_browser() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(address + "edit?path=haizhu/2023.jifen")
        page.wait_for_selector(".cm-content")
        line = page.locator(".cm-line", has_text=good).first
        line.click()
        # Retype the line's name with a typo, as a person would: select the word and type over it.
        page.keyboard.press("Home")
        page.keyboard.press("Shift+End")
        page.keyboard.type(line.inner_text().replace(good, typo))
        mark = page.wait_for_selector(".cm-lintRange-error", timeout=15_000)
        assert "居住证起始日其" in mark.inner_text()
        page.wait_for_selector("#diagnostics li", timeout=15_000)
        problems = page.locator("#diagnostics").inner_text()
        assert "C0201" in problems and "未知名称「居住证起始日其」" in problems
        screenshot(page, tmp_path, "editor-typo")

        # A policy with an error is not saved.
        page.keyboard.press("Control+s")
        expect(page.locator("#state")).not_to_have_text("", timeout=15_000)
        assert policy.read_text(encoding="utf-8") == before

        # Fixed and moved a day: it checks clean, saves, and the save's diff names the changed requirement.
        page.locator(".cm-line", has_text=typo).first.click()
        page.keyboard.press("Home")
        page.keyboard.press("Shift+End")
        page.keyboard.type(page.locator(".cm-line", has_text=typo).first.inner_text().replace(typo, good.replace("1年", "2年")))
        expect(page.locator(".cm-lintRange-error")).to_have_count(0, timeout=15_000)
        page.keyboard.press("Control+s")
        expect(page.locator("#diff")).to_contain_text("居住证满一年", timeout=15_000)
        after = policy.read_text(encoding="utf-8")
        assert after != before and "「居住证起始日期」 + 2年" in after
        assert "居住证满一年" in page.locator("#diff").inner_text()
        screenshot(page, tmp_path, "editor-saved")

        # At a phone's width the page does not scroll sideways.
        page.set_viewport_size({"width": 390, "height": 844})
        assert no_sideways_scroll(page)
