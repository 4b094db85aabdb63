"""How large a number a policy may write, or compute from constants, and which years a policy may name.

A number literal and a folded constant must survive every later stage unchanged:
Decimal arithmetic at DECIMAL_CONTEXT's precision, and the generated code, into
which Python refuses to write a whole number of over 4,300 digits. The parser
refuses a longer literal at its span, the checker a longer folded constant.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.lang.operations import DECIMAL_CONTEXT
from jifen_dsl.timeline.dates import Duration

__all__ = ["MAX_DIGITS", "MAX_YEAR", "too_large"]

# A number literal may have this many digits (leading zeros aside): the precision
# points and money are computed with, so a literal is never rounded in use.
MAX_DIGITS = DECIMAL_CONTEXT.prec

# The last year a date can hold (datetime.MAXYEAR): a policy's year beyond it has no as_of date.
MAX_YEAR = 9999

# Whole numbers are exact in Python, so folding constants (a definition squared, then
# squared again ...) could grow one without end, in time and memory. Folded whole
# numbers, and the parts of durations, stay below this, as number literals do.
_FOLD_LIMIT = 10**MAX_DIGITS


def too_large(value: Any) -> bool:
    """Whether a folded constant holds a whole number of more than MAX_DIGITS digits."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) >= _FOLD_LIMIT
    if isinstance(value, Duration):
        return any(abs(part) >= _FOLD_LIMIT for part in value)
    return False
