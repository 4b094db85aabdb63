"""A run of evaluate or allocate as one unit: inputs, outputs, and a manifest to reproduce it.

A published result must be reproducible when a family asks for a review. A run
written with ``--out DIR`` holds its results, the summary (allocate), the rows
set aside (``--lenient``) and ``manifest.json``: the tool version, the arguments,
the hash of every policy file and input file, row counts, the hash of every
output, and the time. ``verify_run`` checks the inputs are unchanged, runs the
same command again and compares the outputs byte for byte.

Hashes are SHA-256. A policy file's hash is that of its text as the loader read
it (UTF-8, without a byte-order mark). The resolved-policy hash covers every file
the policy read, in the order read: the SHA-256 of their hashes, concatenated.
It names the rules that ran independently of where the files lie. (The compiled
Python source would not do: it omits the allocation, subsidy and publication
settings, and embeds the policy's path and the tool version.) The manifest's
``created`` time is the only part of a run that differs between two runs of
the same inputs; it is not part of any hash.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from pathlib import Path
from typing import Any

import attrs

from jifen_dsl.version import __version__
from jifen_dsl.allocation.allocator import ADMITTED, INELIGIBLE, NOT_QUALIFIED, UNPLACED, Allocation
from jifen_dsl.allocation.frame import allocation_of
from jifen_dsl.compile.compiler import CompiledPolicy
from jifen_dsl.errors import DataError, JifenError, severity_word
from jifen_dsl.evaluation.evaluator import Evaluation
from jifen_dsl.evaluation.objects import evaluations_of
from jifen_dsl.data.applicants import Reject
from jifen_dsl.data.output import RUN_MARKER
from jifen_dsl.runs.engine import Results, read_cohort, run_engine, unread_fields
from jifen_dsl.runs.outdir import TOOL_NAME, check_run_folder, output_names, run_inputs, write_run_folder
from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.lang.library import named_library, using_library
from jifen_dsl.progress import NO_PROGRESS, Progress
from jifen_dsl.data.readers import Table
from jifen_dsl.data.schools import read_schools_table, schools_from_table
from jifen_dsl.data.tables import csv_bytes
from jifen_dsl.runs.runfiles import (
    file_size, input_differences, manifest_problems, output_differences, read_manifest_json, short, shown, spec_problems, unreadable_manifest,
)
from jifen_dsl.messages import M, Message, N, T, render, series

__all__ = [
    "Source", "RunSpec", "Run", "execute", "run_outputs", "rejects_bytes", "manifest", "write_run", "check_out_dir",
    "verify_run", "VerificationError", "sha256", "policy_digests",
]

MANIFEST = RUN_MARKER
FORMAT_VERSION = 1


def sha256(data: bytes) -> str:
    """The SHA-256 of bytes, in hex."""
    return hashlib.sha256(data).hexdigest()


@attrs.frozen
class Source:
    """An input file and how it was asked to be read (None: by extension, or detected)."""

    path: str
    format: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    # A workbook's formula cells: "refuse" them, or read the values saved with them ("cached").
    formulas: str = attrs.field(default="refuse", validator=attrs.validators.in_(("refuse", "cached")))


@attrs.frozen
class RunSpec:
    """What a run was asked to do: enough to do it again."""

    command: str  # "evaluate" or "allocate"
    policy: str
    applicants: Source
    schools: Source | None = None
    lenient: bool = False
    bom: bool = False
    evidence: Source | None = None
    library: str | None = None  # the policy library named (jifen --library); None: the one above the policy's folder


@attrs.frozen(eq=False)
class Run:
    """A finished run: the policy, what was read, what was set aside, and the results.

    The results are columns (:class:`jifen_dsl.runs.engine.Results`); the
    evaluation and allocation objects some reports read are made from them the
    first time they are asked for.
    """

    spec: RunSpec
    compiled: CompiledPolicy
    results: Results
    schools_table: Table | None
    fields: bool = True  # false: the applicants' fields were let go of, and no evaluation can be made as an object
    _made: dict[str, Any] = attrs.field(factory=dict, init=False, repr=False)

    @property
    def table(self) -> Table:
        """The applicant file as it was read."""
        return self.results.cohort.table

    @property
    def evidence_table(self) -> Table | None:
        return self.results.cohort.evidence

    @property
    def rejects(self) -> tuple[Reject, ...]:
        return self.results.rejects

    @property
    def accepted(self) -> int:
        """How many applicants were evaluated (the rows not set aside)."""
        return self.results.outcome.height

    @property
    def evaluations(self) -> list[Evaluation]:
        """Every applicant's evaluation, in file order (made from the columns when first asked for)."""
        if not self.fields:
            raise RuntimeError("this run let go of the applicants' fields: its evaluations cannot be made as objects")
        if "evaluations" not in self._made:
            self._made["evaluations"] = evaluations_of(self.compiled, self.results.key_types, self.results.outcome)
        return self._made["evaluations"]

    @property
    def allocation(self) -> Allocation | None:
        """The placements as objects (made from the columns when first asked for); None for evaluate."""
        results = self.results
        if results.placed is None:
            return None
        if "allocation" not in self._made:
            self._made["allocation"] = allocation_of(self.compiled.policy, self.evaluations, results.placed, results.schools)
        return self._made["allocation"]

    @property
    def report_frame(self):
        """The columns the reports of an allocation read: the evaluated cohort and, row for row, each placement."""
        import polars as pl

        results = self.results
        return pl.concat([results.outcome, results.placed], how="horizontal")


def execute(spec: RunSpec, progress: Progress = NO_PROGRESS, *, fields: bool = True, digest_now: bool = True) -> Run:
    """Do a run: read, validate, evaluate and (for allocate) assign seats, verified; raise a JifenError on bad input.

    ``fields`` false: the results will be written from the columns only
    (``evaluate`` as CSV or a workbook, ``allocate`` but as a text table), so the
    applicants' fields may be let go of once evaluated (see ``run_engine``).
    ``digest_now`` false: the caller writes no manifest, so the applicant file's
    digest is not taken while it is read, only if something asks for it.
    """
    # The run keeps the library it read the policy from (named in the spec, or for the
    # command), so that its manifest records it and verify-run reads from it again.
    spec = attrs.evolve(spec, library=spec.library if spec.library is not None else named_library())
    with using_library(spec.library):
        return _execute(spec, progress, fields, digest_now)


def _execute(spec: RunSpec, progress: Progress, fields: bool, digest_now: bool) -> Run:
    compiled = load_policy(spec.policy)
    policy = compiled.policy
    # Held in a list to be handed over whole: run_engine can let go of the cohort's columns only if nothing here holds them.
    unread = unread_fields(policy, spec.command == "allocate", fields)
    read = [read_cohort(spec.applicants, spec.evidence, policy, spec.lenient, progress, digest_now=digest_now, unread=unread)]
    schools_table = None
    offer = None
    if spec.command == "allocate":
        if spec.schools is None:  # pragma: no cover - the command line always gives one
            raise DataError([M("R0100", "allocate needs a schools file")])
        s = spec.schools
        schools_table = read_schools_table(s.path, input_format=s.format, encoding=s.encoding, sheet=s.sheet, formulas=s.formulas)
        offer = schools_from_table(schools_table, policy)
    results = run_engine(compiled, read.pop(), offer, spec.lenient, progress, fields=fields)
    return Run(spec, compiled, results, schools_table, fields)


# ------------------------------------------------------------------ outputs

_REJECT_COLUMNS = {"en": ("row", "reason"), "zh": ("行号", "原因")}


def rejects_bytes(run: Run) -> bytes:
    """The rows set aside, as CSV: where each was, why, and its cells as read."""
    head = _REJECT_COLUMNS.get(run.compiled.policy.language, _REJECT_COLUMNS["en"])
    header = list(head) + list(run.table.header)
    # A file of the run: in the policy's language, as its header, whatever language the messages are shown in
    # (verify-run must get the same bytes again).
    language = "zh" if run.compiled.policy.language == "zh" else "en"
    rows = [[str(r.row), "; ".join(render(reason, language) for reason in r.reasons), *r.cells] for r in run.rejects]
    return csv_bytes(header, rows, bom=run.spec.bom)


def _json_bytes(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def run_outputs(run: Run) -> dict[str, bytes]:
    """Every output file of a run, name -> bytes, in a fixed order (written from the run's columns)."""
    from jifen_dsl.allocation.columnar_report import placement_csv_bytes, placement_json_bytes
    from jifen_dsl.allocation.columnar_summary import summary_csv_bytes, summary_json_bytes
    from jifen_dsl.evaluation.columnar_report import csv_bytes_of, evaluation_cells
    from jifen_dsl.evaluation.report import evaluation_records

    files: dict[str, bytes] = {}
    bom = run.spec.bom
    policy = run.compiled.policy
    results = run.results
    if results.placed is None:
        files["results.csv"] = csv_bytes_of(evaluation_cells(policy, results.outcome), bom=bom)
        files["results.json"] = _json_bytes(evaluation_records(run.compiled, run.evaluations))
    else:
        frame, schools = run.report_frame, results.schools
        files["results.csv"] = placement_csv_bytes(policy, frame, schools, bom=bom)
        files["results.json"] = placement_json_bytes(policy, frame, schools)
        files["summary.csv"] = summary_csv_bytes(policy, frame, schools, bom=bom)
        files["summary.json"] = summary_json_bytes(policy, frame, schools)
    if run.rejects:
        files["rejects.csv"] = rejects_bytes(run)
    return files


def counts(run: Run) -> dict[str, int]:
    """How many applicants came to what."""
    results = run.results
    out: dict[str, int] = {"applicants": results.outcome.height}
    if results.placed is None:
        eligible = int(results.outcome.get_column("eligible").sum())
        out.update(eligible=eligible, not_eligible=results.outcome.height - eligible)
    else:
        found = dict(results.placed.get_column("status").value_counts().iter_rows())
        for status in (ADMITTED, UNPLACED, NOT_QUALIFIED, INELIGIBLE):
            out[status] = int(found.get(status, 0))
    out["rejected"] = len(run.rejects)
    return out


# ------------------------------------------------------------------ manifest


def policy_digests(compiled: CompiledPolicy) -> tuple[list[dict[str, str]], str]:
    """Each policy file's hash, in the order read, and the resolved-policy hash over all of them."""
    policy = compiled.policy
    files = [{"path": path, "sha256": sha256(policy.sources[path].text.encode("utf-8"))} for path in policy.files]
    resolved = sha256(b"".join(bytes.fromhex(f["sha256"]) for f in files))
    return files, resolved


def _source_record(source: Source) -> dict[str, Any]:
    record = {"path": source.path, "format": source.format, "encoding": source.encoding, "sheet": source.sheet}
    if source.formulas != "refuse":  # recorded only when given, so a manifest reads as before
        record["formulas"] = source.formulas
    return record


def _input_record(table: Table, accepted: int | None, rejected: int | None, rows: int | None = None) -> dict[str, Any]:
    if rows is None:
        rows = sum(1 for _, cells in table.rows if any(c.strip() for c in cells))
    rows += len(table.broken)
    record: dict[str, Any] = {
        "path": table.path,
        "sha256": table.digest,
        "bytes": file_size(table.path),  # verify-run reads an input again only while it has this size
        "format": table.format,
        "encoding": table.encoding,
        "sheet": table.sheet,
        "rows": rows,
    }
    if accepted is not None:
        record["accepted"] = accepted
        record["rejected"] = rejected
    return record


def manifest(run: Run, files: dict[str, bytes], created: str) -> dict[str, Any]:
    """The manifest of a run whose outputs are ``files``."""
    spec = run.spec
    policy_files, resolved = policy_digests(run.compiled)
    cohort = run.results.cohort
    inputs = {"applicants": _input_record(cohort.table, run.accepted, len(run.rejects), cohort.rows)}
    if run.schools_table is not None:
        inputs["schools"] = _input_record(run.schools_table, None, None)
    if run.evidence_table is not None:
        inputs["evidence"] = _input_record(run.evidence_table, None, None)
    record = {
        "manifest_version": FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": __version__},
        "created": created,
        "arguments": {
            "command": spec.command,
            "policy": spec.policy,
            "applicants": _source_record(spec.applicants),
            "schools": _source_record(spec.schools) if spec.schools is not None else None,
            "evidence": _source_record(spec.evidence) if spec.evidence is not None else None,
            "lenient": spec.lenient,
            "bom": spec.bom,
        },
        "policy": {
            "path": spec.policy,
            "title": run.compiled.policy.header.title,
            "resolved_sha256": resolved,
            "files": policy_files,
        },
        "inputs": inputs,
        "counts": counts(run),
        "outputs": [{"file": name, "sha256": sha256(data), "bytes": len(data)} for name, data in files.items()],
    }
    if spec.library is not None:  # only when named, so a run without --library records what it always did
        record["arguments"]["library"] = spec.library
    return record


def write_run(directory: str, run: Run, *, now: _dt.datetime | None = None) -> dict[str, bytes]:
    """Write a run's outputs and its manifest (last) to ``directory``; return what was written.

    The folder is new or empty, or holds an earlier run, whose outputs these replace
    (runs/outdir.py); anything else there, or an input these would overwrite, is refused.
    """
    files = run_outputs(run)
    created = (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(_dt.timezone.utc).isoformat(timespec="seconds")
    record = manifest(run, files, created)
    written = dict(files)
    written[MANIFEST] = _json_bytes(record)
    write_run_folder(directory, written, run_inputs(run.spec, run.compiled), FORMAT_VERSION)
    return written


def check_out_dir(directory: str, spec: RunSpec, compiled: CompiledPolicy) -> None:
    """Refuse, before a run reads its data, a --out folder it may not write into (see runs/outdir.py)."""
    check_run_folder(directory, output_names(spec.command, spec.lenient), run_inputs(spec, compiled), FORMAT_VERSION)


# ------------------------------------------------------------------ verification


class VerificationError(JifenError):
    """A run directory that does not verify: every difference found."""

    def __init__(self, directory: str, differences: list[Message | str], notes: list[Message | str] | None = None):
        self.directory = directory
        self.differences = tuple(differences)
        self.notes = tuple(notes or ())
        super().__init__(directory)

    def render(self) -> str:
        count = len(self.differences)
        lines = [render(M("R0101", "{directory}: the run does not verify", directory=self.directory))]
        lines += [severity_word("error") + ": " + render(d) for d in self.differences]
        lines += [_note(n) for n in self.notes]
        lines.append(render(N("{count} difference found", "{count} differences found", count)))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


def _note(note: Message | str) -> str:
    """A note below a result or a refusal: ``note: ...``, in the chosen language."""
    return render(T("note")) + ": " + render(note)


def load_manifest(directory: str) -> dict[str, Any]:
    """The manifest of a run directory; raise DataError when there is none or it cannot be read."""
    path = Path(directory) / MANIFEST
    if not Path(directory).is_dir():
        raise DataError([M("R0102", "{directory}: no such directory", directory=directory)])
    try:
        data = read_manifest_json(str(path))
    except FileNotFoundError:
        raise DataError([M("R0103", "{directory}: holds no {manifest}; is it a directory written by --out?", directory=directory, manifest=MANIFEST)]) from None
    except ValueError as exc:  # json's own errors are ValueErrors too
        raise DataError([unreadable_manifest(str(path), exc)]) from None
    if not isinstance(data, dict) or type(data.get("manifest_version")) is not int or data.get("manifest_version") != FORMAT_VERSION or "arguments" not in data:
        raise DataError([M("R0105", "{path}: not a manifest this version of jifen_dsl can verify", path=str(path))])
    try:
        spec = spec_from_manifest(data)
    except DataError as exc:
        raise DataError([_in_manifest(path, p) for p in exc.problems]) from None
    problems = manifest_problems(data) or spec_problems(spec, data)
    if problems:
        raise DataError([_in_manifest(path, p) for p in problems])
    return data


def spec_from_manifest(data: dict[str, Any]) -> RunSpec:
    """The run a manifest records, ready to do again."""
    try:
        args = data["arguments"]
        schools = args.get("schools")
        evidence = args.get("evidence")
        spec = RunSpec(
            command=args["command"],
            policy=args["policy"],
            applicants=Source(**args["applicants"]),
            schools=Source(**schools) if schools else None,
            lenient=bool(args.get("lenient")),
            bom=bool(args.get("bom")),
            evidence=Source(**evidence) if evidence else None,
            library=args.get("library"),
        )
        if spec.command not in ("evaluate", "allocate") or (spec.command == "allocate") != (spec.schools is not None):
            raise ValueError(spec.command)
        if spec.library is not None and not (isinstance(spec.library, str) and spec.library and "\0" not in spec.library):
            raise ValueError("library")
        if not (isinstance(data["policy"]["files"], list) and isinstance(data["inputs"], dict) and isinstance(data["outputs"], list)):
            raise ValueError("sections")
    except (KeyError, TypeError, ValueError, AttributeError):
        raise DataError([M("R0107", "the manifest does not record a run this version of jifen_dsl can repeat (a field is missing or damaged)")]) from None
    return spec


def _in_manifest(path: Path, problem: Message | str) -> Message:
    return M("R0106", "{path}: {problem}", path=str(path), problem=problem)


def verify_run(directory: str, progress: Progress = NO_PROGRESS) -> str:
    """Check a run directory against its manifest and against a new run; return a summary or raise VerificationError.

    The summary is told in the language chosen when it is made: that of the run's policy, unless one was asked for.
    """
    data = load_manifest(directory)
    spec = spec_from_manifest(data)
    notes: list[Message] = []
    if data["tool"].get("version") != __version__:
        notes.append(T("the run was made with jifen_dsl {recorded}; this is {current}", recorded=shown(str(data["tool"].get("version"))), current=__version__))
    recorded = {o["file"]: o["sha256"] for o in data["outputs"]}

    # 1. The files in the directory are the ones the run wrote.
    differences = output_differences(directory, data, MANIFEST)

    # 2. The inputs are the ones the run read.
    changed = input_differences(data)
    differences += changed
    if changed:
        notes.append(T("the inputs differ, so the run was not repeated"))
        raise VerificationError(directory, differences, notes)

    # 3. The same run again gives the same bytes.
    rerun = execute(spec, progress)
    again = run_outputs(rerun)
    for name in sorted(set(again) | set(recorded)):
        if name not in again:
            differences.append(M("R0110", "{name}: the run wrote it, but running again does not", name=shown(name)))
        elif name not in recorded:
            differences.append(M("R0111", "{name}: running again writes it, but the run did not", name=name))
        elif sha256(again[name]) != recorded[name]:
            differences.append(M(
                "R0112", "{name}: running again gives different output (sha256 {recorded}... recorded, {now}... now)",
                name=shown(name), recorded=short(recorded[name]), now=short(sha256(again[name])),
            ))
    if data["policy"].get("resolved_sha256") != policy_digests(rerun.compiled)[1]:
        differences.append(M("R0113", "{path}: the resolved policy differs from the one recorded", path=shown(spec.policy)))
    if differences:
        raise VerificationError(directory, differences, notes)
    checked = len(data["policy"]["files"]) + len(data["inputs"])
    summary_line = T(
        "{directory}: verified - {inputs}, {outputs} ({names})",
        directory=directory,
        inputs=N("{count} input file unchanged", "{count} input files unchanged", checked),
        outputs=N("{count} output reproduced byte for byte", "{count} outputs reproduced byte for byte", len(recorded)),
        names=series(list(map(shown, recorded))),
    )
    return "\n".join([render(summary_line)] + [_note(n) for n in notes])
