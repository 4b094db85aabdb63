"""Checked policies kept between runs: a policy is parsed and checked again only when a file it reads has changed.

Reading a policy costs a third of a second at every start of the command line,
most of it loading and running the parser, against a few milliseconds to load the
checked result. The result is kept as a pickle in the private cache directory
(:mod:`jifen_dsl.cachedir`), under a key naming everything it depends on besides
the policy's own files: the path as given and the directory it is relative to,
the policy library it may read from (resolved: a policy checked within a wide
library must never be served where a narrow one is in force), this Python, and
the code that makes the result - jifen_dsl's own files and those of lark and
chinesecalendar, by name, size and modification time. The entry lists
each file the policy read with the SHA-256 of its bytes, and is used only when
every one of them still hashes the same. A failed check is never kept.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

from jifen_dsl.version import __version__
from jifen_dsl.cachedir import private_cache_dir, trusted_file
from jifen_dsl.lang.library import library_of, read_policy_bytes

__all__ = ["cached", "keep", "code_fingerprint", "text_digest", "file_text_digest"]

_FORMAT = 1
_PACKAGE = Path(__file__).resolve().parent.parent  # jifen_dsl/, above compile/


def code_fingerprint() -> str:
    """The files of the code a checked policy is made by: jifen_dsl (its subpackages and its grammar), lark, chinesecalendar."""
    parts: list[str] = [__version__, sys.version]
    directories = [str(_PACKAGE), str(_PACKAGE / "_grammar"), str(_PACKAGE.parent / "grammar")]
    directories.extend(sorted(str(init.parent) for init in _PACKAGE.rglob("__init__.py") if init.parent != _PACKAGE))  # every subpackage, however deep
    for name in ("lark", "chinese_calendar"):
        spec = importlib.util.find_spec(name)  # finds the package without importing it
        if spec is not None and spec.submodule_search_locations:
            directories.extend(spec.submodule_search_locations)
    for directory in directories:
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith((".py", ".lark")) and entry.is_file():
                status = entry.stat()
                parts.append(f"{entry.path}\0{status.st_size}\0{status.st_mtime_ns}")
    return "\n".join(parts)


def _entry(path: str, library: str | None) -> str | None:
    directory = private_cache_dir()
    if directory is None:
        return None
    if library is None:
        library = library_of(path).real
    key = hashlib.sha256("\n\0".join([os.getcwd(), path, library, code_fingerprint()]).encode("utf-8", "surrogateescape")).hexdigest()[:40]
    return os.path.join(directory, f"checked-{key}.pickle")


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_text_digest(path: str) -> str | None:
    """The hash of a policy file's text as the loader reads it (UTF-8, without a byte-order mark); None when the loader would not read it."""
    try:
        return text_digest(read_policy_bytes(path).decode("utf-8").removeprefix("\ufeff"))
    except (OSError, UnicodeDecodeError):
        return None


def cached(path: str, library: str | None = None) -> Any | None:
    """The checked policy or library kept for ``path`` read within ``library`` (resolved; None: the one in force), if every file it read is unchanged; else None."""
    entry = _entry(path, library)
    if entry is None:
        return None
    try:
        descriptor = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        if not trusted_file(descriptor):
            return None
        data = handle.read()
    try:
        version, files, checked = pickle.loads(data)  # noqa: S301 - our own file, in our own private directory
    except Exception:  # a damaged or outdated entry only costs a check
        return None
    if version != _FORMAT or not isinstance(files, list):
        return None
    for name, digest in files:
        if file_text_digest(name) != digest:
            return None
    return checked


def keep(path: str, checked: Any, library: str | None = None) -> None:
    """Keep a successful check of ``path`` within ``library`` (resolved; None: the one in force) for the next run; a cache that cannot be written is left alone."""
    entry = _entry(path, library)
    if entry is None:
        return
    # Every file the policy read, the policy first, by the text the check saw.
    files = [(name, text_digest(source.text)) for name, source in checked.sources.items()]
    try:
        data = pickle.dumps((_FORMAT, files, checked), protocol=pickle.HIGHEST_PROTOCOL)
        descriptor, temporary = tempfile.mkstemp(prefix=".checked-", suffix=".tmp", dir=os.path.dirname(entry))
    except Exception:
        return
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, entry)
    except OSError:
        try:
            os.unlink(temporary)
        except OSError:
            pass
