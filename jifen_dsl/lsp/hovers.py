"""What a hover adds to a name's type and clause: where an inherited clause comes from, and a phase's dates in working days.

* **Inheritance.** In a policy that extends last year's (``extends``), a name
  declared in the policy it extends - a requirement, a definition, a phase ... -
  says in which file and on which line it is declared, and whether this year's
  policy overrides it (and where) or takes it as it is. In the policy extended,
  a clause says which later policies of the library override it.
* **A phase's dates.** Its window in calendar days and in working days (the
  policy's own calendar: its years, and whether make-up working days count), how
  many working days after the phase before it a phase declared with ``then``
  starts, and the points verification: by when points accepted on the last day
  of the acceptance phase are verified, and by when points must be accepted to
  be verified in time for the phase that needs them.

The sentences are in the policy's language (``header.language``).
"""

from __future__ import annotations

import datetime as _dt
import os

from jifen_dsl.lang import model
from jifen_dsl.lsp.workspace import View
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.timeline.workdays import CalendarError, Workdays

__all__ = ["inheritance_notes", "phase_notes"]

_WORDS = {
    "inherited": ("inherited from `{path}`, line {line}", "继承自 `{path}` 第{line}行"),
    "declared": ("declared in `{path}`, line {line}", "最初在 `{path}` 第{line}行定义"),
    "overridden here": ("overridden in this file, line {line}", "本文件第{line}行修改了它"),
    "kept": ("not overridden in this policy: the clause of `{path}` is in force", "本政策未修改，沿用 `{path}` 的条款"),
    "overridden by": ("overridden by `{path}`, line {line}", "`{path}` 第{line}行修改了它"),
    "window": ("{days} days, {workdays} working days ({first} to {last})", "共{days}天，其中{workdays}个工作日（{first}至{last}）"),
    "follows": (
        "starts {start}, the {nth} working day after `{before}` ends ({end})",
        "{start}开始，即「{before}」结束（{end}）后的第{count}个工作日",
    ),
    "follows same": ("starts {start}, on the day `{before}` ends", "{start}开始，与「{before}」结束同日"),
    "verified": (
        "points accepted on its last day, {last}, are verified by {verified} ({length} later)",
        "最后一天（{last}）受理的积分，最迟于{verified}核定（{length}）",
    ),
    "needed": (
        "needs points verified by its last day, {last}: points accepted by {latest} at the latest are in time ({length})",
        "需要在最后一天（{last}）前核定的积分：最迟{latest}受理，方能及时核定（{length}）",
    ),
    "in time": (
        "points accepted on the last day of `{after}` ({accepted}) are verified by {verified}: in time",
        "「{after}」最后一天（{accepted}）受理的积分于{verified}核定：来得及",
    ),
    "late": (
        "points accepted on the last day of `{after}` ({accepted}) are verified only by {verified}: too late",
        "「{after}」最后一天（{accepted}）受理的积分要到{verified}才能核定：来不及",
    ),
    "calendar": ("working days cannot be counted: {reason}", "无法计算工作日：{reason}"),
}


def _say(key: str, language: str, **values) -> str:
    english, chinese = _WORDS[key]
    return (chinese if language == "zh" else english).format(**values)


def _shown(view: View, path: str) -> str:
    try:
        return os.path.relpath(path, os.path.dirname(view.path))
    except ValueError:
        return path


# ------------------------------------------------------------------ inheritance


def inheritance_notes(view: View, line: int, column: int, language: str) -> list[str]:
    """Where the clause named at (line, column) comes from in the policies this one extends, and who overrides it."""
    found = view.at(view.path, line, column)
    if found is None or found[1] is None:
        return []
    occurrence, entity = found
    resolved = view.resolved(view.path)
    lineage = view.lineage()
    notes: list[str] = []
    if entity.origin.path in lineage:
        parent = resolved.parent.entities.get(entity.key) if resolved is not None and resolved.parent is not None else None
        source = parent.declaration if parent is not None else entity.origin
        notes.append(_say("inherited", language, path=_shown(view, source.path), line=source.start[0] + 1))
        if source != entity.origin:
            notes.append(_say("declared", language, path=_shown(view, entity.origin.path), line=entity.origin.start[0] + 1))
        mine = [o for o, e in resolved.occurrences if e is not None and e.key == entity.key and o.role == "declaration" and o.override]
        if mine:
            notes.append(_say("overridden here", language, line=mine[0].start[0] + 1))
        else:
            notes.append(_say("kept", language, path=_shown(view, source.path)))
    if entity.declaration.path == view.path or entity.origin.path in lineage:
        for child in view.children(entity.key):
            notes.append(_say("overridden by", language, path=_shown(view, child.path), line=child.start[0] + 1))
    return notes


# ------------------------------------------------------------------ phases


def _day(value) -> _dt.date:
    return value.date() if isinstance(value, _dt.datetime) else value


def _length_text(length, language: str) -> str:
    if isinstance(length, Workdays):
        return f"{int(length)}个工作日" if language == "zh" else f"{int(length)} working day{'s' if int(length) != 1 else ''}"
    if language == "zh" and isinstance(length, Duration):
        from jifen_dsl.lang import syntax
        from jifen_dsl.lang.unparsing.words import duration_text

        return duration_text(syntax.DurationLit(length.years, length.months, length.days), "zh")
    return str(length)


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def phase_notes(policy: model.Policy, name: str, language: str) -> list[str]:
    """A phase's window counted in working days, its distance from the phase it follows, and the points verification it takes part in."""
    schedule, calendar = policy.schedule, policy.calendar
    if schedule is None or calendar is None:
        return []
    phase = next((p for p in schedule.phases if p.name == name), None)
    if phase is None:
        return []
    notes: list[str] = []
    try:
        window = phase.window
        if window is not None and window.start is not None:
            first, last = _day(window.start), _day(window.end)
            held = calendar.between(first, last) + calendar.is_workday(first)
            notes.append(_say("window", language, days=(last - first).days + 1, workdays=held, first=first, last=last))
        before = schedule.phases[phase.index - 1] if phase.follows and phase.index > 0 else None
        if before is not None and before.window is not None and window is not None and window.start is not None:
            end, start = _day(before.window.end), _day(window.start)
            if start == end:
                notes.append(_say("follows same", language, start=start, before=before.name))
            elif start > end:
                count = calendar.between(end, start)
                notes.append(_say("follows", language, start=start, nth=_ordinal(count), count=count, before=before.name, end=end))
        notes.extend(_verification_notes(schedule, calendar, phase, language))
    except CalendarError as exc:
        notes.append(_say("calendar", language, reason=str(exc)))
    return notes


def _verification_notes(schedule, calendar, phase, language: str) -> list[str]:
    rule = schedule.verification
    if rule is None or phase.window is None:
        return []
    length = _length_text(rule.length, language)
    notes = []
    last = _day(phase.window.end)
    if rule.after == phase.index:
        notes.append(_say("verified", language, last=last, verified=rule.verified_by(last, calendar), length=length))
    if rule.needed_for == phase.index:
        notes.append(_say("needed", language, last=last, latest=rule.latest_acceptance(last, calendar), length=length))
        after = schedule.phases[rule.after] if rule.after is not None else None
        if after is not None and after.window is not None:
            accepted = _day(after.window.end)
            verified = rule.verified_by(accepted, calendar)
            notes.append(_say("in time" if verified <= last else "late", language, after=after.name, accepted=accepted, verified=verified))
    return notes
