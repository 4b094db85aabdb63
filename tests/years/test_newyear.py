"""jifen new-year: next year's policy from this year's, moved on by the date rule, checked before it is written."""

from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner

from jifen_dsl.cli import cli
from jifen_dsl.years.diff import diff, load_side
from jifen_dsl.errors import PolicyError
from jifen_dsl.years.newyear import new_year
from jifen_dsl.compile.pipeline import check_file
from jifen_dsl.lang.library import using_library

from ..conftest import EN_HEADER, FIELDS_IMPORT, POLICIES, ROOT, policy_folder

SHIPPED = ["haizhu/2020", "haizhu/2022", "haizhu/2023", "baiyun/2021", "baiyun/2022", "baiyun/2023", "conghua/2020", "conghua/2021"]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def said(lines, lang: str = "en") -> list[str]:
    """The change list or the reminders, as they read in ``lang``."""
    return [line.render(lang) for line in lines]


def comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_policy_rolls_forward_and_passes_the_checker(name, tmp_path):
    source = f"policies/{name}.jifen"
    result = new_year(source, target=str(tmp_path / "next.jifen"))
    assert result.policy.header.year == int(name[-4:]) + 1
    # Written elsewhere, its imports and its parent are named from where it is: outside
    # its library, which is named to check it.
    path = tmp_path / "next.jifen"
    path.write_text(result.text, encoding="utf-8")
    with using_library(POLICIES):
        assert check_file(str(path)).header.year == int(name[-4:]) + 1
    # Comments survive; only dates and the year changed.
    assert comments(result.text)[: len(comments(open(source, encoding="utf-8").read()))] == comments(open(source, encoding="utf-8").read())


def test_dates_keep_their_form_and_the_change_list_says_where():
    result = new_year("policies/haizhu/2022.jifen")
    assert "基准日 2023年8月31日" in result.text
    assert "自 2023年4月25日 09:00 至 2023年5月10日 17:00" in result.text
    assert "「出生日期」 介于 2016年9月1日 至 2017年8月31日" in result.text
    assert "line 7: year 2022 -> 2023" in said(result.changes)
    assert "line 56: 2015年9月1日 -> 2016年9月1日" in said(result.changes)
    assert "第 7 行：年度 2022 -> 2023" in said(result.changes, "zh")
    # Text is not rewritten; the strings that mention 2022 are listed for the author.
    assert "“2022年小学应届毕业生”" in result.text
    assert any("“2022年小学应届毕业生”" in r for r in said(result.reminders))
    assert "以下字符串提及 2022，未作改动；请逐一修改：" in said(result.reminders, "zh")
    assert result.path == os.path.join("policies/haizhu", "2023.jifen")


def test_29_february_becomes_28_february_and_says_so(write_policy):
    path = write_policy(
        'requirement r "Born by 29 February 2020": child_birth_date <= 2020-02-29\n'
        'requirement s "Applied in time": applied_at <= 2020-02-29 23:59\n',
        header=EN_HEADER.replace("2022", "2020"),
    )
    result = new_year(path)
    assert "child_birth_date <= 2021-02-28\n" in result.text and "applied_at <= 2021-02-28 23:59" in result.text
    leap = [c for c in said(result.changes) if "2020-02-29" in c]
    assert len(leap) == 2 and all("29 February does not exist in 2021" in c for c in leap)


def test_numbers_equal_to_the_year_are_pointed_out(write_policy):
    path = write_policy('for grade "G7" { requirement g "Graduates": primary_graduation_year = 2022 }\n')
    result = new_year(path)
    assert "primary_graduation_year = 2022" in result.text
    assert any("the number 2022" in r for r in said(result.reminders))


def test_a_year_beyond_the_calendar_is_pointed_out():
    result = new_year("policies/conghua/2020.jifen", 2027)
    assert any("counts working days" in r and "declare 2027 in a calendar file" in r for r in said(result.reminders))


def test_the_new_year_must_come_after_the_old():
    with pytest.raises(PolicyError) as info:
        new_year("policies/haizhu/2022.jifen", 2022)
    assert "the new year must come after it, not 2022" in info.value.render()


def test_a_rolled_policy_that_fails_the_checker_is_not_written(write_policy, tmp_path):
    # A constant working-day sum is computed when the policy is checked, and 2027 is not in the calendar.
    path = write_policy('define verified_by = 2026-04-30 + 35 workdays\nrequirement r "In time": applied_at <= verified_by\n', header=EN_HEADER.replace("2022", "2026"))
    with pytest.raises(PolicyError) as info:
        new_year(path)
    text = info.value.render()
    assert "next year's policy does not pass the checker, so nothing was written" in text
    assert "2027-04-30 is outside the working-day calendar" in text
    assert "calendar file" in text
    assert not (tmp_path / "haizhu" / "2027.jifen").exists()


def test_extends_writes_only_the_clauses_that_hold_dates(tmp_path):
    target = str(tmp_path / "2023.jifen")
    result = new_year("policies/haizhu/2022.jifen", target=target, extends=True)
    assert re.search(r"^继承 “.*policies/haizhu/2022.jifen”$", result.text, re.M)
    assert result.text.count("修改 ") == 5  # the birth window and four phases
    with open(target, "w", encoding="utf-8") as handle:
        handle.write(result.text)
    with using_library(POLICIES):  # written outside the library it extends from
        changes = diff(load_side("policies/haizhu/2022.jifen"), load_side(target))
    # Apart from the header's wording, every change is a date moved on.
    assert all(c.moved_with_year for c in changes if c.id not in ("header:title", "header:source"))


def test_a_child_policy_gets_overrides_for_the_dated_clauses_it_inherits(tmp_path):
    folder = policy_folder(tmp_path)
    (folder / "2022.jifen").write_text(
        EN_HEADER + FIELDS_IMPORT +
        'requirement born "Born in the window": child_birth_date between 2015-09-01 and 2016-08-31\n'
        'points { total = points }\ntiebreak { id ascending }\n'
        'schedule { phase apply "Apply" from 2022-04-25 to 2022-05-10 }\n',
        encoding="utf-8",
    )
    (folder / "2023.jifen").write_text(
        EN_HEADER.replace("2022", "2023") + 'extends "2022.jifen"\n'
        'schedule { override phase apply "Apply" from 2023-04-24 to 2023-05-09 }\n',
        encoding="utf-8",
    )
    result = new_year(str(folder / "2023.jifen"))
    assert "from 2024-04-24 to 2024-05-09" in result.text  # its own override, moved
    # The inherited clause is moved as the 2023 policy has it: by one year.
    assert 'override requirement born "Born in the window":\n    child_birth_date between 2016-09-01 and 2017-08-31' in result.text
    assert any("override of the inherited requirement born" in c for c in said(result.changes))
    assert result.policy.header.year == 2024


# ---------------------------------------------------------------- the command


def run(*args):
    return CliRunner().invoke(cli, list(args))


def test_the_command_writes_the_file_and_lists_the_changes(tmp_path):
    target = str(tmp_path / "2021.jifen")
    done = run("new-year", "policies/baiyun/2021.jifen".replace("2021", "2022"), "-o", target)
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith(f"wrote {target}: 白云区 2023, from policies/baiyun/2022.jifen")
    assert "line 11: 2022-08-31 -> 2023-08-31" in done.stdout
    assert "these strings mention 2022" in done.stdout
    with using_library(POLICIES):  # written outside the library it imports from
        assert check_file(target).header.year == 2023
    again = run("new-year", "policies/baiyun/2022.jifen", "-o", target)
    assert again.exit_code == 1 and "already exists" in again.stderr and "Traceback" not in again.output
    assert run("new-year", "policies/baiyun/2022.jifen", "-o", target, "--force").exit_code == 0


def test_the_command_reports_a_bad_year_as_an_error(tmp_path):
    done = run("new-year", "policies/baiyun/2022.jifen", "--year", "2021", "-o", str(tmp_path / "x.jifen"))
    assert done.exit_code == 1 and "must come after it" in done.stderr
    assert not (tmp_path / "x.jifen").exists()
