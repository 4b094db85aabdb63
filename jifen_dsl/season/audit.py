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
from jifen_dsl.messages import M, Message, N, T
from jifen_dsl.season.commands import POLICY_FOLDER, current_state, open_store, replay, store_digest
from jifen_dsl.season.stages import State, seats_left
from jifen_dsl.season.store import GENESIS, LogEntry, Store, outcome_digest
from jifen_dsl.season.words import Rendered, semicolons, status_word

__all__ = ["verify_season", "Verdict"]

_SHOWN = 10  # schools listed one by one among those with unfilled seats


@attrs.frozen
class Verdict:
    """What verify found (no problems: the season verifies) and what it checked, as messages put into words when shown."""

    problems: list[Message]
    checked: list[Message]


def verify_season(folder: str, head: str | None = None) -> Verdict:
    store = open_store(folder)
    try:
        _speak_its_language(store)
        return Verdict(*_verify(store, folder, head))
    finally:
        store.close()


def _verify(store: Store, folder: str, head: str | None) -> tuple[list[Message], list[Message]]:
    problems = _record(store, folder, head)
    entries = store.entries()
    checked = [N("{count} log entry chained", "{count} log entries chained", len(entries))]
    if problems:
        return problems, checked
    placed: dict[int, State] = {}  # the state after each allocation and clearing
    done: list[int] = []

    def after_each(entry: LogEntry, state: State) -> None:
        done.append(entry.seq)
        if entry.result and outcome_digest(state.outcome_frame()) != entry.result:
            problems.append(M("S0070", "log entry {seq} ({action}): replaying its inputs gives another outcome than the one recorded", seq=entry.seq, action=entry.action))
        if entry.action in ("allocate", "clearing"):
            placed[entry.seq] = state

    try:
        state = replay(store, after_each)
    except JifenError as exc:  # a stage that no longer runs: allocation's own checks among them
        failing = next(e for e in entries if e.seq not in done)
        failed = M("S0071", "log entry {seq} ({action}): replayed, the stage fails: {why}", seq=failing.seq, action=failing.action, why=Rendered(exc))
        return [*problems, failed], checked
    checked.append(T("every stage replayed from its recorded inputs"))
    if state.table is not None and not current_state(store).table.equals(state.table):
        problems.append(
            M(
                "S0072", "log entry {seq} ({action}): the snapshot the next command would start from differs from the replayed season",
                seq=entries[-1].seq, action=entries[-1].action,
            )
        )
    waits = state.policy.allocation.admitted_waits if state.compiled is not None else False
    problems += _capacity(state) + _moved(store, entries, waits) + _wasted(entries, placed)
    if not problems:
        checked.append(T("capacity, confirmed seats unchanged by later stages, no seat left untaken while an applicant who listed it was unplaced"))
        checked += _unfilled(state)
    return problems, checked


def _speak_its_language(store: Store) -> None:
    """Load the season's policy, so that messages speak its language (unless one was asked for); a season that no longer loads is checked all the same."""
    try:
        current_state(store)
    except JifenError:
        pass


def _record(store: Store, folder: str, head: str | None) -> list[Message]:
    problems = []
    entries = store.entries()
    previous = GENESIS
    for entry in entries:
        where = {"seq": entry.seq, "action": entry.action}
        if entry.previous != previous:
            problems.append(M("S0061", "log entry {seq} ({action}): its link to the entry before is broken (an entry was changed, removed or inserted)", **where))
        if entry.expected_digest() != entry.digest:
            problems.append(M("S0062", "log entry {seq} ({action}): its digest does not match its contents (the entry was edited)", **where))
        previous = entry.digest
        for _, name, digest in entry.inputs:
            data = store.file(digest)
            if data is None or store_digest(data) != digest:
                problems.append(M("S0063", "log entry {seq} ({action}): the input file {name} is missing or was changed", name=repr(name), **where))
        if entry.result and outcome_digest(store.outcome_frame(entry.seq)) != entry.result:
            problems.append(M("S0064", "log entry {seq} ({action}): the recorded outcome rows were changed", **where))
        if entry.state:
            kept = store.file(entry.state)
            if kept is None or store_digest(kept) != entry.state:
                problems.append(M("S0065", "log entry {seq} ({action}): the snapshot of the season's state is missing or was changed", **where))
    last = entries[-1].seq if entries else 0
    orphan = store.db.execute("SELECT MAX(seq) FROM outcomes WHERE seq > ?", (last,)).fetchone()[0]
    if orphan is not None:
        problems.append(
            M("S0066", "the log ends at entry {last}, but outcomes of entry {orphan} remain: entries were removed from its end", last=last, orphan=orphan)
        )
    if not entries:
        problems.append(M("S0067", "{path}: the log holds no entry", path=store.path))
    if head is not None and head not in {e.digest for e in entries}:
        problems.append(M("S0068", "the log does not contain the head {head}: it was truncated or rewritten", head=head))
    for entry in entries[:1]:
        for role, _, digest in entry.inputs:
            if role.startswith("policy:"):
                path = Path(folder) / POLICY_FOLDER / role.removeprefix("policy:")
                if not path.is_file() or store_digest(path.read_bytes()) != digest:
                    problems.append(M("S0069", "{path}: the season's policy file was changed since init", path=path))
    return problems


def _capacity(state: State) -> list[Message]:
    if state.table is None:
        return []
    left = seats_left(state)
    return [
        M("S0073", "capacity: school {school} ({grade}) holds {held} pupils for {seats} seats", school=s.id, grade=s.grade, held=s.seats - left[k], seats=s.seats)
        for k, s in enumerate(state.schools) if left[k] < 0
    ]


def _moved(store: Store, entries: list[LogEntry], waits: bool) -> list[Message]:
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
                problems.append(
                    M(
                        "S0074", "confirmed seats unchanged: log entry {seq} ({action}): {id} was confirmed at {school} but is now {status} {now}",
                        seq=entry.seq, action=entry.action, id=applicant, school=confirmed[applicant], status=status_word(status), now=school or "",
                    )
                )
            if status == "confirmed":
                confirmed[applicant] = school
    return problems


def _wasted(entries: list[LogEntry], stages: dict[int, State]) -> list[Message]:
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
                problems.append(
                    M(
                        "S0075", "priority: log entry {seq} ({action}): school {school} left {free} seats untaken while {ids} listed it and were left unplaced",
                        seq=seq, action=entry.action, school=school.id, free=left[k], ids=shown,
                    )
                )
    return problems


def _unfilled(state: State) -> list[Message]:
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
            after = T(", which the policy offers to no one: it holds no clearing")
        elif "clearing" in state.done:
            after = T(", left after clearing")
        else:
            after = T(", to be offered in clearing")
        parts = ([T("{count} never taken ({why})", count=never, why=T("no applicant left unplaced listed it"))] if never else []) + (
            [T("{count} freed by declines{after}", count=freed, after=after)] if freed else []
        )
        rows.append(T("  {school} ({grade}): {parts}", school=school.id, grade=school.grade, parts=semicolons(parts)))
    if not rows:
        return []
    total = sum(max(0, v) for v in left.values())
    more = len(rows) - _SHOWN
    shown = rows[:_SHOWN] + ([N("  ... and {count} more school", "  ... and {count} more schools", more)] if more > 0 else [])
    return [N("{count} seat unfilled at the end, each explained:", "{count} seats unfilled at the end, each explained:", total), *shown]
