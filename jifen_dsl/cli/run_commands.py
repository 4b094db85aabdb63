"""The commands that run a policy over a cohort: evaluate, allocate, explain, verify-run and publish.

Each imports the readers, the evaluator or the allocator it needs when it runs,
so that the commands which need none of them start fast (see app.py).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from jifen_dsl.cli.emit import emit, emit_bytes, finish_run, output_named, output_opt, refuse_clobbering, refuse_run_clobbering, say, tell
from jifen_dsl.cli.lifetime import keep_until_exit
from jifen_dsl.cli.options import UsageError, check_run_options, format_opt, input_options, policy_arg, run_options
from jifen_dsl.data.clobber import Named, policy_inputs
from jifen_dsl.errors import DataError
from jifen_dsl.messages import M, T, render, series

if TYPE_CHECKING:
    from jifen_dsl.progress import Progress

__all__ = ["evaluate_cmd", "allocate_cmd", "explain_cmd", "verify_run_cmd", "publish_cmd"]


def _progress(quiet: bool) -> Progress:
    """A progress bar on stderr when it is a terminal and --quiet is not given."""
    from jifen_dsl.progress import NO_PROGRESS, Progress

    stream = sys.stderr
    if quiet or not stream.isatty():
        return NO_PROGRESS
    return Progress(stream)


def _evidence_source(path: str | None, formulas: str = "refuse"):
    """The evidence file of a run, read by its extension like the applicant file."""
    from jifen_dsl.runs.run import Source

    return Source(path, formulas=formulas) if path else None


@click.command(name="evaluate")
@policy_arg
@click.argument("applicants", type=click.Path(dir_okay=False))
@format_opt
@output_opt
@run_options
def evaluate_cmd(policy: str, applicants: str, fmt: str, output: str | None, input_format, encoding, sheet, formulas, evidence, lenient, rejects, out_dir, bom, quiet) -> None:
    """Evaluate every applicant: eligibility, failed requirements, batch, points and rank."""
    from jifen_dsl.evaluation.columnar_report import csv_streamed, evaluation_cells, evaluation_cells_lazy, summary_line_of
    from jifen_dsl.evaluation.report import evaluation_lines
    from jifen_dsl.runs.run import RunSpec, Source, execute

    check_run_options(fmt, output, out_dir, lenient, rejects)
    spec = RunSpec("evaluate", policy, Source(applicants, input_format, encoding, sheet, formulas), None, lenient, bom, _evidence_source(evidence, formulas))
    refuse_run_clobbering(spec, output, rejects, out_dir)
    # A table or JSON of the evaluations is made from objects, which need the applicants' fields.
    run = execute(spec, _progress(quiet), fields=fmt not in ("csv", "xlsx") or bool(out_dir), digest_now=bool(out_dir))
    rules, outcome = run.compiled.policy, run.results.outcome

    def text():
        if fmt == "csv":
            return [csv_streamed(evaluation_cells_lazy(rules, outcome, text=False))]
        return evaluation_lines(run.compiled, run.evaluations, fmt)  # a table or JSON with each failure's values: from objects

    finish_run(run, text, lambda: _workbook("results", evaluation_cells(rules, outcome, guard=False)), fmt, output, out_dir, rejects, bom)
    if not quiet:
        tell(summary_line_of(outcome))
    keep_until_exit(run)


def _workbook(title: str, cells, numeric=("points", "rank")) -> bytes:
    """A workbook of one sheet of text cells (the ``numeric`` columns as numbers), written from the columns."""
    from jifen_dsl.data.xlsxcolumns import column_sheet, workbook_bytes_of

    return workbook_bytes_of([column_sheet(title, cells, numeric)])


@click.command(name="allocate")
@policy_arg
@click.argument("applicants", type=click.Path(dir_okay=False))
@click.argument("schools", type=click.Path(dir_okay=False))
@format_opt
@output_opt
@click.option("--summary", "show_summary", is_flag=True, help="Show the per-school summary and the subsidy budget instead of one line per applicant.")
@run_options
def allocate_cmd(policy: str, applicants: str, schools: str, fmt: str, output: str | None, show_summary: bool, input_format, encoding, sheet, formulas, evidence, lenient, rejects, out_dir, bom, quiet) -> None:
    """Assign seats: qualification, choices, coordinated placement and clearing, checked before it is shown."""
    from jifen_dsl.allocation.columnar_report import placement_cells_lazy, placement_json_bytes, placement_sheet
    from jifen_dsl.allocation.columnar_summary import summary_of, summary_sheet
    from jifen_dsl.data.xlsxcolumns import workbook_bytes_of
    from jifen_dsl.allocation.report import counts_line, format_summary_data, placement_lines
    from jifen_dsl.evaluation.columnar_report import csv_streamed
    from jifen_dsl.runs.run import RunSpec, Source, execute

    check_run_options(fmt, output, out_dir, lenient, rejects)
    spec = RunSpec("allocate", policy, Source(applicants, input_format, encoding, sheet, formulas), Source(schools, formulas=formulas), lenient, bom, _evidence_source(evidence, formulas))
    refuse_run_clobbering(spec, output, rejects, out_dir)
    # Only the text table of the placements is made from objects; everything else from the columns.
    run = execute(spec, _progress(quiet), fields=bool(out_dir) or (fmt not in ("csv", "json", "xlsx") and not show_summary), digest_now=bool(out_dir))  # verified before it returns
    rules, frame, offer = run.compiled.policy, run.report_frame, run.results.schools
    if show_summary:
        data = summary_of(rules, frame, offer)
        text, workbook = (lambda: [format_summary_data(data, fmt)]), (lambda: workbook_bytes_of([summary_sheet(data)]))
    else:

        def text():
            if fmt == "csv":
                return [csv_streamed(placement_cells_lazy(rules, frame, offer))]
            if fmt == "json":
                return [placement_json_bytes(rules, frame, offer)]
            return placement_lines(run.allocation, fmt)  # the text table: from objects

        workbook = lambda: workbook_bytes_of([placement_sheet(rules, frame, offer)])  # noqa: E731
    finish_run(run, text, workbook, fmt, output, out_dir, rejects, bom)
    if not quiet and not show_summary:  # the summary ends with the same count: it is said once
        counts = run.results.placed.get_column("status").value_counts().sort("status").iter_rows()
        tell(counts_line(run.accepted, list(counts)))
    keep_until_exit(run)


@click.command(name="explain")
@policy_arg
@click.argument("applicants", type=click.Path(dir_okay=False))
@click.option("--id", "applicant_id", required=True, help="The application id (申请编号) to explain.")
@click.option("--schools", type=click.Path(dir_okay=False), help="Also explain the seat allocation over this schools file.")
@output_opt
@input_options
def explain_cmd(policy: str, applicants: str, applicant_id: str, schools: str | None, output: str | None, input_format, encoding, sheet, formulas, evidence) -> None:
    """Explain one applicant: each requirement with its values, the points, the batch and rank, and the seat."""
    from jifen_dsl.allocation.allocator import allocate
    from jifen_dsl.data.applicants import read_applicants
    from jifen_dsl.evaluation.evaluator import evaluate
    from jifen_dsl.data.evidence import read_evidence
    from jifen_dsl.evaluation.explain import explain as explain_text
    from jifen_dsl.allocation.explain import explain_allocation
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.data.schools import check_choices, read_schools
    from jifen_dsl.allocation.verify import verify

    compiled = load_policy(policy)
    if output:
        read = [(T("the applicant file {path}", path=applicants), applicants)]
        read += [(T("the schools file {path}", path=schools), schools)] if schools else []
        read += [(T("the evidence file {path}", path=evidence), evidence)] if evidence else []
        refuse_clobbering([output_named("-o", output)], policy_inputs(compiled.policy.files) + [Named(name, path) for name, path in read])
    people = read_applicants(applicants, compiled.policy, input_format=input_format, encoding=encoding, sheet=sheet, formulas=formulas)
    if evidence:
        people = read_evidence(evidence, compiled.policy, people, formulas=formulas)
    elif compiled.policy.evidence:
        tell(render(T("note")) + ": " + render(T("no --evidence file, so no applicant has evidence for {names}", names=series(list(compiled.policy.evidence)))))
    if not any(a.id == applicant_id for a in people):
        raise DataError([M("U0008", "{path}: no applicant has the id {id}", path=applicants, id=repr(applicant_id))])
    results = evaluate(compiled, people)
    text = explain_text(compiled, results, applicant_id)
    if schools:
        offer = read_schools(schools, compiled.policy, formulas=formulas)
        check_choices(people, compiled.policy, offer, applicants)
        allocation = allocate(compiled, results, offer, trace=True)
        verify(allocation, [a.id for a in people])
        text += "\n" + explain_allocation(allocation, applicant_id)
    emit(text, output)


@click.command(name="verify-run")
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def verify_run_cmd(directory: str, quiet: bool) -> None:
    """Re-run a run directory written with --out and confirm every output is reproduced byte for byte."""
    from jifen_dsl.runs.run import verify_run

    say(verify_run(directory, _progress(quiet)))


@click.command(name="publish")
@click.argument("results", type=click.Path())
@click.option("--kind", type=click.Choice(("points", "admission")), required=True, help="points: everyone's points, ranked; admission: who was admitted where.")
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx", "html")), default="csv", show_default=True, help="Output format (xlsx needs -o).")
@click.option("--policy", "policy_path", type=click.Path(dir_okay=False), help="The policy whose masking rule applies (default: the one a run directory's manifest names).")
@click.option("--bom", is_flag=True, help="Begin CSV output with a byte-order mark, for Excel.")
@output_opt
def publish_cmd(results: str, kind: str, fmt: str, policy_path: str | None, bom: bool, output: str | None) -> None:
    """The public list (公示) of a run: ranked, with names and identity numbers masked by the policy's rule."""
    from jifen_dsl.compile.pipeline import load_policy
    from jifen_dsl.runs.public_html import html_page
    from jifen_dsl.lang.library import named_library, using_library
    from jifen_dsl.runs.publish import admission_list, load_results, points_list
    from jifen_dsl.data.tables import csv_text
    from jifen_dsl.data.xlsx import Sheet, workbook_bytes

    if fmt == "xlsx" and not output:
        raise UsageError(M("U0006", "xlsx output is a file: give -o FILE (- for standard output)"))
    read = _results_inputs(results)
    if output:
        refuse_clobbering([output_named("-o", output)], read)
    records, recorded = load_results(results)
    policy_file = policy_path or recorded.policy
    if policy_file is None:
        raise UsageError(M("U0007", "give --policy POLICY: the masking rule comes from the policy, and a results file does not name it"))
    # The run's own policy is read from the library the run named, as verify-run does it.
    library = named_library() or (recorded.library if policy_path is None else None)
    with using_library(library):
        policy = load_policy(policy_file).policy
    if output:
        refuse_clobbering([output_named("-o", output)], read + policy_inputs(policy.files))
    public = points_list(records, policy) if kind == "points" else admission_list(records, policy)
    if fmt == "html":
        emit(html_page(public), output)
    elif fmt == "csv":
        emit(csv_text(public.header, public.rows), output, bom=bom)
    else:
        sheet = Sheet(public.sheet_title, public.header, public.rows, numeric=public.numeric)
        emit_bytes(workbook_bytes([sheet]), output)


def _results_inputs(results: str) -> list[Named]:
    """What publish reads of ``results``: the file, or a run directory's manifest and results.json."""
    from pathlib import Path

    from jifen_dsl.data.output import RUN_MARKER

    if not Path(results).is_dir():
        return [Named(T("the results file {path}", path=results), results)]
    place = Path(results)
    return [Named(T("the run's {name} {path}", name=name, path=str(place / name)), str(place / name)) for name in (RUN_MARKER, "results.json")]
