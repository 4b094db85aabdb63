"""What ``verify-run`` may open, and how: a manifest's shape checked before use, and only regular files of the recorded size read.

A run directory can come from anyone (a copy sent for a review, an old backup),
so its ``manifest.json`` is untrusted: a damaged one must end in a clear
message, and a forged one must not make the tool read a device, a pipe, or a
file outside the run under the name of an output. Every file is looked at with
``os.stat`` before it is opened, and opened without blocking, so a pipe or a
device is refused rather than read.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import unicodedata
from pathlib import Path
from typing import Any

from jifen_dsl.errors import JifenError
from jifen_dsl.messages import M, Message, T

__all__ = [
    "MAX_MANIFEST_BYTES", "Hashed", "read_manifest_json", "manifest_problems", "spec_problems", "output_path", "hash_regular",
    "is_regular_file", "file_size", "shown", "short", "output_differences", "input_differences", "unreadable_manifest",
]

# A manifest is a few kilobytes (one line per policy file, input and output); a
# megabyte is far more than any run needs and still costs nothing to read.
MAX_MANIFEST_BYTES = 1 << 20

# JSON whole numbers longer than this are refused while parsing: no count or size
# in a manifest comes near it, and Python refuses to read one of over 4,300 digits.
_MAX_NUMBER_DIGITS = 30

_CHUNK = 1 << 20


def shown(text: str) -> str:
    """A name from a manifest as it can be printed: quoted and escaped if it holds control or format characters."""
    # Control characters (a newline, ESC) in a message could forge lines or drive the terminal;
    # a file name that is not UTF-8 comes as lone surrogates, which cannot be printed.
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Cs") for ch in text):
        return repr(text)
    return text


def _parse_int(digits: str) -> int:
    if len(digits.lstrip("-")) > _MAX_NUMBER_DIGITS:
        raise ValueError(T("a number of {digits:,} digits", digits=len(digits.lstrip("-"))))
    return int(digits)


def read_manifest_json(path: str) -> Any:
    """The JSON in ``path``; raise ValueError (with a message for people) when it is not a small regular file of JSON."""
    try:
        before = os.stat(path)
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as exc:
        raise ValueError(getattr(exc, "strerror", None) or str(exc)) from None
    if not stat.S_ISREG(before.st_mode):
        raise ValueError(T("not a regular file"))
    if before.st_size > MAX_MANIFEST_BYTES:
        raise ValueError(T("{size:,} bytes; a manifest is at most {limit:,}", size=before.st_size, limit=MAX_MANIFEST_BYTES))
    try:
        data = _read_regular(path, MAX_MANIFEST_BYTES)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise ValueError(exc.strerror or str(exc)) from None
    if data is None or len(data) > MAX_MANIFEST_BYTES:
        raise ValueError(T("changed while it was read, or is not a regular file"))
    try:
        return json.loads(data.decode("utf-8"), parse_int=_parse_int)
    except UnicodeDecodeError:
        raise ValueError(T("not UTF-8 text")) from None
    except RecursionError:
        raise ValueError(T("nested too deeply")) from None


def why(exc: BaseException) -> Message | str:
    """What an exception says, kept a message when it is one (put into words in the language chosen when shown)."""
    if len(exc.args) == 1 and isinstance(exc.args[0], Message):
        return exc.args[0]
    return str(exc)


def unreadable_manifest(path: str, exc: BaseException) -> Message:
    """A manifest that cannot be read, and why (``exc``: what reading it raised)."""
    return M("R0104", "{path}: cannot be read as a manifest ({reason})", path=path, reason=why(exc))


def _read_regular(path: str, limit: int) -> bytes | None:
    """At most ``limit + 1`` bytes of a regular file, or None if what was opened is not one."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, _CHUNK))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


# ------------------------------------------------------------------ shape


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and "\0" not in value


def _is_path(value: Any) -> bool:
    return _is_text(value) and value != ""


def _is_count(value: Any) -> bool:
    return type(value) is int and value >= 0


_OBJECT, _TEXT, _FILES = T("an object"), T("a text"), T("a list of files")


def _what(value: Any) -> Message:
    names = {dict: _OBJECT, list: T("a list"), str: _TEXT, bool: T("true or false"), int: T("a number"), float: T("a number")}
    if isinstance(value, str) and "\0" in value:
        return T("a text holding a NUL character")
    return T("nothing") if value is None else names.get(type(value), T("something else"))


def manifest_problems(data: dict[str, Any]) -> list[Message]:
    """What is damaged in the parts of a manifest verify-run reads (the arguments are checked by the spec)."""
    problems: list[Message] = []

    def need(ok: bool, where: str, expected: Message, value: Any) -> bool:
        if not ok:
            problems.append(M("R0120", "{where} should be {expected}, not {found}", where=where, expected=expected, found=_what(value)))
        return ok

    tool = data.get("tool")
    if need(isinstance(tool, dict), "tool", _OBJECT, tool):
        version = tool.get("version")
        need(version is None or _is_text(version), "tool.version", _TEXT, version)
    policy = data.get("policy")
    if need(isinstance(policy, dict), "policy", _OBJECT, policy):
        files = policy.get("files")
        if need(isinstance(files, list) and len(files) > 0, "policy.files", _FILES, files):
            for i, f in enumerate(files):
                _file_record(need, f"policy.files[{i}]", f, "path")
        resolved = policy.get("resolved_sha256")
        need(resolved is None or _is_text(resolved), "policy.resolved_sha256", _TEXT, resolved)
    inputs = data.get("inputs")
    if need(isinstance(inputs, dict), "inputs", _OBJECT, inputs):
        for role, record in inputs.items():
            _file_record(need, f"inputs.{shown(role)}", record, "path")
    outputs = data.get("outputs")
    if need(isinstance(outputs, list), "outputs", _FILES, outputs):
        for i, record in enumerate(outputs):
            if _file_record(need, f"outputs[{i}]", record, "file") and not output_name_ok(record["file"]):
                problems.append(M("R0121", "outputs[{index}].file names a file outside the run: {name}", index=i, name=shown(record["file"])))
    return problems


def _file_record(need, where: str, record: Any, key: str) -> bool:
    """Check one file's record: its path (or name), its sha256, and its size when given."""
    if not need(isinstance(record, dict), where, _OBJECT, record):
        return False
    ok = need(_is_path(record.get(key)), f"{where}.{key}", T("a file name"), record.get(key))
    ok = need(_is_text(record.get("sha256")), f"{where}.sha256", _TEXT, record.get("sha256")) and ok
    size = record.get("bytes")
    return need(size is None or _is_count(size), f"{where}.bytes", T("a whole number of bytes"), size) and ok


def output_name_ok(name: str) -> bool:
    """Whether an output's recorded name is a plain relative name: no drive, no root, no '..'."""
    if not _is_path(name) or os.path.isabs(name) or os.path.splitdrive(name)[0]:
        return False
    parts = name.replace("\\", "/").split("/")
    return ".." not in parts and all(parts)


def output_path(root: str, name: str) -> str | None:
    """Where output ``name`` of the run in ``root`` is, or None if it leads outside the run (through a link, say)."""
    base = os.path.realpath(root)
    target = os.path.realpath(os.path.join(base, name))
    if target == base or os.path.commonpath([base, target]) != base:
        return None
    return os.path.join(root, name)


# ------------------------------------------------------------------ hashing


class Hashed:
    """What became of hashing one file: its digest, or why it was not read."""

    __slots__ = ("digest", "missing", "not_regular", "size")

    def __init__(self, digest: str | None = None, *, missing: bool = False, not_regular: bool = False, size: int | None = None):
        self.digest = digest
        self.missing = missing
        self.not_regular = not_regular
        self.size = size  # the size found, when it is not the one recorded (the file was then not read)


def is_regular_file(path: str) -> bool | None:
    """Whether ``path`` is a regular file (following links); None when there is nothing there."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError):
        return False


def file_size(path: str) -> int | None:
    """The size of a regular file, for the manifest; None when it is not one (or is gone)."""
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return None
    return found.st_size if stat.S_ISREG(found.st_mode) else None


def hash_regular(path: str, size: int | None) -> Hashed:
    """The SHA-256 of ``path`` if it is a regular file of ``size`` bytes (any size when None), read in chunks."""
    try:
        found = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return Hashed(missing=True)
    except (OSError, ValueError):
        return Hashed(not_regular=True)
    if not stat.S_ISREG(found.st_mode):
        return Hashed(not_regular=True)
    if size is not None and found.st_size != size:
        return Hashed(size=found.st_size)
    digest = hashlib.sha256()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return Hashed(missing=True)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return Hashed(not_regular=True)
        # Read at most one byte past the size seen: a file that grows meanwhile hashes differently, and the read ends.
        left = found.st_size + 1
        while left > 0:
            chunk = os.read(fd, min(left, _CHUNK))
            if not chunk:
                break
            digest.update(chunk)
            left -= len(chunk)
    except OSError:
        return Hashed(missing=True)
    finally:
        os.close(fd)
    return Hashed(digest.hexdigest())


# ------------------------------------------------------------------ verification


def spec_problems(spec: Any, data: dict[str, Any]) -> list[Message]:
    """Where the run to repeat names other files than those whose hashes the manifest records.

    verify-run checks the recorded files before it runs again; the run must read
    those very files, or a forged manifest could make it read any file.
    """
    problems = []
    recorded = [f["path"] for f in data["policy"]["files"]]
    if not _is_path(spec.policy) or spec.policy != recorded[0]:
        problems.append(M("R0122", "arguments.policy names a file whose hash policy.files does not record first"))
    library = getattr(spec, "library", None)
    if library is not None and not _is_path(library):
        problems.append(M("R0123", "arguments.library should be the name of a folder"))
    sources = {"applicants": spec.applicants, "schools": spec.schools, "evidence": spec.evidence}
    for role, source in sources.items():
        if source is None:
            continue
        record = data["inputs"].get(role)
        if not (_is_path(source.path) and isinstance(record, dict) and source.path == record["path"]):
            problems.append(M("R0124", "arguments.{role} names a file whose hash inputs.{role} does not record", role=role))
        for key in ("format", "encoding", "sheet"):
            value = getattr(source, key)
            if value is not None and not (isinstance(value, str) and "\0" not in value):
                problems.append(M("R0125", "arguments.{role}.{key} should be a text", role=role, key=key))
    return problems


def short(digest: str | None) -> Message | str:
    return shown(digest[:12]) if digest else T("missing")


def output_differences(directory: str, data: dict[str, Any], marker: str) -> list[Message]:
    """How the files in the run directory differ from the outputs its manifest records (only those are opened)."""
    differences = []
    root = Path(directory)
    recorded = {o["file"]: o for o in data["outputs"]}
    for name, record in recorded.items():
        place = output_path(directory, name)
        if place is None:
            differences.append(M("R0130", "{path}: leads outside the run, so it was not opened", path=shown(str(root / name))))
            continue
        hashed = hash_regular(place, record.get("bytes"))
        digest = record["sha256"]
        if hashed.missing:
            differences.append(M("R0131", "{path}: missing; the run wrote it", path=str(root / name)))
        elif hashed.not_regular:
            differences.append(M("R0132", "{path}: not a regular file, so it was not opened; the run wrote one", path=shown(str(root / name))))
        elif hashed.size is not None:
            differences.append(M(
                "R0133", "{path}: changed since the run ({recorded:,} bytes recorded, {now:,} now)",
                path=shown(str(root / name)), recorded=record["bytes"], now=hashed.size,
            ))
        elif hashed.digest != digest:
            differences.append(M(
                "R0134", "{path}: changed since the run (sha256 {recorded}... recorded, {now}... now)",
                path=str(root / name), recorded=short(digest), now=short(hashed.digest),
            ))
    inputs = _input_paths(data)
    for path in sorted(root.iterdir()):
        if path.name not in recorded and path.name != marker and os.path.realpath(path) not in inputs:
            differences.append(M("R0135", "{path}: not written by the run", path=shown(str(path))))
    return differences


def input_differences(data: dict[str, Any]) -> list[Message]:
    """How the policy files and inputs differ from those the run read; a file that is not a regular one is not read."""
    from jifen_dsl.lang.loader import read_source  # the parser's module: imported only when a run is verified

    differences = []
    for f in data["policy"]["files"]:
        name = shown(f["path"])
        if is_regular_file(f["path"]) is False:
            differences.append(M("R0136", "{path}: the policy file changed since the run: it is not a regular file, so it was not read", path=name))
            continue
        try:
            now = hashlib.sha256(read_source(f["path"]).encode("utf-8")).hexdigest()
        except JifenError:
            now = None
        if now != f["sha256"]:
            differences.append(M(
                "R0137", "{path}: the policy file changed since the run (sha256 {recorded}... recorded, {now}... now)",
                path=name, recorded=short(f["sha256"]), now=short(now),
            ))
    for role, record in data["inputs"].items():
        name, what = shown(record["path"]), _role_file(role)
        hashed = hash_regular(record["path"], record.get("bytes"))
        if hashed.not_regular:
            differences.append(M("R0138", "{path}: {what} changed since the run: it is not a regular file, so it was not read", path=name, what=what))
        elif hashed.size is not None:
            differences.append(M(
                "R0139", "{path}: {what} changed since the run ({recorded:,} bytes recorded, {now:,} now)",
                path=name, what=what, recorded=record["bytes"], now=hashed.size,
            ))
        elif hashed.digest != record["sha256"]:
            differences.append(M(
                "R0140", "{path}: {what} changed since the run (sha256 {recorded}... recorded, {now}... now)",
                path=name, what=what, recorded=short(record["sha256"]), now=short(hashed.digest),
            ))
    return differences


def _role_file(role: str) -> Message:
    """An input of a run by its role in the manifest: the applicants, schools or evidence file."""
    known = {"applicants": T("the applicants file"), "schools": T("the schools file"), "evidence": T("the evidence file")}
    return known.get(role) or T("the {role} file", role=shown(role))


def _input_paths(data: dict[str, Any]) -> set[str]:
    """The real paths of the run's inputs: a run may keep them in its own folder (runs/outdir.py), and they are not its outputs."""
    arguments = data.get("arguments", {})
    sources = [arguments.get(kind) for kind in ("applicants", "schools", "evidence")]
    return {os.path.realpath(source["path"]) for source in sources if isinstance(source, dict) and isinstance(source.get("path"), str)}
