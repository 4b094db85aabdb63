"""The fast path from a row of text cells to a typed record: a converter generated for one policy and one header.

Reading a million applicants spends its time in the per-cell work: strip, test
for empty, call a parser, catch its error. Most cells repeat - a grade, a
district, a date of birth, an indicator score - so the generated converter
looks each cell up in a per-column table of cells already read
(:class:`_Memo`), which also makes every record share one object per distinct
value instead of holding its own copy. Cells that never repeat (ids, names) are
only stripped. A cell not seen before is read by :func:`cell_reader`, the same
rules as the careful path in :mod:`jifen_dsl.applicants`.

The converter only ever accepts: for a row it cannot type - a bad cell, an
empty required one, a wrong number of cells - it raises, and the caller reads
that row again the careful way, which reports every problem with file, row
and column. So the two paths give the same values, and the same messages.

The source is built from the plan's structure (column positions, indexes),
never from a policy's text, and runs with no builtins but ``len``.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from . import model

__all__ = ["cell_reader", "row_converter"]

# Distinct cells remembered per column: enough for dates over a decade and
# times to the minute over an application window, small enough that a column
# of unique values costs little. Past it, new cells are read but not kept.
MEMO_LIMIT = 1 << 15

_LIST_KINDS = ("school_list", "text_list")


class _Unreadable(Exception):
    """The fast path cannot type this cell; the careful path says why."""


def cell_reader(field: model.Field, parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """Read one non-unreadable cell of a field as the careful path does; raise for any problem."""
    listed = field.type.kind in _LIST_KINDS
    optional = field.optional
    default = field.default

    def read(cell: str) -> Any:
        raw = cell.strip()
        if not raw:
            if listed:
                return ()
            if optional:
                return default
            raise _Unreadable()
        return parse(raw)

    return read


class _Memo(dict):
    """Cell text -> value for one column; a new cell is read, and kept while there is room."""

    __slots__ = ("read",)

    def __init__(self, read: Callable[[str], Any]):
        super().__init__()
        self.read = read

    def __missing__(self, cell: str) -> Any:
        value = self.read(cell)
        if len(self) < MEMO_LIMIT:
            self[cell] = value
        return value


class _Items(dict):
    """The items of list cells (school ids) seen so far, one string object each, however many lists name them.

    Only an item the careful rules would keep as it is - not empty, nothing to
    strip, no full-width separator - is taken; any other raises, and the row is
    read the careful way.
    """

    __slots__ = ()

    def __missing__(self, item: str) -> str:
        if not item or item.strip() != item or "；" in item:
            raise _Unreadable()
        self[item] = item
        return item


def _unique(field: model.Field) -> bool:
    """Cells of this field rarely repeat: remembering them would cost memory and save nothing."""
    return field.type.kind == "text" and (field.unique or field.name == model.ID_FIELD or field.name in model.PERSONAL_FIELDS)


def _required() -> None:
    raise _Unreadable()


def row_converter(plan: Sequence[tuple[model.Field, int | None, Callable[[str], Any]]], width: int) -> Callable[[Sequence[str]], tuple]:
    """A function from a row's cells to the record of ``plan`` (field, column, parser), raising for any row it cannot type."""
    namespace: dict[str, Any] = {"__builtins__": {}, "len": len, "tuple": tuple, "map": map, "_required": _required, "_Unreadable": _Unreadable}
    items = _Items()
    parts: list[str] = []
    for i, (field, column, parse) in enumerate(plan):
        listed = field.type.kind in _LIST_KINDS
        if column is None:  # an optional column the file does not have
            namespace[f"c_{i}"] = () if listed else field.default
            parts.append(f"c_{i}")
        elif _unique(field):
            if field.optional:
                namespace[f"c_{i}"] = field.default
                parts.append(f"(cells[{int(column)}].strip() or c_{i})")
            else:
                parts.append(f"(cells[{int(column)}].strip() or _required())")
        elif listed:
            # Split at ';' and share each item: when every item is one the careful rules keep
            # as it is, that is exactly their reading. An empty cell is an empty list.
            namespace["item"] = items.__getitem__
            parts.append(f'(tuple(map(item, cells[{int(column)}].split(";"))) if cells[{int(column)}] else ())')
        else:
            namespace[f"m_{i}"] = _Memo(cell_reader(field, parse))
            parts.append(f"m_{i}[cells[{int(column)}]]")
    source = "\n".join([
        "def convert(cells):",
        f"    if len(cells) != {int(width)}:",
        "        raise _Unreadable()",
        "    return (" + ", ".join(parts) + ",)" if parts else "    return ()",
    ]) + "\n"
    exec(compile(source, "<typed rows>", "exec"), namespace)  # noqa: S102 - built above from positions only
    return namespace["convert"]
