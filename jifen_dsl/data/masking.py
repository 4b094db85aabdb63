"""Mask personal details for public lists: 张*明, 440102********1234.

The policy's publication section says how many characters stay visible at the
start and at the end. Whatever it says, at least a third of a value's
characters (and at least one) are always hidden, so a short value - a
two-character name, a truncated identity number - never shows whole. The end is
given up first: 张三 becomes 张*.

Before anything is counted, the bidirectional controls are removed
(:func:`without_bidi_controls`): the embeddings and overrides U+202A-U+202E, the
isolates U+2066-U+2069, and the marks U+200E, U+200F and U+061C. Each is invisible
and changes the order in which what follows is shown, so a name holding one could
show its kept characters reversed, or reorder the asterisks, the id and the points
beside it in a public list. The marks are removed too: they reorder the neutral
characters around them (the asterisks, digits and punctuation of a masked value),
and no name needs one to be read. A removed character is not a character of the
name: it is never kept, never counted towards the third that is hidden, never
replaced by an asterisk. (The readers refuse these characters in ids and names,
data/identity.py; a results file given to ``publish`` may have been written
elsewhere, so masking removes them again.)
"""

from __future__ import annotations

import re

from jifen_dsl.lang import model

__all__ = ["mask", "MASK_CHAR", "BIDI_CONTROLS", "without_bidi_controls"]

MASK_CHAR = "*"

# The bidirectional controls: the Arabic letter mark, the left-to-right and right-to-left marks,
# the embeddings, overrides and pop (U+202A-U+202E), and the isolates (U+2066-U+2069).
BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def without_bidi_controls(text: str) -> str:
    """``text`` with every bidirectional control removed (the rest of it as it was)."""
    if text.isascii():
        return text
    return BIDI_CONTROLS.sub("", text)


def mask(value: str | None, rule: model.Mask) -> str:
    """``value`` without bidirectional controls, with all but the kept characters replaced by ``*``; empty for no value."""
    if value is None:
        return ""
    chars = list(without_bidi_controls(value).strip())
    n = len(chars)
    if n == 0:
        return ""
    hidden = max(1, -(-n // 3))  # at least a third, rounded up
    shown = n - hidden
    first = min(rule.keep_first, shown)
    last = min(rule.keep_last, shown - first)
    return "".join(chars[:first]) + MASK_CHAR * (n - first - last) + "".join(chars[n - last :])
