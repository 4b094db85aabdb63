"""Season commands: each stage run as one transaction over the season database.

A command takes the database's write lock, replays the log from its recorded
inputs to the season's state (:func:`replay`), applies its stage, and records
in the same transaction the input files (whole), the log entry and the outcome
rows. ``season verify`` replays the same way and compares every stage's outcome
with the one recorded.
"""

from __future__ import annotations

import datetime as _dt
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterable

import attrs
import polars as pl

from jifen_dsl.compile.pipeline import load_policy
from jifen_dsl.data.frames import read_cohort_frame
from jifen_dsl.data.schools import read_schools
from jifen_dsl.errors import DataError
from jifen_dsl.lang import model
from jifen_dsl.lang.library import library_of, read_policy_bytes, using_library
from jifen_dsl.messages import M, Message, N, T, speak
from jifen_dsl.season import inputs as officer_files
from jifen_dsl.season import snapshot, stages
from jifen_dsl.season.stages import State, StageError, comes_first
from jifen_dsl.season.store import DB_NAME, LogEntry, Store, outcome_digest
from jifen_dsl.season.windows import outside_window, parse_moment
from jifen_dsl.season.words import in_either_language

__all__ = ["Said", "init_season", "run_stage", "replay", "current_state", "open_store", "season_rows", "POLICY_FOLDER"]

POLICY_FOLDER = "policy"  # the season's own copy of the policy library's files it uses
_CHOICE_COLUMNS = (model.CHOICES_FIELD, model.CLEARING_FIELD, model.COORDINATION_FIELD)


@attrs.frozen
class Said:
    """What a command says: its report (standard output) and its warnings (standard error).

    Each line is a message (:mod:`jifen_dsl.messages`), put into words when shown.
    """

    lines: list[Message]
    warnings: list[Message] = attrs.field(factory=list)


def open_store(folder: str) -> Store:
    if not os.path.isfile(os.path.join(folder, DB_NAME)):
        # No season, so no policy to choose the language: both, unless one was asked for.
        raise DataError([in_either_language(M("S0010", "{dir}: no season here (no season.db): create one with `jifen season init`", dir=folder))])
    return Store(folder)


def init_season(folder: str, policy_path: str, schools_path: str, officer: str, reason: str) -> "Said":
    """Create the season: the policy's texts (and those it imports or extends) and the schools file, kept whole.

    The season is made in a folder beside DIR and renamed into place once whole, so a
    refused or interrupted init leaves nothing behind; DIR must not exist, or be empty.
    """
    if os.path.exists(os.path.join(folder, DB_NAME)):
        raise DataError([M("S0011", "{dir}: a season is here already", dir=folder)])
    if os.path.isdir(folder) and os.listdir(folder):
        raise DataError([M("S0012", "{dir}: the folder holds other files; a season is made in a new or empty folder", dir=folder)])
    compiled = load_policy(policy_path)
    if compiled.policy.allocation is None:
        raise DataError([M("S0013", "{path}: the policy has no allocation section, so a season cannot assign seats", path=policy_path)])
    root = library_of(policy_path).real
    files = []
    for source in compiled.policy.sources:
        relative = os.path.relpath(os.path.realpath(source), root)
        files.append((f"policy:{Path(relative).as_posix()}", Path(relative).as_posix(), read_policy_bytes(source)))
    main = Path(os.path.relpath(os.path.realpath(policy_path), root)).as_posix()
    files.append(("schools", os.path.basename(schools_path), _read(schools_path)))
    target = Path(folder).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=target.parent))
    try:
        store = Store(str(building), create=True)
        try:
            said = _record(store, "init", officer, reason, files, {"policy": main}, {"schools": schools_path}, shown=folder)
        finally:
            store.close()
        if target.is_dir():
            target.rmdir()  # empty, checked above
        os.rename(building, target)
    finally:
        if building.exists():
            shutil.rmtree(building, ignore_errors=True)
    return said


def run_stage(folder: str, action: str, officer: str, reason: str, paths: Iterable[tuple[str, str]] = (), options: dict[str, Any] | None = None) -> "Said":
    """Run one stage (``action``) with its input files ((role, path)), recorded whole or not at all.

    The stage reads the officer's own files, so that its messages name them; the
    bytes recorded are those read before, and a file changed meanwhile is refused.
    """
    given = dict(paths)
    files = [(role, os.path.basename(path), _read(path)) for role, path in given.items()]
    store = open_store(folder)
    try:
        lines = _record(store, action, officer, reason, files, dict(options or {}), given)
    finally:
        store.close()
    return lines


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise DataError([M("S0014", "{path}: cannot be read ({reason})", path=path, reason=exc.strerror or exc)]) from None


def _record(
    store: Store, action: str, officer: str, reason: str, files: list[tuple[str, str, bytes]], options: dict[str, Any],
    given: dict[str, str] | None = None, shown: str | None = None,
) -> "Said":
    with store.transaction():
        state = current_state(store) if action != "init" else State()
        before = state.outcome_frame() if state.table is not None else None
        with tempfile.TemporaryDirectory(prefix="jifen-season-") as work:
            paths = given or _materialise(work, [(role, name, data) for role, name, data in files if not role.startswith("policy:")])
            if action == "init":
                _write_policy(store.folder, files)
            state, lines = apply(store.folder, state, action, paths, options, officer, shown or store.folder)
        warnings = []
        if action != "init":
            when = parse_moment(options["as_of"]) if "as_of" in options else _dt.datetime.now()
            warning = outside_window(state, action, when)
            warnings = [warning] if warning else []
        for role, _, data in files:
            if given and role in given and _read(given[role]) != data:
                raise DataError([M("S0015", "{path}: the file changed while it was being read; nothing was recorded", path=given[role])])
        inputs = [(role, name, store.put_file(name, data)) for role, name, data in files]
        outcome = state.outcome_frame() if state.table is not None else None
        kept = store.put_file(f"state-{action}.snapshot", snapshot.dump(state))
        entry = store.append(action, officer, reason, inputs, options, outcome_digest(outcome) if outcome is not None else "", kept)
        if outcome is not None:
            store.put_outcomes(entry.seq, _changed(before, outcome))
    return Said([*lines, T("log head: {digest}", digest=entry.digest)], warnings)


def _changed(before: pl.DataFrame | None, after: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``after`` that are not in ``before`` as they stand (every row, when there is no before)."""
    if before is None:
        return after
    return after.join(before, on=list(after.columns), how="anti", nulls_equal=True)


def _materialise(work: str, files: list[tuple[str, str, bytes]]) -> dict[str, str]:
    paths = {}
    for k, (role, name, data) in enumerate(files):
        folder = Path(work) / str(k)
        folder.mkdir()
        (folder / name).write_bytes(data)
        paths[role] = str(folder / name)
    return paths


def _write_policy(folder: str, files: list[tuple[str, str, bytes]]) -> None:
    """The policy library's files the season uses, under DIR/policy/, where every command reads them."""
    for role, name, data in files:
        if role.startswith("policy:"):
            target = Path(folder) / POLICY_FOLDER / role.removeprefix("policy:")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _season_policy(folder: str, main: str):
    library = os.path.join(folder, POLICY_FOLDER)
    with using_library(library):
        compiled = load_policy(os.path.join(library, main))
    speak(compiled.policy.language)  # the season speaks its policy's language, unless jifen --lang asks for another
    return compiled


def apply(folder: str, state: State, action: str, paths: dict[str, str], options: dict[str, Any], officer: str, shown: str | None = None) -> tuple[State, list[Message]]:
    """One stage applied to the state; what it says (naming the season ``shown``, by default its folder)."""
    if action == "init":
        compiled = _season_policy(folder, options["policy"])
        schools = tuple(read_schools(paths["schools"], compiled.policy))
        state = State(compiled=compiled, schools=schools, done=["init"])
        digest = store_digest(Path(compiled.policy.path).read_bytes())[:12]
        return state, [
            N(
                "season created in {dir}: policy {policy} ({digest}), {count} school offer",
                "season created in {dir}: policy {policy} ({digest}), {count} school offers",
                len(schools), dir=shown or folder, policy=options["policy"], digest=digest,
            )
        ]
    stages.require(state, action)
    policy = state.policy
    if action == "publish":  # a publication changes nothing of the season: its entry records what was published
        return state, []
    if action == "import":
        cohort = read_cohort_frame(paths["applicants"], policy)
        source = (os.path.basename(paths["applicants"]), store_digest(Path(paths["applicants"]).read_bytes()))
        state = attrs.evolve(state, cohort=cohort, cohort_file=source, done=[*state.done, "import"])
        lines = [
            N(
                "{count} application imported from {file}", "{count} applications imported from {file}",
                cohort.frame.height, file=os.path.basename(paths["applicants"]),
            )
        ]
        present = [h.strip() for h in cohort.table.header if h.strip() in _choice_column_names(policy)]
        if present:
            lines.append(T("note: the columns {columns} are ignored here; choices are taken by `jifen season choices`", columns=", ".join(present)))
        return state, lines
    if action == "qualify":
        state = stages.qualify(state)
        counts = state.counts()
        return state, [
            T(
                "qualification list: {qualified} qualified, {not_qualified} not qualified, {ineligible} ineligible",
                qualified=counts.get("qualified", 0), not_qualified=counts.get("not_qualified", 0), ineligible=counts.get("ineligible", 0),
            )
        ]
    if action == "correct":
        changes = officer_files.read_corrections(paths["corrections"], state, officer)
        state, lines = stages.correct(state, changes)
        changed = N("{count} applicant changed", "{count} applicants changed", len(lines))
        return state, [N("{count} correction recorded; {changed}", "{count} corrections recorded; {changed}", len(changes), changed=changed), *lines]
    if action == "choices":
        filed = officer_files.read_choices(paths["choices"], state)
        state, gave_up = stages.file_choices(state, filed)
        return state, [
            N(
                "choices of {count} qualified applicant recorded; {gave_up} gave up by filing none",
                "choices of {count} qualified applicants recorded; {gave_up} gave up by filing none",
                len(filed), gave_up=gave_up,
            )
        ]
    if action == "allocate":
        state = stages.allocate(state)
        counts = state.counts()
        return state, [T("allocation: {admitted} admitted, {unplaced} unplaced", admitted=counts.get("admitted", 0), unplaced=counts.get("unplaced", 0))]
    if action == "confirm":
        decisions = officer_files.read_decisions(paths["decisions"], state) if "decisions" in paths else {}
        if not decisions and not options.get("close"):
            raise StageError([M("S0005", "no admitted applicant is waiting to confirm")])
        state, silent = stages.confirm(state, decisions, bool(options.get("close")))
        answered = list(decisions.values())
        lines = [
            T(
                "{confirmed} confirmed, {declined} declined, {waiting} still to answer",
                confirmed=answered.count(True), declined=answered.count(False), waiting=state.counts().get("admitted", 0),
            )
        ]
        if options.get("close"):
            if policy.allocation.unconfirmed == "confirms":
                lines.append(T("confirmation window closed: {silent} who did not answer confirmed", silent=silent))
            else:
                lines.append(T("confirmation window closed: {silent} who did not answer declined", silent=silent))
        return state, lines
    if action == "clearing":
        if not policy.allocation.clearing:
            raise StageError([_clearing_closed(state)])
        filed = officer_files.read_clearing(paths["clearing"], state)
        state, admitted, left = stages.clearing(state, filed)
        return state, [
            N(
                "clearing: {admitted} admitted over {count} seat left, {unplaced} not placed",
                "clearing: {admitted} admitted over {count} seats left, {unplaced} not placed",
                left, admitted=admitted, unplaced=len(filed) - admitted,
            )
        ]
    if action == "register":
        answers = officer_files.read_registrations(paths["registrations"], state) if "registrations" in paths else {}
        state, silent = stages.register(state, answers, bool(options.get("close")))
        values = list(answers.values())
        lines = [
            T(
                "{registered} registered, {declined} gave up the seat, {waiting} still to register",
                registered=values.count(True), declined=values.count(False), waiting=state.counts().get("confirmed", 0),
            )
        ]
        if options.get("close"):
            lines.append(T("registration closed: {silent} who did not register gave up the seat", silent=silent))
        return state, lines
    raise DataError([M("S0016", "unknown season stage {stage}", stage=repr(action))])  # pragma: no cover - the command line offers only the stages


def _choice_column_names(policy: model.Policy) -> set[str]:
    names = set()
    for name in _CHOICE_COLUMNS:
        if policy.has_field(name):
            field = policy.field(name)
            names |= {field.name, *(x for x in (field.label,) if x)}
    return names


def _clearing_closed(state: State) -> Message:
    allocation = state.policy.allocation
    span = allocation.clearing_span
    where = f"{span.path}:{span.line}" if span is not None else state.policy.path
    text = state.policy.sources[span.path].line(span.line).strip() if span is not None and span.path in state.policy.sources else ""
    return M("S0006", "the policy holds no clearing: {where} says `{text}` (cite: {cite})", where=where, text=text, cite=allocation.cite or "-")


# ------------------------------------------------------------------ replay and verify


def current_state(store: Store) -> State:
    """The season's state after its last entry: from that entry's snapshot, or by replaying the log when it has none.

    A snapshot whose bytes no longer match its digest is not used: the log is replayed.
    """
    entries = store.entries()
    last = entries[-1] if entries else None
    data = store.file(last.state) if last is not None and last.state else None
    if data is None or store_digest(data) != last.state:
        return replay(store)
    init = entries[0]
    compiled = _season_policy(store.folder, init.options["policy"])
    schools_file = next((name, digest) for role, name, digest in init.inputs if role == "schools")
    with tempfile.TemporaryDirectory(prefix="jifen-season-") as work:
        path = Path(work) / schools_file[0]
        path.write_bytes(store.file(schools_file[1]) or b"")
        schools = tuple(read_schools(str(path), compiled.policy))
    base = State(compiled=compiled, schools=schools)

    folder = store.folder

    def cohort() -> Any:  # its own connection: the command's may be closed by the time a stage asks
        name, digest = state.cohort_file
        again = open_store(folder)
        try:
            data = again.file(digest) or b""
        finally:
            again.close()
        with tempfile.TemporaryDirectory(prefix="jifen-season-") as work:
            path = Path(work) / name
            path.write_bytes(data)
            return read_cohort_frame(str(path), compiled.policy)

    state = snapshot.load(data, base, officer_files.retype, cohort)
    if state.cohort_file is not None and store.file(state.cohort_file[1]) is None:  # pragma: no cover - a database missing its own input
        return replay(store)
    return state


def replay(store: Store, after_each: Callable[[LogEntry, State], None] | None = None) -> State:
    """The season's state, from its log's recorded inputs; ``after_each(entry, state)`` is told each stage's result."""
    state = State()
    entries = store.entries()
    with tempfile.TemporaryDirectory(prefix="jifen-season-") as work:
        for entry in entries:
            files = []
            for role, name, digest in entry.inputs:
                data = store.file(digest)
                if data is None:
                    raise DataError([
                        M(
                            "S0017", "{path}: log entry {seq} ({action}) names an input file {name} that is not in the database",
                            path=store.path, seq=entry.seq, action=entry.action, name=repr(name),
                        )
                    ])
                files.append((role, name, data))
            here = Path(work) / str(entry.seq)
            here.mkdir()
            paths = _materialise(str(here), [f for f in files if not f[0].startswith("policy:")])
            state, _ = apply(store.folder, state, entry.action, paths, entry.options, entry.officer)
            if after_each is not None:
                after_each(entry, state)
    return state


def store_digest(data: bytes) -> str:
    from jifen_dsl.season.store import digest_of

    return digest_of(data)


def season_rows(folder: str, *, listed: bool = False) -> tuple[State, list[LogEntry]]:
    """The season's state and log; ``listed``: refused before the qualification list exists (export, publish, report)."""
    store = open_store(folder)
    try:
        entries = store.entries()
        if not entries:
            raise DataError([M("S0018", "{path}: the season's log holds no entry; `jifen season verify` says more", path=store.path)])
        state = current_state(store)
    finally:
        store.close()
    if listed and state.table is None:
        raise StageError([comes_first("qualify")])
    return state, entries


def frame_of(state: State) -> pl.DataFrame:
    """One record per applicant, in id order: id, grade, status, school, round, rank, points."""
    return state.table.sort("id").select("id", "grade", "status", "school", "round", "rank", "points")
