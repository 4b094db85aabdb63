"""The names of the input and output formats, apart from the code that reads and writes them.

The command line offers them as choices before it knows which it needs, so they
live where naming them loads nothing else.
"""

from __future__ import annotations

__all__ = ["INPUT_FORMATS", "OUTPUT_FORMATS", "FORMULA_MODES"]

INPUT_FORMATS = ("csv", "xlsx", "json", "jsonl")
OUTPUT_FORMATS = ("table", "csv", "json", "xlsx")
# What a workbook's formula cell gives: refused (the default), or the value saved with the formula.
FORMULA_MODES = ("refuse", "cached")
