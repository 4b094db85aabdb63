"""Malformed allocation inputs: choices that do not fit the schools, and broken schools files.

Each gives its own precise message (snapshots), exit status 1, and leaves no output.
Alongside: what is not malformed - Windows line ends, blank and whitespace-only
lines, extra columns - reads exactly like the clean file.
"""

from __future__ import annotations

import pytest

from ..conftest import ROOT, run_cli as run

BAD = ROOT / "tests" / "allocation" / "bad_allocation"
HAIZHU = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"
SCHOOLS = "examples/haizhu-2022/schools.csv"
CASES = sorted(p.name for p in BAD.iterdir())


pytestmark = pytest.mark.usefixtures("at_root")


@pytest.mark.parametrize("name", CASES)
def test_each_case_gives_its_precise_message_and_writes_nothing(name, snapshot, tmp_path):
    applicants, schools = (f"tests/allocation/bad_allocation/{name}", SCHOOLS) if name.startswith("applicants_") else (APPLICANTS, f"tests/allocation/bad_allocation/{name}")
    out = tmp_path / "results.csv"
    # In English, as written in the code: the policy is Chinese, and what is snapshot here is each message's precision.
    result = run("--lang", "en", "allocate", HAIZHU, applicants, schools, "-o", str(out))
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert result.stderr == snapshot


def test_every_message_is_distinct():
    messages = []
    for name in CASES:
        args = (f"tests/allocation/bad_allocation/{name}", SCHOOLS) if name.startswith("applicants_") else (APPLICANTS, f"tests/allocation/bad_allocation/{name}")
        messages.append(run("allocate", HAIZHU, *args).stderr)
    assert len(set(messages)) == len(messages) >= 10


def test_crlf_blank_lines_and_extra_columns_read_like_the_clean_file(tmp_path):
    clean = (ROOT / APPLICANTS).read_text(encoding="utf-8").splitlines()
    header, *rows = clean
    noisy = [header + ",备注"] + [row + ",无" for row in rows]
    noisy.insert(3, "")
    noisy.insert(7, "   ")
    noisy.insert(9, "," * header.count(","))
    path = tmp_path / "noisy.csv"
    path.write_bytes(("\r\n".join(noisy) + "\r\n").encode("utf-8"))
    expected = run("allocate", HAIZHU, APPLICANTS, SCHOOLS, "--format", "csv")
    got = run("allocate", HAIZHU, str(path), SCHOOLS, "--format", "csv")
    assert got.exit_code == 0, got.stderr
    assert got.stdout == expected.stdout
