"""What the tool says, in the policy's language: lazy messages, their catalogs and the choice of language.

A message is made where the problem is found and put into words only when it is
shown, in the language chosen then (:func:`language`): so a problem found while
reading a file, before anyone knows which policy it is for, is still told in that
policy's language.

- :func:`M` makes a *coded* message: a diagnostic with its stable code (``C0201``),
  listed in ``docs/messages.md``; the code is the gettext context, so a hint may
  share its error's code.
- :func:`T` makes an ordinary message (a CLI line, a word), and :func:`N` one that
  counts (``1 error`` / ``2 errors``).
- :func:`alternatives` and :func:`listing` join names as each language does.

English is written in the code (the gettext ``msgid``); every other language lives
in ``jifen_dsl/messages/locale/<lang>/LC_MESSAGES/jifen.po``, which a translator edits.
"""

from jifen_dsl.messages.text import Message, M, T, N, alternatives, listing, series, quoted, render
from jifen_dsl.messages.choice import (
    LANGUAGES,
    language,
    prefer,
    speak,
    spoken,
    preferred,
    language_of_text,
)

__all__ = [
    "Message",
    "M",
    "T",
    "N",
    "alternatives",
    "listing",
    "series",
    "quoted",
    "render",
    "LANGUAGES",
    "language",
    "prefer",
    "speak",
    "spoken",
    "preferred",
    "language_of_text",
]
