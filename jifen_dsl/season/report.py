"""``season report``: the year-end statistics for the bureau, as one self-contained HTML page.

Counts by status and grade; the points of the eligible of each grade, drawn as a
histogram with the qualification cut; each school's seats, the seats held and
registered, fill and cut-off; admissions by round and batch; and the subsidies
for pupils registered at private schools, per semester and per year, in exact
Decimal arithmetic. Charts are inline SVG drawn here (no script, no file beside
the page), so the page opens the same anywhere, offline.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import polars as pl

from jifen_dsl.messages import T, language, render
from jifen_dsl.runs.public_html import escape
from jifen_dsl.season.stages import HOLDING, State
from jifen_dsl.season.store import LogEntry
from jifen_dsl.season.words import STATUSES, school_type, status_word

__all__ = ["report_html"]

_BINS = 20
_WIDTH, _HEIGHT = 640, 180


def report_html(state: State, entries: list[LogEntry]) -> str:
    """The report, in the language chosen (the season's policy language unless one was asked for)."""
    policy = state.policy
    table = state.table
    title = _text(T("{title}: the season's report", title=policy.header.title))
    parts = [
        f"<h1>{title}</h1>",
        _paragraph(T("Made from the season log up to entry {seq} (log head {digest}).", seq=entries[-1].seq, digest=entries[-1].digest)),
        _status_section(state, table),
        _points_section(state, table),
        _school_section(state, table),
        _round_section(state, table),
        _subsidy_section(state, table),
    ]
    lang = "zh-CN" if language() == "zh" else "en"
    style = (
        "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #bbb;padding:.2rem .5rem}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}svg{max-width:100%;height:auto}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{style}</style></head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )


def _text(message) -> str:
    """A message put into words, escaped for the page."""
    return escape(render(message))


def _heading(message) -> str:
    return f"<h2>{_text(message)}</h2>"


def _paragraph(message) -> str:
    return f"<p>{_text(message)}</p>"


def _table(header: list, rows: list[list], numeric: set[int]) -> str:
    head = "".join(f"<th>{_text(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{_text(c)}</td>' if k in numeric else f"<td>{_text(c)}</td>" for k, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _status_section(state: State, table: pl.DataFrame) -> str:
    statuses = [s for s in STATUSES if s in set(table.get_column("status").to_list())]
    grades = sorted(set(table.get_column("grade").to_list()))
    counts = Counter(zip(table.get_column("grade").to_list(), table.get_column("status").to_list()))
    rows = [[g] + [str(counts[(g, s)]) for s in statuses] + [str(sum(counts[(g, s)] for s in statuses))] for g in grades]
    rows.append([T("Total")] + [str(sum(counts[(g, s)] for g in grades)) for s in statuses] + [str(table.height)])
    header = [T("Grade")] + [status_word(s) for s in statuses] + [T("Total")]
    return _heading(T("Applicants by status")) + _table(header, rows, set(range(1, len(header))))


def _points_section(state: State, table: pl.DataFrame) -> str:
    out = [_heading(T("Points of the eligible, by grade, with the qualification cut"))]
    eligible = table.filter(pl.col("eligible") & pl.col("points").is_not_null())
    for grade in sorted(set(eligible.get_column("grade").to_list())):
        mine = eligible.filter(pl.col("grade") == grade)
        points = [Decimal(p) for p in mine.get_column("points").to_list()]
        qualified = [Decimal(p) for p, s in zip(mine.get_column("points").to_list(), mine.get_column("status").to_list()) if s != "not_qualified"]
        cut = min(qualified) if qualified and len(qualified) < len(points) else None
        caption = T("qualification cut: {points} points", points=cut) if cut is not None else T("no qualification cut: every eligible applicant qualified")
        out.append(f"<h3>{escape(grade)}</h3>{_histogram(points, cut)}" + _paragraph(caption))
    return "\n".join(out)


def _histogram(points: list[Decimal], cut: Decimal | None) -> str:
    """Bars of how many applicants fall in each of _BINS equal ranges of points, and a line at the cut."""
    low, high = min(points), max(points)
    span = (high - low) or Decimal(1)
    counts = [0] * _BINS
    for p in points:
        counts[min(_BINS - 1, int((p - low) / span * _BINS))] += 1
    top = max(counts) or 1
    bar = _WIDTH / _BINS
    shapes = []
    for k, n in enumerate(counts):
        h = (_HEIGHT - 30) * n / top
        x, y = k * bar + 1, _HEIGHT - 20 - h
        shapes.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 2:.1f}" height="{h:.1f}" fill="#4a7ab0"><title>{n}</title></rect>')
    shapes.append(f'<text x="0" y="{_HEIGHT - 4}" font-size="11">{escape(str(low))}</text>')
    shapes.append(f'<text x="{_WIDTH}" y="{_HEIGHT - 4}" font-size="11" text-anchor="end">{escape(str(high))}</text>')
    if cut is not None:
        x = float((cut - low) / span) * _WIDTH
        shapes.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{_HEIGHT - 20}" stroke="#c03030" stroke-width="2"/>')
    return f'<svg viewBox="0 0 {_WIDTH} {_HEIGHT}" role="img" xmlns="http://www.w3.org/2000/svg">{"".join(shapes)}</svg>'


def _school_section(state: State, table: pl.DataFrame) -> str:
    holding = table.filter(pl.col("status").is_in(HOLDING))
    held = Counter(holding.get_column("school").to_list())
    registered = Counter(table.filter(pl.col("status") == "registered").get_column("school").to_list())
    by_choice = holding.filter(pl.col("round").str.starts_with("choice:"))
    worst = {s: (r, p) for s, r, p in by_choice.sort("rank").group_by("school", maintain_order=True).agg(pl.col("rank").last(), pl.col("points").last()).iter_rows()}
    rows, bars = [], []
    for school in state.schools:
        seats, taken = school.seats, held.get(school.id, 0)
        fill = f"{100 * taken / seats:.0f}%" if seats else "-"
        cutoff = f"{worst[school.id][0]} ({worst[school.id][1]})" if school.id in worst else "-"
        rows.append([school.id, school.name, school_type(school.type), school.grade, str(seats), str(taken), str(registered.get(school.id, 0)), fill, cutoff])
        bars.append((school.id, seats, taken))
    header = [T("School"), "", T("Type"), T("Grade"), T("Seats"), T("Holding a seat"), T("Registered"), T("Fill"), T("Cut-off rank (points)")]
    return _heading(T("Schools: seats, fill and cut-off")) + _fill_chart(bars) + _table(header, rows, {4, 5, 6, 7})


def _fill_chart(bars: list[tuple[str, int, int]]) -> str:
    """Each school's seats (outline) and seats held (filled)."""
    if not bars:
        return ""
    top = max(s for _, s, _ in bars) or 1
    row = 16
    height = row * len(bars) + 4
    shapes = []
    for k, (name, seats, taken) in enumerate(bars):
        y = k * row + 2
        w_seats, w_taken = 480 * seats / top, 480 * min(taken, seats) / top
        shapes.append(f'<text x="0" y="{y + 11}" font-size="11">{escape(name)}</text>')
        shapes.append(f'<rect x="150" y="{y}" width="{w_seats:.1f}" height="12" fill="none" stroke="#555"/>')
        shapes.append(f'<rect x="150" y="{y}" width="{w_taken:.1f}" height="12" fill="#4a7ab0"><title>{taken}/{seats}</title></rect>')
    return f'<svg viewBox="0 0 {_WIDTH} {height}" role="img" xmlns="http://www.w3.org/2000/svg">{"".join(shapes)}</svg>'


def _round_section(state: State, table: pl.DataFrame) -> str:
    placed = table.filter(pl.col("school").is_not_null() & pl.col("round").is_not_null())
    titles = {k: b.title for k, b in enumerate(state.policy.batches)}
    counts = Counter(zip(placed.get_column("round").to_list(), placed.get_column("batch").to_list()))
    rows = [[r, titles.get(b, "-") if b is not None else "-", str(n)] for (r, b), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] if kv[0][1] is not None else -1))]
    return _heading(T("Admissions by round and batch")) + _table([T("Round"), T("Batch"), T("Applicants")], rows, {2})


def _subsidy_section(state: State, table: pl.DataFrame) -> str:
    subsidies = state.policy.subsidies
    out = _heading(T("Subsidies for registered pupils at private schools"))
    if subsidies is None:
        return out + _paragraph(T("The policy sets no subsidies."))
    stage = {g.value: g.stage for g in state.policy.grades}
    registered = Counter(table.filter(pl.col("status") == "registered").get_column("school").to_list())
    rows, semester = [], Decimal(0)
    for school in state.schools:
        rate = subsidies.rate(school.type, stage.get(school.grade)) if stage.get(school.grade) else None
        pupils = registered.get(school.id, 0)
        if rate is None or not pupils:
            continue
        amount = rate * pupils
        semester += amount
        rows.append([school.id, school.name, school.grade, str(pupils), str(rate), str(amount), str(amount * subsidies.semesters_per_year)])
    rows.append([T("Total"), "", "", str(sum(int(r[3]) for r in rows)), "", str(semester), str(semester * subsidies.semesters_per_year)])
    header = [
        T("School"), "", T("Grade"), T("Registered"), T("Yuan per pupil per semester"), T("Per semester"),
        T("Per year ({n} semesters)", n=subsidies.semesters_per_year),
    ]
    return out + _table(header, rows, {3, 4, 5, 6})
