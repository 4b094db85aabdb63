"""The commands that work on a policy alone: check, template, compile, schedule and deadline.

None of them reads applicants, so none loads the readers, the evaluator or the
allocator; each imports what it needs when it runs, and ``jifen check`` starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from jifen_dsl.cli.emit import emit, emit_bytes, output_named, output_opt, refuse_clobbering, say, tell
from jifen_dsl.cli.options import UsageError, policy_arg
from jifen_dsl.data.clobber import STDOUT, policy_inputs
from jifen_dsl.errors import DataError, Diagnostic, JifenError, PolicyError, render_diagnostics
from jifen_dsl.messages import M, N, T, render, series

if TYPE_CHECKING:
    from jifen_dsl.lang import model

__all__ = ["check", "template_cmd", "compile_cmd", "schedule_cmd", "deadline_cmd"]


def _when(text: str, option: str, *, time: bool):
    """A date, or with ``time`` a date and time, from an option; DataError when it is neither."""
    from jifen_dsl.lang.typesys import DATE, DATETIME
    from jifen_dsl.data.values import CellError, parser_for

    for type_ in ((DATETIME, DATE) if time else (DATE,)):
        try:
            return parser_for(type_)(text.strip())
        except CellError:
            continue
    expected = T("a date (2022-05-10) or a date and time (2022-05-10 17:00)") if time else T("a date (2020-04-30)")
    raise DataError([M("U0010", "{option}: {text} is not {expected}", option=option, text=repr(text), expected=expected)])


def already_exists(path: str):
    """An output that is there already, and the command was not told to replace it."""
    return M("U0013", "{path}: already exists; give another name with -o, or --force to replace it", path=path)


def _refuse_onto_policy(output: str | None, policy: model.Policy) -> None:
    """Refuse -o onto the policy or a file it reads, before anything is written."""
    if output:
        refuse_clobbering([output_named("-o", output)], policy_inputs(policy.files))


def _schedule_of(policy: model.Policy) -> None:
    """Refuse a policy without a schedule section: schedule and deadline report on it."""
    if policy.schedule is None:
        raise PolicyError([Diagnostic(M("U0011", "{path}: the policy has no schedule section", path=policy.path), hint=T("add one: schedule {{ phase ... }}"))])


@click.command()
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
            say(T(
                "{path}: ok - library: {fields}, {definitions}", path=path,
                fields=N("{count} field", "{count} fields", len(checked.fields)),
                definitions=N("{count} definition", "{count} definitions", len(checked.definitions)),
            ))
        else:
            header = checked.header
            grades = series([g.value for g in checked.grades]) if checked.grades else T("all grades")
            say(T(
                "{path}: ok - {district} {year}: {requirements} ({grades}), {indicators}, {batches}, {keys}",
                path=path, district=header.district, year=header.year, grades=grades,
                requirements=N("{count} requirement", "{count} requirements", len(checked.requirements)),
                indicators=N("{count} indicator", "{count} indicators", len(checked.points.indicators)),
                batches=N("{count} batch", "{count} batches", len(checked.batches)),
                keys=N("{count} tie-break key", "{count} tie-break keys", len(checked.tiebreaks)),
            ))
    if failures:
        click.get_current_context().exit(1)


@click.command(name="template")
@policy_arg
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx")), default="xlsx", show_default=True, help="Template format.")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write it (default: applicants-template.xlsx or .csv here); - is standard output (xlsx only).",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.option("--no-bom", is_flag=True, help="CSV: leave out the byte-order mark Excel needs to show Chinese headers.")
def template_cmd(policy: str, fmt: str, output: str | None, force: bool, no_bom: bool) -> None:
    """An empty applicant file with the columns this policy reads (Chinese headers) and a description of each."""
    from jifen_dsl.data.output import write_bytes_atomic
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.data.template import template_files

    if output == STDOUT and fmt == "csv":
        raise UsageError(M("U0009", "a CSV template is two files (the template and its column descriptions): give -o FILE.csv, or --format xlsx for standard output"))
    compiled = load_policy(policy)
    if output == STDOUT:
        (workbook,) = template_files(compiled.policy, "applicants-template.xlsx", fmt).values()
        emit_bytes(workbook, output)
        tell(T("wrote {path}: {columns}", path=T("standard output"), columns=N("{count} column", "{count} columns", len(compiled.policy.read_fields))))
        return
    target = output or f"applicants-template.{fmt}"
    files = template_files(compiled.policy, target, fmt, bom=not no_bom)
    names = [output_named("-o", path) if path == output else output_named(render(T("the template file")), path) for path in files]
    refuse_clobbering(names, policy_inputs(compiled.policy.files))
    existing = [p for p in files if Path(p).exists()]
    if existing and not force:
        raise DataError([already_exists(p) for p in existing])
    for path, data in files.items():
        write_bytes_atomic(path, data)
    tell(T("wrote {path}: {columns}", path=series(list(files)), columns=N("{count} column", "{count} columns", len(compiled.policy.read_fields))))


@click.command(name="compile")
@policy_arg
@click.option("--show", is_flag=True, help="Print the generated Python source.")
@output_opt
def compile_cmd(policy: str, show: bool, output: str | None) -> None:
    """Compile a policy to Python; with --show, print the generated code for review."""
    from jifen_dsl.compile.pipeline import load_policy

    compiled = load_policy(policy)
    _refuse_onto_policy(output, compiled.policy)
    if show or output:
        emit(compiled.source, output)
    else:
        lines = compiled.source.count("\n") + 1
        say(N("{path}: compiled to {count} line of Python (use --show to print them)", "{path}: compiled to {count} lines of Python (use --show to print them)", lines, path=policy))


@click.command(name="schedule")
@policy_arg
@click.option("--on", "moment", metavar="DATETIME", help="Say which phases are open at this date, or date and time.")
@output_opt
def schedule_cmd(policy: str, moment: str | None, output: str | None) -> None:
    """Show the policy's timeline of phases, and which are open at a given moment."""
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.evaluation.schedule_report import format_schedule

    checked = load_policy(policy).policy
    _refuse_onto_policy(output, checked)
    _schedule_of(checked)
    at = _when(moment, "--on", time=True) if moment is not None else None
    emit(format_schedule(checked, at), output)


@click.command(name="deadline")
@policy_arg
@click.option("--accepted", required=True, metavar="DATE", help="The day the points application was accepted (受理).")
@output_opt
def deadline_cmd(policy: str, accepted: str, output: str | None) -> None:
    """When points accepted on a day are verified, and whether that is in time for the policy."""
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.timeline.schedule import deadline
    from jifen_dsl.evaluation.schedule_report import format_deadline

    checked = load_policy(policy).policy
    _refuse_onto_policy(output, checked)
    _schedule_of(checked)
    if checked.schedule.verification is None:
        raise PolicyError([Diagnostic(
            M("U0012", "{path}: the schedule does not say how long points verification takes", path=policy),
            hint=T("add to the schedule: verification 35 workdays after <acceptance phase> (积分核定 「受理」 后 35个工作日)"),
        )])
    day = _when(accepted, "--accepted", time=False)
    emit(format_deadline(checked, deadline(checked.schedule, checked.calendar, day)), output)
