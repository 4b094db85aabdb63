"""The words the season shows people: stage names, statuses, rounds, school types.

Each is a lazy message (:mod:`jifen_dsl.messages`), put into words when shown, in
the language chosen then: the season's policy language unless ``jifen --lang``
asks for another. What the season stores and exports - the status column of the
database, of ``season export`` and of the outcome rows - keeps the keys
(``not_qualified``, ``gave_up``, ...); only what people read is translated.
"""

from __future__ import annotations

from typing import Any, Iterable

import attrs

from jifen_dsl.messages import Message, T, preferred, render, spoken

__all__ = ["STATUSES", "status_word", "stage_name", "round_name", "school_type", "Joined", "semicolons", "Rendered", "in_either_language"]

# The statuses as the season stores them, in the order the report lists them.
STATUSES = ("ineligible", "not_qualified", "qualified", "gave_up", "admitted", "confirmed", "declined", "registered", "unplaced")

_STATUS_WORDS = {
    "ineligible": T("ineligible"),
    "not_qualified": T("not qualified"),
    "qualified": T("qualified"),
    "gave_up": T("gave up"),
    "admitted": T("admitted"),
    "confirmed": T("confirmed"),
    "declined": T("declined"),
    "registered": T("registered"),
    "unplaced": T("unplaced"),
}

_STAGE_NAMES = {
    "init": T("init"),
    "import": T("import"),
    "qualify": T("qualify"),
    "correct": T("correct"),
    "choices": T("choices"),
    "allocate": T("allocate"),
    "confirm": T("confirm"),
    "clearing": T("clearing"),
    "register": T("register"),
    "publish": T("publish"),
}

_ROUNDS = {"coordinated": T("coordinated placement"), "clearing": T("clearing")}

_SCHOOL_TYPES = {"private": T("private"), "public": T("public")}


def status_word(status: str) -> Message | str:
    """A stored status (``not_qualified``) as people read it (``not qualified`` / ``未获资格``)."""
    return _STATUS_WORDS.get(status, status)


def stage_name(stage: str) -> Message | str:
    """A stage (``allocate``) as people read it (``allocate`` / ``电脑派位``)."""
    return _STAGE_NAMES.get(stage, stage)


def round_name(round_: str | None) -> Message | str:
    """The round that placed an applicant (``choice:2``, ``coordinated``, ``clearing``) as people read it."""
    if round_ and round_.startswith("choice:"):
        return T("choice {n}", n=round_.split(":", 1)[1])
    return _ROUNDS.get(round_ or "", round_ or "-")


def school_type(kind: str) -> Message | str:
    """``private`` / ``民办``, ``public`` / ``公办``."""
    return _SCHOOL_TYPES.get(kind, kind)


@attrs.frozen
class Joined:
    """Items joined by a separator (a message, or text the same in every language), put into words when shown."""

    items: tuple[Any, ...]
    separator: Any = ", "
    renders_in_language = True  # jifen_dsl.messages renders it in the language of the message it is inside

    @classmethod
    def of(cls, items: Iterable[Any], separator: Any = ", ") -> "Joined":
        return cls(tuple(items), separator)

    def render(self, lang: str | None = None) -> str:
        return render(self.separator, lang).join(render(item, lang) for item in self.items)

    def __str__(self) -> str:
        return self.render()


def semicolons(items: Iterable[Any]) -> Joined:
    """Items one after another, with ``; `` between them (``；`` in Chinese)."""
    return Joined(tuple(items), T("; "))


@attrs.frozen(eq=False)
class Rendered:
    """A project error as its own rendering, put into words when shown (a value inside another message)."""

    error: Any

    def __str__(self) -> str:
        return self.error.render()


@attrs.frozen
class _EitherLanguage:
    message: Message

    def __str__(self) -> str:
        if preferred() is not None or spoken() is not None:
            return self.message.render()
        return self.message.render("en") + "\n" + self.message.render("zh")


def in_either_language(message: Message) -> Any:
    """``message`` in the language chosen, or - no language asked for and no policy known - in English and Chinese."""
    return _EitherLanguage(message)
