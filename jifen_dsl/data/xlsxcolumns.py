"""Excel workbooks written from columns of text: the bytes :mod:`jifen_dsl.data.xlsx` writes, at polars speed.

:func:`jifen_dsl.data.xlsx.workbook_bytes` makes an openpyxl object for every
cell, which takes minutes and gigabytes for a million applicants. This module
writes the same workbook, byte for byte, from a frame of text cells:

- openpyxl still writes everything but the rows - styles, workbook, document
  properties, and the sheet's head (column widths and formats, the frozen bold
  header row). It writes them from a small workbook holding the header and one
  cell of each style the rows use, in the order the rows first use them, so it
  numbers the styles as it would have numbered them for the whole sheet;
- the rows are made by string expressions, one string a row, exactly as
  openpyxl writes each cell (without lxml, as this project installs it): text
  as an inline string with ``&``, ``<`` and ``>`` escaped and
  ``xml:space="preserve"`` where it starts or ends with white space, numbers of
  a numeric column as ``"%.16g"`` writes them, an empty cell left out unless a
  column format gives it a style;
- the archive is written as ``workbook_bytes`` writes it: the same entries in
  the same order, each with a fixed time, the document's times fixed too, so
  the bytes depend only on the cells.

The guarantees are those of :mod:`jifen_dsl.data.xlsx`: every text cell is a
string cell, never a formula or an error; a cell a spreadsheet would take for a
formula (:mod:`jifen_dsl.data.spreadsheet`) keeps its text and gets the "quote
prefix" style; numbers in the numeric columns are numbers.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Sequence

import attrs
import polars as pl

from jifen_dsl.data.cells import column_letter
from jifen_dsl.data.spreadsheet import LEADING, NUMBER, needs_guard
from jifen_dsl.errors import display_width
from jifen_dsl.lang import model

__all__ = ["ColumnSheet", "column_sheet", "workbook_bytes_of"]

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # as data.xlsx: the earliest time a zip entry can hold
_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_TEXT_FORMAT = "@"
# Columns kept as text in a workbook (as cli.emit.xlsx_sheet says): an identity number would be rounded as a number.
_TEXT_COLUMNS = ("id", "school", model.ID_NUMBER_FIELD)
_LONGEST = 32767  # openpyxl cuts a longer text here
_ILLEGAL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # openpyxl refuses these in a cell (ILLEGAL_CHARACTERS_RE)
# data.xlsx's numeric cell, in Python's terms (\d is any decimal digit); only cells that may match go through it.
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_PLAIN_INTEGER = r"^(0|-?[1-9][0-9]{0,14})$"  # an integer "%.16g" writes as it is
# spreadsheet.needs_guard, as expressions.
_LEADING = "^[" + "".join(f"\\x{{{ord(ch):x}}}" for ch in sorted(LEADING)) + "]"
_PLAIN_NUMBER = "^" + NUMBER.pattern + "$"


@attrs.frozen
class ColumnSheet:
    """One worksheet: a title and a frame of text cells (null or empty: no value), its column names the header."""

    title: str
    cells: pl.DataFrame
    numeric: frozenset[str] = frozenset()  # columns written as numbers where a cell holds one
    text: frozenset[str] = frozenset()  # columns given the text format "@", every cell below the header


def column_sheet(title: str, cells: pl.DataFrame, numeric: Sequence[str]) -> ColumnSheet:
    """A table of results as a worksheet, as ``cli.emit.xlsx_sheet`` makes it: ids, schools and identity numbers as text."""
    return ColumnSheet(title, cells, frozenset(numeric) & set(cells.columns), frozenset(_TEXT_COLUMNS) & set(cells.columns))


@attrs.frozen
class _Characters:
    """Regular-expression classes of the characters of a sheet that are not plain ASCII, as Python sorts them.

    ``errors.display_width`` counts a combining character as no column and a wide
    or full-width one as two; openpyxl keeps the spaces around a text when
    ``str.strip`` would take any away. Only the characters the cells hold are
    asked about, once each: asking of every code point takes most of a second.
    """

    zero: str | None  # combining characters (None: the cells hold none)
    wide: str | None  # wide and full-width characters
    space: str  # the inside of a class of white space: ASCII's, and any other the cells hold


def _characters(cells: pl.DataFrame) -> _Characters:
    found = pl.concat(
        [cells.lazy().select(pl.col(name).str.extract_all(r"[^\x00-\x7f]").explode().alias("ch")) for name in cells.columns]
    ).unique().drop_nulls().collect().get_column("ch").to_list() if cells.width else []
    zero = [ch for ch in found if unicodedata.combining(ch)]
    wide = [ch for ch in found if not unicodedata.combining(ch) and unicodedata.east_asian_width(ch) in ("W", "F")]
    spaces = [ch for ch in [*map(chr, range(0x80)), *found] if ch.isspace()]
    return _Characters(_char_class(zero), _char_class(wide), "".join(map(_escaped, spaces)))


def _escaped(ch: str) -> str:
    return f"\\x{{{ord(ch):x}}}"


def _char_class(chars: list[str]) -> str | None:
    return "[" + "".join(map(_escaped, sorted(chars))) + "]" if chars else None


def _display_width(text: pl.Expr, characters: _Characters) -> pl.Expr:
    """``errors.display_width`` of each cell."""
    width = text.str.len_chars()
    if characters.zero is not None:
        width = width - text.str.count_matches(characters.zero)
    if characters.wide is not None:
        width = width + text.str.count_matches(characters.wide)
    return width


def _widths(cells: pl.DataFrame, characters: _Characters) -> list[int]:
    """Each column's width as data.xlsx sets it: its widest text or its header, at least 6, plus 2, at most 60."""
    widest = [display_width(name) for name in cells.columns]
    if cells.height:
        texts = cells.select(_display_width(pl.col(name), characters).max().alias(name) for name in cells.columns).row(0)
        widest = [max(w, t or 0) for w, t in zip(widest, texts)]
    return [min(max(w, 6) + 2, 60) for w in widest]


def _number_text(text: str) -> str | None:
    """What data.xlsx writes for a cell of a numeric column: the number as openpyxl writes it, or None for text."""
    from openpyxl.compat import safe_string

    if not (text and _NUMBER.fullmatch(text)):
        return None
    number = Decimal(text)
    return safe_string(int(number) if number == number.to_integral_value() and "." not in text else number)


def _numbers(column: pl.Series) -> pl.Series:
    """The ``<v>`` text of each cell of a numeric column that holds a number, null for the others.

    A plain integer is written as it is; any other cell is asked of the rule
    itself, once per distinct text (points take few values).
    """
    plain = column.str.contains(_PLAIN_INTEGER)
    others = column.filter(~plain.fill_null(True)).unique().to_list()
    found = {text: _number_text(text) for text in others}
    looked_up = column.replace_strict(list(found), list(found.values()), default=None, return_dtype=pl.String)
    return pl.select(pl.when(plain).then(column).otherwise(looked_up)).to_series().alias(column.name)


def _guard(value: pl.Expr) -> pl.Expr:
    """Whether a text cell needs the quote prefix (spreadsheet.needs_guard)."""
    return value.str.contains(_LEADING) & ~value.str.contains(_PLAIN_NUMBER)


def _number_column(name: str) -> str:
    return "\x00n:" + name  # a name no header uses


def _typed(sheet: ColumnSheet) -> pl.DataFrame:
    """The cells as text (an empty one null), with the number text of each numeric column beside it; checked as openpyxl checks text."""
    cells = sheet.cells.select(pl.col(name).cast(pl.String).replace("", None).alias(name) for name in sheet.cells.columns)
    numbers = [_numbers(cells.get_column(name)).alias(_number_column(name)) for name in cells.columns if name in sheet.numeric]
    typed = cells.with_columns(numbers)
    for name in cells.columns:
        text = pl.when(_is_text(name, sheet.numeric)).then(pl.col(name).str.slice(0, _LONGEST))
        bad = typed.select(text.str.contains(_ILLEGAL).arg_true().first()).item()
        if bad is not None:
            from openpyxl.utils.exceptions import IllegalCharacterError

            raise IllegalCharacterError(f"{typed.get_column(name)[bad]} cannot be used in worksheets.")
    return typed


def _is_text(name: str, numeric: frozenset[str]) -> pl.Expr:
    """Whether a cell is written as text: not empty, and not a number of a numeric column."""
    present = pl.col(name).is_not_null()
    return present & pl.col(_number_column(name)).is_null() if name in numeric else present


@attrs.frozen
class _Column:
    """What the rows need to know of one column, found once, so that they skip what none of its cells needs."""

    name: str
    letter: str
    numeric: bool
    formatted: bool  # given the text format: an empty cell is written, with the format's style
    guarded: int | None  # the first row with a cell that needs the quote prefix; None: none does
    unusual: bool  # a text cell starts or ends with white space, holds & < or >, or may be longer than openpyxl keeps
    texts: bool  # a cell is written as text
    empty: bool  # a cell is empty


def _columns(typed: pl.DataFrame, sheet: ColumnSheet, space: str) -> list[_Column]:
    """What each column's cells need, found in one pass over the sheet."""
    names = list(sheet.cells.columns)

    def looks(name: str) -> dict[str, pl.Expr]:
        value, text = pl.col(name), _is_text(name, sheet.numeric)
        unusual = value.str.contains(f"^[{space}]|[{space}]$|[&<>]") | (value.str.len_bytes() > _LONGEST)
        return {
            "guarded": (text & _guard(value)).arg_true().first(), "unusual": (text & unusual).any(),
            "texts": text.any(), "empty": value.is_null().any(),
        }

    found = typed.select(part.alias(f"{i}:{what}") for i, name in enumerate(names) for what, part in looks(name).items()).row(0, named=True)
    return [
        _Column(
            name, column_letter(position), name in sheet.numeric, name in sheet.text, found[f"{position}:guarded"],
            bool(found[f"{position}:unusual"]), bool(found[f"{position}:texts"]), bool(found[f"{position}:empty"]),
        )
        for position, name in enumerate(names)
    ]


def _first_uses(columns: Sequence[_Column]) -> list[str]:
    """The guarded styles the rows use ("guard", "text+guard"), in the order openpyxl meets them: row by row, left to right."""
    first: dict[str, tuple[int, int]] = {}
    for position, column in enumerate(columns):
        if column.guarded is not None:
            kind = "text+guard" if column.formatted else "guard"
            first[kind] = min(first.get(kind, (column.guarded, position)), (column.guarded, position))
    return sorted(first, key=first.__getitem__)


@attrs.frozen
class _Prepared:
    """A sheet made ready to write: its cells typed and checked, what openpyxl's head of it needs, what its rows need."""

    sheet: ColumnSheet
    cells: pl.DataFrame  # _typed's frame
    columns: list[_Column]
    space: str  # the inside of a class of the white space the cells hold (_Characters.space)
    uses: list[str]  # _first_uses
    widths: list[int]


def _prepare(sheet: ColumnSheet) -> _Prepared:
    typed = _typed(sheet)
    text = typed.select(sheet.cells.columns)
    characters = _characters(text)
    columns = _columns(typed, sheet, characters.space)
    return _Prepared(sheet, typed, columns, characters.space, _first_uses(columns), _widths(text, characters))


def _skeleton(sheets: Sequence[_Prepared]) -> bytes:
    """The workbook as data.xlsx writes it, each sheet holding its header and then one cell of each style its rows use.

    The cells of a style come in the order the real rows first use them, so
    openpyxl gives each style the number it gives it for the whole sheet.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for prepared in sheets:
        sheet, used = prepared.sheet, prepared.uses
        ws = workbook.create_sheet(sheet.title)
        header = list(sheet.cells.columns)
        ws.append(header)
        for cell, name in zip(ws[1], header):
            if isinstance(name, str) and (name[:1] == "#" or needs_guard(name)):
                cell.data_type = "s"  # as data.xlsx: never a formula or an error
                cell.quotePrefix = needs_guard(name)
            cell.font = bold
        for i, width in enumerate(prepared.widths):
            ws.column_dimensions[column_letter(i)].width = width
        for i, name in enumerate(header):
            if name in sheet.text:
                ws.column_dimensions[column_letter(i)].number_format = _TEXT_FORMAT
        # (The text format is numbered with the columns, before any row: where its cell stands does not matter.)
        for row, kind in enumerate([*used, *(["text"] if sheet.text else [])], start=2):
            cell = ws.cell(row=row, column=1, value="x")
            cell.quotePrefix = kind.endswith("guard")
            if kind.startswith("text"):
                cell.number_format = _TEXT_FORMAT
        ws.freeze_panes = "A2"
    workbook.properties.creator = "jifen_dsl"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


_ROW_OF_CELLS = re.compile(rb'<row r="(\d+)"><c r="A\1" s="(\d+)"')
_DIMENSION = re.compile(rb'<dimension ref="[^"]*" />')
_ROWS_AT_ONCE = 65536


def _styles(skeleton_sheet: bytes, used: Sequence[str], text: bool) -> dict[str, str]:
    """The style ids openpyxl gave the skeleton's cells of each kind (rows 2, 3, ... in the order of ``used``, then the text format)."""
    found = {int(row): style.decode() for row, style in _ROW_OF_CELLS.findall(skeleton_sheet)}
    kinds = [*used, *(["text"] if text else [])]
    return {kind: found[row] for row, kind in enumerate(kinds, start=2)}


def _cell(column: _Column, styles: dict[str, str], space: str) -> pl.Expr:
    """One column's cell of each row as openpyxl writes it ("" where it writes none)."""
    plain = f' s="{styles["text"]}"' if column.formatted else ""
    start = f'<c r="{column.letter}'
    value = pl.col(column.name)
    row = pl.col(_ROW)
    written: list[pl.Expr] = []
    if column.numeric:
        number = pl.col(_number_column(column.name))
        written.append(pl.concat_str([pl.lit(start), row, pl.lit(f'"{plain} t="n"><v>'), number, pl.lit("</v></c>")]))
    if column.texts:
        style: pl.Expr = pl.lit(plain)
        if column.guarded is not None:
            guard = f' s="{styles["text+guard" if column.formatted else "guard"]}"'
            style = pl.when(_guard(value)).then(pl.lit(guard)).otherwise(style)
        text, opening = value, pl.lit("<t>")
        if column.unusual:
            text = value.str.slice(0, _LONGEST)
            # openpyxl keeps the spaces of a text that starts or ends with one and is not all spaces (str.strip's white space).
            preserve = text.str.contains(f"^[{space}]|[{space}]$") & text.str.contains(f"[^{space}]")
            opening = pl.when(preserve).then(pl.lit('<t xml:space="preserve">')).otherwise(opening)
            text = text.str.replace_many(["&", "<", ">"], ["&amp;", "&lt;", "&gt;"])
        as_text = [pl.lit(start), row, pl.lit('"'), style, pl.lit(' t="inlineStr"><is>'), opening, text, pl.lit("</t></is></c>")]
        written.append(pl.concat_str(as_text))
    if column.formatted and column.empty:
        written.append(pl.concat_str([pl.lit(start), row, pl.lit(f'"{plain} t="n" />')]))
    written.append(pl.lit(""))  # an empty cell of a column without a format is not written
    return pl.coalesce(written)


_ROW = "\x00r"  # the row number, a name no header uses


def _block(cells: pl.DataFrame, written: list[pl.Expr], start: int) -> bytes:
    """Rows ``start`` to ``start + _ROWS_AT_ONCE`` (0 = the first below the header) as XML, made by polars straight into bytes."""
    part = cells.slice(start, _ROWS_AT_ONCE)
    numbers = pl.int_range(start + 2, start + 2 + part.height).cast(pl.String).alias(_ROW)
    rows = part.with_columns(numbers).select(pl.concat_str([pl.lit('<row r="'), pl.col(_ROW), pl.lit('">'), *written]))
    out = io.BytesIO()
    # Every row ends with </row>: as the line end of a CSV file of one column, quoting nothing, it writes them all.
    rows.write_csv(out, include_header=False, quote_style="never", line_terminator="</row>")
    return out.getvalue()


def _write_rows(target, prepared: _Prepared, styles: dict[str, str]) -> None:
    """Write the sheet's rows below the header, a block at a time: the next block is made while the last one is compressed."""
    written = [_cell(column, styles, prepared.space) for column in prepared.columns]
    with ThreadPoolExecutor(max_workers=1) as maker:
        pending = None
        for start in range(0, prepared.cells.height, _ROWS_AT_ONCE):
            made = maker.submit(_block, prepared.cells, written, start)
            if pending is not None:
                target.write(pending.result())
            pending = made
        if pending is not None:
            target.write(pending.result())


def _sheet_parts(skeleton_sheet: bytes, rows: int, columns: int) -> tuple[bytes, bytes]:
    """The skeleton's sheet XML up to the end of its header row, and from the end of its rows on; the size of the real sheet in its head."""
    dimension = f'<dimension ref="A1:{column_letter(columns - 1)}{rows + 1}" />'.encode()
    head_end = skeleton_sheet.index(b"</row>") + len(b"</row>")
    tail_start = skeleton_sheet.index(b"</sheetData>")
    return _DIMENSION.sub(dimension, skeleton_sheet[:head_end], count=1), skeleton_sheet[tail_start:]


def workbook_bytes_of(sheets: Sequence[ColumnSheet]) -> bytes:
    """An XLSX workbook of the sheets, byte for byte what ``data.xlsx.workbook_bytes`` writes for the same cells.

    The rows are made and compressed a block at a time, so the sheet's XML - a
    few hundred bytes a row - is never held whole.
    """
    if any(sheet.cells.width == 0 for sheet in sheets):
        raise ValueError("a worksheet needs at least one column")
    prepared = [_prepare(sheet) for sheet in sheets]
    skeleton = _skeleton(prepared)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(skeleton)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", info.filename)
            if match is None:
                if info.filename == "docProps/core.xml":
                    content = _W3CDTF.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
                target.writestr(entry, content)
                continue
            ready = prepared[int(match.group(1)) - 1]
            head, tail = _sheet_parts(content, ready.cells.height, len(ready.columns))
            with target.open(entry, "w") as written:
                written.write(head)
                _write_rows(written, ready, _styles(content, ready.uses, bool(ready.sheet.text)))
                written.write(tail)
    return out.getvalue()
