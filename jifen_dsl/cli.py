"""The ``jifen`` command line: a thin layer that turns arguments into library calls.

Every project error is caught in one place (:func:`main`), rendered to stderr,
and ends the command with exit status 1. Usage errors are click's (status 2).
"""

from __future__ import annotations

import os
import traceback

import click

from . import __version__, model
from .applicants import Applicant, read_applicants
from .compiler import CompiledPolicy
from .errors import DataError, Diagnostic, JifenError, PolicyError, render_diagnostics
from .evidence import read_evidence
from .evaluator import evaluate
from .explain import explain as explain_text, explain_allocation
from .output import write_text_atomic
from .pipeline import check_file, load_policy
from .report import FORMATS, format_evaluations, summary_line
from .allocation_report import format_placements, format_summary
from .allocator import allocate
from .schedule import deadline
from .schedule_report import format_deadline, format_schedule
from .schools import check_choices, read_schools
from .values import CellError, parser_for
from .typesys import DATE, DATETIME
from .verify import verify, verify_conservation
from .workdays import year_ranges

__all__ = ["main", "cli"]


def _emit(text: str, output: str | None) -> None:
    """Write a command's result to a file (atomically) or to stdout."""
    if output:
        write_text_atomic(output, text)
    else:
        click.echo(text, nl=False)


_policy_arg = click.argument("policy", type=click.Path(dir_okay=False))
_format_opt = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True, help="Output format.")
_output_opt = click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of stdout (atomically).")
_evidence_opt = click.option(
    "--evidence", type=click.Path(dir_okay=False),
    help="Evidence items (id, indicator, date, value) for the indicators that count evidence.",
)


def _applicants(compiled: CompiledPolicy, applicants: str, evidence: str | None) -> list[Applicant]:
    """The applicants of a file, joined to their evidence when an evidence file is given."""
    people = read_applicants(applicants, compiled.policy)
    if evidence:
        return read_evidence(evidence, compiled.policy, people)
    if compiled.policy.evidence:
        click.echo(f"note: no --evidence file, so no applicant has evidence for {', '.join(compiled.policy.evidence)}", err=True)
    return people


def _when(text: str, option: str, *, time: bool):
    """A date, or with ``time`` a date and time, from an option; DataError when it is neither."""
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
            years = f", calendar {year_ranges(checked.calendar_years)}" if checked.calendar_years else ""
            click.echo(f"{path}: ok - library: {len(checked.fields)} fields, {len(checked.definitions)} definitions{years}")
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
@_evidence_opt
def evaluate_cmd(policy: str, applicants: str, fmt: str, output: str | None, evidence: str | None) -> None:
    """Evaluate every applicant: eligibility, failed requirements, batch, points and rank."""
    compiled = load_policy(policy)
    people = _applicants(compiled, applicants, evidence)
    results = evaluate(compiled, people)
    verify_conservation([a.id for a in people], [e.id for e in results])
    _emit(format_evaluations(compiled, results, fmt), output)
    click.echo(summary_line(results), err=True)


@cli.command(name="allocate")
@_policy_arg
@click.argument("applicants", type=click.Path(dir_okay=False))
@click.argument("schools", type=click.Path(dir_okay=False))
@_format_opt
@_output_opt
@click.option("--summary", "show_summary", is_flag=True, help="Show the per-school summary and the subsidy budget instead of one line per applicant.")
@_evidence_opt
def allocate_cmd(policy: str, applicants: str, schools: str, fmt: str, output: str | None, show_summary: bool, evidence: str | None) -> None:
    """Assign seats: qualification, choices, coordinated placement and clearing, checked before it is shown."""
    compiled = load_policy(policy)
    people = _applicants(compiled, applicants, evidence)
    offer = read_schools(schools, compiled.policy)
    check_choices(people, compiled.policy, offer, applicants)
    allocation = allocate(compiled, evaluate(compiled, people), offer)
    verify(allocation, [a.id for a in people])
    text = format_summary(allocation, fmt) if show_summary else format_placements(allocation, fmt)
    _emit(text, output)
    counts: dict[str, int] = {}
    for p in allocation.placements:
        counts[p.status] = counts.get(p.status, 0) + 1
    click.echo(f"{len(people)} applicants: " + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(counts.items())), err=True)


@cli.command(name="explain")
@_policy_arg
@click.argument("applicants", type=click.Path(dir_okay=False))
@click.option("--id", "applicant_id", required=True, help="The application id (申请编号) to explain.")
@click.option("--schools", type=click.Path(dir_okay=False), help="Also explain the seat allocation over this schools file.")
@_output_opt
@_evidence_opt
def explain_cmd(policy: str, applicants: str, applicant_id: str, schools: str | None, output: str | None, evidence: str | None) -> None:
    """Explain one applicant: each requirement with its values, the points, the batch and rank, and the seat."""
    compiled = load_policy(policy)
    people = _applicants(compiled, applicants, evidence)
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


@cli.command(name="schedule")
@_policy_arg
@click.option("--on", "moment", metavar="DATETIME", help="Say which phases are open at this date, or date and time.")
@_output_opt
def schedule_cmd(policy: str, moment: str | None, output: str | None) -> None:
    """Show the policy's timeline of phases, and which are open at a given moment."""
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
    checked = load_policy(policy).policy
    _schedule_of(checked)
    if checked.schedule.verification is None:
        raise PolicyError([Diagnostic(
            f"{policy}: the schedule does not say how long points verification takes",
            hint="add to the schedule: verification 35 workdays after <acceptance phase> (积分核定 「受理」 后 35个工作日)",
        )])
    day = _when(accepted, "--accepted", time=False)
    _emit(format_deadline(checked, deadline(checked.schedule, checked.calendar, day)), output)


@cli.command(name="compile")
@_policy_arg
@click.option("--show", is_flag=True, help="Print the generated Python source.")
@_output_opt
def compile_cmd(policy: str, show: bool, output: str | None) -> None:
    """Compile a policy to Python; with --show, print the generated code for review."""
    compiled = load_policy(policy)
    if show or output:
        _emit(compiled.source, output)
    else:
        lines = compiled.source.count("\n") + 1
        click.echo(f"{policy}: compiled to {lines} lines of Python (use --show to print them)")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``jifen`` console script."""
    cli.main(args=argv, prog_name="jifen")


if __name__ == "__main__":  # pragma: no cover
    main()
