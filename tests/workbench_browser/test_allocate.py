"""The allocation page, the seasons page and the public list as people see them, in chromium."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from ..browser import launched_browser, no_sideways_scroll, screenshot, served
from ..conftest import ROOT


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "served"
    shutil.copytree(ROOT / "policies", folder / "policies")
    shutil.copytree(ROOT / "examples" / "haizhu-2022", folder / "examples" / "haizhu-2022")
    return folder


_DRAWN = """(id) => {
  const canvas = document.getElementById(id);
  if (!canvas || !canvas.width || !canvas.height) return 0;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted;
}"""


def test_the_example_cohort_is_allocated_and_charted(tmp_path):
    folder = _folder(tmp_path)
    query = "path=policies/haizhu/2022.jifen&applicants=examples/haizhu-2022/applicants.csv&schools=examples/haizhu-2022/schools.csv"
    with served(folder) as address, launched_browser() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(address + "allocate?" + query)
        expect(page.locator("#allocate-result")).to_be_visible(timeout=60_000)
        expect(page.locator("#allocate-counts")).to_contain_text("120")
        page.wait_for_timeout(500)  # the charts' first frame
        assert page.evaluate(_DRAWN, "schools-chart") > 1000
        assert page.evaluate(_DRAWN, "rounds-chart") > 100
        points = page.locator("#points-charts canvas")
        assert points.count() >= 1
        assert page.evaluate("() => [...document.querySelectorAll('#points-charts canvas')].every(c => c.width > 0)")
        screenshot(page, tmp_path, "allocate")
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_timeout(800)  # the charts follow their boxes' new width
        assert no_sideways_scroll(page)


def test_the_published_list_is_searched_by_application_number_and_fits_a_phone(tmp_path):
    folder = _folder(tmp_path)
    run = tmp_path / "run"
    jifen = [sys.executable, "-m", "jifen_dsl"]
    example = folder / "examples" / "haizhu-2022"
    subprocess.run([*jifen, "allocate", str(folder / "policies/haizhu/2022.jifen"), str(example / "applicants.csv"), str(example / "schools.csv"), "--out", str(run)],
                   check=True, capture_output=True, timeout=300)
    page_file = tmp_path / "录取名单.html"
    subprocess.run([*jifen, "publish", str(run), "--kind", "admission", "--format", "html", "-o", str(page_file)], check=True, capture_output=True, timeout=300)
    with launched_browser() as browser:
        from playwright.sync_api import expect

        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(page_file.as_uri())
        rows = page.locator("tbody tr")
        total = rows.count()
        assert total > 10
        assert no_sideways_scroll(page)
        page.locator("#search").fill("HZ2022-E02")
        expect(page.locator("tbody tr:visible")).to_have_count(1)
        assert "HZ2022-E02" in page.locator("tbody tr:visible").inner_text()
        screenshot(page, tmp_path, "public-list-phone")
        page.locator("#search").fill("")
        expect(page.locator("tbody tr:visible")).to_have_count(total)


def test_the_public_list_preview_and_the_seasons_page(tmp_path):
    folder = _folder(tmp_path)
    query = "kind=admission&path=policies/haizhu/2022.jifen&applicants=examples/haizhu-2022/applicants.csv&schools=examples/haizhu-2022/schools.csv"
    with served(folder) as address, launched_browser() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(address + "preview?" + query)
        page.wait_for_selector("iframe")
        frames = page.locator("iframe")
        assert frames.count() >= 1
        page.wait_for_timeout(1000)
        assert any("HZ2022-E02" in (frame.content() or "") for frame in page.frames[1:])
        screenshot(page, tmp_path, "preview")
        page.goto(address + "seasons")
        assert "招生季" in page.locator("main").inner_text()
