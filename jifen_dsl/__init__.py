"""jifen_dsl: write, check, explain and run Guangzhou points-based school admission policies.

The pipeline, one module per stage::

    parser.parse -> loader.load -> checker.check -> compiler.compile_policy
        -> evaluator.evaluate -> (allocator) -> report

:func:`load_policy` runs the first four; the command line lives in :mod:`jifen_dsl.cli`.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "load_policy", "JifenError", "PolicyError", "DataError"]


def __getattr__(name: str):
    # Imported on first use, so that a command starts without loading what it does not need.
    if name == "load_policy":
        from jifen_dsl.compile.pipeline import load_policy

        return load_policy
    if name in ("JifenError", "PolicyError", "DataError"):
        from jifen_dsl import errors

        return getattr(errors, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
