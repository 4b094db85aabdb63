"""The ``jifen`` command line: click commands that turn arguments into library calls.

Click stays inside this package. Every project error is caught in one place
(:func:`main`) and printed without a traceback; see :mod:`jifen_dsl.cli.app`.

May import: everything else in jifen_dsl; nothing imports it.
"""

from jifen_dsl.cli.app import cli, main

__all__ = ["cli", "main"]
