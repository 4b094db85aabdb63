"""The fast path from rows of cells to typed applicants: a reading loop generated for one policy and one header.

Reading a million applicants spends its time in the per-cell work: strip, test
for empty, call a parser, catch its error. Most cells repeat - a grade, a
district, a date of birth, an indicator score - so the generated loop looks each
cell up in a per-column table of cells already read (:class:`_Memo`; for a
streamed file, whose cells are still bytes, :class:`_BytesMemo`, which decodes a
cell once), which also makes every record share one object per distinct value
instead of holding its own copy. Cells that never repeat (ids, names) are only
stripped, and an id or a name tested for the characters
:mod:`jifen_dsl.data.identity` refuses or compares without. A cell not seen before is read by :func:`cell_reader`, the same rules
as the careful path in :mod:`jifen_dsl.data.applicants`.

The loop only ever accepts: a row it cannot type - a bad cell, an empty required
one, a wrong number of cells - goes to the careful path, which reports every
problem with file, row and column. So the two paths give the same values, and
the same messages.

The source is built from the plan's structure (column positions, indexes),
never from a policy's text, and runs with no builtins but ``len``.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from jifen_dsl.lang import model
from jifen_dsl.data.csvstream import LINE_LIMIT as _LINE_LIMIT
from jifen_dsl.data.identity import CHECKED, plain_id, plain_text

__all__ = ["cell_reader", "row_reader"]

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


class _BytesMemo(dict):
    """Cell bytes -> value for one column of a streamed file: a new cell is decoded and read, and kept while there is room."""

    __slots__ = ("read", "codec")

    def __init__(self, read: Callable[[str], Any], codec: str):
        super().__init__()
        self.read = read
        self.codec = codec

    def __missing__(self, cell: bytes) -> Any:
        value = self.read(cell.decode(self.codec))
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


class _BytesItems(dict):
    """The items of list cells of a streamed file, by their bytes: each decoded once, and taken as :class:`_Items` takes them."""

    __slots__ = ("codec",)

    def __init__(self, codec: str):
        super().__init__()
        self.codec = codec

    def __missing__(self, item: bytes) -> str:
        text = item.decode(self.codec)
        if not text or text.strip() != text or "；" in text:
            raise _Unreadable()
        self[item] = text
        return text


def _unique(field: model.Field) -> bool:
    """Cells of this field rarely repeat: remembering them would cost memory and save nothing."""
    return field.type.kind == "text" and (field.unique or field.name == model.ID_FIELD or field.name in model.PERSONAL_FIELDS)


def _required() -> None:
    raise _Unreadable()


def _identity_check(field: model.Field, value: str) -> list[str]:
    """Statements sending an id or a name to the careful path unless it is plain (see :mod:`jifen_dsl.data.identity`).

    Two method calls in C for the text nearly every file holds: an ASCII printable id,
    a printable name. Only other text calls the (Python) test, which raises NotPlain
    - caught like any cell the loop cannot type.
    """
    if field.name == model.ID_FIELD:
        return [f"if not {value}.isascii() or not {value}.isprintable(): {value} = plain_id({value})"]
    if field.name in CHECKED:
        return [f"if {value} and not {value}.isprintable(): {value} = plain_text({value})"]
    return []


def _cell_statements(
    plan: Sequence[tuple[model.Field, int | None, Callable[[str], Any]]], namespace: dict[str, Any], indent: str, codec: str | None = None
) -> list[str]:
    """Statements setting ``v_i`` to the value of each field of ``plan`` from ``cells``, raising for a cell they cannot type.

    With ``codec``, the cells are bytes in that encoding: each distinct cell is
    decoded once, in its column's table, and a cell never looked up is decoded
    every time.
    """
    items: dict = _Items() if codec is None else _BytesItems(codec)
    text = "" if codec is None else ".decode(codec)"
    separator = "';'" if codec is None else "b';'"
    namespace.update({
        "_required": _required, "_Unreadable": _Unreadable, "tuple": tuple, "map": map, "len": len, "codec": codec,
        "plain_id": plain_id, "plain_text": plain_text,
    })
    lines: list[str] = []
    for i, (field, column, parse) in enumerate(plan):
        listed = field.type.kind in _LIST_KINDS
        if column is None:  # an optional column the file does not have
            namespace[f"c_{i}"] = () if listed else field.default
            lines.append(f"v_{i} = c_{i}")
            continue
        cell = f"cells[{int(column)}]"
        if _unique(field):
            if field.optional:
                namespace[f"c_{i}"] = field.default
                lines.append(f"v_{i} = {cell}{text}.strip() or c_{i}")
            else:
                lines.append(f"v_{i} = {cell}{text}.strip() or _required()")
            lines += _identity_check(field, f"v_{i}")
        elif listed:
            # Split at ';' and share each item (see _Items): when every item is one the careful
            # rules keep as it is, that is exactly their reading. An empty cell is an empty list.
            namespace["items"] = items
            namespace["item"] = items.__getitem__
            lines += [
                f"c = {cell}",
                "if c:",
                f"    s = c.split({separator})",
                "    n = len(s)",
                # Lists of up to six (five choices is common) are built inline: a third faster than map.
                *(
                    f"    {'if' if n == 1 else 'elif'} n == {n}: v_{i} = (" + ", ".join(f"items[s[{k}]]" for k in range(n)) + ("," if n == 1 else "") + ")"
                    for n in range(1, 7)
                ),
                f"    else: v_{i} = tuple(map(item, s))",
                "else:",
                f"    v_{i} = ()",
            ]
        else:
            reader = cell_reader(field, parse)
            namespace[f"m_{i}"] = _Memo(reader) if codec is None else _BytesMemo(reader, codec)
            lines.append(f"v_{i} = m_{i}[{cell}]")
    return [indent + line for line in lines]


def _record(count: int) -> str:
    return "(" + "".join(f"v_{i}, " for i in range(count)) + ")"


def _loop_head(*, streamed: bool) -> list[str]:
    """The reading function's first lines, up to a row's ``line`` and ``cells``: from (line, cells) rows, or from a streamed file's lines."""
    if not streamed:
        return [
            "def read(rows, append, seen, careful, add, progress):",
            "    done = 0",
            "    for line, cells in rows:",
        ]
    return [
        "def read(lines, number, quoted, append, seen, careful, add, progress):",
        "    done = 0",
        "    step = 1",
        "    for text in lines:",
        "        number += step",
        "        step = 1",
        "        line = number",
        "        if b'\"' in text or len(text) > LIMIT:",
        "            cells, step = quoted(text)  # the csv module reads a quoted record, over as many lines as it takes",
        "        else:",
        "            cells = text.split(b',')",
        "            cells[-1] = cells[-1].rstrip(b'\\r\\n')  # a blank line is [b''], not [], but blank all the same",
    ]


def _typed_row_statements(count: int, id_pos: int, grade_pos: int, check_grade: bool, add_evidence: bool, simple: bool, given: str) -> list[str]:
    """What the loop does with a typed row: make it an applicant, or hand it to ``add`` (see :func:`row_reader`)."""
    record = _record(count)
    if not simple:
        return [f"        add(line, {given}, {record})"]
    identity, grade = f"v_{int(id_pos)}", f"v_{int(grade_pos)}"
    return [
        f"        if {identity} in seen" + (f" or {grade} not in grades:" if check_grade else ":"),
        f"            add(line, {given}, {record})",
        "            continue",
        f"        seen[{identity}] = line",
        f"        append(make(line, {identity}, {grade}, {record}" + (" + evidence))" if add_evidence else "))"),
    ]


def row_reader(
    plan: Sequence[tuple[model.Field, int | None, Callable[[str], Any]]],
    width: int,
    id_pos: int,
    grade_pos: int,
    grades: frozenset[str],
    evidence: tuple,
    simple: bool,
    make: Callable[..., Any],
    *,
    lines: str | None = None,
) -> Callable[..., int]:
    """A loop appending typed applicants: the whole fast path of reading, in one function.

    ``read(rows, append, seen, careful, add, progress)`` types each (line, cells)
    row. A row it cannot type goes to ``careful(line, cells)``; one whose id was
    seen before or whose grade is not in ``grades`` (when given) - or, unless
    ``simple``, every row - to ``add(line, cells, record)``; any other becomes
    ``make(line, id, grade, record + evidence)``, passed to ``append``, and its id
    is entered in ``seen``. It returns how many rows it saw; ``progress``, when not
    None, is called with 1024 every 1024 rows.

    With ``lines``, the codec of a streamed CSV file, the loop reads the file
    itself: ``read(lines, number, quoted, append, seen, careful, add, progress)``
    takes the arguments of :meth:`jifen_dsl.data.csvstream.CsvRows.consume_lines` first,
    splits each line of bytes at commas and types the cells as bytes; ``careful``
    and ``add`` are given the cells decoded.
    """
    namespace: dict[str, Any] = {
        "__builtins__": {}, "Exception": Exception, "make": make, "grades": grades, "evidence": evidence, "LIMIT": _LINE_LIMIT,
    }
    given = "cells"  # the cells as careful and add take them: text
    if lines is not None:
        namespace["decoded"] = lambda cells, codec=lines: [cell.decode(codec) for cell in cells]
        given = "decoded(cells)"
    source = "\n".join([
        *_loop_head(streamed=lines is not None),
        "        done += 1",
        "        if not done & 1023 and progress is not None:",
        "            progress(1024)",
        "        try:",
        f"            if len(cells) != {int(width)}:",
        "                raise _Unreadable()",
        *_cell_statements(plan, namespace, "            ", lines),
        "        except Exception:  # a cell it cannot type: the careful path finds and reports the problem",
        f"            careful(line, {given})",
        "            continue",
        *_typed_row_statements(len(plan), id_pos, grade_pos, bool(grades), bool(evidence), simple, given),
        "    return done",
    ]) + "\n"
    exec(compile(source, "<typed rows>", "exec"), namespace)  # noqa: S102 - built above from positions only
    return namespace["read"]
