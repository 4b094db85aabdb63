"""Text cells to typed columns in bulk: the common spellings of each type, read by polars string operations.

Each cast takes a column of cells exactly as read (not stripped) and gives the
typed column and a mask ``ok``. Where ``ok`` is true the value is the one
:func:`jifen_dsl.data.values.parser_for` gives for the cell: every cast accepts
a subset of what the scalar parser accepts - ASCII digits, no surrounding
whitespace, the spellings written out below - and reads it the same way.
Where ``ok`` is false (an empty cell, surrounding whitespace, a full-width
digit, a date that is not in the calendar, a word that is no spelling at all)
the caller asks the scalar parser, which reads the cell or says what is wrong
with it, in the words it always has. So nothing is accepted here that the
scalar reader would refuse, and no message is ever made here.

The dtypes are :mod:`jifen_dsl.lang.columns`'s: a decimal keeps the scale it is
written with (``85.50`` is ``{c: 8550, e: -2}``), as ``Decimal(text)`` does.
"""

from __future__ import annotations

import itertools
from typing import Callable

import polars as pl

from jifen_dsl.data.values import FALSE_WORDS, TRUE_WORDS
from jifen_dsl.lang import columns
from jifen_dsl.lang.typesys import Type

__all__ = ["WHITESPACE", "EDGE_SPACE", "ONLY_SPACE", "REFUSED", "cast", "spellings"]

# The characters str.strip() removes and str.isspace() holds true for: the cells are stripped with these.
# Written out (a test compares it with Python's own list): finding them takes a third of a second.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _class(chars: str) -> str:
    """A regular-expression class of exactly these characters (polars' regular expressions)."""
    return "[" + "".join(f"\\x{{{ord(c):x}}}" for c in chars) + "]"


_SPACE = _class(WHITESPACE)
EDGE_SPACE = f"^{_SPACE}|{_SPACE}$"  # a cell that str.strip() would change
ONLY_SPACE = f"^{_SPACE}*$"  # a cell that is blank once stripped
# The characters an id or a personal detail may not hold (jifen_dsl.data.identity), as a class.
REFUSED = r"[\x{0}-\x{1f}\x{7f}-\x{9f}\x{2028}\x{2029}\x{61c}\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}]"

_INTEGER = r"^[+-]?[0-9]+$"
_DECIMAL = r"^([+-]?)([0-9]*)(?:\.([0-9]*))?$"
_DECIMAL_DIGITS = 38  # an Int128 coefficient holds every number of this many digits
_MIDNIGHT = r"(?:[T ]00:00(?::00)?)?"
_DATE = (
    r"^([0-9]{4})(?:-([0-9]{1,2})-([0-9]{1,2})" + _MIDNIGHT + r"|/([0-9]{1,2})/([0-9]{1,2})" + _MIDNIGHT
    + r"|年([0-9]{1,2})月([0-9]{1,2})日)$"
)
_ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATETIME = r"^([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?$"
_ZH_DATETIME = r"^([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日 *([0-9]{1,2})[:：]([0-9]{2})(?:[:：]([0-9]{2}))?$"


def cast(text: pl.Series, type_: Type, *, checked: bool = False) -> tuple[pl.Series, pl.Series]:
    """The typed column of ``text`` and where it was read (``ok``); ``checked``: the cells of an id or a name.

    A null cell is never ``ok``: the caller decides what an empty cell gives.
    """
    kind = type_.kind
    text = text.cast(pl.String)
    if kind == "text":
        found, ok = _text(text, checked)
    else:
        found, ok = _CASTS[kind](text, type_)
    ok = ok.fill_null(False).alias("ok")
    return found.cast(columns.dtype(type_)).alias(text.name), ok


def _text(text: pl.Series, checked: bool) -> tuple[pl.Series, pl.Series]:
    odd = text.str.contains(f"{EDGE_SPACE}|{REFUSED}" if checked else EDGE_SPACE)
    return text, (text.str.len_bytes() > 0) & ~odd


def spellings(type_: Type) -> dict[str, str]:
    """Each way a cell may name a member of an enum (members, then aliases), as the scalar parser reads them."""
    found = {member: member for member in type_.members}
    found.update(dict(type_.aliases))
    # A spelling a stripped cell can never be is left to the scalar parser, which refuses it.
    return {k: v for k, v in found.items() if k and k == k.strip()}


def _enum(text: pl.Series, type_: Type) -> tuple[pl.Series, pl.Series]:
    return _lookup(text, spellings(type_), pl.String)


def _lookup(text: pl.Series, table: dict, dtype) -> tuple[pl.Series, pl.Series]:
    if not table:
        values = pl.Series(text.name, [None] * len(text), dtype=dtype)
        return values, pl.Series([False] * len(text))
    values = text.replace_strict(list(table), list(table.values()), default=None, return_dtype=dtype)
    return values, values.is_not_null()


def _case_variants(word: str) -> list[str]:
    if not word.isascii():
        return [word]
    return ["".join(letters) for letters in itertools.product(*({c.lower(), c.upper()} for c in word))]


_BOOL_WORDS = {
    variant: value
    for words, value in ((TRUE_WORDS, True), (FALSE_WORDS, False))
    for word in sorted(words)
    for variant in _case_variants(word)
}


def _bool(text: pl.Series, type_: Type) -> tuple[pl.Series, pl.Series]:
    return _lookup(text, _BOOL_WORDS, pl.Boolean)


def _integer(text: pl.Series, type_: Type) -> tuple[pl.Series, pl.Series]:
    # Int64 holds what fits; a longer number is the scalar parser's (and the caller's) to refuse.
    shaped = text.str.contains(_INTEGER)
    values = pl.select(pl.when(shaped).then(text.cast(pl.Int64, strict=False))).to_series()
    return values, values.is_not_null()


def _decimal(text: pl.Series, type_: Type) -> tuple[pl.Series, pl.Series]:
    parts = text.str.extract_groups(_DECIMAL).struct.unnest()
    sign, whole, fraction = (parts.to_series(i) for i in range(3))
    fraction = fraction.fill_null("")
    digits = whole + fraction
    ok = digits.is_not_null() & (digits.str.len_bytes() > 0) & (digits.str.len_bytes() <= _DECIMAL_DIGITS)
    frame = pl.DataFrame({"ok": ok, "sign": sign, "digits": digits, "fraction": fraction})
    values = frame.select(
        pl.when(pl.col("ok")).then(
            pl.struct(
                c=pl.col("digits").cast(pl.Int128, strict=False) * pl.when(pl.col("sign") == "-").then(-1).otherwise(1).cast(pl.Int128),
                e=-pl.col("fraction").str.len_bytes().cast(pl.Int32),
            )
        )
    ).to_series()
    return values, ok


def _days_in_month(year: pl.Expr, month: pl.Expr) -> pl.Expr:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return (
        pl.when(month == 2).then(pl.when(leap).then(29).otherwise(28))
        .when(month.is_in([4, 6, 9, 11])).then(30)
        .otherwise(31)
    )


def _calendar(y: pl.Expr, m: pl.Expr, d: pl.Expr) -> pl.Expr:
    """Whether year, month and day name a day Python's date can hold."""
    return (y >= 1) & (m >= 1) & (m <= 12) & (d >= 1) & (d <= _days_in_month(y, m))


def _groups(text: pl.Series, pattern: str, prefix: str) -> pl.DataFrame:
    """The groups of ``pattern`` in each cell, as Int32 columns named ``prefix0``, ``prefix1`` ... (null: no match)."""
    parts = text.str.extract_groups(pattern).struct.unnest()
    return pl.DataFrame([parts.to_series(i).cast(pl.Int32, strict=False).alias(f"{prefix}{i}") for i in range(parts.width)])


def _date(text: pl.Series, type_: Type) -> tuple[pl.Series, pl.Series]:
    iso = text.str.contains(_ISO_DATE)
    if iso.all():  # the common file: every cell written 2016-08-31
        return _iso_dates(text)
    g = [pl.col(f"g{i}") for i in range(7)]
    frame = _groups(text, _DATE, "g").select(y=g[0], m=pl.coalesce(g[1], g[3], g[5]), d=pl.coalesce(g[2], g[4], g[6]))
    valid = _calendar(pl.col("y"), pl.col("m"), pl.col("d"))
    values = frame.select(
        pl.date(pl.when(valid).then(pl.col("y")), pl.when(valid).then(pl.col("m")), pl.when(valid).then(pl.col("d")))
    ).to_series()
    return values, values.is_not_null()


def _iso_dates(text: pl.Series) -> tuple[pl.Series, pl.Series]:
    parsed = text.str.to_date("%Y-%m-%d", strict=False)
    values = pl.select(pl.when(parsed.dt.year() >= 1).then(parsed)).to_series()  # the year 0000 is no date to Python
    return values, values.is_not_null()


def _datetime(text: pl.Series, type_: Type) -> tuple[pl.Series, pl.Series]:
    both = pl.concat([_groups(text, _DATETIME, "a"), _groups(text, _ZH_DATETIME, "b")], how="horizontal")
    y, m, d, h, mi, s = (pl.coalesce(pl.col(f"a{i}"), pl.col(f"b{i}")) for i in range(6))
    # A time written without seconds has none; a cell that matched neither pattern stays null.
    s = pl.when(y.is_not_null()).then(s.fill_null(0))
    valid = _calendar(y, m, d) & (h <= 23) & (mi <= 59) & (s <= 59)
    values = both.select(pl.datetime(*(pl.when(valid).then(part) for part in (y, m, d, h, mi, s)), time_unit="us")).to_series()
    return values, values.is_not_null()


# A list cell that splits at ';' alone into items needing no stripping and none empty.
_PLAIN_ITEMS = f"{_SPACE}|；|;;|^;|;$"


def _items(text: pl.Series, type_: Type) -> tuple[pl.Series, pl.Series]:
    # Split at ';' and '；', each item stripped, empty ones dropped: for a cell with no
    # separator this is the stripped cell alone, as the scalar parser reads it.
    if not text.str.contains(_PLAIN_ITEMS).any():  # the usual file: a plain split reads every cell the same
        # No cell holds a space: only an empty one is blank, without a second look at every cell.
        return text.str.split(";"), text.str.len_bytes() > 0
    ok = ~text.str.contains(ONLY_SPACE)
    values = (
        text.str.replace_all("；", ";", literal=True)
        .str.split(";")
        .list.eval(pl.element().str.strip_chars(WHITESPACE))
        .list.eval(pl.element().filter(pl.element() != ""))
    )
    return values, ok


_CASTS: dict[str, Callable[[pl.Series, Type], tuple[pl.Series, pl.Series]]] = {
    "enum": _enum,
    "bool": _bool,
    "integer": _integer,
    "decimal": _decimal,
    "date": _date,
    "datetime": _datetime,
    "school_list": _items,
    "text_list": _items,
}
