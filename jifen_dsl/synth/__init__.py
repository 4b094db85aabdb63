"""Synthetic applicants and schools for the bundled policies: ``python -m jifen_dsl.synth``.

May import: :mod:`jifen_dsl.data` (output writers) and the shared basics; never the
language or the evaluator, so generated files do not depend on the code they test.
"""

from jifen_dsl.synth.generate import *  # noqa: F401,F403
from jifen_dsl.synth.generate import __all__  # noqa: F401
