"""The officers' files a season stage takes, read and checked row by row against the season.

Each file is CSV, XLSX, JSON or JSON Lines, read by :func:`jifen_dsl.data.readers.read_table`;
its columns are named in English or Chinese. Every problem is named with its
file and row, all of them at once; a file with any problem is refused whole, so
nothing of it is recorded.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from jifen_dsl.data.cells import Table
from jifen_dsl.data.frames.fields import typed_cells
from jifen_dsl.data.readers import read_table
from jifen_dsl.data.values import CellError, parser_for
from jifen_dsl.lang.typesys import BOOL, SCHOOL_LIST
from jifen_dsl.messages import M, Message
from jifen_dsl.season.stages import HOLDING, Correction, State, StageError, clearing_groups
from jifen_dsl.season.words import Joined, status_word

__all__ = ["read_corrections", "read_choices", "read_decisions", "read_registrations", "read_clearing"]

_NAMES = {
    "id": ("id", "申请编号"),
    "field": ("field", "字段"),
    "value": ("value", "值"),
    "reason": ("reason", "理由"),
    "officer": ("officer", "经办人"),
    "choices": ("choices", "志愿"),
    "accepts_coordination": ("accepts_coordination", "服从统筹"),
    "sibling_group": ("sibling_group", "多胞胎组"),
    "decision": ("decision", "答复"),
    "registered": ("registered", "报到"),
}
_DECISIONS = {"confirmed": True, "confirm": True, "确认": True, "declined": False, "decline": False, "放弃": False}
_VERDICTS = {"pass": True, "通过": True, "fail": False, "不通过": False}


def _table(path: str, state: State, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> tuple[Table, dict[str, int]]:
    table = read_table(path, what="season")
    where: dict[str, int] = {}
    for k, name in enumerate(table.header):
        for key, spellings in _NAMES.items():
            if name.strip() in spellings:
                where[key] = k
    missing = [k for k in required if k not in where]
    if missing:
        wanted = ", ".join(f"{_NAMES[k][0]} ({_NAMES[k][1]})" for k in required)
        raise StageError([M("S0030", "{file}: the header must name the columns {columns}", file=path, columns=wanted)])
    return table, where


def _cell(cells: list[str], where: dict[str, int], key: str) -> str:
    at = where.get(key)
    return cells[at].strip() if at is not None and at < len(cells) else ""


def _refuse(problems: list[Message], state: State, path: str) -> None:
    if problems:
        raise StageError([*problems, M("S0031", "{file}: nothing was recorded", file=path)])


def _statuses(state: State) -> dict[str, tuple[str, str]]:
    """id -> (status, grade)."""
    table = state.table
    return dict(zip(table.get_column("id").to_list(), zip(table.get_column("status").to_list(), table.get_column("grade").to_list())))


def _rows(path: str, state: State, table: Table, where: dict[str, int], problems: list[Message]):
    """Each row's place, id and cells, once each id, known to the season."""
    known = _statuses(state)
    seen: dict[str, int] = {}
    for row, cells in table.rows:
        at = table.at(row)
        applicant = _cell(cells, where, "id")
        if applicant not in known:
            problems.append(_unknown_id(at, applicant))
            continue
        if applicant in seen:
            problems.append(M("S0033", "{at}: {id} is given again (first on row {first})", at=at, id=repr(applicant), first=seen[applicant]))
            continue
        seen[applicant] = row
        yield at, applicant, cells, known[applicant]


def _unknown_id(at: str, applicant: str) -> Message:
    return M("S0032", "{at}: no application has the id {id}", at=at, id=repr(applicant))


def read_corrections(path: str, state: State, officer: str) -> list[Correction]:
    """Rows ``id, field, value, reason[, officer]``: a field's new value, or a verdict (pass/fail) on a requirement."""
    table, where = _table(path, state, ("id", "field", "value", "reason"), ("officer",))
    policy = state.policy
    problems: list[Message] = []
    found: list[Correction] = []
    requirements = {r.name for r in policy.requirements}
    fields = {}
    for index in policy.read_fields:
        field = policy.fields[index]
        fields[field.name] = field
        if field.label:
            fields[field.label] = field
    known = _statuses(state)
    frame = state.cohort_data().frame
    for row, cells in table.rows:
        at = table.at(row)
        applicant, name, value, reason = (_cell(cells, where, k) for k in ("id", "field", "value", "reason"))
        who = _cell(cells, where, "officer") or officer
        if applicant not in known:
            problems.append(_unknown_id(at, applicant))
            continue
        if not reason:
            problems.append(M("S0045", "{at}: a correction needs its reason", at=at))
            continue
        if name in requirements:
            if value not in _VERDICTS:
                problems.append(
                    M(
                        "S0044", "{at}: a verdict on the requirement {field} is pass or fail (通过 / 不通过), not {value}",
                        at=at, field=repr(name), value=repr(value),
                    )
                )
                continue
            found.append(Correction(applicant, name, _VERDICTS[value], True, "", value, reason, who, _source(table, row)))
            continue
        field = fields.get(name)
        if field is None:
            problems.append(M("S0043", "{at}: {field} is neither a field the policy reads nor one of its requirements", at=at, field=repr(name)))
            continue
        typed, bad = typed_cells(pl.Series("x", [value], dtype=pl.String), field)
        if bad:
            problems.append(_bad_value(at, field.name, value, bad[0]))
            continue
        from jifen_dsl.lang import columns

        position = policy.read_fields.index(field.index)
        old = frame.filter(pl.col("id") == applicant).get_column(columns.field_column(position))
        old_text = str(columns.column_values(old, field.type)[0])
        found.append(Correction(applicant, field.name, columns.column_values(typed, field.type)[0], False, old_text, value, reason, who, _source(table, row)))
    _refuse(problems, state, path)
    return found


def _source(table: Table, row: int) -> str:
    import os

    return f"{os.path.basename(table.path)}:{row}"


def retype(change: dict[str, Any], state: State) -> Any:
    """The typed value of a recorded correction (as written by its officer), as read_corrections typed it."""
    if change["verdict"]:
        return _VERDICTS[change["new"]]
    field = state.policy.field(change["field"])
    typed, _ = typed_cells(pl.Series("x", [change["new"]], dtype=pl.String), field)
    from jifen_dsl.lang import columns

    return columns.column_values(typed, field.type)[0]


def _schools_by_grade(state: State) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for school in state.schools:
        found.setdefault(school.grade, set()).add(school.id)
    return found


def _bad_value(at: str, column: str, value: str, reason: object) -> Message:
    return M("S0037", "{at}: {column} {value}: {reason}", at=at, column=column, value=repr(value), reason=reason)


def _school_list(at: str, applicant: str, grade: str, text: str, state: State, problems: list[Message], limit: int | None, offers: dict[str, set[str]]) -> tuple[str, ...] | None:
    listed = parser_for(SCHOOL_LIST)(text) if text else ()
    offered = offers.get(grade, set())
    bad = [s for s in listed if s not in offered]
    for school in bad:
        problems.append(M("S0035", "{at}: {id} chose {school}, which is no school of grade {grade}", at=at, id=repr(applicant), school=repr(school), grade=grade))
    if limit is not None and len(listed) > limit:
        problems.append(M("S0036", "{at}: {id} lists {count} schools; the policy allows {limit}", at=at, id=repr(applicant), count=len(listed), limit=limit))
        return None
    return None if bad else tuple(listed)


def read_choices(path: str, state: State) -> dict[str, tuple[tuple[str, ...], bool, str | None]]:
    """Rows ``id, choices, accepts_coordination[, sibling_group]`` of qualified applicants: id -> (choices, accepts, group or None)."""
    table, where = _table(path, state, ("id", "choices", "accepts_coordination"), ("sibling_group",))
    problems: list[Message] = []
    found = {}
    limit = state.policy.allocation.choices
    offers = _schools_by_grade(state)
    for at, applicant, cells, (status, grade) in _rows(path, state, table, where, problems):
        if status not in ("qualified", "gave_up"):
            problems.append(
                M("S0034", "{at}: {id} is {status}: only qualified applicants file choices", at=at, id=repr(applicant), status=status_word(status))
            )
            continue
        listed = _school_list(at, applicant, grade, _cell(cells, where, "choices"), state, problems, limit, offers)
        accepts = _boolean(at, _cell(cells, where, "accepts_coordination"), "accepts_coordination", state, problems)
        group = _cell(cells, where, "sibling_group") if "sibling_group" in where else None
        if listed is not None and accepts is not None:
            found[applicant] = (listed, accepts, group)
    _refuse(problems, state, path)
    return found


def _boolean(at: str, text: str, column: str, state: State, problems: list[Message]) -> bool | None:
    try:
        return bool(parser_for(BOOL)(text))
    except CellError as exc:
        problems.append(_bad_value(at, column, text, exc.args[0] if exc.args else str(exc)))
        return None


def read_decisions(path: str, state: State) -> dict[str, bool]:
    """Rows ``id, decision`` (confirmed / declined, 确认 / 放弃) of admitted applicants: id -> confirmed."""
    table, where = _table(path, state, ("id", "decision"))
    problems: list[Message] = []
    found = {}
    for at, applicant, cells, (status, _) in _rows(path, state, table, where, problems):
        value = _cell(cells, where, "decision")
        if status != "admitted":
            problems.append(
                M("S0040", "{at}: {id} is {status}: only an admitted applicant confirms or declines", at=at, id=repr(applicant), status=status_word(status))
            )
        elif value.lower() not in _DECISIONS:
            problems.append(M("S0038", "{at}: {value} is no decision: write confirmed or declined (确认 / 放弃)", at=at, value=repr(value)))
        else:
            found[applicant] = _DECISIONS[value.lower()]
    _refuse(problems, state, path)
    return found


def read_registrations(path: str, state: State) -> dict[str, bool]:
    """Rows ``id, registered`` (yes / no, 是 / 否) of confirmed admissions: id -> registered."""
    table, where = _table(path, state, ("id", "registered"))
    problems: list[Message] = []
    found = {}
    for at, applicant, cells, (status, _) in _rows(path, state, table, where, problems):
        value = _cell(cells, where, "registered")
        if status != "confirmed":
            problems.append(
                M("S0041", "{at}: {id} is {status}: only a confirmed admission registers", at=at, id=repr(applicant), status=status_word(status))
            )
            continue
        try:
            found[applicant] = bool(parser_for(BOOL)(value))
        except CellError:
            problems.append(M("S0039", "{at}: {value} is no answer: write yes or no (是 / 否)", at=at, value=repr(value)))
    _refuse(problems, state, path)
    return found


def read_clearing(path: str, state: State) -> dict[str, tuple[str, ...]]:
    """Rows ``id, choices`` of the applicants the policy lets into clearing: id -> clearing choices."""
    table, where = _table(path, state, ("id", "choices"))
    problems: list[Message] = []
    found: dict[str, Any] = {}
    groups = clearing_groups(state)
    if state.policy.allocation.admitted_waits:  # one holding a seat may seek a better school
        groups = (*groups, *HOLDING)
    names = Joined.of(status_word(g) for g in groups)
    offers = _schools_by_grade(state)
    for at, applicant, cells, (status, grade) in _rows(path, state, table, where, problems):
        if status not in groups:
            problems.append(
                M(
                    "S0042", "{at}: {id} is {status}; the policy's clearing is for {groups}",
                    at=at, id=repr(applicant), status=status_word(status), groups=names,
                )
            )
            continue
        listed = _school_list(at, applicant, grade, _cell(cells, where, "choices"), state, problems, state.policy.allocation.choices, offers)
        if listed is not None:
            found[applicant] = listed
    _refuse(problems, state, path)
    return found
