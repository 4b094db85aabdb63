"""Values held in columns come back as the same Python values, and decimals keep their written scale."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from jifen_dsl.lang import columns
from jifen_dsl.lang.typesys import BOOL, DATE, DATETIME, DECIMAL, EVIDENCE, INTEGER, SCHOOL_LIST, TEXT

finite_decimals = st.decimals(allow_nan=False, allow_infinity=False, places=None).filter(lambda d: len(d.as_tuple().digits) <= 28 and -40 < d.as_tuple().exponent < 10)


@given(st.lists(st.one_of(st.none(), finite_decimals), max_size=20))
def test_decimals_come_back_with_their_scale(values):
    back = columns.column_values(columns.series("x", values, DECIMAL), DECIMAL)
    assert [None if v is None else str(v) for v in back] == [None if v is None else str(v if v or not v.is_signed() else abs(v)) for v in values]


@given(st.lists(st.one_of(st.none(), finite_decimals), max_size=20))
def test_decimal_text_is_what_format_f_writes(values):
    frame = pl.DataFrame([columns.series("x", values, DECIMAL)])
    texts = frame.select(columns.decimal_text(pl.col("x"))).to_series().to_list()
    # -0 is held as 0 (a coefficient has no sign of its own)
    assert texts == [None if v is None else format(v if v or not v.is_signed() else abs(v), "f") for v in values]


def test_a_record_frame_holds_each_type_and_gives_it_back():
    types = [TEXT, INTEGER, DECIMAL, BOOL, DATE, DATETIME, SCHOOL_LIST]
    records = [
        ("甲", 3, Decimal("85.50"), True, dt.date(2016, 2, 29), dt.datetime(2022, 4, 25, 9, 30), ("S1", "S2"), ((dt.date(2020, 1, 1), Decimal("1.5")),)),
        (None, None, None, None, None, None, (), ()),
    ]
    frame = columns.frame_of_records(types, records, evidence=1)
    assert frame.columns == ["f_0", "f_1", "f_2", "f_3", "f_4", "f_5", "f_6", "v_0"]
    assert frame.schema["f_2"] == columns.DECIMAL
    back = [columns.column_values(frame[columns.field_column(i)], t) for i, t in enumerate(types)]
    back.append(columns.column_values(frame[columns.evidence_column(0)], EVIDENCE))
    assert list(zip(*back)) == records
    assert str(back[2][0]) == "85.50"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text(max_size=3), min_size=1, max_size=24, unique=True),
    st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=40),
)
def test_a_cells_place_among_a_few_texts_is_its_index_or_null(texts, cells):
    # Compared one by one up to sixteen texts, looked up beyond: the same places either way.
    found = pl.DataFrame({"x": pl.Series(cells, dtype=pl.String)}).select(columns.place_among(pl.col("x"), texts)).to_series()
    assert found.dtype == pl.UInt32
    assert found.to_list() == [texts.index(cell) if cell in texts else None for cell in cells]
