"""An allocation is verified in the process that made it: a kept promise passes, a broken one is refused with what it breaks."""

from __future__ import annotations

import pytest

from jifen_dsl.allocation.allocator import ADMITTED, allocate
from jifen_dsl.allocation.verify import AllocationError, verify
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.data.schools import read_schools
from jifen_dsl.evaluation.evaluator import evaluate

from ..conftest import ROOT

HAIZHU = ROOT / "policies" / "haizhu" / "2022.jifen"
EXAMPLE = ROOT / "examples" / "haizhu-2022"
BAD = ROOT / "tests" / "allocation" / "bad_allocation"


@pytest.fixture
def example():
    compiled = load_policy(str(HAIZHU))
    applicants = read_applicants(str(EXAMPLE / "applicants.csv"), compiled.policy)
    schools = read_schools(str(EXAMPLE / "schools.csv"), compiled.policy)
    return compiled, applicants, schools, allocate(compiled, evaluate(compiled, applicants), schools)


def _broken(allocation) -> None:
    """Every admitted applicant of a grade put in one school: over its seats."""
    admitted = [p for p in allocation.placements if p.status == ADMITTED]
    first = admitted[0].school
    for p in admitted:
        if p.school.grade == first.grade:
            p.school = first


def test_an_allocation_that_keeps_its_promises_passes(example):
    _, applicants, _, allocation = example
    ids = [a.id for a in applicants]
    verify(allocation, ids)


def test_a_broken_allocation_is_refused_with_what_it_breaks(example):
    _, applicants, _, allocation = example
    _broken(allocation)
    ids = [a.id for a in applicants]
    with pytest.raises(AllocationError) as at_once:
        verify(allocation, ids)
    assert any("seats but admitted" in v.render("en") for v in at_once.value.problems)
    from jifen_dsl.messages import prefer

    prefer("zh")  # as --lang zh (or the Chinese policy) asks
    text = at_once.value.render()
    assert text.startswith("错误: 学位分配结果未通过自身校验，未予输出：\n  学校 ")
    assert "个学位，却录取了" in text
