"""One field's column of a cohort: its cells typed, and what is wrong with the cells that cannot be.

The distinct cells of a column are cast in bulk (:mod:`~jifen_dsl.data.frames.casting`);
a distinct cell the cast leaves (``ok`` false) is read as the scalar reader
reads it - stripped; an empty one taking the field's default (a list: no items)
or refused as required; any other through :func:`~jifen_dsl.data.values.parser_for`,
guarded for an id or a name (:func:`~jifen_dsl.data.identity.guarded`) - which
gives its value or the message it has always given. The typed distinct cells
are then gathered back to the records. Text, whose cells rarely repeat, is
taken as it is but for the cells with surrounding whitespace or a refused
character, which alone go through the scalar reader.

A value the column's type cannot hold - a whole number beyond Int64, a number
of more than 38 digits - is refused with its own message: the scalar reader,
with Python's unbounded integers, would have read it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import attrs
import polars as pl

from jifen_dsl.data.cells import in_column
from jifen_dsl.data.frames.casting import WHITESPACE, cast
from jifen_dsl.data.frames.header import column_name
from jifen_dsl.data.frames.text import Cells
from jifen_dsl.data.identity import CHECKED, guarded
from jifen_dsl.data.values import CellError, parser_for, required_value
from jifen_dsl.lang import columns, model
from jifen_dsl.messages import M, Message

__all__ = ["FieldColumn", "field_column", "typed_cells", "python_values"]

_LISTS = ("school_list", "text_list")
_INT64 = (-(1 << 63), (1 << 63) - 1)


@attrs.frozen
class FieldColumn:
    """A field's values, one per record (whatever a bad cell's slot holds), and record index -> what is wrong with its cell (a message naming the column).

    A decimal column cannot tell ``-0`` from ``0``; ``negative_zero``, when some
    record's cell is a negative zero (``-0``, ``-0.00``), is true for those
    records (see :func:`python_values`).
    """

    values: pl.Series
    bad: dict[int, Message]
    negative_zero: pl.Series | None = None


def field_column(cells: Cells, field: model.Field, position: int | None, name: str, *, values: bool = True) -> FieldColumn:
    """The field's column ``name`` from the cells at ``position`` (None: an optional column the file does not have).

    ``values`` false: the caller reads only what is wrong with the cells; a list
    field's values are then left null, its cells not looked at (a list cell is never refused).
    """
    if position is None:
        empty = () if field.type.kind in _LISTS else field.default
        return FieldColumn(_constant(name, empty, field.type, cells.height), {})
    values, bad, negative_zero = _typed_cells(cells.column(position), field, values)
    column = column_name(field)
    bad = {index: in_column(column, reason) for index, reason in bad.items()}
    for index, reason in cells.unreadable(position).items():  # the reader's reason comes before anything a cast would say
        bad[index] = in_column(column, reason)
    return FieldColumn(values.alias(name), bad, negative_zero)


def python_values(column: pl.Series, type_, negative_zero: pl.Series | None = None) -> list[Any]:
    """The Python values of a field's column, as ``values.parser_for`` reads its cells: a negative zero with its sign."""
    found = columns.column_values(column, type_)
    if negative_zero is not None:
        for index in negative_zero.arg_true().to_list():
            if found[index] is not None and not found[index]:
                found[index] = found[index].copy_negate()
    return found


def typed_cells(text: pl.Series, field: model.Field) -> tuple[pl.Series, dict[int, Message]]:
    """Each cell of ``text`` as the scalar reader reads it for ``field``, and index -> why a cell cannot be read."""
    values, bad, _ = _typed_cells(text, field)
    return values, bad


def _typed_cells(text: pl.Series, field: model.Field, wanted: bool = True) -> tuple[pl.Series, dict[int, Message], pl.Series | None]:
    """As :func:`typed_cells`, and for a decimal field which cells are a negative zero (None when none is); ``wanted``: see :func:`field_column`."""
    read = _scalar(field)
    checked = field.name in CHECKED
    if field.type.kind == "text" and (checked or field.unique):
        return *_text_cells(text, field, read, checked), None
    if field.type.kind in _LISTS:  # choice lists seldom repeat: finding the distinct ones costs more than it saves
        if not wanted and not checked:
            # Nothing to make: a list cell is never refused (it splits into whatever items it holds,
            # an empty one into none), so with its values unread no cell need be looked at.
            return pl.repeat(None, len(text), dtype=columns.dtype(field.type), eager=True).alias(text.name), {}, None
        return *_whole_column(text, field, read), None
    few = _few_keys(text)
    if field.type.kind in ("text", "enum") and _read_as_written(text, field, read, checked, few):
        return text, {}, None
    distinct, at = _distinct(text, few)
    values, ok = cast(distinct, field.type, checked=checked)
    left = (~ok).arg_true()
    bad: dict[int, Message] = {}
    if len(left):
        found, refused = _read_each(distinct.gather(left).to_list(), read, field)
        values = _patched(values, left, columns.series(values.name, found, field.type))
        if refused:
            wrong = {int(left[k]): reason for k, reason in refused.items()}
            hit = at.is_in(list(wrong)).arg_true()
            bad = {index: wrong[slot] for index, slot in zip(hit.to_list(), at.gather(hit).to_list())}
    negative_zero = _negative_zero(distinct, values, at) if field.type.kind == "decimal" else None
    return _gathered(text, distinct, values, at), bad, negative_zero


def _read_as_written(text: pl.Series, field: model.Field, read, checked: bool, few: tuple[pl.Series, pl.Series] | None) -> bool:
    """Whether every cell of a text or enum column is read as the text it is (an empty cell as nothing).

    Told from the distinct cells alone - a district, a grade written as the
    policy names it - without finding which distinct cell each record holds,
    which costs twice as much: the column is then kept as it was read.
    ``few``: the column's few distinct cells, if :func:`_few_keys` found them.
    """
    keys = text.unique().drop_nulls() if few is None else few[0]
    values, ok = cast(keys, field.type, checked=checked)
    if not ok.all() or not values.equals(keys, check_names=False, check_dtypes=True):
        return False
    if not text.has_nulls():
        return True
    try:
        return read("") is None
    except CellError:
        return False


def _negative_zero(distinct: pl.Series, values: pl.Series, at: pl.Series) -> pl.Series | None:
    """Which records hold a negative zero (a zero whose cell starts with a minus), or None when none does: told by the distinct cells."""
    negative = ((values.struct.field("c") == 0) & distinct.str.strip_chars(WHITESPACE).str.starts_with("-")).fill_null(False)
    return negative.gather(at).alias("negative_zero") if negative.any() else None


def _gathered(text: pl.Series, distinct: pl.Series, values: pl.Series, at: pl.Series) -> pl.Series:
    """Each cell's value (``values[at[i]]``); the cells themselves when every distinct cell is its own value.

    A text or enum column is usually so (a district, a grade written as the policy
    names it): its cells are kept rather than copied, which saves a million
    cells' worth of memory and the time to copy them.
    """
    if values.dtype == pl.String and text.dtype == pl.String and values.equals(distinct, check_names=False):
        return text.alias(values.name)
    return values.gather(at)


def _text_cells(text: pl.Series, field: model.Field, read, checked: bool) -> tuple[pl.Series, dict[int, Message]]:
    """Text whose cells rarely repeat (an id, a name): taken as it is, but for the cells the scalar reader must see."""
    values, ok = cast(text, field.type, checked=checked)
    left = (~ok & text.is_not_null()).arg_true()
    empty = text.is_null().arg_true()
    bad: dict[int, Message] = {}
    if len(empty):  # an empty cell: the field's default, or refused as required
        try:
            default = read("")
            values = values if default is None else values.fill_null(default)
        except CellError as exc:
            bad = dict.fromkeys(empty.to_list(), exc.message)
    if not len(left):
        return values, bad
    distinct, slot = _distinct(text.gather(left))
    found, refused = _read_each(distinct.to_list(), read, field)
    values = values.scatter(left, columns.series(values.name, found, field.type).gather(slot))
    if refused:
        hit = slot.is_in(list(refused)).arg_true()
        bad.update(zip(left.gather(hit).to_list(), (refused[k] for k in slot.gather(hit).to_list())))
    return values, bad


def _whole_column(text: pl.Series, field: model.Field, read) -> tuple[pl.Series, dict[int, Message]]:
    """Each cell cast where it stands; an empty cell given what the scalar reader gives it; the cells the cast leaves read one by one."""
    values, ok = cast(text, field.type)
    bad: dict[int, Message] = {}
    if text.has_nulls():
        # Empty cells are most of a column a few fill in (a clearing round's choices): they are
        # given their value at once, not patched in one by one with the cells the cast left.
        try:
            empty = read("")
        except CellError as exc:
            bad = dict.fromkeys(text.is_null().arg_true().to_list(), exc.message)
        else:
            one = columns.series(values.name, [empty], field.type)
            values = pl.DataFrame([values]).select(pl.col(values.name).fill_null(pl.lit(one).first())).to_series()
    left = (~ok & text.is_not_null()).arg_true()
    if not len(left):
        return values, bad
    distinct, slot = _distinct(text.gather(left))
    found, refused = _read_each(distinct.to_list(), read, field)
    values = _patched(values, left, columns.series(values.name, found, field.type).gather(slot))
    if refused:
        hit = slot.is_in(list(refused)).arg_true()
        bad.update(zip(left.gather(hit).to_list(), (refused[k] for k in slot.gather(hit).to_list())))
    return values, bad


def _patched(values: pl.Series, at: pl.Series, new: pl.Series) -> pl.Series:
    """``values`` with ``new[k]`` in place of ``values[at[k]]`` (a gather: ``scatter`` takes no lists or structs)."""
    patch = pl.concat([values, new])
    order = pl.int_range(0, len(values), eager=True, dtype=pl.UInt32).scatter(at, pl.int_range(len(values), len(patch), eager=True, dtype=pl.UInt32))
    return patch.gather(order)


def _distinct(text: pl.Series, few: tuple[pl.Series, pl.Series] | None = None) -> tuple[pl.Series, pl.Series]:
    """The distinct cells of ``text`` (a null, for empty cells, last), and each cell's position among them (``few``: as :func:`_few_keys` found them)."""
    if few is not None:
        keys, codes = few
        return (keys.extend_constant(None, 1) if text.has_nulls() else keys), codes.fill_null(len(keys))
    categories = pl.Categories.random()  # a mapping of this column's own: its codes count from 0 in order of appearance
    coded = text.cast(pl.Categorical(categories))
    keys = categories.to_series()  # while ``coded`` holds the mapping
    codes = coded.to_physical()
    top = codes.max()
    if top is not None and top != len(keys) - 1:  # pragma: no cover - codes not dense: look each cell up instead
        keys = text.unique().drop_nulls()
        codes = text.cast(pl.Enum(keys)).to_physical()
    distinct = keys.extend_constant(None, 1) if text.has_nulls() else keys
    return distinct, codes.cast(pl.UInt32).fill_null(len(keys))


_SAMPLE = 4096  # the cells a column's few distinct ones are guessed from
_FEW_KEYS = 8  # up to this many, comparing each cell with them costs less than coding the column


def _few_keys(text: pl.Series) -> tuple[pl.Series, pl.Series] | None:
    """The distinct cells of a column that holds only a few (a yes/no, a status), and each cell's place among them (null: empty); None otherwise.

    The few are guessed from the first cells and each cell compared with them
    (:func:`~jifen_dsl.lang.columns.place_among`): a third of the cost of coding
    the column by a table of its distinct cells, which remains for a column with
    more, or with a cell the first ones do not hold.
    """
    keys = text.head(_SAMPLE).unique(maintain_order=True).drop_nulls()
    if not len(keys) or len(keys) > _FEW_KEYS:
        return None
    codes = pl.DataFrame([text.alias("t")]).select(columns.place_among(pl.col("t"), keys.to_list(), pl.UInt32)).to_series()
    if codes.null_count() != text.null_count():
        return None  # a cell none of the first ones holds
    return keys, codes


def _read_each(cells: list[str | None], read: Callable[[str], Any], field: model.Field) -> tuple[list[Any], dict[int, Message]]:
    """Each cell read by the scalar reader: the values (None for a refused cell) and position -> why a cell is refused."""
    found: list[Any] = []
    refused: dict[int, Message] = {}
    for k, cell in enumerate(cells):
        try:
            found.append(read(cell or ""))
        except CellError as exc:
            found.append(None)
            refused[k] = exc.message
    return found, refused


def _scalar(field: model.Field) -> Callable[[str], Any]:
    """The scalar reader of one cell of a field, as the careful reading path reads it."""
    kind = field.type.kind
    parse = guarded(field, parser_for(field.type))
    empty = () if kind in _LISTS else field.default
    required = not field.optional and kind not in _LISTS

    def read(cell: str) -> Any:
        raw = cell.strip()
        if not raw:
            if required:
                raise CellError(required_value())
            return empty
        value = parse(raw)
        _check_held(raw, value, kind)
        return value

    return read


def _check_held(text: str, value: Any, kind: str) -> None:
    """Refuse a number the column cannot hold (the scalar reader's Python numbers have no bounds)."""
    if kind == "integer" and not _INT64[0] <= value <= _INT64[1]:
        raise CellError(M("D0421", "{text} is out of range for a whole number ({low} to {high})", text=repr(text), low=_INT64[0], high=_INT64[1]))
    if kind == "decimal" and isinstance(value, Decimal):
        parts = columns.decimal_parts(value)
        if abs(parts["c"]) >= 10**38 or not -(1 << 31) <= parts["e"] < (1 << 31):
            raise CellError(M("D0422", "{text} has too many digits (a number may have at most 38)", text=repr(text)))


def _constant(name: str, value: Any, type_, height: int) -> pl.Series:
    one = columns.series(name, [value], type_)
    return one.new_from_index(0, height) if height else one.clear()
