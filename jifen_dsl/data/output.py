"""Write output files atomically: a temporary file beside the target, then a rename.

An error part-way never leaves a half-written file behind, and an existing file
is replaced only by a complete one. A directory of outputs (a run's results and
its manifest) is written the same way, as a whole: see
:func:`write_directory_atomic`.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Mapping

from jifen_dsl.errors import DataError

__all__ = ["atomic_file", "write_text_atomic", "write_bytes_atomic", "write_chunks_atomic", "batched_text", "write_directory_atomic", "RUN_MARKER"]

RUN_MARKER = "manifest.json"  # a directory holding one was written by a run, and may be replaced by the next


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


@contextlib.contextmanager
def atomic_file(path: str, *, text: bool = False) -> Iterator[IO]:
    """A file to write ``path`` through: it replaces ``path`` only when the block ends without error.

    The temporary file sits beside the target (so the rename is atomic) and is
    opened with "x", so it gets the mode any new file would have. On an error,
    or an interruption, it is removed and the target is left as it was.
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise DataError([f"{path}: cannot write, the directory {str(directory)!r} does not exist"])
    if target.is_dir():
        raise DataError([f"{path}: cannot write, it is a directory"])
    temporary = directory / f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    try:
        handle = open(temporary, "x", encoding="utf-8", newline="") if text else open(temporary, "xb")
    except OSError as exc:
        raise DataError([f"{path}: cannot write ({exc.strerror})"]) from None
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise DataError([f"{path}: cannot write ({exc.strerror})"]) from None
    except BaseException:
        _remove(temporary)
        raise


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once or not at all."""
    with atomic_file(path) as handle:
        handle.write(data)


def write_chunks_atomic(path: str, chunks: Iterable[str], *, bom: bool = False, before_commit: Callable[[], None] | None = None) -> None:
    """Write UTF-8 text given in pieces (a large result, line by line) all at once or not at all.

    ``before_commit``, when given, is called once everything is written, before the
    file takes its name: if it raises, nothing is written.
    """
    with atomic_file(path) as handle:
        if bom:
            handle.write("\ufeff".encode("utf-8"))
        for block in batched_text(chunks):
            handle.write(block.encode("utf-8"))
        if before_commit is not None:
            before_commit()


def batched_text(chunks: Iterable[str], size: int = 1 << 20) -> Iterator[str]:
    """Pieces of text joined into blocks of about ``size`` characters: few writes, little memory."""
    pending: list[str] = []
    length = 0
    for chunk in chunks:
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


def write_directory_atomic(path: str, files: Mapping[str, bytes]) -> None:
    """Make ``path`` a directory holding exactly ``files`` (name -> bytes), all at once or not at all.

    Writing each file atomically and the manifest last would still leave a mix of
    new and old files after a failure part-way. Instead every file is written to a
    fresh directory beside the target, which is then renamed into place; a target
    left by an earlier run (it holds a manifest) is swapped out and removed. A
    directory holding anything else is refused, never overwritten.
    """
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise DataError([f"{path}: cannot write, the directory {str(parent)!r} does not exist"])
    if target.exists():
        if not target.is_dir():
            raise DataError([f"{path}: cannot write a run there, it is a file"])
        if any(target.iterdir()) and not (target / RUN_MARKER).is_file():
            raise DataError([f"{path}: the directory is not empty and holds no {RUN_MARKER} from an earlier run; choose a new or empty directory"])
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise DataError([f"{path}: cannot write ({exc.strerror})"]) from None
    old: Path | None = None
    try:
        for name, data in files.items():
            with open(staging / name, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(staging / name, 0o666 & ~_umask())
        os.chmod(staging, 0o777 & ~_umask())
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.rmdir(old)
            os.rename(target, old)
        os.rename(staging, target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not target.exists():
            os.rename(old, target)  # put the earlier run back
        raise DataError([f"{path}: cannot write ({exc.strerror})"]) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if old is not None and not target.exists():
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
