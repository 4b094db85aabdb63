"""Read a schools file: the seats each school offers this year, by grade.

CSV with the columns ``id`` (学校代码), ``name`` (学校名称), ``type`` public|private
(公办|民办), ``grade`` G1|G7 (小学一年级|初中一年级), ``seats`` (学位数) and
``district`` (所在区). Every problem is collected and reported together.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Sequence

import attrs

from . import model
from .errors import DataError

__all__ = ["School", "read_schools", "check_choices"]

_COLUMNS = {
    "id": ("id", "学校代码"),
    "name": ("name", "学校名称"),
    "type": ("type", "类型", "学校类型"),
    "grade": ("grade", "年级", "招生年级"),
    "seats": ("seats", "学位数"),
    "district": ("district", "所在区"),
}
_TYPES = {"public": "public", "公办": "public", "private": "private", "民办": "private"}


@attrs.frozen
class School:
    """One school's offer for one grade, in the order of the schools file."""

    order: int  # position in the file, from 0
    id: str
    name: str
    type: str  # "public" or "private"
    grade: str  # a canonical grade value, e.g. "G1"
    seats: int
    district: str
    row: int  # line in the file


def read_schools(path: str, policy: model.Policy) -> list[School]:
    """The schools of a CSV file; raise DataError listing every problem."""
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise DataError([f"{path}: no such file"]) from None
    except IsADirectoryError:
        raise DataError([f"{path}: is a directory, not a schools file"]) from None
    except UnicodeDecodeError as exc:
        raise DataError([f"{path}: the file is not UTF-8 text (byte {exc.start + 1})"]) from None
    except OSError as exc:
        raise DataError([f"{path}: cannot read ({exc.strerror})"]) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise DataError([f"{path}:{reader.line_num}: {exc}"]) from None
    if not rows:
        raise DataError([f"{path}: the file is empty; expected a header row and one row per school"])
    return _schools(path, rows[0], rows[1:], policy)


def _schools(path: str, header: Sequence[str], rows: Sequence[Sequence[str]], policy: model.Policy) -> list[School]:
    problems: list[str] = []
    names = [h.strip().lstrip("\ufeff") for h in header]
    position: dict[str, int] = {}
    for column, spellings in _COLUMNS.items():
        found = [i for i, h in enumerate(names) if h in spellings]
        if not found:
            problems.append(f"{path}:1: missing column {column!r} ({spellings[1]})")
        else:
            position[column] = found[0]
    if problems:
        raise DataError(problems, title=f"{path}: the schools file has problems")
    grade_type = policy.field(model.GRADE_FIELD).type
    schools: list[School] = []
    seen: dict[str, int] = {}
    line = 1
    for cells in rows:
        line += 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            problems.append(f"{path}:{line}: the row has {len(cells)} cells but the header has {len(names)}")
            continue
        value = {column: cells[i].strip() for column, i in position.items()}
        where = f"{path}:{line}"
        ok = True
        if not value["id"]:
            problems.append(f"{where}:{position['id'] + 1}: column 'id' (学校代码): empty, but a value is required")
            ok = False
        elif value["id"] in seen:
            problems.append(f"{where}:{position['id'] + 1}: duplicate school id {value['id']!r} (first on line {seen[value['id']]})")
            ok = False
        school_type = _TYPES.get(value["type"].lower())
        if school_type is None:
            problems.append(f"{where}:{position['type'] + 1}: column 'type': {value['type']!r} is not public or private (公办 or 民办)")
            ok = False
        grade = grade_type.canonical(value["grade"])
        if grade is None:
            spellings = list(grade_type.members) + [a for a, _ in grade_type.aliases]
            problems.append(f"{where}:{position['grade'] + 1}: column 'grade': {value['grade']!r} is not one of {', '.join(spellings)}")
            ok = False
        seats_text = value["seats"]
        if not seats_text.lstrip("-").isdigit():
            problems.append(f"{where}:{position['seats'] + 1}: column 'seats' (学位数): {seats_text!r} is not a whole number")
            ok = False
        elif int(seats_text) < 0:
            problems.append(f"{where}:{position['seats'] + 1}: column 'seats' (学位数): {seats_text} is negative")
            ok = False
        if ok:
            seen[value["id"]] = line
            schools.append(School(len(schools), value["id"], value["name"], school_type, grade, int(seats_text), value["district"], line))
    if problems:
        raise DataError(problems, title=f"{path}: the schools file has problems")
    return schools


def check_choices(applicants, policy: model.Policy, schools: Sequence[School], applicants_path: str) -> None:
    """Every choice names a known school of the applicant's grade; raise DataError listing every case."""
    by_id = {s.id: s for s in schools}
    problems: list[str] = []
    columns = [(name, policy.read_fields.index(policy.field(name).index)) for name in (model.CHOICES_FIELD, model.CLEARING_FIELD) if policy.has_field(name) and policy.field(name).index in policy.read_fields]
    for applicant in applicants:
        for name, pos in columns:
            seen: set[str] = set()
            for school_id in applicant.record[pos]:
                school = by_id.get(school_id)
                if school_id in seen:
                    problems.append(f"{applicants_path}:{applicant.row}: applicant {applicant.id!r} lists school {school_id!r} twice in {name}")
                seen.add(school_id)
                if school is None:
                    problems.append(f"{applicants_path}:{applicant.row}: applicant {applicant.id!r} chose unknown school {school_id!r} in {name}")
                elif school.grade != applicant.grade:
                    problems.append(
                        f"{applicants_path}:{applicant.row}: applicant {applicant.id!r} (grade {applicant.grade}) chose {school_id!r},"
                        f" a school for grade {school.grade}, in {name}"
                    )
    if problems:
        raise DataError(problems, title=f"{applicants_path}: choices that do not fit the schools file")
