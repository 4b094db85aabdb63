"""Keeping the catalogs whole: extract the messages from the code, list what lacks a translation.

Run as ``python -m jifen_dsl.messages.maintain COMMAND``:

- ``extract`` writes ``locale/jifen.pot``, the template of every message in the code;
- ``update`` adds the template's new messages to every language's ``jifen.po``
  (untranslated) and marks the ones the code no longer has as obsolete;
- ``check`` lists every message without a translation, every translation that drops
  or invents a placeholder, and every message written as something other than a
  literal (which no catalog could hold); exit 1 if there is one;
- ``missing [PATH...]`` prints, as ``.po`` entries, the messages under PATH that the
  language lacks, to be translated and added to the catalog.

Messages are the calls ``M(code, text)``, ``T(text)`` and ``N(singular, plural, n)``
(:mod:`jifen_dsl.messages.text`); a diagnostic's code is its gettext context.
"""

from __future__ import annotations

import ast
import io
import string
import sys
from pathlib import Path

from jifen_dsl.messages.catalogs import DOMAIN, LOCALE_DIR, catalog_files

__all__ = ["extract", "problems", "missing_entries", "PACKAGE_DIR", "KEYWORDS"]

PACKAGE_DIR = Path(__file__).resolve().parent.parent
KEYWORDS = {"M": ((1, "c"), 2), "T": (1,), "N": (1, 2)}
LANGUAGES_TRANSLATED = ("zh",)


def extract(under: list[Path] | None = None):
    """A Babel catalog of every message in the package (or under the given paths)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_file

    catalog = Catalog(project="jifen-dsl", domain=DOMAIN)
    for path in _python_files(under):
        relative = path.relative_to(PACKAGE_DIR.parent).as_posix()
        for lineno, message, comments, context in extract_from_file(
            "python", str(path), keywords=KEYWORDS, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
        ):
            catalog.add(message, None, [(relative, lineno)], auto_comments=comments, context=context)
    return catalog


def _python_files(under: list[Path] | None) -> list[Path]:
    roots = [p.resolve() for p in under] if under else [PACKAGE_DIR]
    files: list[Path] = []
    for root in roots:
        files += [root] if root.is_file() else sorted(root.rglob("*.py"))
    return [f for f in files if f.name != "maintain.py"]


def _translations(lang: str) -> dict:
    from babel.messages.pofile import read_po

    found: dict = {}
    for source in catalog_files(lang):
        with source.open("rb") as handle:
            for message in read_po(handle, locale=lang, domain=DOMAIN):
                if message.id:
                    found[(_key(message.id), message.context)] = message
    return found


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, (tuple, list)) else message_id


def _placeholders(text: str) -> set[str]:
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        return {"<unbalanced braces>"}


def problems(lang: str) -> list[str]:
    """Everything wrong with one language's catalog, as lines to print."""
    found: list[str] = [f"{where}: {problem}" for where, problem in _computed_messages()]
    translations = _translations(lang)
    for message in extract():
        if not message.id:
            continue
        where = ", ".join(f"{path}:{line}" for path, line in message.locations[:1])
        label = f"[{message.context}] " if message.context else ""
        translated = translations.get((_key(message.id), message.context))
        if translated is None or not translated.string or translated.fuzzy or (
            isinstance(translated.string, (tuple, list)) and not all(translated.string)
        ):
            found.append(f"{where}: no {lang} translation of {label}{_key(message.id)!r}")
            continue
        wanted = _placeholders(_key(message.id))
        forms = translated.string if isinstance(translated.string, (tuple, list)) else (translated.string,)
        for form in forms:
            got = _placeholders(form)
            if got != wanted:
                found.append(
                    f"{where}: the {lang} translation of {label}{_key(message.id)!r} has placeholders "
                    f"{sorted(got)}, the message {sorted(wanted)}"
                )
    return found


def _computed_messages() -> list[tuple[str, str]]:
    """Calls of M, T or N whose text is not a literal (an f-string, a variable): no catalog can hold them."""
    found = []
    for path in _python_files(None):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(PACKAGE_DIR.parent).as_posix()
        for node in ast.walk(tree):
            # Babel's extractor does not look inside f-strings: a message made there is never extracted.
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in KEYWORDS:
                        found.append((f"{relative}:{inner.lineno}", "a message inside an f-string, where extraction cannot see it: " + ast.unparse(inner)[:60]))
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in KEYWORDS):
                continue
            positions = [spec for spec in KEYWORDS[node.func.id] if isinstance(spec, int)] + [
                spec[0] for spec in KEYWORDS[node.func.id] if isinstance(spec, tuple)
            ]
            for position in positions:
                arg = node.args[position - 1] if len(node.args) >= position else None
                if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                    found.append((f"{relative}:{node.lineno}", "message text is not a literal string: " + ast.unparse(node)[:80]))
                    break
    return found


def missing_entries(lang: str, under: list[Path] | None = None) -> str:
    """The messages under ``under`` that ``lang`` lacks, as ``.po`` text with empty translations."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    translations = _translations(lang)
    wanted = Catalog(locale=lang, domain=DOMAIN)
    for message in extract(under):
        if message.id and (_key(message.id), message.context) not in translations:
            wanted.add(message.id, None, message.locations, context=message.context)
    out = io.BytesIO()
    write_po(out, wanted, omit_header=True, width=0)
    return out.getvalue().decode("utf-8")


def _write_template() -> Path:
    from babel.messages.pofile import write_po

    target = LOCALE_DIR / f"{DOMAIN}.pot"
    with target.open("wb") as handle:
        write_po(handle, extract(), width=0, sort_output=False, omit_header=False)
    return target


def _update() -> None:
    from babel.messages.pofile import read_po, write_po

    template = extract()
    for lang in LANGUAGES_TRANSLATED:
        po = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=lang, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        with po.open("wb") as handle:
            write_po(handle, catalog, width=0, ignore_obsolete=False)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "extract":
        print(_write_template())
        return 0
    if command == "update":
        _update()
        return 0
    if command == "missing":
        for lang in LANGUAGES_TRANSLATED:
            sys.stdout.write(missing_entries(lang, [Path(p) for p in argv[1:]] or None))
        return 0
    if command == "check":
        lines = [line for lang in LANGUAGES_TRANSLATED for line in problems(lang)]
        print("\n".join(lines) if lines else "every message has its translations")
        return 1 if lines else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
