"""The Try page as staff use it, in chromium against a real ``jifen serve``: the example applicants chosen, filtered by a
failed requirement, an applicant clicked and explained, a family saved and flagged when an edit changes its outcome."""

from __future__ import annotations

import shutil

from ..browser import launched_browser, no_sideways_scroll, screenshot, served
from ..conftest import POLICIES, ROOT

POLICY = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"



def test_choose_filter_explain_and_a_saved_family_flagged(tmp_path):
    folder = tmp_path / "served"
    shutil.copytree(POLICIES, folder / "policies")
    shutil.copytree(ROOT / "examples" / "haizhu-2022", folder / "examples" / "haizhu-2022")
    with served(folder) as address, launched_browser() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(address + "try?path=" + POLICY)
        expect(page.locator("h1")).to_contain_text("试算")
        expect(page.locator("#try-file option", has_text=APPLICANTS)).to_have_count(1, timeout=15_000)
        page.select_option("#try-file", APPLICANTS)
        expect(page.locator("#results tbody tr")).to_have_count(240, timeout=30_000)
        expect(page.locator("#try-count")).to_contain_text("240")

        # Filter by a failed requirement: only those who failed it remain.
        page.select_option("#filter-failed", "一年级出生日期")
        rows = page.locator("#results tbody tr")
        expect(rows.first).to_contain_text("一年级出生日期")
        count = rows.count()
        assert 0 < count < 240
        assert all("一年级出生日期" in rows.nth(i).inner_text() for i in range(count))
        assert "不符合条件" in rows.first.inner_text()

        # Click an applicant: the explanation, in Chinese.
        rows.first.click()
        expect(page.locator("#explanation")).to_contain_text("申请条件", timeout=15_000)
        expect(page.locator("#explanation")).to_contain_text("✗ 一年级出生日期")
        assert no_sideways_scroll(page)
        screenshot(page, tmp_path, "try-explain")

        # Save the family; an edit of the text that changes its outcome flags it.
        page.click("#save-case")
        expect(page.locator("#cases li").first).to_contain_text("符合预期", timeout=15_000)
        page.locator("details.try-text summary").click()
        source = page.locator("#try-source")
        text = source.input_value()
        assert "介于 2015年9月1日" in text
        source.fill(text.replace("介于 2015年9月1日", "介于 2015年8月1日"))
        source.dispatch_event("input")
        expect(page.locator("#cases li.changed")).to_have_count(1, timeout=15_000)
        expect(page.locator("#cases li.changed")).to_contain_text("结果已改变")
        screenshot(page, tmp_path, "try-case-changed")

        # At a phone's width the page does not scroll sideways.
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(200)
        assert no_sideways_scroll(page)
        screenshot(page, tmp_path, "try-phone")
