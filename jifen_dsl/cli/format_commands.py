"""``jifen fmt`` and ``jifen lsp``: the authoring commands. ``fmt`` puts policy files in the one canonical layout (:mod:`jifen_dsl.lang.formatting`), rewritten in place.

As black and gofmt do: the files given (and the ``.jifen`` files under a folder
given) are rewritten in place, each all at once or not at all; ``-`` reads
standard input and writes standard output. ``--check`` writes nothing and exits 1,
with a unified diff, when a file would change; ``--diff`` shows the diffs and
writes nothing. ``--to en|zh`` rewrites the keywords in the other surface
language. A file that does not parse is left as it is, its error reported as
``jifen check`` reports it, and the command exits 1.
"""

from __future__ import annotations

import difflib
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


def _diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), f"{path} (now)", f"{path} (formatted)"))


@click.command(name="fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--check", is_flag=True, help="Write nothing; exit 1, with a unified diff, if a file would change.")
@click.option("--diff", "show_diff", is_flag=True, help="Write nothing; show what would change as unified diffs.")
@click.option("--to", "language", type=click.Choice(["en", "zh"]), default=None, help="Write the keywords in English or Chinese (names, strings and comments stay).")
def fmt_cmd(paths: tuple[str, ...], check: bool, show_diff: bool, language: str | None) -> None:
    """Rewrite policy files in the canonical layout, in place (- reads standard input and writes standard output)."""
    from jifen_dsl.data.output import write_text_atomic
    from jifen_dsl.errors import JifenError
    from jifen_dsl.lang.formatting import format_text

    failed = changed = unchanged = 0
    for path in _files(paths):
        try:
            before = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            click.echo(f"error: {path}: cannot be read as UTF-8 text ({getattr(exc, 'strerror', None) or exc})", err=True)
            failed += 1
            continue
        try:
            after = format_text(before, "<stdin>" if path == "-" else path, language)
        except JifenError as exc:
            click.echo(exc.render(), err=True)
            failed += 1
            continue
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
            write_text_atomic(path, after)
            click.echo(f"reformatted {path}", err=True)
    if paths != ("-",):
        verb = "would be reformatted" if check or show_diff else "reformatted"
        click.echo(f"{changed} file{'s' if changed != 1 else ''} {verb}, {unchanged} unchanged" + (f", {failed} not formatted" if failed else ""), err=True)
    if failed or (check and changed):
        click.get_current_context().exit(1)


@click.command(name="lsp")
def lsp_cmd() -> None:
    """A language server over standard input and output, for any editor that speaks LSP (see docs/editors.md)."""
    from jifen_dsl.lsp.server import main

    main()
