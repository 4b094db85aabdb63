"""The schedule as a timeline, and the points-verification deadline, in the policy's language."""

from __future__ import annotations

import datetime as _dt

from jifen_dsl.lang import model
from jifen_dsl.timeline.dates import Duration
from jifen_dsl.timeline.schedule import Deadline, Phase
from jifen_dsl.data.tables import text_table
from jifen_dsl.timeline.workdays import Workdays

__all__ = ["format_schedule", "format_deadline"]

TEXT = {
    "en": {
        "title": "{title}: schedule",
        "cite": " [{cite}]",
        "header": ("phase", "title", "follows", "from", "to", "length"),
        "status": "status",
        "open": "open",
        "upcoming": "upcoming",
        "closed": "closed",
        "undated": "dates not published",
        "open_at": "Open at {moment}: {names}",
        "none_open": "No phase is open at {moment}.",
        "workdays_counted": "Working days: Monday to Friday except holidays, and the make-up working days of the State Council's calendar ({years}).",
        "workdays_not_counted": "Working days: Monday to Friday except holidays; make-up working days are not counted ({years}).",
        "verification": "Points verification: {length} after acceptance{after}{needed}.",
        "verification_after": " in phase '{name}'",
        "verification_needed": ", needed for phase '{name}'",
        "list_sep": ", ",
        "days": "{n} days",
        "workdays": "{n} working days",
        "verified": "Points accepted on {accepted} are verified by {verified} at the latest: {length} after acceptance, the day of acceptance not counted{makeup}.",
        "makeup_not_counted": ", make-up working days not counted",
        "makeup_counted": "",
        "phase": "phase '{name}' ({title}, {window})",
        "until": "until {end}",
        "range": "{start} to {end}",
        "acceptance_open": "Acceptance: in time - {phase} is open on {accepted}.",
        "acceptance_closed": "Acceptance: too late - {phase} ended before {accepted}.",
        "acceptance_upcoming": "Acceptance: too early - {phase} opens after {accepted}.",
        "needed_in_time": "In time for {phase}: the points are verified by {verified}, no later than its last day.",
        "needed_late": "Too late for {phase}: the points are verified by {verified}, after its last day.",
        "latest": "To be in time for phase '{name}', points must be accepted by {latest} at the latest.",
        "no_phase": "The policy names no phase that needs the points: only the date is given.",
    },
    "zh": {
        "title": "{title}：日程",
        "cite": "〔依据：{cite}〕",
        "header": ("阶段", "名称", "紧接", "开始", "结束", "时长"),
        "status": "状态",
        "open": "进行中",
        "upcoming": "未开始",
        "closed": "已结束",
        "undated": "日期未公布",
        "open_at": "{moment} 正在进行：{names}",
        "none_open": "{moment} 没有正在进行的阶段。",
        "workdays_counted": "工作日：星期一至星期五（节假日除外），及国务院安排的调休上班日（{years}年）。",
        "workdays_not_counted": "工作日：星期一至星期五（节假日除外）；调休上班日不计入（{years}年）。",
        "verification": "积分核定：受理后{length}{after}{needed}。",
        "verification_after": "（受理阶段「{name}」）",
        "verification_needed": "，用于「{name}」",
        "list_sep": "、",
        "days": "{n}天",
        "workdays": "{n}个工作日",
        "verified": "{accepted} 受理的积分，最迟于 {verified} 核定：受理后{length}（受理当日不计入{makeup}）。",
        "makeup_not_counted": "，调休上班日不计入",
        "makeup_counted": "",
        "phase": "「{name}」（{title}，{window}）",
        "until": "截至 {end}",
        "range": "{start} 至 {end}",
        "acceptance_open": "受理：按时，{phase}在 {accepted} 进行中。",
        "acceptance_closed": "受理：逾期，{phase}在 {accepted} 之前已结束。",
        "acceptance_upcoming": "受理：过早，{phase}在 {accepted} 之后才开始。",
        "needed_in_time": "赶得上{phase}：积分最迟 {verified} 核定，不晚于其最后一天。",
        "needed_late": "赶不上{phase}：积分最迟 {verified} 才核定，已过其最后一天。",
        "latest": "要赶上「{name}」，积分最迟须于 {latest} 受理。",
        "no_phase": "政策未指明需要核定积分的阶段：只给出核定日期。",
    },
}


def _moment(value) -> str:
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    return value.isoformat()


def _length(length: Duration | Workdays | None, t: dict) -> str:
    if length is None:
        return ""
    if isinstance(length, Workdays):
        return t["workdays"].format(n=int(length))
    if length.years == 0 and length.months == 0:
        return t["days"].format(n=length.days)
    return str(length)


def format_schedule(policy: model.Policy, moment=None) -> str:
    """The phases in declaration order; with ``moment``, which are open then."""
    schedule = policy.schedule
    t = TEXT["zh" if policy.language == "zh" else "en"]
    head = t["title"].format(title=policy.header.title) + (t["cite"].format(cite=schedule.cite) if schedule.cite else "")
    header = list(t["header"]) + ([t["status"]] if moment is not None else [])
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
            _length(phase.length, t),
        ]
        if moment is not None:
            row.append(t[window.status(moment)] if window is not None else t["undated"])
        rows.append(row)
    # Columns nobody fills (no phase follows another, none has only a length) are left out.
    keep = [i for i in range(len(header)) if i < 2 or i >= 6 or any(row[i] for row in rows)]
    table = text_table([header[i] for i in keep], [[row[i] for i in keep] for row in rows])
    lines = [head, "", table.rstrip("\n"), ""]
    key = "workdays_counted" if schedule.makeup_counted else "workdays_not_counted"
    lines.append(t[key].format(years=policy.calendar.covered()))
    rule = schedule.verification
    if rule is not None:
        lines.append(t["verification"].format(
            length=_length(rule.length, t),
            after=t["verification_after"].format(name=schedule.phases[rule.after].name) if rule.after is not None else "",
            needed=t["verification_needed"].format(name=schedule.phases[rule.needed_for].name) if rule.needed_for is not None else "",
        ))
    if moment is not None:
        open_now = schedule.open_at(moment)
        lines.append("")
        if open_now:
            lines.append(t["open_at"].format(moment=_moment(moment), names=t["list_sep"].join(p.name for p in open_now)))
        else:
            lines.append(t["none_open"].format(moment=_moment(moment)))
    return "\n".join(lines) + "\n"


def format_deadline(policy: model.Policy, result: Deadline) -> str:
    """When the points are verified, and whether that is in time, in a few sentences."""
    t = TEXT["zh" if policy.language == "zh" else "en"]
    makeup = "" if not isinstance(result.length, Workdays) else t["makeup_counted" if policy.schedule.makeup_counted else "makeup_not_counted"]
    lines = [t["verified"].format(accepted=result.accepted, verified=result.verified_by, length=_length(result.length, t), makeup=makeup)]
    if result.acceptance is not None:
        lines.append(t[f"acceptance_{result.acceptance_status}"].format(phase=_phase(result.acceptance, t), accepted=result.accepted))
    if result.needed_for is not None:
        key = "needed_in_time" if result.in_time else "needed_late"
        lines.append(t[key].format(phase=_phase(result.needed_for, t), verified=result.verified_by))
        if result.latest_acceptance is not None:
            lines.append(t["latest"].format(name=result.needed_for.name, latest=result.latest_acceptance))
    elif result.acceptance is None:
        lines.append(t["no_phase"])
    return "\n".join(lines) + "\n"


def _phase(phase: Phase, t: dict) -> str:
    window = phase.window
    if window.start is None:
        when = t["until"].format(end=_moment(window.end))
    else:
        when = t["range"].format(start=_moment(window.start), end=_moment(window.end))
    return t["phase"].format(name=phase.name, title=phase.title, window=when)
