"""The ``jifen`` command line: a thin layer that turns arguments into library calls.

This module holds the command group and :func:`main`; the commands live in
policy_commands, run_commands and year_commands, and are added here. Every
project error is caught in one place (:class:`_Jifen`), rendered to stderr, and
ends the command with exit status 1. Usage errors are click's (status 2).
"""

from __future__ import annotations

import gc
import os
import sys
import traceback

import click

# Only what every command needs is imported here; each command imports its own
# modules, so that ``jifen check`` starts without the readers, the allocator or Excel.
from jifen_dsl.version import __version__
from jifen_dsl.cli import policy_commands, run_commands, year_commands
from jifen_dsl.cli.lifetime import run_as_program
from jifen_dsl.errors import JifenError

__all__ = ["main", "cli"]


class _Jifen(click.Group):
    """The command group; the one place where project errors become exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except JifenError as exc:
            click.echo(exc.render(), err=True)
            ctx.exit(1)
        except RecursionError:
            click.echo("error: the input is nested too deeply to process", err=True)
            ctx.exit(1)
        except MemoryError:
            click.echo("error: out of memory", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:  # a bug: say so plainly, without a traceback unless asked
            if os.environ.get("JIFEN_DEBUG"):
                traceback.print_exc()
            click.echo(f"internal error: {type(exc).__name__}: {exc} (set JIFEN_DEBUG=1 for details)", err=True)
            ctx.exit(2)


@click.group(name="jifen", cls=_Jifen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jifen")
def cli() -> None:
    """Check, explain and run Guangzhou points-based school admission policies (积分制入学)."""


# cli.commands keeps this order (from checking a policy to running it, then its years);
# ``jifen --help`` lists the commands by name.
for _command in (
    policy_commands.check,
    run_commands.evaluate_cmd,
    run_commands.allocate_cmd,
    run_commands.explain_cmd,
    run_commands.verify_run_cmd,
    run_commands.publish_cmd,
    policy_commands.template_cmd,
    policy_commands.compile_cmd,
    policy_commands.schedule_cmd,
    policy_commands.deadline_cmd,
    year_commands.new_year_cmd,
    year_commands.diff_cmd,
):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``jifen`` console script.

    A run of a million applicants leaves some ten million objects behind; freeing
    them one by one takes a second or more and serves nothing when the process
    ends. So the command line keeps them (:func:`jifen_dsl.cli.lifetime.keep_until_exit`),
    flushes its output and ends the process at once, leaving the memory to the system.

    For the same reason the cyclic garbage collector stays off for the whole
    command: the bulk phases pause it anyway (bulk.py), and switching it back on
    between them makes its next pass walk every object made while it was off
    (seconds at a million applicants), to find no cycles that matter in a
    process this short.
    """
    run_as_program()
    gc.disable()
    try:
        cli.main(args=argv, prog_name="jifen")
        code = 0
    except SystemExit as exc:
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader of our output went away
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
