"""The workbench's allocation and public-list preview, without HTTP: plain functions over the served folder returning dicts.

:func:`allocate` runs the allocation as ``jifen allocate`` runs it (the run of
:mod:`jifen_dsl.runs.run`: the same readers, engine and verification) on an
applicant file and a schools file of the served folder, and returns what the
allocation page charts: the points of each grade with the qualification cut,
each school's seats, admissions and cut-off (``jifen allocate --summary``, from
:func:`jifen_dsl.allocation.columnar_summary.summary_of`), admissions by round and
batch, and the subsidies.

:func:`preview` returns the public list (公示) exactly as ``jifen publish --format html``
writes it, from a run directory (or results file) of the served folder, or from
an allocation made on the spot.

Every path is relative to the served folder and confined to it
(:func:`jifen_dsl.workbench.safety.confine`); bad files get the command line's
own messages (a :class:`~jifen_dsl.errors.JifenError`, answered as 422).
"""

from __future__ import annotations

import json
import math
import os
from decimal import Decimal, InvalidOperation
from typing import Any

from jifen_dsl.lang.library import library_of
from jifen_dsl.messages import T
from jifen_dsl.workbench import memo
from jifen_dsl.workbench.api import _library, _own_context, _read, _speak, _text
from jifen_dsl.workbench.safety import ApiError, confine

__all__ = ["allocate", "preview", "preview_policy", "page_words", "KINDS", "PAGE_WORDS"]

PAGE_WORDS = {
    "allocate": T("Allocate"),
    "allocate_heading": T("Allocate the seats"),
    "policy": T("Policy"),
    "applicants": T("Applicant file"),
    "schools": T("Schools file"),
    "run": T("Run the allocation"),
    "running": T("Allocating…"),
    "points_chart": T("Points of the eligible, by grade"),
    "qualified": T("qualified"),
    "not_qualified": T("not qualified"),
    "cut": T("qualification cut: {points}"),
    "schools_chart": T("Seats, admitted and cut-off by school"),
    "seats": T("seats"),
    "admitted": T("admitted"),
    "cutoff": T("cut-off"),
    "rounds_chart": T("Admissions by round and batch"),
    "choices": T("by choice"),
    "coordinated": T("coordinated placement"),
    "clearing": T("clearing round"),
    "subsidy": T("Subsidy total: {total}"),
    "no_subsidy": T("The policy grants no subsidy."),
    "counts": T("Outcome"),
    "preview_link": T("Preview the public list"),
    "failed": T("The server did not answer: {reason}"),
    "seasons": T("Seasons"),
    "seasons_heading": T("Admission seasons in this folder"),
    "no_seasons": T("No season (a folder with season.db) was found in this folder."),
    "stages": T("Stages done"),
    "next": T("Next"),
    "none_next": T("Registration is closed: the season is over."),
    "log": T("Log entries"),
    "preview": T("Public list"),
    "preview_heading": T("Public list preview"),
    "admission_list": T("Admission list"),
    "points_list": T("Points list"),
    "search": T("Application no."),
    "phone": T("Phone (390 px)"),
    "desktop": T("Desktop"),
}


def _count_words(counts: dict) -> dict[str, str]:
    """Each status counted, as people read it (the counts keep the status as the run writes it)."""
    from jifen_dsl.season.words import status_word

    return {status: str(status_word(status)) for status in counts}


def page_words(lang: str) -> dict[str, str]:
    """The words of the allocation, season and preview pages in ``lang``."""
    from jifen_dsl.workbench.words import words

    return words(lang, PAGE_WORDS)


def preview_policy() -> str:
    """The preview page's Content-Security-Policy: the workbench's, and the public page's own inline search script by its hash."""
    import base64
    import hashlib

    from jifen_dsl.runs.public_html import SCRIPT

    digest = base64.b64encode(hashlib.sha256(("\n" + SCRIPT + "\n").encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'self'; script-src 'self' 'sha256-{digest}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )

KINDS = ("admission", "points")
_BINS = 12  # about this many bars in a grade's points chart


def _data_file(root: str, path: Any, name: str) -> tuple[str, str]:
    """A data file of the served folder (any suffix): (as shown, resolved); 404 when it is not a file."""
    if path is None:
        raise ApiError(422, "missing_field", T("the request lacks the field {name}", name=name))
    shown, real = confine(root, path, policy=False)
    if not os.path.isfile(real):
        raise ApiError(404, "not_found", T("{path}: no such file", path=shown))
    return shown, real


def _compiled(root: str, path: Any, text: Any, lang: str | None) -> tuple[str, Any]:
    """The policy ``path`` compiled, from ``text`` when given (an edit not saved), else from its file; (as shown, compiled policy)."""
    from jifen_dsl.compile.compiler import compile_policy
    from jifen_dsl.compile.pipeline import check_file
    from jifen_dsl.lang import model

    shown, real = confine(root, path)
    if text is None:
        if not os.path.isfile(real):
            raise ApiError(404, "not_found", T("{path}: no such file", path=shown))
        text = _read(real, shown)
    text = _text(text)
    _speak(lang, text)
    where = os.path.join(root, *shown.split("/"))

    def make() -> Any:
        checked = check_file(where, text)
        if isinstance(checked, model.Library):
            raise ApiError(422, "not_a_policy", T("{path} is a library of shared declarations, not a policy", path=shown))
        return compile_policy(checked)

    with _library(root, where):
        return shown, memo.compiled_policy(where, library_of(where).real, text, make)


def _run(root: str, path: Any, text: Any, applicants: Any, schools: Any, lang: str | None) -> tuple[dict[str, str], Any]:
    """The allocation run of the request, as ``jifen allocate`` makes it; (the files as shown, the run)."""
    from jifen_dsl.progress import NO_PROGRESS
    from jifen_dsl.data.schools import read_schools_table, schools_from_table
    from jifen_dsl.runs.engine import read_cohort, run_engine
    from jifen_dsl.runs.run import Run, RunSpec, Source

    policy_shown, compiled = _compiled(root, path, text, lang)
    applicants_shown, applicants_real = _data_file(root, applicants, "applicants")
    schools_shown, schools_real = _data_file(root, schools, "schools")
    spec = RunSpec("allocate", os.path.join(root, *policy_shown.split("/")), Source(applicants_real), Source(schools_real))
    cohort = read_cohort(spec.applicants, None, compiled.policy, False, NO_PROGRESS)
    table = read_schools_table(schools_real)
    offer = schools_from_table(table, compiled.policy)
    results = run_engine(compiled, cohort, offer, False, NO_PROGRESS)  # verified before it returns
    shown = {"path": policy_shown, "applicants": applicants_shown, "schools": schools_shown}
    return shown, Run(spec, compiled, results, table)


def _grade_names(policy: Any) -> dict[str, str]:
    """Each grade's name as the policy's own language writes it (the grade field's alias in Chinese)."""
    from jifen_dsl.lang import model

    names: dict[str, str] = {}
    if policy.language == "zh" and policy.has_field(model.GRADE_FIELD):
        for alias, member in policy.field(model.GRADE_FIELD).type.aliases:
            names.setdefault(member, alias)
    return names


def _number(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text)) if text is not None else None
    except InvalidOperation:
        return None


def _step(span: float) -> float:
    """A round bar width (1, 2, 5 times a power of ten) giving about :data:`_BINS` bars over ``span``."""
    if span <= 0:
        return 1.0
    raw = span / _BINS
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return float(factor * power)
    return float(10 * power)  # pragma: no cover


def _grades(policy: Any, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per grade: the eligible applicants' points in bars, qualified or not, and the qualification cut (the lowest points qualified)."""
    names = _grade_names(policy)
    out = []
    for grade in policy.grades:
        mine = [r for r in records if r["grade"] == grade.value and r.get("status") not in (None, "ineligible")]
        points = [(_number(r.get("points")), r.get("status") != "not_qualified") for r in mine]
        points = [(p, q) for p, q in points if p is not None]
        qualified = [p for p, q in points if q]
        cut = min(qualified) if qualified and len(qualified) < len(points) else None
        bins: list[dict[str, Any]] = []
        if points:
            low, high = float(min(p for p, _ in points)), float(max(p for p, _ in points))
            step = _step(high - low)
            start = math.floor(low / step) * step
            count = int((high - start) // step) + 1
            bins = [{"from": _round(start + i * step), "to": _round(start + (i + 1) * step), "qualified": 0, "not_qualified": 0} for i in range(count)]
            for p, q in points:
                index = min(int((float(p) - start) // step), count - 1)
                bins[index]["qualified" if q else "not_qualified"] += 1
        out.append({
            "grade": grade.value, "name": names.get(grade.value, grade.value), "eligible": len(points),
            "qualified": len(qualified), "not_qualified": len(points) - len(qualified),
            "cut": None if cut is None else _text_of(cut), "bins": bins,
        })
    return out


def _round(value: float) -> float | int:
    value = round(value, 6)
    return int(value) if value == int(value) else value


def _text_of(value: Decimal) -> str:
    from jifen_dsl.data.values import format_value

    return format_value(value)


def _totals(summary: dict[str, Any], policy: Any) -> dict[str, Any]:
    """Admissions by round and by batch, over every school."""
    rounds = {"choices": 0, "coordinated": 0, "clearing": 0}
    batches: dict[str, int] = {b.name: 0 for b in policy.batches}
    for school in summary["schools"]:
        for kind, n in school["by_round"].items():
            rounds[kind] = rounds.get(kind, 0) + n
        for name, n in school["by_batch"].items():
            batches[name] = batches.get(name, 0) + n
    return {"rounds": rounds, "batches": batches}


def _records(run: Any) -> list[dict[str, Any]]:
    """The run's results as ``results.json`` holds them (the records ``jifen publish`` reads)."""
    from jifen_dsl.allocation.columnar_report import placement_json_bytes

    return json.loads(placement_json_bytes(run.compiled.policy, run.report_frame, run.results.schools))


@_own_context
def allocate(root: str, path: Any, applicants: Any, schools: Any, text: Any = None, lang: str | None = None) -> dict[str, Any]:
    """The allocation of ``applicants`` over ``schools`` under the policy ``path`` (or ``text`` as that file): what the charts need."""
    from jifen_dsl.allocation.columnar_summary import summary_of

    shown, run = _run(root, path, text, applicants, schools, lang)
    policy = run.compiled.policy
    summary = summary_of(policy, run.report_frame, run.results.schools)
    summary["policy"] = shown["path"]
    records = _records(run)
    names = _grade_names(policy)
    schools_out = [
        {**{k: s[k] for k in ("id", "name", "type", "grade", "seats", "admitted", "cutoff", "remaining", "subsidy")}, "grade_name": names.get(s["grade"], s["grade"])}
        for s in summary["schools"]
    ]
    return {
        **shown,
        "language": policy.language,
        "title": policy.header.title,
        "applicants_count": summary["applicants"],
        "counts": summary["counts"],
        "count_words": _count_words(summary["counts"]),
        "grades": _grades(policy, records),
        "schools_summary": schools_out,
        **_totals(summary, policy),
        "subsidy": summary.get("subsidy"),
        "summary": summary,
    }


@_own_context
def preview(
    root: str, kind: Any = "admission", run: Any = None, policy: Any = None,
    path: Any = None, applicants: Any = None, schools: Any = None, text: Any = None, lang: str | None = None,
) -> dict[str, Any]:
    """The public list of ``kind`` as ``jifen publish --format html`` writes it: from a run directory or results file ``run``, or from an allocation."""
    from jifen_dsl.runs.public_html import html_page
    from jifen_dsl.runs.publish import admission_list, load_results, points_list

    if kind not in KINDS:
        raise ApiError(422, "bad_field", T("kind is admission or points"))
    if run is not None:
        run_shown, run_real = confine(root, run, policy=False)
        if not os.path.exists(run_real):
            raise ApiError(404, "not_found", T("{path}: no such file", path=run_shown))
        records, recorded = load_results(run_real)
        named = policy if policy is not None else recorded.policy
        if named is None:
            raise ApiError(422, "missing_field", T("the request lacks the field {name}", name="policy"))
        if policy is None and isinstance(named, str):
            named = _within(root, named)
        policy_shown, compiled = _compiled(root, named, None, lang)
        source = {"run": run_shown, "policy": policy_shown}
    else:
        shown, made = _run(root, path, text, applicants, schools, lang)
        records, compiled = _records(made), made.compiled
        source = shown
    public = points_list(records, compiled.policy) if kind == "points" else admission_list(records, compiled.policy)
    return {**source, "kind": kind, "language": compiled.policy.language, "rows": len(public.rows), "html": html_page(public)}


def _within(root: str, recorded: str) -> str:
    """The policy a run's manifest names, as a path of the served folder (a relative one read from the folder)."""
    if os.path.isabs(recorded):
        relative = os.path.relpath(os.path.realpath(recorded), root)
        if relative == os.pardir or relative.startswith(os.pardir + os.sep):
            raise ApiError(403, "path_outside", T("{path} leads out of the served folder", path=os.path.basename(recorded)))
        return relative.replace(os.sep, "/")
    return recorded.replace(os.sep, "/")
