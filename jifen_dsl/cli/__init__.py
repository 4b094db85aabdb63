"""The ``jifen`` command line: click commands that turn arguments into library calls.

Click stays inside this package. Every project error is caught in one place
(:mod:`jifen_dsl.cli.app`, the command group and :func:`main`) and printed
without a traceback. The commands are grouped by what they work on:
policy_commands (a policy alone), run_commands (a policy over a cohort) and
year_commands (one year against the next). options and emit hold what they
share, lifetime the runs kept until the process ends.

May import: everything else in jifen_dsl; nothing imports it.
"""

from jifen_dsl.cli.app import cli, main

__all__ = ["cli", "main"]
