"""The ``jifen`` command line: a thin layer that turns arguments into library calls.

This module holds the command group and :func:`main`; the commands live in
policy_commands, run_commands and year_commands, and are added here. Every
project error is caught in one place (:class:`_Jifen`), rendered to stderr, and
ends the command with exit status 1, as does standard output that cannot be
written (a reader gone away, a full disk). Usage errors are click's (status 2).
The group's ``--library`` names the policy library for the whole command.
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
from jifen_dsl.cli import format_commands, policy_commands, run_commands, season_commands, serve_commands, year_commands
from jifen_dsl.cli.lifetime import run_as_program, share_allocator_arena
from jifen_dsl.errors import JifenError, severity_word
from jifen_dsl.lang.library import using_library
from jifen_dsl.messages import LANGUAGES, M, Message, T, prefer, render, speak

__all__ = ["main", "cli"]

# Set once an output's failure has been said, so main's last flush does not say it again.
_output_failed = False


def _failed_output(exc: OSError) -> Message | None:
    """'standard output' or 'standard error' when ``exc`` was raised writing to it; None for any other OSError.

    The commands write to both through click.echo only, so the traceback tells: a
    frame of click.echo, with its ``err`` flag saying which. (A failed write leaves
    nothing to probe: the buffered text is dropped with the error.)
    """
    traceback_ = exc.__traceback__
    while traceback_ is not None:
        frame = traceback_.tb_frame
        if frame.f_code is click.utils.echo.__code__:
            return T("standard error") if frame.f_locals.get("err") else T("standard output")
        traceback_ = traceback_.tb_next
    return None


def _report_output_failure(output: Message, exc: OSError) -> None:
    """Say on stderr that an output cannot be written (stderr itself may be what failed)."""
    global _output_failed
    _output_failed = True
    try:
        _error(cannot_write(output, exc.strerror or str(exc)))
    except OSError:
        pass


def cannot_write(output: Message, reason: Message | str) -> Message:
    """An output that cannot be written: standard output or standard error, and why."""
    return M("U0015", "cannot write to {output} ({reason})", output=output, reason=reason)


def _error(message: Message) -> None:
    """``error: ...`` on standard error, in the chosen language."""
    click.echo(severity_word("error") + ": " + render(message), err=True)


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
            _error(M("U0016", "the input is nested too deeply to process"))
            ctx.exit(1)
        except MemoryError:
            _error(M("U0017", "out of memory"))
            ctx.exit(1)
        except KeyboardInterrupt:
            click.echo(render(T("interrupted")), err=True)
            ctx.exit(130)
        except OSError as exc:  # a reader gone away or a full disk is the world's doing, not a bug
            output = _failed_output(exc)
            if output is None:
                _internal_error(exc)
                ctx.exit(2)
            _report_output_failure(output, exc)
            ctx.exit(1)
        except Exception as exc:  # a bug: say so plainly, without a traceback unless asked
            _internal_error(exc)
            ctx.exit(2)


def _internal_error(exc: BaseException) -> None:
    if os.environ.get("JIFEN_DEBUG"):
        traceback.print_exc()
    click.echo(render(T("internal error: {error}: {details} (set JIFEN_DEBUG=1 for details)", error=type(exc).__name__, details=str(exc))), err=True)


@click.group(name="jifen", cls=_Jifen, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jifen")
@click.option(
    "--library", metavar="DIR", type=click.Path(file_okay=False, exists=True),
    help="The policy library: the folder whose .jifen files policies may import and extend (default: the folder above each policy's own folder).",
)
@click.option(
    "--lang", type=click.Choice(LANGUAGES), default=None,
    help="The language of messages: zh or en (default: LANGUAGE, LC_ALL or LC_MESSAGES if they name one, else the policy's own language).",
)
@click.pass_context
def cli(ctx: click.Context, library: str | None, lang: str | None) -> None:
    """Check, explain and run Guangzhou points-based school admission policies (积分制入学)."""
    prefer(lang)
    speak(None)
    if library is not None:
        ctx.with_resource(using_library(library))  # undone when the command's context closes


# cli.commands keeps this order (from checking a policy to running it, then its years);
# ``jifen --help`` lists the commands by name.
for _command in (
    policy_commands.check,
    format_commands.fmt_cmd,
    format_commands.lsp_cmd,
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
    season_commands.season,
    serve_commands.serve_cmd,
):
    cli.add_command(_command)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``jifen`` console script.

    A run of a million applicants leaves some ten million objects behind; freeing
    them one by one takes a second or more and serves nothing when the process
    ends. So the command line keeps them (:func:`jifen_dsl.cli.lifetime.keep_until_exit`),
    flushes its output and ends the process at once, leaving the memory to the system.

    For the same reason the cyclic garbage collector stays off for the whole
    command: a pass over the objects a run makes (the policy's, a reader's,
    the reports' made on demand) would find no cycles that matter in a process
    this short. And polars' threads share one allocator arena
    (:func:`jifen_dsl.cli.lifetime.share_allocator_arena`).
    """
    run_as_program()
    share_allocator_arena()
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
        if sys.stdout is not None:  # None when the process was started with standard output closed
            sys.stdout.flush()
    except OSError as exc:  # the reader of our output went away, or the disk is full
        if not _output_failed:  # (a failed write leaves what was not written to fail again here)
            _report_output_failure(T("standard output"), exc)
        code = code or 1
    try:
        if sys.stderr is not None:
            sys.stderr.flush()
    except OSError:
        code = code or 1
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    main()
