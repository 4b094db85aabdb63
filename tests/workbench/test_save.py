"""Saving: only a policy that checks is written, all at once, and the answer is the clause diff of the save."""

from __future__ import annotations

from .conftest import error_of, post

BAD_NAME = ("「居住证起始日期」 + 1年", "「居住证开始日期」 + 1年")


def _files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_a_policy_that_does_not_check_is_not_saved(client, folder):
    path = folder / "haizhu" / "2023.jifen"
    before, files = path.read_bytes(), _files(folder)
    answer = post(client, "/api/save", {"path": "haizhu/2023.jifen", "text": path.read_text(encoding="utf-8").replace(*BAD_NAME)})
    error = error_of(answer, 422)
    assert error["code"] == "invalid_policy" and error["message"] == "haizhu/2023.jifen 未通过检查，未保存"
    [d] = error["diagnostics"]
    assert (d["line"], d["code"], d["message"]) == (17, "C0201", "未知名称「居住证开始日期」")
    assert path.read_bytes() == before and _files(folder) == files


def test_a_policy_that_checks_is_saved_and_the_diff_of_the_save_returned(client, folder):
    path = folder / "baiyun" / "2023.jifen"
    files = _files(folder)
    old = path.read_text(encoding="utf-8")
    new = old.replace('extends "2022.jifen"', 'extends "2022.jifen"\n\nrequirement extra "Lives in Baiyun" cite "test": true')
    assert new != old
    answer = post(client, "/api/save", {"path": "baiyun/2023.jifen", "text": new})
    assert answer.status_code == 200, answer.text
    saved = answer.json()
    assert path.read_text(encoding="utf-8") == new
    assert _files(folder) == files  # no temporary file left beside it
    assert (saved["path"], saved["saved"], saved["created"], saved["errors"]) == ("baiyun/2023.jifen", True, False, 0)
    diff = saved["diff"]
    assert diff["old"]["path"] == diff["new"]["path"] == "baiyun/2023.jifen"
    [change] = diff["changes"]
    assert (change["clause"], change["name"], change["change"], change["old"]) == ("requirement", "extra", "added", None)
    assert "Lives in Baiyun" in change["new"]
    # Saved again unchanged: nothing to show.
    again = post(client, "/api/save", {"path": "baiyun/2023.jifen", "text": new}).json()
    assert again["diff"] is None and again["diff_note"]


def test_a_new_file_is_saved_without_a_diff(client, folder):
    text = (folder / "baiyun" / "2023.jifen").read_text(encoding="utf-8")
    answer = post(client, "/api/save?lang=en", {"path": "baiyun/2024.jifen", "text": text}).json()
    assert answer["created"] and answer["diff"] is None and answer["diff_note"] == "a new file: nothing to compare with"
    assert (folder / "baiyun" / "2024.jifen").read_text(encoding="utf-8") == text
    refused = post(client, "/api/save", {"path": "nowhere/2024.jifen", "text": text})
    assert error_of(refused, 404)["code"] == "not_found"
    assert not (folder / "nowhere").exists()


def test_saving_through_a_link_inside_the_folder_writes_the_file_it_names(client, folder):
    target = folder / "baiyun" / "2023.jifen"
    (folder / "baiyun" / "current.jifen").symlink_to(target)
    text = target.read_text(encoding="utf-8") + "\n# saved through the link\n"
    assert post(client, "/api/save", {"path": "baiyun/current.jifen", "text": text}).status_code == 200
    assert (folder / "baiyun" / "current.jifen").is_symlink()
    assert target.read_text(encoding="utf-8") == text
