"""The Compare page's answers, without HTTP: a policy's clause diff, and the impact of an edit before it is saved.

:func:`impact_of_edit` runs a cohort under the policy file as saved and under the
text being edited (loaded and checked from the text, never written, never run
as Python), as ``jifen diff OLD NEW --applicants FILE --schools FILE`` does with
two files (:mod:`jifen_dsl.years.impact`): each clause change is made alone on
the saved policy to find which changes cause each applicant's new outcome. With
a schools file it adds, school by school, who gains or loses a seat there and
how its cut-off moves. It answers differences only: an edit that changes no
clause lists nothing.

:func:`compare_page` is what the page shows before any edit: the clause diff of
the saved policy against the one it extends, the previous year's, or another
file chosen; :func:`data_files` the cohort files the page offers.
"""

from __future__ import annotations

import os
from typing import Any

from jifen_dsl.errors import DataError, JifenError, PolicyError
from jifen_dsl.messages import Message, T, language_of_text, render
from jifen_dsl.workbench import api
from jifen_dsl.workbench.safety import ApiError, confine

__all__ = [
    "impact_of_edit", "compare_page", "data_files", "policy_paths", "DATA_SUFFIXES", "MAX_DATA_FILES", "PAGE_WORDS", "SCRIPT_WORDS",
]

DATA_SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl")
MAX_DATA_FILES = 500

# The page's words (the navigation's are in words.py).
PAGE_WORDS: dict[str, Message] = {
    "compare": T("Compare"),
    "heading": T("Compare {path}"),
    "choose": T("Choose a policy to compare"),
    "against": T("Clause by clause against {base}"),
    "other": T("Compare with another file"),
    "show": T("Show"),
    "no_difference_files": T("No difference: no clause differs."),
    "clauses_changed": T("{count} clauses differ"),
    "edit_heading": T("The edit, before it is saved"),
    "edit_note": T("Change the text below (it is not saved), choose a cohort and see whom the edit changes things for, against the file as saved."),
    "text": T("Policy text"),
    "applicants": T("Applicant file"),
    "schools": T("Schools file (optional)"),
    "run": T("Show the impact"),
    "edit": T("Open in the editor"),
    "back": T("All policies"),
}

# What the script shows.
SCRIPT_WORDS: dict[str, Message] = {
    "working": T("Running the cohort under both texts…"),
    "failed": T("The server did not answer: {reason}"),
    "no_difference": T("No difference: the edit changes no clause and nobody's outcome."),
    "clauses": T("Clauses changed"),
    "people": T("Applicants whose outcome changes"),
    "seats": T("Seats that move"),
    "summary": T("What changes"),
    "because": T("because of"),
    "combination": T("a combination of changes"),
    "not_run": T("wording only, not run"),
    "cannot_run": T("cannot be run alone"),
    "id": T("id"),
    "grade": T("grade"),
    "change": T("change"),
    "school": T("school"),
    "cutoff": T("cut-off"),
    "gained": T("gain a seat"),
    "lost": T("lose their seat"),
    "none": T("none"),
    "added": T("added"),
    "removed": T("removed"),
    "changed": T("changed"),
    "eligible": T("eligible"),
    "failed_requirements": T("failed"),
    "batch": T("batch"),
    "rank": T("rank"),
    "status": T("status"),
    "yes": T("yes"),
    "no": T("no"),
    "admitted": T("admitted"),
    "unplaced": T("unplaced"),
    "not_qualified": T("not qualified"),
    "ineligible": T("ineligible"),
    "gain_eligibility": T("{count} gain eligibility"),
    "lose_eligibility": T("{count} lose eligibility"),
    "change_failed": T("{count} fail other requirements"),
    "change_batch": T("{count} change batch"),
    "change_rank": T("{count} change rank"),
    "gain_place": T("{count} gain a place"),
    "lose_place": T("{count} lose their place"),
    "change_school": T("{count} change school"),
    "moved": T("Years the edited text was moved by, to the saved policy's year: {count}"),
}


def _data_path(root: str, value: Any, name: str) -> tuple[str, str]:
    """A data file inside the served folder: (as shown, resolved); 404 when there is no such file."""
    if not isinstance(value, str):
        raise ApiError(422, "bad_field", T("{name} must be a string", name=name))
    shown, real = confine(root, value, policy=False)
    if not os.path.isfile(real):
        raise ApiError(404, "not_found", T("{path}: no such file", path=shown))
    return shown, real


def _saved_text(root: str, path: Any) -> tuple[str, str]:
    shown, real = confine(root, path)
    return shown, api._read(real, shown)


# ------------------------------------------------------------------ the impact of an edit


@api._own_context
def impact_of_edit(
    root: str, path: Any, text: Any, applicants: Any, schools: Any = None, evidence: Any = None, lang: str | None = None,
) -> dict[str, Any]:
    """The cohort ``applicants`` under the file ``path`` as saved and under ``text``: whom the edit changes things for, and why.

    Both are moved to the saved policy's year. 422 ``invalid_policy`` (with the
    diagnostics) when either does not check; the CLI's message (``data_error``)
    for a cohort, schools or evidence file it cannot use.
    """
    shown, saved = _saved_text(root, path)
    text = api._text(text)
    cohort_shown, cohort_real = _data_path(root, applicants, "applicants")
    schools_shown, schools_real = _data_path(root, schools, "schools") if schools is not None else (None, None)
    evidence_shown, evidence_real = _data_path(root, evidence, "evidence") if evidence is not None else (None, None)
    where = api._where(root, shown)
    old = api._checked_side(root, shown, saved)
    language = api._speak(lang, text)  # the edited text's language from here on, not the saved file's
    new = api._checked_side(root, shown, text)
    try:
        with api._library(root, where):
            result, seats = _impact(where, old, new, cohort_real, schools_real, evidence_real)
    except DataError as exc:
        raise ApiError(422, "data_error", api._relative(root, exc.render())) from None
    except PolicyError as exc:
        raise ApiError(422, "invalid_policy", api._relative(root, exc.render())) from None
    return _records(root, shown, language, result, seats, cohort_shown, schools_shown, evidence_shown)


def _impact(where: str, a: Any, b: Any, cohort: str, schools: str | None, evidence: str | None) -> tuple[Any, list[dict[str, Any]]]:
    """:func:`jifen_dsl.years.impact.impact_of_sides` for two loaded sides of one file, the edit moved to the saved one's year; and the seats that move per school."""
    from jifen_dsl.years import impact as impacts
    from jifen_dsl.years.sides import side_of
    from jifen_dsl.years.yearshift import shift_program

    year = a.policy.header.year
    moved = year - b.policy.header.year
    if moved:
        b = side_of(where, shift_program(b.program, moved))
    inputs = impacts.read_inputs(cohort, schools, evidence)
    result = impacts.impact_of_sides(a, b, inputs, year=year, moved=(0, moved), paths=(where, where))
    if inputs.schools_table is None:
        return result, []
    compiled_a, compiled_b = impacts.compiled_side(a), impacts.compiled_side(b)
    return result, _seats(compiled_a, compiled_b, inputs.table, inputs.schools_table, inputs.evidence_table, list(result.affected))


def _allocated(compiled: Any, table: Any, schools: Any, evidence: Any) -> dict[str, dict[str, Any]]:
    """Each school's line of the allocation summary (``jifen allocate``'s), by id."""
    from jifen_dsl.allocation.allocator import allocate
    from jifen_dsl.allocation.report import summary
    from jifen_dsl.data.applicants import records_from_table
    from jifen_dsl.data.evidence import evidence_from_table
    from jifen_dsl.data.schools import schools_from_table
    from jifen_dsl.evaluation.evaluator import evaluate

    policy = compiled.policy
    applicants, _ = records_from_table(table, policy)
    if evidence is not None and policy.evidence:
        applicants = evidence_from_table(evidence, policy, applicants)
    allocation = allocate(compiled, evaluate(compiled, applicants), schools_from_table(schools, policy))
    return {line["id"]: line for line in summary(allocation)["schools"]}


def _seats(compiled_a: Any, compiled_b: Any, table: Any, schools: Any, evidence: Any, affected: list) -> list[dict[str, Any]]:
    """The schools where a seat moves or the cut-off shifts: who gains a seat there, who loses one, the cut-off before and after."""
    old, new = _allocated(compiled_a, table, schools, evidence), _allocated(compiled_b, table, schools, evidence)
    gained: dict[str, list[str]] = {}
    lost: dict[str, list[str]] = {}
    for x in affected:
        if x.old.school != x.new.school:
            if x.new.school is not None:
                gained.setdefault(x.new.school, []).append(x.id)
            if x.old.school is not None:
                lost.setdefault(x.old.school, []).append(x.id)
    out = []
    for school_id, before in old.items():
        after = new.get(school_id, before)
        if before["cutoff"] == after["cutoff"] and school_id not in gained and school_id not in lost:
            continue
        out.append({
            "id": school_id, "name": before["name"], "grade": before["grade"],
            "cutoff": {"old": before["cutoff"], "new": after["cutoff"]},
            "gained": gained.get(school_id, []), "lost": lost.get(school_id, []),
        })
    return out


def _records(
    root: str, shown: str, language: str, result: Any, seats: list[dict[str, Any]],
    cohort: str, schools: str | None, evidence: str | None,
) -> dict[str, Any]:
    """The impact as JSON: the keys of ``jifen diff --format json`` with --applicants, each change with its clause text and title, and the seats."""
    from jifen_dsl.years.diff_report import _title, diff_records, impact_records

    records = impact_records(result)
    clauses = {c["id"]: c for c in diff_records(result.old, result.new, result.changes)["changes"]}
    titles = {c.id: _title(c, language) for c in result.changes}
    changes = []
    for number, change in enumerate(records["changes"], start=1):
        full = clauses[change["id"]]
        changes.append(_name_change({**full, "number": number, "title": titles[change["id"]], "run": change["run"]}, language))
    for side in ("old", "new"):
        records[side]["path"] = shown
    applicants = records["applicants"]
    return {
        "path": shown, "language": language, "cohort": cohort, "schools": schools, "evidence": evidence,
        "year": records["year"], "moved": records["moved"], "summary": records["summary"],
        "changes": changes, "applicants": applicants, "seats": seats,
        "no_difference": not changes and not applicants and not seats,
        "note": render(T("the edit changes no clause and nobody's outcome")) if not changes and not applicants and not seats else None,
    }


# ------------------------------------------------------------------ the page


@api._own_context
def compare_page(root: str, path: Any, with_path: Any = None, lang: str | None = None) -> dict[str, Any]:
    """What the page shows first: the saved policy's text, and its clause diff against ``with_path``, else its base.

    ``diff`` is None (and ``note`` says why) when there is nothing to compare with
    or a side does not check.
    """
    shown, text = _saved_text(root, path)
    api._speak(lang, text)
    base = None
    diff = None
    note = None
    try:
        if with_path is not None and with_path != "":
            base = confine(root, with_path)[0]
            diff = api.diff_paths(root, base, shown, lang)["diff"]
        else:
            found = api.diff_text(root, shown, text, lang)
            base, diff = found["base"], found["diff"]
    except ApiError as exc:
        if exc.code not in ("no_base", "invalid_policy", "not_found"):
            raise
        note = render(exc.message)
    except (JifenError, RecursionError, ValueError) as exc:
        note = api._relative(root, exc.render() if isinstance(exc, JifenError) else str(exc))
    if diff is not None:
        for change in diff["changes"]:
            _name_change(change, lang or language_of_text(text))
    return {"path": shown, "text": text, "base": base, "diff": diff, "note": note}


def _name_change(change: dict[str, Any], language: str) -> dict[str, Any]:
    """A change record with its title (the clause's kind and name, as the text report shows them) and its kind of change, in ``language``."""
    from jifen_dsl.years.diff_report import _ASPECTS, _CHANGES, _CLAUSES, _UNNAMED

    if "title" not in change:
        clause = render(_CLAUSES.get(change["clause"], change["clause"]), language)
        name = "" if change["clause"] in _UNNAMED else f" {change['name']}"
        change["title"] = f"{clause}{name}" + (f" ({change['grade']})" if change["grade"] else "")
    change["change_word"] = render(_CHANGES.get(change["change"], change["change"]), language)
    tags = [render(T("dates moved with the year"), language)] if change["moved_with_year"] else []
    tags += [render(T("wording only"), language)] if change["wording_only"] else []
    change["tags"] = tags + [render(_ASPECTS.get(a["aspect"], a["aspect"]), language) for a in change["aspects"]]
    return change


def policy_paths(root: str) -> list[str]:
    """The policy files a comparison may be opened for."""
    return api._policy_files(root)


def data_files(root: str) -> list[str]:
    """The data files under ``root`` a cohort or schools file may be chosen from (relative, with '/'), as the policies are found."""
    return api.files_under(root, DATA_SUFFIXES, MAX_DATA_FILES)


