"""Reading typed values from data cells, and writing them back as text.

One place decides what a cell may say: dates as 2022-08-31, 2022/8/31 or
2022年8月31日; booleans as true/false, 1/0, yes/no, 是/否, √/×; lists of
school ids separated by ';'. The same rules serve every reader.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from .dates import Duration
from .typesys import Type

__all__ = ["parse_cell", "format_value", "CellError", "TRUE_WORDS", "FALSE_WORDS"]

TRUE_WORDS = frozenset({"true", "1", "yes", "y", "是", "√", "✓", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "否", "×", "✗", "f"})

_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_SLASH_DATE = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_ZH_DATE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATETIME = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?")
_ZH_DATETIME = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?")
_INTEGER = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_LIST_SPLIT = re.compile(r"[;；]")


class CellError(ValueError):
    """A cell that does not hold a value of the expected type; the message says what was expected."""


def _date(text: str) -> _dt.date:
    for pattern in (_ISO_DATE, _SLASH_DATE, _ZH_DATE):
        match = pattern.fullmatch(text)
        if match:
            try:
                return _dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                raise CellError(f"{text!r} is not a calendar date") from None
    raise CellError(f"{text!r} is not a date (expected YYYY-MM-DD, e.g. 2016-08-31)")


def _datetime(text: str) -> _dt.datetime:
    for pattern in (_DATETIME, _ZH_DATETIME):
        match = pattern.fullmatch(text)
        if match:
            y, mo, d, h, mi, s = match.groups()
            try:
                return _dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
            except ValueError:
                raise CellError(f"{text!r} is not a valid date and time") from None
    raise CellError(f"{text!r} is not a date and time (expected YYYY-MM-DD HH:MM, e.g. 2022-04-25 09:30)")


def parse_cell(text: str, type_: Type) -> Any:
    """The value of a non-empty, stripped cell; raise CellError saying what was expected."""
    kind = type_.kind
    if kind == "text":
        return text
    if kind == "enum":
        member = type_.canonical(text)
        if member is None:
            spellings = list(type_.members) + [a for a, _ in type_.aliases]
            raise CellError(f"{text!r} is not one of {', '.join(spellings)}")
        return member
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            raise CellError(f"{text!r} is not a whole number")
        return int(text)
    if kind == "decimal":
        if not _DECIMAL.fullmatch(text):
            raise CellError(f"{text!r} is not a number")
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only valid numbers
            raise CellError(f"{text!r} is not a number") from None
    if kind == "bool":
        lowered = text.lower()
        if lowered in TRUE_WORDS:
            return True
        if lowered in FALSE_WORDS:
            return False
        raise CellError(f"{text!r} is not a yes/no value (expected true/false, 1/0, yes/no, 是/否)")
    if kind == "date":
        return _date(text)
    if kind == "datetime":
        return _datetime(text)
    if kind in ("school_list", "text_list"):
        items = tuple(item.strip() for item in _LIST_SPLIT.split(text))
        return tuple(item for item in items if item)
    raise CellError(f"cannot read a value of type {type_}")  # pragma: no cover


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
