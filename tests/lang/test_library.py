"""The policy library: import and extends read only .jifen files inside it, and no message quotes any other file.

Each case runs the command line in its own process, as an officer (or a web
workbench) would, from a folder holding a small library ``policies/`` laid out as
the repository's: the shared fields in ``policies/guangzhou/`` and the policies in
``policies/haizhu/``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jifen_dsl import api
from jifen_dsl.errors import PolicyError
from jifen_dsl.lang.library import MAX_POLICY_BYTES

from ..conftest import EN_HEADER, EN_TAIL, FIELDS, FIELDS_IMPORT, ROOT, policy_folder

SECRET = "jifen-secret-value-7f3a"  # in the environment of every process: /proc/self/environ holds it
APPLICANTS = ROOT / "examples" / "haizhu-2022" / "applicants.csv"
HAIZHU = ROOT / "policies" / "haizhu" / "2022.jifen"


@pytest.fixture
def place(tmp_path):
    """tmp_path holding the library policies/ (where the commands run), and the cache in tmp_path/cache."""
    policy_folder(tmp_path / "policies")
    return tmp_path


def jifen(place: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "XDG_CACHE_HOME": str(place / "cache"), "JIFEN_SECRET": SECRET}
    env.pop("JIFEN_NO_CACHE", None)
    return subprocess.run(
        [sys.executable, "-m", "jifen_dsl", *args], cwd=place, env=env, capture_output=True, text=True, timeout=timeout,
    )


def policy(place: Path, name: str, line: str) -> str:
    """A complete policy policies/haizhu/``name`` that also holds ``line`` (on line 7); its path relative to ``place``."""
    path = place / "policies" / "haizhu" / name
    path.write_text(EN_HEADER + FIELDS_IMPORT + line + 'requirement ok "ok": true\n' + EN_TAIL, encoding="utf-8")
    return str(path.relative_to(place))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """One ``jifen check`` of every hostile policy below, in one process (each would take half a second alone)."""
    place = tmp_path_factory.mktemp("hostile")
    haizhu = policy_folder(place / "policies")
    paths = [
        policy(place, "passwd.jifen", 'import "/etc/passwd"\n'),
        policy(place, "environ.jifen", 'import "/proc/self/environ"\n'),
        policy(place, "climb.jifen", 'import "../../../../../../../../etc/passwd"\n'),
        policy(place, "zero.jifen", 'import "/dev/zero"\n'),
    ]
    os.symlink("/etc/passwd", haizhu / "link.jifen")
    paths.append(policy(place, "through_link.jifen", 'import "link.jifen"\n'))
    os.symlink("../guangzhou/fields.jifen", haizhu / "shared.jifen")  # a link that stays inside is followed
    (haizhu / "linked.jifen").write_text(EN_HEADER + 'import "shared.jifen"\nrequirement ok "ok": true\n' + EN_TAIL, encoding="utf-8")
    paths.append("policies/haizhu/linked.jifen")
    if hasattr(os, "mkfifo"):  # opened, a named pipe would keep the reader waiting for ever
        os.mkfifo(haizhu / "pipe.jifen")
        os.mkfifo(place / "outside.jifen")
        paths += [policy(place, "to_pipe.jifen", 'import "pipe.jifen"\n'), policy(place, "to_outside_pipe.jifen", 'import "../../outside.jifen"\n')]
        paths.append("policies/haizhu/pipe.jifen")  # named on the command line too
    with open(haizhu / "big.jifen", "wb") as handle:
        handle.truncate(MAX_POLICY_BYTES + 1)  # sparse: refused by its size before a byte is read
    paths += [policy(place, "to_big.jifen", 'import "big.jifen"\n'), "policies/haizhu/big.jifen"]
    (place / "policies" / "notes.txt").write_text("root:the officer's notes\n", encoding="utf-8")
    os.symlink("../notes.txt", haizhu / "notes.jifen")  # the right name, but not a policy file
    paths += [policy(place, "to_notes.jifen", 'import "../notes.txt"\n'), policy(place, "to_notes_link.jifen", 'import "notes.jifen"\n')]
    (haizhu / "child.jifen").write_text(EN_HEADER + 'extends "/etc/passwd"\n', encoding="utf-8")
    (haizhu / "other_child.jifen").write_text(EN_HEADER + f'extends "{HAIZHU}"\n', encoding="utf-8")  # a policy, but another library's
    paths += ["policies/haizhu/child.jifen", "policies/haizhu/other_child.jifen", "/dev/zero"]  # /dev/zero read would fill the memory
    return jifen(place, "check", *paths, timeout=60)


def refused(done: subprocess.CompletedProcess, *messages: str) -> None:
    """The check failed with each of ``messages``, and nothing it printed holds what a file outside the library holds."""
    assert done.returncode == 1, done.stderr
    for message in messages:
        assert message in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    for secret in (SECRET, "root:", "PATH=", "officer's notes"):
        assert secret not in done.stdout + done.stderr


def test_etc_passwd(hostile):
    refused(
        hostile,
        'policies/haizhu/passwd.jifen:7:1: error[L0018]: import "/etc/passwd" is outside the policy library policies/\n'
        '    7 | import "/etc/passwd"\n'
        '      | ^~~~~~~~~~~~~~~~~~~~\n'
        "hint: a policy imports and extends only .jifen files inside its library (by default the folder above the"
        " policy's own folder); to read from another folder, name it: jifen --library DIR ...\n",
    )


def test_proc_self_environ(hostile):
    refused(hostile, 'policies/haizhu/environ.jifen:7:1: error[L0018]: import "/proc/self/environ" is outside the policy library policies/')


def test_climbing_out_with_dot_dot(hostile):
    refused(hostile, 'policies/haizhu/climb.jifen:7:1: error[L0018]: import "../../../../../../../../etc/passwd" is outside the policy library policies/')


def test_dev_zero(hostile):
    refused(
        hostile,
        'policies/haizhu/zero.jifen:7:1: error[L0018]: import "/dev/zero" is outside the policy library policies/',
        "error[L0004]: /dev/zero: is a device, not a policy file",
    )


def test_a_symbolic_link_inside_the_library_that_leads_out(hostile):
    refused(hostile, 'policies/haizhu/through_link.jifen:7:1: error[L0019]: import "link.jifen" leads outside the policy library policies/ (through a symbolic link)')


def test_a_symbolic_link_that_stays_inside_is_followed(hostile):
    assert "policies/haizhu/linked.jifen: ok" in hostile.stdout


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_never_opened(hostile):
    refused(
        hostile,
        "policies/haizhu/to_pipe.jifen:7:1: error[L0009]: cannot import 'pipe.jifen': policies/haizhu/pipe.jifen: is a pipe, not a policy file",
        'policies/haizhu/to_outside_pipe.jifen:7:1: error[L0018]: import "../../outside.jifen" is outside the policy library policies/',
        "error[L0004]: policies/haizhu/pipe.jifen: is a pipe, not a policy file",
    )


def test_an_oversized_policy_file(hostile):
    refused(
        hostile,
        "policies/haizhu/to_big.jifen:7:1: error[L0009]: cannot import 'big.jifen': policies/haizhu/big.jifen: is larger than a policy file may be (16 MiB)",
        "error[L0005]: policies/haizhu/big.jifen: is larger than a policy file may be (16 MiB)",
    )


def test_a_file_inside_the_library_that_is_not_a_policy_file(hostile):
    refused(
        hostile,
        'policies/haizhu/to_notes.jifen:7:1: error[L0017]: import "../notes.txt" is not a .jifen file; only policy files can be imported or extended',
        'policies/haizhu/to_notes_link.jifen:7:1: error[L0017]: import "notes.jifen" is not a .jifen file',
    )


def test_extends_outside(hostile):
    refused(
        hostile,
        'policies/haizhu/child.jifen:6:1: error[L0018]: extends "/etc/passwd" is outside the policy library policies/',
        f'policies/haizhu/other_child.jifen:6:1: error[L0018]: extends "{HAIZHU}" is outside the policy library policies/',
    )


def wide_policy(place: Path) -> str:
    """A policy in policies/haizhu/ importing the fields from place/shared/, outside its library; its path relative to ``place``."""
    shared = place / "shared"
    shared.mkdir(exist_ok=True)
    shutil.copyfile(FIELDS, shared / "fields.jifen")
    path = place / "policies" / "haizhu" / "wide.jifen"
    path.write_text(EN_HEADER + 'import "../../shared/fields.jifen"\nrequirement ok "ok": true\n' + EN_TAIL, encoding="utf-8")
    return str(path.relative_to(place))


def test_a_library_named_with_the_option_lets_in_what_lies_inside_it(place):
    path = wide_policy(place)
    done = jifen(place, "--library", ".", "check", path)  # refused without: see the next test
    assert done.returncode == 0 and done.stdout.startswith(f"{path}: ok"), done.stderr
    # Named, it confines too, and the hint says where the library came from.
    done = jifen(place, "--library", "policies", "check", path)
    refused(done, 'error[L0018]: import "../../shared/fields.jifen" is outside the policy library policies/')
    assert "the folder named with --library" in done.stderr


def test_a_check_within_a_wide_library_is_never_served_within_a_narrow_one(place):
    path = wide_policy(place)
    assert jifen(place, "--library", ".", "check", path).returncode == 0
    assert list((place / "cache" / "jifen_dsl").glob("checked-*.pickle"))  # kept: the next check could come from it
    refused(jifen(place, "check", path), 'error[L0018]: import "../../shared/fields.jifen" is outside the policy library policies/')
    assert jifen(place, "--library", ".", "check", path).returncode == 0


def test_a_run_made_with_a_named_library_verifies(place):
    wide_policy(place)
    path = "policies/haizhu/2022.jifen"
    (place / path).write_text(HAIZHU.read_text(encoding="utf-8").replace("../guangzhou/fields.jifen", "../../shared/fields.jifen"), encoding="utf-8")
    done = jifen(place, "--library", ".", "evaluate", path, str(APPLICANTS), "--out", "run", "-q")
    assert done.returncode == 0, done.stderr
    manifest = json.loads((place / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["arguments"]["library"] == "."
    done = jifen(place, "--lang", "en", "verify-run", "run", "-q")  # the manifest names the library: no option needed (the policy is Chinese: English asked for)
    assert done.returncode == 0 and "run: verified" in done.stdout, done.stderr
    published = jifen(place, "publish", "run", "--kind", "points")  # nor to publish the run with its own policy
    assert published.returncode == 0 and published.stdout.count("\n") > 1, published.stderr
    assert jifen(place, "--library", "policies", "publish", "run", "--kind", "points").returncode == 1  # a narrower library named here wins


def test_a_run_without_a_named_library_records_none(place):
    path = "policies/haizhu/2022.jifen"
    shutil.copyfile(HAIZHU, place / path)
    assert jifen(place, "evaluate", path, str(APPLICANTS), "--out", "run", "-q").returncode == 0
    assert "library" not in json.loads((place / "run" / "manifest.json").read_text(encoding="utf-8"))["arguments"]


def test_the_api_takes_the_library_and_text_from_a_form(place):
    text = EN_HEADER + 'import "/etc/passwd"\n' + EN_TAIL
    with pytest.raises(PolicyError) as info:
        api.check(place / "policies" / "haizhu" / "posted.jifen", text, library=place / "policies")
    assert 'import "/etc/passwd" is outside the policy library' in info.value.render()
    assert "root:" not in info.value.render()
    wide = place / wide_policy(place)
    with pytest.raises(PolicyError):
        api.load_policy(wide)
    assert api.load_policy(wide, library=place).policy.requirements[0].name == "ok"


def test_the_shipped_library_and_its_test_copy_are_the_same():
    # tests/lang is a library of its own, so its policies can import the fields; its copy must not drift.
    assert (ROOT / "tests" / "lang" / "guangzhou" / "fields.jifen").read_bytes() == FIELDS.read_bytes()
