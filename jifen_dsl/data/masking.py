"""Mask personal details for public lists: 张*明, 440102********1234.

The policy's publication section says how many characters stay visible at the
start and at the end. Whatever it says, at least a third of a value's
characters (and at least one) are always hidden, so a short value - a
two-character name, a truncated identity number - never shows whole. The end is
given up first: 张三 becomes 张*.
"""

from __future__ import annotations

from jifen_dsl.lang import model

__all__ = ["mask", "MASK_CHAR"]

MASK_CHAR = "*"


def mask(value: str | None, rule: model.Mask) -> str:
    """``value`` with all but the kept characters replaced by ``*``; empty for no value."""
    if value is None:
        return ""
    chars = list(value.strip())
    n = len(chars)
    if n == 0:
        return ""
    hidden = max(1, -(-n // 3))  # at least a third, rounded up
    shown = n - hidden
    first = min(rule.keep_first, shown)
    last = min(rule.keep_last, shown - first)
    return "".join(chars[:first]) + MASK_CHAR * (n - first - last) + "".join(chars[n - last :])
