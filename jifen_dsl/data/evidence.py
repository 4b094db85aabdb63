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

The file is read and checked as columns
(:func:`jifen_dsl.data.frames.evidence.evidence_columns`, which imports polars
and is imported only when a file is read); each applicant with items is then
given them, sorted by date and value.
"""

from __future__ import annotations

from typing import Iterable, Sequence

import attrs

from jifen_dsl.data.cells import Table
from jifen_dsl.data.identity import id_key
from jifen_dsl.data.records import Applicant
from jifen_dsl.errors import DataError
from jifen_dsl.lang import model
from jifen_dsl.messages import M, Message

__all__ = ["read_evidence", "evidence_from_table", "attach_evidence"]


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
        raise DataError([_no_evidence(path, policy)])
    from jifen_dsl.data.frames.reader import read_cells

    cells = read_cells(path, input_format=input_format, encoding=encoding, sheet=sheet, formulas=formulas, what="evidence")
    return _joined(cells, policy, applicants, set_aside)


def evidence_from_table(table: Table, policy: model.Policy, applicants: Sequence[Applicant], *, set_aside: Iterable[str] = ()) -> list[Applicant]:
    """The applicants with the evidence of a table already read; raise DataError listing every problem."""
    if not policy.evidence:
        raise DataError([_no_evidence(table.path, policy)])
    from jifen_dsl.data.frames.text import TableCells

    return _joined(TableCells(table), policy, applicants, set_aside)


def _no_evidence(path: str, policy: model.Policy) -> Message:
    # As frames.evidence.no_evidence says it; that module imports polars, which this one leaves to the reading.
    return M("D0701", "{path}: the policy {policy} counts no evidence, so there is nothing to read this file for", path=path, policy=policy.path)


def attach_evidence(
    path: str,
    header: Sequence[str],
    rows: Sequence[tuple[int, Sequence[str]]],
    policy: model.Policy,
    applicants: Sequence[Applicant],
    *,
    set_aside: Iterable[str] = (),
) -> list[Applicant]:
    """The applicants with the evidence of (line, cells) rows of a CSV file; raise DataError listing every problem."""
    table = Table(path, "csv", tuple(header), [(line, list(cells)) for line, cells in rows])
    return evidence_from_table(table, policy, applicants, set_aside=set_aside)


def _joined(cells, policy: model.Policy, applicants: Sequence[Applicant], set_aside: Iterable[str]) -> list[Applicant]:
    """The applicants, each with the items the cells give it (its evidence lists replaced) or as it was when they give none.

    Applicants are found by id as :func:`~jifen_dsl.data.identity.id_key`
    compares them; of applicants whose ids compare equal, the items go to the
    last, and to any other written exactly as it is.
    """
    import polars as pl

    from jifen_dsl.data.frames.evidence import evidence_columns
    from jifen_dsl.lang.columns import column_values
    from jifen_dsl.lang.typesys import EVIDENCE

    ids = [applicant.id for applicant in applicants]
    lists = evidence_columns(cells, policy, pl.Series("id", ids, dtype=pl.String), set_aside=set_aside)
    slots = [column_values(column, EVIDENCE) for column in lists]
    last = {id_key(i): at for at, i in enumerate(ids)} if len(set(ids)) < len(ids) or not all(i.isascii() for i in ids) else None
    fields = len(policy.read_fields)
    joined = []
    for at, applicant in enumerate(applicants):
        holder = at if last is None else last[id_key(applicant.id)]
        evidence = tuple(slot[holder] for slot in slots)
        if any(evidence) and ids[holder] == applicant.id:
            applicant = attrs.evolve(applicant, record=applicant.record[:fields] + evidence)
        joined.append(applicant)
    return joined
