"""The synthetic Haizhu 2022 files the benchmarks run on, generated once and kept in a work directory.

Generating a million applicants takes about 20 seconds, so each size is written
once, under the system's temporary directory unless told otherwise, and never
into the repository.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from jifen_dsl import synth

__all__ = ["POLICY", "ROOT", "default_workdir", "files"]

ROOT = Path(__file__).resolve().parent.parent
POLICY = ROOT / "policies" / "haizhu" / "2022.jifen"


def default_workdir() -> Path:
    """Where generated files are kept between runs."""
    return Path(tempfile.gettempdir()) / "jifen-bench"


def files(workdir: Path, count: int, schools: int) -> tuple[Path, Path]:
    """The applicants and schools files for ``count`` applicants over ``schools`` schools, generated once."""
    workdir.mkdir(parents=True, exist_ok=True)
    school_file = workdir / f"schools-{schools}-{count}.csv"
    applicant_file = workdir / f"applicants-{count}-{schools}.csv"
    if not school_file.exists():
        synth.write_csv(synth.generate_schools("haizhu", 2022, schools, 7, applicants=count), str(school_file), synth.SCHOOL_FIELDS)
    if not applicant_file.exists():
        rows = synth.iter_applicants("haizhu", 2022, count, 7, schools=synth.read_schools(str(school_file)))
        synth.write_csv(rows, str(applicant_file))
    return applicant_file, school_file
