"""Cells a spreadsheet must show as text: the guard against formula injection in CSV and XLSX outputs.

Office staff open the results, summaries, public lists, reports and templates in
Excel or another spreadsheet program. A program that opens a CSV file takes a cell
starting with ``=``, ``+``, ``-`` or ``@`` as a formula, and a tab or a carriage
return in front of one hides it - so an applicant named
``=HYPERLINK("http://x","y")`` would become a live link, and worse formulas can
run commands or send the sheet's contents away ("CSV injection" or "formula
injection", OWASP). Such cells come from untrusted text: names, ids, anything a
family or a form wrote.

The rule, one for every writer:

- A text cell *needs the guard* (:func:`needs_guard`) when it starts with one of
  :data:`LEADING` - ``=``, ``+``, ``-``, ``@``, a tab or a carriage return - and is
  not a plain number (:data:`NUMBER`: an optional minus, ASCII digits, an optional
  fraction, as ``-1.5``). A negative number is a number, not a formula: the points
  of a deduction stay as they are, in every column. The empty cell needs nothing.
- In CSV such a cell is written with an apostrophe in front (:func:`csv_safe`):
  ``'=HYPERLINK(...)``. A spreadsheet shows it as text; a reader of the CSV sees
  the apostrophe, which is the price of a file that is safe to double-click.
- In XLSX the text is kept exactly as it is and the cell is written as a string
  cell (an inline string, never ``<f>``, never an error or any type Excel
  evaluates); :mod:`jifen_dsl.data.xlsx` also sets the cell's "quote prefix"
  style, which is what Excel itself records for text typed with a leading
  apostrophe, so a user who edits the cell and presses Enter keeps text, not a
  formula. No apostrophe is added to the value: a string cell is already safe, and
  a program reading the workbook gets the text as written. Numbers in a numeric
  column stay numeric cells.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

__all__ = ["LEADING", "NUMBER", "needs_guard", "csv_safe", "csv_safe_row", "joined_needs_guard"]

LEADING = frozenset("=+-@\t\r")  # the first characters that make a spreadsheet read a cell as a formula
NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")  # a plain number: never guarded

# A cell that needs the guard, matched where it starts: a leading character, other than the
# minus of a negative number running to the end of its cell (a comma, a line feed or the end).
_GUARDED_AT = re.compile(r"[=+@\t\r]|-(?![0-9]+(?:\.[0-9]+)?(?:[,\n]|\Z))")
# Where a cell may start with a leading character in cells joined by commas and lines by line
# feeds: two searches with a literal first character, which the regular expression engine
# scans for quickly (one pattern for both separators is several times slower).
_AFTER_COMMA = re.compile(",[-=+@\t\r]")
_AFTER_LINE = re.compile("\n[-=+@\t\r]")


def needs_guard(text: Any) -> bool:
    """Whether a cell would be read as a formula: text starting with one of :data:`LEADING` that is not a plain number."""
    return isinstance(text, str) and text[:1] in LEADING and NUMBER.fullmatch(text) is None


def csv_safe(text: Any) -> Any:
    """The cell as a CSV file holds it: with an apostrophe in front when it :func:`needs_guard`; anything else as it is."""
    return "'" + text if needs_guard(text) else text


def csv_safe_row(row: Sequence[Any]) -> list[Any]:
    """A row's cells, each through :func:`csv_safe`."""
    return [csv_safe(cell) for cell in row]


def joined_needs_guard(text: str) -> bool:
    """Whether cells joined by commas (and lines by line feeds), none holding a comma or line break, hold a cell that :func:`needs_guard`.

    For the fast CSV writers, which check a whole line or block at once: false means
    every cell stands as written.
    """
    if _GUARDED_AT.match(text) is not None:
        return True
    for finder in (_AFTER_COMMA, _AFTER_LINE):
        for found in finder.finditer(text):  # more than one only for negative numbers
            if _GUARDED_AT.match(text, found.start() + 1) is not None:
                return True
    return False
