"""Write output files so that none is ever half-written, and nothing but the target is replaced.

A regular file is written beside its target and renamed over it (:func:`atomic_file`):
an error part-way never leaves a half-written file, and an existing file is replaced
only by a complete one. What is not a regular file - a device such as /dev/null, a
pipe (FIFO) - is written in place instead: a rename would replace the device or the
pipe itself by a plain file. A symbolic link is written through, so the link stays.
A directory of outputs (a run's results and its manifest) is written file by file
the same way, its last file being the commit point: :func:`write_directory_atomic`.

Which files may be written at all is decided before any work starts:
:mod:`jifen_dsl.data.clobber` refuses an output that is an input or another output,
``runs/outdir.py`` what a run folder may hold.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import shutil
import stat
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Mapping

from jifen_dsl.errors import DataError, severity_word
from jifen_dsl.messages import M, Message, render

__all__ = [
    "atomic_file", "write_text_atomic", "write_bytes_atomic", "write_chunks_atomic", "batched_text", "write_directory_atomic",
    "RUN_MARKER", "WriteError", "reason", "cannot_write", "Streamed",
]

RUN_MARKER = "manifest.json"  # the manifest of a run; runs/outdir.py decides whether a folder holding one may be written into


class WriteError(DataError):
    """A write that failed (a full disk, a reader gone away): one line naming where and why.

    Unlike a refused input, it has no list of problems to count: what was being
    written is gone (a temporary file) or was a stream that cannot be taken back.
    """

    def render(self) -> str:
        error = severity_word("error") + ": "
        return "\n".join(error + render(p) for p in self.problems)


def reason(exc: OSError) -> str:
    """Why an operating-system call failed, as the system says it ("No space left on device")."""
    if exc.strerror:
        return exc.strerror
    # polars, writing into a file, passes the system's refusal on as "File too large (os error 27)".
    found = _OS_ERROR.fullmatch(str(exc))
    return os.strerror(int(found.group(1))) if found else str(exc)


_OS_ERROR = re.compile(r".* \(os error ([0-9]+)\)")


def cannot_write(path: str, exc: OSError) -> Message:
    """A write the system refused, with the system's reason."""
    return M("D0805", "{path}: cannot write ({reason})", path=path, reason=reason(exc))


def _no_directory(path: str, directory) -> Message:
    return M("D0803", "{path}: cannot write, the directory {directory} does not exist", path=path, directory=repr(str(directory)))


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _special(path: str) -> bool:
    """Whether ``path`` exists and is neither a regular file nor a directory (a device, a pipe): written in place."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


@contextlib.contextmanager
def atomic_file(path: str, *, text: bool = False) -> Iterator[IO]:
    """A file to write ``path`` through: it replaces ``path`` only when the block ends without error.

    The temporary file sits beside the target (so the rename is atomic) and is
    opened with "x", so it gets the mode any new file would have. On an error,
    or an interruption, it is removed and the target is left as it was. A target
    that is a device or a pipe is written in place, and a symbolic link is
    written through (the file it points to is replaced, not the link).
    """
    if _special(path):
        with _in_place(path, text=text) as handle:
            yield handle
        return
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise DataError([_no_directory(path, directory)])
    if target.is_dir():
        raise DataError([M("D0804", "{path}: cannot write, it is a directory", path=path)])
    temporary = directory / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        handle = open(temporary, "x", encoding="utf-8", newline="") if text else open(temporary, "xb")
    except OSError as exc:
        raise WriteError([cannot_write(path, exc)]) from None
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise WriteError([cannot_write(path, exc)]) from None
    except BaseException:
        _remove(temporary)
        raise


@contextlib.contextmanager
def _in_place(path: str, *, text: bool) -> Iterator[IO]:
    """Write a device or a pipe as it is: there is no file to leave half-written, and nothing to rename."""
    try:
        handle = open(path, "w", encoding="utf-8", newline="") if text else open(path, "wb")
    except OSError as exc:
        raise WriteError([cannot_write(path, exc)]) from None
    try:
        with handle:
            yield handle
            handle.flush()
    except OSError as exc:
        raise WriteError([cannot_write(path, exc)]) from None


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once or not at all."""
    with atomic_file(path) as handle:
        handle.write(data)


class Streamed:
    """A piece of a result that writes itself into a binary file (polars writing a CSV file), never held whole in memory first.

    A million applicants' results are some fifty megabytes: made as bytes, then
    written, they are held twice (the buffer and its copy) at the run's peak.
    """

    __slots__ = ("write",)

    def __init__(self, write: Callable[[IO[bytes]], None]):
        self.write = write

    def bytes(self) -> bytes:
        """The piece as bytes, for where it cannot be written straight into a file (standard output as text)."""
        out = io.BytesIO()
        self.write(out)
        return out.getvalue()


def write_chunks_atomic(
    path: str, chunks: Iterable[str | bytes | Streamed], *, bom: bool = False, before_commit: Callable[[], None] | None = None
) -> None:
    """Write UTF-8 text given in pieces (a large result, line by line; a piece may be bytes already encoded, or Streamed) all at once or not at all.

    ``before_commit``, when given, is called once everything is written, before the
    file takes its name: if it raises, nothing is written.
    """
    with atomic_file(path) as handle:
        if bom:
            handle.write("\ufeff".encode("utf-8"))
        for block in batched_text(chunks):
            if isinstance(block, Streamed):
                block.write(handle)
            else:
                handle.write(block if isinstance(block, bytes) else block.encode("utf-8"))
        if before_commit is not None:
            before_commit()


def batched_text(chunks: Iterable[str | bytes | Streamed], size: int = 1 << 20) -> Iterator[str | bytes | Streamed]:
    """Pieces of text joined into blocks of about ``size`` characters: few writes, little memory. A piece of bytes or a Streamed one is passed on as it is, in its place."""
    pending: list[str] = []
    length = 0
    for chunk in chunks:
        if isinstance(chunk, (bytes, Streamed)):
            if pending:
                yield "".join(pending)
                pending.clear()
                length = 0
            yield chunk
            continue
        pending.append(chunk)
        length += len(chunk)
        if length >= size:
            yield "".join(pending)
            pending.clear()
            length = 0
    if pending:
        yield "".join(pending)


def write_text_atomic(path: str, text: str, *, bom: bool = False) -> None:
    """Write UTF-8 text (optionally with a byte-order mark) all at once or not at all."""
    write_bytes_atomic(path, (("\ufeff" if bom else "") + text).encode("utf-8"))


def write_directory_atomic(path: str, files: Mapping[str, bytes], *, remove: Iterable[str] = ()) -> None:
    """Make the directory ``path`` hold ``files`` (name -> bytes), touching nothing else in it.

    A new directory appears whole: the files are written to a fresh directory beside
    it, which is then renamed into place, so a failure part-way leaves nothing. Into
    an existing directory every file is first written beside its name; only once all
    are written are they renamed into place, in the order given, so the last (a
    run's manifest) is the commit point, and the names in ``remove`` (an earlier
    run's outputs this one does not write) are removed just before it. A failure
    while writing leaves the directory as it was. Which names may be replaced or
    removed is the caller's decision (runs/outdir.py).
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise DataError([_no_directory(path, parent)])
    if target.is_dir():
        _write_into(target, path, files, remove)
    elif target.exists() or target.is_symlink():
        raise DataError([M("D0806", "{path}: cannot write a run there, it is a file", path=path)])
    else:
        _write_new(target, parent, path, files)


def _write_new(target: Path, parent: Path, path: str, files: Mapping[str, bytes]) -> None:
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise WriteError([cannot_write(path, exc)]) from None
    try:
        for name, data in files.items():
            _write_new_file(staging / name, data)
        os.chmod(staging, 0o777 & ~_umask())
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise WriteError([cannot_write(path, exc)]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _write_into(target: Path, path: str, files: Mapping[str, bytes], remove: Iterable[str]) -> None:
    written: dict[str, Path] = {}  # name -> its temporary file, until renamed into place
    try:
        for name, data in files.items():
            temporary = target / f".{name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
            _write_new_file(temporary, data)
            written[name] = temporary
        names = list(files)
        for name in names[:-1]:
            os.replace(written[name], target / name)
            del written[name]
        for name in remove:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(target / name)
        if names:
            os.replace(written[names[-1]], target / names[-1])
            del written[names[-1]]
    except OSError as exc:
        for temporary in written.values():
            _remove(temporary)
        raise WriteError([cannot_write(path, exc)]) from None
    except BaseException:
        for temporary in written.values():
            _remove(temporary)
        raise


def _write_new_file(path: Path, data: bytes) -> None:
    """Create ``path`` (it must not exist) holding ``data``, on disk; on a failure remove it again."""
    with open(path, "xb") as handle:
        try:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            _remove(path)
            raise
    os.chmod(path, 0o666 & ~_umask())
