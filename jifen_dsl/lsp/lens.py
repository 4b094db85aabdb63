"""The samples lens: each requirement and indicator of a policy, evaluated on the sample applicants kept beside it.

Convention: the samples of ``<library>/<district>/<year>.jifen`` are the applicant
file ``<library>/<district>/<year>.samples.csv`` - a CSV file exactly as
``jifen evaluate`` reads it, with the columns of the policy's fields (headed by
name or by label). A policy without one gets no lens. A policy whose indicators
count evidence may keep the samples' evidence beside them, in
``<year>.samples.evidence.csv`` (as ``jifen evaluate --evidence`` reads it).

Each requirement declared in the file gets "12 of 20 pass" (of the sample
applicants it applies to: a grade's requirement, of that grade's), each
indicator "18 of 20 scored, total 3,240, mean 162, max 200", and the header a
line with the number of samples and how many are eligible - in the policy's
language. A samples file that cannot be read for the policy (a bad row, a
missing column) gives one lens at the top with the first problem found,
and so does an evaluation that fails; nothing in a samples file can stop the
server. The evaluation is the scalar backend's (``jifen explain``'s), which a
differential test holds to ``jifen evaluate``'s.

The lenses are computed again only when the policy's text, a file it brings in
or a samples file (by its time and size) has changed.
"""

from __future__ import annotations

import decimal
import os
from decimal import Decimal
from typing import Any

import attrs

from jifen_dsl.errors import DataError, JifenError
from jifen_dsl.lang import model
from jifen_dsl.lsp.workspace import file_names

__all__ = ["Lens", "SampleLenses", "samples_path", "evidence_path", "MAX_SAMPLES_BYTES"]

SUFFIX = ".samples.csv"
EVIDENCE_SUFFIX = ".samples.evidence.csv"
# Samples are a handful of rows: a file larger than this is not evaluated on every keystroke.
MAX_SAMPLES_BYTES = 4 * 1024 * 1024

_WORDS = {
    "passed": ("{passed} of {applies} pass", "{applies}人中{passed}人符合"),
    "missing": (" ({missing} failed on a missing value)", "（{missing}人因缺少数据未通过）"),
    "no grade": ("no sample applicant of grade {grade}", "样本中没有{grade}的申请人"),
    "scored": ("{scored} of {count} scored, total {total}, mean {mean}, max {max}", "{count}人中{scored}人得分，合计{total}，平均{mean}，最高{max}"),
    "summary": ("samples ({file}): {count} applicants, {eligible} eligible", "样本（{file}）：{count}名申请人，{eligible}人符合条件"),
    "empty": ("samples ({file}): no applicants", "样本（{file}）：没有申请人"),
    "problem": ("samples ({file}): {problem}", "样本（{file}）：{problem}"),
    "problem in file": ("samples: {problem}", "样本：{problem}"),
    "more": (" (and {more} more)", "（另有{more}个问题）"),
    "too large": ("samples ({file}): larger than {limit} MiB, not evaluated", "样本（{file}）：超过{limit} MiB，不计算"),
}


def _say(key: str, language: str, **values: Any) -> str:
    english, chinese = _WORDS[key]
    return (chinese if language == "zh" else english).format(**values)


@attrs.frozen
class Lens:
    """A line of text shown above a range of the policy: 0-based (line, column) to (line, column)."""

    start: tuple[int, int]
    end: tuple[int, int]
    title: str


def samples_path(policy_path: str) -> str:
    """Where the samples of a policy are kept: ``2022.jifen`` -> ``2022.samples.csv`` beside it."""
    stem, _ = os.path.splitext(policy_path)
    return stem + SUFFIX


def evidence_path(policy_path: str) -> str:
    """Where the evidence of a policy's samples is kept, if it counts evidence: ``2020.samples.evidence.csv``."""
    stem, _ = os.path.splitext(policy_path)
    return stem + EVIDENCE_SUFFIX


@attrs.frozen
class _Outcome:
    """The samples evaluated: per requirement (passed, applies, missing), per indicator its scores; or the problem."""

    count: int = 0
    eligible: int = 0
    requirements: dict[str, tuple[int, int, int]] = attrs.field(factory=dict)
    indicators: dict[str, tuple[Decimal, ...]] = attrs.field(factory=dict)
    problem: str | None = None  # the lens shown instead, saying what is wrong


def _stamp(path: str) -> tuple[int, ...] | None:
    """What tells a file changed: its times, its size, its inode (None: there is no such file)."""
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino


class SampleLenses:
    """The lenses of each policy, kept until its text, its files or its samples change."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[Any, list[Lens]]] = {}

    def lenses(self, path: str, text: str, checked: model.Policy | model.Library | None) -> list[Lens]:
        """The lenses of the policy ``path`` as the editor has it (``text``, checked as ``checked``); none without samples."""
        if not isinstance(checked, model.Policy):
            return []
        samples = samples_path(path)
        stamp = _stamp(samples)
        if stamp is None:
            self._kept.pop(path, None)
            return []
        evidence = evidence_path(path)
        evidence_stamp = _stamp(evidence)
        key = (text, stamp, evidence_stamp, tuple((f, _stamp(f)) for f in checked.files if f != path))
        kept = self._kept.get(path)
        if kept is None or kept[0] != key:
            outcome = _evaluate(samples, evidence if evidence_stamp is not None else None, checked, stamp[2], os.path.basename(samples))
            kept = self._kept[path] = (key, _place(path, text, checked, outcome, os.path.basename(samples)))
        return list(kept[1])


def _evaluate(samples: str, evidence: str | None, policy: model.Policy, size: int, file: str) -> _Outcome:
    if size > MAX_SAMPLES_BYTES:
        return _Outcome(problem=_say("too large", policy.language, file=file, limit=MAX_SAMPLES_BYTES // (1024 * 1024)))
    from jifen_dsl.compile.compiler import compile_policy
    from jifen_dsl.data.applicants import read_applicants
    from jifen_dsl.data.evidence import read_evidence
    from jifen_dsl.evaluation.evaluator import evaluate

    try:
        applicants = read_applicants(samples, policy, input_format="csv")
        if evidence is not None and policy.evidence:
            applicants = read_evidence(evidence, policy, applicants, input_format="csv")
        evaluations = evaluate(compile_policy(policy), applicants)
    except (JifenError, OSError, ValueError, decimal.DecimalException) as exc:
        problem = _problem(exc, samples, policy.language)
        return _Outcome(problem=_say("problem in file" if problem.startswith(file + ":") else "problem", policy.language, file=file, problem=problem))
    requirements = {}
    for requirement in policy.requirements:
        applies = [e for e in evaluations if requirement.grade is None or e.grade == requirement.grade]
        failed = sum(1 for e in applies if requirement.index in e.failed)
        missing = sum(1 for e in applies if requirement.index in e.unknown)
        requirements[requirement.name] = (len(applies) - failed, len(applies), missing)
    indicators = {ind.name: tuple(e.scores[ind.index] for e in evaluations) for ind in policy.points.indicators}
    eligible = sum(1 for e in evaluations if e.eligible)
    return _Outcome(len(evaluations), eligible, requirements, indicators)


def _problem(exc: BaseException, samples: str, language: str) -> str:
    """What is wrong, on one line: a data error's first problem (with how many more), else the first line of the error.

    The samples file is named by its file name alone: the lens says which file it is.
    """
    more = 0
    if isinstance(exc, DataError) and exc.problems:
        text = str(exc.problems[0])  # a message, put into words by str()
        more = len(exc.problems) - 1
    else:
        text = exc.render() if isinstance(exc, JifenError) else str(exc)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = (lines[0] if lines else type(exc).__name__).replace(samples, os.path.basename(samples))
    return first + (_say("more", language, more=more) if more else "")


def _place(path: str, text: str, policy: model.Policy, outcome: _Outcome, file: str) -> list[Lens]:
    language = policy.language
    names = file_names(path, text)
    header = names.tree.header if names.tree is not None else None
    top = (header.span.line - 1, header.span.column - 1) if header is not None and header.span is not None else (0, 0)
    if outcome.problem is not None:
        return [Lens(top, top, outcome.problem)]
    if not outcome.count:
        return [Lens(top, top, _say("empty", language, file=file))]
    out = [Lens(top, top, _say("summary", language, file=file, count=outcome.count, eligible=outcome.eligible))]
    grades = {r.name: r.grade for r in policy.requirements}
    for occurrence in names.occurrences:
        if occurrence.role != "declaration":
            continue
        if occurrence.kind == "requirement" and occurrence.name in outcome.requirements:
            passed, applies, missing = outcome.requirements[occurrence.name]
            if applies:
                title = _say("passed", language, passed=passed, applies=applies)
                if missing:
                    title += _say("missing", language, missing=missing)
            else:
                title = _say("no grade", language, grade=grades.get(occurrence.name))
            out.append(Lens(occurrence.start, occurrence.end, title))
        elif occurrence.kind == "indicator" and occurrence.name in outcome.indicators:
            scores = outcome.indicators[occurrence.name]
            total = sum(scores, Decimal(0))
            title = _say(
                "scored", language, scored=sum(1 for s in scores if s != 0), count=len(scores),
                total=_number(total), mean=_number(total / len(scores)), max=_number(max(scores)),
            )
            out.append(Lens(occurrence.start, occurrence.end, title))
    return out


def _number(value: Decimal) -> str:
    """A number as the lens shows it: thousands separated, at most two decimals, no trailing zeros (3,240; 162.5)."""
    with decimal.localcontext() as context:
        context.rounding = decimal.ROUND_HALF_UP
        text = f"{value.quantize(Decimal('0.01')):,.2f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
