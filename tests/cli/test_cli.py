"""The jifen command line: outputs (snapshots), exit statuses, and no partial files."""

from __future__ import annotations

import json

import pytest

from jifen_dsl import __version__

from ..conftest import ROOT, run_cli as run

HAIZHU = "policies/haizhu/2022.jifen"
BAIYUN = "policies/baiyun/2022.jifen"
HZ_DATA = "tests/data/applicants/haizhu.csv"
BY_DATA = "tests/data/applicants/baiyun.csv"


pytestmark = pytest.mark.usefixtures("at_root")


def test_version_and_help():
    assert run("--version").output.strip() == f"jifen, version {__version__}"
    for command in ("check", "evaluate", "explain", "compile", "allocate", "schedule", "deadline", "verify-run", "publish", "template"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage: jifen " + command in result.output


def test_check_prints_one_line_per_policy():
    result = run("check", HAIZHU, BAIYUN, "policies/guangzhou/fields.jifen")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "policies/haizhu/2022.jifen：通过 - 海珠区 2022：9 项申请条件（G1、G7），7 项积分指标，0 个批次，8 个同分排序依据",  # a Chinese policy
        "policies/baiyun/2022.jifen: ok - 白云区 2022: 8 requirements (G1, G7), 7 indicators, 2 batches, 5 tie-break keys",
        "policies/guangzhou/fields.jifen: ok - library: 31 fields, 0 definitions",
    ]


def test_check_fails_with_rendered_errors_and_checks_the_rest():
    result = run("check", "tests/lang/invalid/unknown_name.jifen", HAIZHU)
    assert result.exit_code == 1
    assert "tests/lang/invalid/unknown_name.jifen:8:5: error[C0201]: unknown name 'permit_strat'" in result.stderr
    assert "policies/haizhu/2022.jifen：通过" in result.stdout
    assert "Traceback" not in result.output


def test_evaluate_json_has_one_object_per_applicant_in_input_order():
    result = run("evaluate", HAIZHU, HZ_DATA, "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert [r["id"] for r in records] == [f"HZ-0{i}" for i in range(1, 9)]
    first = records[0]
    assert set(first) >= {"id", "grade", "eligible", "failed", "batch", "points", "rank"}
    assert first == {**first, "grade": "G1", "eligible": True, "failed": [], "batch": None, "points": "96", "rank": 3}
    assert records[6]["grade"] == "G7" and records[6]["failed"] == ["在海珠居住或就业", "小学应届毕业"]
    assert result.stderr.strip() == "8 名申请人：符合条件 5 人（G1 4、G7 1），不符合条件 3 人"  # the policy is Chinese
    english = run("--lang", "en", "evaluate", HAIZHU, HZ_DATA, "--format", "json")
    assert english.stdout == result.stdout
    assert english.stderr.strip() == "8 applicants: 5 eligible (G1 4, G7 1), 3 not eligible"


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_evaluate_outputs(fmt, snapshot):
    result = run("evaluate", BAIYUN, BY_DATA, "--format", fmt)
    assert result.exit_code == 0
    assert result.stdout == snapshot


def test_explain_in_chinese(snapshot):
    result = run("explain", HAIZHU, HZ_DATA, "--id", "HZ-03")
    assert result.exit_code == 0
    assert result.stdout == snapshot
    assert "HZ-01（第 3 名）排在本人之前：申请编号 对方 HZ-01，本人 HZ-03" in result.stdout


def test_explain_in_english(snapshot):
    result = run("explain", BAIYUN, BY_DATA, "--id", "BY-04")
    assert result.exit_code == 0
    assert result.stdout == snapshot
    assert "BY-03 (rank 5) comes after: child_birth_date is 2015-12-01 here, 2016-01-01 there" in result.stdout


def test_explain_an_ineligible_applicant_lists_what_failed():
    out = run("explain", HAIZHU, HZ_DATA, "--id", "HZ-07").stdout
    assert "✗ 在海珠居住或就业" in out and "因“居住区”未填写而不满足" in out
    assert "结论：不符合申请条件，2 项条件未满足：在海珠居住或就业、小学应届毕业" in out


def test_explain_unknown_id():
    result = run("explain", HAIZHU, HZ_DATA, "--id", "NOPE")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"错误[U0008]: {HZ_DATA}：没有申请编号为 'NOPE' 的申请人")
    english = run("--lang", "en", "explain", HAIZHU, HZ_DATA, "--id", "NOPE")
    assert english.exit_code == 1
    assert english.stderr.startswith(f"error[U0008]: {HZ_DATA}: no applicant has the id 'NOPE'")


def test_compile_show_prints_the_generated_code():
    result = run("compile", "--show", HAIZHU)
    assert result.exit_code == 0
    assert result.stdout.startswith("# Compiled from policies/haizhu/2022.jifen")
    assert "def evaluate(r):" in result.stdout


def test_bad_data_leaves_no_output_file(tmp_path):
    bad = tmp_path / "bad.csv"
    text = (ROOT / HZ_DATA).read_text(encoding="utf-8").replace("2016-03-01", "2016-13-01", 2)
    bad.write_text(text, encoding="utf-8")
    out = tmp_path / "out.json"
    result = run("--lang", "en", "evaluate", HAIZHU, str(bad), "-o", str(out))
    assert result.exit_code == 1
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]
    assert result.stderr.count("'2016-13-01' is not a calendar date") == 2
    assert "Traceback" not in result.output


def test_output_file_is_written_whole(tmp_path):
    out = tmp_path / "out.csv"
    result = run("evaluate", HAIZHU, HZ_DATA, "--format", "csv", "-o", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8").splitlines()[0] == "id,grade,eligible,batch,points,rank,failed"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_output_into_a_missing_directory_is_a_clear_error(tmp_path):
    result = run("--lang", "en", "evaluate", HAIZHU, HZ_DATA, "-o", str(tmp_path / "no" / "out.csv"))
    assert result.exit_code == 1
    assert "does not exist" in result.stderr


def test_usage_errors_exit_2():
    assert run("evaluate", HAIZHU).exit_code == 2
    assert run("evaluate", HAIZHU, HZ_DATA, "--format", "xml").exit_code == 2


def test_a_library_is_not_a_policy():
    result = run("evaluate", "policies/guangzhou/fields.jifen", HZ_DATA)
    assert result.exit_code == 1
    assert "is a library of shared declarations, not a policy" in result.stderr


def test_explain_allocation_of_twins_in_chinese(snapshot):
    result = run(
        "explain", "policies/conghua/2020.jifen", "examples/conghua-2020/applicants.csv",
        "--id", "CH2020-000139", "--schools", "examples/conghua-2020/schools.csv",
    )
    assert result.exit_code == 0
    allocation = result.stdout[result.stdout.index("学位安排"):]
    assert allocation == snapshot
    assert "与多胞胎 CH2020-000140 一并安排" in allocation


def test_explain_allocation_says_why_each_choice_was_not_taken(snapshot):
    result = run(
        "explain", BAIYUN, "examples/baiyun-2022/applicants.csv",
        "--id", "BY2022-E01", "--schools", "examples/baiyun-2022/schools.csv",
    )
    allocation = result.stdout[result.stdout.index("Seat allocation"):]
    assert allocation == snapshot
    assert "choice 1: BY-P01 白云区永平小学 - full when this applicant's turn came (0 free); cut-off 121" in allocation


def test_allocate_json_keys_and_exit_status():
    result = run("allocate", HAIZHU, "examples/haizhu-2022/applicants.csv", "examples/haizhu-2022/schools.csv", "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert len(records) == 240
    assert set(records[0]) >= {"id", "grade", "status", "school", "round", "batch", "rank", "points", "failed"}
    assert {r["status"] for r in records} <= {"admitted", "unplaced", "not_qualified", "ineligible"}
    assert result.stderr.strip() == "240 名申请人：录取 120 人，不符合申请条件 70 人，未获入学资格 48 人，未录取 2 人"


@pytest.mark.parametrize(
    ("lang", "counts", "budget"),
    [
        ([], "240 名申请人：录取 120 人，未录取 2 人，未获入学资格 48 人，不符合申请条件 70 人", "每年补助经费预算：255000 元"),
        (["--lang", "en"], "240 applicants: 120 admitted, 2 unplaced, 48 not qualified, 70 ineligible", "subsidy budget per year: 255000 yuan"),
    ],
    ids=["the-policys-chinese", "english-asked-for"],
)
def test_allocate_summary_speaks_the_policys_language_unless_asked(lang, counts, budget):
    # The bundled Chinese example (README): its summary ends with the count line and the budget, in Chinese;
    # --lang en asks for English. The count line is said once: in the summary, not again on stderr.
    result = run(*lang, "allocate", HAIZHU, "examples/haizhu-2022/applicants.csv", "examples/haizhu-2022/schools.csv", "--summary")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[-2:] == [counts, budget]
    said = (result.stdout + result.stderr).splitlines()
    assert said.count(counts) == 1
    assert not [line for line in said if line.startswith(("240 名申请人", "240 applicants")) and line != counts]


def test_allocate_rejects_choices_of_unknown_schools(tmp_path):
    schools = tmp_path / "schools.csv"
    lines = (ROOT / "examples" / "haizhu-2022" / "schools.csv").read_text(encoding="utf-8").splitlines()
    schools.write_text("\n".join(line for line in lines if not line.startswith("HZ-P01,")) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run("--lang", "en", "allocate", HAIZHU, "examples/haizhu-2022/applicants.csv", str(schools), "-o", str(out))
    assert result.exit_code == 1
    assert "chose unknown school 'HZ-P01' in choices" in result.stderr
    assert not out.exists()


# ---------------------------------------------------------------- schedules, deadlines, evidence

CONGHUA = "policies/conghua/2020.jifen"


def test_schedule_shows_the_phases_open_at_a_moment(snapshot):
    result = run("schedule", HAIZHU, "--on", "2022-05-10 17:00")
    assert result.exit_code == 0
    assert result.stdout == snapshot
    assert result.stdout.rstrip().endswith("2022-05-10 17:00 正在进行：网上申请、材料审核")
    later = run("schedule", HAIZHU, "--on", "2022-05-10 17:00:01").stdout
    assert later.rstrip().endswith("2022-05-10 17:00:01 正在进行：材料审核")
    assert "没有正在进行的阶段" in run("schedule", HAIZHU, "--on", "2022-05-20").stdout


def test_schedule_in_english_without_a_moment(snapshot):
    result = run("schedule", BAIYUN)
    assert result.exit_code == 0
    assert result.stdout == snapshot
    assert "in_force" in result.stdout and "5 days" in result.stdout and "status" not in result.stdout


def test_deadline_reproduces_the_conghua_notice(snapshot):
    result = run("deadline", CONGHUA, "--accepted", "2020-04-30")
    assert result.exit_code == 0
    assert result.stdout == snapshot
    assert result.stdout.startswith("2020-04-30 受理的积分，最迟于 2020-06-23 核定")
    late = run("deadline", CONGHUA, "--accepted", "2020-05-06").stdout
    assert "最迟于 2020-06-24 核定" in late and "受理：逾期" in late


def test_deadline_against_the_phase_that_needs_the_points(write_policy, snapshot):
    path = write_policy(
        "schedule {\n"
        '    phase apply "Online application" from 2022-04-25 09:00 to 2022-05-10 17:00\n'
        "    verification 35 workdays for apply\n"
        "}\n"
        'requirement r "r": applied_at within apply\n'
    )
    in_time = run("deadline", path, "--accepted", "2022-03-18")  # verified 2022-05-10, the last day
    assert in_time.exit_code == 0
    assert in_time.stdout == snapshot
    late = run("deadline", path, "--accepted", "2022-03-21").stdout  # the next working day
    assert "Too late for phase 'apply' (Online application, 2022-04-25 09:00 to 2022-05-10 17:00)" in late
    assert "points must be accepted by 2022-03-18 at the latest" in late


def test_deadline_for_haizhu_online_application():
    result = run("deadline", HAIZHU, "--accepted", "2022-03-18")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "2022-03-18 受理的积分，最迟于 2022-05-10 核定：受理后35个工作日（受理当日不计入）。",
        "赶得上「网上申请」（登陆积分制服务管理信息系统网上申请（逾期视为放弃），2022-04-25 09:00 至 2022-05-10 17:00）：积分最迟 2022-05-10 核定，不晚于其最后一天。",
        "要赶上「网上申请」，积分最迟须于 2022-03-18 受理。",
    ]
    assert "赶不上「网上申请」" in run("deadline", HAIZHU, "--accepted", "2022-03-21").stdout


def test_schedule_and_deadline_errors_are_project_errors():
    no_schedule = run("schedule", "tests/lang/valid/unused_definition.jifen")
    assert no_schedule.exit_code == 1 and "the policy has no schedule section" in no_schedule.stderr
    no_rule = run("deadline", BAIYUN, "--accepted", "2022-03-01")
    assert no_rule.exit_code == 1 and "the schedule does not say how long points verification takes" in no_rule.stderr
    bad_moment = run("schedule", HAIZHU, "--on", "tomorrow")
    assert bad_moment.exit_code == 1 and "--on：'tomorrow' 不是日期（2022-05-10）或日期时间（2022-05-10 17:00）" in bad_moment.stderr
    bad_moment_en = run("--lang", "en", "schedule", HAIZHU, "--on", "tomorrow")
    assert bad_moment_en.exit_code == 1 and "--on: 'tomorrow' is not a date (2022-05-10) or a date and time" in bad_moment_en.stderr
    beyond = run("deadline", CONGHUA, "--accepted", "2027-03-01")
    assert beyond.exit_code == 1
    assert "2027-03-01 不在工作日日历范围内（日历涵盖 2004-2026）；请在日历文件中声明 2027 年" in beyond.stderr  # a Chinese policy
    for result in (no_schedule, no_rule, bad_moment, beyond):
        assert "Traceback" not in result.output
    assert run("deadline", CONGHUA).exit_code == 2  # --accepted is required: a usage error


def test_evidence_changes_scores_and_ties(tmp_path):
    data = "examples/conghua-2020/applicants.csv"
    evidence = "examples/conghua-2020/evidence.csv"
    without = run("explain", CONGHUA, data, "--id", "CH2020-E04")
    assert without.exit_code == 0
    assert "注意: 未给出 --evidence 文件，因此所有申请人均无 创新创业、社会服务、公益、纳税 的证明材料" in without.stderr
    assert "第 28 名" in without.stdout
    result = run("explain", CONGHUA, data, "--id", "CH2020-E04", "--evidence", evidence)
    assert result.exit_code == 0 and "注意" not in result.stderr
    assert "  创新创业：5" in result.stdout
    assert "创新创业材料（计 2015-04-30 至 2020-04-30 的）：2015-04-30 2 ✓；2020-04-30 3 ✓" in result.stdout
    assert "第 26 名" in result.stdout
    assert "CH2020-E01（第 27 名）排在本人之后：创新创业 本人 5，对方 0" in result.stdout
    e01 = run("explain", CONGHUA, data, "--id", "CH2020-E01", "--evidence", evidence).stdout
    assert "纳税材料（计 2017-01-01 至 2019-12-31 的）：2017-01-01 1 ✓；2019-12-31 1 ✓；2020-01-01 1 ✗" in e01
    assert run("evaluate", CONGHUA, data, "--evidence", evidence, "--format", "csv").exit_code == 0
    allocated = run("allocate", CONGHUA, data, "examples/conghua-2020/schools.csv", "--evidence", evidence)
    assert allocated.exit_code == 0


def test_bad_evidence_is_reported_and_nothing_is_written(tmp_path):
    evidence = tmp_path / "evidence.csv"
    evidence.write_text("id,indicator,date,value\nNOBODY,纳税,2018-01-01,1\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    result = run("--lang", "en", "evaluate", CONGHUA, "examples/conghua-2020/applicants.csv", "--evidence", str(evidence), "-o", str(out))
    assert result.exit_code == 1
    assert f"{evidence}:2:1: no applicant has the id 'NOBODY'" in result.stderr
    assert not out.exists()
