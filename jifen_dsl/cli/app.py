"""The ``jifen`` command line: a thin layer that turns arguments into library calls.

Every project error is caught in one place (:func:`main`), rendered to stderr,
and ends the command with exit status 1. Usage errors are click's (status 2).
"""

from __future__ import annotations

import collections
import gc
import operator
import os
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import click

# Only what every command needs is imported here; each command imports its own
# modules, so that ``jifen check`` starts without the readers, the allocator or Excel.
from jifen_dsl import __version__
from jifen_dsl.errors import DataError, Diagnostic, JifenError, PolicyError, render_diagnostics
from jifen_dsl.data.formats import INPUT_FORMATS
from jifen_dsl.data.formats import OUTPUT_FORMATS as FORMATS

if TYPE_CHECKING:
    from jifen_dsl.lang import model
    from jifen_dsl.progress import Progress
    from jifen_dsl.runs.run import Run

__all__ = ["main", "cli"]


def _emit(text: str, output: str | None, *, bom: bool = False) -> None:
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


_policy_arg = click.argument("policy", type=click.Path(dir_okay=False))
_format_opt = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format (xlsx needs -o).")
_output_opt = click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout (atomically).")


def _input_options(command):
    """--input-format, --encoding and --sheet: how to read the applicant file; --evidence: its evidence file."""
    command = click.option(
        "--evidence", type=click.Path(dir_okay=False),
        help="Evidence items (id, indicator, date, value) for the indicators that count evidence.",
    )(command)
    command = click.option("--sheet", help="XLSX: the sheet to read, by name or number (default: the first).")(command)
    command = click.option("--encoding", help="CSV/JSON: the text encoding (default: UTF-8, with or without BOM, else GB18030).")(command)
    command = click.option("--input-format", type=click.Choice(INPUT_FORMATS), help="Format of the applicant file (default: by its extension).")(command)
    return command


def _run_options(command):
    """The options evaluate and allocate share: input, leniency, the run directory, CSV with a BOM, quiet."""
    command = click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary line on stderr.")(command)
    command = click.option("--bom", is_flag=True, help="Begin CSV output with a byte-order mark, so Excel shows Chinese text correctly.")(command)
    command = click.option("--out", "out_dir", type=click.Path(file_okay=False), help="Write results, summary, rejects and manifest.json to this directory (as a whole).")(command)
    command = click.option("--rejects", type=click.Path(dir_okay=False), help="With --lenient: write the rows set aside, with their reasons, to this CSV file.")(command)
    command = click.option("--lenient", is_flag=True, help="Set bad rows aside (written with their reasons to the rejects file) instead of failing.")(command)
    return _input_options(command)


def _progress(quiet: bool) -> Progress:
    """A progress bar on stderr when it is a terminal and --quiet is not given."""
    from jifen_dsl.progress import NO_PROGRESS, Progress

    stream = sys.stderr
    if quiet or not stream.isatty():
        return NO_PROGRESS
    return Progress(stream)


def _check_run_options(fmt: str, output: str | None, out_dir: str | None, lenient: bool, rejects: str | None) -> None:
    if out_dir and output:
        raise click.UsageError("give either --out DIR (a run directory) or -o FILE, not both")
    if lenient and not (rejects or out_dir):
        raise click.UsageError("--lenient sets rows aside: give --rejects FILE (or --out DIR) to keep them")
    if rejects and not lenient:
        raise click.UsageError("--rejects only applies with --lenient")
    if rejects and out_dir:
        raise click.UsageError("with --out, the rows set aside go to DIR/rejects.csv; leave out --rejects")
    if fmt == "xlsx" and not output and not out_dir:
        raise click.UsageError("xlsx output is a file: give -o FILE")


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


def _finish_run(run: Run, text_output, xlsx_sheets, fmt: str, output: str | None, out_dir: str | None, rejects: str | None, bom: bool) -> None:
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


def _sheet(title: str, table: tuple[list[str], list[list[str]]], numeric: tuple[str, ...]):
    from jifen_dsl.lang import model
    from jifen_dsl.data.xlsx import Sheet

    header, rows = table
    text_columns = tuple((i, "@") for i, h in enumerate(header) if h in ("id", "school", model.ID_NUMBER_FIELD))
    return Sheet(title, header, rows, numeric=frozenset(i for i, h in enumerate(header) if h in numeric), formats=text_columns)


def _evidence_source(path: str | None):
    """The evidence file of a run, read by its extension like the applicant file."""
    from jifen_dsl.runs.run import Source

    return Source(path) if path else None


def _when(text: str, option: str, *, time: bool):
    """A date, or with ``time`` a date and time, from an option; DataError when it is neither."""
    from jifen_dsl.lang.typesys import DATE, DATETIME
    from jifen_dsl.data.values import CellError, parser_for

    for type_ in ((DATETIME, DATE) if time else (DATE,)):
        try:
            return parser_for(type_)(text.strip())
        except CellError:
            continue
    expected = "a date (2022-05-10) or a date and time (2022-05-10 17:00)" if time else "a date (2020-04-30)"
    raise DataError([f"{option}: {text!r} is not {expected}"])


def _schedule_of(policy: model.Policy) -> None:
    if policy.schedule is None:
        raise PolicyError([Diagnostic(f"{policy.path}: the policy has no schedule section", hint="add one: schedule { phase ... }")])


class _Jifen(click.Group):
    """The command group; the one place where project errors become exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except JifenError as exc:
            click.echo(exc.render(), err=True)
            ctx.exit(1)
        except RecursionError:
            click.echo("error: the input is nested too deeply to process", err=True)
            ctx.exit(1)
        except MemoryError:
            click.echo("error: out of memory", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so plainly, without a traceback unless asked
            if os.environ.get("JIFEN_DEBUG"):
                traceback.print_exc()
            click.echo(f"internal error: {type(exc).__name__}: {exc} (set JIFEN_DEBUG=1 for details)", err=True)
            ctx.exit(2)


@click.group(name="jifen", cls=_Jifen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jifen")
def cli() -> None:
    """Check, explain and run Guangzhou points-based school admission policies (积分制入学)."""


@cli.command()
@click.argument("policies", nargs=-1, required=True, type=click.Path(dir_okay=False))
def check(policies: tuple[str, ...]) -> None:
    """Check policy files; print a summary line per file, or every error found."""
    from jifen_dsl.lang import model
    from jifen_dsl.compile.pipeline import check_file

    failures = 0
    for path in policies:
        try:
            checked = check_file(path)
        except JifenError as exc:
            click.echo(exc.render(), err=True)
            failures += 1
            continue
        if checked.warnings:
            click.echo(render_diagnostics(checked.warnings, checked.sources), err=True)
        if isinstance(checked, model.Library):
            click.echo(f"{path}: ok - library: {len(checked.fields)} fields, {len(checked.definitions)} definitions")
        else:
            header = checked.header
            grades = ", ".join(g.value for g in checked.grades) or "all grades"
            click.echo(
                f"{path}: ok - {header.district} {header.year}: {len(checked.requirements)} requirements"
                f" ({grades}), {len(checked.points.indicators)} indicators, {len(checked.batches)} batches,"
                f" {len(checked.tiebreaks)} tie-break keys"
            )
    if failures:
        click.get_current_context().exit(1)


@cli.command(name="evaluate")
@_policy_arg
@click.argument("applicants", type=click.Path(dir_okay=False))
@_format_opt
@_output_opt
@_run_options
def evaluate_cmd(policy: str, applicants: str, fmt: str, output: str | None, input_format, encoding, sheet, evidence, lenient, rejects, out_dir, bom, quiet) -> None:
    """Evaluate every applicant: eligibility, failed requirements, batch, points and rank."""
    from jifen_dsl.evaluate.report import evaluation_lines, evaluation_table, summary_line
    from jifen_dsl.runs.run import RunSpec, Source, execute

    _check_run_options(fmt, output, out_dir, lenient, rejects)
    spec = RunSpec("evaluate", policy, Source(applicants, input_format, encoding, sheet), None, lenient, bom, _evidence_source(evidence))
    run = execute(spec, _progress(quiet))
    _finish_run(
        run,
        lambda: evaluation_lines(run.compiled, run.evaluations, fmt),
        lambda: [_sheet("results", evaluation_table(run.compiled, run.evaluations), ("points", "rank"))],
        fmt, output, out_dir, rejects, bom,
    )
    if not quiet:
        click.echo(summary_line(run.evaluations), err=True)
    _keep_until_exit(run)


@cli.command(name="allocate")
@_policy_arg
@click.argument("applicants", type=click.Path(dir_okay=False))
@click.argument("schools", type=click.Path(dir_okay=False))
@_format_opt
@_output_opt
@click.option("--summary", "show_summary", is_flag=True, help="Show the per-school summary and the subsidy budget instead of one line per applicant.")
@_run_options
def allocate_cmd(policy: str, applicants: str, schools: str, fmt: str, output: str | None, show_summary: bool, input_format, encoding, sheet, evidence, lenient, rejects, out_dir, bom, quiet) -> None:
    """Assign seats: qualification, choices, coordinated placement and clearing, checked before it is shown."""
    from jifen_dsl.allocate.report import format_summary, placement_lines, placement_table, summary_table
    from jifen_dsl.runs.run import RunSpec, Source, execute

    _check_run_options(fmt, output, out_dir, lenient, rejects)
    spec = RunSpec("allocate", policy, Source(applicants, input_format, encoding, sheet), Source(schools), lenient, bom, _evidence_source(evidence))
    run = execute(spec, _progress(quiet), verify_later=True)  # confirmed before the results are seen: _write_run_results
    allocation = run.allocation
    if show_summary:
        text, sheets = (lambda: [format_summary(allocation, fmt)]), (lambda: [_sheet("summary", summary_table(allocation), ("seats", "admitted", "choices", "coordinated", "clearing", "cutoff", "remaining", "subsidy"))])
    else:
        text, sheets = (lambda: placement_lines(allocation, fmt)), (lambda: [_sheet("results", placement_table(allocation), ("points", "rank"))])
    _finish_run(run, text, sheets, fmt, output, out_dir, rejects, bom)
    if not quiet:
        counts = collections.Counter(map(operator.attrgetter("status"), allocation.placements))
        click.echo(f"{len(allocation.placements)} applicants: " + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items())), err=True)
    _keep_until_exit(run)


@cli.command(name="explain")
@_policy_arg
@click.argument("applicants", type=click.Path(dir_okay=False))
@click.option("--id", "applicant_id", required=True, help="The application id (申请编号) to explain.")
@click.option("--schools", type=click.Path(dir_okay=False), help="Also explain the seat allocation over this schools file.")
@_output_opt
@_input_options
def explain_cmd(policy: str, applicants: str, applicant_id: str, schools: str | None, output: str | None, input_format, encoding, sheet, evidence) -> None:
    """Explain one applicant: each requirement with its values, the points, the batch and rank, and the seat."""
    from jifen_dsl.allocate.allocator import allocate
    from jifen_dsl.data.applicants import read_applicants
    from jifen_dsl.evaluate.evaluator import evaluate
    from jifen_dsl.data.evidence import read_evidence
    from jifen_dsl.evaluate.explain import explain as explain_text
    from jifen_dsl.allocate.explain import explain_allocation
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.data.schools import check_choices, read_schools
    from jifen_dsl.allocate.verify import verify

    compiled = load_policy(policy)
    people = read_applicants(applicants, compiled.policy, input_format=input_format, encoding=encoding, sheet=sheet)
    if evidence:
        people = read_evidence(evidence, compiled.policy, people)
    elif compiled.policy.evidence:
        click.echo(f"note: no --evidence file, so no applicant has evidence for {', '.join(compiled.policy.evidence)}", err=True)
    if not any(a.id == applicant_id for a in people):
        raise DataError([f"{applicants}: no applicant has the id {applicant_id!r}"])
    results = evaluate(compiled, people)
    text = explain_text(compiled, results, applicant_id)
    if schools:
        offer = read_schools(schools, compiled.policy)
        check_choices(people, compiled.policy, offer, applicants)
        allocation = allocate(compiled, results, offer, trace=True)
        verify(allocation, [a.id for a in people])
        text += "\n" + explain_allocation(allocation, applicant_id)
    _emit(text, output)


@cli.command(name="verify-run")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def verify_run_cmd(directory: str, quiet: bool) -> None:
    """Re-run a run directory written with --out and confirm every output is reproduced byte for byte."""
    from jifen_dsl.runs.run import verify_run

    click.echo(verify_run(directory, _progress(quiet)))


@cli.command(name="publish")
@click.argument("results", type=click.Path())
@click.option("--kind", type=click.Choice(("points", "admission")), required=True, help="points: everyone's points, ranked; admission: who was admitted where.")
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx", "html")), default="csv", show_default=True, help="Output format (xlsx needs -o).")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False), help="The policy whose masking rule applies (default: the one a run directory's manifest names).")
@click.option("--bom", is_flag=True, help="Begin CSV output with a byte-order mark, for Excel.")
@_output_opt
def publish_cmd(results: str, kind: str, fmt: str, policy_path: str | None, bom: bool, output: str | None) -> None:
    """The public list (公示) of a run: ranked, with names and identity numbers masked by the policy's rule."""
    from jifen_dsl.data.output import write_bytes_atomic
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.runs.public_html import html_page
    from jifen_dsl.runs.publish import admission_list, load_results, points_list
    from jifen_dsl.data.tables import csv_text
    from jifen_dsl.data.xlsx import Sheet, workbook_bytes

    if fmt == "xlsx" and not output:
        raise click.UsageError("xlsx output is a file: give -o FILE")
    records, recorded_policy = load_results(results)
    policy_file = policy_path or recorded_policy
    if policy_file is None:
        raise click.UsageError("give --policy POLICY: the masking rule comes from the policy, and a results file does not name it")
    policy = load_policy(policy_file).policy
    public = points_list(records, policy) if kind == "points" else admission_list(records, policy)
    if fmt == "html":
        _emit(html_page(public), output)
    elif fmt == "csv":
        _emit(csv_text(public.header, public.rows), output, bom=bom)
    else:
        sheet = Sheet(public.sheet_title, public.header, public.rows, numeric=public.numeric)
        write_bytes_atomic(output, workbook_bytes([sheet]))


@cli.command(name="template")
@_policy_arg
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx")), default="xlsx", show_default=True, help="Template format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Where to write it (default: applicants-template.xlsx or .csv here).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option("--no-bom", is_flag=True, help="CSV: leave out the byte-order mark Excel needs to show Chinese headers.")
def template_cmd(policy: str, fmt: str, output: str | None, force: bool, no_bom: bool) -> None:
    """An empty applicant file with the columns this policy reads (Chinese headers) and a description of each."""
    from jifen_dsl.data.output import write_bytes_atomic
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.data.template import template_files

    compiled = load_policy(policy)
    target = output or f"applicants-template.{fmt}"
    files = template_files(compiled.policy, target, fmt, bom=not no_bom)
    existing = [p for p in files if Path(p).exists()]
    if existing and not force:
        raise DataError([f"{p}: already exists; give another name with -o, or --force to replace it" for p in existing])
    for path, data in files.items():
        write_bytes_atomic(path, data)
    click.echo(f"wrote {', '.join(files)}: {len(compiled.policy.read_fields)} columns", err=True)


@cli.command(name="compile")
@_policy_arg
@click.option("--show", is_flag=True, help="Print the generated Python source.")
@_output_opt
def compile_cmd(policy: str, show: bool, output: str | None) -> None:
    """Compile a policy to Python; with --show, print the generated code for review."""
    from jifen_dsl.compile.pipeline import load_policy

    compiled = load_policy(policy)
    if show or output:
        _emit(compiled.source, output)
    else:
        lines = compiled.source.count("\n") + 1
        click.echo(f"{policy}: compiled to {lines} lines of Python (use --show to print them)")


@cli.command(name="schedule")
@_policy_arg
@click.option("--on", "moment", metavar="DATETIME", help="Say which phases are open at this date, or date and time.")
@_output_opt
def schedule_cmd(policy: str, moment: str | None, output: str | None) -> None:
    """Show the policy's timeline of phases, and which are open at a given moment."""
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.evaluate.schedule_report import format_schedule

    checked = load_policy(policy).policy
    _schedule_of(checked)
    at = _when(moment, "--on", time=True) if moment is not None else None
    _emit(format_schedule(checked, at), output)


@cli.command(name="deadline")
@_policy_arg
@click.option("--accepted", required=True, metavar="DATE", help="The day the points application was accepted (受理).")
@_output_opt
def deadline_cmd(policy: str, accepted: str, output: str | None) -> None:
    """When points accepted on a day are verified, and whether that is in time for the policy."""
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.timeline.schedule import deadline
    from jifen_dsl.evaluate.schedule_report import format_deadline

    checked = load_policy(policy).policy
    _schedule_of(checked)
    if checked.schedule.verification is None:
        raise PolicyError([Diagnostic(
            f"{policy}: the schedule does not say how long points verification takes",
            hint="add to the schedule: verification 35 workdays after <acceptance phase> (积分核定 「受理」 后 35个工作日)",
        )])
    day = _when(accepted, "--accepted", time=False)
    _emit(format_deadline(checked, deadline(checked.schedule, checked.calendar, day)), output)


@cli.command(name="new-year")
@_policy_arg
@click.option("--year", type=int, help="The new admission year (default: the year after the policy's).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Where to write it (default: YEAR.jifen beside the policy).")
@click.option("--extends", "extending", is_flag=True, help="Write a short policy that extends this one and overrides only the clauses holding dates.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def new_year_cmd(policy: str, year: int | None, output: str | None, extending: bool, force: bool) -> None:
    """Start next year's policy: the year and every date moved on, comments and citations kept, checked before it is written."""
    from jifen_dsl.years.newyear import new_year
    from jifen_dsl.data.output import write_text_atomic

    result = new_year(policy, year, output, extends=extending)
    if Path(result.path).exists() and not force:
        raise DataError([f"{result.path}: already exists; give another name with -o, or --force to replace it"])
    write_text_atomic(result.path, result.text)
    header = result.policy.header
    click.echo(f"wrote {result.path}: {header.district} {header.year}, from {policy}")
    for change in result.changes:
        click.echo(f"  {change}")
    for reminder in result.reminders:
        click.echo(reminder)
    if result.policy.warnings:
        click.echo(render_diagnostics(result.policy.warnings, result.policy.sources), err=True)


@cli.command(name="diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--applicants", type=click.Path(dir_okay=False), help="Also show whom the changes affect: run this cohort under both policies.")
@click.option("--schools", type=click.Path(dir_okay=False), help="With --applicants: place the cohort in these schools under both policies.")
@click.option("--cohort-year", type=int, help="With --applicants: the year the cohort's dates belong to; both policies are moved to it (default: the old policy's year).")
@click.option("--evidence", type=click.Path(dir_okay=False), help="With --applicants: the cohort's evidence items, for indicators that count evidence.")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "csv")), default="text", show_default=True, help="Output format.")
@_output_opt
def diff_cmd(old: str, new: str, applicants: str | None, schools: str | None, cohort_year: int | None, evidence: str | None, fmt: str, output: str | None) -> None:
    """Compare two policies clause by clause; with --applicants, who is affected by each change."""
    from jifen_dsl.years.diff import diff, load_side
    from jifen_dsl.years.diff_report import format_diff, format_impact
    from jifen_dsl.years.impact import impact

    if (schools or evidence or cohort_year is not None) and not applicants:
        raise click.UsageError("--schools, --evidence and --cohort-year apply to a cohort: give --applicants FILE")
    if applicants:
        _emit(format_impact(impact(old, new, applicants, schools, year=cohort_year, evidence=evidence), fmt), output)
        return
    a, b = load_side(old), load_side(new)
    _emit(format_diff(a, b, diff(a, b), fmt), output)


# The command line as a program, not called from Python (see main).
_as_program = False
_kept_until_exit: list[object] = []


def _keep_until_exit(run: object) -> None:
    """Leave a run's objects for the end of the process to reclaim, when the command line runs as a program."""
    if _as_program:
        _kept_until_exit.append(run)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``jifen`` console script.

    A run of a million applicants leaves some ten million objects behind; freeing
    them one by one takes a second or more and serves nothing when the process
    ends. So the command line keeps them (:func:`_keep_until_exit`), flushes its
    output and ends the process at once, leaving the memory to the system.

    For the same reason the cyclic garbage collector stays off for the whole
    command: the bulk phases pause it anyway (bulk.py), and switching it back on
    between them makes its next pass walk every object made while it was off
    (seconds at a million applicants), to find no cycles that matter in a
    process this short.
    """
    global _as_program
    _as_program = True
    gc.disable()
    try:
        cli.main(args=argv, prog_name="jifen")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader of our output went away
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
