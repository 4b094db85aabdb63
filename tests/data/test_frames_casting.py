"""The bulk casts agree with the scalar parser: a cell the cast reads has the scalar parser's value, and every cell types as it does.

For random cells of each type - written the usual ways, written nearly so, and
any text at all - ``casting.cast`` may leave a cell (``ok`` false) but never
reads one otherwise than ``values.parser_for``; and ``fields.typed_cells``,
which asks the scalar parser for what the cast leaves, gives each cell the
scalar reader's value, or refuses it with the scalar reader's message.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl.data.frames.casting import EDGE_SPACE, ONLY_SPACE, REFUSED, WHITESPACE, cast
from jifen_dsl.data.frames.fields import typed_cells
from jifen_dsl.data.identity import guarded, refused_character
from jifen_dsl.data.values import CellError, parser_for
from jifen_dsl.messages import render
from jifen_dsl.lang import columns, model
from jifen_dsl.lang.typesys import BOOL, DATE, DATETIME, DECIMAL, INTEGER, SCHOOL_LIST, TEXT, TEXT_LIST, enum_type

GRADE = enum_type(("G1", "G7"), (("小学一年级", "G1"), ("初中一年级", "G7")), "grade")
STATUS = enum_type(("verified", "disputed"), (("已核定", "verified"),), "points_status")
TYPES = {"text": TEXT, "enum": GRADE, "integer": INTEGER, "decimal": DECIMAL, "bool": BOOL, "date": DATE, "datetime": DATETIME, "school_list": SCHOOL_LIST, "text_list": TEXT_LIST}

_SPACE = st.sampled_from(["", " ", "\t", "\u3000", "\xa0", "\x1c", "\u2028"])
_DIGITS = st.sampled_from("0123456789")
_ODD = st.sampled_from(["１", "٣", "+", "-", ".", "e", "_", ",", "：", ":", "/", "-", "年", "月", "日", "T", " ", "0", "9", "\u200b"])


def _number(min_digits=1, max_digits=4):
    return st.text(_DIGITS, min_size=min_digits, max_size=max_digits)


@st.composite
def _dates(draw) -> str:
    y, m, d = draw(_number(4, 4)), draw(_number(1, 2)), draw(_number(1, 2))
    form = draw(st.sampled_from(["{}-{}-{}", "{}/{}/{}", "{}年{}月{}日", "{}-{}-{} 00:00", "{}/{}/{}T00:00:00", "{}-{}-{} 00:01"]))
    return form.format(y, m, d)


@st.composite
def _datetimes(draw) -> str:
    y, m, d, h, mi, s = (draw(_number(a, b)) for a, b in ((4, 4), (1, 2), (1, 2), (1, 2), (2, 2), (2, 2)))
    form = draw(st.sampled_from(["{}-{}-{} {}:{}", "{}/{}/{}T{}:{}:{}", "{}年{}月{}日 {}:{}", "{}年{}月{}日{}：{}：{}", "{}-{}/{} {}:{}:{}", "{}年{}月{}日  {}:{}"]))
    return form.format(y, m, d, h, mi, s)


@st.composite
def _decimals(draw) -> str:
    sign = draw(st.sampled_from(["", "+", "-"]))
    whole = draw(st.text(_DIGITS, max_size=22))
    point = draw(st.sampled_from(["", "."]))
    fraction = draw(st.text(_DIGITS, max_size=22)) if point else ""
    return sign + whole + point + fraction


@st.composite
def _mangled(draw, base) -> str:
    """A cell written the usual way, then perhaps spoilt: a character replaced or added, or whitespace around it."""
    text = draw(base)
    if draw(st.booleans()) and text:
        at = draw(st.integers(0, len(text) - 1))
        text = text[:at] + draw(_ODD) + text[at + (1 if draw(st.booleans()) else 0):]
    return draw(_SPACE) + text + draw(_SPACE)


_WORDS = st.sampled_from(["true", "false", "TRUE", "Yes", "nO", "y", "N", "T", "f", "1", "0", "是", "否", "√", "×", "✓", "✗", "maybe", "İ", "K", ""])
_ITEMS = st.lists(st.sampled_from(["S1", "S2", " S3 ", "", "学校", "；", ";", "\u3000"]), max_size=5).map(lambda items: "".join(items))
CELLS = {
    "text": st.one_of(st.text(max_size=8), _mangled(st.sampled_from(["A1", "张三", "HZ-01"]))),
    "enum": st.one_of(_mangled(st.sampled_from(["G1", "G7", "小学一年级", "初中一年级", "g1", "G3"])), st.text(max_size=4)),
    "integer": st.one_of(_mangled(st.builds(lambda s, n: s + n, st.sampled_from(["", "+", "-"]), _number(1, 22))), st.text(max_size=5)),
    "decimal": st.one_of(_mangled(_decimals()), st.text(max_size=5)),
    "bool": st.one_of(_mangled(_WORDS), st.text(max_size=3)),
    "date": st.one_of(_mangled(_dates()), st.text(max_size=10)),
    "datetime": st.one_of(_mangled(_datetimes()), st.text(max_size=12)),
    "school_list": st.one_of(_mangled(_ITEMS), st.text(max_size=6)),
    "text_list": st.one_of(_mangled(_ITEMS), st.text(max_size=6)),
}


def _scalar(field: model.Field, cell: str):
    """What the scalar reader makes of a cell: ("value", v) or ("refused", message)."""
    raw = cell.strip()
    if not raw:
        if field.type.kind in ("school_list", "text_list"):
            return ("value", ())
        if field.optional:
            return ("value", field.default)
        return ("refused", "empty, but a value is required")
    try:
        value = guarded(field, parser_for(field.type))(raw)
    except CellError as exc:
        return ("refused", render(exc.message, "en"))
    # What the columns cannot hold (the one rule the scalar reader does not have): Int64, a 38-digit coefficient.
    if field.type.kind == "integer" and not -(2**63) <= value < 2**63:
        return ("refused", f"{raw!r} is out of range for a whole number (-9223372036854775808 to 9223372036854775807)")
    if field.type.kind == "decimal" and abs(columns.decimal_parts(value)["c"]) >= 10**38:
        return ("refused", f"{raw!r} has too many digits (a number may have at most 38)")
    return ("value", value)


def _same(a, b) -> bool:
    """Equal, and a decimal written to the same scale (the column keeps 85.50 as 8550e-2)."""
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return isinstance(a, Decimal) and isinstance(b, Decimal) and columns.decimal_parts(a) == columns.decimal_parts(b)
    return type(a) is type(b) and a == b


def _field(kind: str, name: str = "x", optional: bool = False, default=None) -> model.Field:
    return model.Field(index=0, name=name, label=None, type=TYPES[kind], unique=False, optional=optional, default=default)


@pytest.mark.parametrize("kind", sorted(TYPES))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_cell_the_cast_reads_has_the_scalar_parsers_value(kind, data):
    cells = data.draw(st.lists(CELLS[kind], min_size=1, max_size=40))
    field = _field(kind, name="id" if kind == "text" and data.draw(st.booleans()) else "x")
    values, ok = cast(pl.Series("x", cells, dtype=pl.String), field.type, checked=field.name == "id")
    for cell, value, read in zip(cells, columns.column_values(values, field.type), ok.to_list()):
        if read:
            assert cell.strip() and (cell == cell.strip() or kind in ("school_list", "text_list"))
            outcome = _scalar(field, cell)
            assert outcome[0] == "value" and _same(value, outcome[1]), (cell, value, outcome)


def _assert_typed_as_scalar(field: model.Field, cells: list, values: pl.Series, bad: dict) -> None:
    """Each cell's typed value, or its refusal's message, is the scalar reader's."""
    for index, (cell, value) in enumerate(zip(cells, columns.column_values(values, field.type))):
        outcome = _scalar(field, cell or "")
        if outcome[0] == "refused":
            assert index in bad and render(bad[index], "en") == outcome[1], (cell, bad.get(index), outcome)
        else:
            assert index not in bad and _same(value, outcome[1]), (cell, value, outcome)


@pytest.mark.parametrize("kind", sorted(TYPES))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_cell_types_as_the_scalar_reader_types_it(kind, data):
    cells = data.draw(st.lists(st.one_of(CELLS[kind], st.none()), min_size=1, max_size=40))
    optional = data.draw(st.booleans())
    default = {"bool": False, "decimal": Decimal("0.0"), "integer": 7, "text": "?", "date": dt.date(2000, 1, 1)}.get(kind) if optional and data.draw(st.booleans()) else None
    name = data.draw(st.sampled_from(["x", "id", "child_name"])) if kind == "text" else "x"
    field = _field(kind, name=name, optional=optional and name != "id", default=default)
    values, bad = typed_cells(pl.Series("x", cells, dtype=pl.String), field)
    _assert_typed_as_scalar(field, cells, values, bad)


@pytest.mark.parametrize("kind", sorted(TYPES))
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_a_column_of_a_few_distinct_cells_types_as_the_scalar_reader_types_it(kind, data):
    # The few distinct cells are guessed from the first ones (here the first len(head)): a later
    # cell none of them holds - another spelling, a bad cell - must still be typed as the scalar reader types it.
    import jifen_dsl.data.frames.fields as fields

    pool = data.draw(st.lists(st.one_of(CELLS[kind], st.none()), min_size=1, max_size=3))
    head = data.draw(st.lists(st.sampled_from(pool), min_size=1, max_size=20))
    tail = data.draw(st.lists(st.one_of(st.sampled_from(pool), CELLS[kind], st.none()), max_size=20))
    cells = head + tail
    optional = data.draw(st.booleans())
    field = _field(kind, optional=optional)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fields, "_SAMPLE", len(head))
        values, bad = typed_cells(pl.Series("x", cells, dtype=pl.String), field)
    _assert_typed_as_scalar(field, cells, values, bad)


def test_a_few_distinct_cells_are_found_by_comparison_only_when_the_first_cells_hold_them_all(monkeypatch):
    import jifen_dsl.data.frames.fields as fields

    monkeypatch.setattr(fields, "_SAMPLE", 3)
    keys, codes = fields._few_keys(pl.Series("x", ["是", None, "否", "否", None, "是"], dtype=pl.String))
    assert keys.to_list() == ["是", "否"] and codes.to_list() == [0, None, 1, 1, None, 0]
    assert fields._few_keys(pl.Series("x", ["是", "否", "是", "否", "√"], dtype=pl.String)) is None  # a cell the first three do not hold
    assert fields._few_keys(pl.Series("x", [None, None, None, "是"], dtype=pl.String)) is None  # nothing to guess from
    monkeypatch.setattr(fields, "_FEW_KEYS", 1)
    assert fields._few_keys(pl.Series("x", ["是", "否", "是"], dtype=pl.String)) is None  # more than a few


COMMON = {
    "date": ["2016-08-31", "2016/8/31", "2016年8月31日", "2016-03-01 00:00", "2016-03-01T00:00:00"],
    "datetime": ["2022-04-26 10:30", "2022/4/26 9:05:07", "2022年4月26日 10:30", "2022年4月26日10：30：01"],
    "decimal": ["85.5", "85.50", "-3", "+.5", "5.", "0001.10"],
    "integer": ["2022", "+7", "-0", "007"],
    "bool": ["true", "FALSE", "Yes", "n", "1", "0", "是", "否", "√", "×"],
    "enum": ["G1", "小学一年级"],
    "school_list": ["S1", "S1;S2", "S1；S2; ;S3", ";"],
    "text": ["A1", "张三"],
}


@pytest.mark.parametrize("kind", sorted(COMMON))
def test_the_common_spellings_are_read_in_bulk(kind):
    cells = COMMON[kind]
    values, ok = cast(pl.Series("x", cells, dtype=pl.String), TYPES[kind])
    assert ok.all()
    expected = [parser_for(TYPES[kind])(cell) for cell in cells]
    assert all(_same(a, b) for a, b in zip(columns.column_values(values, TYPES[kind]), expected))


def test_a_decimal_keeps_the_scale_it_is_written_with():
    values, _ = cast(pl.Series("x", ["85.5", "85.50", "0.00", "-0.5"]), DECIMAL)
    assert values.to_list() == [{"c": 855, "e": -1}, {"c": 8550, "e": -2}, {"c": 0, "e": -2}, {"c": -5, "e": -1}]


def test_an_enum_alias_reads_as_its_member():
    values, ok = cast(pl.Series("x", ["已核定", "verified", "disputed", "异议中"]), STATUS)
    assert values.to_list() == ["verified", "verified", "disputed", None] and ok.to_list() == [True, True, True, False]


def test_the_whitespace_is_what_str_strip_removes():
    assert set(WHITESPACE) == {chr(c) for c in range(0x110000) if chr(c).isspace()}
    every = pl.Series([chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000])
    edge = every.str.contains(EDGE_SPACE).to_list()
    blank = every.str.contains(ONLY_SPACE).to_list()
    assert [ch for ch, e in zip(every.to_list(), edge) if e] == [ch for ch in every.to_list() if ch.isspace()]
    assert edge == blank


def test_the_refused_characters_are_identitys():
    every = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    found = pl.Series(every).str.contains(REFUSED).to_list()
    assert [ch for ch, hit in zip(every, found) if hit] == [ch for ch in every if refused_character(ch) is not None]


@pytest.mark.parametrize("odd", [None, "S4 ;S5", "S4；S5", "S4;;S5", ";S4", "S4;", "\u3000S4"])
def test_a_list_column_reads_alike_whether_split_plainly_or_with_care(odd):
    # A column of plain cells only is split at ';' alone; one odd cell makes the whole column read with care.
    cells = ["S1", "S1;S2", "S2;S3;S1"] + ([odd] if odd else [])
    values, ok = cast(pl.Series("x", cells, dtype=pl.String), SCHOOL_LIST)
    assert ok.all()
    assert columns.column_values(values, SCHOOL_LIST) == [parser_for(SCHOOL_LIST)(cell.strip()) for cell in cells]  # the reader strips a cell first
    assert columns.column_values(values, SCHOOL_LIST)[:3] == [("S1",), ("S1", "S2"), ("S2", "S3", "S1")]


def test_a_column_whose_cells_are_their_own_values_is_kept_as_read_and_one_with_an_alias_is_not():
    field = model.Field(index=0, name="status", label=None, type=STATUS, unique=False, optional=True, default=None)
    plain = pl.Series("x", ["verified", None, "disputed", "verified"], dtype=pl.String)
    values, bad = typed_cells(plain, field)
    assert not bad and values.to_list() == ["verified", None, "disputed", "verified"]
    aliased = pl.Series("x", ["verified", None, "已核定", "disputed"], dtype=pl.String)
    values, bad = typed_cells(aliased, field)
    assert not bad and values.to_list() == ["verified", None, "verified", "disputed"]
    spaced = pl.Series("x", ["verified", " disputed"], dtype=pl.String)
    values, bad = typed_cells(spaced, _field("text"))
    assert not bad and values.to_list() == ["verified", "disputed"]


@pytest.mark.parametrize(
    ("kind", "cells", "optional", "default", "kept"),
    [
        ("enum", ["G1", "G7", "G1"], False, None, True),
        ("text", ["海珠区", None, "越秀区"], True, None, True),  # an empty cell is nothing, as it was read
        ("enum", ["G1", "小学一年级"], False, None, False),  # an alias is read as its member
        ("text", ["海珠区", None], True, "?", False),  # an empty cell takes the default
        ("text", ["海珠区", None], False, None, False),  # an empty cell is refused
        ("text", ["海珠区", " 越秀区"], False, None, False),  # a cell with a space is stripped
    ],
)
def test_a_text_column_read_as_written_is_kept_as_read(kind, cells, optional, default, kept, monkeypatch):
    # Kept as read: told from the distinct cells, without finding which one each record holds.
    import jifen_dsl.data.frames.fields as fields

    coded = []
    real = fields._distinct
    monkeypatch.setattr(fields, "_distinct", lambda text, *rest: coded.append(text) or real(text, *rest))
    field = _field(kind, optional=optional, default=default)
    text = pl.Series("x", cells, dtype=pl.String)
    values, bad = typed_cells(text, field)
    assert (not coded) == kept
    for index, cell in enumerate(cells):
        outcome = _scalar(field, cell or "")
        if outcome[0] == "refused":
            assert render(bad[index], "en") == outcome[1]
        else:
            assert index not in bad and columns.column_values(values, field.type)[index] == outcome[1]


@pytest.mark.parametrize("kind", ["school_list", "text_list"])
@settings(max_examples=80, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), st.text(max_size=12), CELLS["school_list"]), min_size=1, max_size=30), optional=st.booleans())
def test_a_list_cell_is_never_refused_so_an_unread_list_is_not_looked_at(kind, cells, optional):
    # What lets a run that never reads a list's values leave its cells alone (fields.field_column, values=False).
    from jifen_dsl.data.frames.fields import _typed_cells

    field = _field(kind, optional=optional)
    text = pl.Series("x", cells, dtype=pl.String)
    _values, bad, _ = _typed_cells(text, field)
    assert bad == {}
    skipped, unread_bad, _ = _typed_cells(text, field, False)
    assert unread_bad == {} and skipped.null_count() == len(cells) and skipped.dtype == columns.dtype(field.type)
