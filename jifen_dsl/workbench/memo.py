"""What the workbench has already worked out, kept while it stays true: compiled policies and evaluated cohorts.

A page asks the same questions again and again: the Try page evaluates a cohort,
then asks for one applicant's explanation of the same cohort under the same
text; twenty people at the editor check and evaluate the same policy. Checking
and compiling a policy costs some 30 ms and reading a small cohort as much
again, so both are kept here, in memory, for as long as what they were made from
is unchanged:

- a compiled policy under the path it is checked at, the policy library it
  reads from and the SHA-256 of its text; it is used only while every file it
  imported still has the text it had (the same test as the checked-policy cache
  of the command line, :mod:`jifen_dsl.compile.cache`);
- a cohort's evaluations under the file's resolved path and the SHA-256 of its
  bytes, for one compiled policy (the very object, not an equal one).

Each memo keeps its last few entries only (a long-running server must not grow),
and is safe to use from the server's worker threads. Nothing kept here is ever
changed after it is made: evaluations are complete when they are kept.
"""

from __future__ import annotations

import collections
import hashlib
import threading
from typing import Any, Callable, Generic, Hashable, TypeVar

from jifen_dsl.compile.cache import file_text_digest, text_digest

__all__ = ["Memo", "compiled_policy", "evaluated_cohort", "file_digest"]

V = TypeVar("V")

POLICIES = 16
COHORTS = 8


class Memo(Generic[V]):
    """The last ``size`` values made, by key; a kept value is used only while ``still_true`` says so."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._kept: collections.OrderedDict[Hashable, tuple[Any, V]] = collections.OrderedDict()

    def get(self, key: Hashable, make: Callable[[], tuple[Any, V]], still_true: Callable[[Any], bool]) -> V:
        """The value kept under ``key`` if ``still_true(its proof)``; else ``make()`` -> (proof, value), kept and returned.

        Two threads asking at once for a value not yet kept may both make it: the
        work is repeated, never shared half-done, and the later one is kept.
        """
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
        if found is not None and still_true(found[0]):
            return found[1]
        proof, value = make()
        with self._lock:
            self._kept[key] = (proof, value)
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return value


_policies: Memo[Any] = Memo(POLICIES)
_cohorts: Memo[Any] = Memo(COHORTS)


def _unchanged(files: list[tuple[str, str]]) -> bool:
    return all(file_text_digest(name) == digest for name, digest in files)


def compiled_policy(where: str, library: str, text: str, make: Callable[[], Any]) -> Any:
    """The compiled policy of ``text`` checked at ``where`` within ``library``: kept, or ``make()`` (which raises for a policy that does not check).

    ``make`` returns the compiled policy; the files it imported are taken from its sources.
    """
    def made() -> tuple[list[tuple[str, str]], Any]:
        compiled = make()
        imported = [(name, text_digest(source.text)) for name, source in compiled.policy.sources.items() if name != where]
        return imported, compiled

    return _policies.get((where, library, text_digest(text)), made, _unchanged)


def file_digest(path: str) -> str:
    """The SHA-256 of the bytes of the file at ``path``."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def evaluated_cohort(path: str, compiled: Any, make: Callable[[], Any]) -> Any:
    """What ``make()`` gives for the cohort file at ``path`` under ``compiled``, kept while the file's bytes are the same.

    A file whose bytes change while it is read can at worst be kept under its
    earlier digest and be read again at the next request; never the other way
    round, because the digest is taken before the file is read.
    """
    try:
        digest = file_digest(path)
    except OSError:  # not kept: ``make`` reads it and says what is wrong, as the command line does
        return make()

    def made() -> tuple[Any, Any]:
        return compiled, make()

    return _cohorts.get((path, digest, id(compiled)), made, lambda kept: kept is compiled)
