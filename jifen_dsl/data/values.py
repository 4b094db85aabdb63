"""Reading typed values from data cells, and writing them back as text.

One place decides what a cell may say: dates as 2022-08-31, 2022/8/31 or
2022年8月31日; booleans as true/false, 1/0, yes/no, 是/否, √/×; lists of
school ids separated by ';'. The same rules serve every reader.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from decimal import Decimal
from typing import Any, Callable

from jifen_dsl.timeline.dates import Duration
from jifen_dsl.lang.typesys import Type
from jifen_dsl.messages import M, Message, render, series

__all__ = ["parse_cell", "parser_for", "format_value", "PointsText", "CellError", "not_one_of", "not_whole", "required_value", "TRUE_WORDS", "FALSE_WORDS"]

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "是", "√", "✓", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "否", "×", "✗", "f"})

# A date may carry a time of exactly midnight, as spreadsheet and pandas exports
# write date columns (2016-03-01 00:00:00): nothing is lost by reading the date.
_MIDNIGHT = r"(?:[T ]00:00(?::00)?)?"
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})" + _MIDNIGHT)
_SLASH_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})" + _MIDNIGHT)
_ZH_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATETIME = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?")
_ZH_DATETIME = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_LIST_SPLIT = re.compile(r"[;；]")


class CellError(ValueError):
    """A cell that does not hold a value of the expected type; its message (:attr:`message`, a lazy message) says what was expected."""

    def __init__(self, message: Message):
        super().__init__(message)

    @property
    def message(self) -> Message:
        return self.args[0]

    def __str__(self) -> str:
        return render(self.args[0])


def _date(text: str) -> _dt.date:
    for pattern in (_ISO_DATE, _SLASH_DATE, _ZH_DATE):
        match = pattern.fullmatch(text)
        if match:
            try:
                return _dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                raise CellError(M("D0401", "{text} is not a calendar date", text=repr(text))) from None
    raise CellError(M("D0402", "{text} is not a date (expected e.g. 2016-08-31, 2016/8/31 or 2016年8月31日)", text=repr(text)))


def _datetime(text: str) -> _dt.datetime:
    for pattern in (_DATETIME, _ZH_DATETIME):
        match = pattern.fullmatch(text)
        if match:
            y, mo, d, h, mi, s = match.groups()
            try:
                return _dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
            except ValueError:
                raise CellError(M("D0403", "{text} is not a valid date and time", text=repr(text))) from None
    raise CellError(M("D0404", "{text} is not a date and time (expected YYYY-MM-DD HH:MM, e.g. 2022-04-25 09:30)", text=repr(text)))


def not_one_of(text: str, listed) -> Message:
    """A cell that names none of the values a column may hold (``listed``: the spellings, as :func:`~jifen_dsl.messages.series`)."""
    return M("D0405", "{text} is not one of {listed}", text=repr(text), listed=listed)


def required_value() -> Message:
    """An empty cell of a column that must hold a value."""
    return M("D0420", "empty, but a value is required")


def not_whole(text: str) -> Message:
    """A cell that is not a whole number."""
    return M("D0406", "{text} is not a whole number", text=repr(text))


def parse_cell(text: str, type_: Type) -> Any:
    """The value of a non-empty, stripped cell; raise CellError saying what was expected."""
    return parser_for(type_)(text)


@functools.lru_cache(maxsize=None)
def parser_for(type_: Type) -> Callable[[str], Any]:
    """A function reading cells of one type, made once per type: the reader calls it per cell."""
    kind = type_.kind
    if kind == "text":
        return str
    if kind == "enum":
        spellings = {member: member for member in type_.members}
        spellings.update(dict(type_.aliases))
        listed = series(list(type_.members) + [a for a, _ in type_.aliases])

        def enum(text: str) -> str:
            try:
                return spellings[text]
            except KeyError:
                raise CellError(not_one_of(text, listed)) from None

        return enum
    if kind == "integer":

        def integer(text: str) -> int:
            if not _INTEGER.fullmatch(text):
                raise CellError(not_whole(text))
            return int(text)

        return integer
    if kind == "decimal":

        def decimal(text: str) -> Decimal:
            if not _DECIMAL.fullmatch(text):
                raise CellError(M("D0407", "{text} is not a number", text=repr(text)))
            return Decimal(text)

        return decimal
    if kind == "bool":
        words = {**{w: True for w in TRUE_WORDS}, **{w: False for w in FALSE_WORDS}}

        def boolean(text: str) -> bool:
            try:
                return words[text.lower()]
            except KeyError:
                raise CellError(M("D0408", "{text} is not a yes/no value (expected true/false, 1/0, yes/no, 是/否 or √/×)", text=repr(text))) from None

        return boolean
    if kind == "date":

        def date(text: str) -> _dt.date:
            if len(text) == 10 and text[4] == "-" and text[7] == "-" and text[:4].isdigit():
                try:
                    return _dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))  # the common form, fast
                except ValueError:
                    pass
            return _date(text)

        return date
    if kind == "datetime":
        return _datetime
    if kind in ("school_list", "text_list"):

        def items(text: str) -> tuple[str, ...]:
            if ";" not in text and "；" not in text:
                return (text,)
            return tuple(item for item in (part.strip() for part in _LIST_SPLIT.split(text)) if item)

        return items
    raise CellError(M("D0409", "cannot read a value of type {type}", type=str(type_)))  # pragma: no cover


def format_value(value: Any) -> str:
    """A value as a user reads it: ISO dates, exact decimals, yes/no as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.datetime):
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Duration):
        return str(value)
    if isinstance(value, (tuple, list)):
        return ";".join(format_value(v) for v in value)
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(format_value(v) for v in value)) + "}"
    return str(value)


class PointsText:
    """``format_value`` for the points of many applicants, each distinct object formatted once.

    Applicants share their points objects (equal cells are read once), so a few
    hundred objects stand for a million applicants. The cache is by object, not by
    value: 85.5 and 85.50 are equal but written differently. It holds the objects
    it has seen, so no other object can take one's identity, and stops growing at
    ``limit``.
    """

    __slots__ = ("seen", "limit")

    def __init__(self, limit: int = 1 << 12):
        self.seen: dict[int, tuple[Any, str]] = {}
        self.limit = limit

    def __call__(self, value: Any) -> str:
        found = self.seen.get(id(value))
        if found is not None:
            return found[1]
        text = format_value(value)
        if len(self.seen) < self.limit:
            self.seen[id(value)] = (value, text)
        return text
