"""The workbench's answers, without HTTP: each function takes the served folder and plain values and returns a plain dict.

``root`` is the served folder, resolved; every ``path`` is relative to it and
goes through :func:`jifen_dsl.workbench.safety.confine`. A refusal is an
:class:`~jifen_dsl.workbench.safety.ApiError` (its status, code and message);
a policy that does not check is never an exception but diagnostics.

Positions are 1-based lines and columns in characters, as ``jifen check``
shows them. Diagnostics come from the language server's analysis
(:func:`jifen_dsl.lsp.features.analyse`): the same checker and the same
messages, in the policy's language unless another is asked for (``lang``).

A policy's imports and ``extends`` are read from its library (the folder above
its own, see :mod:`jifen_dsl.lang.library`) when that lies inside the served
folder, else from the served folder itself: nothing outside it is ever read.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import re
from typing import Any, Callable, Iterator, TypeVar

from jifen_dsl.errors import JifenError, PolicyError
from jifen_dsl.lang.library import NotAPolicyFile, library_of, read_policy_bytes, using_library
from jifen_dsl.messages import LANGUAGES, T, language_of_text, prefer, render, speak
from jifen_dsl.workbench.safety import ApiError, confine

__all__ = [
    "MAX_FILES", "list_policies", "read_policy", "check", "format_policy", "hover", "save", "diff_paths", "diff_text",
]

MAX_FILES = 2000  # policies listed at most; a folder holding more is not a policy library
MAX_DEPTH = 6
_SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "venv"})
_YEAR_FILE = re.compile(r"^(\d{4})\.jifen$")

F = TypeVar("F", bound=Callable[..., Any])


def _own_context(function: F) -> F:
    """Run ``function`` in a copy of the context: the language and library it chooses end with it (one request never changes another's)."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return contextvars.copy_context().run(function, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _speak(lang: str | None, text: str) -> str:
    """Messages from here on in ``lang``, else in the language of ``text``; the language chosen.

    The server's locale variables take no part: the page asks for its language.
    """
    if lang is not None and lang not in LANGUAGES:
        raise ApiError(400, "bad_lang", T("lang is en or zh"))
    chosen = lang or language_of_text(text)
    prefer(chosen)
    speak(chosen)
    return chosen


@contextlib.contextmanager
def _library(root: str, path: str) -> Iterator[None]:
    """Within the block, the policy at ``path`` reads its imports from its library if it lies inside ``root``, else from ``root``."""
    own = library_of(path).real
    inside = os.path.commonpath([os.path.normcase(own), os.path.normcase(root)]) == os.path.normcase(root)
    with contextlib.nullcontext() if inside else using_library(root):
        yield


def _text(value: Any, name: str = "text") -> str:
    if not isinstance(value, str):
        raise ApiError(422, "bad_field", T("{name} must be a string", name=name))
    return value


def _position(value: Any, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ApiError(422, "bad_field", T("{name} must be a whole number from 1", name=name))
    return value


def _read(real: str, shown: str) -> str:
    """The text of the policy file at ``real`` (resolved), read the safe way; 404 when there is none."""
    try:
        data = read_policy_bytes(real, follow=False)
    except FileNotFoundError:
        raise ApiError(404, "not_found", T("{path}: no such file", path=shown)) from None
    except NotAPolicyFile as exc:
        raise ApiError(400, "not_a_policy", T("{path}: {reason}", path=shown, reason=exc.reason)) from None
    except OSError as exc:
        raise ApiError(400, "unreadable", T("{path}: cannot be read ({reason})", path=shown, reason=exc.strerror or str(exc))) from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise ApiError(400, "unreadable", T("{path}: not UTF-8 text", path=shown)) from None


def _where(root: str, shown: str) -> str:
    """The path a policy is checked at: in the served folder, as the request names it."""
    return os.path.join(root, *shown.split("/"))


def _relative(root: str, text: str) -> str:
    """``text`` with the served folder's own path left out of the file names it mentions."""
    return text.replace(root + os.sep, "")


# ------------------------------------------------------------------ diagnostics


def _diagnostics(analysis: Any, root: str) -> list[dict[str, Any]]:
    """The analysis's diagnostics as JSON: 1-based positions, the message and its hint apart."""
    separator = "\n" + render(T("hint")) + ": "
    out = []
    for found in analysis.found:
        message, _, hint = _relative(root, found.message).partition(separator)
        out.append({
            "line": found.start[0] + 1, "column": found.start[1] + 1,
            "end_line": found.end[0] + 1, "end_column": found.end[1] + 1,
            "severity": found.severity, "code": found.code, "message": message, "hint": hint or None,
        })
    return out


def _analyse(root: str, shown: str, text: str) -> Any:
    from jifen_dsl.lsp.features import analyse

    where = _where(root, shown)
    with _library(root, where):
        return analyse(where, text)


def _counts(diagnostics: list[dict[str, Any]]) -> dict[str, int]:
    errors = sum(d["severity"] == "error" for d in diagnostics)
    return {"errors": errors, "warnings": len(diagnostics) - errors}


# ------------------------------------------------------------------ the policies


def _policy_files(root: str) -> list[str]:
    """The ``.jifen`` files under ``root`` (relative, with '/')."""
    return files_under(root, (".jifen",), MAX_FILES, policy=True)


def files_under(root: str, suffixes: tuple[str, ...], limit: int, *, policy: bool = False) -> list[str]:
    """The files under ``root`` ending in one of ``suffixes`` (relative, with '/'), at most ``limit``, in folder order.

    Hidden files and folders and tool folders (node_modules, virtual environments) are
    left out, at most MAX_DEPTH folders deep, and a symbolic link leading out of
    ``root`` is passed over (safety.confine).
    """
    found: list[str] = []
    for directory, folders, names in os.walk(root):
        depth = os.path.relpath(directory, root).count(os.sep)
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in _SKIPPED) if depth < MAX_DEPTH else []
        for name in sorted(names):
            if name.lower().endswith(suffixes) and not name.startswith("."):
                relative = os.path.relpath(os.path.join(directory, name), root).replace(os.sep, "/")
                try:
                    confine(root, relative, policy=policy)
                except ApiError:  # a link leading out
                    continue
                if not policy and not _could_hold_rows(os.path.join(directory, name)):
                    continue
                found.append(relative)
                if len(found) >= limit:
                    return found
    return found


def _could_hold_rows(path: str) -> bool:
    """Whether a data file can be a table at all: a JSON file must hold a list and a JSON Lines file objects.

    A folder served whole holds other JSON (a package.json, an editor's grammar)
    that only a reader's error would come of; one look at the first bytes leaves
    it out of the files a page offers. A file that cannot be read is offered, so
    that choosing it says why.
    """
    lower = path.lower()
    if not lower.endswith((".json", ".jsonl", ".ndjson")):
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096).removeprefix(b"\xef\xbb\xbf").lstrip()
    except OSError:
        return True
    if not head:
        return True
    return head[:1] == (b"[" if lower.endswith(".json") else b"{")


@_own_context
def list_policies(root: str) -> dict[str, Any]:
    """Every policy and library file under ``root``: district, year, what it extends, its language and its check status."""
    from jifen_dsl.lang.parsing.parser import parse

    policies = []
    for shown in _policy_files(root):
        entry: dict[str, Any] = {"path": shown, "kind": None, "district": None, "year": None, "title": None, "extends": None, "language": None}
        try:
            text = _read(confine(root, shown)[1], shown)
        except ApiError as exc:
            entry.update(status="errors", errors=1, warnings=0, problem=render(exc.message, "en"))
            policies.append(entry)
            continue
        _speak(None, text)
        entry["language"] = language_of_text(text)
        try:
            tree = parse(text, _where(root, shown))
        except (JifenError, RecursionError, ValueError):
            tree = None
        if tree is not None:
            entry["kind"] = "policy" if tree.header is not None else "library"
            if tree.header is not None:
                entry.update(district=tree.header.district, year=tree.header.year, title=tree.header.title, language=tree.header.language)
            if tree.extends is not None:
                entry["extends"] = _extended(root, shown, tree.extends.path)
        counts = _counts(_diagnostics(_analyse(root, shown, text), root))
        entry.update(status="errors" if counts["errors"] else "warnings" if counts["warnings"] else "ok", **counts)
        policies.append(entry)
    policies.sort(key=lambda p: (p["kind"] != "policy", p["district"] or "", p["year"] or 0, p["path"]))
    return {"root": os.path.basename(root) or root, "policies": policies}


def _extended(root: str, shown: str, target: str) -> str:
    """The file ``extends`` names, relative to the served folder when it lies inside it, else as written."""
    joined = os.path.normpath(os.path.join(os.path.dirname(_where(root, shown)), target))
    relative = os.path.relpath(joined, root).replace(os.sep, "/")
    return target if relative.startswith("../") or relative == ".." else relative


@_own_context
def read_policy(root: str, path: Any) -> dict[str, Any]:
    """The text of one policy file."""
    shown, real = confine(root, path)
    text = _read(real, shown)
    return {"path": shown, "text": text, "language": language_of_text(text)}


# ------------------------------------------------------------------ check, format, hover


@_own_context
def check(root: str, path: Any, text: Any, lang: str | None = None) -> dict[str, Any]:
    """``text`` checked as if it were the file ``path``, in that file's library: its diagnostics."""
    shown, _ = confine(root, path)
    text = _text(text)
    chosen = _speak(lang, text)
    diagnostics = _diagnostics(_analyse(root, shown, text), root)
    return {"path": shown, "language": chosen, "diagnostics": diagnostics, **_counts(diagnostics)}


@_own_context
def format_policy(root: str, path: Any, text: Any, to: str | None = None, lang: str | None = None) -> dict[str, Any]:
    """``text`` in the canonical layout (``to``: its keywords in en or zh); 422 with the diagnostics when it does not parse."""
    from jifen_dsl.lang.formatting import format_text

    shown, _ = confine(root, path)
    text = _text(text)
    if to is not None and to not in LANGUAGES:
        raise ApiError(422, "bad_field", T("to is en or zh"))
    _speak(lang, text)
    try:
        formatted = format_text(text, _where(root, shown), to)
    except (PolicyError, RecursionError, ValueError):
        diagnostics = [d for d in _diagnostics(_analyse(root, shown, text), root) if d["severity"] == "error"]
        raise ApiError(422, "syntax_error", T("{path} does not parse; nothing was formatted", path=shown), diagnostics=diagnostics) from None
    return {"path": shown, "text": formatted, "changed": formatted != text}


@_own_context
def hover(root: str, path: Any, text: Any, line: Any, column: Any, lang: str | None = None) -> dict[str, Any]:
    """Markdown about the name at (line, column), as the language server's hover says it; None where there is nothing to say."""
    from jifen_dsl.lsp import features, hovers
    from jifen_dsl.lsp.workspace import Workspace

    shown, _ = confine(root, path)
    text = _text(text)
    line, column = _position(line, "line") - 1, _position(column, "column") - 1
    _speak(lang, text)
    where = _where(root, shown)
    with _library(root, where):
        analysis = features.analyse(where, text)
        header = analysis.tree.header if analysis.tree is not None else None
        language = lang or (header.language if header is not None else getattr(analysis.checked, "language", "en"))
        markdown = features.hover(analysis, line, column)
        notes: list[str] = []
        found = features.declared(analysis, line, column)
        if found is not None and found[0] == "phase":
            notes += hovers.phase_notes(analysis.checked, found[1].name, language)
        view = Workspace().view(where, {where: text})
        notes += hovers.inheritance_notes(view, line, column, language)
        if markdown is None and notes:
            named = view.at(view.path, line, column)
            if named is not None and named[1] is not None:
                markdown = f"**{named[1].kind}** `{named[1].name}`"
    if markdown is not None and notes:
        markdown += "\n\n---\n\n" + "\n".join(f"- {note}" for note in notes)
    return {"path": shown, "markdown": _relative(root, markdown) if markdown is not None else None}


# ------------------------------------------------------------------ save and diff


def _side(root: str, shown: str, text: str) -> Any:
    """One side of a comparison: ``text`` loaded and checked as the file ``shown``."""
    from jifen_dsl.lang.loader import load
    from jifen_dsl.years.sides import side_of

    where = _where(root, shown)
    with _library(root, where):
        return side_of(where, load(where, text))


def _diff_records(root: str, old: Any, new: Any) -> dict[str, Any]:
    from jifen_dsl.years.diff import diff
    from jifen_dsl.years.diff_report import diff_records

    records = diff_records(old, new, diff(old, new))
    for side in ("old", "new"):
        records[side]["path"] = os.path.relpath(records[side]["path"], root).replace(os.sep, "/")
    return records


@_own_context
def save(root: str, path: Any, text: Any, lang: str | None = None) -> dict[str, Any]:
    """Write ``text`` to ``path`` at once, only if it checks (422 with the diagnostics if not); the clause diff of the save.

    The diff compares the file as it was with the text saved; it is None for a new
    file, a library file or a previous text that did not check (``diff_note`` says which).
    """
    from jifen_dsl.data.output import write_text_atomic

    shown, real = confine(root, path)
    text = _text(text)
    _speak(lang, text)
    if not os.path.isdir(os.path.dirname(real)):
        raise ApiError(404, "not_found", T("{path}: no such folder", path=os.path.dirname(shown) or "."))
    diagnostics = _diagnostics(_analyse(root, shown, text), root)
    counts = _counts(diagnostics)
    if counts["errors"]:
        raise ApiError(422, "invalid_policy", T("{path} does not check; it was not saved", path=shown), diagnostics=diagnostics)
    try:
        before = _read(real, shown)
    except ApiError as exc:
        if exc.code != "not_found":
            raise
        before = None
    write_text_atomic(real, text)
    change: dict[str, Any] | None = None
    note = None
    if before is None:
        note = render(T("a new file: nothing to compare with"))
    elif before == text:
        note = render(T("the text is unchanged"))
        change = None
    else:
        try:
            change = _diff_records(root, _side(root, shown, before), _side(root, shown, text))
        except (JifenError, RecursionError, ValueError):
            note = render(T("the file as it was does not check, or is not a policy: no clause diff"))
    return {"path": shown, "saved": True, "created": before is None, "diagnostics": diagnostics, **counts, "diff": change, "diff_note": note}


@_own_context
def diff_paths(root: str, a: Any, b: Any, lang: str | None = None) -> dict[str, Any]:
    """The clause diff of two policy files of the served folder, ``a`` the old and ``b`` the new."""
    old_shown, old_real = confine(root, a)
    new_shown, new_real = confine(root, b)
    old_text, new_text = _read(old_real, old_shown), _read(new_real, new_shown)
    _speak(lang, new_text)
    return {"diff": _diff_records(root, _checked_side(root, old_shown, old_text), _checked_side(root, new_shown, new_text))}


@_own_context
def diff_text(root: str, path: Any, text: Any, lang: str | None = None) -> dict[str, Any]:
    """The clause diff of ``text`` (as the file ``path``) against the policy it extends, else the previous year's in its folder."""
    from jifen_dsl.lang.parsing.parser import parse

    shown, _ = confine(root, path)
    text = _text(text)
    _speak(lang, text)
    try:
        tree = parse(text, _where(root, shown))
    except (JifenError, RecursionError, ValueError):
        tree = None
    base = None
    if tree is not None and tree.extends is not None:
        base = _extended(root, shown, tree.extends.path)
    else:
        year = tree.header.year if tree is not None and tree.header is not None else None
        base = _previous_year(root, shown, year)
    if base is None:
        raise ApiError(404, "no_base", T("{path} extends no policy and its folder has no earlier year to compare with", path=shown))
    base_shown, base_real = confine(root, base)
    new = _checked_side(root, shown, text)
    return {"base": base_shown, "diff": _diff_records(root, _checked_side(root, base_shown, _read(base_real, base_shown)), new)}


def _checked_side(root: str, shown: str, text: str) -> Any:
    """The side of ``text``, or 422 with its diagnostics when it does not check or is not a policy."""
    try:
        return _side(root, shown, text)
    except (JifenError, RecursionError, ValueError) as exc:
        diagnostics = [d for d in _diagnostics(_analyse(root, shown, text), root) if d["severity"] == "error"]
        message = _relative(root, exc.render() if isinstance(exc, JifenError) else str(exc))
        raise ApiError(422, "invalid_policy", T("{path} cannot be compared: {reason}", path=shown, reason=message), diagnostics=diagnostics) from None


def _previous_year(root: str, shown: str, year: int | None) -> str | None:
    """The latest ``<year>.jifen`` beside ``shown`` from before ``year`` (its own file name's year when the text has none)."""
    folder, _, name = shown.rpartition("/")
    if year is None:
        match = _YEAR_FILE.match(name)
        if match is None:
            return None
        year = int(match.group(1))
    try:
        names = os.listdir(os.path.join(root, *folder.split("/")) if folder else root)
    except OSError:
        return None
    earlier = sorted(int(m.group(1)) for m in map(_YEAR_FILE.match, names) if m is not None and int(m.group(1)) < year)
    if not earlier:
        return None
    return (folder + "/" if folder else "") + f"{earlier[-1]}.jifen"
