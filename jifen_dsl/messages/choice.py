"""Which language the tool speaks: the one asked for, else the policy's, else English.

The order, first that applies:

1. ``--lang zh|en`` on the command line (:func:`prefer`);
2. the locale variables that choose a language for messages, in the order GNU
   gettext reads them: ``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, when they name a
   language the tool has (``zh_CN.UTF-8`` is Chinese; ``C`` and ``POSIX`` name none);
3. the language of the policy the command works on (:func:`speak`): a policy written
   with Chinese keywords gets Chinese messages;
4. English.

``LANG`` alone is not read: it is a machine's default for everything, set once for
all users, and the policy's own language says more about who reads the messages.

Both choices are context variables, so one thread or request never changes the
language of another.
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar

__all__ = ["LANGUAGES", "language", "prefer", "speak", "spoken", "preferred", "language_of_text"]

LANGUAGES = ("en", "zh")

_preferred: ContextVar[str | None] = ContextVar("jifen_preferred_language", default=None)
_spoken: ContextVar[str | None] = ContextVar("jifen_policy_language", default=None)

_LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES")


def prefer(lang: str | None) -> None:
    """The language asked for explicitly (``--lang``); ``None`` takes the request back."""
    if lang is not None and lang not in LANGUAGES:
        raise ValueError(f"no messages in {lang!r}; the languages are {', '.join(LANGUAGES)}")
    _preferred.set(lang)


def speak(lang: str | None) -> None:
    """The language of the policy being worked on: messages follow it unless one was asked for."""
    _spoken.set(lang if lang in LANGUAGES else None)


def spoken() -> str | None:
    """The language of the policy being worked on, if one is known."""
    return _spoken.get()


def preferred() -> str | None:
    """The language asked for: by ``--lang`` or by the locale variables; ``None`` if neither."""
    asked = _preferred.get()
    if asked is not None:
        return asked
    return _from_locale(os.environ)


def language() -> str:
    """The language messages are shown in now."""
    return preferred() or _spoken.get() or "en"


def _from_locale(environ) -> str | None:
    for variable in _LOCALE_VARIABLES:
        value = environ.get(variable, "")
        # LANGUAGE is a colon-separated list of preferences; the others name one locale.
        for entry in value.split(":") if variable == "LANGUAGE" else [value]:
            code = entry.split(".")[0].split("@")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
            if code in ("c", "posix", ""):
                continue
        if value and variable != "LANGUAGE":
            # A locale naming a language the tool lacks: the next choice decides.
            return None
    return None


_LEADING_NOISE = re.compile(r"(?:\s|#[^\n]*(?:\n|\Z))*")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def language_of_text(text: str) -> str:
    """The surface language of a policy or library text: that of its first keyword.

    Comments and blank lines are skipped; a file whose first word is Chinese (``政策``,
    ``字段``, ``导入`` ...) is Chinese. A bracketed name (``「...」``) or a string is not a
    keyword, but no file starts with one.
    """
    start = _LEADING_NOISE.match(text).end()
    return "zh" if _CJK.match(text, start) else "en"
