"""Inheritance: extends, override, remove, merging sections, and what the resolved policy is."""

from __future__ import annotations

from pathlib import Path

import pytest

from jifen_dsl.lang import model
from jifen_dsl.errors import PolicyError, render_diagnostics
from jifen_dsl.compile.pipeline import check_file

from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.compile.pipeline import load_policy

from ..conftest import BASE_APPLICANT, POLICIES, evaluate_rows, failed_names, policy_folder

LIBRARY_FIELDS = "../guangzhou/fields.jifen"  # the shared fields, as a policy in policy_folder imports them

PARENT = '''policy "Parent" district "海珠区" year 2022 as_of 2022-08-31 source "tests"
import "{fields}"

define guangzhou = {{"广州"}}

requirement permit_one_year "Permit held for a year" cite "4 (I)":
    permit_start + 1 year <= as_of

requirement lives_here "Lives in the district":
    residence_district = "海珠区"

for grade "G1" stage primary {{
    requirement born_in_window "Born in the window":
        child_birth_date between 2015-09-01 and 2016-08-31
}}

for grade "G7" stage junior {{
    requirement graduates "Graduates this year": primary_graduation_year = year
}}

points {{
    total = points
    indicator permit "Permit" = ind_permit
    indicator housing "Housing" = ind_housing
}}

batches {{
    batch first "First batch": district_permit_start + 5 years <= as_of
    batch second "Second batch": otherwise
}}

tiebreak cite "7 (II)" {{ permit descending id ascending }}

allocation {{
    choices 5
    clearing off
}}

subsidies {{
    rate private primary 2500
    rate private junior 3000
    semesters_per_year 2
}}

schedule {{
    phase apply "Apply" from 2022-04-25 09:00 to 2022-05-10 17:00
    then phase choose "Choose" from 2022-06-10 09:00 to 2022-06-14 15:00
}}
'''

def evaluate_extra(policy: str, rows: list[dict[str, str]]):
    """Like conftest.evaluate_rows, with the columns the rows add after BASE_APPLICANT's."""
    compiled = load_policy(policy)
    header = list(BASE_APPLICANT) + sorted({k for r in rows for k in r} - set(BASE_APPLICANT))
    full = [{**BASE_APPLICANT, **r} for r in rows]
    data = [(i + 2, [r.get(h, "") for h in header]) for i, r in enumerate(full)]
    return compiled, {e.id: e for e in evaluate(compiled, records_from_rows("test.csv", header, data, compiled.policy))}


CHILD_HEADER = 'policy "Child" district "海珠区" year 2023 as_of 2023-08-31 source "tests"\nextends "parent.jifen"\n'


@pytest.fixture
def folder(tmp_path):
    """The folder of a policy library in tmp_path (conftest.policy_folder), for the family's files."""
    return policy_folder(tmp_path)


@pytest.fixture
def family(folder):
    """Write parent.jifen and a child (header and extends given) and return the child's checked policy."""
    (folder / "parent.jifen").write_text(PARENT.format(fields=LIBRARY_FIELDS), encoding="utf-8")

    def child(body: str, *, name: str = "child.jifen", header: str = CHILD_HEADER):
        path = folder / name
        path.write_text(header + body, encoding="utf-8")
        return check_file(str(path))

    return child


def errors_of(family, body: str) -> str:
    with pytest.raises(PolicyError) as info:
        family(body)
    return info.value.render()


def names(policy: model.Policy) -> list[str]:
    return [r.name for r in policy.requirements]


# ---------------------------------------------------------------- resolution


def test_a_child_with_no_changes_is_its_parent_with_its_own_header(family):
    child = family("")
    assert child.header.year == 2023 and child.header.title == "Child"
    assert names(child) == ["permit_one_year", "lives_here", "born_in_window", "graduates"]
    assert [b.name for b in child.batches] == ["first", "second"]
    assert child.subsidies.rate("private", "primary") == 2500


def test_override_keeps_a_requirement_where_it_stands(family):
    child = family('''
override requirement born_in_window "Born by 31 August 2017" cite "new":
    child_birth_date <= 2017-08-31
''')
    assert names(child) == ["permit_one_year", "lives_here", "born_in_window", "graduates"]
    req = child.requirements[2]
    assert (req.title, req.cite, req.grade) == ("Born by 31 August 2017", "new", "G1")
    # Its span points at the child's file, the others' at the parent's.
    assert req.span.path.endswith("child.jifen") and child.requirements[0].span.path.endswith("parent.jifen")


def test_remove_and_add(family):
    child = family('''
remove requirement lives_here
requirement verified "Points verified": points_status = "verified"
for grade "G1" { requirement not_enrolled "Not enrolled": not child_enrolled }
remove for grade "G7"
''')
    assert names(child) == ["permit_one_year", "verified", "born_in_window", "not_enrolled"]
    assert [g.value for g in child.grades] == ["G1"]
    assert child.grade("G1").requirements == (2, 3)


def test_a_grade_block_adds_to_the_inherited_one_whichever_spelling_names_the_grade(family):
    child = family('年级 “小学一年级” ｛ 要求 「尚未入学」 “尚未入学”： 非 「已入学」 ｝\n')
    assert [r.name for r in child.requirements if r.grade == "G1"] == ["born_in_window", "尚未入学"]
    assert len(child.grades) == 2


def test_sections_merge_item_by_item(family):
    child = family('''
points { override indicator housing "Housing, 2021 table" = ind_housing * 2  indicator age "Age" = ind_age }
batches { override batch first "First batch": district_permit_start + 3 years <= as_of }
allocation { override choices 3  override clearing on }
subsidies cite "Article 9" { override rate private primary 2600  remove rate private junior }
schedule { remove phase choose  phase publicity "Publicity" lasting 5 days }
''')
    assert [(i.name, i.title) for i in child.points.indicators] == [("permit", "Permit"), ("housing", "Housing, 2021 table"), ("age", "Age")]
    assert child.allocation.choices == 3 and child.allocation.clearing
    assert child.subsidies.rates == (("private", "primary", 2600),) and child.subsidies.cite == "Article 9"
    assert [p.name for p in child.schedule.phases] == ["apply", "publicity"]


def test_a_plain_section_keeps_the_inherited_citation_unless_it_gives_one(family):
    child = family("tiebreak { remove id  child_birth_date ascending  id ascending }")
    assert [k.label for k in child.tiebreaks] == ["Permit", "child_birth_date", "id"]
    assert child.allocation.cite is None
    assert family('tiebreak cite "new" { remove id  id descending }').tiebreaks[-1].descending


def test_override_replaces_a_whole_section(family):
    child = family("override tiebreak { lottery seed 2023 }\noverride batches { batch only \"Everyone\": otherwise }")
    assert [k.kind for k in child.tiebreaks] == ["lottery"]
    assert [b.name for b in child.batches] == ["only"]


def test_remove_a_section(family):
    child = family("remove batches\nremove subsidies")
    assert child.batches == () and child.subsidies is None


def test_a_child_override_may_use_a_definition_it_adds_later(family):
    child = family('''
override define guangzhou = gz_and_hk
define gz_and_hk = {"广州", "香港"}
''')
    assert [d.name for d in child.definitions] == ["gz_and_hk", "guangzhou"]


def test_fields_and_imports_are_inherited_and_a_child_may_add_a_field(family):
    child = family('field residence_start "本区居住起始日期": date optional\n'
                   'override requirement lives_here "Lives here for a year": residence_start + 1 year <= as_of\n')
    assert child.has_field("permit_start") and child.has_field("residence_start")
    assert child.files[0].endswith("child.jifen") and any(f.endswith("parent.jifen") for f in child.files)


def test_a_chain_of_three(family):
    family('override requirement lives_here "Lives here (2023)": residence_district = "海珠区"\n')
    grandchild = family(
        'override requirement lives_here "Lives here (2024)": residence_district = "海珠区" or work_district = "海珠区"\n',
        name="grandchild.jifen",
        header='policy "Grandchild" district "海珠区" year 2024 as_of 2024-08-31 source "tests"\nextends "child.jifen"\n',
    )
    assert grandchild.requirements[1].title == "Lives here (2024)"
    assert len(grandchild.files) == 4  # grandchild, child, parent, fields


def test_an_inherited_rule_evaluates_under_the_childs_header(family, folder):
    family("")
    compiled, results = evaluate_rows(str(folder / "child.jifen"), [
        {"id": "A1", "permit_start": "2022-08-31", "child_birth_date": "2016-03-01"},
        {"id": "A2", "permit_start": "2022-09-01", "child_birth_date": "2016-03-01"},
    ])
    # as_of is the child's 2023-08-31: the inherited permit rule counts to it.
    assert failed_names(compiled, results["A1"]) == []
    assert failed_names(compiled, results["A2"]) == ["permit_one_year"]


# ---------------------------------------------------------------- errors


def test_a_plain_declaration_of_an_inherited_name_is_an_error(family):
    text = errors_of(family, 'requirement lives_here "Again": true\n')
    assert "the requirement 'lives_here' is inherited from" in text and "parent.jifen (line 9)" in text
    assert 'hint: write: override requirement lives_here "Again": ...' in text


def test_overriding_or_removing_a_missing_name_suggests_one(family):
    text = errors_of(family, 'override requirement lives_heer "x": true\npoints { remove indicator permt }\n')
    assert "there is no requirement 'lives_heer' to override in" in text
    assert "did you mean 'lives_here'?" in text
    assert "there is no indicator 'permt' to remove" in text and "did you mean 'permit'?" in text


def test_an_extends_cycle_shows_the_chain(tmp_path):
    (tmp_path / "a.jifen").write_text('policy "A" district "d" year 2022 as_of 2022-08-31 source "s"\nextends "b.jifen"\n', encoding="utf-8")
    (tmp_path / "b.jifen").write_text('policy "B" district "d" year 2022 as_of 2022-08-31 source "s"\nextends "a.jifen"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        check_file(str(tmp_path / "a.jifen"))
    text = info.value.render()
    assert f"extends cycle: {tmp_path / 'a.jifen'} -> {tmp_path / 'b.jifen'} -> {tmp_path / 'a.jifen'}" in text


def test_a_missing_parent_is_a_clear_error(tmp_path):
    path = tmp_path / "a.jifen"
    path.write_text('policy "A" district "d" year 2022 as_of 2022-08-31 source "s"\nextends "nowhere.jifen"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        check_file(str(path))
    assert "cannot extend 'nowhere.jifen'" in info.value.render() and "no such policy file" in info.value.render()


def test_an_error_in_an_inherited_rule_names_the_parents_file(family):
    text = errors_of(family, "remove field residence_district\n")
    assert "parent.jifen:10:5: error[C0201]: unknown name 'residence_district'" in text


ZH_CHILD_HEADER = "政策 “子政策” 区 “海珠区” 年度 2023 基准日 2023年8月31日 来源 “测试”\n继承 “parent.jifen”\n"


def test_a_chinese_child_is_told_in_chinese_and_in_english_when_asked(family, folder):
    with pytest.raises(PolicyError) as info:
        family("要求 「lives_here」 “再次”：是\n删除 字段 「residence_distric」\n", header=ZH_CHILD_HEADER)
    parent = folder / "parent.jifen"
    text = info.value.render()
    assert f"错误[L0020]: 条件「lives_here」继承自 {parent}（第 9 行）；如要替换，请写 修改\n" in text
    assert "提示: 请写：修改 要求 lives_here “再次”： ...\n" in text
    assert f"错误[L0022]: {parent} 中没有可删除的字段「residence_distric」\n" in text
    assert "提示: 是否想写「residence_district」、「insurance_district」或「work_district」？\n" in text
    assert text.endswith("2 个错误")
    english = render_diagnostics(info.value.diagnostics, info.value.sources, "en")
    assert f"error[L0020]: the requirement 'lives_here' is inherited from {parent} (line 9); write override to replace it\n" in english
    assert f"error[L0022]: there is no field 'residence_distric' to remove in {parent}\n" in english
    assert "hint: did you mean 'residence_district', 'insurance_district' or 'work_district'?\n" in english


def test_editing_without_a_parent_is_refused_in_the_policys_language(folder):
    path = folder / "lonely.jifen"
    path.write_text("政策 “单独” 区 “海珠区” 年度 2023 基准日 2023年8月31日 来源 “测试”\n删除 字段 「a」\n", encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        check_file(str(path))
    [diagnostic] = [d for d in info.value.diagnostics if d.code == "L0027"]
    assert diagnostic.text() == "只有继承其他政策的政策才能使用 删除，本政策未继承任何政策"
    assert diagnostic.hint_text() == "修改另一政策的政策，须在政策头之后写 继承 “路径”"
    assert diagnostic.text("en") == "remove needs a policy to change, and this policy extends none"


def test_a_policy_cannot_import_a_policy_but_can_extend_one(folder):
    (folder / "parent.jifen").write_text(PARENT.format(fields=LIBRARY_FIELDS), encoding="utf-8")
    (folder / "x.jifen").write_text('policy "X" district "d" year 2022 as_of 2022-08-31 source "s"\nimport "parent.jifen"\n', encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        check_file(str(folder / "x.jifen"))
    assert "a policy that starts from another writes extends" in info.value.render()


# ---------------------------------------------------------------- the shipped children


@pytest.mark.parametrize("path", ["haizhu/2023.jifen", "baiyun/2023.jifen"])
def test_the_shipped_children_check(path):
    checked = check_file(str(POLICIES / path))
    assert isinstance(checked, model.Policy) and checked.header.year == 2023


def test_haizhu_2023_opens_the_birth_window_downwards():
    policy = str(POLICIES / "haizhu" / "2023.jifen")
    compiled, results = evaluate_rows(policy, [
        {"id": "old", "child_birth_date": "2014-01-01", "applied_at": ""},
        {"id": "edge", "child_birth_date": "2017-08-31", "applied_at": ""},
        {"id": "young", "child_birth_date": "2017-09-01", "applied_at": ""},
    ])
    assert failed_names(compiled, results["old"]) == []
    assert failed_names(compiled, results["edge"]) == []
    assert failed_names(compiled, results["young"]) == ["一年级出生日期"]


def test_baiyun_2023_first_batch_needs_five_years_of_residence_and_insurance_still_paid():
    policy = str(POLICIES / "baiyun" / "2023.jifen")
    base = {"residence_district": "白云区", "district_permit_start": "2018-01-01", "insurance_start": "2018-01-01",
            "insurance_active": "true", "permit_start": "2018-01-01"}
    compiled, results = evaluate_extra(policy, [
        {**base, "id": "ok", "baiyun_residence_start": "2018-08-31"},
        {**base, "id": "short", "baiyun_residence_start": "2018-09-01"},
        {**base, "id": "stopped", "baiyun_residence_start": "2018-01-01", "insurance_active": "false"},
        {**base, "id": "unknown", "baiyun_residence_start": ""},
    ])
    batch = {k: compiled.policy.batches[e.batch].name for k, e in results.items()}
    assert batch == {"ok": "first", "short": "second", "stopped": "second", "unknown": "second"}


def test_policies_next_to_each_other_share_the_fields_library_once():
    checked = check_file(str(POLICIES / "haizhu" / "2023.jifen"))
    assert sum(1 for f in checked.files if Path(f).name == "fields.jifen") == 1


def test_a_tiebreak_key_may_be_named_by_its_label(family):
    child = family("tiebreak { remove 「申请编号」  「出生日期」 ascending  id ascending }")
    assert [k.label for k in child.tiebreaks] == ["Permit", "出生日期", "id"]
