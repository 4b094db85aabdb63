"""Where a command's result goes: standard output or a file, and a run's results where its options say.

Files are written atomically (:mod:`jifen_dsl.data.output`), so an error part-way
never leaves a half-written result, and no output may be one of the command's
inputs or another of its outputs (:func:`refuse_clobbering`, checked before any
data is read). ``-o -`` is standard output. A write to standard output that fails
(a full disk, a reader gone away) is a WriteError, one line, whichever command
made it. A run's results are seen only once its allocation is verified:
:func:`finish_run`.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import click

from jifen_dsl.data.clobber import STDOUT, Named, refuse_clobbering
from jifen_dsl.messages import M, Message, N, T, render, series

if TYPE_CHECKING:
    from jifen_dsl.data.output import WriteError
    from jifen_dsl.runs.run import Run, RunSpec

__all__ = [
    "output_opt", "to_stdout", "emit", "emit_bytes", "say", "tell", "output_named", "refuse_clobbering", "refuse_run_clobbering", "finish_run",
    "xlsx_sheet",
]

output_opt = click.option(
    "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
    help="Write to this file instead of standard output (atomically); - is standard output.",
)


def to_stdout(output: str | None) -> bool:
    """Whether an ``-o`` value means standard output: none given, or ``-``."""
    return output is None or output == STDOUT


class _Whole(io.RawIOBase):
    """Standard output's file, every byte written or an OSError.

    A file written unbuffered returns a short count when a disk fills part-way, and
    a text layer above it (PYTHONUNBUFFERED, ``python -u``) drops the rest without
    a word; writing the rest again makes the system say what is wrong.
    """

    def __init__(self, binary):
        super().__init__()
        self._binary = binary

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:  # click strips colour codes from output that is not a terminal, as before
        return self._binary.isatty()

    def write(self, data) -> int:
        view = memoryview(data).cast("B")
        total = len(view)
        while view:
            count = self._binary.write(view)
            if not count:
                raise OSError(errno.EIO, os.strerror(errno.EIO))
            view = view[count:]
        self._binary.flush()
        return total

    def flush(self) -> None:
        pass  # each write flushes standard output itself; closing this view of it must not touch it again


def _stdout_failed(why: Message | str) -> WriteError:
    from jifen_dsl.data.output import WriteError  # (the writers are imported when something is written)

    return WriteError([M("U0015", "cannot write to {output} ({reason})", output=T("standard output"), reason=why)])


def _write_stdout(data: str | bytes) -> None:
    """Write text (as click.echo would: stdout's encoding, colour codes stripped off a terminal) or bytes to standard output, whole."""
    stdout = sys.stdout
    if stdout is None:  # started with standard output closed
        raise _stdout_failed(T("it is closed"))
    try:
        binary = getattr(stdout, "buffer", None)
        if binary is None:  # not a file's stream (a test's StringIO): nothing to count
            click.echo(data, nl=False)
            return
        stdout.flush()
        # Past the buffer, straight to the file: what fails to be written is not kept to fail again at exit.
        whole = _Whole(getattr(binary, "raw", binary))
        if isinstance(data, bytes):
            whole.write(data)
            return
        encoding, errors = getattr(stdout, "encoding", None) or "ascii", getattr(stdout, "errors", None) or "strict"
        if codecs.lookup(encoding).name == "ascii":
            encoding, errors = "utf-8", "replace"  # as click treats a stream misconfigured as ASCII
        stream = io.TextIOWrapper(whole, encoding=encoding, errors=errors, write_through=True)
        try:
            click.echo(data, file=stream, nl=False)
        finally:
            with contextlib.suppress(OSError, ValueError):
                stream.detach()  # standard output stays open
    except OSError as exc:
        raise _stdout_failed(exc.strerror or str(exc)) from None


def say(line: Message | str) -> None:
    """A line of a command's result on standard output (a summary, a check's verdict), in the chosen language."""
    _write_stdout(render(line) + "\n")


def tell(line: Message | str) -> None:
    """A line for the person at the terminal on standard error (progress, what was written), in the chosen language."""
    click.echo(render(line), err=True)


def emit(text: str, output: str | None, *, bom: bool = False) -> None:
    """Write a command's result to a file (atomically) or to standard output (no ``-o``, or ``-o -``)."""
    from jifen_dsl.data.output import write_text_atomic

    if to_stdout(output):
        _write_stdout(("\ufeff" if bom else "") + text)
    else:
        write_text_atomic(output, text, bom=bom)


def emit_bytes(data: bytes, output: str | None) -> None:
    """Write a binary result (a workbook, a CSV file made whole) to a file (atomically) or to standard output."""
    from jifen_dsl.data.output import write_bytes_atomic

    if to_stdout(output):
        _write_stdout(data)
    else:
        write_bytes_atomic(output, data)


def _emit_chunks(chunks: Iterable, output: str | None, *, bom: bool = False, before_commit=None) -> None:
    """Write a result given in pieces (a large CSV, line by line) to a file (atomically) or to stdout, as it is made.

    ``before_commit`` is called before a file takes its name (see output.write_chunks_atomic).
    """
    from jifen_dsl.data.output import Streamed, batched_text, write_chunks_atomic

    if not to_stdout(output):
        write_chunks_atomic(output, chunks, bom=bom, before_commit=before_commit)
        return
    if bom:
        _write_stdout("\ufeff")
    for block in batched_text(chunks):
        # Text for a terminal or a pipe, in standard output's own encoding (as click.echo writes it).
        if isinstance(block, Streamed):
            block = block.bytes()
        _write_stdout(block.decode("utf-8") if isinstance(block, bytes) else block)


def output_named(option: str, path: str | None, *, hint: Message | None = None) -> Named:
    """An output as a refusal names it: the option and its value (``-o a.csv``), or standard output when none is given."""
    hint = hint if hint is not None else T("choose another output file")
    if path is None:
        return Named(T("the results on standard output"), STDOUT, hint)
    return Named(f"{option} {path}", path, hint)


def refuse_run_clobbering(spec: RunSpec, output: str | None, rejects: str | None, out_dir: str | None) -> None:
    """Before a run reads its data: refuse a --out folder it may not write into, or -o or --rejects onto an input or each other.

    Loading the policy reads only policy files; the run loads it again, from the cache.
    """
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.runs.outdir import run_inputs
    from jifen_dsl.runs.run import check_out_dir

    compiled = load_policy(spec.policy)
    if out_dir:
        check_out_dir(out_dir, spec, compiled)
        return
    outputs = [output_named("-o", output)]
    if rejects:
        outputs.append(output_named("--rejects", rejects))
    refuse_clobbering(outputs, run_inputs(spec, compiled))


def _report_rejects(run: Run, where: Message | str) -> None:
    """Say on stderr how many rows were set aside and why; this is never silenced."""
    if not run.rejects:
        return
    from jifen_dsl.errors import severity_word
    from jifen_dsl.evaluation.language import one_after_another

    table = run.table
    total = run.accepted + len(run.rejects)
    warning = severity_word("warning") + ": "
    tell(warning + render(T("{count} of {total} rows set aside (--lenient), with their reasons, in {where}", count=len(run.rejects), total=total, where=where)))
    for reject in run.rejects[:10]:
        tell(warning + "  " + render(T("{where}: {reasons}", where=table.at(reject.row), reasons=one_after_another(list(reject.reasons)))))
    if len(run.rejects) > 10:
        tell(warning + "  " + render(N("... and {count} more", "... and {count} more", len(run.rejects) - 10)))


def finish_run(run: Run, text_output, workbook, fmt: str, output: str | None, out_dir: str | None, rejects: str | None, bom: bool) -> None:
    """Write a run's results where the options say: a run directory, or one file (or stdout) and the rejects file.

    ``text_output()`` gives the results as text in pieces, ``workbook()`` as an XLSX workbook's bytes.
    """
    from jifen_dsl.runs.run import rejects_bytes, write_run

    if to_stdout(output):
        output = None
    if out_dir:
        written = write_run(out_dir, run)
        tell(T("wrote {path}: {files}", path=out_dir, files=series(list(written))))
        _report_rejects(run, str(Path(out_dir) / "rejects.csv"))
        return
    if rejects:
        # Written even when empty, so a rejects file left by an earlier run is never mistaken for this one's.
        emit_bytes(rejects_bytes(run), rejects)
    if fmt == "xlsx":
        emit_bytes(workbook(), output)
    else:
        _emit_chunks(text_output(), output, bom=bom and fmt == "csv")
    if rejects:
        _report_rejects(run, T("standard output") if rejects == STDOUT else rejects)


def xlsx_sheet(title: str, table: tuple[list[str], list[list[str]]], numeric: tuple[str, ...]):
    """A table of results as a worksheet: ids and schools kept as text, the ``numeric`` columns as numbers."""
    from jifen_dsl.lang import model
    from jifen_dsl.data.xlsx import Sheet

    header, rows = table
    text_columns = tuple((i, "@") for i, h in enumerate(header) if h in ("id", "school", model.ID_NUMBER_FIELD))
    return Sheet(title, header, rows, numeric=frozenset(i for i, h in enumerate(header) if h in numeric), formats=text_columns)
