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

from jifen_dsl.runs.public_html import escape
from jifen_dsl.season.messages import STATUS_WORDS, status_word
from jifen_dsl.season.stages import HOLDING, State
from jifen_dsl.season.store import LogEntry

__all__ = ["report_html"]

_BINS = 20
_WIDTH, _HEIGHT = 640, 180


def report_html(state: State, entries: list[LogEntry]) -> str:
    say = state.say
    policy = state.policy
    table = state.table
    parts = [
        f"<h1>{escape(say('r.title', title=policy.header.title))}</h1>",
        f"<p>{escape(say('r.head', seq=entries[-1].seq, digest=entries[-1].digest))}</p>",
        _status_section(state, table),
        _points_section(state, table),
        _school_section(state, table),
        _round_section(state, table),
        _subsidy_section(state, table),
    ]
    lang = "zh-CN" if state.language == "zh" else "en"
    style = (
        "body{font-family:'Noto Sans CJK SC','Noto Sans',sans-serif;max-width:60rem;margin:1rem auto;padding:0 1rem}"
        "table{border-collapse:collapse;margin:.5rem 0 1.5rem}td,th{border:1px solid #bbb;padding:.2rem .5rem}"
        "td.n{text-align:right;font-variant-numeric:tabular-nums}svg{max-width:100%;height:auto}"
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(say('r.title', title=policy.header.title))}</title><style>{style}</style></head>\n<body>\n"
        + "\n".join(parts)
        + "\n</body></html>\n"
    )


def _table(header: list[str], rows: list[list[str]], numeric: set[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td class="n">{escape(c)}</td>' if k in numeric else f"<td>{escape(c)}</td>" for k, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _status_section(state: State, table: pl.DataFrame) -> str:
    say = state.say
    statuses = [s for s in STATUS_WORDS if s in set(table.get_column("status").to_list())]
    grades = sorted(set(table.get_column("grade").to_list()))
    counts = Counter(zip(table.get_column("grade").to_list(), table.get_column("status").to_list()))
    rows = [[g] + [str(counts[(g, s)]) for s in statuses] + [str(sum(counts[(g, s)] for s in statuses))] for g in grades]
    rows.append([say("r.total")] + [str(sum(counts[(g, s)] for g in grades)) for s in statuses] + [str(table.height)])
    header = [say("r.grade")] + [status_word(state.language, s) for s in statuses] + [say("r.total")]
    return f"<h2>{escape(say('r.status'))}</h2>" + _table(header, rows, set(range(1, len(header))))


def _points_section(state: State, table: pl.DataFrame) -> str:
    say = state.say
    out = [f"<h2>{escape(say('r.points'))}</h2>"]
    eligible = table.filter(pl.col("eligible") & pl.col("points").is_not_null())
    for grade in sorted(set(eligible.get_column("grade").to_list())):
        mine = eligible.filter(pl.col("grade") == grade)
        points = [Decimal(p) for p in mine.get_column("points").to_list()]
        qualified = [Decimal(p) for p, s in zip(mine.get_column("points").to_list(), mine.get_column("status").to_list()) if s != "not_qualified"]
        cut = min(qualified) if qualified and len(qualified) < len(points) else None
        caption = say("r.cut", points=cut) if cut is not None else say("r.no_cut")
        out.append(f"<h3>{escape(grade)}</h3>{_histogram(points, cut)}<p>{escape(caption)}</p>")
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
    say = state.say
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
        rows.append([school.id, school.name, say(f"type.{school.type}"), school.grade, str(seats), str(taken), str(registered.get(school.id, 0)), fill, cutoff])
        bars.append((school.id, seats, taken))
    header = [say("r.school"), "", say("r.type"), say("r.grade"), say("r.seats"), say("r.held"), say("r.registered"), say("r.fill"), say("r.cutoff")]
    return f"<h2>{escape(say('r.schools'))}</h2>" + _fill_chart(bars) + _table(header, rows, {4, 5, 6, 7})


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
    say = state.say
    placed = table.filter(pl.col("school").is_not_null() & pl.col("round").is_not_null())
    titles = {k: b.title for k, b in enumerate(state.policy.batches)}
    counts = Counter(zip(placed.get_column("round").to_list(), placed.get_column("batch").to_list()))
    rows = [[r, titles.get(b, "-") if b is not None else "-", str(n)] for (r, b), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] if kv[0][1] is not None else -1))]
    return f"<h2>{escape(say('r.rounds'))}</h2>" + _table([say("r.round"), say("r.batch"), say("r.count")], rows, {2})


def _subsidy_section(state: State, table: pl.DataFrame) -> str:
    say = state.say
    subsidies = state.policy.subsidies
    out = f"<h2>{escape(say('r.subsidies'))}</h2>"
    if subsidies is None:
        return out + f"<p>{escape(say('r.no_subsidies'))}</p>"
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
    rows.append([say("r.total"), "", "", str(sum(int(r[3]) for r in rows)), "", str(semester), str(semester * subsidies.semesters_per_year)])
    header = [say("r.school"), "", say("r.grade"), say("r.registered"), say("r.rate"), say("r.per_semester"), say("r.per_year", n=subsidies.semesters_per_year)]
    return out + _table(header, rows, {3, 4, 5, 6})
