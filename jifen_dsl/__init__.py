"""jifen_dsl: write, check, explain and run Guangzhou points-based school admission policies.

The public surface (documented in docs/api.md) is loaded on first use, so that
``import jifen_dsl`` stays cheap and the ``jifen`` command starts without it::

    import jifen_dsl as jf
    policy = jf.load_policy("policies/haizhu/2022.jifen")
    cohort = jf.read_cohort(policy, "examples/haizhu-2022/applicants.csv")
    results = jf.evaluate(policy, cohort)

The pipeline behind it, one subpackage per stage (ARCHITECTURE.md)::

    lang (parse, load, check) -> compile -> evaluate -> allocate -> runs / years
                  data (readers and writers) and timeline (dates) below
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jifen_dsl.version import __version__

__all__ = [
    "__version__", "load_policy", "check", "read_cohort", "evaluate", "explain", "allocate", "explain_seat", "diff",
    "Cohort", "CompiledPolicy", "Evaluation", "Allocation", "Change", "JifenError", "PolicyError", "DataError",
]

if TYPE_CHECKING:  # for type checkers and editors; at run time these come from __getattr__
    from jifen_dsl.api import (
        Allocation, Change, Cohort, CompiledPolicy, DataError, Evaluation, JifenError, PolicyError,
        allocate, check, diff, evaluate, explain, explain_seat, load_policy, read_cohort,
    )


def __getattr__(name: str):
    # Imported on first use, so that a command starts without loading what it does not need.
    if name in ("JifenError", "PolicyError", "DataError"):
        from jifen_dsl import errors

        return getattr(errors, name)
    if name in __all__:
        from jifen_dsl import api

        return getattr(api, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
