"""A public list as one self-contained HTML page: inline styles, one small inline script, no external assets.

The page is what a district office posts or prints: one table per grade with
the header repeated on every printed page, rows never split across pages. On a
phone (390 px) the page does not scroll sideways: a table wider than the screen
scrolls within its own box. A search box (shown only where scripts run, never
printed) keeps the rows whose application number holds what is typed
(:data:`SCRIPT`, a few lines inline; nothing is fetched).
Every text is escaped, and has no bidirectional control (which could reorder
what a reader sees of a row: :func:`~jifen_dsl.data.masking.without_bidi_controls`);
the output depends only on the list (no dates, no ids).
"""

from __future__ import annotations

from html import escape as _escape

from jifen_dsl.data.masking import without_bidi_controls
from jifen_dsl.runs.publish import PublicList

__all__ = ["html_page", "SCRIPT"]


def escape(text: str) -> str:
    """``text`` as HTML shows it: escaped, and without bidirectional controls."""
    return _escape(without_bidi_controls(text))

_STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "SimSun", sans-serif;
       margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #111; line-height: 1.4; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.subtitle { color: #444; margin: 0 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
th, td { border: 1px solid #999; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eee; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tbody tr:nth-child(even) { background: #f6f6f6; }
footer { margin-top: 1.5rem; color: #333; font-size: .9rem; }
.table { overflow-x: auto; max-width: 100%; }
.search input { font: inherit; padding: .3rem .5rem; width: 16rem; max-width: 100%; box-sizing: border-box; }
h1, h2, .subtitle, footer p { overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  body { margin: 1rem auto; padding: 0 .5rem; }
  table { font-size: .85rem; }
  th, td { padding: .25rem .3rem; }
}
@media print {
  @page { size: A4; margin: 15mm 12mm; }
  body { margin: 0; max-width: none; padding: 0; font-size: 10pt; }
  thead { display: table-header-group; }
  tr, td, th { break-inside: avoid; page-break-inside: avoid; }
  tbody tr:nth-child(even), th { background: none; }
  .search { display: none; }
  .table { overflow: visible; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
""".strip()


# The search: each table's rows whose application number (the column headed th.id) holds the text typed stay shown.
SCRIPT = """
(function () {
  var box = document.getElementById("search");
  if (!box) return;
  box.parentNode.parentNode.hidden = false;
  box.addEventListener("input", function () {
    var wanted = box.value.trim().toLowerCase();
    document.querySelectorAll("main section").forEach(function (section) {
      var head = section.querySelector("th.id"), shown = 0;
      var column = head ? head.cellIndex : -1;
      section.querySelectorAll("tbody tr").forEach(function (row) {
        var cell = row.cells[column];
        var keep = !wanted || (cell !== undefined && cell.textContent.toLowerCase().indexOf(wanted) >= 0);
        row.hidden = !keep;
        if (keep) shown += 1;
      });
      section.hidden = shown === 0;
    });
  });
})();
""".strip()

_SEARCH = {"zh": "按申请编号查找", "en": "Find an application no."}
# The column of the application number, after the grade column: as publish.points_list and admission_list order them.
_ID_COLUMN = {"points": 1, "admission": 4}


def html_page(public: PublicList) -> str:
    """The list as an HTML document (UTF-8 text)."""
    lang = "zh-CN" if public.language == "zh" else "en"
    columns = public.header[1:]  # the first column, the grade, heads each section instead
    numeric = {i - 1 for i in public.numeric}
    sections: dict[str, list[tuple[str, ...]]] = {}
    for row in public.rows:
        sections.setdefault(row[0], []).append(row[1:])
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(public.title)}</title>",
        f"<style>\n{_STYLE}\n</style>",
        "</head>",
        "<body>",
        "<header>",
        f"<h1>{escape(public.title)}</h1>",
        f'<p class="subtitle">{escape(public.subtitle)}</p>',
        f'<p class="search" hidden><label>{escape(_SEARCH.get(public.language, _SEARCH["en"]))} '
        '<input id="search" type="search" autocomplete="off" inputmode="search"></label></p>',
        "</header>",
        "<main>",
    ]
    marked = _ID_COLUMN.get(public.kind)
    head = "".join(
        (f'<th scope="col" class="id">{escape(c)}</th>' if i == marked else f'<th scope="col">{escape(c)}</th>') for i, c in enumerate(columns)
    )
    for grade, rows in sections.items():
        count = f"（{len(rows)} 人）" if public.language == "zh" else f" ({len(rows)})"
        out.append("<section>")
        out.append(f"<h2>{escape(grade)}{escape(count)}</h2>")
        out.append('<div class="table">')
        out.append("<table>")
        out.append(f"<thead><tr>{head}</tr></thead>")
        out.append("<tbody>")
        for row in rows:
            cells = "".join(
                f'<td class="num">{escape(cell)}</td>' if i in numeric else f"<td>{escape(cell)}</td>"
                for i, cell in enumerate(row)
            )
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody>")
        out.append("</table>")
        out.append("</div>")
        out.append("</section>")
    out.append("</main>")
    out.append("<footer>")
    out += [f"<p>{escape(note)}</p>" for note in public.notes]
    out.append("</footer>")
    out.append(f"<script>\n{SCRIPT}\n</script>")
    out.append("</body>")
    out.append("</html>")
    return "\n".join(out) + "\n"
