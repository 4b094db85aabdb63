"""Read a schools file: the seats each school offers this year, by grade.

CSV, XLSX, JSON or JSON Lines (as :mod:`jifen_dsl.data.readers` reads them) with the columns ``id`` (学校代码), ``name`` (学校名称), ``type`` public|private
(公办|民办), ``grade`` G1|G7 (小学一年级|初中一年级), ``seats`` (学位数) and
``district`` (所在区). Every problem is collected and reported together.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import attrs

from jifen_dsl.lang import model
from jifen_dsl.errors import DataError
from jifen_dsl.data.cells import column_named, in_column, located, wrong_width
from jifen_dsl.data.readers import Table, UnreadableCell, read_table
from jifen_dsl.data.values import not_one_of, not_whole, required_value
from jifen_dsl.messages import M, Message, T, quoted, series

__all__ = [
    "School", "read_schools", "read_schools_table", "schools_from_table", "check_choices", "choice_problems",
    "chosen_twice", "chose_unknown", "chose_other_grade", "choices_title",
]

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


def read_schools(
    path: str, policy: model.Policy, *, input_format: str | None = None, encoding: str | None = None, sheet: str | None = None,
    formulas: str = "refuse",
) -> list[School]:
    """The schools of a CSV, XLSX, JSON or JSON Lines file; raise DataError listing every problem."""
    return schools_from_table(read_schools_table(path, input_format=input_format, encoding=encoding, sheet=sheet, formulas=formulas), policy)


def read_schools_table(
    path: str, *, input_format: str | None = None, encoding: str | None = None, sheet: str | None = None, formulas: str = "refuse"
) -> Table:
    """A schools file read as text cells (the format by extension unless given; ``formulas``: see read_table)."""
    return read_table(path, fmt=input_format, encoding=encoding, sheet=sheet, what="school", formulas=formulas)


def schools_from_table(table: Table, policy: model.Policy) -> list[School]:
    """Typed schools from a table; raise DataError listing every problem."""
    path = table.path
    at = table.at
    problems: list[Message] = []
    names = [h.strip().lstrip("\ufeff") for h in table.header]
    position: dict[str, int] = {}
    for column, spellings in _COLUMNS.items():
        found = [i for i, h in enumerate(names) if h in spellings]
        if not found:
            problems.append(located(table.header_at(), M("D0501", "missing column {name} ({label})", name=quoted(column), label=spellings[1])))
        else:
            position[column] = found[0]
    title = T("{path}: the schools file has problems", path=path)
    if problems:
        raise DataError(problems, title=title)
    for broken in table.broken:
        problems.append(located(at(broken.row), broken.reason))
    grade_type = policy.field(model.GRADE_FIELD).type
    schools: list[School] = []
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            problems.append(located(at(line), wrong_width(len(cells), len(names))))
            continue
        unreadable = [(column, i) for column, i in position.items() if isinstance(cells[i], UnreadableCell)]
        for column, i in unreadable:
            problems.append(located(at(line, i), in_column(column_named(column), cells[i].reason)))
        if unreadable:
            continue
        value = {column: cells[i].strip() for column, i in position.items()}
        ok = True
        bad = functools.partial(_bad, problems, table, line, position)
        if not value["id"]:
            bad("id", required_value(), "学校代码")
            ok = False
        elif value["id"] in seen:
            problems.append(located(
                at(line, position["id"]),
                M("D0502", "duplicate school id {id} (first on {row})", id=repr(value["id"]), row=table.row_named(seen[value["id"]])),
            ))
            ok = False
        school_type = _TYPES.get(value["type"].lower())
        if school_type is None:
            bad("type", M("D0503", "{text} is not public or private (公办 or 民办)", text=repr(value["type"])))
            ok = False
        grade = grade_type.canonical(value["grade"])
        if grade is None:
            bad("grade", not_one_of(value["grade"], series(list(grade_type.members) + [a for a, _ in grade_type.aliases])))
            ok = False
        seats_text = value["seats"]
        if not seats_text:
            bad("seats", required_value(), "学位数")
            ok = False
        elif not seats_text.lstrip("-").isdigit():
            bad("seats", not_whole(seats_text), "学位数")
            ok = False
        elif int(seats_text) < 0:
            bad("seats", M("D0504", "{seats} is negative", seats=seats_text), "学位数")
            ok = False
        if ok:
            seen[value["id"]] = line
            schools.append(School(len(schools), value["id"], value["name"], school_type, grade, int(seats_text), value["district"], line))
    if problems:
        raise DataError(problems, title=title)
    if not schools:
        raise DataError([M("D0505", "{path}: the file has a header but no schools", path=path)])
    return schools


def _bad(problems: list[Message], table: Table, line: int, position: dict[str, int], column: str, problem: Message, label: str | None = None) -> None:
    """A bad cell of a row: its place, its column (with ``label``, the column's Chinese name) and what is wrong."""
    problems.append(located(table.at(line, position[column]), in_column(column_named(column, label), problem)))


def _schools(path: str, header: Sequence[str], rows: Sequence[Sequence[str]], policy: model.Policy) -> list[School]:
    """Typed schools from a CSV header and its rows (the first on line 2)."""
    return schools_from_table(Table(path, "csv", tuple(header), [(i, list(cells)) for i, cells in enumerate(rows, start=2)]), policy)


def choice_problems(applicants, policy: model.Policy, schools: Sequence[School]) -> list[tuple[object, Message]]:
    """(applicant, reason) for every choice that names an unknown school, a school of another grade, or one twice."""
    by_id = {s.id: s for s in schools}
    found: list[tuple[object, Message]] = []
    columns = [(name, policy.read_fields.index(policy.field(name).index)) for name in (model.CHOICES_FIELD, model.CLEARING_FIELD) if policy.has_field(name) and policy.field(name).index in policy.read_fields]
    # The ids of each grade's schools: a list that names only those, each once, is fine, and
    # two set operations say so. Only a list that fails them is looked at school by school.
    ids_by_grade: dict[str, set[str]] = {}
    for school in schools:
        ids_by_grade.setdefault(school.grade, set()).add(school.id)
    of_grade = {grade: frozenset(ids) for grade, ids in ids_by_grade.items()}
    nothing: frozenset[str] = frozenset()
    get = of_grade.get
    for applicant in applicants:
        record = applicant.record
        fine = get(applicant.grade, nothing)
        for name, pos in columns:
            chosen = record[pos]
            if not chosen:
                continue
            if len(chosen) == 1:
                if chosen[0] in fine:
                    continue
            elif fine.issuperset(chosen) and len(set(chosen)) == len(chosen):
                continue
            seen: set[str] = set()
            for school_id in chosen:
                school = by_id.get(school_id)
                if school_id in seen:
                    found.append((applicant, chosen_twice(repr(applicant.id), repr(school_id), name)))
                seen.add(school_id)
                if school is None:
                    found.append((applicant, chose_unknown(repr(applicant.id), repr(school_id), name)))
                elif school.grade != applicant.grade:
                    found.append((applicant, chose_other_grade(repr(applicant.id), applicant.grade, repr(school_id), school.grade, name)))
    return found


# The reasons of a choice that does not fit, as choice_problems gives them and choicecheck writes them over columns:
# ids as Python's repr() quotes them, the field (choices, clearing_choices) by its name.


def chosen_twice(applicant: Any, school: Any, field: Any) -> Message:
    return M("D0601", "applicant {id} lists school {school} twice in {field}", id=applicant, school=school, field=field)


def chose_unknown(applicant: Any, school: Any, field: Any) -> Message:
    return M("D0602", "applicant {id} chose unknown school {school} in {field}", id=applicant, school=school, field=field)


def chose_other_grade(applicant: Any, grade: Any, school: Any, school_grade: Any, field: Any) -> Message:
    return M(
        "D0603", "applicant {id} (grade {grade}) chose {school}, a school for grade {school_grade}, in {field}",
        id=applicant, grade=grade, school=school, school_grade=school_grade, field=field,
    )


def choices_title(path: str) -> Message:
    """The title of the list of choices that do not fit."""
    return T("{path}: choices that do not fit the schools file", path=path)


def check_choices(applicants, policy: model.Policy, schools: Sequence[School], source: "str | Table") -> None:
    """Every choice names a known school of the applicant's grade; raise DataError listing every case."""
    _raise_problems(_choice_messages(applicants, policy, schools, source), source)


def _choice_messages(applicants, policy: model.Policy, schools: Sequence[School], source: "str | Table") -> list[Message]:
    at: Callable[[int], Any] = source.at if isinstance(source, Table) else (lambda row: f"{source}:{row}")
    return [located(at(applicant.row), reason) for applicant, reason in choice_problems(applicants, policy, schools)]


def _raise_problems(problems: list[Message], source: "str | Table") -> None:
    if problems:
        path = source.path if isinstance(source, Table) else source
        raise DataError(problems, title=choices_title(path))
