"""Write Excel workbooks (XLSX) whose bytes depend only on their content.

openpyxl stamps a workbook with the time it was saved, in the document
properties and in every zip entry. Results must be byte-identical for the same
inputs (a run's manifest records their hashes), so the saved archive is
rewritten with a fixed time and the same entries in the same order.

Every text cell is written as text. openpyxl would write a text starting with
``=`` as a formula and ``#N/A`` as an error; such a cell is retyped as a string
(an inline string: no ``<f>`` element, nothing Excel evaluates), its text kept
exactly. A cell a spreadsheet would take for a formula (see
:mod:`jifen_dsl.data.spreadsheet`: ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return first, and not a plain number) also gets Excel's "quote prefix" style - what
Excel records for text typed after an apostrophe - so editing it in Excel keeps it
text. Numbers in the sheet's numeric columns stay numbers.
"""

from __future__ import annotations

import io
import re
import zipfile
from decimal import Decimal, InvalidOperation
from typing import Sequence

import attrs

from jifen_dsl.errors import display_width
from jifen_dsl.data.readers import column_letter
from jifen_dsl.data.spreadsheet import needs_guard

__all__ = ["Sheet", "workbook_bytes"]

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold
_W3CDTF = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_NUMBER = re.compile(r"-?\d+(\.\d+)?")  # a cell of a numeric column written as a number
_LAST_ROW = 1_048_576  # the last row of an Excel sheet


@attrs.frozen
class Sheet:
    """One worksheet: a title, a header row and rows of text."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[str]]
    numeric: frozenset[int] = frozenset()  # columns written as numbers when a cell holds one
    # (column, number format) for the whole column, so cells typed in later get it too:
    # "@" keeps an identity number as text, where Excel would round it as a number.
    formats: tuple[tuple[int, str], ...] = ()
    choices: tuple[tuple[int, tuple[str, ...]], ...] = ()  # (column, values offered in a drop-down list)


def _value(text: str, numeric: bool):
    if numeric and text and _NUMBER.fullmatch(text):
        try:
            number = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return text
        return int(number) if number == number.to_integral_value() and "." not in text else number
    return text if text != "" else None


def _append_as_text(ws, row: int, values: Sequence) -> None:
    """Append ``values`` as row ``row`` of ``ws``, every text a string cell (never a formula or an error), guarded cells quote-prefixed."""
    ws.append(values)
    for column, value in enumerate(values, start=1):
        guard = needs_guard(value)
        if guard or (isinstance(value, str) and value[:1] == "#"):
            cell = ws.cell(row=row, column=column)
            cell.data_type = "s"  # openpyxl types "=..." a formula and "#N/A" an error
            if guard:
                cell.quotePrefix = True


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """An XLSX workbook of the sheets: bold frozen header, columns sized to their text, deterministic bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for sheet in sheets:
        ws = workbook.create_sheet(sheet.title)
        _append_as_text(ws, 1, list(sheet.header))
        for cell in ws[1]:
            cell.font = bold
        widths = [display_width(h) for h in sheet.header]
        for number, row in enumerate(sheet.rows, start=2):
            _append_as_text(ws, number, [_value(c, i in sheet.numeric) for i, c in enumerate(row)])
            for i, c in enumerate(row):
                widths[i] = max(widths[i], display_width(c))
        for i, width in enumerate(widths):
            ws.column_dimensions[column_letter(i)].width = min(max(width, 6) + 2, 60)
        for i, number_format in sheet.formats:
            ws.column_dimensions[column_letter(i)].number_format = number_format
            for (cell,) in ws.iter_rows(min_row=2, min_col=i + 1, max_col=i + 1):
                cell.number_format = number_format
        for i, values in sheet.choices:
            listed = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
            ws.add_data_validation(listed)
            listed.add(f"{column_letter(i)}2:{column_letter(i)}{_LAST_ROW}")
        ws.freeze_panes = "A2"
    workbook.properties.creator = "jifen_dsl"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalized(buffer.getvalue())


def _normalized(data: bytes) -> bytes:
    """The archive rewritten with a fixed time in every entry and in the document properties."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _W3CDTF.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", content)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, content)
    return out.getvalue()
