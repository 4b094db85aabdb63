"""The types of the policy language and the rules that combine them."""

from __future__ import annotations

import attrs

__all__ = [
    "Type", "TEXT", "INTEGER", "DECIMAL", "BOOL", "DATE", "DATETIME", "DURATION", "WORKDAYS",
    "SCHOOL_LIST", "TEXT_LIST", "CALENDAR", "EVIDENCE", "enum_type", "set_of", "window_of",
    "is_numeric", "is_orderable", "unify",
]


@attrs.frozen
class Type:
    """A value type. Enums carry their canonical members; sets and lists their element type."""

    kind: str
    members: tuple[str, ...] = ()
    element: "Type | None" = None
    aliases: tuple[tuple[str, str], ...] = ()  # (alias, canonical member), enums only
    field: str | None = None  # the field an enum was declared on, for messages

    def __str__(self) -> str:
        if self.kind == "enum":
            return f"enum ({', '.join(self.members)})"
        if self.kind == "set":
            return f"set of {self.element}"
        if self.kind == "window":
            return "phase" if self.element is None else f"phase ({self.element}s)"
        return _NAMES.get(self.kind, self.kind)

    def canonical(self, value: str) -> str | None:
        """The enum member a literal names, by value or alias; None when it names none."""
        if value in self.members:
            return value
        for alias, member in self.aliases:
            if alias == value:
                return member
        return None


_NAMES = {
    "text": "text",
    "integer": "integer",
    "decimal": "decimal",
    "bool": "bool",
    "date": "date",
    "datetime": "date and time",
    "duration": "duration",
    "workdays": "number of working days",
    "calendar": "working-day calendar",
    "evidence": "list of evidence",
    "school_list": "list of schools",
    "text_list": "list of text",
    "error": "<error>",
}

TEXT = Type("text")
INTEGER = Type("integer")
DECIMAL = Type("decimal")
BOOL = Type("bool")
DATE = Type("date")
DATETIME = Type("datetime")
DURATION = Type("duration")
WORKDAYS = Type("workdays")  # 35 workdays: not a fixed length of time, so not a duration
CALENDAR = Type("calendar")  # the policy's working-day calendar, an argument the checker supplies
EVIDENCE = Type("evidence")  # one applicant's evidence items of one indicator
SCHOOL_LIST = Type("school_list", element=TEXT)
TEXT_LIST = Type("text_list", element=TEXT)
ERROR = Type("error")  # the type of an expression already reported as wrong; silences follow-on errors


def enum_type(members: tuple[str, ...], aliases: tuple[tuple[str, str], ...], field: str | None) -> Type:
    return Type("enum", members=members, aliases=aliases, field=field)


def set_of(element: Type) -> Type:
    return Type("set", element=element)


def window_of(element: Type) -> Type:
    """The type of a phase whose window is bounded by dates or by dates and times."""
    return Type("window", element=element)


def is_numeric(t: Type) -> bool:
    return t.kind in ("integer", "decimal")


def is_orderable(t: Type) -> bool:
    return t.kind in ("integer", "decimal", "date", "datetime")


def is_textual(t: Type) -> bool:
    return t.kind in ("text", "enum")


def unify(a: Type, b: Type) -> Type | None:
    """The common type of two branches or operands, or None when they have none."""
    if a == b:
        return a
    if a.kind == "error" or b.kind == "error":
        return ERROR
    if is_numeric(a) and is_numeric(b):
        return DECIMAL
    if {a.kind, b.kind} == {"enum", "text"}:
        return TEXT
    return None
