"""An evidence file read into a cohort's columns: ``v_N``, each applicant's items of the evidence list at slot N.

A row names an applicant by id (compared by
:func:`~jifen_dsl.data.identity.id_key`), an indicator by the name the policy
gives it or its title, a date and a value; every problem is collected, row by
row, and reported together (:mod:`jifen_dsl.data.evidence` reads evidence into
applicant records with :func:`evidence_columns`). The rows are
read as columns: ids joined to the cohort's, indicators looked up, dates and
values typed as an applicant file's cells are
(:func:`~jifen_dsl.data.frames.fields.typed_cells`); only the rows with a
problem are looked at one by one, for their messages.

Each ``v_N`` cell holds the applicant's items of that list sorted by date, then
by value (equal ones in file order), as ``sorted`` sorts the scalar record's
(date, Decimal) pairs; an applicant with none holds an empty list.
"""

from __future__ import annotations

import difflib
from typing import Any, Iterable

import attrs
import polars as pl

from jifen_dsl.data.cells import Table, column_named, in_column, located, wrong_width
from jifen_dsl.data.frames.casting import EDGE_SPACE, WHITESPACE
from jifen_dsl.data.frames.checks import id_keys
from jifen_dsl.data.frames.fields import typed_cells
from jifen_dsl.data.frames.reader import CohortFrame, read_cells
from jifen_dsl.data.frames.text import Cells
from jifen_dsl.data.identity import id_key
from jifen_dsl.errors import DataError
from jifen_dsl.lang import columns, model
from jifen_dsl.lang.typesys import DATE, DECIMAL
from jifen_dsl.messages import M, Message, T, quoted, series

__all__ = ["read_evidence_frame", "evidence_columns"]

# The columns of an evidence file and their spellings, as jifen_dsl.data.evidence names them.
_COLUMNS = {
    "id": ("id", "申请编号"),
    "indicator": ("indicator", "指标"),
    "date": ("date", "日期"),
    "value": ("value", "points", "amount", "数值", "分值", "金额"),
}
_DATE = model.Field(index=0, name="date", label=None, type=DATE, unique=False, optional=False, default=None)
_VALUE = model.Field(index=0, name="value", label=None, type=DECIMAL, unique=False, optional=False, default=None)


def read_evidence_frame(
    path: str, policy: model.Policy, cohort: CohortFrame, *, set_aside: Iterable[str] = (), input_format: str | None = None,
    encoding: str | None = None, sheet: str | None = None, formulas: str = "refuse",
) -> CohortFrame:
    """The cohort with a ``v_N`` column for each evidence list of ``policy``, from an evidence file; raise DataError listing every problem.

    ``set_aside`` names applicants a lenient reading set aside: their evidence is skipped, not an error.
    """
    if not policy.evidence:
        raise DataError([no_evidence(path, policy)])
    cells = read_cells(path, input_format=input_format, encoding=encoding, sheet=sheet, formulas=formulas, what="evidence")
    lists = evidence_columns(cells, policy, cohort.frame.get_column("id"), set_aside=set_aside)
    return attrs.evolve(cohort, frame=cohort.frame.with_columns(lists), evidence=cells.table)


def evidence_columns(cells: Cells, policy: model.Policy, ids: pl.Series, *, set_aside: Iterable[str] = ()) -> list[pl.Series]:
    """The ``v_N`` columns, one value for each of ``ids`` (the cohort's, in order), of an evidence file's cells already read.

    Raise DataError listing every problem. An id that appears more than once in
    ``ids`` has its items at its last place; the others hold none.
    """
    table = cells.table
    if not table.header:  # pragma: no cover - every reader refuses a file without a header first
        raise DataError([M("D0702", "{path}: the file is empty; expected a header row and one row per item of evidence", path=table.path)])
    problems: list[Message] = [located(table.at(b.row), b.reason) for b in table.broken]
    if problems:
        raise DataError(problems, title=T("{path}: the evidence file has problems", path=table.path))
    position = _positions(table, problems)
    if problems:
        raise DataError(problems, title=T("{path}: the evidence file's header has problems", path=table.path))
    items = _Items(cells, policy, ids, position, {id_key(i) for i in set_aside})
    if items.problems:
        raise DataError(items.problems, title=T("{path}: the evidence has problems", path=table.path))
    return items.lists(len(policy.evidence))


def no_evidence(path: str, policy: model.Policy) -> Message:
    """An evidence file given for a policy that counts none."""
    return M("D0701", "{path}: the policy {policy} counts no evidence, so there is nothing to read this file for", path=path, policy=policy.path)


def _either(spellings) -> Any:
    """``'a' or 'b' or 'c'``: each spelling a column may have."""
    said = quoted(spellings[0])
    for spelling in spellings[1:]:
        said = T("{rest} or {last}", rest=said, last=quoted(spelling))
    return said


def _positions(table: Table, problems: list[Message]) -> dict[str, int]:
    names = [h.strip().lstrip("\ufeff") for h in table.header]
    position: dict[str, int] = {}
    for column, spellings in _COLUMNS.items():
        found = [i for i, name in enumerate(names) if name in spellings]
        if not found:
            problems.append(located(f"{table.path}:1", M("D0703", "missing column {name} ({spellings})", name=quoted(column), spellings=_either(spellings[1:]))))
        elif len(found) > 1:
            problems.append(located(
                f"{table.path}:1",
                M("D0704", "the column {name} appears twice: {columns}", name=quoted(column), columns=series(repr(names[i]) for i in found)),
            ))
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


class _Items:
    """The rows of an evidence file as items of the cohort's applicants, and the problems of the rows that are not."""

    def __init__(self, cells: Cells, policy: model.Policy, ids: pl.Series, position: dict[str, int], skipped: set[str]):
        self.cells, self.policy, self.position, self.skipped = cells, policy, position, skipped
        self.problems: list[Message] = []
        self.height = len(ids)
        self.by_id = dict(zip(id_keys(ids).to_list(), range(len(ids))))  # an id that repeats: its last place
        self.names = _indicator_names(policy)
        text = {column: _stripped(cells.column(at)) for column, at in position.items()}
        keys = id_keys(text["id"].fill_null(""))
        self.applicant = keys.replace_strict(list(self.by_id), list(self.by_id.values()), default=None, return_dtype=pl.Int64)
        self.slot = text["indicator"].replace_strict(list(self.names), list(self.names.values()), default=None, return_dtype=pl.Int64)
        self.day, day_bad = typed_cells(text["date"], _DATE)
        self.value, value_bad = typed_cells(text["value"], _VALUE)
        self.good = self._check(text, keys, day_bad, value_bad)

    def _check(self, text: dict[str, pl.Series], keys: pl.Series, day_bad: dict[int, Message], value_bad: dict[int, Message]) -> pl.Series:
        """The rows that are items; every other row's problems added, in file order."""
        cells, table = self.cells, self.cells.table
        counts = cells.counts
        width = cells.width
        unreadable = {column: cells.unreadable(at) for column, at in self.position.items()}
        odd = ~cells.blank & (self.applicant.is_null() | self.slot.is_null())
        if counts is not None:
            odd = odd | (~cells.blank & (counts != width))
        wanted = set(odd.arg_true().to_list()) | set(day_bad) | set(value_bad)
        for found in unreadable.values():
            wanted |= set(found)
        skip = set(cells.blank.arg_true().to_list())
        rows = cells.numbers.to_list() if wanted else []
        dropped = sorted(wanted - skip)  # no item: each is refused, or an applicant's a lenient reading set aside
        for index in dropped:
            line = rows[index]
            if counts is not None and counts[index] != width:
                self.problems.append(located(f"{table.path}:{line}", wrong_width(counts[index], width)))
            else:
                self._problems(index, line, text, keys, unreadable, day_bad, value_bad)
        good = ~cells.blank
        return good.scatter(dropped, False) if dropped else good

    def _problems(self, index, line, text, keys, unreadable, day_bad, value_bad) -> None:
        """Add the problems of one row (none for the row of an applicant set aside)."""
        path, at = self.cells.table.path, self.position
        where = {column: f"{path}:{line}:{i + 1}" for column, i in at.items()}
        bad = [(column, found[index]) for column, found in unreadable.items() if index in found]
        for column, reason in bad:  # a workbook's formula or Excel error: it says why, where its text would mislead
            self.problems.append(located(where[column], in_column(column_named(column), reason)))
        if bad:
            return
        written, key = text["id"][index] or "", keys[index]
        if self.applicant[index] is None and key in self.skipped:
            return
        if self.applicant[index] is None:
            close = difflib.get_close_matches(written, list(self.by_id), n=1, cutoff=0.8)
            if close:
                unknown = M("D0705", "no applicant has the id {id} (did you mean {close}?)", id=repr(written), close=repr(close[0]))
            else:
                unknown = M("D0705", "no applicant has the id {id}", id=repr(written))
            self.problems.append(located(where["id"], unknown))
        if self.slot[index] is None:
            self.problems.append(located(where["indicator"], self._unknown(text["indicator"][index] or "")))
        for column, found in (("date", day_bad), ("value", value_bad)):
            if index in found:
                self.problems.append(located(where[column], in_column(column_named(column), found[index])))

    def _unknown(self, indicator: str) -> Message:
        counted = series(self.policy.evidence)
        indicators = self.policy.points.indicators
        if indicator in {i.name for i in indicators} | {i.title for i in indicators}:
            return M(
                "D0706", "the policy counts no evidence for the indicator {indicator}; it counts evidence for {counted}",
                indicator=repr(indicator), counted=counted,
            )
        close = difflib.get_close_matches(indicator, list(self.names), n=1, cutoff=0.6)
        if close:
            return M(
                "D0707", "unknown indicator {indicator} (did you mean {close}? the policy counts evidence for {counted})",
                indicator=repr(indicator), close=repr(close[0]), counted=counted,
            )
        return M("D0707", "unknown indicator {indicator} (the policy counts evidence for {counted})", indicator=repr(indicator), counted=counted)

    def lists(self, slots: int) -> list[pl.Series]:
        """The ``v_N`` columns: for each applicant of the cohort, its items of each list, sorted by date and value."""
        height = self.height
        items = pl.DataFrame({"applicant": self.applicant, "slot": self.slot, "day": self.day, "value": self.value}).filter(self.good)
        items = items.with_columns(order=_order(items.get_column("value"))).sort(["applicant", "slot", "day", "order"], maintain_order=True)
        grouped = items.group_by(["applicant", "slot"], maintain_order=True).agg(
            pl.struct(pl.col("day"), pl.col("value").struct.field("c"), pl.col("value").struct.field("e")).alias("items")
        )
        made = []
        for slot in range(slots):
            mine = grouped.filter(pl.col("slot") == slot)
            base = pl.DataFrame({"applicant": pl.int_range(0, height, eager=True, dtype=pl.Int64)})
            joined = base.join(mine.select("applicant", "items"), on="applicant", how="left", maintain_order="left").get_column("items")
            column = joined.fill_null(pl.lit([], dtype=joined.dtype)) if len(joined) else joined
            made.append(column.cast(columns.EVIDENCE).alias(columns.evidence_column(slot)))
        return made


def _stripped(text: pl.Series) -> pl.Series:
    """Cells stripped as str.strip() strips them (only those that need it are touched)."""
    return pl.select(pl.when(text.str.contains(EDGE_SPACE)).then(text.str.strip_chars(WHITESPACE)).otherwise(text)).to_series()


def _order(values: pl.Series) -> pl.Series:
    """A key sorting decimal values by number, as Decimal compares them (85.5 and 85.50 tie)."""
    if not len(values):
        return pl.Series([], dtype=pl.Int128)
    c, e = values.struct.field("c"), values.struct.field("e")
    low = e.min()
    shift = (e - low).cast(pl.Int64)
    digits = c.abs().cast(pl.String).str.len_bytes()
    if (digits + shift).max() <= 38:  # each value as a whole number of the smallest unit: exact in Int128
        factors = {s: 10**s for s in shift.unique().to_list()}
        return c * shift.replace_strict(list(factors), list(factors.values()), return_dtype=pl.Int128)
    numbers = [columns.decimal_from_parts(x, y) for x, y in zip(c.to_list(), e.to_list())]
    ranks = {number: rank for rank, number in enumerate(sorted(set(numbers)))}
    return pl.Series([ranks[n] for n in numbers], dtype=pl.Int128)
