"""The command line sets polars' allocator (one arena, freed pages handed back at once), unless told otherwise, and only while polars is not loaded."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = (
    "import os, sys\n"
    "if sys.argv[1] == 'loaded':\n"
    "    import polars\n"
    "from jifen_dsl.cli.lifetime import ALLOCATOR_SETTINGS, share_allocator_arena\n"
    "share_allocator_arena()\n"
    "print(os.environ.get(ALLOCATOR_SETTINGS, '-'))\n"
    "if sys.argv[1] == 'then-loaded':\n"
    "    import polars\n"
    "    print(os.environ[ALLOCATOR_SETTINGS])\n"
)


def _setting(when: str, given: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if given is not None:
        env["_RJEM_MALLOC_CONF"] = given
    done = subprocess.run([sys.executable, "-c", PROBE, when], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_one_arena_is_asked_for_before_polars_is_loaded():
    assert _setting("fresh") == "narenas:1,muzzy_decay_ms:0"


def test_the_settings_come_after_polars_own_so_that_they_win():
    # jemalloc reads the settings left to right, a later one overriding an earlier one of the same name.
    before, after = _setting("then-loaded").splitlines()
    assert before == "narenas:1,muzzy_decay_ms:0"
    assert after.endswith("," + before)
    decays = [item for item in after.split(",") if item.startswith("muzzy_decay_ms:")]
    assert decays[-1] == "muzzy_decay_ms:0"


def test_settings_the_user_gave_are_kept():
    assert _setting("fresh", "dirty_decay_ms:5000") == "dirty_decay_ms:5000"


def test_what_polars_wrote_in_a_parent_process_is_not_taken_for_the_users_settings():
    # A parent that loaded polars (a script, a test runner, the benchmark suite) leaves polars' own settings in the
    # variable its children inherit: the command line's are set all the same, and a user's under them are kept.
    import polars  # noqa: F401 - loaded here, as a parent would have

    assert os.environ["_RJEM_MALLOC_CONF"].startswith("dirty_decay_ms:500,muzzy_decay_ms:1000")
    assert _setting("fresh", "dirty_decay_ms:500,muzzy_decay_ms:1000") == "narenas:1,muzzy_decay_ms:0"
    assert _setting("fresh", "dirty_decay_ms:500,muzzy_decay_ms:1000,dirty_decay_ms:500,muzzy_decay_ms:1000") == "narenas:1,muzzy_decay_ms:0"
    assert _setting("fresh", "dirty_decay_ms:500,muzzy_decay_ms:1000,narenas:1,muzzy_decay_ms:0") == "narenas:1,muzzy_decay_ms:0"
    assert _setting("fresh", "dirty_decay_ms:500,muzzy_decay_ms:1000,narenas:4") == "narenas:4"
    assert _setting("fresh", "dirty_decay_ms:500,muzzy_decay_ms:1000,thp:always,metadata_thp:always") == "narenas:1,muzzy_decay_ms:0"


def test_a_process_that_loaded_polars_already_is_left_as_it_is():
    assert "narenas" not in _setting("loaded")  # polars wrote its own settings there as it loaded; nothing is added
