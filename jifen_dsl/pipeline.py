"""Run the front of the pipeline: read, parse, check and compile a policy file."""

from __future__ import annotations

from . import model
from .bulk import collector_paused
from .checker import check
from .compiler import CompiledPolicy, compile_policy
from .errors import Diagnostic, PolicyError
from .loader import load

__all__ = ["load_policy", "check_file"]


def check_file(path: str, text: str | None = None) -> model.Policy | model.Library:
    """Parse and check a policy or library file (or ``text`` as if it were at ``path``); raise PolicyError listing every error."""
    with collector_paused():  # many small objects and no cycles: see bulk.py
        return check(load(path, text))


def load_policy(path: str) -> CompiledPolicy:
    """Parse, check and compile a policy; raise PolicyError for a bad policy or a library file."""
    checked = check_file(path)
    if isinstance(checked, model.Library):
        raise PolicyError(
            [Diagnostic(f"{path} is a library of shared declarations, not a policy", hint="give the policy file itself; it imports this one")],
            checked.sources,
        )
    with collector_paused():
        return compile_policy(checked)
