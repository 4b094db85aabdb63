"""The commands that carry a policy from one year to the next: new-year and diff.

Their work is in :mod:`jifen_dsl.years`, imported when they run.
"""

from __future__ import annotations

from pathlib import Path

import click

from jifen_dsl.cli.emit import emit
from jifen_dsl.cli.options import output_opt, policy_arg
from jifen_dsl.errors import DataError, render_diagnostics

__all__ = ["new_year_cmd", "diff_cmd"]


@click.command(name="new-year")
@policy_arg
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
        raise click.UsageError("--schools, --evidence and --cohort-year apply to a cohort: give --applicants FILE")
    if applicants:
        emit(format_impact(impact(old, new, applicants, schools, year=cohort_year, evidence=evidence), fmt), output)
        return
    a, b = load_side(old), load_side(new)
    emit(format_diff(a, b, diff(a, b), fmt), output)
