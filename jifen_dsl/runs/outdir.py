"""What ``--out DIR`` may write into, decided before a run reads its data; and writing a run's files there.

DIR must be a new or empty folder, or hold a run jifen wrote. Such a run is
recognised by its manifest, never by the file name alone: a ``manifest.json``
that parses, has jifen's ``manifest_version`` and tool name, and lists the run's
outputs under the names a run writes. The new run's files replace that run's,
and that run's outputs this run does not write (an old ``rejects.csv``) are
removed; the run's own inputs may lie in the folder too and are never touched.
Anything else there is in the way: the run is refused, naming it, before any work.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any, Mapping, Sequence

import attrs

from jifen_dsl.data.clobber import Named, identity, policy_inputs, refuse_clobbering
from jifen_dsl.data.output import RUN_MARKER, write_directory_atomic
from jifen_dsl.errors import DataError
from jifen_dsl.runs.runfiles import read_manifest_json, shown
from jifen_dsl.messages import M, T, series

__all__ = ["RUN_FILES", "TOOL_NAME", "RunFolder", "output_names", "run_inputs", "earlier_outputs", "check_run_folder", "write_run_folder"]

TOOL_NAME = "jifen_dsl"  # the tool name a manifest carries: run.manifest writes it, this module looks for it
RUN_FILES = ("results.csv", "results.json", "summary.csv", "summary.json", "rejects.csv")  # every output run.run_outputs may name

_SHOWN_AT_MOST = 10  # names listed in a refusal; the rest are counted


def output_names(command: str, lenient: bool) -> list[str]:
    """Every file a run of ``command`` may write into its folder, the manifest last (rejects.csv only when --lenient may set rows aside)."""
    names = ["results.csv", "results.json"]
    if command == "allocate":
        names += ["summary.csv", "summary.json"]
    if lenient:
        names.append("rejects.csv")
    return names + [RUN_MARKER]


def run_inputs(spec: Any, compiled: Any) -> list[Named]:
    """Every file a run reads, named for a message: the policy and the files it reads, the applicant, schools and evidence files.

    ``spec`` is a run.RunSpec and ``compiled`` its CompiledPolicy (not imported: run imports this module).
    """
    inputs = policy_inputs(compiled.policy.files)
    inputs.append(Named(T("the applicant file {path}", path=spec.applicants.path), spec.applicants.path))
    if spec.schools is not None:
        inputs.append(Named(T("the schools file {path}", path=spec.schools.path), spec.schools.path))
    if spec.evidence is not None:
        inputs.append(Named(T("the evidence file {path}", path=spec.evidence.path), spec.evidence.path))
    return inputs


def earlier_outputs(data: Any, manifest_version: int) -> list[str] | None:
    """The outputs a manifest lists, when jifen wrote it; None when it is anything else.

    ``manifest_version`` is runs.run.FORMAT_VERSION, given by the caller: run.py
    imports this module, so it cannot be imported from here. Only names a run
    writes count, so a forged manifest can never make another file look like an
    earlier run's output, to be replaced or removed.
    """
    if not isinstance(data, dict) or type(data.get("manifest_version")) is not int or data["manifest_version"] != manifest_version:
        return None
    tool = data.get("tool")
    outputs = data.get("outputs")
    if not isinstance(tool, dict) or tool.get("name") != TOOL_NAME or not isinstance(outputs, list):
        return None
    names = [o.get("file") if isinstance(o, dict) else None for o in outputs]
    if not all(isinstance(n, str) and n in RUN_FILES for n in names):
        return None
    return names


@attrs.frozen
class RunFolder:
    """What ``--out`` found in its folder: whether it exists, the earlier run's outputs, and the inputs that lie in it."""

    path: str
    exists: bool
    earlier: tuple[str, ...] = ()  # the earlier run's outputs found there, by name
    inputs: tuple[str, ...] = ()  # entries that are this run's inputs: kept whatever their names


def check_run_folder(directory: str, names: Sequence[str], inputs: Sequence[Named], manifest_version: int) -> RunFolder:
    """What a run writing ``names`` may do in ``directory``; DataError naming what is in the way, or an input it would overwrite."""
    place = Path(directory)
    refuse_clobbering(
        [Named(T("{path} (written by --out {directory})", path=str(place / name), directory=directory), str(place / name), T("choose another folder for --out")) for name in names],
        inputs,
    )
    return _survey(directory, inputs, manifest_version)


def write_run_folder(directory: str, files: Mapping[str, bytes], inputs: Sequence[Named], manifest_version: int) -> None:
    """Write a run's ``files`` (the manifest last) into ``directory``, after checking it again; remove the earlier run's other outputs."""
    folder = check_run_folder(directory, list(files), inputs, manifest_version)  # again: the folder may have changed since
    stale = [name for name in folder.earlier if name not in files and name not in folder.inputs]
    write_directory_atomic(directory, files, remove=stale)


def _survey(directory: str, inputs: Sequence[Named], manifest_version: int) -> RunFolder:
    try:
        mode = os.stat(directory).st_mode
    except FileNotFoundError:
        return RunFolder(directory, exists=False)
    except (OSError, ValueError) as exc:
        raise DataError([_cannot_look(directory, getattr(exc, "strerror", None) or str(exc))]) from None
    if not stat.S_ISDIR(mode):
        raise DataError([M("R0151", "--out {directory} is a file, not a folder; choose a new or empty folder", directory=directory)])
    try:
        entries = sorted(os.listdir(directory))
    except OSError as exc:
        raise DataError([_cannot_look(directory, exc.strerror or str(exc))]) from None
    root = Path(directory)
    read = frozenset().union(*(identity(i.path) for i in inputs))
    kept = {name for name in entries if identity(str(root / name)) & read}
    listed: list[str] = []
    in_the_way: list[Any] = []
    if RUN_MARKER in entries and RUN_MARKER not in kept:
        found = _manifest_outputs(root / RUN_MARKER, manifest_version)
        if found is None:
            in_the_way.append(T("{name} (not the manifest of a run jifen wrote)", name=RUN_MARKER))
        else:
            listed = found
    earlier = [name for name in entries if name in listed and name not in kept and _plain_file(root / name)]
    for name in entries:
        if name not in kept and name not in earlier and name != RUN_MARKER:
            in_the_way.append(shown(name) + ("/" if (root / name).is_dir() else ""))
    if in_the_way:
        more = len(in_the_way) - _SHOWN_AT_MOST
        names = series(in_the_way[:_SHOWN_AT_MOST])
        listing = T("{names} and {count} more", names=names, count=more) if more > 0 else names
        raise DataError([M(
            "R0152", "--out {directory} holds what jifen did not write: {listing}; choose a new or empty folder, or move those out of it",
            directory=directory, listing=listing,
        )])
    return RunFolder(directory, exists=True, earlier=tuple(earlier), inputs=tuple(sorted(kept)))


def _cannot_look(directory: str, reason: str):
    return M("R0150", "--out {directory}: cannot look into it ({reason})", directory=directory, reason=reason)


def _manifest_outputs(path: Path, manifest_version: int) -> list[str] | None:
    """The outputs the manifest at ``path`` lists, if jifen wrote it; None for anything else (not JSON, too large, a pipe)."""
    try:
        data = read_manifest_json(str(path))
    except (OSError, ValueError):
        return None
    return earlier_outputs(data, manifest_version)


def _plain_file(path: Path) -> bool:
    """A regular file, or a link (replacing or removing a link leaves what it points to alone)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return stat.S_ISREG(mode) or stat.S_ISLNK(mode)
