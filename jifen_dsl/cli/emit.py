"""Where a command's result goes: stdout or a file, and a run's results where its options say.

Files are written atomically (:mod:`jifen_dsl.data.output`), so an error part-way
never leaves a half-written result. A run's results are seen only once its
allocation is verified: :func:`finish_run`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import click

if TYPE_CHECKING:
    from jifen_dsl.runs.run import Run

__all__ = ["emit", "finish_run", "xlsx_sheet"]


def emit(text: str, output: str | None, *, bom: bool = False) -> None:
    """Write a command's result to a file (atomically) or to stdout."""
    from jifen_dsl.data.output import write_text_atomic

    if output:
        write_text_atomic(output, text, bom=bom)
    else:
        click.echo(("\ufeff" if bom else "") + text, nl=False)


def _emit_chunks(chunks: Iterable[str], output: str | None, *, bom: bool = False, before_commit=None) -> None:
    """Write a result given in pieces (a large CSV, line by line) to a file (atomically) or to stdout, as it is made.

    ``before_commit`` is called before a file takes its name (see output.write_chunks_atomic).
    """
    from jifen_dsl.data.output import batched_text, write_chunks_atomic

    if output:
        write_chunks_atomic(output, chunks, bom=bom, before_commit=before_commit)
        return
    if bom:
        click.echo("\ufeff", nl=False)
    for block in batched_text(chunks):
        click.echo(block, nl=False)


def _report_rejects(run: Run, where: str) -> None:
    """Say on stderr how many rows were set aside and why; this is never silenced."""
    if not run.rejects:
        return
    table = run.applicant_file.table
    total = len(run.applicant_file.applicants) + len(run.rejects)
    click.echo(f"warning: {len(run.rejects)} of {total} rows set aside (--lenient), with their reasons, in {where}", err=True)
    for reject in run.rejects[:10]:
        click.echo(f"warning:   {table.at(reject.row)}: {'; '.join(reject.reasons)}", err=True)
    if len(run.rejects) > 10:
        click.echo(f"warning:   ... and {len(run.rejects) - 10} more", err=True)


def finish_run(run: Run, text_output, xlsx_sheets, fmt: str, output: str | None, out_dir: str | None, rejects: str | None, bom: bool) -> None:
    """Write a run's results where the options say: a run directory, or one file (or stdout) and the rejects file."""
    from jifen_dsl.bulk import collector_paused

    with collector_paused():  # a row of text per applicant, and no reference cycles: see bulk.py
        try:
            _write_run_results(run, text_output, xlsx_sheets, fmt, output, out_dir, rejects, bom)
        finally:
            if run.verification is not None:
                run.verification.abandon()  # (a no-op once confirmed)


def _write_run_results(run: Run, text_output, xlsx_sheets, fmt: str, output: str | None, out_dir: str | None, rejects: str | None, bom: bool) -> None:
    from jifen_dsl.data.output import write_bytes_atomic
    from jifen_dsl.runs.run import rejects_bytes, write_run

    # The results may only be seen once the allocation is verified. Written to one file,
    # they are made while a large cohort's verification is still under way, and the file
    # takes its name only after it; anywhere else, the verification comes first.
    overlap = bool(output) and not out_dir and not rejects and fmt != "xlsx"
    if not overlap:
        run.confirm()
    if out_dir:
        written = write_run(out_dir, run)
        click.echo(f"wrote {out_dir}: {', '.join(written)}", err=True)
        _report_rejects(run, str(Path(out_dir) / "rejects.csv"))
        return
    if rejects:
        # Written even when empty, so a rejects file left by an earlier run is never mistaken for this one's.
        write_bytes_atomic(rejects, rejects_bytes(run))
    if fmt == "xlsx":
        from jifen_dsl.data.xlsx import workbook_bytes

        write_bytes_atomic(output, workbook_bytes(xlsx_sheets()))
    else:
        _emit_chunks(text_output(), output, bom=bom and fmt == "csv", before_commit=run.confirm)
    if rejects:
        _report_rejects(run, rejects)


def xlsx_sheet(title: str, table: tuple[list[str], list[list[str]]], numeric: tuple[str, ...]):
    """A table of results as a worksheet: ids and schools kept as text, the ``numeric`` columns as numbers."""
    from jifen_dsl.lang import model
    from jifen_dsl.data.xlsx import Sheet

    header, rows = table
    text_columns = tuple((i, "@") for i, h in enumerate(header) if h in ("id", "school", model.ID_NUMBER_FIELD))
    return Sheet(title, header, rows, numeric=frozenset(i for i, h in enumerate(header) if h in numeric), formats=text_columns)
