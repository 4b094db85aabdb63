"""Parse policy text into the syntax tree of :mod:`jifen_dsl.lang.syntax`.

Lark stays inside this module: the rest of the code sees attrs nodes with source
spans and, for bad input, a :class:`PolicyError` carrying diagnostics.
"""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import os
import re
import sys
import unicodedata
from decimal import Decimal

import attrs
import lark
from lark import Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from jifen_dsl.lang import syntax
from jifen_dsl.cachedir import private_cache_dir
from jifen_dsl.errors import Diagnostic, PolicyError, SourceText, Span
from jifen_dsl.lang.functions import SPELLING
from jifen_dsl.lang.grammar import grammar_text

__all__ = ["parse"]


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


def parse(text: str, path: str = "<policy>") -> syntax.PolicyFile:
    """Parse one policy or library file; raise :class:`PolicyError` on a syntax error."""
    source = SourceText(path, text)
    try:
        tree = _lark().parse(text)
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


def _unescape(body: str) -> str:
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            out.append({"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_DATE_ZH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?")
_DATETIME_ZH = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日 ?(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?")


def _word(word: str):
    """A builder method for a rule that stands for one fixed word (a section name, a setting's value)."""

    def build(self, meta, children):
        return word

    return build


@v_args(meta=True)
class _Builder(Transformer):
    """Turns the Lark parse tree into attrs nodes, collecting literal errors."""

    def __init__(self, path: str):
        super().__init__(visit_tokens=False)
        self.path = path
        self.errors: list[Diagnostic] = []

    # spans -----------------------------------------------------------
    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column, meta.start_pos, meta.end_pos)

    def _tok_span(self, tok: Token) -> Span:
        return Span(self.path, tok.line, tok.column, tok.end_line, tok.end_column, tok.start_pos, tok.end_pos)

    def _error(self, message: str, span: Span | None, hint: str | None = None) -> None:
        self.errors.append(Diagnostic(message, span, hint))

    # file ------------------------------------------------------------
    def start(self, meta, children):
        header = None
        extends = None
        decls = []
        for child in children:
            if isinstance(child, syntax.Header):
                header = child
            elif isinstance(child, syntax.Extends):
                extends = child
            else:
                decls.append(child)
        return syntax.PolicyFile(self.path, header, tuple(decls), span=self._span(meta), extends=extends)

    def header(self, meta, children):
        language, title, district, year, as_of, source = children
        year_value = self._integer(year, "the year")
        return syntax.Header(
            title.value, district.value, year_value, as_of.value, source.value, language,
            span=self._span(meta), year_span=year.span, as_of_span=as_of.span,
        )

    def extends_decl(self, meta, children):
        return syntax.Extends(children[0].value, span=self._span(meta))

    # inheritance -------------------------------------------------------
    def override_item(self, meta, children):
        item = children[0]
        if isinstance(item, tuple):  # semesters_per_year, built as (count, span) for its section
            item = syntax.Setting("semesters_per_year", item[0], span=item[1])
        return syntax.Override(item, span=self._span(meta))

    def _remove(kind):
        def build(self, meta, children):
            name = children[0]
            return syntax.Remove(kind, name.value, span=self._span(meta), name_span=name.span)

        return build

    remove_requirement = _remove("requirement")
    remove_define = _remove("define")
    remove_field = _remove("field")
    remove_indicator = _remove("indicator")
    remove_batch = _remove("batch")
    remove_phase = _remove("phase")
    del _remove

    def remove_grade(self, meta, children):
        return syntax.Remove("grade", children[0].value, span=self._span(meta), name_span=children[0].span)

    def remove_section(self, meta, children):
        return syntax.Remove("section", children[0], span=self._span(meta))

    def _fixed_remove(kind, name):
        def build(self, meta, children):
            return syntax.Remove(kind, name, span=self._span(meta))

        return build

    remove_total = _fixed_remove("total", "total")
    remove_key_indicators = _fixed_remove("key", "indicators")
    remove_key_lottery = _fixed_remove("key", "lottery")
    remove_semesters = _fixed_remove("semesters_per_year", "semesters_per_year")
    remove_verification = _fixed_remove("verification", "verification")
    remove_makeup = _fixed_remove("makeup_days", "makeup_days")
    del _fixed_remove

    def remove_key_expr(self, meta, children):
        return syntax.Remove("key", "expr", children[0], span=self._span(meta))

    def remove_setting(self, meta, children):
        return syntax.Remove("setting", children[0], span=self._span(meta))

    def remove_rate(self, meta, children):
        school_type, stage = children
        return syntax.Remove("rate", f"{school_type} {stage}", span=self._span(meta))

    def remove_mask(self, meta, children):
        return syntax.Remove("mask", children[0], span=self._span(meta))

    section_points = _word("points")
    section_batches = _word("batches")
    section_tiebreak = _word("tiebreak")
    section_allocation = _word("allocation")
    section_subsidies = _word("subsidies")
    section_schedule = _word("schedule")
    section_publication = _word("publication")
    setting_qualification = _word("qualification")
    setting_choices = _word("choices")
    setting_mechanism = _word("mechanism")
    setting_coordination = _word("coordination")
    setting_siblings = _word("siblings")
    setting_clearing = _word("clearing")

    @staticmethod
    def _split(items) -> tuple[list, tuple]:
        """The plain items of a section, and its override and remove items."""
        plain = [i for i in items if not isinstance(i, (syntax.Override, syntax.Remove))]
        edits = tuple(i for i in items if isinstance(i, (syntax.Override, syntax.Remove)))
        return plain, edits

    def lang_en(self, meta, children):
        return "en"

    def lang_zh(self, meta, children):
        return "zh"

    def import_decl(self, meta, children):
        return syntax.Import(children[0].value, span=self._span(meta))

    # fields ----------------------------------------------------------
    def field_decl(self, meta, children):
        name, label, type_, *mods = children
        unique = optional = False
        default = None
        for kind, value, span in mods:
            if kind == "unique":
                unique = True
            elif kind == "optional":
                optional = True
            elif kind == "default":
                if default is not None:
                    self._error("a field can have only one default", span)
                default = value
        return syntax.FieldDecl(
            name.value,
            label.value if label is not None else None,
            type_,
            unique,
            optional,
            default,
            span=self._span(meta),
            name_span=name.span,
        )

    def _simple_type(kind):
        def build(self, meta, children):
            return syntax.TypeRef(kind, span=self._span(meta))

        return build

    type_text = _simple_type("text")
    type_integer = _simple_type("integer")
    type_decimal = _simple_type("decimal")
    type_bool = _simple_type("bool")
    type_date = _simple_type("date")
    type_datetime = _simple_type("datetime")
    type_school_list = _simple_type("school_list")
    type_text_list = _simple_type("text_list")
    del _simple_type

    def type_enum(self, meta, children):
        return syntax.TypeRef("enum", tuple(children), span=self._span(meta))

    def enum_member(self, meta, children):
        return syntax.EnumMember(children[0].value, tuple(c.value for c in children[1:]), span=self._span(meta))

    def mod_unique(self, meta, children):
        return ("unique", None, self._span(meta))

    def mod_optional(self, meta, children):
        return ("optional", None, self._span(meta))

    def mod_default(self, meta, children):
        return ("default", children[0], self._span(meta))

    def neg_number(self, meta, children):
        number = children[0]
        return syntax.NumberLit(-number.value, number.is_integer, span=self._span(meta))

    # definitions and requirements -------------------------------------
    def define_decl(self, meta, children):
        name, label, cite, expr = children
        return syntax.Define(
            name.value,
            label.value if label is not None else None,
            cite,
            expr,
            span=self._span(meta),
            name_span=name.span,
        )

    def requirement(self, meta, children):
        name, title, cite, condition = children
        return syntax.Requirement(name.value, title.value, cite, condition, span=self._span(meta), name_span=name.span)

    def cite(self, meta, children):
        return children[0].value

    def grade_block(self, meta, children):
        grade, stage, *requirements = children
        return syntax.GradeBlock(grade.value, stage, tuple(requirements), span=self._span(meta), grade_span=grade.span)

    def stage(self, meta, children):
        return children[0]

    def primary(self, meta, children):
        return "primary"

    def junior(self, meta, children):
        return "junior"

    # points, batches, tiebreak ----------------------------------------
    def points_block(self, meta, children):
        total, *items = children
        indicators, edits = self._split(items)
        return syntax.PointsBlock(total.expr if total is not None else None, tuple(indicators), span=self._span(meta), edits=edits)

    def points_total(self, meta, children):
        return syntax.Total(children[0], span=self._span(meta))

    def indicator(self, meta, children):
        name, title, cite, formula, cap = children
        return syntax.Indicator(name.value, title.value, cite, formula, cap, span=self._span(meta), name_span=name.span)

    def cap(self, meta, children):
        return children[0]

    def batches_block(self, meta, children):
        batches, edits = self._split(children)
        return syntax.BatchesBlock(tuple(batches), span=self._span(meta), edits=edits)

    def batch(self, meta, children):
        name, title, cite, condition = children
        return syntax.Batch(name.value, title.value, cite, condition, span=self._span(meta), name_span=name.span)

    def otherwise(self, meta, children):
        return None

    def tiebreak_block(self, meta, children):
        cite, *items = children
        keys, edits = self._split(items)
        return syntax.TieBreakBlock(cite, tuple(keys), span=self._span(meta), edits=edits)

    def key_expr(self, meta, children):
        expr, descending = children
        return syntax.TieBreakKey("expr", expr, descending, span=self._span(meta))

    def key_indicators(self, meta, children):
        return syntax.TieBreakKey("indicators", None, children[0], span=self._span(meta))

    def key_lottery(self, meta, children):
        seed = self._integer(children[0], "a lottery seed")
        return syntax.TieBreakKey("lottery", None, False, seed, span=self._span(meta))

    def ascending(self, meta, children):
        return False

    def descending(self, meta, children):
        return True

    # allocation and subsidies -----------------------------------------
    def allocation_block(self, meta, children):
        cite, *items = children
        settings, edits = self._split(items)
        return syntax.AllocationBlock(cite, tuple(settings), span=self._span(meta), edits=edits)

    def _setting(key):
        def build(self, meta, children):
            return syntax.Setting(key, children[-1], span=self._span(meta))

        return build

    set_qualification = _setting("qualification")
    set_mechanism = _setting("mechanism")
    set_coordination = _setting("coordination")
    set_siblings = _setting("siblings")
    set_clearing = _setting("clearing")
    del _setting

    def set_choices(self, meta, children):
        return syntax.Setting("choices", self._integer(children[0], "the number of choices"), span=self._span(meta))

    seats = _word("seats")
    all_eligible = _word("all_eligible")
    points_first = _word("points_first")
    choice_first = _word("choice_first")
    file_order = _word("file_order")
    most_free_seats = _word("most_free_seats")
    coordinated = _word("coordinated")
    unplaced = _word("unplaced")
    on = _word("on")
    off = _word("off")
    private = _word("private")
    public = _word("public")

    def subsidy_block(self, meta, children):
        cite, *items = children
        items, edits = self._split(items)
        rates = tuple(i for i in items if isinstance(i, syntax.SubsidyRate))
        semesters = [i for i in items if isinstance(i, tuple)]
        return syntax.SubsidyBlock(
            cite,
            rates,
            tuple(v for v, _ in semesters),
            span=self._span(meta),
            semesters_spans=tuple(s for _, s in semesters),
            edits=edits,
        )

    def subsidy_rate(self, meta, children):
        school_type, stage, amount = children
        return syntax.SubsidyRate(school_type, stage, amount.value, span=self._span(meta))

    def subsidy_semesters(self, meta, children):
        return (self._integer(children[0], "the number of semesters"), self._span(meta))

    # schedule and calendar -------------------------------------------
    def schedule_block(self, meta, children):
        cite, *items = children
        items, edits = self._split(items)
        return syntax.ScheduleBlock(cite, tuple(items), span=self._span(meta), edits=edits)

    def phase(self, meta, children):
        name, title, cite, (start, end, length) = children
        return syntax.Phase(name.value, title.value, cite, start, end, length, False, span=self._span(meta), name_span=name.span)

    def then_phase(self, meta, children):
        return attrs.evolve(children[0], follows=True, span=self._span(meta))

    def window_from_to(self, meta, children):
        start, end, length = children
        return (start, end, length)

    def window_until(self, meta, children):
        end, length = children
        return (None, end, length)

    def window_length(self, meta, children):
        return (None, None, children[0])

    def set_makeup(self, meta, children):
        return syntax.MakeupSetting(children[0], span=self._span(meta))

    def counted(self, meta, children):
        return True

    def not_counted(self, meta, children):
        return False

    def verification(self, meta, children):
        length, after, needed_for = children
        return self._verification(meta, length, after, needed_for)

    def verification_zh(self, meta, children):
        after, length, needed_for = children
        return self._verification(meta, length, after, needed_for)

    def _verification(self, meta, length, after, needed_for):
        return syntax.Verification(
            length,
            after.value if after is not None else None,
            needed_for.value if needed_for is not None else None,
            span=self._span(meta),
            after_span=after.span if after is not None else None,
            needed_for_span=needed_for.span if needed_for is not None else None,
        )

    def calendar_block(self, meta, children):
        cite, *items = children
        return syntax.CalendarBlock(cite, tuple(items), span=self._span(meta))

    def calendar_year(self, meta, children):
        return syntax.CalendarYear(self._integer(children[0], "a calendar year"), span=self._span(meta))

    def calendar_holiday(self, meta, children):
        start, end = children
        return syntax.CalendarDays("holiday", start.value, end.value if end is not None else None, span=self._span(meta))

    def calendar_workday(self, meta, children):
        start, end = children
        return syntax.CalendarDays("workday", start.value, end.value if end is not None else None, span=self._span(meta))
    # publication ------------------------------------------------------
    def publication_block(self, meta, children):
        cite, *items = children
        rules, edits = self._split(items)
        return syntax.PublicationBlock(cite, tuple(rules), span=self._span(meta), edits=edits)

    def mask_rule(self, meta, children):
        target, first, last = children
        return syntax.MaskRule(
            target,
            self._integer(first, "the number of characters kept"),
            self._integer(last, "the number of characters kept"),
            span=self._span(meta),
        )

    def mask_names(self, meta, children):
        return "names"

    def mask_id_number(self, meta, children):
        return "id_number"

    # expressions ------------------------------------------------------
    def within(self, meta, children):
        value, window = children
        return syntax.Within(value, window, span=self._span(meta))

    def evidence(self, meta, children):
        name, window = children
        parts = window or {}
        return syntax.Evidence(name.value, **parts, span=self._span(meta), name_span=name.span)

    def window_before(self, meta, children):
        length, reference = children
        return {"length": length, "reference": reference}

    def window_before_zh(self, meta, children):
        reference, length = children
        return {"length": length, "reference": reference}

    def window_range(self, meta, children):
        low, high = children
        return {"low": low, "high": high}

    def if_expr(self, meta, children):
        return syntax.IfThenElse(*children, span=self._span(meta))

    def _binary(op):
        def build(self, meta, children):
            left, right = children
            return syntax.Binary(op, left, right, span=self._span(meta))

        return build

    or_ = _binary("or")
    and_ = _binary("and")
    eq = _binary("eq")
    ne = _binary("ne")
    lt = _binary("lt")
    le = _binary("le")
    gt = _binary("gt")
    ge = _binary("ge")
    in_ = _binary("in")
    not_in = _binary("not_in")
    add = _binary("add")
    sub = _binary("sub")
    mul = _binary("mul")
    div = _binary("div")
    del _binary

    def not_(self, meta, children):
        return syntax.Unary("not", children[0], span=self._span(meta))

    def neg(self, meta, children):
        operand = children[0]
        if isinstance(operand, syntax.NumberLit):
            return syntax.NumberLit(-operand.value, operand.is_integer, span=self._span(meta))
        return syntax.Unary("neg", operand, span=self._span(meta))

    def between(self, meta, children):
        return syntax.Between(*children, span=self._span(meta))

    def ref(self, meta, children):
        name = children[0]
        return syntax.Ref(name.value, span=name.span)

    def as_of(self, meta, children):
        return syntax.AsOf(span=self._span(meta))

    def policy_year(self, meta, children):
        return syntax.PolicyYear(span=self._span(meta))

    def set_lit(self, meta, children):
        items = tuple(c for c in children if c is not None)
        return syntax.SetLit(items, span=self._span(meta))

    def call(self, meta, children):
        function, *args = children
        args = tuple(a for a in args if a is not None)
        # Both spellings of a built-in name the same function: keep the canonical name.
        name = SPELLING.get(str(function), str(function))
        return syntax.Call(name, args, span=self._span(meta), function_span=self._tok_span(function), spelling=str(function))

    def function(self, meta, children):
        return children[0]

    def duration(self, meta, children):
        years = months = days = workdays = 0
        seen = set()
        span = self._span(meta)
        for unit, amount, part_span in children:
            if unit in seen:
                self._error(f"the duration gives {unit} twice", part_span, "write each unit once, e.g. 1 year 6 months")
            seen.add(unit)
            if unit == "years":
                years += amount
            elif unit == "months":
                months += amount
            elif unit == "workdays":
                workdays += amount
            else:
                days += amount
        if "workdays" in seen:
            if len(seen) > 1:
                # A working day is not a fixed length of calendar time, so the two cannot be one duration.
                self._error(
                    "working days cannot be combined with years, months or days in one duration",
                    span,
                    "add them one after the other, e.g. d + 1 month + 3 workdays",
                )
            return syntax.WorkdaysLit(workdays, span=span)
        return syntax.DurationLit(years, months, days, span=span)

    def duration_part(self, meta, children):
        number, unit = children
        amount = self._integer(number, "a duration")
        return (unit, amount, self._span(meta))

    def unit_years(self, meta, children):
        return "years"

    def unit_months(self, meta, children):
        return "months"

    def unit_days(self, meta, children):
        return "days"

    def unit_workdays(self, meta, children):
        return "workdays"

    # literals ---------------------------------------------------------
    def number(self, meta, children):
        tok = children[0]
        return syntax.NumberLit(Decimal(str(tok)), "." not in tok, span=self._tok_span(tok))

    def string(self, meta, children):
        tok = children[0]
        raw = str(tok)
        value = _unescape(raw[1:-1]) if tok.type == "STRING" else raw[1:-1]
        return syntax.StringLit(unicodedata.normalize("NFC", value), span=self._tok_span(tok))

    def name(self, meta, children):
        tok = children[0]
        raw = str(tok)
        span = self._tok_span(tok)
        if tok.type == "BRACKET_NAME":
            raw = raw[1:-1]
            if not raw.strip():
                self._error("a bracketed name cannot be empty", span)
            elif raw != raw.strip():
                self._error("a bracketed name cannot start or end with a space", span, f"write 「{raw.strip()}」")
        return _NameTok(unicodedata.normalize("NFC", raw), span)

    def true(self, meta, children):
        return syntax.BoolLit(True, span=self._span(meta))

    def false(self, meta, children):
        return syntax.BoolLit(False, span=self._span(meta))

    def date_value(self, meta, children):
        tok = children[0]
        span = self._tok_span(tok)
        text = str(tok)
        match = _DATE_ZH.fullmatch(text)
        parts = match.groups() if match else text.split("-")
        try:
            value = _dt.date(int(parts[0]), int(parts[1]), int(parts[2]))
        except ValueError:
            self._error(f"{text} is not a calendar date", span, "check the month and the day")
            value = _dt.date(1, 1, 1)
        return syntax.DateLit(value, span=span)

    def datetime_value(self, meta, children):
        tok = children[0]
        span = self._tok_span(tok)
        text = str(tok)
        match = (_DATETIME_ZH if tok.type == "DATETIME_ZH" else _DATETIME).fullmatch(text)
        y, mo, d, h, mi, s = match.groups()
        try:
            value = _dt.datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0))
        except ValueError:
            self._error(f"{text} is not a valid date and time", span)
            value = _dt.datetime(1, 1, 1)
        return syntax.DateTimeLit(value, span=span)

    def _integer(self, number: syntax.NumberLit, what: str) -> int:
        if not number.is_integer:
            self._error(f"{what} must be a whole number, not {number.value}", number.span)
            return int(number.value)
        return int(number.value)


class _NameTok:
    """A name with its span, before it becomes part of a node."""

    __slots__ = ("value", "span")

    def __init__(self, value: str, span: Span):
        self.value = value
        self.span = span
