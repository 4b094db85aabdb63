"""``jifen fmt`` and ``jifen lsp``: the authoring commands. ``fmt`` puts policy files in the one canonical layout (:mod:`jifen_dsl.lang.formatting`), rewritten in place.

As black and gofmt do: the files given (and the ``.jifen`` files under a folder
given) are rewritten in place, each all at once or not at all; ``-`` reads
standard input and writes standard output. ``--check`` writes nothing and exits 1,
with a unified diff, when a file would change; ``--diff`` shows the diffs and
writes nothing. ``--to en|zh`` rewrites the keywords in the other surface
language. A file that does not parse is left as it is, its error reported as
``jifen check`` reports it, and the command exits 1.

A text found already in the canonical layout is remembered between runs
(:class:`_KnownFormatted`): the next run takes it as it is, without loading the
parser, as ``jifen check`` takes a policy checked before from its cache.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from pathlib import Path

import click

__all__ = ["fmt_cmd", "lsp_cmd"]


def _files(paths: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for path in paths:
        if path != "-" and Path(path).is_dir():
            found += sorted(str(p) for p in Path(path).rglob("*.jifen"))
        else:
            found.append(path)
    return found


class _KnownFormatted:
    """Texts seen to be in the canonical layout already, remembered between runs: such a text is not parsed again.

    What the formatter writes depends on the text, the keyword language asked for
    (``--to``) and the code that formats it - nothing else: not the file's name or
    folder, nor any file it imports. So a text that formatted to itself once formats
    to itself again as long as that code is the same, and needs no parser to say so.
    Each such text is an empty file in the private cache directory
    (:mod:`jifen_dsl.cachedir`), named by the SHA-256 of the code's fingerprint (the
    one checked policies are kept under: jifen_dsl's files, the grammar, lark and
    Python, see :mod:`jifen_dsl.compile.cache`), the language and the text. Only a
    text seen to format to itself is remembered, never one a run rewrote: a rewritten
    file is remembered when a later run finds it unchanged. ``JIFEN_NO_CACHE=1``
    turns this off.
    """

    def __init__(self, language: str | None):
        from jifen_dsl.cachedir import private_cache_dir

        self.directory = private_cache_dir()
        self.key = b""
        if self.directory is not None:
            from jifen_dsl.compile.cache import code_fingerprint

            self.key = "\0".join(["formatted", code_fingerprint(), language or "own", ""]).encode("utf-8", "surrogateescape")

    def _entry(self, text: str) -> str:
        digest = hashlib.sha256(self.key + text.encode("utf-8", "surrogateescape")).hexdigest()[:40]
        return os.path.join(self.directory, f"formatted-{digest}")

    def known(self, text: str) -> bool:
        """Whether ``text`` was seen to format to itself, under this code and language."""
        if self.directory is None:
            return False
        try:
            status = os.lstat(self._entry(text))
        except OSError:
            return False
        return stat.S_ISREG(status.st_mode) and (not hasattr(os, "getuid") or status.st_uid == os.getuid())

    def remember(self, text: str) -> None:
        """Remember that ``text`` formats to itself; a cache that cannot be written is left alone."""
        if self.directory is None:
            return
        try:
            os.close(os.open(self._entry(text), os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600))
        except OSError:
            pass


def _diff(path: str, before: str, after: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), f"{path} (now)", f"{path} (formatted)"))


@click.command(name="fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--check", is_flag=True, help="Write nothing; exit 1, with a unified diff, if a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; show what would change as unified diffs.")
@click.option("--to", "language", type=click.Choice(["en", "zh"]), default=None, help="Write the keywords in English or Chinese (names, strings and comments stay).")
def fmt_cmd(paths: tuple[str, ...], check: bool, show_diff: bool, language: str | None) -> None:
    """Rewrite policy files in the canonical layout, in place (- reads standard input and writes standard output)."""
    from jifen_dsl.errors import JifenError, severity_word
    from jifen_dsl.messages import M, N, T, language_of_text, speak

    known = _KnownFormatted(language)
    failed = changed = unchanged = 0
    languages: set[str] = set()
    for path in _files(paths):
        try:
            before = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problem = M("U0018", "{path}: cannot be read as UTF-8 text ({reason})", path=path, reason=getattr(exc, "strerror", None) or exc)
            click.echo(f"{severity_word('error')}: {problem}", err=True)
            failed += 1
            continue
        # The messages about a file speak its language; the closing count, the files' language if they share one.
        languages.add(language_of_text(before))
        speak(language_of_text(before))
        if known.known(before):
            after = before
        else:
            from jifen_dsl.lang.formatting import format_text  # the parser and the unparser: only for a text not known formatted

            try:
                after = format_text(before, "<stdin>" if path == "-" else path, language)
            except JifenError as exc:
                click.echo(exc.render(), err=True)
                failed += 1
                continue
            if after == before:
                known.remember(before)
        if path == "-":
            if check or show_diff:
                click.echo(_diff("<stdin>", before, after), nl=False)
                changed += before != after
            else:
                sys.stdout.write(after)
            continue
        if before == after:
            unchanged += 1
            continue
        changed += 1
        if check or show_diff:
            click.echo(_diff(path, before, after), nl=False)
        else:
            from jifen_dsl.data.output import write_text_atomic

            write_text_atomic(path, after)
            click.echo(str(T("reformatted {path}", path=path)), err=True)
    if paths != ("-",):
        speak(languages.pop() if len(languages) == 1 else None)
        if check or show_diff:
            count = N("{count} file would be reformatted", "{count} files would be reformatted", changed)
        else:
            count = N("{count} file reformatted", "{count} files reformatted", changed)
        line = T("{changed}, {unchanged} unchanged", changed=count, unchanged=unchanged)
        if failed:
            line = T("{line}, {failed} not formatted", line=line, failed=failed)
        click.echo(str(line), err=True)
    if failed or (check and changed):
        click.get_current_context().exit(1)


@click.command(name="lsp")
def lsp_cmd() -> None:
    """A language server over standard input and output, for any editor that speaks LSP (see docs/editors.md)."""
    from jifen_dsl.lsp.server import main

    main()
