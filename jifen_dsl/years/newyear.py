"""Start next year's policy from this year's: ``jifen new-year``.

The policy's own text is edited in place - the header's year, and every date
and date-and-time literal moved on by the same number of years - so comments,
citations and layout survive. Dates keep the form they were written in (a
Chinese date stays Chinese). A 29 February that does not exist in the new year
becomes 28 February, and the change list says so. Text is never rewritten: the
strings and comments that mention the old year are listed for the author to
edit, and so are numbers equal to the old year in rules.

With ``extends`` the new file is a short one that extends this year's policy and
overrides only the clauses that hold dates, with their dates moved.

When this year's policy itself extends another, the clauses it inherits are not
in its text: those that hold dates are added as overrides, moved.

The result must pass the checker; if it does not (a year beyond the working-day
calendar, say), nothing is written and every error is shown.
"""

from __future__ import annotations

import datetime
import os
import re
from typing import Any, Callable, Iterable

import attrs

from jifen_dsl.lang import syntax
from jifen_dsl.lang.walk import walk
from jifen_dsl.lang.body import item_key, section_entries, section_kind
from jifen_dsl.lang.checking.checker import check
from jifen_dsl.errors import Diagnostic, PolicyError, SourceText
from jifen_dsl.lang.library import library_of, using_library
from jifen_dsl.lang.loader import load, read_source
from jifen_dsl.lang.parsing.parser import parse
from jifen_dsl.lang.unparsing.unparse import date_text, keyword, string_text, unparse_declaration, unparse_item
from jifen_dsl.years.yearshift import date_nodes, holds_dates, shift_date, shift_node
from jifen_dsl.lang import model
from jifen_dsl.messages import M, Message, N, T, series

__all__ = ["NewYear", "new_year"]


@attrs.frozen
class NewYear:
    """Next year's policy: its text, where it goes, what was changed, and what the author must still edit."""

    path: str
    text: str
    changes: tuple[Message, ...]  # what was changed, a line each
    reminders: tuple[Message, ...]  # what the author must still edit, a line each
    policy: model.Policy


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_ZH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")


def _rewrite_date(written: str, value) -> str:
    """A date literal as written, with its date part replaced by ``value``'s, in the same form."""
    zh = _ZH.match(written)
    if zh:
        month, day = zh.group(2), zh.group(3)
        new = f"{value.year}年{value.month:0{len(month)}d}月{value.day:0{len(day)}d}日"
        return new + written[zh.end():]
    iso = _ISO.match(written)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}" + written[iso.end():]


def _leap_note(old, new) -> Message | str:
    if old.month == 2 and old.day == 29 and new.day == 28:
        return T(" (29 February does not exist in {year}: the last day of February, by the month-end rule)", year=new.year)
    return ""


def _scan(text: str) -> Iterable[tuple[str, int, int]]:
    """('string' or 'comment', start, end) of every string and comment in policy text."""
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            yield "comment", i, end
            i = end
        elif ch == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            yield "string", i, min(j + 1, n)
            i = j + 1
        elif ch == "“":
            j = text.find("”", i)
            line_end = text.find("\n", i)
            if j < 0 or (0 <= line_end < j):
                i += 1
                continue
            yield "string", i, j + 1
            i = j + 1
        elif ch == "「":
            j = text.find("」", i)
            i = (j + 1) if j > 0 else i + 1
        else:
            i += 1


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _mentions(text: str, year: int) -> tuple[list[Message], list[int]]:
    """The strings (with their lines) and the comment lines that mention ``year``."""
    pattern = re.compile(rf"(?<!\d){year}(?!\d)")
    strings, comments = [], []
    for kind, start, end in _scan(text):
        if not pattern.search(text, start, end):
            continue
        line = _line_of(text, start)
        if kind == "string":
            shown = text[start:end]
            if len(shown) > 70:
                shown = shown[:68] + "…" + shown[-1]
            strings.append(T("line {line}: {text}", line=line, text=shown))
        else:
            comments.append(line)
    return strings, comments


def _relocated(path: str, source: str, target: str) -> str:
    """A relative path written in ``source``, as it must be written in ``target`` to name the same file."""
    if os.path.isabs(path):
        return path
    named = os.path.normpath(os.path.join(os.path.dirname(source) or ".", path))
    return os.path.relpath(named, os.path.dirname(target) or ".").replace(os.sep, "/")


def _string_in(text: str, start: int, end: int) -> tuple[int, int]:
    """The offsets of the (last) string literal between ``start`` and ``end``."""
    found = None
    for kind, s, e in _scan(text[start:end]):
        if kind == "string":
            found = (start + s, start + e)
    return found


# --------------------------------------------------------------- the edits


def _own_edits(text: str, tree: syntax.PolicyFile, years: int, source: str, target: str, changes: list[Message]) -> list[tuple[int, int, str]]:
    """(start, end, replacement) for the header's year, every date, and relative paths when the file moves."""
    edits: list[tuple[int, int, str]] = []
    header = tree.header
    if header.year_span is not None:
        edits.append((header.year_span.start, header.year_span.end, str(header.year + years)))
        changes.append(T("line {line}: year {old} -> {new}", line=header.year_span.line, old=header.year, new=header.year + years))
    literals: list[tuple[Any, Any]] = []
    if header.as_of_span is not None:
        literals.append((header.as_of_span, header.as_of))
    for decl in tree.declarations:
        literals.extend((n.span, n.value) for n in date_nodes(decl) if n.span is not None)
    for span, value in sorted(literals, key=lambda x: x[0].start):
        new = shift_date(value, years)
        written = text[span.start : span.end]
        replacement = _rewrite_date(written, new)
        edits.append((span.start, span.end, replacement))
        changes.append(T("line {line}: {old} -> {new}{note}", line=span.line, old=written, new=replacement, note=_leap_note(value, new)))
    if os.path.normpath(os.path.dirname(source) or ".") != os.path.normpath(os.path.dirname(target) or "."):
        moved = [d for d in tree.declarations if isinstance(d, syntax.Import)]
        if tree.extends is not None:
            moved.append(tree.extends)
        for decl in moved:
            new_path = _relocated(decl.path, source, target)
            if new_path == decl.path:
                continue
            at = _string_in(text, decl.span.start, decl.span.end)
            quote_zh = text[at[0]] == "“"
            edits.append((at[0], at[1], f"“{new_path}”" if quote_zh else string_text(new_path)))
            changes.append(T("line {line}: the path {old} -> {new}, as seen from {target}", line=decl.span.line, old=decl.path, new=new_path, target=target))
    return edits


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def _overrides(declarations: Iterable[tuple[Any, str]], years: int, language: str, keep: Callable[[Any, str], bool]) -> tuple[list[str], list[Message]]:
    """Override declarations for the clauses with dates that ``keep`` selects, moved; and a line for each."""
    top: list[str] = []
    sections: dict[str, list[str]] = {}
    said: list[Message] = []
    for decl, path in declarations:
        if isinstance(decl, (syntax.Requirement, syntax.Define, syntax.FieldDecl)):
            candidates = [decl]
        elif isinstance(decl, syntax.GradeBlock):
            candidates = list(decl.requirements)
        elif section_kind(decl) is not None:
            kind = section_kind(decl)
            for item in section_entries(decl):
                if holds_dates(item) and keep(item, path):
                    sections.setdefault(kind, []).append(f"{keyword('override', language)} {unparse_item(shift_node(item, years), language)}")
                    said.append(T("{clause} (from {path})", clause=_item_name(item), path=_origin(item, path)))
            continue
        else:
            continue
        for clause in candidates:
            if holds_dates(clause) and keep(clause, path):
                top.append(f"{keyword('override', language)} {unparse_declaration(shift_node(clause, years), language)}")
                named = f"{type(clause).__name__.lower().replace('fielddecl', 'field')} {clause.name}"
                said.append(T("{clause} (from {path})", clause=named, path=_origin(clause, path)))
    blocks = list(top)
    for kind, lines in sections.items():
        blocks.append(f"{keyword(kind, language)} {'｛' if language == 'zh' else '{'}\n" + "\n".join("    " + line for line in lines) + f"\n{'｝' if language == 'zh' else '}'}")
    return blocks, said


def _item_name(item: Any) -> str:
    kind, name = item_key(item)
    return f"{kind} {name}" if isinstance(name, str) and name != kind else kind


def _origin(node: Any, path: str) -> str:
    span = getattr(node, "span", None)
    return span.path if span is not None else path


def _inherited(child_path: str):
    """Selects the clauses a child does not write itself: those whose spans are in another file."""
    def keep(node: Any, path: str) -> bool:
        return _origin(node, path) != child_path

    return keep


# ------------------------------------------------------------------- entry


def _checked(target: str, text: str) -> model.Policy:
    try:
        checked = check(load(target, text))
    except PolicyError as exc:
        lead = Diagnostic(
            M("R0201", "{path}: next year's policy does not pass the checker, so nothing was written", path=target),
            hint=T("a year after the built-in working-day calendar needs a calendar file declaring it (docs/dates.md, section 3)")
            if any("working-day calendar" in d.text("en") for d in exc.diagnostics) else None,
        )
        sources = dict(exc.sources)
        sources[target] = SourceText(target, text)
        raise PolicyError([lead, *exc.diagnostics], sources) from None
    if not isinstance(checked, model.Policy):  # pragma: no cover - a header was required above
        raise PolicyError([Diagnostic(M("R0202", "{path}: not a policy", path=target))])
    return checked


def _default_target(path: str, year: int) -> str:
    return os.path.join(os.path.dirname(path), f"{year}.jifen")


def new_year(path: str, year: int | None = None, target: str | None = None, *, extends: bool = False) -> NewYear:
    """Next year's policy from ``path``: moved on to ``year`` (default: the year after), checked, not yet written."""
    # The new text is checked as if at ``target``, wherever that is, but it reads the files
    # ``path`` reads (its imports relocated), so it is held to the library of ``path``.
    with using_library(library_of(path).root):
        return _new_year(path, year, target, extends)


def _new_year(path: str, year: int | None, target: str | None, extends: bool) -> NewYear:
    text = read_source(path)
    tree = parse(text, path)
    if tree.header is None:
        raise PolicyError([Diagnostic(M("R0203", "{path} is a library, which has no year to move on", path=path), hint=T("give a policy file"))])
    old = tree.header.year
    year = old + 1 if year is None else year
    if year > datetime.MAXYEAR:
        # Checked before any date is moved: a date cannot hold a later year.
        raise PolicyError([Diagnostic(
            M("R0204", "the new year cannot be later than {last}, the last year a date can hold", last=datetime.MAXYEAR),
            hint=T("give a year after {old}, e.g. {next}", old=old, next=old + 1),
        )])
    if year <= old:
        raise PolicyError([Diagnostic(M("R0205", "{path} is the policy of {old}; the new year must come after it, not {year}", path=path, old=old, year=year))])
    years = year - old
    target = target or _default_target(path, year)
    changes: list[Message] = []
    language = tree.header.language
    if extends:
        new_text = _extending(path, tree, years, target, changes)
        strings, comments = _mentions(new_text, old)
        numbers: list[Message] = []
    else:
        edits = _own_edits(text, tree, years, path, target, changes)
        new_text = _apply(text, edits)
        if tree.extends is not None:
            program = load(path)
            blocks, said = _overrides(program.declarations, years, language, _inherited(path))
            if blocks:
                note = "# 以下条款继承自上一年度的政策并含有日期，由 jifen new-year 逐条修改，日期顺延。" if language == "zh" else \
                    "# The clauses below are inherited and hold dates: jifen new-year overrides them with the dates moved on."
                new_text = new_text.rstrip("\n") + "\n\n" + note + "\n" + "\n\n".join(blocks) + "\n"
                changes.extend(T("added an override of the inherited {clause}, dates moved on", clause=s) for s in said)
        strings, comments = _mentions(text, old)
        numbers = [T("line {line}: the number {number}", line=n.span.line, number=old) for d in tree.declarations for n in _numbers(d, old)]
    policy = _checked(target, new_text)
    reminders: list[Message] = []
    counting = _workdays_used(target, new_text)
    if counting is not None and policy.calendar is not None and not policy.calendar.covers(shift_date(tree.header.as_of, years)):
        reminders.append(T(
            "the policy counts working days ({where}), and the working-day calendar covers {covered}:"
            " declare {year} in a calendar file and import it before counting working days in {year} (docs/dates.md, section 3)",
            where=counting, covered=policy.calendar.covered(), year=year,
        ))
    if strings:
        reminders.append(T("these strings mention {year} and were left as written; edit them:", year=old))
        reminders.extend(T("  {line}", line=s) for s in strings)
    if not extends and comments:
        lines = N("line {lines}", "lines {lines}", len(comments), lines=series([str(c) for c in comments]))
        reminders.append(T("comments on {lines} mention {year}", lines=lines, year=old))
    if not extends and numbers:
        reminders.append(T("numbers equal to {year} were left as written; if one means the admission year, write year (年度) instead:", year=old))
        reminders.extend(T("  {line}", line=n) for n in numbers)
    return NewYear(target, new_text, tuple(changes), tuple(reminders), policy)


def _workdays_used(target: str, text: str) -> Message | None:
    """Where the policy first counts working days ('line 40 of x.jifen'), or None when it never does."""
    for decl, _ in load(target, text).declarations:
        for node in walk(decl, skip=(syntax.CalendarBlock,)):
            if isinstance(node, syntax.WorkdaysLit) or (isinstance(node, syntax.Call) and node.function == "workdays_between"):
                span = node.span
                return T("line {line} of {path}", line=span.line, path=span.path) if span is not None else T("somewhere")
    return None


def _numbers(decl: Any, year: int) -> list[syntax.NumberLit]:
    """The whole numbers equal to ``year`` written in a declaration."""
    return [n for n in walk(decl) if isinstance(n, syntax.NumberLit) and n.is_integer and n.value == year and n.span is not None]


def _extending(path: str, tree: syntax.PolicyFile, years: int, target: str, changes: list[Message]) -> str:
    """A new policy that extends ``path`` and overrides the clauses holding dates, moved on."""
    language = tree.header.language
    header = tree.header
    program = load(path)
    year = header.year + years
    as_of = shift_date(header.as_of, years)
    parent = _relocated(os.path.relpath(path, os.path.dirname(path) or "."), path, target)
    w = lambda key: keyword(key, language)  # noqa: E731
    lines = []
    if language == "zh":
        lines.append(f"# {year}年度：继承 {os.path.basename(path)}，含日期的条款逐条修改，日期顺延{years}年（jifen new-year）。")
        lines.append("# 标题、来源和各条款的文字未改动，请按新一年的文件修改。")
    else:
        lines.append(f"# {year}: extends {os.path.basename(path)}; every clause that holds a date is overridden with its dates moved on by {years} year{'s' if years > 1 else ''} (jifen new-year).")
        lines.append("# The title, the source and the clauses' wording are as they were: edit them to the new year's notice.")
    lines += [
        f"{w('policy')} {string_text(header.title, language)}",
        f"{w('district')} {string_text(header.district, language)}",
        f"{w('calendar_year')} {year}",
        f"{w('as_of_kw')} {date_text(as_of, language)}",
        f"{w('source')} {string_text(header.source, language)}",
        f"{w('extends')} {string_text(parent, language)}",
    ]
    changes.append(T("year {old} -> {new}", old=header.year, new=year))
    changes.append(T("as_of {old} -> {new}{note}", old=header.as_of.isoformat(), new=as_of.isoformat(), note=_leap_note(header.as_of, as_of)))
    blocks, said = _overrides(program.declarations, years, language, lambda node, p: True)
    for node in _all_dated(program.declarations):
        for lit in date_nodes(node):
            new = shift_date(lit.value, years)
            note = _leap_note(lit.value, new)
            if note:
                changes.append(T("{old} -> {new}{note}", old=str(lit.value), new=str(new), note=note))
    changes.extend(T("override {clause}, dates moved on", clause=s) for s in said)
    return "\n".join(lines) + "\n\n" + "\n\n".join(blocks) + ("\n" if blocks else "")


def _all_dated(declarations) -> list[Any]:
    out = []
    for decl, _ in declarations:
        if holds_dates(decl):
            out.append(decl)
    return out

