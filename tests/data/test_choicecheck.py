"""The choice check on a cohort frame agrees with the check on applicant objects: the same reasons, in the same order.

``choice_problems_frame`` is compared with ``choice_problems`` (each problem's
applicant, row and reason, in order) and ``check_choices_frame`` with
``check_choices`` (the DataError's title and lines), on cohorts generated for
each district with problems put in - unknown schools, schools of the other
grade, schools listed twice, in choices and in clearing choices, Chinese ids,
ids that Python's repr escapes, empty lists - on random lists, and on cohorts
with nothing wrong. The reasons agree in each language the tool speaks.
"""

from __future__ import annotations

import functools
import random

import attrs
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_dsl.api import load_policy
from jifen_dsl.data.applicants import Applicant, records_from_rows
from jifen_dsl.data.choicecheck import PROBLEMS_SCHEMA, check_choices_frame, choice_problems_frame
from jifen_dsl.data.readers import Table
from jifen_dsl.data.schools import School, _schools, check_choices, choice_problems
from jifen_dsl.errors import DataError
from jifen_dsl.lang import columns
from jifen_dsl.messages import LANGUAGES, render, spoken
from jifen_dsl.synth import FIELDS, SCHOOL_FIELDS, generate_applicants, generate_schools

from ..conftest import POLICIES

# Each district's policy and the district-year whose applicants the generator knows.
DISTRICTS = {"haizhu": ("haizhu/2022", 2022), "baiyun": ("baiyun/2022", 2022), "conghua": ("conghua/2020", 2020)}
CHOICES, CLEARING, ID = FIELDS.index("choices"), FIELDS.index("clearing_choices"), FIELDS.index("id")
# Applicant ids that repr() writes in double quotes, with escapes, or with characters it escapes.
ODD_IDS = ["海珠'甲", 'say "hi"', "both ' \"", "a\\b", "全角\u3000空格", "é-1", "\ufeffBOM"]


@functools.lru_cache(maxsize=None)
def _policy(name: str):
    return load_policy(str(POLICIES / f"{name}.jifen")).policy


def frame_of(applicants: list[Applicant], policy) -> pl.DataFrame:
    """The cohort frame of applicants: their records as ``f_N`` columns, with row, id and grade."""
    width = len(policy.read_fields)
    types = [policy.fields[index].type for index in policy.read_fields]
    frame = columns.frame_of_records(types, [a.record[:width] for a in applicants])
    return frame.with_columns(
        row=pl.Series([a.row for a in applicants], dtype=pl.Int64),
        id=pl.Series([a.id for a in applicants], dtype=pl.String),
        grade=pl.Series([a.grade for a in applicants], dtype=pl.String),
    )


def expected(applicants: list[Applicant], policy, schools, lang: str | None = None) -> list[tuple[int, int, str]]:
    """(position, row, reason) of every problem ``choice_problems`` finds, in its order, the reason put into words in ``lang``."""
    position = {id(a): i for i, a in enumerate(applicants)}
    return [(position[id(a)], a.row, render(reason, lang)) for a, reason in choice_problems(applicants, policy, schools)]


def _outcome(check) -> tuple | None:
    """The title and problems of the error ``check`` raises, in each language, or None."""
    try:
        check()
    except DataError as error:
        return tuple((render(error.title, lang), [render(p, lang) for p in error.problems]) for lang in LANGUAGES)
    return None


def assert_agree(applicants: list[Applicant], policy, schools) -> pl.DataFrame:
    """Fail unless both checks find the same problems, in the same order, and raise the same error; return the frame's problems."""
    frame = frame_of(applicants, policy)
    # The frame's reasons go to a run's rejects file: in the policy's language unless asked for in another.
    assert choice_problems_frame(frame, policy, schools).rows() == expected(applicants, policy, schools, spoken() or "en")
    for lang in LANGUAGES:
        assert choice_problems_frame(frame, policy, schools, lang=lang).rows() == expected(applicants, policy, schools, lang)
    found = choice_problems_frame(frame, policy, schools, lang="en")
    assert found.schema == PROBLEMS_SCHEMA
    for source in ("applicants.csv", Table("名单.xlsx", "xlsx", tuple(FIELDS), [], sheet="申请")):
        at = source.at if isinstance(source, Table) else (lambda row: f"applicants.csv:{row}")
        path = source.path if isinstance(source, Table) else source
        assert _outcome(lambda: check_choices_frame(frame, policy, schools, at, path)) == _outcome(
            lambda: check_choices(applicants, policy, schools, source)
        )
    return found  # in English


@functools.lru_cache(maxsize=None)
def _generated(district: str, seed: int, count: int, school_count: int) -> tuple[tuple, tuple]:
    key, year = district, DISTRICTS[district][1]
    school_rows = generate_schools(key, year, school_count, seed)
    rows = generate_applicants(key, year, count, seed, school_rows)
    return tuple(tuple(r[f] for f in SCHOOL_FIELDS) for r in school_rows), tuple(tuple(r[f] for f in FIELDS) for r in rows)


def _injected(cells: list[str], school_rows: tuple, rng: random.Random, serial: int) -> list[str]:
    """An applicant's cells with one kind of problem put in (or an empty list, which is none)."""
    row = list(cells)
    grade = row[FIELDS.index("grade")]
    own = [s[0] for s in school_rows if s[3] == grade]
    other = [s[0] for s in school_rows if s[3] != grade]
    chosen = [c for c in row[CHOICES].split(";") if c]
    kind = rng.randrange(9)
    if kind == 0:
        row[CHOICES] = ";".join(chosen + [f"NOPE-{serial}"])
    elif kind == 1:
        row[CHOICES] = ";".join([f"海珠区不存在学校{serial % 3}"] + chosen)
    elif kind == 2:
        row[CHOICES] = ";".join(chosen[:1] + [rng.choice(other)] + chosen[1:])
    elif kind == 3:
        row[CHOICES] = ";".join(chosen + [chosen[0], f"NOPE-{serial}", f"NOPE-{serial}"])
    elif kind == 4:
        row[CLEARING] = ";".join([rng.choice(own), rng.choice(other), "补录未知", rng.choice(own)])
    elif kind == 5:
        row[CLEARING] = ";".join(rng.sample(own, min(2, len(own))) * 2)
    elif kind == 6:
        row[CHOICES], row[CLEARING] = ";", rng.choice(["", ";", "；"])
    elif kind == 7:
        row[ID] = f"{rng.choice(ODD_IDS)}-{serial}"
        row[CHOICES] = ";".join(chosen + [rng.choice(other), f"x'{serial}", f"y\\{serial}"])
    else:
        row[CLEARING] = ";".join([f"{rng.choice(other)}"] + rng.sample(own, 1) + [f"学校“{serial}”"])
    return row


def cohort(district: str, seed: int, count: int, school_count: int, share: float):
    """Generated applicants and schools of a district, ``share`` of the applicants with a problem put in; as the policy reads them."""
    policy = _policy(DISTRICTS[district][0])
    school_rows, rows = _generated(district, seed, count, school_count)
    rng = random.Random(seed)
    cells = [_injected(list(r), school_rows, rng, i) if rng.random() < share else list(r) for i, r in enumerate(rows)]
    schools = _schools("schools.csv", SCHOOL_FIELDS, [list(r) for r in school_rows], policy)
    applicants = records_from_rows("applicants.csv", FIELDS, [(i + 2, c) for i, c in enumerate(cells)], policy)
    return policy, applicants, schools


@pytest.mark.parametrize("district", sorted(DISTRICTS))
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_generated_cohorts_with_problems_put_in(district, seed):
    policy, applicants, schools = cohort(district, seed, 1200, 12 + 3 * seed, 0.2)
    found = assert_agree(applicants, policy, schools)
    reasons = found.get_column("reason").to_list()
    assert found.height > 100
    for words in ("chose unknown school", "a school for grade", "twice in choices", "in clearing_choices", "不存在学校", '"x\''):
        assert any(words in reason for reason in reasons), words


def test_every_applicant_with_a_problem():
    policy, applicants, schools = cohort("haizhu", 4, 600, 9, 1.0)
    found = assert_agree(applicants, policy, schools)
    assert found.get_column("position").n_unique() > 400


@pytest.mark.parametrize("district", sorted(DISTRICTS))
def test_a_cohort_with_nothing_wrong(district):
    policy, applicants, schools = cohort(district, 5, 1500, 12, 0.0)
    assert expected(applicants, policy, schools) == []
    found = choice_problems_frame(frame_of(applicants, policy), policy, schools)
    assert found.height == 0 and found.schema == PROBLEMS_SCHEMA
    check_choices_frame(frame_of(applicants, policy), policy, schools, lambda row: f"a.csv:{row}", "a.csv")


def test_schools_sharing_an_id():
    """Two schools with one id (schools_from_table refuses them, but a caller may pass such a list): the later one is looked up,
    and a list passes when any school of that id is of the applicant's grade."""
    policy, applicants, schools = cohort("haizhu", 6, 800, 12, 0.2)
    g1 = next(s for s in schools if s.grade == "G1")
    g7 = next(s for s in schools if s.grade == "G7")
    shared = [*schools, attrs.evolve(g1, grade="G7", order=len(schools)), attrs.evolve(g7, grade="G1", order=len(schools) + 1)]
    assert len(assert_agree(applicants, policy, shared)) > 0


def test_empty_cohort_and_no_schools():
    policy, applicants, schools = cohort("haizhu", 7, 50, 6, 0.3)
    assert_agree([], policy, schools)
    found = assert_agree(applicants, policy, [])
    assert found.height >= len(applicants)  # every choice is of an unknown school


def test_extra_columns_and_their_order_do_not_matter():
    policy, applicants, schools = cohort("baiyun", 8, 300, 8, 0.3)
    frame = frame_of(applicants, policy)
    shuffled = frame.select(list(reversed(frame.columns))).with_columns(extra=pl.lit("x"))
    assert choice_problems_frame(shuffled, policy, schools, lang="en").rows() == expected(applicants, policy, schools, "en")


# ---------------------------------------------------------------- random lists

_HAIZHU = "haizhu/2022"
_SCHOOL_IDS = ["P1", "P2", "P3", "J1", "J2", "小学甲", "初中乙"]
_GRADES = {"P1": "G1", "P2": "G1", "P3": "G1", "J1": "G7", "J2": "G7", "小学甲": "G1", "初中乙": "G7"}
_CHOSEN = st.one_of(
    st.sampled_from(_SCHOOL_IDS + ["NOPE", "未知", "it's", 'a"b', "c\\d", "\u3000", "x\ny", ""]),
    st.text(max_size=4),
    st.none(),
)
_LIST = st.one_of(st.none(), st.lists(_CHOSEN, max_size=6).map(tuple))


@st.composite
def _cohorts(draw):
    """Applicants holding only what the check reads (row, id, grade, the two lists) and the schools they choose among."""
    policy = _policy(_HAIZHU)
    width = len(policy.read_fields)
    at = {name: policy.read_fields.index(policy.field(name).index) for name in ("choices", "clearing_choices")}
    applicants = []
    for serial in range(draw(st.integers(0, 8))):
        record = [None] * width
        record[at["choices"]], record[at["clearing_choices"]] = draw(_LIST), draw(_LIST)
        grade = draw(st.sampled_from(["G1", "G7", "G9", None]))
        applicant_id = draw(st.one_of(st.just(f"A{serial}"), st.text(min_size=1, max_size=4)))
        applicants.append(Applicant(serial * 3 + 2, applicant_id, grade, tuple(record)))
    ids = draw(st.lists(st.sampled_from(_SCHOOL_IDS), max_size=9))  # an id may come twice
    grades = [draw(st.sampled_from([_GRADES[i], "G1", "G7"])) for i in ids]
    schools = [_school(n, i, g) for n, (i, g) in enumerate(zip(ids, grades))]
    return policy, applicants, schools


def _school(order: int, school_id: str, grade: str) -> School:
    return School(order, school_id, school_id, "public", grade, 10, "海珠区", order + 2)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_cohorts())
def test_random_lists(drawn):
    policy, applicants, schools = drawn
    assert_agree(applicants, policy, schools)


def test_null_elements_and_nulls_in_lists():
    """A frame may hold a null among the chosen ids: it is an unknown school, written None, as the object check writes it."""
    policy = _policy(_HAIZHU)
    width = len(policy.read_fields)
    at = policy.read_fields.index(policy.field("choices").index)
    record = [None] * width
    record[at] = ("P1", None, None, "P1")
    applicants = [Applicant(2, "A1", "G1", tuple(record)), Applicant(3, "A2", "G1", (None,) * width)]
    found = assert_agree(applicants, policy, [_school(0, "P1", "G1")])
    assert "chose unknown school None in choices" in found.get_column("reason").to_list()[0]
