"""The per-user cache directory: made private, and trusted only while it stays so.

The parser's tables and checked policies are kept here as pickles, and a pickle
runs code when it is read. So the directory is this user's own (under
``$XDG_CACHE_HOME`` or ``~/.cache``), made with mode 0700, and refused when it
belongs to someone else or others may write to it - a shared temporary directory
would let another user plant a file. ``JIFEN_NO_CACHE=1`` turns caching off.
"""

from __future__ import annotations

import os

__all__ = ["private_cache_dir", "trusted_file"]


def private_cache_dir() -> str | None:
    """This user's jifen_dsl cache directory, made if need be; None when caching is off or the directory cannot be trusted."""
    if os.environ.get("JIFEN_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = os.path.join(base, "jifen_dsl")
    try:
        os.makedirs(directory, mode=0o700, exist_ok=True)
        status = os.stat(directory)
    except OSError:
        return None
    if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
        return None
    return directory


def trusted_file(descriptor: int) -> bool:
    """Whether an open cache file is this user's own and nobody else may write to it."""
    status = os.fstat(descriptor)
    if hasattr(os, "getuid") and (status.st_uid != os.getuid() or status.st_mode & 0o022):
        return False
    return True
