"""The cache of checked policies: the same result as a fresh check, and never a stale or untrusted one."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from jifen_dsl.compile import cache as checkcache
from jifen_dsl.compile.compiler import compile_policy
from jifen_dsl.errors import PolicyError
from jifen_dsl.compile.pipeline import check_file

from ..conftest import FIELDS_IMPORT, ROOT, policy_folder

POLICIES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "policies").rglob("*.jifen"))


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("JIFEN_NO_CACHE", raising=False)
    monkeypatch.chdir(ROOT)
    return tmp_path / "cache" / "jifen_dsl"


@pytest.mark.parametrize("path", POLICIES)
def test_a_checked_policy_survives_the_pickle_unchanged(path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("JIFEN_NO_CACHE", "1")
    checked = check_file(path)
    again = pickle.loads(pickle.dumps(checked, protocol=pickle.HIGHEST_PROTOCOL))
    assert again == checked  # (a set may list its members in another order: set order is not part of a policy)
    if hasattr(checked, "requirements"):
        assert compile_policy(again).source == compile_policy(checked).source


def test_a_second_check_comes_from_the_cache_and_equals_a_fresh_one(cache_home, monkeypatch):
    first = check_file("policies/haizhu/2022.jifen")
    assert list(cache_home.glob("checked-*.pickle"))
    assert checkcache.cached("policies/haizhu/2022.jifen") == first
    monkeypatch.setenv("JIFEN_NO_CACHE", "1")
    assert check_file("policies/haizhu/2022.jifen") == first


def _policy(root: Path, default: str) -> str:
    directory = policy_folder(root)  # a policy library of its own, where lib.jifen lies beside the policy
    (directory / "lib.jifen").write_text(f'field bonus "加分": decimal default {default}\n', encoding="utf-8")
    (directory / "p.jifen").write_text(
        'policy "Cache" district "海珠区" year 2022 as_of 2022-08-31 source "test"\n'
        + FIELDS_IMPORT + 'import "lib.jifen"\n'
        "points { total = points + bonus }\ntiebreak { id ascending }\n",
        encoding="utf-8",
    )
    return str(directory / "p.jifen")


def test_a_changed_imported_file_is_checked_again(cache_home, tmp_path):
    path = _policy(tmp_path, "1")
    first = check_file(path)
    assert checkcache.cached(path) == first
    (Path(path).parent / "lib.jifen").write_text('field bonus "加分": decimal default 2\n', encoding="utf-8")
    assert checkcache.cached(path) is None
    second = check_file(path)
    assert second != first and "2" in repr(second.fields[-1].default)


def test_a_broken_policy_is_never_kept(cache_home, tmp_path):
    path = _policy(tmp_path, "1")
    check_file(path)
    (Path(path).parent / "lib.jifen").write_text('field bonus "加分": decimal default oops\n', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(PolicyError):
            check_file(path)


def test_a_cache_others_can_write_to_is_never_read(cache_home):
    check_file("policies/haizhu/2022.jifen")
    [entry] = cache_home.glob("checked-*.pickle")
    entry.chmod(0o666)
    assert checkcache.cached("policies/haizhu/2022.jifen") is None
    entry.chmod(0o600)
    assert checkcache.cached("policies/haizhu/2022.jifen") is not None
    cache_home.chmod(0o777)
    try:
        assert checkcache.cached("policies/haizhu/2022.jifen") is None
    finally:
        cache_home.chmod(0o700)


def test_a_damaged_entry_only_costs_a_check(cache_home):
    first = check_file("policies/haizhu/2022.jifen")
    [entry] = cache_home.glob("checked-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert checkcache.cached("policies/haizhu/2022.jifen") is None
    assert check_file("policies/haizhu/2022.jifen") == first
