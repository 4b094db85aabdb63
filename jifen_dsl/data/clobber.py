"""Refuse, before a command runs, an output that would overwrite one of its inputs or another of its outputs.

Paths are compared as files, not as strings: ``./a.csv``, ``a.csv``, a symbolic
link to it and a hard link of it are all the same file. A file that exists is
known by its device and inode (``os.stat``, following links), one not there yet
by its real path (``os.path.realpath``). An output that exists and is neither a
regular file nor a directory (a device such as /dev/null, a pipe) is written in
place and replaces nothing (data/output.py), so it is never refused; ``-`` is
standard output, which two outputs cannot share.
"""

from __future__ import annotations

import os
import stat
from typing import Any, NamedTuple, Sequence

from jifen_dsl.errors import DataError
from jifen_dsl.messages import M, Message, T

__all__ = ["STDOUT", "Named", "identity", "policy_inputs", "refuse_clobbering"]

STDOUT = "-"  # the path that means standard output, for -o (and --rejects)


class Named(NamedTuple):
    """A file a command reads or writes, with the words a message names it by (a tuple: the command line imports this early).

    ``name`` and ``hint`` are text or lazy messages (:mod:`jifen_dsl.messages`), put into words when the refusal is shown.
    """

    name: Any  # "-o a.csv", "the applicant file a.csv"
    path: str
    hint: Any = T("choose another output file")  # what to do when this output is refused


def identity(path: str) -> frozenset[tuple]:
    """What ``path`` is as a file: its real path and, if it exists, its device and inode; two paths are one file when these meet."""
    try:
        keys = {("path", os.path.realpath(path))}
    except (OSError, ValueError):
        keys = {("path", path)}
    try:
        found = os.stat(path)
    except (OSError, ValueError):
        return frozenset(keys)
    keys.add(("inode", found.st_dev, found.st_ino))
    return frozenset(keys)


def _output_identity(path: str) -> frozenset[tuple] | None:
    """What an output is as a file, or None for one written in place (a device, a pipe), which replaces nothing."""
    if path == STDOUT:
        return frozenset({("stdout",)})
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return identity(path)
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        return None
    return identity(path)


def policy_inputs(files: Sequence[str]) -> list[Named]:
    """The files a policy was read from (``Policy.files``: the policy first, then what it imports and extends), named for a message."""
    if not files:
        return []
    main = files[0]
    return [Named(T("the policy {path}", path=main), main)] + [Named(T("the policy file {path} (read by {policy})", path=f, policy=main), f) for f in files[1:]]


def refuse_clobbering(outputs: Sequence[Named], inputs: Sequence[Named]) -> None:
    """Raise DataError, naming both files, when an output is one of the ``inputs`` or an earlier output; else return."""
    problems: list[Message] = []
    read = [(i, identity(i.path)) for i in inputs]
    written: list[tuple[Named, frozenset[tuple]]] = []
    for output in outputs:
        keys = _output_identity(output.path)
        if keys is None:
            continue
        same_input = next((i for i, k in read if k & keys), None)
        if same_input is not None:
            problems.append(M("D0801", "{output} is {input}; {hint}", output=output.name, input=same_input.name, hint=output.hint))
            continue
        same_output = next((o for o, k in written if k & keys), None)
        if same_output is not None:
            problems.append(M("D0802", "{output} is also {other}; give each output its own file", output=output.name, other=same_output.name))
            continue
        written.append((output, keys))
    if problems:
        raise DataError(problems)
