"""The message catalogs: gettext ``.po`` files, compiled to ``.mo`` when the package is built.

A wheel carries ``locale/<lang>/LC_MESSAGES/jifen.mo``, compiled by the build hook
(``hatch_build.py``) with Babel. A source checkout, or a catalog edited after the
build (its ``.po`` newer than its ``.mo``), is compiled here, in memory, with the same
Babel code: what a translator saves is what the next command shows.
"""

from __future__ import annotations

import functools
import gettext
import hashlib
import io
import os
import tempfile
from pathlib import Path

from jifen_dsl.cachedir import private_cache_dir, trusted_file

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
    return gettext.GNUTranslations(io.BytesIO(_compiled_from_checkout(sources, lang)))


def _compiled_from_checkout(sources: list[Path], lang: str) -> bytes:
    """The ``.mo`` bytes of a checkout's ``.po`` files, kept in the private cache under the hash of their bytes.

    Compiling with Babel costs some 60 ms, at every command of a Chinese policy
    run from a checkout; a catalog compiled before is read back instead, and a
    changed ``.po`` has another hash, so what a translator saves is what the next
    command shows.
    """
    data = [source.read_bytes() for source in sources]
    digest = hashlib.sha256(b"\0".join([lang.encode(), *data])).hexdigest()[:32]
    directory = private_cache_dir()
    kept = os.path.join(directory, f"catalog-{lang}-{digest}.mo") if directory else None
    if kept is not None:
        try:
            descriptor = os.open(kept, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            pass
        else:
            with os.fdopen(descriptor, "rb") as handle:
                if trusted_file(descriptor):
                    return handle.read()
    compiled = compile_catalog(sources, lang)
    if kept is not None:
        try:
            descriptor, temporary = tempfile.mkstemp(prefix=".catalog-", suffix=".tmp", dir=directory)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(compiled)
            os.replace(temporary, kept)
        except OSError:  # a cache that cannot be written is left alone
            pass
    return compiled


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

