"""Public lists: masking by the policy's rule, the points and admission lists, and no full identity number anywhere."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile

import pytest
from click.testing import CliRunner

from jifen_dsl.cli import cli
from jifen_dsl.data.masking import mask
from jifen_dsl.lang.model import Mask

from .. import cohort
from ..conftest import ROOT, policy_folder, run_cli as run

HAIZHU = "policies/haizhu/2022.jifen"
BAIYUN = "policies/baiyun/2022.jifen"


pytestmark = pytest.mark.usefixtures("at_root")


@pytest.fixture(scope="module")
def named(tmp_path_factory):
    """The named cohort as CSV, and an allocation run over it."""
    directory = tmp_path_factory.mktemp("named")
    header, rows = cohort.named_rows()
    path = directory / "applicants.csv"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    out = directory / "run"
    result = CliRunner().invoke(cli, ["allocate", str(ROOT / HAIZHU), str(path), str(cohort.SCHOOLS), "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return {"applicants": path, "run": out, "header": header, "rows": rows}


@pytest.mark.parametrize(
    ("value", "rule", "shown"),
    [
        ("张三明", Mask(1, 1), "张*明"),
        ("张三", Mask(1, 1), "张*"),
        ("欧阳明华", Mask(1, 1), "欧**华"),
        ("张", Mask(1, 1), "*"),
        ("440102199001011234", Mask(6, 4), "440102********1234"),
        ("44010219900101123X", Mask(6, 4), "440102********123X"),
        ("12345678", Mask(6, 4), "12345***"),  # too short for the rule: a third stays hidden
        ("张三明", Mask(0, 1), "**明"),
        (" 李四 ", Mask(1, 1), "李*"),
        ("", Mask(1, 1), ""),
        (None, Mask(1, 1), ""),
    ],
)
def test_masking(value, rule, shown):
    assert mask(value, rule) == shown


def _published(named, kind, fmt, tmp_path) -> bytes:
    out = tmp_path / f"list.{fmt}"
    result = run("publish", str(named["run"]), "--kind", kind, "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    return out.read_bytes()


def _text_of(data: bytes, fmt: str) -> str:
    if fmt != "xlsx":
        return data.decode("utf-8")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))


@pytest.mark.parametrize("kind", ["points", "admission"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "html"])
def test_a_public_list_holds_no_full_identity_number_and_no_full_name(named, kind, fmt, tmp_path):
    text = _text_of(_published(named, kind, fmt, tmp_path), fmt)
    assert "440105" in text  # the numbers are there, masked
    for number in cohort.id_numbers():
        assert number not in text
    assert not re.search(r"\d{17}[\dX]", text)
    for row in named["rows"]:
        for name in row[-3:-1]:
            assert name not in text or len(name) == 1
    assert "张*明" in text


def test_the_points_list_is_ranked_by_grade(named, tmp_path):
    rows = list(csv.reader(io.StringIO(_published(named, "points", "csv", tmp_path).decode("utf-8"))))
    assert rows[0] == ["年级", "排名", "申请编号", "申请人姓名", "子女姓名", "身份证号", "积分", "资格审核"]
    assert len(rows) - 1 == 240
    first_grade = [r for r in rows[1:] if r[0] == "小学一年级" and r[7] == "符合"]
    assert [int(r[1]) for r in first_grade] == list(range(1, len(first_grade) + 1))
    assert [r[0] for r in rows[1:]] == sorted((r[0] for r in rows[1:]), key=["小学一年级", "初中一年级"].index)
    ineligible = [r for r in rows[1:] if r[7] == "不符合"]
    assert len(ineligible) == 70 and all(r[1] == "" for r in ineligible)
    assert all(re.fullmatch(r"440105\*{8}\d{3}[\dX]", r[5]) for r in rows[1:])


def test_the_admission_list_names_each_school_and_how_the_seat_was_won(named, tmp_path):
    rows = list(csv.reader(io.StringIO(_published(named, "admission", "csv", tmp_path).decode("utf-8"))))
    assert rows[0][:6] == ["年级", "学校代码", "学校名称", "录取方式", "排名", "申请编号"]
    results = json.loads((named["run"] / "results.json").read_text(encoding="utf-8"))
    admitted = {r["id"]: r for r in results if r["status"] == "admitted"}
    assert sorted(r[5] for r in rows[1:]) == sorted(admitted)
    for row in rows[1:]:
        record = admitted[row[5]]
        assert (row[1], row[2]) == (record["school"], record["school_name"])
        assert row[3] in ("统筹安排", "补录") or re.fullmatch(r"第\d志愿", row[3])


def test_the_policy_sets_the_masking_rule(named, tmp_path):
    policy = policy_folder(tmp_path) / "policy.jifen"  # beside a copy of the fields it imports
    text = (ROOT / HAIZHU).read_text(encoding="utf-8")
    text = text.replace("姓名 保留 前1 后1", "姓名 保留 前0 后1").replace("身份证号 保留 前6 后4", "身份证号 保留 前3 后2")
    policy.write_text(text, encoding="utf-8")
    result = run("publish", str(named["run"] / "results.json"), "--kind", "points", "--policy", str(policy))
    assert result.exit_code == 0, result.stderr
    row = next(csv.reader(io.StringIO(result.stdout.splitlines()[1])))
    assert re.fullmatch(r"\*+.", row[3]) and re.fullmatch(r"440\*{13}\d[\dX]", row[5])
    assert "姓名保留前0字、后1字，身份证号保留前3位、后2位" in run("publish", str(named["run"] / "results.json"), "--kind", "points", "--format", "html", "--policy", str(policy)).stdout


def test_a_results_file_needs_the_policy_and_evaluate_results_make_no_admission_list(named, tmp_path):
    results = named["run"] / "results.json"
    missing = run("publish", str(results), "--kind", "points")
    assert missing.exit_code == 2 and "give --policy POLICY" in missing.output
    evaluated = tmp_path / "evaluated.json"
    assert run("evaluate", HAIZHU, str(named["applicants"]), "--format", "json", "-o", str(evaluated)).exit_code == 0
    points = run("publish", str(evaluated), "--kind", "points", "--policy", HAIZHU)
    assert points.exit_code == 0 and points.stdout.count("\n") == 241
    admission = run("publish", str(evaluated), "--kind", "admission", "--policy", HAIZHU)
    assert admission.exit_code == 1
    assert "这是 evaluate 的结果；录取名单需要 allocate 的结果" in admission.stderr  # the policy is Chinese
    english = run("--lang", "en", "publish", str(evaluated), "--kind", "admission", "--policy", HAIZHU)
    assert english.exit_code == 1 and "an admission list needs the results of allocate" in english.stderr
    assert run("publish", str(ROOT / HAIZHU), "--kind", "points", "--policy", HAIZHU).exit_code == 1


def test_an_english_policy_gives_english_headers(tmp_path):
    out = tmp_path / "run"
    assert run("allocate", BAIYUN, "examples/baiyun-2022/applicants.csv", "examples/baiyun-2022/schools.csv", "--out", str(out)).exit_code == 0
    result = run("publish", str(out), "--kind", "admission")
    assert result.stdout.splitlines()[0] == "Grade,School code,School,Admitted by,Rank,Application no.,Points"
    assert "choice 1" in result.stdout


def test_the_html_page_is_self_contained_and_prints_well(named, tmp_path):
    page = _published(named, "points", "html", tmp_path).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"zh-CN\">")
    assert '<meta charset="utf-8">' in page
    for external in ("<script src", "<link", "src=", "http://", "https://", "@import", "url(", "fetch("):
        assert external not in page
    from jifen_dsl.runs.public_html import SCRIPT

    assert page.count("<script") == 1 and f"<script>\n{SCRIPT}\n</script>" in page  # the search, inline: nothing fetched
    assert '<input id="search" type="search"' in page and '<th scope="col" class="id">申请编号</th>' in page
    assert "@media print" in page and "thead { display: table-header-group; }" in page
    assert "<h2>小学一年级（" in page and '<th scope="col">身份证号</th>' in page
    assert page == _published(named, "points", "html", tmp_path).decode("utf-8")  # no dates, no ids: deterministic


def test_html_escapes_what_it_shows(tmp_path):
    from jifen_dsl.runs.public_html import html_page
    from jifen_dsl.runs.publish import PublicList

    page = html_page(PublicList("points", "en", "<b>T</b>", "s", ("g", "name"), (("G1", "<script>x</script>"),), frozenset(), ("a & b",)))
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page and "a &amp; b" in page


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed, so the public HTML page was not rendered in a browser")
def test_the_html_page_renders_in_a_headless_browser(named, tmp_path):
    page = tmp_path / "list.html"
    page.write_bytes(_published(named, "admission", "html", tmp_path))
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    assert "录取名单公示" in dom and "<table>" in dom and "440105********" in dom
    for number in cohort.id_numbers():
        assert number not in dom
