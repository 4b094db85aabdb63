"""Locate the grammar file, whether installed from a wheel or run from a checkout.

The grammar lives at the repository top (``grammar/jifen.lark``), outside the
package. A wheel carries a copy inside the package (``jifen_dsl/_grammar``); an
editable install or a plain checkout reads the repository's own file.
"""

from __future__ import annotations

from pathlib import Path

from jifen_dsl.messages import M

__all__ = ["grammar_path", "grammar_text"]

_PACKAGE_DIR = Path(__file__).resolve().parents[2]  # jifen_dsl/, above lang/parsing/
_CANDIDATES = (
    _PACKAGE_DIR / "_grammar" / "jifen.lark",
    _PACKAGE_DIR.parent / "grammar" / "jifen.lark",
)


def grammar_path() -> Path:
    """Path of the grammar file in use."""
    for candidate in _CANDIDATES:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(M("P0111", "the jifen grammar file is missing from this installation"))


def grammar_text() -> str:
    """Text of the grammar file in use."""
    return grammar_path().read_text(encoding="utf-8")
