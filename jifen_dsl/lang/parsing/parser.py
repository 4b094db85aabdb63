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
from jifen_dsl.messages import M, T, Message, series
from jifen_dsl.lang.parsing.grammar import grammar_text
from jifen_dsl.lang.parsing.declarations import DeclarationBuilder
from jifen_dsl.lang.parsing.edits import EditBuilder
from jifen_dsl.lang.parsing.expressions import ExpressionBuilder
from jifen_dsl.lang.parsing.sections import SectionBuilder

__all__ = ["parse", "parse_with_comments", "Comment", "keywords", "MAX_NESTING"]


@functools.lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    """The parser, built once per process; its tables come from a per-user cache when they can.

    Its lexer hands each comment to _COMMENTS, which keeps it only for parse_with_comments:
    one parser serves both parse and the formatter.
    """
    grammar = grammar_text()
    options = dict(parser="lalr", lexer="contextual", propagate_positions=True, maybe_placeholders=True, lexer_callbacks={"COMMENT": _COMMENTS})
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
    """The lexer's callback for each COMMENT token: keeps the comment while this thread runs parse_with_comments.

    The list is the thread's own, so a parse in another thread, with or without
    comments, neither adds to it nor waits for it.
    """

    def __init__(self):
        self.local = threading.local()

    def __call__(self, token):
        found = getattr(self.local, "found", None)
        if found is not None:
            found.append(Comment(token.line, token.column, str(token)))
        return token


_COMMENTS = _Comments()


def parse_with_comments(text: str, path: str = "<policy>") -> tuple[syntax.PolicyFile, list[Comment]]:
    """Parse as :func:`parse` does, and give the text's comments too, in order."""
    local = _COMMENTS.local
    outer = getattr(local, "found", None)
    local.found = found = []
    try:
        tree = parse(text, path)
    finally:
        local.found = outer
    return tree, found


def parse(text: str, path: str = "<policy>", *, _parser: lark.Lark | None = None) -> syntax.PolicyFile:
    """Parse one policy or library file; raise :class:`PolicyError` on a syntax error."""
    source = SourceText(path, text)
    try:
        tree = (_parser or _lark()).parse(text)
    except UnexpectedInput as exc:
        raise PolicyError([_syntax_diagnostic(exc, text, path)], {path: source}) from None
    except RecursionError:
        raise PolicyError(
            [_nested_too_deeply(path)],
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
            [_nested_too_deeply(path)],
            {path: source},
        ) from None
    if builder.errors:
        raise PolicyError(builder.errors, {path: source})
    return result


def _nested_too_deeply(path: str) -> Diagnostic:
    return Diagnostic(
        M("P0002", "the policy is nested too deeply to read"),
        Span(path, 1, 1, 1, 1),
        T("split deeply nested expressions into named definitions"),
    )


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
                    M("P0003", "this expression nests more than {limit} operators deep", limit=MAX_NESTING),
                    Span(path, meta.line, meta.column, meta.line, meta.column + 1, meta.start_pos, meta.start_pos + 1),
                    T("name parts of it with definitions (define x = ...), or use a set: x in {{a, b, c}}"),
                ))
                continue
        for child in node.children:
            if isinstance(child, lark.Tree):
                stack.append((child, depth, outermost))
    return problems


# ------------------------------------------------------------------ errors

_TERMINAL_NAMES = {
    "NAME": T("a name"),
    "BRACKET_NAME": T("a name"),
    "NUMBER": T("a number"),
    "STRING": T("a string"),
    "STRING_ZH": T("a string"),
    "DATE": T("a date"),
    "DATE_ZH": T("a date"),
    "DATETIME": T("a date and time"),
    "DATETIME_ZH": T("a date and time"),
    "FUNC_ZH": T("a function"),
    "$END": T("the end of the file"),
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


_FULL_WIDTH = {"（": "(", "）": ")", "｛": "{", "｝": "}", "－": "-", "＋": "+", "，": ",", "、": ",", "：": ":", "＝": "=", "＜": "<", "＞": ">"}
_ZH_HEADER = re.compile(r"\A(?:\s|#[^\n]*\n)*政策")


def _describe_expected(expected: set[str], chinese: bool) -> Message:
    """A readable list of what the parser would have accepted, in the file's own language."""
    grammar = _lark()
    if {"NAME", "NUMBER"} <= expected:
        return T("expected an expression (a name, a number, a date, a string, a function call, ( ... ))")
    described: list[Message] = []
    spelled: list[str] = []
    other: list[str] = []
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
            other.append(f"'{word}'")  # the other language's spelling of a keyword
            continue
        if f"'{word}'" not in spelled:
            spelled.append(f"'{word}'")
    shown = described + sorted(spelled) or sorted(set(other))
    if len(shown) > 12:
        return T("expected {items} (or {count} more)", items=series(shown[:12]), count=len(shown) - 12)
    return T("expected {items}", items=series(shown))


def _syntax_diagnostic(exc: UnexpectedInput, text: str, path: str) -> Diagnostic:
    chinese = bool(_ZH_HEADER.match(text))
    line = getattr(exc, "line", 1) or 1
    column = getattr(exc, "column", 1) or 1
    hint = None
    if isinstance(exc, UnexpectedCharacters):
        char = text[exc.pos_in_stream] if exc.pos_in_stream < len(text) else ""
        message = M("P0004", "unexpected character {char}", char=repr(char))
        end_col = column + 1
        if _CJK.match(char) and exc.pos_in_stream > 0 and text[exc.pos_in_stream - 1].isdigit():
            hint = T("a number can be followed by a unit: 年 or 周年 (years), 个月 or 月 (months), 天 or 日 (days)")
        elif _CJK.match(char):
            run = _cjk_run(text, exc.pos_in_stream)
            message = _unbracketed(run)
            end_col = column + len(run)
            hint = _BRACKET_HINT
        elif char in "「":
            hint = T("a bracketed name must close with 」 on the same line")
        elif char in "\"“":
            hint = T("a string must close on the same line")
        elif exc.allowed:
            hint = _describe_expected(set(exc.allowed), chinese)
        return Diagnostic(message, Span(path, line, column, line, end_col, exc.pos_in_stream, exc.pos_in_stream + 1), hint)
    if isinstance(exc, UnexpectedEOF) or (isinstance(exc, UnexpectedToken) and exc.token.type == "$END"):
        lines = text.splitlines() or [""]
        last = len(lines)
        col = len(lines[-1]) + 1
        expected = getattr(exc, "expected", None) or getattr(exc, "accepts", None) or set()
        return Diagnostic(
            M("P0006", "the file ends in the middle of a declaration"),
            Span(path, last, col, last, col + 1, len(text), len(text)),
            _describe_expected(set(expected), chinese) if expected else None,
        )
    assert isinstance(exc, UnexpectedToken)
    token = exc.token
    value = str(token)
    message = M("P0001", "unexpected {token}", token=repr(value))
    expected = _acceptable(exc)
    hint = _describe_expected(expected, chinese) if expected else None
    if value in keywords() and ("NAME" in expected or "BRACKET_NAME" in expected):
        hint = T("{word} is a keyword here; a name spelled like a keyword is written in brackets: 「{name}」", word=repr(value), name=value)
    if _CJK.match(value):
        run = _cjk_run(text, token.start_pos)
        if len(run) > len(value):
            # A keyword inside a longer run of Chinese text: almost always a name
            # written without its brackets, such as 年龄大于6.
            message = _unbracketed(run)
            hint = _BRACKET_HINT
            return Diagnostic(message, Span(path, token.line, token.column, token.line, token.column + len(run), token.start_pos, token.start_pos + len(run)), hint)
    end_col = (token.end_column or column + len(value)) if token.end_line == token.line else column + len(value)
    return Diagnostic(message, Span(path, token.line or line, token.column or column, token.line or line, end_col, token.start_pos or 0, token.end_pos or 0), hint)


def _acceptable(exc: UnexpectedToken) -> set[str]:
    """The terminals the parser would have taken where the token stands.

    Lark's list of them (``accepts``) keeps only terminals whose names are upper
    case, which leaves out every keyword named after its Chinese text (区, 要求 ...):
    a Chinese file would be told only the English spelling. Those come back from
    the parser state's own choices, where they stand beside the English spelling
    that ``accepts`` kept.
    """
    accepts = set(exc.accepts or exc.expected or ())
    parser = getattr(exc, "interactive_parser", None)
    if parser is None or not accepts:
        return accepts
    return accepts | {name for name in parser.choices() if _CJK.match(name)}


_BRACKET_HINT = T(
    "a name written in Chinese must be put in corner brackets, e.g. 「年龄」; bare Chinese words are keywords (大于, 并且, 如果 ...)",
)


def _unbracketed(run: str) -> Message:
    return M("P0005", "unexpected Chinese text {text}", text=repr(run))


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
