"""The schedule as a timeline, and the points-verification deadline, in the policy's language (or the one asked for)."""

from __future__ import annotations

import datetime as _dt

from jifen_dsl.lang import model
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.timeline.schedule import Deadline, Phase
from jifen_dsl.data.tables import text_table
from jifen_dsl.timeline.workdays import Workdays
from jifen_dsl.evaluation.language import language_of
from jifen_dsl.messages import Message, N, T, render, series

__all__ = ["format_schedule", "format_deadline"]

def _moment(value) -> str:
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    return value.isoformat()


def _length(length: Duration | Workdays | None) -> Message | str:
    if length is None:
        return ""
    if isinstance(length, Workdays):
        return N("{count} working day", "{count} working days", int(length))
    if length.years == 0 and length.months == 0:
        return N("{count} day", "{count} days", length.days)
    return str(length)


def _header(moment) -> list[Message]:
    header = [T("phase"), T("title"), T("follows"), T("from"), T("to"), T("length")]
    return header + ([T("status")] if moment is not None else [])


_STATUS = {"open": T("open"), "upcoming": T("upcoming"), "closed": T("closed")}


def format_schedule(policy: model.Policy, moment=None) -> str:
    """The phases in declaration order; with ``moment``, which are open then (in the language asked for, else the policy's)."""
    schedule = policy.schedule
    lang = language_of(policy)
    say = lambda message: render(message, lang)  # noqa: E731
    head = say(T("{title}: schedule", title=policy.header.title))
    if schedule.cite:
        head += say(T(" [{cite}]", cite=schedule.cite))
    header = [say(h) for h in _header(moment)]
    rows = []
    for phase in schedule.phases:
        follows = schedule.phases[phase.index - 1].name if phase.follows and phase.index > 0 else ""
        window = phase.window
        row = [
            phase.name,
            phase.title,
            follows,
            _moment(window.start) if window is not None and window.start is not None else "",
            _moment(window.end) if window is not None else "",
            say(_length(phase.length)),
        ]
        if moment is not None:
            row.append(say(_STATUS[window.status(moment)] if window is not None else T("dates not published")))
        rows.append(row)
    # Columns nobody fills (no phase follows another, none has only a length) are left out.
    keep = [i for i in range(len(header)) if i < 2 or i >= 6 or any(row[i] for row in rows)]
    table = text_table([header[i] for i in keep], [[row[i] for i in keep] for row in rows])
    lines = [head, "", table.rstrip("\n"), ""]
    years = policy.calendar.covered()
    if schedule.makeup_counted:
        lines.append(say(T("Working days: Monday to Friday except holidays, and the make-up working days of the State Council's calendar ({years}).", years=years)))
    else:
        lines.append(say(T("Working days: Monday to Friday except holidays; make-up working days are not counted ({years}).", years=years)))
    rule = schedule.verification
    if rule is not None:
        after = T(" in phase '{name}'", name=schedule.phases[rule.after].name) if rule.after is not None else ""
        needed = T(", needed for phase '{name}'", name=schedule.phases[rule.needed_for].name) if rule.needed_for is not None else ""
        lines.append(say(T("Points verification: {length} after acceptance{after}{needed}.", length=_length(rule.length), after=after, needed=needed)))
    if moment is not None:
        open_now = schedule.open_at(moment)
        lines.append("")
        if open_now:
            lines.append(say(T("Open at {moment}: {names}", moment=_moment(moment), names=series([p.name for p in open_now]))))
        else:
            lines.append(say(T("No phase is open at {moment}.", moment=_moment(moment))))
    return "\n".join(lines) + "\n"


def format_deadline(policy: model.Policy, result: Deadline) -> str:
    """When the points are verified, and whether that is in time, in a few sentences (in the language asked for, else the policy's)."""
    lang = language_of(policy)
    if not isinstance(result.length, Workdays):
        makeup: Message | str = ""
    else:
        makeup = "" if policy.schedule.makeup_counted else T(", make-up working days not counted")
    lines: list[Message] = [T(
        "Points accepted on {accepted} are verified by {verified} at the latest: {length} after acceptance, the day of acceptance not counted{makeup}.",
        accepted=result.accepted, verified=result.verified_by, length=_length(result.length), makeup=makeup,
    )]
    if result.acceptance is not None:
        phase, accepted = _phase(result.acceptance), result.accepted
        status = result.acceptance_status
        if status == "open":
            lines.append(T("Acceptance: in time - {phase} is open on {accepted}.", phase=phase, accepted=accepted))
        elif status == "closed":
            lines.append(T("Acceptance: too late - {phase} ended before {accepted}.", phase=phase, accepted=accepted))
        else:
            lines.append(T("Acceptance: too early - {phase} opens after {accepted}.", phase=phase, accepted=accepted))
    if result.needed_for is not None:
        phase = _phase(result.needed_for)
        if result.in_time:
            lines.append(T("In time for {phase}: the points are verified by {verified}, no later than its last day.", phase=phase, verified=result.verified_by))
        else:
            lines.append(T("Too late for {phase}: the points are verified by {verified}, after its last day.", phase=phase, verified=result.verified_by))
        if result.latest_acceptance is not None:
            lines.append(T("To be in time for phase '{name}', points must be accepted by {latest} at the latest.", name=result.needed_for.name, latest=result.latest_acceptance))
    elif result.acceptance is None:
        lines.append(T("The policy names no phase that needs the points: only the date is given."))
    return "\n".join(render(line, lang) for line in lines) + "\n"


def _phase(phase: Phase) -> Message:
    window = phase.window
    if window.start is None:
        when = T("until {end}", end=_moment(window.end))
    else:
        when = T("{start} to {end}", start=_moment(window.start), end=_moment(window.end))
    return T("phase '{name}' ({title}, {window})", name=phase.name, title=phase.title, window=when)
