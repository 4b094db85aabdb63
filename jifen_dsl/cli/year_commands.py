"""The commands that carry a policy from one year to the next: new-year and diff.

Their work is in :mod:`jifen_dsl.years`, imported when they run.
"""

from __future__ import annotations

from pathlib import Path

import click

from jifen_dsl.cli.emit import emit, output_named, output_opt, refuse_clobbering, say, tell
from jifen_dsl.cli.options import UsageError, policy_arg
from jifen_dsl.cli.policy_commands import already_exists
from jifen_dsl.data.clobber import STDOUT, Named, policy_inputs
from jifen_dsl.errors import DataError, JifenError, render_diagnostics
from jifen_dsl.messages import M, T

__all__ = ["new_year_cmd", "diff_cmd"]


@click.command(name="new-year")
@policy_arg
@click.option("--year", type=int, help="The new admission year (default: the year after the policy's).")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write it (default: YEAR.jifen beside the policy); - is standard output (written as if at the default place).",
)
@click.option("--extends", "extending", is_flag=True, help="Write a short policy that extends this one and overrides only the clauses holding dates.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def new_year_cmd(policy: str, year: int | None, output: str | None, extending: bool, force: bool) -> None:
    """Start next year's policy: the year and every date moved on, comments and citations kept, checked before it is written."""
    from jifen_dsl.years.newyear import new_year
    from jifen_dsl.data.output import write_text_atomic

    to_stdout = output == STDOUT
    if output and not to_stdout:  # known now: refused before the new text is made (it is checked as if there)
        refuse_clobbering([output_named("-o", output)], policy_inputs(_files_of(policy)))
    # Written to standard output, the text is made as if at the default place (its imports relative to it).
    result = new_year(policy, year, None if to_stdout else output, extends=extending)
    if to_stdout:
        emit(result.text, STDOUT)
    else:
        if not output:
            refuse_clobbering([Named(result.path, result.path)], policy_inputs(_files_of(policy)))
        if Path(result.path).exists() and not force:
            raise DataError([already_exists(result.path)])
        write_text_atomic(result.path, result.text)
    line = tell if to_stdout else say  # standard output holds the policy alone
    header = result.policy.header
    written = T("standard output") if to_stdout else result.path
    line(T("wrote {path}: {district} {year}, from {policy}", path=written, district=header.district, year=header.year, policy=policy))
    for change in result.changes:
        line(T("  {line}", line=change))
    for reminder in result.reminders:
        line(reminder)
    if result.policy.warnings:
        click.echo(render_diagnostics(result.policy.warnings, result.policy.sources), err=True)


def _files_of(policy: str) -> tuple[str, ...]:
    """Every file ``policy`` reads, itself first; only the policy when it does not load (the command reports why)."""
    from jifen_dsl.lang.loader import load

    try:
        return load(policy).files
    except JifenError:
        return (policy,)


@click.command(name="diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--applicants", type=click.Path(dir_okay=False), help="Also show whom the changes affect: run this cohort under both policies.")
@click.option("--schools", type=click.Path(dir_okay=False), help="With --applicants: place the cohort in these schools under both policies.")
@click.option("--cohort-year", type=int, help="With --applicants: the year the cohort's dates belong to; both policies are moved to it (default: the old policy's year).")
@click.option("--evidence", type=click.Path(dir_okay=False), help="With --applicants: the cohort's evidence items, for indicators that count evidence.")
@click.option("--format", "fmt", type=click.Choice(("text", "json", "csv")), default="text", show_default=True, help="Output format.")
@output_opt
def diff_cmd(old: str, new: str, applicants: str | None, schools: str | None, cohort_year: int | None, evidence: str | None, fmt: str, output: str | None) -> None:
    """Compare two policies clause by clause; with --applicants, who is affected by each change."""
    from jifen_dsl.years.diff import diff, load_side
    from jifen_dsl.years.diff_report import format_diff, format_impact
    from jifen_dsl.years.impact import impact

    if (schools or evidence or cohort_year is not None) and not applicants:
        raise UsageError(M("U0014", "--schools, --evidence and --cohort-year apply to a cohort: give --applicants FILE"))
    if output:
        read = [Named(T("the old policy {path}", path=old), old), Named(T("the new policy {path}", path=new), new)]
        read += policy_inputs(_files_of(old))[1:] + policy_inputs(_files_of(new))[1:]
        roles = ((T("the applicant file {path}", path=applicants), applicants), (T("the schools file {path}", path=schools), schools), (T("the evidence file {path}", path=evidence), evidence))
        read += [Named(name, path) for name, path in roles if path]
        refuse_clobbering([output_named("-o", output)], read)
    if applicants:
        emit(format_impact(impact(old, new, applicants, schools, year=cohort_year, evidence=evidence), fmt), output)
        return
    a, b = load_side(old), load_side(new)
    emit(format_diff(a, b, diff(a, b), fmt), output)
