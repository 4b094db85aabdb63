"""Grammar fuzzing: mutated and random policies end in success or a rendered error with a position.

A quick profile runs with the tests. The long profile runs on demand:

    JIFEN_FUZZ_EXAMPLES=10000 pytest tests/lang/test_fuzz.py -q

Every input must end in one of: a checked policy that compiles and evaluates, or
a PolicyError whose every diagnostic names a line and column. Anything else - a
Python exception of any other kind - fails the test.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jifen_dsl.lang import model
from jifen_dsl.data.applicants import read_applicants
from jifen_dsl.compile.compiler import compile_policy
from jifen_dsl.errors import JifenError, PolicyError
from jifen_dsl.evaluation.evaluator import evaluate
from jifen_dsl.compile.pipeline import check_file

from ..conftest import ROOT

EXAMPLES = int(os.environ.get("JIFEN_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

POLICIES = ["policies/haizhu/2022.jifen", "policies/baiyun/2022.jifen", "policies/conghua/2020.jifen"]
TEXTS = {p: (ROOT / p).read_text(encoding="utf-8") for p in POLICIES}
APPLICANTS = str(ROOT / "tests" / "data" / "applicants" / "haizhu.csv")

# Tokens: bracketed names, strings, dates, numbers, words, single characters.
TOKEN = re.compile(r"「[^」\n]*」|“[^”\n]*”|\"(?:[^\"\\\n]|\\.)*\"|\d{4}-\d{2}-\d{2}|\d{4}年\d{1,2}月\d{1,2}日|\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|[\u4e00-\u9fff]+|\s+|.", re.S)
WIDTH = str.maketrans({":": "：", ",": "，", "(": "（", ")": "）", "{": "｛", "}": "｝", "=": "＝"})
NARROW = str.maketrans({v: k for k, v in {":": "：", ",": "，", "(": "（", ")": "）", "{": "｛", "}": "｝"}.items()})
VOCABULARY = [
    "policy", "政策", "requirement", "要求", "define", "定义", "field", "字段", "for", "grade", "年级", "points", "积分",
    "batches", "批次", "tiebreak", "同分排序", "allocation", "学位分配", "if", "如果", "then", "那么", "else", "否则",
    "and", "并且", "or", "或者", "not", "非", "in", "属于", "between", "介于", "至", "year", "年", "months", "个月",
    "as_of", "基准日", "true", "是", "false", "否", "=", ">=", "不晚于", "+", "-", "*", "/", "(", ")", "{", "}", ":", "：",
    ",", "，", "「出生日期」", "permit_start", "points", "2022-08-31", "2022年8月31日", "1", "6.5", '"G1"', "“小学一年级”",
    "full_years", "整年数", "age_on", "周岁", "\n", " ", "#", "__import__", "'", "\\", "{0.__class__}", "%s", "」", "「",
]


def attempt(path: str, text: str) -> None:
    """Check, compile and evaluate ``text`` as if it were the file at ``path``; only project errors may escape."""
    try:
        checked = check_file(path, text)
    except PolicyError as exc:
        rendered = exc.render()
        assert rendered and "Traceback" not in rendered
        for diagnostic in exc.diagnostics:
            assert diagnostic.span is not None or diagnostic.message.startswith(("policies/", path)), diagnostic
        return
    if isinstance(checked, model.Library):
        return
    compiled = compile_policy(checked)
    try:
        evaluate(compiled, read_applicants(APPLICANTS, checked))
    except JifenError:
        pass  # e.g. the mutated policy reads a column the sample file lacks


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


@st.composite
def mutated(draw):
    path = draw(st.sampled_from(POLICIES))
    tokens = TOKEN.findall(TEXTS[path])
    for _ in range(draw(st.integers(1, 4))):
        if not tokens:
            break
        i = draw(st.integers(0, len(tokens) - 1))
        kind = draw(st.sampled_from(["delete", "swap", "duplicate", "insert", "unicode", "width", "narrow", "truncate"]))
        if kind == "delete":
            del tokens[i]
        elif kind == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif kind == "duplicate":
            tokens.insert(i, tokens[i])
        elif kind == "insert":
            tokens.insert(i, draw(st.sampled_from(VOCABULARY)))
        elif kind == "unicode":
            tokens.insert(i, draw(st.text(min_size=1, max_size=3)))
        elif kind == "width":
            tokens[i] = tokens[i].translate(WIDTH)
        elif kind == "narrow":
            tokens[i] = tokens[i].translate(NARROW)
        else:
            tokens = tokens[:i]
    return path, "".join(tokens)


@FUZZ
@given(mutated())
def test_mutated_policies(case):
    attempt(*case)


@FUZZ
@given(st.lists(st.sampled_from(VOCABULARY), max_size=40), st.sampled_from(["", 'policy "p" district "d" year 2022 as_of 2022-08-31 source "s"\nimport "../guangzhou/fields.jifen"\n']))
def test_random_token_sequences(tokens, header):
    attempt("policies/haizhu/fuzz.jifen", header + " ".join(tokens))


@FUZZ
@given(st.text(max_size=200))
def test_random_text(text):
    attempt("policies/haizhu/fuzz.jifen", text)
