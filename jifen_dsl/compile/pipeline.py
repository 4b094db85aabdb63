"""Run the front of the pipeline: read, parse, check and compile a policy file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from jifen_dsl.compile import cache as checkcache
from jifen_dsl.errors import Diagnostic, PolicyError
from jifen_dsl.messages import M, speak
from jifen_dsl.lang.library import library_of

if TYPE_CHECKING:  # imported when needed: a policy checked before comes from the cache without the parser
    from jifen_dsl.lang import model
    from jifen_dsl.compile.compiler import CompiledPolicy

__all__ = ["load_policy", "check_file"]


def check_file(path: str, text: str | None = None) -> model.Policy | model.Library:
    """Parse and check a policy or library file (or ``text`` as if it were at ``path``); raise PolicyError listing every error.

    A file checked before, whose files are all unchanged, comes from the cache (see checkcache),
    if it was checked within the same policy library (lang.library).
    """
    library = library_of(path).real
    if text is None:
        checked = checkcache.cached(path, library)
        if checked is not None:
            speak(getattr(checked, "language", None))
            return checked
    from jifen_dsl.lang.checking.checker import check
    from jifen_dsl.lang.loader import load

    checked = check(load(path, text))
    if text is None:
        checkcache.keep(path, checked, library)
    return checked


def load_policy(path: str) -> CompiledPolicy:
    """Parse, check and compile a policy; raise PolicyError for a bad policy or a library file."""
    from jifen_dsl.lang import model
    from jifen_dsl.compile.compiler import compile_policy

    checked = check_file(path)
    if isinstance(checked, model.Library):
        raise PolicyError(
            [Diagnostic(M("L0001", "{path} is a library of shared declarations, not a policy", path=path), hint=M("L0001", "give the policy file itself; it imports this one"))],
            checked.sources,
        )
    return compile_policy(checked)
