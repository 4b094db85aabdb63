"""The wheel carries the grammar, and an installed jifen works outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile

import pytest

from .conftest import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
        check=True, capture_output=True, text=True,
    )
    [built] = list(out.glob("jifen_dsl-*.whl"))
    return built


def test_wheel_contains_the_grammar_and_the_package(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "jifen_dsl/_grammar/jifen.lark" in names
    # The workbench's pages, script and code editor bundle are package data.
    assert {"jifen_dsl/workbench/templates/edit.html", "jifen_dsl/workbench/static/workbench.js", "jifen_dsl/workbench/static/editor/editor.js"} <= set(names)
    source = sorted(str(f.relative_to(ROOT)) for f in (ROOT / "jifen_dsl").rglob("*.py"))
    assert [name for name in source if name not in names] == []  # every module of every subpackage
    grammar = zipfile.ZipFile(wheel).read("jifen_dsl/_grammar/jifen.lark").decode("utf-8")
    assert grammar == (ROOT / "grammar" / "jifen.lark").read_text(encoding="utf-8")


def test_wheel_carries_the_compiled_chinese_catalog(wheel):
    import gettext
    import io

    names = zipfile.ZipFile(wheel).namelist()
    assert "jifen_dsl/messages/locale/zh/LC_MESSAGES/jifen.mo" in names
    compiled = gettext.GNUTranslations(io.BytesIO(zipfile.ZipFile(wheel).read("jifen_dsl/messages/locale/zh/LC_MESSAGES/jifen.mo")))
    assert compiled.pgettext("P0006", "the file ends in the middle of a declaration") == "文件在一条声明的中间结束"
    assert compiled.ngettext("{count} error", "{count} errors", 2) == "{count} 个错误"


def test_installed_wheel_checks_a_policy_from_outside_the_checkout(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True, text=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = subprocess.run(
        [str(bindir / "python"), "-c", "import jifen_dsl.lang.parsing.grammar as g; print(g.grammar_path())"],
        cwd=elsewhere, capture_output=True, text=True, env=clean_env, check=True,
    ).stdout.strip()
    assert where.startswith(str(env_dir)) and where.endswith(os.path.join("jifen_dsl", "_grammar", "jifen.lark"))
    result = subprocess.run(
        [str(bindir / "jifen"), "check", str(ROOT / "policies" / "haizhu" / "2022.jifen")],
        cwd=elsewhere, capture_output=True, text=True, env=clean_env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("8 个同分排序依据")  # a Chinese policy, told in Chinese
    # A Chinese policy's error, in Chinese, from the catalog the wheel carries.
    broken = elsewhere / "policy.jifen"
    broken.write_text("政策 “x”\n", encoding="utf-8")
    result = subprocess.run([str(bindir / "jifen"), "check", str(broken)], cwd=elsewhere, capture_output=True, text=True, env=clean_env)
    assert result.returncode == 1
    assert "错误[P0006]: 文件在一条声明的中间结束" in result.stderr, result.stderr
