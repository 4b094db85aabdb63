"""The message catalogs: gettext ``.po`` files, compiled to ``.mo`` when the package is built.

A wheel carries ``locale/<lang>/LC_MESSAGES/jifen.mo``, compiled by the build hook
(``hatch_build.py``) with Babel. A source checkout, or a catalog edited after the
build (its ``.po`` newer than its ``.mo``), is compiled here, in memory, with the same
Babel code: what a translator saves is what the next command shows.
"""

from __future__ import annotations

import functools
import gettext
import io
from pathlib import Path

__all__ = ["DOMAIN", "LOCALE_DIR", "translation", "catalog_files", "compile_catalog"]

DOMAIN = "jifen"
LOCALE_DIR = Path(__file__).parent / "locale"


def catalog_files(lang: str) -> list[Path]:
    """The ``.po`` files of one language (one per domain; the tool has one domain)."""
    return sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po"))


@functools.cache
def translation(lang: str) -> gettext.NullTranslations:
    """The translations of ``lang``; English is the text in the code itself."""
    if lang == "en":
        return gettext.NullTranslations()
    compiled = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    sources = catalog_files(lang)
    if compiled.exists() and all(compiled.stat().st_mtime >= po.stat().st_mtime for po in sources):
        with compiled.open("rb") as handle:
            return gettext.GNUTranslations(handle)
    if not sources:
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compile_catalog(sources, lang)))


def compile_catalog(sources: list[Path], lang: str) -> bytes:
    """The ``.mo`` bytes of the given ``.po`` files (fuzzy entries left out, as gettext does)."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged = Catalog(locale=lang, domain=DOMAIN)
    for source in sources:
        with source.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN)
        for message in catalog:
            if message.id:
                merged.add(message.id, message.string, flags=message.flags, context=message.context)
    out = io.BytesIO()
    write_mo(out, merged)
    return out.getvalue()

