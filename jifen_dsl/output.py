"""Write output files atomically: a temporary file beside the target, then a rename.

An error part-way never leaves a half-written file behind, and an existing file
is replaced only by a complete one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import DataError

__all__ = ["write_text_atomic", "write_bytes_atomic"]


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_bytes_atomic(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` all at once or not at all."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise DataError([f"{path}: cannot write, the directory {str(directory)!r} does not exist"])
    if target.is_dir():
        raise DataError([f"{path}: cannot write, it is a directory"])
    fd, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private (0600); give it the mode any new file would have.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as exc:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise DataError([f"{path}: cannot write ({exc.strerror})"]) from None
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def write_text_atomic(path: str, text: str, *, bom: bool = False) -> None:
    """Write UTF-8 text (optionally with a byte-order mark) all at once or not at all."""
    write_bytes_atomic(path, (("\ufeff" if bom else "") + text).encode("utf-8"))
