"""Source spans, diagnostics and the project's one error root.

Every problem the tool reports to a user - in a policy file, in applicant data or
in the arguments - is a :class:`JifenError`. The command line catches exactly this
class, prints :meth:`JifenError.render` to stderr and exits 1, so no Python
traceback ever reaches a user.
"""

from __future__ import annotations

import unicodedata
from typing import Iterable, Sequence

import attrs

from jifen_dsl.messages import Message, N, T, render

__all__ = [
    "Span",
    "SourceText",
    "Diagnostic",
    "JifenError",
    "PolicyError",
    "DataError",
    "EvaluationError",
    "display_width",
    "render_diagnostics",
]


@attrs.frozen
class Span:
    """A region of a source file: 1-based line and column, 0-based character offsets."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    start: int = 0
    end: int = 0

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@attrs.frozen
class SourceText:
    """The text of one source file, kept so diagnostics can quote the offending line."""

    path: str
    text: str

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        if 1 <= number <= len(lines):
            return lines[number - 1]
        return ""


def display_width(text: str) -> int:
    """Terminal columns taken by ``text``: wide (CJK) and full-width characters count two."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


@attrs.frozen
class Diagnostic:
    """One message about a source position: an error or a warning, with an optional hint.

    ``message`` and ``hint`` are lazy messages (:mod:`jifen_dsl.messages`), put into
    words when rendered, in the language chosen then; ``code`` is the message's stable
    code, shown as ``error[C0201]``.
    """

    message: Message | str
    span: Span | None = None
    hint: Message | str | None = None
    severity: str = "error"  # "error" or "warning"

    @property
    def code(self) -> str | None:
        return self.message.code if isinstance(self.message, Message) else None

    def text(self, lang: str | None = None) -> str:
        """The message alone, in ``lang`` (or the chosen language)."""
        return render(self.message, lang)

    def hint_text(self, lang: str | None = None) -> str | None:
        return None if self.hint is None else render(self.hint, lang)

    def head(self, lang: str | None = None) -> str:
        """``error[C0201]: unknown name 'x'``, in ``lang``."""
        word = severity_word(self.severity, lang)
        if self.code:
            word += f"[{self.code}]"
        return f"{word}: {self.text(lang)}"

    def render(self, sources: dict[str, SourceText] | None = None, lang: str | None = None) -> str:
        head = self.head(lang)
        if self.span is None:
            lines = [head]
        else:
            lines = [f"{self.span}: {head}"]
            source = (sources or {}).get(self.span.path)
            if source is not None:
                text = source.line(self.span.line).replace("\t", " ")
                if text.strip():
                    prefix = text[: max(self.span.column - 1, 0)]
                    if self.span.end_line == self.span.line and self.span.end_column > self.span.column:
                        marked = text[self.span.column - 1 : self.span.end_column - 1]
                    else:
                        marked = text[self.span.column - 1 : self.span.column]
                    gutter = f"{self.span.line:>5} | "
                    lines.append(gutter + text)
                    caret = "^" + "~" * max(display_width(marked) - 1, 0)
                    lines.append(" " * (len(gutter) - 2) + "| " + " " * display_width(prefix) + caret)
        if self.hint:
            hint_word = render(T("hint"), lang)
            lines.append(f"{hint_word}: {self.hint_text(lang)}")
        return "\n".join(lines)


def shown_code(message) -> str | None:
    """The code to show with a message: its own, or - for a message that only places a
    problem (``{where}: {problem}``) - the code of the problem it places."""
    if not isinstance(message, Message):
        return None
    inner = dict(message.args).get("problem")
    return (shown_code(inner) if isinstance(inner, Message) else None) or message.code


def severity_word(severity: str, lang: str | None = None) -> str:
    """``error`` / ``错误``, ``warning`` / ``警告``."""
    return render(T("warning") if severity == "warning" else T("error"), lang)


def render_diagnostics(diagnostics: Sequence[Diagnostic], sources: dict[str, SourceText], lang: str | None = None) -> str:
    """Render diagnostics in source order, followed by a count line."""
    ordered = sorted(
        diagnostics,
        key=lambda d: (d.span.path, d.span.line, d.span.column) if d.span else ("", 0, 0),
    )
    parts = [d.render(sources, lang) for d in ordered]
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = len(diagnostics) - errors
    counts = []
    if errors:
        counts.append(N("{count} error", "{count} errors", errors))
    if warnings:
        counts.append(N("{count} warning", "{count} warnings", warnings))
    if counts:
        parts.append(render(T("{first}, {second}", first=counts[0], second=counts[1]) if len(counts) == 2 else counts[0], lang))
    return "\n\n".join(parts)


class JifenError(Exception):
    """Root of every error the tool reports to a user."""

    def render(self) -> str:
        return str(self)


class PolicyError(JifenError):
    """A policy file could not be parsed or did not pass the checker."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: dict[str, SourceText] | None = None):
        self.diagnostics = tuple(diagnostics)
        self.sources = dict(sources or {})
        super().__init__(self.render())

    def render(self) -> str:
        return render_diagnostics(self.diagnostics, self.sources)


class DataError(JifenError):
    """Input data (applicants, schools, arguments) was rejected; lists every problem found.

    With ``groups`` (one label per problem, such as the column it concerns), a long
    list is shown grouped: each group with its count and at most ``per_group`` of
    its problems, at most ``limit`` in all, then the total.
    """

    def __init__(
        self,
        problems: Sequence[Message | str],
        *,
        title: Message | str | None = None,
        limit: int = 50,
        groups: Sequence[str] | None = None,
        per_group: int = 10,
    ):
        self.problems = tuple(problems)
        self.title = title
        self.limit = limit
        self.groups = tuple(groups) if groups is not None else None
        self.per_group = per_group
        super().__init__(self.render())

    def _grouped(self) -> bool:
        if self.groups is None:
            return False
        return len(set(self.groups)) > 1 or len(self.problems) > self.per_group

    def render(self) -> str:
        head = [render(self.title)] if self.title else []
        count = len(self.problems)
        tail = [render(N("{count} problem found; nothing was written", "{count} problems found; nothing was written", count))]
        word = severity_word("error")

        def error(problem) -> str:
            code = shown_code(problem)
            return f"{word}[{code}]: " if code else f"{word}: "

        if not self._grouped():
            shown = [error(p) + render(p) for p in self.problems[: self.limit]]
            if count > self.limit:
                shown.append(render(N("... and {count} more", "... and {count} more", count - self.limit)))
            return "\n".join(head + shown + tail)
        by_group: dict[str, list[str]] = {}
        for group, problem in zip(self.groups, self.problems):
            by_group.setdefault(group, []).append(problem)
        lines: list[str] = []
        budget = self.limit
        for group, members in by_group.items():
            lines.append(f"{render(group)}: " + render(N("{count} problem", "{count} problems", len(members))))
            shown = members[: max(0, min(self.per_group, budget))]
            budget -= len(shown)
            lines += ["  " + error(p) + render(p) for p in shown]
            if len(members) > len(shown):
                lines.append("  " + render(N("... and {count} more", "... and {count} more", len(members) - len(shown))))
        return "\n".join(head + lines + tail)


class EvaluationError(JifenError):
    """A policy failed while evaluating one applicant (for example a division by zero)."""

    def render(self) -> str:
        return severity_word("error") + ": " + render(self.args[0] if self.args else "")
