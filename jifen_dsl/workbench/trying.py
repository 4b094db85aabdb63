"""The Try page's answers, without HTTP: a policy (its file, or a text not yet saved) tried on an applicant file.

An applicant file is one of the served folder (a CSV, XLSX, JSON or JSON Lines
file found under it) or one uploaded: an upload is written to a private
temporary folder of the server (never into the served folder) and named by the
reference ``upload:<hex>`` that :meth:`Uploads.store` returns. Either is read
with the command line's readers, so a bad file gets the messages ``jifen
evaluate`` prints (422, ``bad_applicants``), with the file named as the user
knows it.

:func:`evaluate` gives each applicant's grade, eligibility, failed requirements,
batch, points and rank (the keys of ``jifen evaluate --format json``);
:func:`explain` one applicant's account, as ``jifen explain --id`` gives it, in
the policy's language.

**Cases.** A sample family saved with its expected outcome goes into the
policy's samples file, ``<year>.samples.csv`` beside ``<year>.jifen`` - the file
the language server's samples lens reads (:mod:`jifen_dsl.lsp.lens`) - as a row
with the columns of that file and three more, ``expected_eligible``,
``expected_points`` and ``expected_rank`` (readers ignore columns a policy does
not read). :func:`check_cases` evaluates the samples with a text and says, for
each saved family, what was expected, what comes out now and whether it changed.
"""

from __future__ import annotations

import csv
import decimal
import io
import os
import re
import secrets
import shutil
import tempfile
import threading
from decimal import Decimal
from typing import Any

from jifen_dsl.errors import DataError, JifenError, PolicyError
from jifen_dsl.lang.library import library_of
from jifen_dsl.messages import Message, T, render
from jifen_dsl.workbench import api, memo
from jifen_dsl.workbench.safety import ApiError, confine

__all__ = [
    "APPLICANT_SUFFIXES", "EXPECTED", "MAX_UPLOADS", "Uploads", "WORDS", "SCRIPT_WORDS",
    "applicant_files", "describe", "evaluate", "explain", "save_case", "check_cases",
]

APPLICANT_SUFFIXES = (".csv", ".xlsx", ".json", ".jsonl")
EXPECTED = ("expected_eligible", "expected_points", "expected_rank")
MAX_FILES = 500  # applicant files listed at most
MAX_UPLOADS = 20  # uploads kept at once; the oldest goes first
_UPLOAD = re.compile(r"^upload:([0-9a-f]{32})$")

WORDS: dict[str, Message] = {
    "try": T("Try"),
    "try_heading": T("Try the policy on applicants"),
    "policy": T("Policy"),
    "choose_policy": T("Choose a policy"),
    "applicants": T("Applicant file"),
    "choose_file": T("Choose a file of this folder"),
    "upload": T("or upload one"),
    "evaluate": T("Evaluate"),
    "text": T("Policy text (changes here are tried without being saved)"),
    "status": T("Status"),
    "grade": T("Grade"),
    "failed": T("Failed requirement"),
    "all": T("All"),
    "eligible": T("meets the requirements"),
    "not_eligible": T("does not meet the requirements"),
    "id": T("Application id"),
    "batch": T("Batch"),
    "points": T("Points"),
    "rank": T("Rank"),
    "explanation": T("Explanation"),
    "pick": T("Click an applicant to see the explanation."),
    "cases": T("Saved families"),
    "cases_note": T("Families saved with their expected outcome in the samples file; they are checked again after every edit."),
    "save_case": T("Save as a sample family"),
    "edit": T("Edit the policy"),
}

SCRIPT_WORDS: dict[str, Message] = {
    "working": T("Evaluating…"),
    "counts": T("{shown} of {count} applicants shown"),
    "yes": T("yes"),
    "no": T("no"),
    "eligible": T("meets the requirements"),
    "not_eligible": T("does not meet the requirements"),
    "failed": T("The server did not answer: {reason}"),
    "no_cases": T("No family has been saved yet."),
    "case_changed": T("outcome changed"),
    "case_same": T("as expected"),
    "expected": T("expected"),
    "now": T("now"),
    "saved_case": T("Saved to {path}."),
    "uploaded": T("Uploaded {name}."),
    "more_rows": T("Only the first {count} rows are shown; filter to see the others."),
}


# ------------------------------------------------------------------ uploads


class Uploads:
    """The uploaded applicant files of one server, in a private temporary folder removed when the server ends."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._files: dict[str, tuple[str, str]] = {}  # hex -> (its folder, the file name)

    def _base(self) -> str:
        if self._folder is None:
            self._folder = tempfile.TemporaryDirectory(prefix="jifen-uploads-")
            os.chmod(self._folder.name, 0o700)
        return self._folder.name

    def store(self, name: Any, data: bytes) -> dict[str, Any]:
        """Keep ``data`` as the file ``name`` (its base name only); the reference to give as ``applicants``."""
        if not isinstance(name, str) or not name.strip():
            raise ApiError(422, "missing_field", T("the request lacks the field {name}", name="filename"))
        name = re.split(r"[\\/]", name.strip())[-1].replace("\0", "")
        if not name or name in (".", "..") or not name.lower().endswith(APPLICANT_SUFFIXES):
            raise ApiError(400, "not_applicants", T("{path}: an applicant file is a .csv, .xlsx, .json or .jsonl file", path=name[:200]))
        if not data.strip():
            raise ApiError(422, "bad_applicants", T("{path}: the file is empty", path=name))
        key = secrets.token_hex(16)
        with self._lock:
            folder = os.path.join(self._base(), key)
            os.mkdir(folder, 0o700)
            with open(os.path.join(folder, name), "wb") as out:
                out.write(data)
            self._files[key] = (folder, name)
            while len(self._files) > MAX_UPLOADS:
                oldest = next(iter(self._files))
                shutil.rmtree(self._files.pop(oldest)[0], ignore_errors=True)
        return {"applicants": "upload:" + key, "name": name, "size": len(data)}

    def find(self, reference: str) -> tuple[str, str, str] | None:
        """(the file's path, the name shown, its folder) of an upload reference; None when there is no such upload."""
        match = _UPLOAD.match(reference)
        if match is None:
            return None
        with self._lock:
            found = self._files.get(match.group(1))
        if found is None:
            raise ApiError(404, "not_found", T("the upload {name} is no longer kept; upload the file again", name=reference))
        folder, name = found
        return os.path.join(folder, name), name, folder

    def close(self) -> None:
        with self._lock:
            if self._folder is not None:
                self._folder.cleanup()
                self._folder = None
            self._files.clear()


# ------------------------------------------------------------------ the applicant files


def applicant_files(root: str, path: Any = None) -> dict[str, Any]:
    """The applicant files under ``root`` (relative, with '/'): those beside the policy ``path`` first."""
    near = ""
    if path:
        shown, _ = confine(root, path)
        near = shown.rpartition("/")[0]
    found = api.files_under(root, APPLICANT_SUFFIXES, MAX_FILES)
    found.sort(key=lambda p: (p.rpartition("/")[0] != near, p.count("/"), p))
    return {"files": found}


class _Source:
    """An applicant file to read: where it is, how messages name it, and the folder to leave out of them."""

    def __init__(self, real: str, shown: str, hide: str):
        self.real, self.shown, self.hide = real, shown, hide


def _source(root: str, uploads: Uploads, applicants: Any) -> _Source:
    if not isinstance(applicants, str) or not applicants.strip():
        raise ApiError(422, "bad_field", T("{name} must be a string", name="applicants"))
    upload = uploads.find(applicants)
    if upload is not None:
        real, name, folder = upload
        return _Source(real, name, folder)
    shown, real = confine(root, applicants, policy=False)
    if not shown.lower().endswith(APPLICANT_SUFFIXES):
        raise ApiError(400, "not_applicants", T("{path}: an applicant file is a .csv, .xlsx, .json or .jsonl file", path=shown))
    if not os.path.isfile(real):
        raise ApiError(404, "not_found", T("{path}: no such file", path=shown))
    return _Source(real, shown, root)


def _bad_data(exc: JifenError, *hidden: str) -> ApiError:
    """A problem of an applicant file as the command line says it, the server's folders left out."""
    text = exc.render()
    for folder in hidden:
        text = text.replace(folder + os.sep, "")
    return ApiError(422, "bad_applicants", text)


# ------------------------------------------------------------------ the policy


def _compiled(root: str, shown: str, text: str) -> Any:
    """``text`` checked as the file ``shown`` and compiled; 422 with its diagnostics when it does not check."""
    from jifen_dsl.compile.compiler import compile_policy
    from jifen_dsl.compile.pipeline import check_file
    from jifen_dsl.lang import model

    where = api._where(root, shown)

    def make() -> Any:
        checked = check_file(where, text)
        if not isinstance(checked, model.Policy):
            raise ApiError(400, "not_a_policy", T("{path} holds shared declarations, not a policy: nothing to evaluate", path=shown))
        return compile_policy(checked)

    try:
        with api._library(root, where):
            return memo.compiled_policy(where, library_of(where).real, text, make)
    except (PolicyError, RecursionError, ValueError):
        diagnostics = [d for d in api._diagnostics(api._analyse(root, shown, text), root) if d["severity"] == "error"]
        raise ApiError(422, "invalid_policy", T("{path} does not check; nothing was evaluated", path=shown), diagnostics=diagnostics) from None


def _load(root: str, path: Any, text: Any, lang: str | None) -> tuple[str, Any]:
    """(the path shown, the compiled policy) of ``text``, else of the file ``path``; messages from here on in ``lang`` or the policy's."""
    shown, real = confine(root, path)
    text = api._read(real, shown) if text is None else api._text(text)
    api._speak(lang, text)
    return shown, _compiled(root, shown, text)


def _evaluations(compiled: Any, source: _Source, root: str) -> tuple[list[Any], list[Any]]:
    from jifen_dsl.data.applicants import read_applicants
    from jifen_dsl.evaluation.evaluator import evaluate as run

    def make() -> tuple[list[Any], list[Any]]:
        people = read_applicants(source.real, compiled.policy)
        return people, run(compiled, people)

    try:
        return memo.evaluated_cohort(source.real, compiled, make)
    except (DataError, decimal.DecimalException) as exc:
        if isinstance(exc, DataError):
            raise _bad_data(exc, source.hide, root) from None
        raise ApiError(422, "bad_applicants", T("{path}: {reason}", path=source.shown, reason=str(exc))) from None


# ------------------------------------------------------------------ evaluate and explain


@api._own_context
def evaluate(root: str, uploads: Uploads, path: Any, text: Any, applicants: Any, lang: str | None = None) -> dict[str, Any]:
    """Every applicant of the file under the policy: id, grade, eligible, failed, batch, points, rank."""
    from jifen_dsl.evaluation.report import evaluation_records

    shown, compiled = _load(root, path, text, lang)
    source = _source(root, uploads, applicants)
    _, evaluations = _evaluations(compiled, source, root)
    rows = [{key: record[key] for key in ("id", "grade", "eligible", "failed", "batch", "points", "rank")}
            for record in evaluation_records(compiled, evaluations)]
    policy = compiled.policy
    return {
        "path": shown, "applicants": applicants, "name": source.shown, "language": policy.language,
        "count": len(rows), "eligible": sum(r["eligible"] for r in rows),
        "grades": sorted({r["grade"] for r in rows}),
        "requirements": [{"name": r.name, "title": r.title, "grade": r.grade} for r in policy.requirements],
        "rows": rows,
    }


def _require_id(evaluations: list[Any], applicant_id: Any, shown: str) -> str:
    if not isinstance(applicant_id, str) or not applicant_id:
        raise ApiError(422, "bad_field", T("{name} must be a string", name="id"))
    if not any(e.id == applicant_id for e in evaluations):
        raise ApiError(404, "no_applicant", T("{path}: no applicant has the id {id}", path=shown, id=repr(applicant_id)))
    return applicant_id


@api._own_context
def explain(root: str, uploads: Uploads, path: Any, text: Any, applicants: Any, applicant_id: Any, lang: str | None = None) -> dict[str, Any]:
    """One applicant's outcome told as ``jifen explain --id`` tells it, in the policy's language."""
    from jifen_dsl.evaluation.explain import explain as explain_text

    shown, compiled = _load(root, path, text, lang)
    source = _source(root, uploads, applicants)
    _, evaluations = _evaluations(compiled, source, root)
    applicant_id = _require_id(evaluations, applicant_id, source.shown)
    return {"path": shown, "id": applicant_id, "language": compiled.policy.language, "text": explain_text(compiled, evaluations, applicant_id)}


# ------------------------------------------------------------------ cases


def _samples(root: str, shown: str) -> tuple[str, str]:
    """The samples file of the policy ``shown``: (as shown, resolved), confined to the served folder."""
    from jifen_dsl.lsp.lens import samples_path

    return confine(root, samples_path(shown), policy=False)


def _table(real: str, shown: str, hide: str, root: str, fmt: str | None = None) -> Any:
    from jifen_dsl.data.readers import read_table

    try:
        return read_table(real, fmt=fmt, what="applicants")
    except DataError as exc:
        raise _bad_data(exc, hide, root) from None


def _columns(table: Any, policy: Any) -> dict[int, int]:
    """Field index -> column of ``table`` (as the readers find them: by name or label)."""
    from jifen_dsl.data.frames.header import Problems, column_map

    return column_map(table, policy, Problems())


def _csv(header: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@api._own_context
def save_case(root: str, uploads: Uploads, path: Any, applicants: Any, applicant_id: Any, text: Any = None, lang: str | None = None) -> dict[str, Any]:
    """Keep the applicant ``applicant_id`` of ``applicants`` in the policy's samples file with the outcome it has now.

    A samples file that does not exist is made with the columns of the policy's
    template; one that does keeps its columns and rows, gains the expected-outcome
    columns it lacks, and has the family's row replaced if it was saved before.
    """
    from jifen_dsl.data.output import write_text_atomic
    from jifen_dsl.data.template import template_columns
    from jifen_dsl.data.values import format_value
    from jifen_dsl.lang import model

    shown, compiled = _load(root, path, text, lang)
    policy = compiled.policy
    source = _source(root, uploads, applicants)
    _, evaluations = _evaluations(compiled, source, root)
    applicant_id = _require_id(evaluations, applicant_id, source.shown)
    outcome = next(e for e in evaluations if e.id == applicant_id)
    table = _table(source.real, source.shown, source.hide, root)
    columns = _columns(table, policy)
    id_column = columns[policy.field(model.ID_FIELD).index]
    cells = next(c for _, c in table.rows if id_column < len(c) and c[id_column].strip() == applicant_id)

    samples_shown, samples_real = _samples(root, shown)
    created = not os.path.isfile(samples_real)
    if not created:
        samples = _table(samples_real, samples_shown, root, root, "csv")
        header = list(samples.header)
        kept = [list(c) + [""] * (len(header) - len(c)) for _, c in samples.rows]
        with open(samples_real, "rb") as kept_file:
            bom = kept_file.read(3) == b"\xef\xbb\xbf"
        samples_columns = _columns(samples, policy)
    else:
        header = [c.header for c in template_columns(policy)]
        kept, bom = [], False
        samples_columns = {index: position for position, index in enumerate(policy.read_fields)}
    header = [h.lstrip("\ufeff") for h in header]
    for name in EXPECTED:
        if name not in header:
            header.append(name)
            for row in kept:
                row.append("")
    field_at = {position: index for index, position in samples_columns.items()}
    row = []
    for position, name in enumerate(header):
        index = field_at.get(position)
        row.append(cells[columns[index]] if index is not None and index in columns and columns[index] < len(cells) else "")
    expected = {
        "expected_eligible": "true" if outcome.eligible else "false",
        "expected_points": format_value(outcome.points),
        "expected_rank": "" if outcome.rank is None else str(outcome.rank),
    }
    for name, value in expected.items():
        row[header.index(name)] = value
    samples_id = samples_columns.get(policy.field(model.ID_FIELD).index)
    replaced = False
    for i, old in enumerate(kept):
        if samples_id is not None and old[samples_id].strip() == applicant_id:
            kept[i], replaced = row, True
    if not replaced:
        kept.append(row)
    write_text_atomic(samples_real, _csv(header, kept), bom=bom)
    return {
        "path": shown, "samples": samples_shown, "id": applicant_id, "replaced": replaced, "created": created,
        "expected": {"eligible": outcome.eligible, "points": expected["expected_points"], "rank": outcome.rank},
    }


def _number(text: str) -> Decimal | None:
    try:
        return Decimal(text.strip()) if text.strip() else None
    except decimal.InvalidOperation:
        return None


@api._own_context
def check_cases(root: str, path: Any, text: Any = None, lang: str | None = None) -> dict[str, Any]:
    """Each family of the samples file saved with an expected outcome: expected, now, and whether it changed."""
    from jifen_dsl.data.values import format_value
    from jifen_dsl.lang import model

    shown, compiled = _load(root, path, text, lang)
    policy = compiled.policy
    samples_shown, samples_real = _samples(root, shown)
    if not os.path.isfile(samples_real):
        return {"path": shown, "samples": samples_shown, "exists": False, "cases": [], "changed": 0}
    table = _table(samples_real, samples_shown, root, root, "csv")
    header = [h.strip().lstrip("\ufeff") for h in table.header]
    if "expected_eligible" not in header:
        return {"path": shown, "samples": samples_shown, "exists": True, "cases": [], "changed": 0}
    at = {name: header.index(name) for name in EXPECTED if name in header}
    id_column = _columns(table, policy).get(policy.field(model.ID_FIELD).index)
    _, evaluations = _evaluations(compiled, _Source(samples_real, samples_shown, root), root)
    now = {e.id: e for e in evaluations}
    cases = []
    for _, cells in table.rows:
        def cell(name: str) -> str:
            return cells[at[name]].strip() if name in at and at[name] < len(cells) else ""

        if not cell("expected_eligible") or id_column is None:
            continue
        applicant_id = cells[id_column].strip()
        e = now.get(applicant_id)
        if e is None:
            continue
        expected = {
            "eligible": cell("expected_eligible").lower() in ("true", "1", "yes", "是"),
            "points": cell("expected_points") or None,
            "rank": int(cell("expected_rank")) if cell("expected_rank").isdigit() else None,
        }
        result = {"eligible": e.eligible, "points": format_value(e.points), "rank": e.rank,
                  "failed": [policy.requirements[i].name for i in e.failed]}
        changed = (expected["eligible"] != result["eligible"] or expected["rank"] != result["rank"]
                   or (expected["points"] is not None and _number(expected["points"]) != _number(result["points"])))
        cases.append({"id": applicant_id, "grade": e.grade, "expected": expected, "now": result, "changed": changed})
    return {"path": shown, "samples": samples_shown, "exists": True, "cases": cases, "changed": sum(c["changed"] for c in cases)}


def describe(lang: str, table: dict[str, Message]) -> dict[str, str]:
    """The page's words of ``table`` in ``lang``."""
    return {key: render(message, lang) for key, message in table.items()}
