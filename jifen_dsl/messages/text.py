"""Lazy messages: a template in English, its code and its values, put into words when shown.

A :class:`Message` holds the English template (the gettext ``msgid``), the stable code
of a diagnostic (the gettext context; ``None`` for ordinary text) and the values for
its ``{placeholders}``. :meth:`Message.render` looks the template up in the chosen
language's catalog and fills it in; a value that is itself a message (a word, a list of
names) is rendered in the same language. Messages are frozen and picklable, so a
checked policy keeps its warnings in the cache and shows them later in any language.
"""

from __future__ import annotations

import string
from typing import Any, Iterable

import attrs

from jifen_dsl.messages import catalogs
from jifen_dsl.messages.choice import language

__all__ = ["Message", "M", "T", "N", "alternatives", "listing", "series", "quoted", "render"]

_FIELDS = string.Formatter()


@attrs.frozen
class Message:
    """A message not yet put into words: see the module's description."""

    text: str
    code: str | None = None
    args: tuple[tuple[str, Any], ...] = ()
    plural: str | None = None  # the English plural template, for a message that counts
    count: int = 0

    def render(self, lang: str | None = None) -> str:
        lang = lang or language()
        translations = catalogs.translation(lang)
        if self.plural is not None:
            template = translations.npgettext(self.code, self.text, self.plural, self.count) if self.code else translations.ngettext(self.text, self.plural, self.count)
        elif self.code:
            template = translations.pgettext(self.code, self.text)
        else:
            template = translations.gettext(self.text)
        values = {name: (render(value, lang) if _is_message(value) else value) for name, value in self.args}
        return _fill(template, values)

    def __str__(self) -> str:
        return self.render()

    def with_args(self, **values: Any) -> "Message":
        return attrs.evolve(self, args=self.args + tuple(values.items()))


def render(value: Any, lang: str | None = None) -> str:
    """Any value as text: a message in ``lang``, anything else with :func:`str`."""
    if _is_message(value):
        return value.render(lang)
    return str(value)


def _is_message(value: Any) -> bool:
    """A message, or any value that puts itself into words in a language (``render(lang)``)."""
    return isinstance(value, (Message, _Joined, _Quoted)) or getattr(value, "renders_in_language", False)


def _fill(template: str, values: dict[str, Any]) -> str:
    """Fill ``{name}`` placeholders only: no attribute access, no indexing, no format specs run on code."""
    out: list[str] = []
    for literal, field, spec, conversion in _FIELDS.parse(template):
        out.append(literal)
        if field is None:
            continue
        if field not in values:
            # A translation naming a value the message does not have: show the slot,
            # never fail (the catalog test reports such a translation).
            out.append("{" + field + "}")
            continue
        out.append(format(values[field], spec) if spec else str(values[field]))
    return "".join(out)


def M(code: str, text: str, /, **values: Any) -> Message:
    """A diagnostic: ``code`` is its stable code (``docs/messages.md``), ``text`` its English."""
    return Message(text, code, tuple(values.items()))


def T(text: str, /, **values: Any) -> Message:
    """Ordinary text to be shown in the chosen language."""
    return Message(text, None, tuple(values.items()))


def N(singular: str, plural: str, count: int, /, **values: Any) -> Message:
    """A message that counts; ``{count}`` is filled in with ``count``."""
    return Message(singular, None, (("count", count),) + tuple(values.items()), plural, count)


@attrs.frozen
class _Quoted:
    """A name quoted as the language quotes it: 'name' in English, 「name」 in Chinese."""

    name: str

    def render(self, lang: str | None = None) -> str:
        return f"「{self.name}」" if (lang or language()) == "zh" else repr(self.name)

    def __str__(self) -> str:
        return self.render()


@attrs.frozen
class _Joined:
    items: tuple[Any, ...]
    last_word: Message  # "{rest} or {last}" in the chosen language

    def render(self, lang: str | None = None) -> str:
        lang = lang or language()
        texts = [render(item, lang) for item in self.items]
        if len(texts) < 2:
            return "".join(texts)
        separator = "、" if lang == "zh" else ", "
        return self.last_word.with_args(rest=separator.join(texts[:-1]), last=texts[-1]).render(lang)

    def __str__(self) -> str:
        return self.render()


def quoted(name: str) -> _Quoted:
    return _Quoted(name)


def alternatives(items: Iterable[Any], *, quote: bool = True) -> _Joined:
    """``'a', 'b' or 'c'`` / ``「a」、「b」或「c」``."""
    return _Joined(tuple(quoted(i) if quote else i for i in items), T("{rest} or {last}"))


def listing(items: Iterable[Any], *, quote: bool = True) -> _Joined:
    """``'a', 'b' and 'c'`` / ``「a」、「b」和「c」``."""
    return _Joined(tuple(quoted(i) if quote else i for i in items), T("{rest} and {last}"))


def series(items: Iterable[Any], *, quote: bool = False) -> _Joined:
    """``a, b, c`` / ``a、b、c``: items one after another, with no last word."""
    return _Joined(tuple(quoted(i) if quote else i for i in items), T("{rest}, {last}"))
