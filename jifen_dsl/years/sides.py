"""The two policies of a comparison: each loaded, inheritance resolved, checked; and when two clauses are the same.

Two clauses are the same when they say the same thing: names are compared as
declared, whether the policy wrote a field's name or its label, and spans,
spelling and layout take no part.
"""

from __future__ import annotations

from typing import Any

import attrs

from jifen_dsl.lang import syntax, model
from jifen_dsl.lang.walk import rebuild
from jifen_dsl.lang.checking.checker import check
from jifen_dsl.errors import Diagnostic, PolicyError
from jifen_dsl.lang.loader import Program, load
from jifen_dsl.messages import M, T

__all__ = ["Side", "side_of", "load_side", "canonical", "same"]


@attrs.frozen(eq=False)
class Side:
    """One policy of a comparison: as loaded (inheritance resolved) and as checked."""

    path: str
    program: Program
    policy: model.Policy
    aliases: dict[str, str]  # label -> name, for fields and definitions

    @property
    def language(self) -> str:
        """The policy's spelling, 'en' or 'zh'."""
        return self.policy.language


def side_of(path: str, program: Program) -> Side:
    """A loaded policy, checked; PolicyError when it does not pass or is a library."""
    checked = check(program)
    if not isinstance(checked, model.Policy):
        raise PolicyError([Diagnostic(M("R0206", "{path} is a library of shared declarations, not a policy", path=path), hint=T("compare two policy files"))])
    aliases = {f.label: f.name for f in checked.fields if f.label}
    aliases.update({d.label: d.name for d in checked.definitions if d.label})
    return Side(path, program, checked, aliases)


def load_side(path: str) -> Side:
    """Read, resolve and check one policy for a comparison."""
    return side_of(path, load(path))


def canonical(node: Any, aliases: dict[str, str]) -> Any:
    """The clause with every name as its declared name (not its label), and no spans."""
    def change(n: Any) -> Any:
        if isinstance(n, syntax.Ref) and n.name in aliases:
            return attrs.evolve(n, name=aliases[n.name])
        return n

    return rebuild(node, change)


def same(old: Any, new: Any, a: Side, b: Side) -> bool:
    """Whether a clause of ``a`` and one of ``b`` say the same thing."""
    if old is None or new is None:
        return old is new
    return canonical(old, a.aliases) == canonical(new, b.aliases)
