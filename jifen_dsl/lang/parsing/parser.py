"""Parse policy text into the syntax tree of :mod:`jifen_dsl.lang.syntax`.

This module builds the Lark parser (cached between processes), limits how deep
expressions nest and turns Lark's exceptions into diagnostics; the parser_*
modules turn Lark's parse tree into attrs nodes, a part per concept. Lark stays
inside these parser modules: the rest of the code sees attrs nodes with source
spans and, for bad input, a :class:`PolicyError` carrying diagnostics.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import sys
import threading

import attrs
import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from jifen_dsl.lang import syntax
from jifen_dsl.cachedir import private_cache_dir
from jifen_dsl.errors import Diagnostic, PolicyError, SourceText, Span
from jifen_dsl.lang.parsing.grammar import grammar_text
from jifen_dsl.lang.parsing.declarations import DeclarationBuilder
from jifen_dsl.lang.parsing.edits import EditBuilder
from jifen_dsl.lang.parsing.expressions import ExpressionBuilder
from jifen_dsl.lang.parsing.sections import SectionBuilder

__all__ = ["parse", "parse_with_comments", "Comment", "keywords", "MAX_NESTING"]


@functools.lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    """The parser, built once per process; its tables come from a per-user cache when they can."""
    grammar = grammar_text()
    options = dict(parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=True)
    cache = _cache_path(grammar)
    if cache is not None:
        try:
            return lark.Lark(grammar, cache=cache, **options)
        except Exception:  # an unreadable or unwritable cache only costs time
            pass
    return lark.Lark(grammar, **options)


def _cache_path(grammar: str) -> str | None:
    """Where to keep the built parser: the private cache directory (see cachedir), keyed by grammar and versions.

    Building the parser takes about a second; loading it takes a few milliseconds.
    """
    directory = private_cache_dir()
    if directory is None:
        return None
    key = hashlib.sha256("\0".join([grammar, lark.__version__, sys.version]).encode("utf-8")).hexdigest()[:32]
    return os.path.join(directory, f"parser-{key}.cache")


@attrs.frozen
class Comment:
    """A comment of the text: where it starts (1-based line and column) and its text, from its '#'."""

    line: int
    column: int
    text: str


class _Comments:
    """Collects the comments the lexer passes over (Lark calls it for each COMMENT token)."""

    def __init__(self):
        self.found: list[Comment] = []
        self.lock = threading.Lock()

    def __call__(self, token):
        self.found.append(Comment(token.line, token.column, str(token)))
        return token


_COMMENTS = _Comments()


@functools.lru_cache(maxsize=1)
def _lark_keeping_comments() -> lark.Lark:
    """A parser like _lark()'s that hands each comment to _COMMENTS (for the formatter)."""
    grammar = grammar_text()
    options = dict(parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=True, lexer_callbacks={"COMMENT": _COMMENTS})
    cache = _cache_path(grammar + "\0comments")
    if cache is not None:
        try:
            return lark.Lark(grammar, cache=cache, **options)
        except Exception:  # an unreadable or unwritable cache only costs time
            pass
    return lark.Lark(grammar, **options)


def parse_with_comments(text: str, path: str = "<policy>") -> tuple[syntax.PolicyFile, list[Comment]]:
    """Parse as :func:`parse` does, and give the text's comments too, in order."""
    with _COMMENTS.lock:
        _COMMENTS.found = []
        tree = parse(text, path, _parser=_lark_keeping_comments())
        return tree, list(_COMMENTS.found)


def parse(text: str, path: str = "<policy>", *, _parser: lark.Lark | None = None) -> syntax.PolicyFile:
    """Parse one policy or library file; raise :class:`PolicyError` on a syntax error."""
    source = SourceText(path, text)
    try:
        tree = (_parser or _lark()).parse(text)
    except UnexpectedInput as exc:
        raise PolicyError([_syntax_diagnostic(exc, text, path)], {path: source}) from None
    except RecursionError:
        raise PolicyError(
            [Diagnostic("the policy is nested too deeply to read", Span(path, 1, 1, 1, 1), "split deeply nested expressions into named definitions")],
            {path: source},
        ) from None
    too_deep = _too_deep(tree, path)
    if too_deep:
        raise PolicyError(too_deep, {path: source})
    builder = _Builder(path)
    try:
        result = builder.transform(tree)
    except VisitError as exc:  # pragma: no cover - a bug in the builder, not bad input
        raise exc.orig_exc from None
    except RecursionError:
        raise PolicyError(
            [Diagnostic("the policy is nested too deeply to read", Span(path, 1, 1, 1, 1), "split deeply nested expressions into named definitions")],
            {path: source},
        ) from None
    if builder.errors:
        raise PolicyError(builder.errors, {path: source})
    return result


@functools.lru_cache(maxsize=1)
def keywords() -> frozenset[str]:
    """The English keywords: words a bare name cannot be where the keyword fits."""
    words = set()
    for terminal in _lark().terminals:
        pattern = terminal.pattern
        if pattern.type == "str" and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", pattern.value):
            words.add(pattern.value)
    return frozenset(words)


# ------------------------------------------------------------------ limits

# Expressions may nest this many operators deep. Real conditions nest a dozen
# levels at most; the limit keeps every later stage (checker, compiler, Python's
# own parser of the generated code) far from its recursion and nesting limits.
MAX_NESTING = 50

_EXPRESSION_RULES = frozenset({
    "if_expr", "or_", "and_", "not_", "eq", "ne", "lt", "le", "gt", "ge", "in_", "not_in", "between",
    "add", "sub", "mul", "div", "neg", "call", "set_lit",
})


def _too_deep(tree: lark.Tree, path: str) -> list[Diagnostic]:
    """A diagnostic for each top-level expression nested deeper than MAX_NESTING (walked without recursion)."""
    problems: list[Diagnostic] = []
    stack: list[tuple[lark.Tree, int, lark.Tree | None]] = [(tree, 0, None)]
    reported: set[int] = set()
    while stack:
        node, depth, outermost = stack.pop()
        if node.data in _EXPRESSION_RULES:
            depth += 1
            if outermost is None:
                outermost = node
            if depth > MAX_NESTING and id(outermost) not in reported:
                reported.add(id(outermost))
                meta = outermost.meta
                problems.append(Diagnostic(
                    f"this expression nests more than {MAX_NESTING} operators deep",
                    Span(path, meta.line, meta.column, meta.line, meta.column + 1, meta.start_pos, meta.start_pos + 1),
                    "name parts of it with definitions (define x = ...), or use a set: x in {a, b, c}",
                ))
                continue
        for child in node.children:
            if isinstance(child, lark.Tree):
                stack.append((child, depth, outermost))
    return problems


# ------------------------------------------------------------------ errors

_TERMINAL_NAMES = {
    "NAME": "a name",
    "BRACKET_NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a string",
    "STRING_ZH": "a string",
    "DATE": "a date",
    "DATE_ZH": "a date",
    "DATETIME": "a date and time",
    "DATETIME_ZH": "a date and time",
    "FUNC_ZH": "a function",
    "$END": "the end of the file",
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


_FULL_WIDTH = {"（": "(", "）": ")", "｛": "{", "｝": "}", "－": "-", "＋": "+", "，": ",", "、": ",", "：": ":", "＝": "=", "＜": "<", "＞": ">"}
_ZH_HEADER = re.compile(r"\A(?:\s|#[^\n]*\n)*政策")


def _describe_expected(expected: set[str], chinese: bool) -> str:
    """A readable list of what the parser would have accepted, in the file's own language."""
    grammar = _lark()
    if {"NAME", "NUMBER"} <= expected:
        return "an expression (a name, a number, a date, a string, a function call, ( ... ))"
    described: list[str] = []
    spelled: list[str] = []
    for name in sorted(expected):
        if name in _TERMINAL_NAMES:
            text = _TERMINAL_NAMES[name]
            if text not in described:
                described.append(text)
            continue
        try:
            pattern = grammar.get_terminal(name).pattern
        except KeyError:
            continue
        if pattern.type != "str" or pattern.value in _FULL_WIDTH:
            continue
        word = pattern.value
        if word[:1].isalpha() and bool(_CJK.match(word)) != chinese:
            continue  # the other language's spelling of a keyword
        if f"'{word}'" not in spelled:
            spelled.append(f"'{word}'")
    shown = described + sorted(spelled)
    if len(shown) > 12:
        return ", ".join(shown[:12]) + f" (or {len(shown) - 12} more)"
    return ", ".join(shown)


def _syntax_diagnostic(exc: UnexpectedInput, text: str, path: str) -> Diagnostic:
    chinese = bool(_ZH_HEADER.match(text))
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    hint = None
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        message = f"unexpected character {char!r}"
        end_col = column + 1
        if _CJK.match(char) and exc.pos_in_stream > 0 and text[exc.pos_in_stream - 1].isdigit():
            hint = "a number can be followed by a unit: 年 or 周年 (years), 个月 or 月 (months), 天 or 日 (days)"
        elif _CJK.match(char):
            run = _cjk_run(text, exc.pos_in_stream)
            message = f"unexpected Chinese text {run!r}"
            end_col = column + len(run)
            hint = (
                "a name written in Chinese must be put in corner brackets, e.g. 「年龄」; "
                "bare Chinese words are keywords (大于, 并且, 如果 ...)"
            )
        elif char in "「":
            hint = "a bracketed name must close with 」 on the same line"
        elif char in "\"“":
            hint = "a string must close on the same line"
        elif exc.allowed:
            hint = "expected " + _describe_expected(set(exc.allowed), chinese)
        return Diagnostic(message, Span(path, line, column, line, end_col, exc.pos_in_stream, exc.pos_in_stream + 1), hint)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        lines = text.splitlines() or [""]
        last = len(lines)
        col = len(lines[-1]) + 1
        expected = getattr(exc, "expected", None) or getattr(exc, "accepts", None) or set()
        return Diagnostic(
            "the file ends in the middle of a declaration",
            Span(path, last, col, last, col + 1, len(text), len(text)),
            ("expected " + _describe_expected(set(expected), chinese)) if expected else None,
        )
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    value = str(token)
    message = f"unexpected {value!r}"
    expected = set(exc.accepts or exc.expected or ())
    hint = "expected " + _describe_expected(expected, chinese) if expected else None
    if value in keywords() and ("NAME" in expected or "BRACKET_NAME" in expected):
        hint = f"{value!r} is a keyword here; a name spelled like a keyword is written in brackets: 「{value}」"
    if _CJK.match(value):
        run = _cjk_run(text, token.start_pos)
        if len(run) > len(value):
            # A keyword inside a longer run of Chinese text: almost always a name
            # written without its brackets, such as 年龄大于6.
            message = f"unexpected Chinese text {run!r}"
            hint = (
                "a name written in Chinese must be put in corner brackets, e.g. 「年龄」; "
                "bare Chinese words are keywords (大于, 并且, 如果 ...)"
            )
            return Diagnostic(message, Span(path, token.line, token.column, token.line, token.column + len(run), token.start_pos, token.start_pos + len(run)), hint)
    end_col = (token.end_column or column + len(value)) if token.end_line == token.line else column + len(value)
    return Diagnostic(message, Span(path, token.line or line, token.column or column, token.line or line, end_col, token.start_pos or 0, token.end_pos or 0), hint)


def _cjk_run(text: str, pos: int) -> str:
    """The run of Chinese characters around ``pos``: the text an author probably meant as one word.

    Digits end the run, so a date such as 2016年9月1日 or a number after a keyword
    is never mistaken for part of an unbracketed name.
    """
    start = pos
    while start > 0 and _CJK.match(text[start - 1]):
        start -= 1
    end = pos
    while end < len(text) and _CJK.match(text[end]):
        end += 1
    return text[start:end]


# ------------------------------------------------------------------ builder


class _Builder(DeclarationBuilder, EditBuilder, SectionBuilder, ExpressionBuilder):
    """Turns the Lark parse tree into attrs nodes, collecting literal errors: a builder method per grammar rule."""
