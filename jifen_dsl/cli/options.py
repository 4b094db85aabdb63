"""The arguments and options more than one command takes, declared once so they read the same everywhere.

Only :mod:`jifen_dsl.data.formats` is imported here (the format names), with the
messages, so that declaring an option loads no reader. A usage error the project
raises is a coded message (``U0001``), put into words when click shows it.
"""

from __future__ import annotations

import click

from jifen_dsl.data.formats import FORMULA_MODES, INPUT_FORMATS
from jifen_dsl.data.formats import OUTPUT_FORMATS as FORMATS
from jifen_dsl.messages import M, Message, render

__all__ = ["policy_arg", "format_opt", "input_options", "run_options", "check_run_options", "UsageError"]


class UsageError(click.UsageError):
    """A usage error the project raises (exit status 2, as click's own): a coded message, put into words when click shows it."""

    def __init__(self, message: Message, ctx: click.Context | None = None):
        super().__init__(message, ctx)  # type: ignore[arg-type]  # click keeps it as it is

    def format_message(self) -> str:
        return render(self.message)

    def __str__(self) -> str:
        return render(self.message)

policy_arg = click.argument("policy", type=click.Path(dir_okay=False))
format_opt = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format (xlsx needs -o).")


def input_options(command):
    """--input-format, --encoding, --sheet and --formulas: how to read the applicant file; --evidence: its evidence file."""
    command = click.option(
        "--evidence", type=click.Path(dir_okay=False),
        help="Evidence items (id, indicator, date, value) for the indicators that count evidence.",
    )(command)
    command = click.option(
        "--formulas", type=click.Choice(FORMULA_MODES), default="refuse", show_default=True,
        help="XLSX (applicants, schools, evidence): 'refuse' a cell holding a formula - save the sheet as values only"
        " (选择性粘贴 → 数值) - or read the value saved with it ('cached').",
    )(command)
    command = click.option(
        "--sheet", help="XLSX: the sheet to read, by name or number (default: the active sheet if visible, else the first visible one; a hidden sheet only when named).",
    )(command)
    command = click.option("--encoding", help="CSV/JSON: the text encoding (default: UTF-8, with or without BOM, else GB18030).")(command)
    command = click.option("--input-format", type=click.Choice(INPUT_FORMATS), help="Format of the applicant file (default: by its extension).")(command)
    return command


def run_options(command):
    """The options evaluate and allocate share: input, leniency, the run directory, CSV with a BOM, quiet."""
    command = click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line on stderr.")(command)
    command = click.option("--bom", is_flag=True, help="Begin CSV output with a byte-order mark, so Excel shows Chinese text correctly.")(command)
    command = click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Write results, summary, rejects and manifest.json to this directory: a new or empty one, or one holding an earlier run jifen wrote.")(command)
    command = click.option("--rejects", type=click.Path(dir_okay=False), help="With --lenient: write the rows set aside, with their reasons, to this CSV file.")(command)
    command = click.option("--lenient", is_flag=True, help="Set bad rows aside (written with their reasons to the rejects file) instead of failing.")(command)
    return input_options(command)


def check_run_options(fmt: str, output: str | None, out_dir: str | None, lenient: bool, rejects: str | None) -> None:
    """Refuse the combinations of :func:`run_options` that make no sense, before any file is read."""
    if out_dir and output:
        raise UsageError(M("U0001", "give either --out DIR (a run directory) or -o FILE, not both"))
    if lenient and not (rejects or out_dir):
        raise UsageError(M("U0002", "--lenient sets rows aside: give --rejects FILE (or --out DIR) to keep them"))
    if rejects and not lenient:
        raise UsageError(M("U0003", "--rejects only applies with --lenient"))
    if rejects and out_dir:
        raise UsageError(M("U0004", "with --out, the rows set aside go to DIR/rejects.csv; leave out --rejects"))
    if fmt == "xlsx" and not output and not out_dir:
        raise UsageError(M("U0005", "xlsx output is a file: give -o FILE"))
