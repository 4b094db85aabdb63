"""What the language server knows of a policy's text, without the protocol: diagnostics, outline, hover, definitions.

Every function takes the text as the editor has it (saved or not) and its path,
and never raises for bad text: a file that does not parse, that is not a policy,
or that imports one that does not check gives diagnostics, and whatever else can
still be answered from what parsed. Positions are 0-based lines and columns in
characters, as the protocol counts them for the text it was sent (UTF-16 code
units are what editors count; the difference only shows past the Basic
Multilingual Plane, which policy text does not use).
"""

from __future__ import annotations

import os
import re
from typing import Any

import attrs

from jifen_dsl.errors import Diagnostic, JifenError, PolicyError, Span
from jifen_dsl.lang import model, syntax
from jifen_dsl.messages import T

__all__ = [
    "Found", "Symbol", "Target", "Analysis", "Completion", "analyse", "symbols", "word_at", "declared", "hover", "definition", "completions",
    "references",
]


@attrs.frozen
class Found:
    """A diagnostic at a range of this file: 0-based (line, column) to (line, column), error or warning."""

    start: tuple[int, int]
    end: tuple[int, int]
    severity: str  # "error" or "warning"
    message: str
    code: str | None = None  # the message's stable code ("C0201"), when it has one


@attrs.frozen
class Symbol:
    """An entry of the outline: a name, what it is, its range and the entries inside it."""

    name: str
    kind: str  # "header", "requirement", "grade", "section", "field", "define", "indicator", "batch", "phase", "setting", "import"
    detail: str
    start: tuple[int, int]
    end: tuple[int, int]
    children: tuple["Symbol", ...] = ()


@attrs.frozen
class Target:
    """Where a name is declared: the file and the 0-based range of its declaration."""

    path: str
    start: tuple[int, int]
    end: tuple[int, int]


@attrs.frozen
class Analysis:
    """The text parsed (if it parses) and checked (if it checks), and every diagnostic found on the way."""

    path: str
    text: str
    tree: syntax.PolicyFile | None
    checked: model.Policy | model.Library | None
    found: tuple[Found, ...]


def analyse(path: str, text: str) -> Analysis:
    """Parse and check ``text`` as the file ``path``; the diagnostics of this file and of the files it brings in.

    As ``check_file(path, text)`` does (a text is never taken from the cache), but
    the main file is parsed once: the tree the loader made is the one kept.
    """
    from jifen_dsl.lang.checking.checker import check
    from jifen_dsl.lang.loader import load

    try:
        program = load(path, text)
    except PolicyError as exc:  # this file does not parse, or a file it brings in cannot be had
        tree = _tree(path, text)
        return Analysis(path, text, tree, None, tuple(_found(d, "error", path, tree) for d in exc.diagnostics))
    except (JifenError, OSError, RecursionError, ValueError) as exc:
        return Analysis(path, text, _tree(path, text), None, (Found((0, 0), (0, 1), "error", str(exc)),))
    tree = program.main
    try:
        checked = check(program)
    except PolicyError as exc:
        return Analysis(path, text, tree, None, tuple(_found(d, "error", path, tree) for d in exc.diagnostics))
    except (JifenError, OSError, RecursionError, ValueError) as exc:
        return Analysis(path, text, tree, None, (Found((0, 0), (0, 1), "error", str(exc)),))
    warnings = tuple(_found(d, "warning", path, tree) for d in getattr(checked, "warnings", ()))
    return Analysis(path, text, tree, checked, warnings)


def _tree(path: str, text: str) -> syntax.PolicyFile | None:
    """The tree of ``text``, or None when it does not parse."""
    from jifen_dsl.lang.parsing.parser import parse

    try:
        return parse(text, path)
    except (JifenError, RecursionError, ValueError):
        return None


def _same(a: str, b: str) -> bool:
    return os.path.normcase(os.path.realpath(a)) == os.path.normcase(os.path.realpath(b))


def _found(diagnostic: Diagnostic, severity: str, path: str, tree: syntax.PolicyFile | None) -> Found:
    """A diagnostic placed in this file: where it is, or - for one in a file this one imports or extends - at that include."""
    # The message and hint may be lazy messages, put into words (in the policy's language) by str().
    hint_word = T("hint")
    message = str(diagnostic.message) + (f"\n{hint_word}: {diagnostic.hint}" if diagnostic.hint else "")
    code = getattr(diagnostic, "code", None)
    span = diagnostic.span
    if span is not None and _same(span.path, path):
        return Found(*_range(span), severity, message, code)
    include = _include_of(tree, path, span.path if span is not None else None)
    where = f"{span.path}:{span.line}:{span.column}: " if span is not None else ""
    if include is not None:
        return Found(*_range(include), severity, where + message, code)
    return Found((0, 0), (0, 1), severity, where + message, code)


def _include_of(tree: syntax.PolicyFile | None, path: str, other: str | None) -> Span | None:
    """The import or extends of ``tree`` that brings in the file ``other`` (directly), else the first of them."""
    if tree is None:
        return None
    includes = [d for d in tree.declarations if isinstance(d, syntax.Import)]
    if tree.extends is not None:
        includes.insert(0, tree.extends)
    base = os.path.dirname(path)
    for include in includes:
        if other is not None and _same(os.path.join(base, include.path), other):
            return include.span
    return includes[0].span if includes else None


def _range(span: Span) -> tuple[tuple[int, int], tuple[int, int]]:
    start = (max(span.line - 1, 0), max(span.column - 1, 0))
    end = (max(span.end_line - 1, 0), max(span.end_column - 1, 0))
    if end <= start:
        end = (start[0], start[1] + 1)
    return start, end


# ------------------------------------------------------------------ the outline


def symbols(tree: syntax.PolicyFile) -> list[Symbol]:
    """The outline: header, fields, definitions, requirements, grades with theirs, each section with its items."""
    from jifen_dsl.lang.body import section_entries, section_kind

    out: list[Symbol] = []
    if tree.header is not None and tree.header.span is not None:
        out.append(_symbol(tree.header.title, "header", f"{tree.header.district} {tree.header.year}", tree.header.span))
    for decl in tree.declarations:
        inner = decl.item if isinstance(decl, syntax.Override) else decl
        span = getattr(decl, "span", None)
        if span is None:
            continue
        if isinstance(inner, syntax.Import):
            out.append(_symbol(inner.path, "import", "", span))
        elif isinstance(inner, syntax.FieldDecl):
            out.append(_symbol(inner.name, "field", inner.label or "", span))
        elif isinstance(inner, syntax.Define):
            out.append(_symbol(inner.name, "define", inner.label or "", span))
        elif isinstance(inner, syntax.Requirement):
            out.append(_symbol(inner.name, "requirement", inner.title, span))
        elif isinstance(inner, syntax.GradeBlock):
            children = tuple(_symbol(r.name, "requirement", r.title, r.span) for r in inner.requirements if r.span is not None)
            out.append(_symbol(inner.grade, "grade", inner.stage or "", span, children))
        elif isinstance(inner, syntax.CalendarBlock):
            out.append(_symbol("calendar", "section", "", span))
        elif hasattr(inner, "edits"):
            items = tuple(_item_symbol(i) for i in section_entries(inner) if getattr(i, "span", None) is not None)
            out.append(_symbol(section_kind(inner), "section", getattr(inner, "cite", None) or "", span, tuple(i for i in items if i is not None)))
    return out


def _item_symbol(item: Any) -> Symbol | None:
    if isinstance(item, syntax.Indicator):
        return _symbol(item.name, "indicator", item.title, item.span)
    if isinstance(item, syntax.Batch):
        return _symbol(item.name, "batch", item.title, item.span)
    if isinstance(item, syntax.Phase):
        return _symbol(item.name, "phase", item.title, item.span)
    if isinstance(item, syntax.Setting):
        return _symbol(item.key, "setting", str(item.value), item.span)
    return None


def _symbol(name: str, kind: str, detail: str, span: Span, children: tuple[Symbol, ...] = ()) -> Symbol:
    start, end = _range(span)
    return Symbol(name, kind, detail, start, end, children)


# ------------------------------------------------------------------ names: hover and definition

_WORD = re.compile(r"「[^」\n]*」|[A-Za-z_][A-Za-z0-9_]*")


def word_at(text: str, line: int, column: int) -> str | None:
    """The name under (line, column): a bracketed name without its brackets, or a bare one."""
    lines = text.split("\n")  # as the parser counts lines
    if not 0 <= line < len(lines):
        return None
    for match in _WORD.finditer(lines[line]):
        if match.start() <= column <= match.end():
            word = match.group()
            return word[1:-1] if word.startswith("「") else word
    return None


def _declarations(checked: model.Policy | model.Library) -> dict[str, tuple[str, Any]]:
    """name -> (kind, the model's object), for every name a policy declares (its fields, definitions, requirements ...)."""
    found: dict[str, tuple[str, Any]] = {}
    for field in getattr(checked, "fields", ()):
        found[field.name] = ("field", field)
        if field.label:
            found.setdefault(field.label, ("field", field))
    for definition in getattr(checked, "definitions", ()):
        found[definition.name] = ("define", definition)
    for requirement in getattr(checked, "requirements", ()):
        found[requirement.name] = ("requirement", requirement)
    points = getattr(checked, "points", None)
    for indicator in getattr(points, "indicators", ()) if points is not None else ():
        found[indicator.name] = ("indicator", indicator)
    for batch in getattr(checked, "batches", ()):
        found[batch.name] = ("batch", batch)
    schedule = getattr(checked, "schedule", None)
    for phase in getattr(schedule, "phases", ()) if schedule is not None else ():
        found[phase.name] = ("phase", phase)
    return found


def declared(analysis: Analysis, line: int, column: int) -> tuple[str, Any] | None:
    """What the name under the cursor is in the checked policy: (kind, the model's object), or None."""
    word = word_at(analysis.text, line, column)
    if word is None or analysis.checked is None:
        return None
    return _declarations(analysis.checked).get(word)


def hover(analysis: Analysis, line: int, column: int) -> str | None:
    """Markdown about the name under the cursor: a field's type and label, a requirement's text and clause, a phase's dates."""
    found = declared(analysis, line, column)
    if found is None:
        return None
    kind, thing = found
    where = f"\n\n*declared at {thing.span.path}:{thing.span.line}*" if getattr(thing, "span", None) is not None else ""
    if kind == "field":
        label = f" ({thing.label})" if thing.label else ""
        return f"**field** `{thing.name}`{label}: {thing.type}" + where
    if kind == "define":
        label = f" ({thing.label})" if thing.label else ""
        cite = f"\n\ncite: {thing.cite}" if thing.cite else ""
        return f"**definition** `{thing.name}`{label}: {thing.type}" + cite + where
    if kind in ("requirement", "indicator", "batch"):
        cite = f"\n\ncite: {thing.cite}" if thing.cite else ""
        return f"**{kind}** `{thing.name}`: {thing.title}" + cite + where
    window = f"\n\n{thing.window}" if thing.window is not None else ""
    length = f"\n\nlasting {thing.length}" if thing.length is not None else ""
    cite = f"\n\ncite: {thing.cite}" if thing.cite else ""
    return f"**phase** `{thing.name}`: {thing.title}" + window + length + cite + where


def definition(analysis: Analysis, line: int, column: int) -> Target | None:
    """Where the name under the cursor is declared (in this file or a file it imports or extends)."""
    word = word_at(analysis.text, line, column)
    if word is None or analysis.checked is None:
        return None
    found = _declarations(analysis.checked).get(word)
    span = getattr(found[1], "span", None) if found is not None else None
    if span is None:
        return None
    path = analysis.path if span.path == analysis.path else span.path
    return Target(path, *_range(span))


# ------------------------------------------------------------------ completion


@attrs.frozen
class Completion:
    """A word to offer: what it shows, what it inserts, what it is and a detail."""

    label: str
    insert: str
    kind: str  # "field", "define", "requirement", "indicator", "batch", "phase", "keyword", "value"
    detail: str


def completions(checked: model.Policy | model.Library | None, language: str) -> list[Completion]:
    """The names a policy declares (fields by name and by label), its keywords in ``language``, and the school types.

    ``checked`` is the policy as last checked: while a line is half typed the text
    may not check, and the names it declared a moment ago are still the ones to offer.
    """
    from jifen_dsl.lang.unparsing.words import keyword, keywords_in, name_text

    found: list[Completion] = []
    seen: set[str] = set()

    def offer(label: str, kind: str, detail: str) -> None:
        insert = name_text(label, language)
        if insert not in seen:
            seen.add(insert)
            found.append(Completion(insert, insert, kind, detail))

    if checked is not None:
        for name, (kind, thing) in _declarations(checked).items():
            detail = getattr(thing, "title", None) or getattr(thing, "label", None) or ""
            if kind == "field":
                detail = f"{thing.type}" + (f" - {thing.label}" if thing.label else "")
            offer(name, kind, str(detail))
    for word in keywords_in(language):
        if word not in seen:
            seen.add(word)
            found.append(Completion(word, word, "keyword", ""))
    for school_type in ("public", "private"):
        word = keyword(school_type, language)
        if word not in seen:
            seen.add(word)
            found.append(Completion(word, word, "value", "school type"))
    return found


# ------------------------------------------------------------------ references


def _uses(node: Any, found: list[tuple[str, Span]]) -> None:
    """The spans of every name used in ``node`` (walked without recursion through the attrs nodes and tuples)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, syntax.Ref):
            if item.span is not None:
                found.append((item.name, item.span))
            continue
        if isinstance(item, (tuple, list)):
            stack.extend(item)
        elif attrs.has(type(item)):
            stack.extend(getattr(item, a.name) for a in attrs.fields(type(item)) if a.name != "span")


def references(analysis: Analysis, line: int, column: int, include_declaration: bool = True) -> list[Target]:
    """Every use in this file of the name under the cursor (a field by its name or its label), and its declaration.

    Each use is a reference in an expression of this file's tree; the names are
    resolved as the checker resolves them, so a field written by its Chinese
    label and by its English name is one field.
    """
    word = word_at(analysis.text, line, column)
    if word is None or analysis.tree is None or analysis.checked is None:
        return []
    declared = _declarations(analysis.checked)
    if word not in declared:
        return []
    kind, thing = declared[word]
    spellings = {word, getattr(thing, "name", word)} | ({thing.label} if kind == "field" and getattr(thing, "label", None) else set())
    uses: list[tuple[str, Span]] = []
    _uses(analysis.tree, uses)
    found = [Target(analysis.path, *_range(span)) for name, span in uses if name in spellings and _same(span.path, analysis.path)]
    if include_declaration and getattr(thing, "span", None) is not None:
        found.insert(0, Target(analysis.path if _same(thing.span.path, analysis.path) else thing.span.path, *_range(thing.span)))
    return sorted(set(found), key=lambda t: (t.path != analysis.path, t.start))
