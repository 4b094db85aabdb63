"""The language of what `jifen check` says about a policy that does not parse or load: the policy's own, or --lang's.

Each check runs as the user runs it, in a process of its own, from the folder holding
the policy library ``policies/`` (so the paths in the messages are short and fixed).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ZH_HEADER = "政策 “测试政策” 区 “海珠区” 年度 2022 基准日 2022年8月31日 来源 “测试”\n"
EN_HEADER = 'policy "Test" district "Haizhu" year 2022 as_of 2022-08-31 source "tests"\n'

POLICIES = {
    "zh_date.jifen": ZH_HEADER + "定义 「截止日」 = 2022年2月30日\n",
    "zh_name.jifen": ZH_HEADER + "要求 「满龄」 “年满六周岁”：年龄大于6\n",
    "zh_import.jifen": ZH_HEADER + "引用 “nowhere.jifen”\n",
    "en_date.jifen": EN_HEADER + "define deadline = 2022-02-30\n",
    "en_import.jifen": EN_HEADER + 'import "../../outside.jifen"\n',
    "zh_keyword.jifen": ZH_HEADER.replace(" 区 “海珠区”", ""),
    "en_keyword.jifen": EN_HEADER.replace(' district "Haizhu"', ""),
}


@pytest.fixture(scope="module")
def place(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("messages")
    folder = root / "policies" / "haizhu"
    folder.mkdir(parents=True)
    for name, text in POLICIES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return root


def check(place: Path, name: str, *options: str) -> str:
    """What ``jifen [options] check`` prints on standard error for one policy, which it refuses."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env["XDG_CACHE_HOME"] = str(place / "cache")  # the parser's tables, built once for the module
    env.pop("JIFEN_NO_CACHE", None)
    done = subprocess.run(
        [sys.executable, "-m", "jifen_dsl", *options, "check", f"policies/haizhu/{name}"],
        cwd=place, env=env, capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    assert done.returncode == 1, done.stderr
    return done.stderr


ZH_DATE = """\
policies/haizhu/zh_date.jifen:2:12: 错误[P0109]: 2022年2月30日 不是日历上存在的日期
    2 | 定义 「截止日」 = 2022年2月30日
      |                   ^~~~~~~~~~~~~
提示: 请检查月份和日期

1 个错误
"""

ZH_DATE_EN = """\
policies/haizhu/zh_date.jifen:2:12: error[P0109]: 2022年2月30日 is not a calendar date
    2 | 定义 「截止日」 = 2022年2月30日
      |                   ^~~~~~~~~~~~~
hint: check the month and the day

1 error
"""


def test_a_chinese_policy_with_a_bad_date_is_told_in_chinese(place):
    assert check(place, "zh_date.jifen") == ZH_DATE
    assert check(place, "zh_date.jifen", "--lang", "zh") == ZH_DATE


def test_a_chinese_policy_with_a_bad_date_in_english_when_asked(place):
    assert check(place, "zh_date.jifen", "--lang", "en") == ZH_DATE_EN


def test_a_chinese_policy_with_a_bare_chinese_name(place):
    assert check(place, "zh_name.jifen") == (
        "policies/haizhu/zh_name.jifen:2:17: 错误[P0005]: 此处不应出现中文 '年龄大于'\n"
        "    2 | 要求 「满龄」 “年满六周岁”：年龄大于6\n"
        "      |                             ^~~~~~~~\n"
        "提示: 中文名称必须放在直角引号中，例如「年龄」；不加引号的中文词是关键字（大于、并且、如果……）\n"
        "\n"
        "1 个错误\n"
    )
    assert check(place, "zh_name.jifen", "--lang", "en") == (
        "policies/haizhu/zh_name.jifen:2:17: error[P0005]: unexpected Chinese text '年龄大于'\n"
        "    2 | 要求 「满龄」 “年满六周岁”：年龄大于6\n"
        "      |                             ^~~~~~~~\n"
        "hint: a name written in Chinese must be put in corner brackets, e.g. 「年龄」; bare Chinese words are keywords"
        " (大于, 并且, 如果 ...)\n"
        "\n"
        "1 error\n"
    )


def test_a_chinese_policy_importing_a_missing_file(place):
    assert check(place, "zh_import.jifen") == (
        "policies/haizhu/zh_import.jifen:2:1: 错误[L0009]: 无法引用「nowhere.jifen」：policies/haizhu/nowhere.jifen：政策文件不存在\n"
        "    2 | 引用 “nowhere.jifen”\n"
        "      | ^~~~~~~~~~~~~~~~~~~~\n"
        "\n"
        "1 个错误\n"
    )
    assert check(place, "zh_import.jifen", "--lang", "en") == (
        "policies/haizhu/zh_import.jifen:2:1: error[L0009]: cannot import 'nowhere.jifen': policies/haizhu/nowhere.jifen: no such policy file\n"
        "    2 | 引用 “nowhere.jifen”\n"
        "      | ^~~~~~~~~~~~~~~~~~~~\n"
        "\n"
        "1 error\n"
    )


def test_an_english_policy_is_told_in_english_and_in_chinese_when_asked(place):
    english = (
        "policies/haizhu/en_date.jifen:2:19: error[P0109]: 2022-02-30 is not a calendar date\n"
        "    2 | define deadline = 2022-02-30\n"
        "      |                   ^~~~~~~~~~\n"
        "hint: check the month and the day\n"
        "\n"
        "1 error\n"
    )
    assert check(place, "en_date.jifen") == english
    assert check(place, "en_date.jifen", "--lang", "en") == english
    assert check(place, "en_date.jifen", "--lang", "zh") == (
        "policies/haizhu/en_date.jifen:2:19: 错误[P0109]: 2022-02-30 不是日历上存在的日期\n"
        "    2 | define deadline = 2022-02-30\n"
        "      |                   ^~~~~~~~~~\n"
        "提示: 请检查月份和日期\n"
        "\n"
        "1 个错误\n"
    )


def test_an_english_policy_importing_from_outside_its_library(place):
    assert check(place, "en_import.jifen") == (
        'policies/haizhu/en_import.jifen:2:1: error[L0018]: import "../../outside.jifen" is outside the policy library policies/\n'
        '    2 | import "../../outside.jifen"\n'
        "      | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "hint: a policy imports and extends only .jifen files inside its library (by default the folder above the policy's"
        " own folder); to read from another folder, name it: jifen --library DIR ...\n"
        "\n"
        "1 error\n"
    )
    assert check(place, "en_import.jifen", "--lang", "zh") == (
        'policies/haizhu/en_import.jifen:2:1: 错误[L0018]: 引用的 "../../outside.jifen" 位于政策库 policies/ 之外\n'
        '    2 | import "../../outside.jifen"\n'
        "      | ^~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "提示: 政策只能引用和继承其政策库中的 .jifen 文件（默认为政策所在文件夹的上一级文件夹）；"
        "如需读取其他文件夹，请指定该文件夹：jifen --library DIR ...\n"
        "\n"
        "1 个错误\n"
    )


def test_a_missing_keyword_is_named_in_the_policys_own_spelling(place):
    """The keyword expected is spelled as the file spells its keywords: 区 in a Chinese policy, district in an English one."""
    chinese = check(place, "zh_keyword.jifen")
    assert "错误[P0001]: 此处不应出现 '年度'" in chinese
    assert "提示: 此处应为 '区'\n" in chinese and "district" not in chinese
    assert "hint: expected '区'\n" in check(place, "zh_keyword.jifen", "--lang", "en")
    english = check(place, "en_keyword.jifen")
    assert "error[P0001]: unexpected 'year'" in english
    assert "hint: expected 'district'\n" in english and "区" not in english
