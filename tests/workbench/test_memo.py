"""What the workbench keeps between requests is used only while it is still true, and a person typing never waits behind a cohort."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from jifen_dsl.workbench import memo, trying

from .conftest import client_for, error_of, post

POLICY = "policies/haizhu/2022.jifen"
APPLICANTS = "examples/haizhu-2022/applicants.csv"


def test_a_changed_import_is_read_again(served: Path) -> None:
    client = client_for(served)
    assert post(client, "/api/evaluate", {"path": POLICY, "applicants": APPLICANTS}).status_code == 200
    fields = served / "policies" / "guangzhou" / "fields.jifen"
    fields.write_text(fields.read_text(encoding="utf-8") + "\nfield broken: nonsense-type\n", encoding="utf-8")
    error = error_of(post(client, "/api/evaluate", {"path": POLICY, "applicants": APPLICANTS}), 422)
    assert error["code"] == "invalid_policy"


def test_a_cohort_changed_in_place_is_read_again_whatever_its_times(served: Path) -> None:
    client = client_for(served)
    first = post(client, "/api/evaluate", {"path": POLICY, "applicants": APPLICANTS}).json()
    cohort = served / APPLICANTS
    status = cohort.stat()
    lines = cohort.read_bytes().splitlines(keepends=True)
    cohort.write_bytes(b"".join(lines[:-40]))
    os.utime(cohort, ns=(status.st_atime_ns, status.st_mtime_ns))  # the same time: only the bytes tell
    second = post(client, "/api/evaluate", {"path": POLICY, "applicants": APPLICANTS}).json()
    assert first["count"] == 240 and second["count"] == 200


def test_the_same_question_gets_the_same_answer(served: Path) -> None:
    client = client_for(served)
    text = (served / POLICY).read_text(encoding="utf-8")
    answers = [post(client, "/api/evaluate", {"path": POLICY, "applicants": APPLICANTS, **extra}).json() for extra in ({}, {}, {"text": text})]
    assert answers[0] == answers[1] == answers[2]


def test_a_memo_keeps_its_last_few_and_remakes_what_is_no_longer_true() -> None:
    kept: memo.Memo[str] = memo.Memo(2)
    made: list[str] = []

    def maker(value: str, proof: object = True):
        def make():
            made.append(value)
            return proof, value
        return make

    assert kept.get("a", maker("a"), bool) == "a"
    assert kept.get("a", maker("a again"), bool) == "a"  # still true: not made again
    assert kept.get("b", maker("b", proof=False), bool) == "b"
    assert kept.get("b", maker("b again"), bool) == "b again"  # its proof no longer holds
    kept.get("c", maker("c"), bool)
    assert kept.get("a", maker("a at last"), bool) == "a at last"  # the oldest left when a third came
    assert made == ["a", "b", "b again", "c", "a at last"]


def test_a_check_is_answered_while_a_cohort_is_being_evaluated(served: Path, monkeypatch) -> None:
    started, release = threading.Event(), threading.Event()
    evaluate = trying.evaluate

    def slow_evaluate(*args, **kwargs):
        started.set()
        assert release.wait(30)
        return evaluate(*args, **kwargs)

    monkeypatch.setattr(trying, "evaluate", slow_evaluate)
    client = client_for(served)
    text = (served / POLICY).read_text(encoding="utf-8")
    evaluated: list[int] = []
    worker = threading.Thread(target=lambda: evaluated.append(post(client, "/api/evaluate", {"path": POLICY, "applicants": APPLICANTS}).status_code))
    worker.start()
    try:
        assert started.wait(30)
        checked = post(client, "/api/check", {"path": POLICY, "text": text})
        assert checked.status_code == 200 and checked.json()["diagnostics"] == []
        assert evaluated == []  # the evaluation is still waiting
    finally:
        release.set()
        worker.join(60)
    assert evaluated == [200]
