"""The ``python -m jifen_dsl.synth`` command line: click commands over the generator.

Two commands::

    python -m jifen_dsl.synth applicants --district haizhu --year 2022 --count 240 --seed 1 -o applicants.csv
    python -m jifen_dsl.synth schools --district haizhu --year 2022 --count 12 --seed 1 -o schools.csv

``applicants`` is the default command: ``python -m jifen_dsl.synth --district
haizhu --year 2022 ...`` runs it. Without ``-o`` (or with ``-o -``) the CSV goes
to stdout. Without ``--schools FILE`` the applicants command builds the schools
itself with ``generate_schools(district, year, --school-count, --seed)``.
"""

from __future__ import annotations

import click

from jifen_dsl.synth.applicants import applicant_rows
from jifen_dsl.synth.columns import FIELDS, SCHOOL_FIELDS
from jifen_dsl.synth.profiles import PROFILES, profile
from jifen_dsl.synth.schools import generate_schools, read_schools
from jifen_dsl.synth.writer import write_cells, write_csv

__all__ = ["cli", "main"]


class _DefaultApplicants(click.Group):
    """A group that runs ``applicants`` when the first argument names no command."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["applicants", *args]
        return super().parse_args(ctx, args)


_district_opt = click.option("--district", required=True, type=click.Choice(sorted({d for d, _ in PROFILES})), help="District of the policy.")
_year_opt = click.option("--year", required=True, type=int, help="Admission year of the policy.")
_seed_opt = click.option("--seed", default=1, show_default=True, type=int, help="Seed of the random stream.")
_output_opt = click.option("-o", "--output", default="-", show_default=True, help="Output file; '-' is stdout.")


def _profile_or_fail(district: str, year: int) -> None:
    try:
        profile(district, year)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--district/--year") from None


@click.group(cls=_DefaultApplicants, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """Generate synthetic applicant and school files (applicants is the default command)."""


@cli.command()
@_district_opt
@_year_opt
@click.option("--count", default=240, show_default=True, type=click.IntRange(min=0), help="Number of applicants, boundary cases included.")
@_seed_opt
@click.option("--schools", "schools_path", type=click.Path(exists=True, dir_okay=False), help="Schools CSV the choices are drawn from.")
@click.option("--school-count", default=12, show_default=True, type=click.IntRange(min=2), help="Without --schools: generate this many schools with the same seed.")
@_output_opt
def applicants(district: str, year: int, count: int, seed: int, schools_path: str | None, school_count: int, output: str) -> None:
    """Write an applicant CSV: boundary cases first, then random applicants."""
    _profile_or_fail(district, year)
    try:
        schools = read_schools(schools_path) if schools_path else None
        write_cells(FIELDS, applicant_rows(district, year, count, seed, schools, school_count), output, plain=True)
    except BrokenPipeError:
        raise  # click ends quietly when the reader stops early (| head)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@_district_opt
@_year_opt
@click.option("--count", default=12, show_default=True, type=click.IntRange(min=2), help="Number of schools (2 G1 for each G7).")
@_seed_opt
@click.option("--applicants", "applicant_count", type=click.IntRange(min=1), help="Size the seats for this many applicants (about 40% get one).")
@_output_opt
def schools(district: str, year: int, count: int, seed: int, applicant_count: int | None, output: str) -> None:
    """Write a schools CSV: id, name, type, grade, seats, district."""
    _profile_or_fail(district, year)
    try:
        write_csv(generate_schools(district, year, count, seed, applicant_count), output, SCHOOL_FIELDS)
    except BrokenPipeError:
        raise  # click ends quietly when the reader stops early (| head)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


def main(argv: list[str] | None = None) -> None:
    """Run the command line."""
    cli.main(args=argv, prog_name="python -m jifen_dsl.synth")
