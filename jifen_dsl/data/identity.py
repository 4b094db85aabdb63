"""The one rule for the text that names an applicant: how ids compare, and which characters an id or a name may not hold.

Two ids are the same application when they are equal after Unicode NFKC
normalisation with the invisible format characters (category Cf: zero-width
space, word joiner, soft hyphen ...) removed: ``HZ-01``, ``ＨＺ-01`` and
``HZ-01`` followed by a zero-width space are one child, and a file that holds two
of them holds a duplicate. The id is kept as it was written; only the comparison
uses :func:`id_key`.

An id or a personal detail - :data:`CHECKED`: the id and the fields of
``model.PERSONAL_FIELDS`` (the names and the identity number the results carry)
- may not hold a control character (C0, DEL or C1, a line break and the escape
character among them), a line or paragraph separator, or a bidirectional control:
each changes what a table or a terminal shows without showing itself, so a row
could be forged or an id shown as another. :func:`refused_character` finds the
first; the readers refuse the cell with its position.

Both tests are cheap for the text every file holds: ASCII without control
characters needs no normalisation, and ``str.isprintable`` is false for every
refused character (and every Cf), so the regular expression runs only on the
rare text it is false for.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Callable

from jifen_dsl.data.values import CellError
from jifen_dsl.lang import model
from jifen_dsl.messages import M, Message, T

__all__ = ["CHECKED", "id_key", "refused_character", "describe", "guarded", "escaped"]

# The fields whose text is checked: the id, and the personal details carried to every output.
CHECKED = frozenset((model.ID_FIELD, *model.PERSONAL_FIELDS))

# C0 and C1 controls with DEL, the line and paragraph separators, and the bidirectional
# controls (marks, embeddings, overrides and isolates).
_REFUSED = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMES = {
    "\n": T("a line break"), "\r": T("a carriage return"), "\t": T("a tab"), "\x1b": T("an escape character"), "\x00": T("a NUL character"),
}


def id_key(text: str) -> str:
    """What an id is compared by: NFKC-normalised, with the invisible format characters (Cf) removed."""
    if text.isascii() and text.isprintable():
        return text  # nothing to normalise, nothing invisible: the common case
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFKC", visible)


def refused_character(text: str) -> int | None:
    """The index of the first character an id or a name may not hold, or None."""
    if text.isprintable():
        return None
    found = _REFUSED.search(text)
    return None if found is None else found.start()


def describe(ch: str) -> "Message | str":
    """A refused character as a message names it: 'a line break (U+000A)', 'U+202E RIGHT-TO-LEFT OVERRIDE'."""
    code = f"U+{ord(ch):04X}"
    if ch in _NAMES:
        return T("{character} ({code})", character=_NAMES[ch], code=code)
    name = unicodedata.name(ch, "")
    return f"{code} {name}" if name else T("the control character {code}", code=code)


def escaped(text: str) -> str:
    """``text`` with each refused character written as an escape (\\n, \\x1b, \\u202e), for output a terminal shows."""
    if text.isprintable():
        return text
    return _REFUSED.sub(lambda found: repr(found.group())[1:-1], text)


def guarded(field: model.Field, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """``parse`` for one field's cells, refusing a refused character first when the field is the id or a personal detail."""
    if field.name not in CHECKED:
        return parse

    def read(text: str) -> Any:
        at = refused_character(text)
        if at is not None:
            raise CellError(M(
                "D0410",
                "{text} holds {character} at character {at}; an id or a name may not hold control characters, line separators or bidirectional controls",
                text=repr(text), character=describe(text[at]), at=at + 1,
            ))
        return parse(text)

    return read
