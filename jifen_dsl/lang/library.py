"""The policy library: the one folder whose files a policy may import and extend, and the one safe way to read a policy file.

A policy lives at ``ROOT/<district>/<year>.jifen``; ROOT, the folder above the
policy's own folder, is its library (``policies/``, whose ``guangzhou/fields.jifen``
every policy imports). Another root is named for the duration of a command with
:func:`using_library` (``jifen --library DIR``, ``api.check(..., library=DIR)``),
carried in a context variable rather than through every call between the command
line and the loader.

Policy text may come from someone who cannot read the machine's files (a web form),
so the loader confines every ``import`` and ``extends`` to the library: the target,
after symlinks, must lie inside the resolved root and end in ``.jifen``
(:meth:`Library.refusal`, judged by the path alone, before anything is opened), and
it is read only when it is a regular file of at most :data:`MAX_POLICY_BYTES`
(:func:`read_policy_bytes`, which every policy file goes through, the main one too:
a pipe would hang the reader, a device fill its memory).
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import stat
from typing import Iterator

import attrs

from jifen_dsl.messages import Message, T

__all__ = [
    "MAX_POLICY_BYTES", "SUFFIX", "Library", "NotAPolicyFile", "using_library", "named_library",
    "library_of", "read_policy_bytes",
]

# Real policies are some 10 KB, and a 10 MB one is promised to check (docs/robustness.md);
# the limit only keeps a device or a runaway file from filling the memory.
MAX_POLICY_BYTES = 16 * 1024 * 1024
SUFFIX = ".jifen"

# The root named for the command (or API call) under way; None: each policy's own default.
_NAMED: contextvars.ContextVar[str | None] = contextvars.ContextVar("jifen_policy_library", default=None)


@contextlib.contextmanager
def using_library(root: str | os.PathLike[str] | None) -> Iterator[None]:
    """Within the block, policies import and extend from ``root``; None: each from the folder above its own folder."""
    token = _NAMED.set(os.fspath(root) if root is not None else None)
    try:
        yield
    finally:
        _NAMED.reset(token)


def named_library() -> str | None:
    """The root named for the command under way, as named; None when each policy uses its default."""
    return _NAMED.get()


@attrs.frozen
class Library:
    """The folder a policy reads from: as named or found (for messages), and resolved (what every read file must lie inside)."""

    root: str
    real: str
    named: bool

    @property
    def shown(self) -> str:
        """The root as messages name it: a folder, with its trailing separator; in full when it lies above the current folder ('../' says little)."""
        root = os.path.abspath(self.root) if os.path.normpath(self.root).split(os.sep)[0] == os.pardir else self.root
        return root if root.endswith(os.sep) else root + os.sep

    def refusal(self, target: str) -> tuple[str, str | None]:
        """The resolved path of ``target`` and why it may not be read, from its path alone ('outside', 'link', 'suffix'); None when it may."""
        real = os.path.realpath(target)
        if not _inside(real, self.real):
            # Written inside but resolved outside: a symbolic link leads out, and the message says so.
            return real, "link" if _inside(os.path.abspath(target), os.path.abspath(self.root)) else "outside"
        if not (target.endswith(SUFFIX) and real.endswith(SUFFIX)):
            return real, "suffix"
        return real, None


def library_of(policy_path: str) -> Library:
    """The library of a policy: the named root, or else the folder above the policy's own folder."""
    named = _NAMED.get()
    if named is not None:
        root = os.path.normpath(named)
    else:
        root = os.path.normpath(os.path.join(os.path.dirname(policy_path) or os.curdir, os.pardir))
    return Library(root, os.path.realpath(root), named is not None)


def _inside(path: str, root: str) -> bool:
    path, root = os.path.normcase(path), os.path.normcase(root)
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # one relative and one absolute, or another drive
        return False


class NotAPolicyFile(OSError):
    """A file refused before its content is read: a pipe, device or socket, or too large; ``reason`` completes '<path>: ...'.

    ``kind`` names what the file is ('a pipe', ...; None: a regular file, too large).
    """

    def __init__(self, reason: Message, kind: Message | None = None):
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def _require_policy_file(status: os.stat_result) -> None:
    """Raise unless ``status`` is that of a regular file a policy could be (IsADirectoryError for a folder)."""
    mode = status.st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
    if not stat.S_ISREG(mode):
        kind = T("a pipe") if stat.S_ISFIFO(mode) else T("a socket") if stat.S_ISSOCK(mode) else T("a device") if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else T("a special file")
        raise NotAPolicyFile(T("is {kind}, not a policy file", kind=kind), kind)
    if status.st_size > MAX_POLICY_BYTES:
        raise NotAPolicyFile(_too_large())


MAX_POLICY_MIB = MAX_POLICY_BYTES // (1024 * 1024)


def _too_large() -> Message:
    return T("is larger than a policy file may be ({size} MiB)", size=MAX_POLICY_MIB)


def read_policy_bytes(path: str, *, follow: bool = True) -> bytes:
    """The bytes of a regular file of at most MAX_POLICY_BYTES; OSError otherwise (NotAPolicyFile, IsADirectoryError, ...).

    The file is looked at before it is opened, so a pipe or a device is never opened
    (opening some devices does something); and again once open, without blocking, in
    case it was replaced in between. With ``follow=False`` a symbolic link in the last
    place is refused: the caller has resolved the path and checked where it leads.
    """
    _require_policy_file(os.stat(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    descriptor = os.open(path, flags)
    try:
        _require_policy_file(os.fstat(descriptor))
        chunks: list[bytes] = []
        left = MAX_POLICY_BYTES + 1  # one byte more tells a file that grew past the limit
        while left > 0:
            chunk = os.read(descriptor, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(descriptor)
    if left <= 0:
        raise NotAPolicyFile(_too_large())
    return b"".join(chunks)
