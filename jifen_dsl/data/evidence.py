"""Read an evidence file and join its items to the applicants they belong to.

One row per item of evidence (a certificate, a year's tax, a spell of volunteer
work): the applicant's id, the indicator it is filed under, its date and its
value - points, or an amount the policy's formula turns into points. Headers in
English or Chinese: ``id`` (申请编号), ``indicator`` (指标), ``date`` (日期) and
one of ``value``, ``points`` or ``amount`` (数值, 分值, 金额). The indicator is
named as the policy names it, or by its title.

Every problem is collected - an id no applicant has, an indicator the policy
counts no evidence for, a bad date or value - and reported together with file
and line. An applicant with no evidence counts none: zero.
"""

from __future__ import annotations

import difflib
from typing import Iterable, Sequence

import attrs

from jifen_dsl.lang import model
from jifen_dsl.data.applicants import Applicant
from jifen_dsl.errors import DataError
from jifen_dsl.data.identity import id_key
from jifen_dsl.data.readers import Table, UnreadableCell, read_table
from jifen_dsl.lang.typesys import DATE, DECIMAL
from jifen_dsl.data.values import CellError, parser_for

__all__ = ["read_evidence", "evidence_from_table", "attach_evidence"]

_COLUMNS = {
    "id": ("id", "申请编号"),
    "indicator": ("indicator", "指标"),
    "date": ("date", "日期"),
    "value": ("value", "points", "amount", "数值", "分值", "金额"),
}


def read_evidence(
    path: str,
    policy: model.Policy,
    applicants: Sequence[Applicant],
    *,
    set_aside: Iterable[str] = (),
    input_format: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    formulas: str = "refuse",
) -> list[Applicant]:
    """The applicants with their evidence from a file (CSV, XLSX, JSON); raise DataError listing every problem.

    ``set_aside`` names applicants a lenient run set aside: their evidence is
    skipped, not an error, since they are in the rejects file.
    """
    if not policy.evidence:
        raise DataError([f"{path}: the policy {policy.path} counts no evidence, so there is nothing to read this file for"])
    table = read_table(path, fmt=input_format, encoding=encoding, sheet=sheet, what="evidence", formulas=formulas)
    return evidence_from_table(table, policy, applicants, set_aside=set_aside)


def evidence_from_table(table: Table, policy: model.Policy, applicants: Sequence[Applicant], *, set_aside: Iterable[str] = ()) -> list[Applicant]:
    """The applicants with the evidence of a table already read; raise DataError listing every problem."""
    if not policy.evidence:
        raise DataError([f"{table.path}: the policy {policy.path} counts no evidence, so there is nothing to read this file for"])
    if not table.header:
        raise DataError([f"{table.path}: the file is empty; expected a header row and one row per item of evidence"])
    problems = [f"{table.at(b.row)}: {b.reason}" for b in table.broken]
    if problems:
        raise DataError(problems, title=f"{table.path}: the evidence file has problems")
    return attach_evidence(table.path, table.header, table.rows, policy, applicants, set_aside=set_aside)


def _columns(path: str, header: Sequence[str], problems: list[str]) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff") for h in header]
    position: dict[str, int] = {}
    for column, spellings in _COLUMNS.items():
        found = [i for i, name in enumerate(names) if name in spellings]
        if not found:
            problems.append(f"{path}:1: missing column {column!r} (" + " or ".join(repr(s) for s in spellings[1:]) + ")")
        elif len(found) > 1:
            problems.append(f"{path}:1: the column {column!r} appears twice: {', '.join(repr(names[i]) for i in found)}")
        else:
            position[column] = found[0]
    return position


def _indicator_names(policy: model.Policy) -> dict[str, int]:
    """Every way an evidence row may name an indicator the policy counts evidence for -> its slot."""
    slots = {name: slot for slot, name in enumerate(policy.evidence)}
    names = dict(slots)
    titles = [ind.title for ind in policy.points.indicators]
    for ind in policy.points.indicators:
        if ind.name in slots and titles.count(ind.title) == 1:
            names.setdefault(ind.title, slots[ind.name])
    return names


def attach_evidence(
    path: str,
    header: Sequence[str],
    rows: Sequence[tuple[int, Sequence[str]]],
    policy: model.Policy,
    applicants: Sequence[Applicant],
    *,
    set_aside: Iterable[str] = (),
) -> list[Applicant]:
    """The applicants with the evidence of (line, cells) rows; raise DataError listing every problem."""
    skipped = {id_key(i) for i in set_aside}
    problems: list[str] = []
    position = _columns(path, header, problems)
    if problems:
        raise DataError(problems, title=f"{path}: the evidence file's header has problems")
    names = _indicator_names(policy)
    others = {ind.name for ind in policy.points.indicators} | {ind.title for ind in policy.points.indicators}
    by_id = {id_key(a.id): a for a in applicants}  # ids compare as the applicant file's do (see identity.py)
    read_date, read_value = parser_for(DATE), parser_for(DECIMAL)
    found: dict[str, list[list[tuple]]] = {}
    for line, cells in rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            problems.append(f"{path}:{line}: the row has {len(cells)} cells but the header has {len(header)}")
            continue
        cell = {column: cells[i].strip() for column, i in position.items()}
        where = {column: f"{path}:{line}:{i + 1}" for column, i in position.items()}
        unreadable = [(column, i) for column, i in position.items() if isinstance(cells[i], UnreadableCell)]
        for column, i in unreadable:  # a workbook's formula or Excel error: it says why, where its text would mislead
            problems.append(f"{where[column]}: column {column!r}: {cells[i].reason}")
        if unreadable:
            continue
        bad = False
        key = id_key(cell["id"])
        applicant = by_id.get(key)
        if applicant is None and key in skipped:
            continue
        if applicant is None:
            close = difflib.get_close_matches(cell["id"], list(by_id), n=1, cutoff=0.8)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"{where['id']}: no applicant has the id {cell['id']!r}{hint}")
            bad = True
        slot = names.get(cell["indicator"])
        if slot is None:
            counted = ", ".join(policy.evidence)
            if cell["indicator"] in others:
                problems.append(f"{where['indicator']}: the policy counts no evidence for the indicator {cell['indicator']!r}; it counts evidence for {counted}")
            else:
                close = difflib.get_close_matches(cell["indicator"], list(names), n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}? " if close else ""
                problems.append(f"{where['indicator']}: unknown indicator {cell['indicator']!r} ({hint}the policy counts evidence for {counted})")
            bad = True
        values = []
        for column, read in (("date", read_date), ("value", read_value)):
            if not cell[column]:
                problems.append(f"{where[column]}: column {column!r}: empty, but a value is required")
                bad = True
                continue
            try:
                values.append(read(cell[column]))
            except CellError as exc:
                problems.append(f"{where[column]}: column {column!r}: {exc}")
                bad = True
        if bad:
            continue
        lists = found.setdefault(applicant.id, [[] for _ in policy.evidence])
        lists[slot].append(tuple(values))
    if problems:
        raise DataError(problems, title=f"{path}: the evidence has problems")
    fields = len(policy.read_fields)
    joined = []
    for applicant in applicants:
        lists = found.get(applicant.id)
        if lists is not None:
            evidence = tuple(tuple(sorted(items)) for items in lists)
            applicant = attrs.evolve(applicant, record=applicant.record[:fields] + evidence)
        joined.append(applicant)
    return joined
