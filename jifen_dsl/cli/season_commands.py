"""``jifen season``: the admission season's stages, each recorded in the season database (see :mod:`jifen_dsl.season`).

The subcommands are listed in the order of the season. Imports of the season
room happen inside each command, so ``jifen --help`` stays light.
"""

from __future__ import annotations

import getpass
import json

import click

__all__ = ["season"]


def _officer() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name on this system
        return "unknown"


_officer_option = click.option("--officer", default=None, help="Who takes this action (default: the login name); kept in the log.")
_reason_option = click.option("--reason", default="", help="Why; kept in the log.")
_as_of_option = click.option("--as-of", "as_of", default=None, help="The date (and time) the action was taken, when recorded later; checked against the stage's window.")
_dir = click.argument("folder", metavar="DIR", type=click.Path(file_okay=False))


def _file(name: str):
    return click.argument(name, type=click.Path(dir_okay=False, exists=True))


def _echo(said) -> None:
    """A command's report on standard output and its warnings on standard error, each line in the language chosen."""
    for line in said.lines:
        click.echo(str(line))
    for line in said.warnings:
        click.echo(str(line), err=True)


class _InOrder(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # the order of the season, not the alphabet


@click.group(cls=_InOrder)
def season() -> None:
    """The admission season, stage by stage, each stage recorded in DIR/season.db."""


@season.command("init")
@_dir
@click.option("--policy", "policy", required=True, type=click.Path(dir_okay=False, exists=True), help="The season's policy file.")
@click.option("--schools", required=True, type=click.Path(dir_okay=False, exists=True), help="The schools and their seats.")
@_officer_option
@_reason_option
def init_cmd(folder: str, policy: str, schools: str, officer: str | None, reason: str) -> None:
    """Create a season: the policy's texts (with what it imports or extends) and the schools file, with digests."""
    from jifen_dsl.season.commands import init_season

    _echo(init_season(folder, policy, schools, officer or _officer(), reason))


def _stage(name: str, role: str | None = None, help_text: str = "", close: str | None = None):
    def command(folder: str, officer: str | None, reason: str, as_of: str | None, path: str | None = None, close_window: bool = False) -> None:
        from jifen_dsl.season.commands import run_stage
        from jifen_dsl.season.windows import parse_moment

        paths = [(role, path)] if role and path else []
        options: dict = {"close": True} if close_window else {}
        if as_of is not None:
            try:
                options["as_of"] = str(parse_moment(as_of))
            except ValueError as exc:
                raise click.BadParameter(str(exc), param_hint="--as-of") from None
        _echo(run_stage(folder, name, officer or _officer(), reason, paths, options))

    command.__doc__ = help_text
    command = _as_of_option(_reason_option(_officer_option(command)))
    if close:
        command = click.option("--close", "close_window", is_flag=True, help=close)(command)
    if role:
        command = click.argument("path", metavar=role.upper(), type=click.Path(dir_okay=False, exists=True), required=close is None)(command)
    season.command(name)(_dir(command))


_stage("import", "applicants", "Load the application data (CSV, XLSX, JSON), validated as everywhere; choice columns are ignored here.")
_stage("qualify", None, "Evaluate, rank and cut at the seats: the qualification list (资格名单).")
_stage("correct", "corrections", "Corrections after objections: rows id, field, value, reason[, officer]; a requirement's name with pass/fail is a human verdict.")
_stage("choices", "choices", "Choices of qualified applicants: rows id, choices, accepts_coordination[, sibling_group].")
_stage("allocate", None, "Assign the seats by the policy's rounds to the qualified with choices; verified, then frozen.")
_stage("confirm", "decisions", "Confirmations: rows id, decision (confirmed/declined, 确认/放弃).", close="End the confirmation window: silence means what the policy says.")
_stage("clearing", "clearing", "Clearing (补录) over the seats left: rows id, choices, for those the policy admits to it.")
_stage("register", "registrations", "Registration (报到): rows id, registered (yes/no).", close="End registration: not registered means giving up the seat.")


@season.command("status")
@_dir
def status_cmd(folder: str) -> None:
    """Stages done and counts by status."""
    from jifen_dsl.messages import T
    from jifen_dsl.season.commands import season_rows
    from jifen_dsl.season.windows import next_stage, window_text
    from jifen_dsl.season.words import Joined, stage_name, status_word

    state, entries = season_rows(folder)  # the season's policy, loaded: messages speak its language from here on
    click.echo(str(T("stages: {stages}", stages=Joined.of(stage_name(s) for s in state.done))))
    for status, count in state.counts().items():
        click.echo(f"  {status_word(status)}: {count}")
    following = next_stage(state)
    if following is not None:
        window = window_text(state, following)
        click.echo(str(T("next: {stage}", stage=stage_name(following))) + (f" - {window}" if window else ""))
    if entries:
        click.echo(str(T("log head: {digest}", digest=entries[-1].digest)))


@season.command("log")
@_dir
def log_cmd(folder: str) -> None:
    """Every recorded action: time, officer, reason, input and result digests."""
    from jifen_dsl.season.commands import open_store

    store = open_store(folder)
    try:
        for e in store.entries():
            inputs = ", ".join(f"{role}={name}@{digest[:12]}" for role, name, digest in e.inputs)
            click.echo(f"{e.seq:>3} {e.at} {e.action:<9} {e.officer} reason={e.reason!r} inputs=[{inputs}] options={json.dumps(e.options, sort_keys=True)} result={e.result[:12] or '-'} digest={e.digest}")
    finally:
        store.close()


@season.command("export")
@_dir
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write (written whole, or not at all).")
def export_cmd(folder: str, fmt: str, output: str) -> None:
    """One record per applicant: id, grade, status, school, round, rank, points."""
    import polars as pl

    from jifen_dsl.data.output import write_bytes_atomic
    from jifen_dsl.evaluation.columnar_report import csv_bytes_of, guarded
    from jifen_dsl.messages import N
    from jifen_dsl.season.commands import frame_of, season_rows

    state, _ = season_rows(folder, listed=True)
    frame = frame_of(state)
    if fmt == "json":
        data = (json.dumps(frame.to_dicts(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    elif fmt == "xlsx":  # text cells stay text: the workbook writer guards any a spreadsheet would take for a formula
        from jifen_dsl.data.xlsx import Sheet, workbook_bytes

        rows = [["" if v is None else str(v) for v in row] for row in frame.iter_rows()]
        data = workbook_bytes([Sheet("season", frame.columns, rows, numeric=frozenset({frame.columns.index("rank"), frame.columns.index("points")}))])
    else:  # an empty cell written empty, a cell a spreadsheet would take for a formula guarded
        cells = frame.select(guarded(pl.col(c).cast(pl.String)).replace("", None).alias(c) for c in frame.columns)
        data = csv_bytes_of(cells)
    write_bytes_atomic(output, data)
    click.echo(str(N("{count} applicant -> {output}", "{count} applicants -> {output}", frame.height, output=output)))


@season.command("verify")
@_dir
@click.option("--head", default=None, help="A log head printed on a published list: the log must still contain it.")
def verify_cmd(folder: str, head: str | None) -> None:
    """Replay every stage from the recorded inputs and confirm every recorded result."""
    from jifen_dsl.errors import DataError
    from jifen_dsl.messages import M, T
    from jifen_dsl.season.audit import verify_season

    verdict = verify_season(folder, head)
    if verdict.problems:
        raise DataError(verdict.problems, title=M("S0060", "{dir}: the season does not verify", dir=folder))
    for check in verdict.checked:
        line = str(check)
        click.echo(line if line.startswith("  ") else str(T("ok: {check}", check=line)))


@season.command("explain")
@_dir
@click.option("--id", "applicant", required=True, help="The application number.")
def explain_cmd(folder: str, applicant: str) -> None:
    """One applicant's whole story: data and sources, requirements, points, rank, choices, allocation, decisions."""
    from jifen_dsl.season.explain import explain_applicant

    click.echo(explain_applicant(folder, applicant), nl=False)


@season.command("publish")
@_dir
@click.option("--list", "which", type=click.Choice(["qualification", "admission", "clearing"]), required=True, help="Which stage's list.")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "html"]), default="csv", show_default=True)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The file to write (written whole, or not at all).")
@_officer_option
@_reason_option
def publish_cmd(folder: str, which: str, fmt: str, output: str, officer: str | None, reason: str) -> None:
    """The masked public list (公示) of a stage, with the season log's head digest on it; the publication is logged."""
    from jifen_dsl.messages import N
    from jifen_dsl.season.public import publish

    rows, head = publish(folder, which, fmt, output, officer or _officer(), reason)
    click.echo(str(N("{count} row -> {output} (log head {head})", "{count} rows -> {output} (log head {head})", rows, output=output, head=head)))


@season.command("report")
@_dir
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The HTML file to write (written whole, or not at all).")
def report_cmd(folder: str, output: str) -> None:
    """Year-end statistics for the bureau as one self-contained HTML page with charts."""
    from jifen_dsl.data.output import write_bytes_atomic
    from jifen_dsl.messages import N
    from jifen_dsl.season.commands import season_rows
    from jifen_dsl.season.report import report_html

    state, entries = season_rows(folder, listed=True)
    write_bytes_atomic(output, report_html(state, entries).encode("utf-8"))
    count = state.table.height if state.table is not None else 0
    click.echo(str(N("{count} applicant -> {output}", "{count} applicants -> {output}", count, output=output)))
