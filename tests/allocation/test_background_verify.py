"""A large cohort's allocation is verified in a second process while the results are written: nobody sees results it rejects."""

from __future__ import annotations

import pytest

from jifen_dsl.data import parallelread
from jifen_dsl.runs import run as runs
from jifen_dsl.allocation import verify as verify_module
from jifen_dsl.allocation.allocator import ADMITTED

from ..conftest import run_cli as run

HAIZHU = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"
SCHOOLS = "examples/haizhu-2022/schools.csv"

pytestmark = [
    pytest.mark.usefixtures("at_root"),
    pytest.mark.skipif(not parallelread.enabled(), reason="needs fork and a second core"),
]


@pytest.fixture
def in_background(monkeypatch):
    """Every cohort verified in a second process; the list records each verification started there."""
    started = []
    real = parallelread.start

    def start(work):
        child = real(work)
        started.append(child is not None)
        return child

    monkeypatch.setattr(verify_module, "BACKGROUND_MIN", 0)
    monkeypatch.setattr(parallelread, "start", start)
    return started


def _broken(monkeypatch):
    """Make the allocator put every admitted applicant of a grade in one school: over its seats, which verification must catch."""
    real = runs.allocate

    def allocate(*args, **kwargs):
        allocation = real(*args, **kwargs)
        admitted = [p for p in allocation.placements if p.status == ADMITTED]
        first = admitted[0].school
        for p in admitted:
            if p.school.grade == first.grade:
                p.school = first
        return allocation

    monkeypatch.setattr(runs, "allocate", allocate)


def test_results_verified_in_the_background_are_the_results_verified_at_once(tmp_path, in_background):
    background = tmp_path / "background.csv"
    assert run("allocate", HAIZHU, APPLICANTS, SCHOOLS, "--format", "csv", "-o", str(background)).exit_code == 0
    assert in_background == [True]
    at_once = run("allocate", HAIZHU, APPLICANTS, SCHOOLS, "--format", "csv")  # to stdout: verified first
    assert background.read_text(encoding="utf-8") == at_once.stdout


def test_a_broken_allocation_found_in_the_background_leaves_no_file(tmp_path, in_background, monkeypatch):
    _broken(monkeypatch)
    out = tmp_path / "results.csv"
    result = run("allocate", HAIZHU, APPLICANTS, SCHOOLS, "--format", "csv", "-o", str(out))
    assert in_background == [True]
    assert result.exit_code == 1
    assert "failed its own checks" in result.stderr and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []  # neither the results nor a temporary file


def test_the_same_broken_allocation_is_refused_when_verified_at_once(tmp_path, monkeypatch):
    _broken(monkeypatch)
    background_off = run("allocate", HAIZHU, APPLICANTS, SCHOOLS, "--format", "csv", "-o", str(tmp_path / "r.csv"))
    assert background_off.exit_code == 1 and list(tmp_path.iterdir()) == []
