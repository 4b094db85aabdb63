"""jifen_dsl: write, check, explain and run Guangzhou points-based school admission policies.

The pipeline, one module per stage::

    parser.parse -> loader.load -> checker.check -> compiler.compile_policy
        -> evaluator.evaluate -> (allocator) -> report

:func:`load_policy` runs the first four; the command line lives in :mod:`jifen_dsl.cli`.
"""

__version__ = "0.1.0"

from .errors import DataError, JifenError, PolicyError  # noqa: E402
from .pipeline import load_policy  # noqa: E402

__all__ = ["__version__", "load_policy", "JifenError", "PolicyError", "DataError"]
