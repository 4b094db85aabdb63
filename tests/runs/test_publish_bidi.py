"""A public list holds no bidirectional control: masking removes them before counting, and no other text of the list keeps one."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile

import pytest
from openpyxl import load_workbook

from jifen_dsl.data.masking import mask, without_bidi_controls
from jifen_dsl.lang.model import Mask
from jifen_dsl.runs.public_html import html_page
from jifen_dsl.runs.publish import PublicList, admission_list, points_list

from ..conftest import ROOT

HAIZHU = str(ROOT / "policies" / "haizhu" / "2022.jifen")
# The embeddings and overrides, the isolates, and the marks.
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("control", BIDI, ids=lambda c: f"U+{ord(c):04X}")
def test_masking_removes_each_bidirectional_control_before_counting(control):
    assert mask(control + "张三明", Mask(1, 1)) == "张*明"
    assert mask("张" + control + "三明", Mask(1, 1)) == "张*明"
    assert mask("张三明" + control, Mask(1, 1)) == "张*明"
    assert mask(control + "张三" + control, Mask(1, 1)) == "张*"  # two characters, not four: the end is given up
    assert mask(control * 3, Mask(1, 1)) == ""
    assert mask(control + " 李四 ", Mask(1, 1)) == "李*"
    assert mask("4401021990010112" + control + "34", Mask(6, 4)) == "440102********1234"


def test_a_reversed_name_cannot_show_its_hidden_end():
    # Without the removal, '\u202e' would be the kept first character and the name's last one would be shown.
    shown = mask("\u202e明三张", Mask(1, 0))
    assert shown == "明**" and "\u202e" not in shown


def test_without_bidi_controls_keeps_everything_else():
    text = "张三 a-b\tc\u200b" + "".join(BIDI)
    assert without_bidi_controls(text) == "张三 a-b\tc\u200b"
    assert without_bidi_controls("plain ascii") == "plain ascii"


def _records() -> list[dict]:
    return [
        {
            "id": "HZ\u202e-01", "grade": "G1", "status": "admitted", "school": "HZ-P01", "school_name": "海珠\u202d区学校",
            "round": "choice:1", "rank": 1, "points": "120", "applicant_name": "\u202e张三明", "child_name": "张\u2067小明\u2069",
            "id_number": "\u202e440102199001011234",
        },
        {
            "id": "HZ-02", "grade": "G1", "status": "admitted", "school": "HZ-P01", "school_name": "海珠区学校",
            "round": "choice:1", "rank": 2, "points": "110", "applicant_name": "李\u200f四", "child_name": "\u2066李小红\u2069",
            "id_number": "44010219900101567X",
        },
    ]


def test_the_lists_hold_no_bidirectional_control():
    from jifen_dsl.compile.pipeline import load_policy

    policy = load_policy(HAIZHU).policy
    for public in (points_list(_records(), policy), admission_list(_records(), policy)):
        texts = [public.title, public.subtitle, *public.header, *public.notes, *(c for row in public.rows for c in row if isinstance(c, str))]
        assert not any(ch in text for text in texts for ch in BIDI)
        assert "HZ-01" in texts and "张*明" in texts and "李*" in texts and "李*红" in texts
        assert "440102********1234" in texts


def test_the_html_page_drops_a_control_from_a_list_made_elsewhere():
    page = html_page(PublicList("points", "en", "T\u202e", "s", ("g", "name"), (("G1", "\u202eab"),), frozenset(), ("\u2066n",)))
    assert not any(ch in page for ch in BIDI)
    assert "<td>ab</td>" in page


def _published(folder, kind: str, fmt: str) -> str:
    out = folder / f"{kind}.{fmt}"
    done = subprocess.run(
        [sys.executable, "-m", "jifen_dsl", "publish", "results.json", "--kind", kind, "--format", fmt, "--policy", HAIZHU, "-o", out.name],
        cwd=folder, capture_output=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    if fmt != "xlsx":
        return out.read_text(encoding="utf-8")
    with zipfile.ZipFile(out) as archive:
        xml = "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))
    cells = [str(c.value) for ws in load_workbook(out).worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    return xml + "\n".join(cells)


@pytest.mark.parametrize("kind", ["points", "admission"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
def test_publish_writes_no_bidirectional_control(tmp_path, kind, fmt):
    (tmp_path / "results.json").write_text(json.dumps(_records(), ensure_ascii=False), encoding="utf-8")
    text = _published(tmp_path, kind, fmt)
    for ch in BIDI:
        assert ch not in text, f"U+{ord(ch):04X}"
    assert "张*明" in text and "李*红" in text and "HZ-01" in text and "440102********1234" in text
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert [c for c in rows[1] if c.startswith("张")] == ["张*明", "张*明"]
        assert [c for c in rows[2] if c.startswith("李")] == ["李*", "李*红"]
