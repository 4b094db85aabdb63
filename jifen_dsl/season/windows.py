"""When each stage may run: the schedule phase the policy opens for it (``window STAGE PHASE`` in its allocation section).

A stage run outside its window is not refused - an office may have good reason,
and the schedule may have moved - but warned about, naming the phase and its
dates; ``--as-of`` states the date of the action when it is recorded later than
it was taken. ``season status`` names the next stage and its window.
"""

from __future__ import annotations

import datetime as _dt

from jifen_dsl.messages import M, Message, T
from jifen_dsl.season.stages import State
from jifen_dsl.season.words import stage_name

__all__ = ["outside_window", "next_stage", "window_text", "parse_moment"]


def parse_moment(text: str) -> _dt.date | _dt.datetime:
    """``2022-06-12`` or ``2022-06-12 10:30`` (also with a T)."""
    text = text.strip()
    try:
        return _dt.datetime.fromisoformat(text) if (" " in text or "T" in text) else _dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(M("S0081", "{text} is not a date (2022-06-12) or a date and time (2022-06-12 10:30)", text=repr(text))) from None


def _phase(state: State, stage: str):
    schedule = state.policy.schedule
    name = dict(state.policy.allocation.windows).get(stage)
    if name is None or schedule is None:
        return None
    phase = schedule.phase(name)
    return phase if phase.window is not None else None


def window_text(state: State, stage: str) -> str | None:
    phase = _phase(state, stage)
    if phase is None:
        return None
    return f"{phase.name} ({phase.window})"


def outside_window(state: State, stage: str, moment: _dt.date | _dt.datetime) -> Message | None:
    """A warning when ``moment`` falls outside the stage's window, else None."""
    phase = _phase(state, stage)
    if phase is None or phase.window.contains(moment):
        return None
    window = phase.window
    outside = M(
        "S0080", "{stage} on {date} is outside the phase {phase} ({start} to {end})",
        stage=stage_name(stage), date=moment, phase=phase.name, start=window.start, end=window.end,
    )
    return T("warning: {warning}", warning=outside)


def next_stage(state: State) -> str | None:
    """The stage the season waits for, or None when registration is closed."""
    done = state.done
    for stage in ("init", "import", "qualify", "choices", "allocate"):
        if stage not in done:
            return stage
    counts = state.counts()
    if counts.get("admitted") or not state.confirm_closed:
        return "confirm"
    if state.policy.allocation.clearing and "clearing" not in done:
        return "clearing"
    return None if state.register_closed else "register"
