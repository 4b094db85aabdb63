"""Move a policy's dates by whole years, by the month-end rule of :mod:`jifen_dsl.timeline.dates`.

Every date and date-and-time literal moves, and so do the header's year and
reference date; 2020-02-29 moved by one year is 2021-02-28. Working-day
calendars do not move: a holiday belongs to its year. Numbers (a year written
as 2022 in a rule) and text (titles, citations) are never changed here.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

import attrs

from jifen_dsl.lang import syntax
from jifen_dsl.lang.walk import rebuild, walk
from jifen_dsl.timeline.dates import add_months
from jifen_dsl.lang.loader import Program

__all__ = ["shift_date", "shift_node", "shift_program", "holds_dates", "date_nodes"]


def shift_date(value: _dt.date | _dt.datetime, years: int):
    """``value`` moved by whole years; a 29 February that does not exist becomes 28 February."""
    return add_months(value, 12 * years)


def _moved(node: Any, years: int) -> Any:
    if isinstance(node, (syntax.DateLit, syntax.DateTimeLit)):
        return attrs.evolve(node, value=shift_date(node.value, years))
    return node


def shift_node(node: Any, years: int) -> Any:
    """A declaration, item or expression with every date moved by ``years`` (calendars are left alone)."""
    if not years:
        return node
    return rebuild(node, lambda n: _moved(n, years), skip=(syntax.CalendarBlock,))


def shift_program(program: Program, years: int) -> Program:
    """A loaded policy with its header and every date moved by ``years``."""
    if not years:
        return program
    header = program.main.header
    moved_header = attrs.evolve(header, year=header.year + years, as_of=shift_date(header.as_of, years))
    return attrs.evolve(
        program,
        main=attrs.evolve(program.main, header=moved_header),
        declarations=tuple((shift_node(d, years), p) for d, p in program.declarations),
    )


def date_nodes(node: Any) -> list[syntax.DateLit | syntax.DateTimeLit]:
    """Every date and date-and-time literal in a declaration, outside calendars."""
    return [n for n in walk(node, skip=(syntax.CalendarBlock,)) if isinstance(n, (syntax.DateLit, syntax.DateTimeLit))]


def holds_dates(node: Any) -> bool:
    """Whether moving the year changes this declaration or item."""
    return bool(date_nodes(node))
