"""Every route of the workbench through HTTP, answering as it should: the pages, the policies, check, format, hover, diff."""

from __future__ import annotations

import re

from .conftest import CSRF, client_for, post

BAD_NAME = ("「居住证起始日期」 + 1年", "「居住证开始日期」 + 1年")  # one known name misspelled, in haizhu/2023.jifen


def _text(folder, path: str) -> str:
    return (folder / path).read_text(encoding="utf-8")


# ------------------------------------------------------------------ pages


def test_the_policies_page_lists_districts_years_and_what_each_extends(client):
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page.text and "积分政策工作台" in page.text  # Chinese by default
    assert f'<meta name="csrf-token" content="{CSRF}">' in page.text
    for district in ("海珠区", "白云区", "从化区"):
        assert district in page.text
    assert 'href="/edit?path=haizhu/2023.jifen"' in page.text
    assert 'href="/edit?path=haizhu/2022.jifen">haizhu/2022.jifen</a>' in page.text  # what 2023 extends
    assert "通过" in page.text
    assert "Noto Sans CJK SC" in client.get("/static/workbench.css").text


def test_the_english_toggle_is_remembered_in_a_cookie(client):
    page = client.get("/?lang=en")
    assert '<html lang="en">' in page.text and "Policies in this folder" in page.text
    assert "jifen_lang=en" in page.headers["set-cookie"]
    assert "Policies in this folder" in client.get("/").text  # the cookie keeps it
    assert "本文件夹中的政策" in client.get("/?lang=zh").text


def test_the_editor_page_holds_the_text_the_script_and_the_bundle_when_there_is_one(client, folder, monkeypatch, tmp_path):
    page = client.get("/edit", params={"path": "haizhu/2023.jifen"})
    assert page.status_code == 200
    textarea = re.search(r'<textarea id="source"[^>]*>(.*?)</textarea>', page.text, re.S)
    assert textarea is not None and "2023年海珠区" in textarea.group(1)
    assert '<script src="/static/workbench.js" defer></script>' in page.text
    assert 'id="workbench-words"' in page.text
    script = client.get("/static/workbench.js")
    assert script.status_code == 200 and "window.jifenWorkbench" in script.text
    # The requests every page's script makes (static/page.js, loaded first) carry the CSRF token.
    assert page.text.index('<script src="/static/page.js" defer></script>') < page.text.index('<script src="/static/workbench.js"')
    shared = client.get("/static/page.js")
    assert shared.status_code == 200 and "X-CSRF-Token" in shared.text

    from jifen_dsl.workbench import app as app_module

    bundle = tmp_path / "editor.js"
    monkeypatch.setattr(app_module, "EDITOR_BUNDLE", bundle)
    assert "/static/editor/editor.js" not in client.get("/edit", params={"path": "haizhu/2023.jifen"}).text
    bundle.write_text("", encoding="utf-8")
    assert '<script src="/static/editor/editor.js" defer></script>' in client.get("/edit", params={"path": "haizhu/2023.jifen"}).text


def test_the_editor_page_escapes_the_text(client, folder):
    (folder / "haizhu" / "odd.jifen").write_text("# </textarea><script>alert(1)</script>\n", encoding="utf-8")
    page = client.get("/edit", params={"path": "haizhu/odd.jifen"})
    assert "<script>alert(1)" not in page.text and "&lt;/textarea&gt;&lt;script&gt;" in page.text


def test_a_page_for_a_missing_policy_is_a_404_page(client):
    page = client.get("/edit", params={"path": "haizhu/1999.jifen"})
    assert page.status_code == 404 and "haizhu/1999.jifen" in page.text and "Traceback" not in page.text


# ------------------------------------------------------------------ the policies


def test_api_policies(client):
    answer = client.get("/api/policies")
    assert answer.status_code == 200
    found = {p["path"]: p for p in answer.json()["policies"]}
    assert set(found) == {
        "baiyun/2021.jifen", "baiyun/2022.jifen", "baiyun/2023.jifen", "conghua/2020.jifen", "conghua/2021.jifen",
        "haizhu/2020.jifen", "haizhu/2022.jifen", "haizhu/2023.jifen", "guangzhou/fields.jifen",
    }
    haizhu = found["haizhu/2023.jifen"]
    assert (haizhu["district"], haizhu["year"], haizhu["extends"], haizhu["language"]) == ("海珠区", 2023, "haizhu/2022.jifen", "zh")
    assert (haizhu["status"], haizhu["errors"], haizhu["warnings"]) == ("ok", 0, 0)
    assert found["baiyun/2023.jifen"]["language"] == "en"
    assert found["guangzhou/fields.jifen"]["kind"] == "library"


def test_api_policies_counts_the_errors_of_a_policy_that_does_not_check(client, folder):
    path = folder / "haizhu" / "2023.jifen"
    path.write_text(path.read_text(encoding="utf-8").replace(*BAD_NAME), encoding="utf-8")
    found = {p["path"]: p for p in client.get("/api/policies").json()["policies"]}
    assert (found["haizhu/2023.jifen"]["status"], found["haizhu/2023.jifen"]["errors"]) == ("errors", 1)
    assert "1 个错误" in client.get("/").text


def test_api_policy(client, folder):
    answer = client.get("/api/policy", params={"path": "haizhu/2023.jifen"})
    assert answer.status_code == 200
    assert answer.json() == {"path": "haizhu/2023.jifen", "text": _text(folder, "haizhu/2023.jifen"), "language": "zh"}


# ------------------------------------------------------------------ check


def test_check_a_good_policy(client, folder):
    answer = post(client, "/api/check", {"path": "baiyun/2023.jifen", "text": _text(folder, "baiyun/2023.jifen")})
    assert answer.status_code == 200
    assert answer.json() == {"path": "baiyun/2023.jifen", "language": "en", "diagnostics": [], "errors": 0, "warnings": 0}


def test_check_speaks_a_chinese_policys_language_and_english_when_asked(client, folder):
    text = _text(folder, "haizhu/2023.jifen").replace(*BAD_NAME)
    chinese = post(client, "/api/check", {"path": "haizhu/2023.jifen", "text": text}).json()
    assert chinese["errors"] == 1
    [d] = chinese["diagnostics"]
    assert d == {
        "line": 17, "column": 5, "end_line": 17, "end_column": 14, "severity": "error", "code": "C0201",
        "message": "未知名称「居住证开始日期」", "hint": "是否想写「居住证起始日期」或「本区居住证起始日期」？",
    }
    [english] = post(client, "/api/check?lang=en", {"path": "haizhu/2023.jifen", "text": text}).json()["diagnostics"]
    assert english["message"] == "unknown name '居住证开始日期'"
    assert english["hint"].startswith("did you mean")
    assert (english["line"], english["code"]) == (17, "C0201")


def test_check_reads_the_text_at_its_path_in_its_library(client, folder):
    """The text is checked as the file it names: its extends and imports are found beside that file."""
    text = _text(folder, "baiyun/2023.jifen") + '\nrequirement r "x": nosuch > 1\n'
    [d] = post(client, "/api/check", {"path": "baiyun/2023.jifen", "text": text}).json()["diagnostics"]
    assert d["message"] == "unknown name 'nosuch'" and d["line"] == text.count("\n")
    # A new file, not yet on disk, is checked as if it were there.
    answer = post(client, "/api/check", {"path": "baiyun/2024.jifen", "text": _text(folder, "baiyun/2023.jifen")})
    assert answer.status_code == 200 and answer.json()["errors"] == 0


def test_check_of_text_that_does_not_parse(client):
    answer = post(client, "/api/check", {"path": "haizhu/2023.jifen", "text": "政策 “x”\n坏"})
    assert answer.status_code == 200
    assert answer.json()["errors"] >= 1 and answer.json()["diagnostics"][0]["severity"] == "error"


# ------------------------------------------------------------------ format


def test_format(client, folder):
    text = _text(folder, "baiyun/2023.jifen")
    answer = post(client, "/api/format", {"path": "baiyun/2023.jifen", "text": text})
    assert answer.status_code == 200 and answer.json() == {"path": "baiyun/2023.jifen", "text": text, "changed": False}
    messy = text.replace('extends "2022.jifen"', 'extends    "2022.jifen"   ')
    assert post(client, "/api/format", {"path": "baiyun/2023.jifen", "text": messy}).json()["text"] == text
    chinese = post(client, "/api/format", {"path": "baiyun/2023.jifen", "text": text, "to": "zh"}).json()["text"]
    assert "继承 “2022.jifen”" in chinese


def test_format_of_text_that_does_not_parse_gives_its_diagnostics(client):
    answer = post(client, "/api/format", {"path": "haizhu/2023.jifen", "text": "政策 “x”\n坏"})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "syntax_error" and error["diagnostics"] and error["diagnostics"][0]["line"] >= 1


# ------------------------------------------------------------------ hover


def test_hover_on_a_field_and_on_an_inherited_requirement(client, folder):
    text = _text(folder, "haizhu/2023.jifen")
    lines = text.split("\n")
    line = next(i for i, l in enumerate(lines) if "「居住证起始日期」" in l)
    field = post(client, "/api/hover", {"path": "haizhu/2023.jifen", "text": text, "line": line + 1, "column": lines[line].index("「居住证起始日期」") + 2}).json()
    assert field["markdown"].startswith("**field** `permit_start` (居住证起始日期): date")
    assert "guangzhou/fields.jifen" in field["markdown"] and str(folder) not in field["markdown"]
    line = next(i for i, l in enumerate(lines) if l.startswith("修改 要求"))
    requirement = post(client, "/api/hover", {"path": "haizhu/2023.jifen", "text": text, "line": line + 1, "column": lines[line].index("「") + 2}).json()
    assert requirement["markdown"].startswith("**requirement** `居住证满一年`")
    assert "继承自 `2022.jifen`" in requirement["markdown"]
    nothing = post(client, "/api/hover", {"path": "haizhu/2023.jifen", "text": text, "line": 1, "column": 1}).json()
    assert nothing == {"path": "haizhu/2023.jifen", "markdown": None}


def test_hover_wants_positions_from_1(client):
    answer = post(client, "/api/hover", {"path": "haizhu/2023.jifen", "text": "", "line": 0, "column": "x"})
    assert answer.status_code == 422 and answer.json()["error"]["code"] == "bad_field"


# ------------------------------------------------------------------ diff


def test_diff_of_two_files(client):
    answer = post(client, "/api/diff", {"a": "baiyun/2022.jifen", "b": "baiyun/2023.jifen"})
    assert answer.status_code == 200
    diff = answer.json()["diff"]
    assert diff["old"] == {"path": "baiyun/2022.jifen", "district": "白云区", "year": 2022, "language": "en"}
    assert diff["new"]["path"] == "baiyun/2023.jifen"
    assert diff["changes"] and {"id", "clause", "name", "change", "old", "new", "aspects", "parameters"} <= set(diff["changes"][0])


def test_diff_of_a_text_against_what_it_extends(client, folder):
    text = _text(folder, "baiyun/2023.jifen")
    answer = post(client, "/api/diff", {"path": "baiyun/2023.jifen", "text": text}).json()
    assert answer["base"] == "baiyun/2022.jifen"
    assert answer["diff"] == post(client, "/api/diff", {"a": "baiyun/2022.jifen", "b": "baiyun/2023.jifen"}).json()["diff"]


def test_diff_of_a_text_against_the_previous_year_in_its_folder(client, folder):
    text = _text(folder, "haizhu/2022.jifen")
    answer = post(client, "/api/diff", {"path": "haizhu/2022.jifen", "text": text}).json()
    assert answer["base"] == "haizhu/2020.jifen" and answer["diff"]["changes"]
    refused = post(client, "/api/diff", {"path": "conghua/2020.jifen", "text": _text(folder, "conghua/2020.jifen")})
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "no_base"


def test_diff_of_a_text_that_does_not_check(client, folder):
    text = _text(folder, "haizhu/2023.jifen").replace(*BAD_NAME)
    answer = post(client, "/api/diff", {"path": "haizhu/2023.jifen", "text": text})
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_policy" and error["diagnostics"][0]["code"] == "C0201"


def test_the_served_folder_may_be_a_district_folder(tmp_path, folder):
    """Served one district, a policy reads nothing above the folder: what lies there is not found."""
    client = client_for(folder / "baiyun")
    found = {p["path"]: p for p in client.get("/api/policies").json()["policies"]}
    assert set(found) == {"2021.jifen", "2022.jifen", "2023.jifen"}
    assert found["2023.jifen"]["extends"] == "2022.jifen"
    assert found["2021.jifen"]["status"] == "errors"  # it imports ../guangzhou/fields.jifen, outside the served folder
