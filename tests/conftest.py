"""Shared fixtures: the repository's paths and small policies written on the fly."""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from pathlib import Path

import pytest

from click.testing import CliRunner

from jifen_dsl.data.applicants import records_from_rows
from jifen_dsl.cli import cli
from jifen_dsl.evaluation.evaluator import Evaluation, evaluate
from jifen_dsl.compile.pipeline import load_policy

# What generated code may call, and the attributes it may touch: the runtime helpers (h_...),
# recording a failed requirement, the missing-value table, and the bulk evaluator's own
# loop (b_...), which makes each evaluation with the class and functions it is given and
# gathers the eligible and their ranking values through the append functions b_add_<n>.
GENERATED_CALLS = frozenset({"failed.append", "m_table[i]", "b_new", "b_tuple", "b_append", "b_groups.get", "b_open_group"})
GENERATED_ATTRIBUTES = frozenset(
    {"failed.append", "b_applicant.record", "b_applicant.grade", "b_applicant.id", "b_groups.get"}
    | {f"b_evaluation.{slot}" for slot in Evaluation.__slots__}
)



def generated_call(name: str) -> bool:
    """Whether generated code may call ``name``: a runtime helper or one of the names above."""
    return name.startswith("h_") or name in GENERATED_CALLS or re.fullmatch(r"b_add_[0-9]+", name) is not None


# Messages follow the policy's language unless these ask for one (jifen_dsl.messages.choice):
# the tests, and the commands they start, run as on a machine that asks for none.
for _variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
    os.environ.pop(_variable, None)


@pytest.fixture(autouse=True)
def _no_language_carried_over():
    """A test starts speaking no policy's language, whatever the test before it loaded."""
    from jifen_dsl.messages import prefer, speak

    prefer(None)
    speak(None)
    yield


ROOT = Path(__file__).resolve().parent.parent
POLICIES = ROOT / "policies"
FIELDS = POLICIES / "guangzhou" / "fields.jifen"

# A policy imports and extends only the files of its library, the folder above its own
# folder (jifen_dsl.lang.library). So a policy written for a test lies in a library of
# its own, laid out as policies/ is: the shared fields at ROOT/guangzhou/fields.jifen (a
# copy of the repository's) and the policy in ROOT/haizhu/, importing them thus.
FIELDS_IMPORT = 'import "../guangzhou/fields.jifen"\n'


def policy_folder(root: Path, district: str = "haizhu") -> Path:
    """Make ``root`` a policy library holding the shared fields; return its folder ``district`` (made), where a policy imports them with FIELDS_IMPORT."""
    fields = root / "guangzhou" / "fields.jifen"
    if not fields.exists():
        fields.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(FIELDS, fields)
    folder = root / district
    folder.mkdir(exist_ok=True)
    return folder

EN_HEADER = '''policy "Test policy"
district "海珠区"
year 2022
as_of 2022-08-31
source "tests"
'''

ZH_HEADER = '''政策 “测试政策”
区 “海珠区”
年度 2022
基准日 2022年8月31日
来源 “测试”
'''

# The smallest tail that makes a policy complete: points and a total tie-break.
EN_TAIL = '''
points { total = points }
tiebreak { id ascending }
'''


@pytest.fixture
def write_policy(tmp_path):
    """Write a policy (header + import of the shared fields + body) in tmp_path/haizhu/ (see policy_folder) and return its path."""

    def write(body: str, *, header: str = EN_HEADER, tail: str = EN_TAIL, name: str = "policy.jifen", imports: bool = True) -> str:
        path = policy_folder(tmp_path) / name
        text = header + (FIELDS_IMPORT if imports else "") + body + tail
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write


BASE_APPLICANT = {
    "id": "A1",
    "grade": "G1",
    "child_birth_date": "2016-03-01",
    "child_hukou": "湖南",
    "applicant_hukou": "湖南",
    "child_enrolled": "false",
    "primary_graduation_year": "",
    "permit_start": "2019-01-01",
    "district_permit_start": "2016-01-01",
    "residence_district": "海珠区",
    "work_district": "海珠区",
    "insurance_active": "true",
    "insurance_start": "2016-01-01",
    "insurance_district": "海珠区",
    "points": "100",
    "points_status": "verified",
    "ind_permit": "24",
    "ind_housing": "20",
    "ind_employment": "16",
    "ind_age": "30",
    "ind_education": "10",
    "ind_skills": "0",
    "ind_other": "0",
    "choices": "S1;S2",
    "accepts_coordination": "true",
    "sibling_group": "",
    "clearing_choices": "",
    "applied_at": "2022-04-26 10:00",
}


def rows_to_csv(rows: list[dict[str, str]]) -> str:
    """CSV text with the union of the rows' keys as the header (BASE_APPLICANT's order)."""
    header = list(BASE_APPLICANT)
    for row in rows:
        for key in row:
            if key not in header:
                header.append(key)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**{k: "" for k in header}, **row})
    return buffer.getvalue()


def evaluate_rows(policy_path: str, rows: list[dict[str, str]]):
    """Evaluate applicants given as dicts (each merged over BASE_APPLICANT) against a policy."""
    compiled = load_policy(policy_path)
    full = [{**BASE_APPLICANT, **row} for row in rows]
    header = list(BASE_APPLICANT)
    data = [(i + 2, [r[h] for h in header]) for i, r in enumerate(full)]
    applicants = records_from_rows("test.csv", header, data, compiled.policy)
    return compiled, {e.id: e for e in evaluate(compiled, applicants)}


def failed_names(compiled, evaluation) -> list[str]:
    return [compiled.policy.requirements[i].name for i in evaluation.failed]


@pytest.fixture
def at_root(monkeypatch):
    """Run from the repository top: messages name files as given, relative to it."""
    monkeypatch.chdir(ROOT)


def run_cli(*args: str):
    """Invoke the jifen command line in-process; exceptions other than SystemExit propagate."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)
