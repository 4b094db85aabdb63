"""Compare two years of a district's policy in a snapshot test: the clause diff and the impact on a cohort.

To add a year, write its policy (``jifen new-year``, then edit), and add a test to
tests/years/test_years.py::

    def test_haizhu_2024_against_2023(snapshot):
        compare_years(snapshot, "haizhu", 2023, 2024, cohort="haizhu-2022")

``compare_years`` runs, in the repository's top directory,

    jifen diff policies/<district>/<old>.jifen policies/<district>/<new>.jifen
    jifen diff ... --applicants examples/<cohort>/applicants.csv --schools examples/<cohort>/schools.csv --cohort-year <year>

and compares each output with its stored snapshot ("clauses" and "impact"). The
cohort is a directory of examples/ (its schools.csv is used when it has one);
its year is the number the directory's name ends in, unless ``cohort_year``
says otherwise. Then run ``pytest tests/years/test_years.py --snapshot-update``, read
the new entries of tests/years/__snapshots__/test_years.ambr - every clause that
changed, and every applicant whose outcome changed and why - and commit them
with the policy. From then on a change to either policy that changes a clause
or an outcome fails the test until its snapshot is updated and reviewed.
"""

from __future__ import annotations

import contextlib
import re

from click.testing import CliRunner

from jifen_dsl.cli import cli

from ..conftest import ROOT

__all__ = ["compare_years"]


def _jifen(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def compare_years(snapshot, district: str, old_year: int, new_year: int, cohort: str, *, cohort_year: int | None = None) -> None:
    """Assert the clause diff and the cohort impact of two years of a district's policy against their snapshots."""
    old = f"policies/{district}/{old_year}.jifen"
    new = f"policies/{district}/{new_year}.jifen"
    folder = ROOT / "examples" / cohort
    if cohort_year is None:
        found = re.search(r"(\d{4})$", cohort)
        assert found, f"give cohort_year: the name {cohort!r} does not end in a year"
        cohort_year = int(found.group(1))
    cohort_args = ["--applicants", f"examples/{cohort}/applicants.csv", "--cohort-year", str(cohort_year)]
    if (folder / "schools.csv").is_file():
        cohort_args += ["--schools", f"examples/{cohort}/schools.csv"]
    with contextlib.chdir(ROOT):  # the outputs name files relative to the repository's top directory
        assert _jifen("diff", old, new) == snapshot(name="clauses")
        assert _jifen("diff", old, new, *cohort_args) == snapshot(name="impact")
