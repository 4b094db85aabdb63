"""A file read again unchanged is not parsed again; a changed one is."""

from __future__ import annotations

import shutil
from pathlib import Path

from jifen_dsl.lang.loader import load

from ..conftest import POLICIES


def _library(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(POLICIES, tmp_path / "policies")
    return tmp_path / "policies" / "haizhu" / "2022.jifen", tmp_path / "policies" / "guangzhou" / "fields.jifen"


def _fields_tree(program, fields: Path):
    (tree,) = [decl for decl, path in program.declarations if path == str(fields) and type(decl).__name__ == "FieldDecl"][:1]
    return tree


def test_an_unchanged_import_is_parsed_once_and_a_changed_one_again(tmp_path: Path) -> None:
    policy, fields = _library(tmp_path)
    text = policy.read_text(encoding="utf-8")
    first = load(str(policy), text.replace("2500", "2501", 1))
    second = load(str(policy), text.replace("2500", "2502", 1))
    # The edited policy is parsed each time; the shared field file's declarations are the very same objects.
    assert _fields_tree(first, fields) is _fields_tree(second, fields)
    assert first.main is not second.main

    fields.write_text(fields.read_text(encoding="utf-8") + '\nfield added_field "新增字段": text optional\n', encoding="utf-8")
    third = load(str(policy), text)
    assert _fields_tree(third, fields) is not _fields_tree(second, fields)
    names = [getattr(decl, "name", None) for decl, path in third.declarations if path == str(fields)]
    assert "added_field" in names and "added_field" not in [getattr(d, "name", None) for d, p in second.declarations if p == str(fields)]
