"""``season verify``: the season's record checked, then every stage replayed and its promises checked.

The record: each log entry's link to the one before and its own digest; every
input file and snapshot against its digest; each stage's outcome rows against
the digest its entry holds; outcome rows of entries the log no longer holds (a
log cut short at its end); the season's copy of its policy; and, given
``--head``, that the log still holds a head printed on a published list.

Then every stage is replayed from its recorded inputs (allocation and clearing
check their own promises as they run: each applicant once, capacity, groups
together, no justified envy) and its outcome compared with the recorded one; the
snapshot the next command would start from is compared with the replay. And
the season's properties: no school over capacity; a confirmed seat never moved
by a later stage; no seat left untaken at allocation or clearing while an
applicant who listed the school was left unplaced; and every seat unfilled at
the end explained - never taken, or freed by a decline, and whether clearing
may still offer it. A failure names the stage, the property, the school and
the applicants.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import attrs
import polars as pl

from jifen_dsl.errors import JifenError
from jifen_dsl.season.commands import POLICY_FOLDER, current_state, open_store, replay, store_digest
from jifen_dsl.season.messages import say, status_word
from jifen_dsl.season.stages import State, seats_left
from jifen_dsl.season.store import GENESIS, LogEntry, Store, outcome_digest

__all__ = ["verify_season", "Verdict"]

_SHOWN = 10  # schools listed one by one among those with unfilled seats


@attrs.frozen
class Verdict:
    """What verify found (no problems: the season verifies) and what it checked, in the policy's language."""

    problems: list[str]
    checked: list[str]
    language: str



def verify_season(folder: str, head: str | None = None) -> Verdict:
    store = open_store(folder)
    try:
        language = _language(store)
        return Verdict(*_verify(store, folder, head, language), language)
    finally:
        store.close()


def _verify(store: Store, folder: str, head: str | None, language: str) -> tuple[list[str], list[str]]:
    problems = _record(store, folder, head, language)
    entries = store.entries()
    checked = [say(language, "ok.chained", count=len(entries))]
    if problems:
        return problems, checked
    placed: dict[int, State] = {}  # the state after each allocation and clearing
    done: list[int] = []

    def after_each(entry: LogEntry, state: State) -> None:
        done.append(entry.seq)
        if entry.result and outcome_digest(state.outcome_frame()) != entry.result:
            problems.append(say(language, "v.replay", seq=entry.seq, action=entry.action))
        if entry.action in ("allocate", "clearing"):
            placed[entry.seq] = state

    try:
        state = replay(store, after_each)
    except JifenError as exc:  # a stage that no longer runs: allocation's own checks among them
        failing = next(e for e in entries if e.seq not in done)
        return [*problems, say(language, "v.stage_fails", seq=failing.seq, action=failing.action, why=exc.render())], checked
    checked.append(say(language, "ok.replayed"))
    if state.table is not None and not current_state(store).table.equals(state.table):
        problems.append(say(language, "v.drift", seq=entries[-1].seq, action=entries[-1].action))
    waits = state.policy.allocation.admitted_waits if state.compiled is not None else False
    problems += _capacity(state, language) + _moved(store, entries, language, waits) + _wasted(entries, placed, language)
    if not problems:
        checked.append(say(language, "ok.properties"))
        checked += _unfilled(state, language)
    return problems, checked


def _language(store: Store) -> str:
    try:
        return current_state(store).language
    except JifenError:
        return "en"


def _record(store: Store, folder: str, head: str | None, language: str) -> list[str]:
    problems = []
    entries = store.entries()
    previous = GENESIS
    for entry in entries:
        where = {"seq": entry.seq, "action": entry.action}
        if entry.previous != previous:
            problems.append(say(language, "v.link", **where))
        if entry.expected_digest() != entry.digest:
            problems.append(say(language, "v.digest", **where))
        previous = entry.digest
        for _, name, digest in entry.inputs:
            data = store.file(digest)
            if data is None or store_digest(data) != digest:
                problems.append(say(language, "v.input", name=name, **where))
        if entry.result and outcome_digest(store.outcome_frame(entry.seq)) != entry.result:
            problems.append(say(language, "v.outcome", **where))
        if entry.state:
            kept = store.file(entry.state)
            if kept is None or store_digest(kept) != entry.state:
                problems.append(say(language, "v.snapshot", **where))
    last = entries[-1].seq if entries else 0
    orphan = store.db.execute("SELECT MAX(seq) FROM outcomes WHERE seq > ?", (last,)).fetchone()[0]
    if orphan is not None:
        problems.append(say(language, "v.orphans", last=last, orphan=orphan))
    if not entries:
        problems.append(say(language, "v.empty", path=store.path))
    if head is not None and head not in {e.digest for e in entries}:
        problems.append(say(language, "v.head", head=head))
    for entry in entries[:1]:
        for role, _, digest in entry.inputs:
            if role.startswith("policy:"):
                path = Path(folder) / POLICY_FOLDER / role.removeprefix("policy:")
                if not path.is_file() or store_digest(path.read_bytes()) != digest:
                    problems.append(say(language, "v.policy", path=path))
    return problems


def _capacity(state: State, language: str) -> list[str]:
    if state.table is None:
        return []
    left = seats_left(state)
    return [
        say(language, "v.capacity", school=s.id, grade=s.grade, held=s.seats - left[k], seats=s.seats)
        for k, s in enumerate(state.schools) if left[k] < 0
    ]


def _moved(store: Store, entries: list[LogEntry], language: str, waits: bool) -> list[str]:
    """A confirmed seat is never moved: a later row of a confirmed applicant is confirmed, registered or declined, at the same school.

    Where the policy lets one holding a seat wait for a better school, clearing may
    admit it elsewhere: at a school it listed in clearing, by its own choice.
    """
    problems = []
    confirmed: dict[str, str] = {}
    for entry in entries:
        if not entry.result:
            continue
        for applicant, _, status, school, round_, *_ in store.outcomes(entry.seq):
            if waits and entry.action == "clearing" and status == "admitted" and round_ == "clearing":
                confirmed.pop(applicant, None)  # moved up by its own clearing choice, to confirm anew
                continue
            if applicant in confirmed and (status not in ("confirmed", "registered", "declined") or (status != "declined" and school != confirmed[applicant])):
                problems.append(say(language, "v.moved", seq=entry.seq, action=entry.action, id=applicant, school=confirmed[applicant], status=status_word(language, status), now=school or ""))
            if status == "confirmed":
                confirmed[applicant] = school
    return problems


def _wasted(entries: list[LogEntry], stages: dict[int, State], language: str) -> list[str]:
    """After allocation and clearing: no school with a seat left untaken while an applicant of its grade who listed it is unplaced."""
    problems = []
    by_seq = {e.seq: e for e in entries}
    for seq, state in stages.items():
        entry = by_seq[seq]
        lists = "choices" if entry.action == "allocate" else "clearing"
        left = seats_left(state)
        waiting = (  # twins may be refused a seat there is room for one of them in: they are not counted
            state.table.filter(pl.col("status").is_in(["unplaced"] if lists == "choices" else ["unplaced", "gave_up", "declined"]) & pl.col("sibling").is_null())
            .select("id", "grade", pl.col(lists).alias("listed")).explode("listed").drop_nulls("listed")
        )
        for k, school in enumerate(state.schools):
            if left[k] <= 0:
                continue
            ids = waiting.filter((pl.col("listed") == school.id) & (pl.col("grade") == school.grade)).get_column("id").to_list()
            if ids:
                shown = ", ".join(sorted(ids)[:_SHOWN])
                problems.append(say(language, "v.wasted", seq=seq, action=entry.action, school=school.id, free=left[k], ids=shown))
    return problems


def _unfilled(state: State, language: str) -> list[str]:
    """Every seat unfilled at the end, school by school: never taken, or freed by a decline; and what may still fill it."""
    if state.table is None:
        return []
    left = seats_left(state)
    declined = Counter(state.table.filter(pl.col("status") == "declined").get_column("school").drop_nulls().to_list())
    rows = []
    for k, school in enumerate(state.schools):
        if left[k] <= 0:
            continue
        freed = min(declined.get(school.id, 0), left[k])
        never = left[k] - freed
        if not state.policy.allocation.clearing:
            after = "after.closed" if freed else "after.none"
        elif "clearing" in state.done:
            after = "after.cleared" if freed else "after.none"
        else:
            after = "after.open" if freed else "after.none"
        parts = ([say(language, "ok.never", count=never, why=say(language, "why.nobody"))] if never else []) + (
            [say(language, "ok.freed", count=freed, after=say(language, after))] if freed else []
        )
        rows.append(say(language, "ok.unfilled_school", school=school.id, grade=school.grade, parts=say(language, "sep").join(parts)))
    if not rows:
        return []
    total = sum(max(0, v) for v in left.values())
    shown = rows[:_SHOWN] + ([say(language, "ok.more", count=len(rows) - _SHOWN)] if len(rows) > _SHOWN else [])
    return [say(language, "ok.unfilled", count=total), *shown]
