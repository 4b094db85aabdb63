"""JSON and JSON Lines input as a table of text cells: one object per row, its keys naming the columns.

Numbers are kept as their exact decimal text and true/false as the words, so a
value reads as it would from a CSV cell; a value no cell could hold (an object,
null inside a list, a key given twice) becomes an
:class:`~jifen_dsl.data.cells.UnreadableCell` saying why.

A number obeys the rules of a number in a CSV cell: it is never written out from
an exponent (``1e999999999`` would be a billion digits; a CSV cell ``1e3`` is not
a number either), so one with an exponent is unreadable. A value, a key or a
list longer than a CSV cell may be (:data:`~jifen_dsl.data.cells.CELL_LIMIT`) is
refused at once, and so are objects with so few keys in common that the table
of them would be mostly empty cells: the memory a file takes follows the values
it holds.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from jifen_dsl.data.cells import CELL_LIMIT, SPARSE_CELLS, SPARSE_SLACK, Broken, Table, UnreadableCell, located, what_word
from jifen_dsl.errors import DataError
from jifen_dsl.messages import M, Message, T

__all__ = ["read_json", "read_jsonl"]


def _too_deep() -> Message:
    return M("D0301", "lists or objects nest too deeply to be a table's cells")


class _Number(str):
    """A JSON number, kept as its exact decimal text."""


def _json_number(text: str) -> str:
    if "e" in text or "E" in text:
        # Written out, 1e999999999 is a billion digits: refuse it as a CSV cell "1e3" is refused.
        shown = text if len(text) <= 40 else text[:37] + "..."
        return UnreadableCell(shown, M("D0302", "the number {number} is written with an exponent, which a number in a cell may not be; write it out in full", number=shown))
    try:
        return _Number(format(Decimal(text), "f"))
    except InvalidOperation:  # pragma: no cover - the JSON parser only passes numbers
        return _Number(text)


def _json_constant(name: str) -> UnreadableCell:
    return UnreadableCell(name, M("D0303", "{value} is not a number", value=name))


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; a key given twice is kept as an unreadable value, never silently overwritten."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            found[key] = UnreadableCell("", M("D0304", "the key {key} appears twice in this object", key=repr(key)))
        else:
            found[key] = value
    return found


def _loads(text: str) -> Any:
    # Numbers become their exact decimal text: no float ever holds points or money.
    return json.loads(text, parse_float=_json_number, parse_int=_Number, parse_constant=_json_constant, object_pairs_hook=_object)


def _json_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, UnreadableCell):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        items = []
        for item in value:
            if isinstance(item, (list, dict)) or item is None:
                return UnreadableCell(
                    _short(value), M("D0305", "{value} is not a cell value: a list may hold only text, numbers or true/false", value=_short(value))
                )
            text = _json_cell(item)
            if isinstance(text, UnreadableCell):
                return UnreadableCell(_short(value), T("a list item: {problem}", problem=text.reason))
            if ";" in text or "；" in text:
                return UnreadableCell(_short(value), M("D0306", "the list item {item} contains ';', which separates items", item=repr(text)))
            items.append(text)
        return ";".join(items)
    return UnreadableCell(_short(value), M("D0307", "{value} is not a cell value (expected text, a number, true/false or a list)", value=_short(value)))


def _show(value: Any) -> str:
    """A JSON value written back as JSON, numbers exactly as they were read."""
    if isinstance(value, (_Number, UnreadableCell)):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k, ensure_ascii=False)}: {_show(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _short(value: Any) -> str:
    text = _show(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _kind(value: Any) -> Message:
    if isinstance(value, dict):
        return T("an object")
    if isinstance(value, list):
        return T("a list")
    if isinstance(value, (_Number, UnreadableCell)):
        return T("a number")
    if isinstance(value, str):
        return T("a string")
    if value is None:
        return T("null")
    if isinstance(value, bool):
        return T("true/false")
    return T("a value")


def _rows_of_objects(
    records: list[tuple[int, Any, str]], path: str, where: Callable[[int], Any], what: str
) -> tuple[tuple[str, ...], list[tuple[int, list[str]]], list[Broken]]:
    """A header (every key, in order of first appearance) and the rows, from (row, object, raw text); ``where(row)`` names a row."""
    keys: dict[str, int] = {}
    objects: list[tuple[int, dict]] = []
    broken: list[Broken] = []
    values = 0
    for row, value, raw in records:
        if not isinstance(value, dict):
            broken.append(Broken(row, M("D0308", "{kind}, not an object with one key per column", kind=_kind(value)), raw))
            continue
        for key in value:
            if key not in keys:
                if len(key) > CELL_LIMIT:
                    raise DataError([M(
                        "D0309", "{where}: a key is longer than {limit:,} characters; is this really the {what} file?",
                        where=where(row), limit=CELL_LIMIT, what=what_word(what),
                    )])
                keys[key] = len(keys)
        values += len(value)
        objects.append((row, value))
    header = tuple(keys)
    cells = len(objects) * len(header)
    if cells > SPARSE_SLACK and cells > SPARSE_CELLS * values:
        raise DataError([M(
            "D0310",
            "{path}: the {objects:,} objects have {keys:,} different keys between them, so that a table of them"
            " would be almost all empty cells; one object per {what}, each with the same keys, is expected",
            path=path, objects=len(objects), keys=len(header), what=what_word(what),
        )])
    rows = []
    for row, obj in objects:
        cells_of_row = [_json_cell(obj.get(key)) for key in header]
        if header and max(map(len, cells_of_row)) > CELL_LIMIT:
            key = next(k for k, c in zip(header, cells_of_row) if len(c) > CELL_LIMIT)
            raise DataError([M(
                "D0311", "{where}: the value of {key} is longer than {limit:,} characters; is this really the {what} file?",
                where=where(row), key=repr(key), limit=CELL_LIMIT, what=what_word(what),
            )])
        rows.append((row, cells_of_row))
    return header, rows, broken


def read_json(path: str, text: str, digest: str, encoding: str, what: str) -> Table:
    """A JSON file's text - a list of objects, one per row - as a table; its keys are the header."""
    try:
        value = _loads(text)
    except json.JSONDecodeError as exc:
        where = f"{path}:{exc.lineno}:{exc.colno}"
        raise DataError([M("D0312", "{where}: not valid JSON: {detail}", where=where, detail=exc.msg)]) from None
    except RecursionError:
        raise DataError([located(path, _too_deep())]) from None
    if not isinstance(value, list):
        raise DataError([M(
            "D0313", "{path}: the file holds {kind}; expected a list of objects, one per {what}: [{{...}}, {{...}}]",
            path=path, kind=_kind(value), what=what_word(what),
        )])
    if not value:
        raise DataError([M("D0314", "{path}: the list is empty; expected one object per {what}", path=path, what=what_word(what))])
    header, rows, broken = _rows_of_objects(
        [(i, item, _short(item)) for i, item in enumerate(value, start=1)], path, lambda row: T("{path}, record {row}", path=path, row=row), what
    )
    return Table(path, "json", header, rows, digest, header_row=1, broken=tuple(broken), encoding=encoding)


def read_jsonl(path: str, text: str, digest: str, encoding: str, what: str) -> Table:
    """A JSON Lines file's text - one object per line - as a table; a line that is not an object is a broken row."""
    records: list[tuple[int, Any, str]] = []
    broken: list[Broken] = []
    # Split on newlines only: str.splitlines() would also split at U+2028, which JSON strings may hold.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            records.append((number, _loads(line), line))
        except json.JSONDecodeError as exc:
            broken.append(Broken(number, M("D0315", "not valid JSON at column {column}: {detail}", column=exc.colno, detail=exc.msg), line))
        except RecursionError:
            broken.append(Broken(number, _too_deep(), line[:40] + "..."))
    header, rows, not_objects = _rows_of_objects(records, path, lambda row: f"{path}:{row}", what)
    broken = sorted(broken + not_objects, key=lambda b: b.row)
    if not header:
        raise DataError([M("D0316", "{path}: no line holds a JSON object; expected one object per {what} on each line", path=path, what=what_word(what))])
    return Table(path, "jsonl", header, rows, digest, header_row=1, broken=tuple(broken), encoding=encoding)
