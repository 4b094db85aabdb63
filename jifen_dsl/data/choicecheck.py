"""The choice check on a cohort frame: every choice names a known school of the applicant's grade, once.

The columnar counterpart of :func:`jifen_dsl.data.schools.choice_problems` and
:func:`~jifen_dsl.data.schools.check_choices`, for a cohort held as a polars
frame (columns ``row``, ``id``, ``grade`` and ``f_N`` for each field the policy
reads, as :mod:`jifen_dsl.lang.columns` names them). It gives the same reasons
in the same order, so a run reports the same problems whichever way it holds
the cohort; and it works on the columns, in this process, where the check of
a million applicant objects was worth a second process.

How: the school ids, ordered by grade, are the categories of an Enum, so each
chosen id has a code, the schools of one grade hold one range of codes, and
an unknown id has the code past the last (_Codes). Most lists are fine, and a
few list operations over the whole column say which (_suspects): codes in the
applicant's grade's range, as many distinct ids as ids. Only the other
applicants' lists are exploded into one row per chosen school with its place
in the list (_chosen_schools); a repeat (the "twice" problem) is looked for
only in a list with fewer distinct ids than ids. A code tells an unknown
school and one of another grade. The messages are written with string
expressions for the problem rows only, so the text work is as small as the
problems are few: each reason is the message ``choice_problems`` gives, put
into words in the language asked for (by default that of a run's files, as
:func:`~jifen_dsl.data.records.file_language` says: the reasons go to the
rejects file) with a marker for each value, and written
for every row as one concatenation of its words and the row's values
(:func:`_written`). :func:`check_choices_frame` makes the messages themselves,
row by row, so that its DataError is put into words when it is shown.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Sequence

import polars as pl

from jifen_dsl.data.cells import located
from jifen_dsl.data.records import file_language
from jifen_dsl.data.schools import chose_other_grade, chose_unknown, chosen_twice, choices_title
from jifen_dsl.errors import DataError
from jifen_dsl.lang import columns, model
from jifen_dsl.messages import Message

__all__ = ["PROBLEMS_SCHEMA", "choice_problems_frame", "check_choices_frame"]

# One row per problem: the applicant's position in the frame (from 0), its row in the file, and the reason.
PROBLEMS_SCHEMA = pl.Schema({"position": pl.Int64, "row": pl.Int64, "reason": pl.String})

# A character outside the text Python's repr() quotes escaping nothing but a backslash or
# a quote: printable ASCII and the CJK ideographs every Unicode version since 13 assigns.
# Text with one (a control character, a character a newer Unicode assigns, ...) is quoted
# by repr itself, so the reasons match whatever Unicode version Python knows.
_ODD = r"[^ -~\x{3400}-\x{4DBF}\x{4E00}-\x{9FFC}]"
# A character other than printable ASCII that repr() leaves as it is (all but a quote and a backslash).
_SPECIAL = r"[^ -&(-\[\]-~]"
# The two problems of one chosen school come in this order: the repeat, then the school itself.
_TWICE, _SCHOOL = 0, 1
# A value's place in a reason put into words for _written: its name between two NULs, which no message holds.
_SLOT = re.compile("\x00([a-z_]+)\x00")
# The columns of a problem that its reason names, as the placeholders of the reasons name them.
_VALUES = {"id": "id_text", "school": "school_text", "grade": "grade_text", "school_grade": "school_grade_text", "field": "name"}


def choice_problems_frame(frame: pl.DataFrame, policy: model.Policy, schools: Sequence, *, lang: str | None = None) -> pl.DataFrame:
    """One row per choice that names an unknown school, a school of another grade, or one twice (PROBLEMS_SCHEMA).

    ``schools`` are :class:`~jifen_dsl.data.schools.School` objects (only their
    ``id`` and ``grade`` are read). The reasons and their order are those of
    ``choice_problems``: by applicant, then choices before clearing choices, then
    by place in the list, a repeat's message before the school's own. They are
    written in ``lang``, by default in the language of a run's files.
    """
    found = _problems(frame, policy, schools)
    if found is None:
        return pl.DataFrame(schema=PROBLEMS_SCHEMA)
    return found.with_columns(reason=_reasons(lang or file_language())).select("position", pl.col("row").cast(pl.Int64), "reason")


def _problems(frame: pl.DataFrame, policy: model.Policy, schools: Sequence) -> pl.DataFrame | None:
    """One row per problem, in ``choice_problems``' order, with what its reason says (the ``_VALUES`` columns); None when the policy reads no choices."""
    lists = _list_columns(policy)
    if not lists:
        return None
    codes = _Codes(schools)
    suspects = _suspects(frame, lists, codes)
    chosen = _chosen_schools(suspects, lists)
    if not codes.unique:
        chosen = _drop_fitting_lists(chosen, suspects, schools)
    known = pl.col("code") < codes.unknown
    in_grade = ((pl.col("code") >= pl.col("low")) & (pl.col("code") <= pl.col("high"))).fill_null(False)
    twice = chosen.filter("twice").select("local", "field", "at", "school", "code", kind=pl.lit(_TWICE, pl.Int8))
    school = chosen.filter(~known | ~in_grade).select("local", "field", "at", "school", "code", kind=pl.lit(_SCHOOL, pl.Int8))
    found = pl.concat([twice, school]).sort("local", "field", "at", "kind")
    local = found.get_column("local")
    found = found.with_columns(
        *(suspects.get_column(name).gather(local) for name in ("position", "row", "id", "grade")),
        known=known,
        school_grade=codes.grades.gather(found.get_column("code")),
        name=pl.col("field").replace_strict({order: name for order, name, _ in lists}, return_dtype=pl.String),
    )
    return _with_values(found)


def check_choices_frame(
    frame: pl.DataFrame, policy: model.Policy, schools: Sequence, at: Callable[[int], Any], path: str
) -> None:
    """Every choice names a known school of the applicant's grade; raise DataError listing every case, as ``check_choices`` does.

    ``at`` says where a row is (as ``Table.at``); ``path`` names the applicant file in the title.
    """
    found = _problems(frame, policy, schools)
    if found is not None and found.height:
        rows = found.select("row", "kind", "known", *_VALUES.values()).iter_rows()
        problems = [located(at(row), _reason(kind, known, *values)) for row, kind, known, *values in rows]
        raise DataError(problems, title=choices_title(path))


def _reason(kind: int, known: bool, id_text: str, school_text: str, grade_text: str, school_grade_text: str, name: str) -> Message:
    """One problem's reason, as ``choice_problems`` gives it."""
    if kind == _TWICE:
        return chosen_twice(id_text, school_text, name)
    if not known:
        return chose_unknown(id_text, school_text, name)
    return chose_other_grade(id_text, grade_text, school_text, school_grade_text, name)


def _list_columns(policy: model.Policy) -> list[tuple[int, str, str]]:
    """(order, field name, column) of the lists of schools the policy reads: choices (0), then clearing choices (1)."""
    return [
        (order, name, columns.field_column(policy.read_fields.index(policy.field(name).index)))
        for order, name in enumerate((model.CHOICES_FIELD, model.CLEARING_FIELD))
        if policy.has_field(name) and policy.field(name).index in policy.read_fields
    ]


class _Codes:
    """The schools as the codes of an Enum of their ids, ordered by grade: the schools of one grade have the codes from low to high.

    A school id stands for the last school with it, as a dict of the schools
    keeps it; a chosen id that is no school's gets the code ``unknown``, one
    past the last. So one comparison of codes tells whether a chosen school is
    known and whether it is of the applicant's grade.
    """

    def __init__(self, schools: Sequence) -> None:
        by_id = {school.id: school.grade for school in schools}
        ordered = sorted(by_id.items(), key=lambda item: str(item[1]))  # stable: the file's order within a grade
        self.unique = len(by_id) == len(schools)
        self.ids = pl.Enum([school_id for school_id, _ in ordered])
        self.unknown = len(ordered)
        self.grades = pl.Series("school_grade", [grade for _, grade in ordered] + [None], dtype=pl.String)  # by code
        self.low: dict[str, int] = {}
        self.high: dict[str, int] = {}
        for code, (_, grade) in enumerate(ordered):
            self.low.setdefault(grade, code)
            self.high[grade] = code

    def of(self, chosen: pl.Expr) -> pl.Expr:
        """The codes of a list of school ids."""
        physical = chosen.cast(pl.List(self.ids), strict=False).to_physical()
        return physical.list.eval(pl.element().cast(pl.UInt32).fill_null(self.unknown))


def _suspects(frame: pl.DataFrame, lists: list[tuple[int, str, str]], codes: _Codes) -> pl.DataFrame:
    """The applicants some list of whom may have a problem: position (in the frame), row, id, grade, low, high, and each list with its codes.

    Most lists are fine, and telling so list by list is far cheaper than
    looking at every chosen school: a list is fine when its codes lie in the
    range of the applicant's grade and it has as many distinct ids as it has
    ids. When two schools share an id the ranges do not tell (see
    _drop_fitting_lists): then every applicant is a suspect.
    """
    wanted = ["row", "id", "grade", *(column for _, _, column in lists)]
    numbered = frame.lazy().select(*wanted, position=pl.int_range(pl.len(), dtype=pl.Int64))
    grades = list(codes.low)
    # The grade's place among the schools' grades, looked up once; its range gathered from the few ranges.
    place = columns.place_among(pl.col("grade"), grades)
    coded = numbered.with_columns(place.alias("_grade")).with_columns(
        low=pl.lit(pl.Series([codes.low[g] for g in grades], dtype=pl.UInt32)).gather(pl.col("_grade")),
        high=pl.lit(pl.Series([codes.high[g] for g in grades], dtype=pl.UInt32)).gather(pl.col("_grade")),
        *(codes.of(pl.col(column)).alias(f"codes_{order}") for order, _, column in lists),
    ).drop("_grade")
    if codes.unique:
        fine = [_fits(pl.col(column), pl.col(f"codes_{order}")) for order, _, column in lists]
        coded = coded.filter(~pl.all_horizontal(fine))
    return coded.collect()


def _fits(chosen: pl.Expr, codes: pl.Expr) -> pl.Expr:
    """Whether a list is empty, or names only schools whose ``codes`` lie in the applicant's grade's range, each once."""
    length = chosen.list.len()
    in_grade = (codes.list.min() >= pl.col("low")) & (codes.list.max() <= pl.col("high"))
    # Counted over the codes, which are cheaper to tell apart than the ids: two ids of known
    # schools share no code, and an unknown id is out of every range anyway.
    once = (length < 2) | (codes.list.n_unique() == length)
    return (length.fill_null(0) == 0) | (in_grade & once).fill_null(False)


def _chosen_schools(suspects: pl.DataFrame, lists: list[tuple[int, str, str]]) -> pl.DataFrame:
    """One row per chosen school of the suspects' non-empty lists: local, field, at, school, code, low, high, twice.

    ``local`` is the suspect's place among the suspects, ``field`` the list's
    order (0 choices, 1 clearing), ``at`` the place in the list; ``twice`` says
    the school came earlier in the same list. Only a list with fewer distinct
    ids than ids has a repeat, and only those are looked at for one.
    """
    parts = []
    numbered = suspects.with_columns(local=pl.int_range(pl.len(), dtype=pl.Int64))
    for order, _, column in lists:
        some = numbered.select("local", "low", "high", pl.col(column).alias("school"), pl.col(f"codes_{order}").alias("code"))
        length = pl.col("school").list.len()
        some = some.filter(length > 0).with_columns(at=pl.int_ranges(0, length, dtype=pl.Int32), repeats=pl.col("school").list.n_unique() < length)
        once = some.filter(~pl.col("repeats")).explode("school", "code", "at").with_columns(twice=pl.lit(False))
        again = some.filter("repeats").with_columns(twice=pl.col("school").list.eval(~pl.element().is_first_distinct()))
        for part in (once, again.explode("school", "code", "at", "twice")):
            parts.append(part.drop("repeats").with_columns(field=pl.lit(order, pl.Int8)))
    return pl.concat(parts)


def _drop_fitting_lists(chosen: pl.DataFrame, suspects: pl.DataFrame, schools: Sequence) -> pl.DataFrame:
    """Without the lists that name only schools of the applicant's grade, each once.

    Needed only when two schools share an id: ``choice_problems`` passes such a
    list if any school of that id is of the grade, though the school it then
    looks up (the later one) may be of another grade. With unique ids such a
    list has no problems anyway.
    """
    pairs = pl.DataFrame(
        {"school": [s.id for s in schools], "grade": [s.grade for s in schools]}, schema={"school": pl.String, "grade": pl.String}
    ).unique().with_columns(fits=pl.lit(True))
    chosen = chosen.with_columns(grade=suspects.get_column("grade").gather(chosen.get_column("local")))
    chosen = chosen.join(pairs, on=["school", "grade"], how="left").with_columns(pl.col("fits").fill_null(False))
    passes = (pl.col("fits") & ~pl.col("twice")).all().over("local", "field")
    return chosen.filter(~passes).drop("fits", "grade")


def _with_values(found: pl.DataFrame) -> pl.DataFrame:
    """The problems with the values their reasons name, as ``choice_problems`` writes them (ids as Python's repr quotes them, a missing value as None)."""
    schools = found.get_column("school").drop_nulls().unique()
    return found.with_columns(
        id_text=_quoted(found.get_column("id")),
        school_text=pl.col("school").replace_strict(schools, _quoted(schools), default=None, return_dtype=pl.String).fill_null("None"),
        grade_text=pl.col("grade").fill_null("None"),
        school_grade_text=pl.col("school_grade").fill_null("None"),
    )


def _reasons(lang: str) -> pl.Expr:
    """Each problem's reason, in ``lang``: a repeat, an unknown school, or a school of another grade."""
    slot = {name: f"\x00{name}\x00" for name in _VALUES}
    twice, unknown = pl.col("kind") == _TWICE, ~pl.col("known")
    return (
        pl.when(twice).then(_written(chosen_twice(slot["id"], slot["school"], slot["field"]), lang))
        .when(unknown).then(_written(chose_unknown(slot["id"], slot["school"], slot["field"]), lang))
        .otherwise(_written(chose_other_grade(slot["id"], slot["grade"], slot["school"], slot["school_grade"], slot["field"]), lang))
    )


def _written(message: Message, lang: str) -> pl.Expr:
    """``message``, whose values are slots (a name between NULs), in ``lang``'s words with each slot the column ``_VALUES`` names: one concatenation."""
    parts = []
    for k, piece in enumerate(_SLOT.split(message.render(lang))):  # words, a slot's name, words, ...
        if k % 2:
            parts.append(pl.col(_VALUES[piece]))
        elif piece:
            parts.append(pl.lit(piece))
    return pl.concat_str(parts)


def _quoted(values: pl.Series) -> pl.Series:
    """Each value as Python's repr() writes it: quoted text, or None for a missing value.

    Most ids are printable ASCII with no quote or backslash: those repr puts in
    single quotes as they are. The rest go through _repr_quoted.
    """
    text = values.cast(pl.String)
    written = pl.DataFrame({"v": text}).select(pl.concat_str([pl.lit("'"), pl.col("v"), pl.lit("'")]).fill_null("None")).to_series()
    special = text.str.contains(_SPECIAL).fill_null(False).arg_true()
    if special.len():
        written = written.scatter(special, _repr_quoted(text.gather(special)))
    return written.alias(values.name)


def _repr_quoted(text: pl.Series) -> pl.Series:
    """Text (no nulls) as repr() writes it.

    Text with no character _ODD finds is quoted with string expressions, as
    repr quotes it: in double quotes when it holds a single quote and no double
    one, else in single quotes with its single quotes escaped; a backslash is
    doubled. The few distinct other values are written by repr itself.
    """
    value = pl.col("v")
    frame = pl.DataFrame({"v": text}).with_columns(odd=value.str.contains(_ODD))
    odd = frame.filter("odd").get_column("v").unique().to_list()
    double = value.str.contains("'", literal=True) & ~value.str.contains('"', literal=True)
    body = value.str.replace_all("\\", "\\\\", literal=True)
    body = pl.when(double).then(body).otherwise(body.str.replace_all("'", "\\'", literal=True))
    quote = pl.when(double).then(pl.lit('"')).otherwise(pl.lit("'"))
    written = pl.concat_str([quote, body, quote])
    if odd:
        written = pl.when(pl.col("odd")).then(value.replace_strict(odd, [repr(v) for v in odd], default=None, return_dtype=pl.String)).otherwise(written)
    return frame.select(written).to_series()
