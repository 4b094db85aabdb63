"""The TextMate grammar of editors/textmate, run by VS Code's own engine, against the language's lexer.

Every bundled policy is tokenized twice: by the project's Lark parser (the
contextual lexer that ``jifen check`` uses, and its comments) and by the TextMate
grammar through vscode-textmate and vscode-oniguruma in node
(editors/textmate/tokenize.js). Each policy is also written in the other surface
language (``jifen fmt --to``), so both spellings of every keyword it uses are
checked. For every token the lexer reads, the TextMate tokens over its text must
have the scope of its kind - a keyword a keyword scope, a string or a bracketed
name one string or name scope from its opening to its closing mark, a date a date
scope - and must begin and end where it does, so no keyword is cut short and none
is found inside a name, a string or a comment.

The tests that need node skip, saying why, when node or the engine is not
installed (editors/textmate/install-test-tools.sh installs it).
"""

from __future__ import annotations

import functools
import json
import re
import shutil
import subprocess
import sys

import pytest

from jifen_dsl.lang.formatting import format_text
from jifen_dsl.lang.functions import FUNCTIONS
# _lark is the parser jifen itself parses with: its contextual lexer's tokens are the ones to match.
from jifen_dsl.lang.parsing.parser import _lark, parse_with_comments

from ..conftest import ROOT

TEXTMATE = ROOT / "editors" / "textmate"
VSCODE = ROOT / "editors" / "vscode"
POLICY_FILES = sorted((ROOT / "policies").rglob("*.jifen"))

# The scopes that color a word as a keyword (booleans and value words are constants of the language).
KEYWORD_SCOPES = ("keyword.", "storage.", "constant.language.")
ENGLISH_FUNCTIONS = frozenset(s for spellings in FUNCTIONS.values() for s in spellings if s.isascii())
SECTION_WORDS_EN = frozenset({"points", "batches", "tiebreak", "allocation", "subsidies", "schedule", "calendar", "publication"})


# ------------------------------------------------------------------ running the engine

@functools.lru_cache(maxsize=1)
def _engine_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed"
    for package in ("vscode-textmate", "vscode-oniguruma"):
        if not (TEXTMATE / "node_modules" / package / "package.json").is_file():
            return f"{package} is not installed: run editors/textmate/install-test-tools.sh"
    return None


@pytest.fixture(scope="module")
def tokenize():
    """A function from texts to their TextMate tokens: per text, per line, [start, end, scopes]."""
    missing = _engine_missing()
    if missing:
        pytest.skip(missing)

    def run(texts: list[str]) -> list[list[list[tuple[int, int, list[str]]]]]:
        result = subprocess.run(
            [shutil.which("node"), str(TEXTMATE / "tokenize.js"), "--json"],
            input=json.dumps({"texts": texts}), capture_output=True, text=True, encoding="utf-8", timeout=120,
        )
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    return run


@pytest.fixture(scope="module")
def scoped_lines(tokenize):
    """scoped() of every line of LINES, from one run of the engine."""
    lines = [line for line, _ in LINES]
    return {line: scoped(line, tokens) for line, [tokens] in zip(lines, tokenize(lines))}


# ------------------------------------------------------------------ kinds of text

def tm_kind(scopes: list[str]) -> str:
    """What the TextMate grammar made of a token, from its scopes."""
    def has(prefix: str) -> bool:
        return any(scope.startswith(prefix) for scope in scopes)

    # Nothing inside a comment, a string or a bracketed name is highlighted as anything else.
    inside = has(KEYWORD_SCOPES) or has("support.function.") or has("constant.numeric.")
    for prefix, kind in (("comment.", "comment"), ("string.", "string"), ("variable.other.bracketed.", "bracketed")):
        if has(prefix):
            return f"{kind} with a keyword inside" if inside else kind
    for prefix, kind in (
        ("constant.numeric.datetime.", "datetime"), ("constant.numeric.date.", "date"), ("constant.numeric.", "number"),
        ("support.function.", "function"), ("entity.name.", "declared"), ("keyword.operator.comparison.", "operator"),
        ("keyword.operator.arithmetic.", "operator"), ("punctuation.", "punctuation"),
    ):
        if has(prefix):
            return kind
    if has(KEYWORD_SCOPES):
        return "keyword"
    if has("variable.other."):
        return "name"
    return "plain"


_KIND_OF_TERMINAL = {
    "STRING": "string", "STRING_ZH": "string", "BRACKET_NAME": "bracketed", "DATE": "date", "DATE_ZH": "date",
    "DATETIME": "datetime", "DATETIME_ZH": "datetime", "NUMBER": "number", "FUNC_ZH": "function", "NAME": "name",
}


@functools.lru_cache(maxsize=1)
def english_keywords() -> frozenset[str]:
    parser = _lark()
    return frozenset(
        t.pattern.value for t in parser.terminals
        if t.pattern.type == "str" and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", t.pattern.value)
    )


def lark_tokens(text: str) -> list[tuple[int, int, int, str, str]]:
    """Every token of ``text`` as the project's lexer reads it while parsing: (line index, start, end, kind, text).

    Comments come from the parser too (parse_with_comments); kinds are those of tm_kind,
    with "keyword" for a keyword of either language and "symbol" for an operator or punctuation.
    """
    parser = _lark()
    found = []
    for token in parser.parse_interactive(text).iter_parse():
        pattern = parser.get_terminal(token.type).pattern
        if pattern.type == "str":
            kind = "keyword" if re.match(r"[^\W\d]", token.value) else "symbol"
        else:
            kind = _KIND_OF_TERMINAL[token.type]
        found.append((token.line - 1, token.column - 1, token.column - 1 + len(token.value), kind, str(token.value)))
    _, comments = parse_with_comments(text)
    for comment in comments:
        found.append((comment.line - 1, comment.column - 1, comment.column - 1 + len(comment.text), "comment", comment.text))
    return found


def allowed_kinds(kind: str, value: str, rest_of_line: str) -> set[str]:
    """The TextMate kinds a lexer token may be shown as."""
    if kind == "symbol":
        return {"operator", "punctuation"}
    if kind == "name":
        if value in ENGLISH_FUNCTIONS and re.match(r"\s*[(（]", rest_of_line):
            return {"function"}
        kinds = {"name", "declared"}
        # A name spelled like an English keyword may be taken for one: a TextMate grammar
        # cannot know which the parser expects. Section words are keywords only where
        # they open a section, so a field named points is never colored as a keyword.
        if value in english_keywords() and value not in SECTION_WORDS_EN:
            kinds.add("keyword")
        return kinds
    return {kind}


def mismatches(text: str, lines: list[list[tuple[int, int, list[str]]]]) -> list[str]:
    """Where the TextMate tokens of ``text`` disagree with the lexer's tokens."""
    source = text.split("\n")
    problems = []
    covered: list[set[int]] = [set() for _ in source]
    for line, start, end, kind, value in lark_tokens(text):
        covered[line].update(range(start, end))
        tm = [(s, e, scopes) for s, e, scopes in lines[line] if s < end and e > start]
        where = f"line {line + 1}: {source[line].strip()[:80]!r}: {kind} {value[:40]!r}"
        if not tm:
            problems.append(f"{where}: no TextMate token")
            continue
        if tm[0][0] != start or tm[-1][1] != end:
            cut = [source[line][s:e] for s, e, _ in tm]
            problems.append(f"{where}: the TextMate tokens {cut} do not begin and end with it")
        allowed = allowed_kinds(kind, value, source[line][end:])
        for s, e, scopes in tm:
            if tm_kind(scopes) not in allowed:
                problems.append(f"{where}: {source[line][s:e]!r} is scoped {scopes[1:]}, expected {sorted(allowed)}")
    for line, tokens in enumerate(lines):
        for s, e, scopes in tokens:
            piece = source[line][s:e]
            if tm_kind(scopes) != "plain" and piece.strip() and not covered[line] & set(range(s, e)):
                problems.append(f"line {line + 1}: {piece!r} is scoped {scopes[1:]} outside every token of the lexer")
    return problems


# ------------------------------------------------------------------ the bundled policies

def policy_texts() -> list[tuple[str, str]]:
    """Each bundled policy as written, and written in English and in Chinese by the formatter."""
    texts = []
    for path in POLICY_FILES:
        text = path.read_text(encoding="utf-8")
        label = str(path.relative_to(ROOT))
        texts.append((label, text))
        for language in ("en", "zh"):
            written = format_text(text, label, language)
            if written != text:
                texts.append((f"{label} (--to {language})", written))
    return texts


def test_the_bundled_policies_are_there():
    assert len(POLICY_FILES) >= 5
    languages = {"zh" if re.search(r"^政策", p.read_text(encoding="utf-8"), re.M) else "en" for p in POLICY_FILES}
    assert languages == {"en", "zh"}


def test_every_token_of_every_bundled_policy_has_the_scope_of_its_kind(tokenize):
    texts = policy_texts()
    tokenized = tokenize([text for _, text in texts])
    problems = []
    for (label, text), lines in zip(texts, tokenized):
        problems += [f"{label}: {problem}" for problem in mismatches(text, lines)]
    assert problems == [], "\n".join(problems[:40])


def test_the_policies_hold_every_kind_of_token():
    """The comparison above means something only if the policies have each kind of token to compare."""
    kinds = set()
    for _, text in policy_texts():
        kinds |= {kind for *_, kind, _ in lark_tokens(text)}
    assert {"comment", "string", "bracketed", "date", "datetime", "number", "keyword", "symbol", "function", "name"} <= kinds


# ------------------------------------------------------------------ single lines

def scoped(line: str, tokens: list[tuple[int, int, list[str]]]) -> list[tuple[str, str]]:
    """The TextMate tokens of one line, as (text, kind), neighbours of the same kind joined, spaces left out."""
    joined: list[tuple[str, str]] = []
    for s, e, scopes in tokens:
        kind = tm_kind(scopes)
        piece = line[s:e]
        if not piece.strip() and kind == "plain":
            continue
        if joined and joined[-1][1] == kind and kind in ("comment", "string", "bracketed"):
            joined[-1] = (joined[-1][0] + piece, kind)
        else:
            joined.append((piece, kind))
    return joined


LINES = [
    # A keyword inside a string, a bracketed name or a comment is part of it.
    ('requirement 「如果 并且 否则」 "if and # then" cite “如果 # 那么”:', [
        ("requirement", "keyword"), ("「如果 并且 否则」", "bracketed"), ('"if and # then"', "string"),
        ("cite", "keyword"), ("“如果 # 那么”", "string"), (":", "punctuation"),
    ]),
    ('# 如果 「名」 "string" 2022-08-31 if then', [('# 如果 「名」 "string" 2022-08-31 if then', "comment")]),
    ('"a \\"quoted\\" # word"  # and a comment', [('"a \\"quoted\\" # word"', "string"), ("# and a comment", "comment")]),
    ("“English \"quotes\" inside”", [("“English \"quotes\" inside”", "string")]),
    # Dates and dates with times, in both spellings; never a number and a minus.
    ("基准日 2022年8月31日", [("基准日", "keyword"), ("2022年8月31日", "date")]),
    ("as_of 2022-08-31", [("as_of", "keyword"), ("2022-08-31", "date")]),
    ("自 2022年4月25日 09:00 至 2022年5月10日17：00", [
        ("自", "keyword"), ("2022年4月25日 09:00", "datetime"), ("至", "keyword"), ("2022年5月10日17：00", "datetime"),
    ]),
    ("from 2022-05-10 17:00 to 2022-05-11T08:30:15", [
        ("from", "keyword"), ("2022-05-10 17:00", "datetime"), ("to", "keyword"), ("2022-05-11T08:30:15", "datetime"),
    ]),
    # The lexer's \d takes any decimal digit, full-width ones too; so does the grammar's.
    ("基准日 ２０２２年８月３１日", [("基准日", "keyword"), ("２０２２年８月３１日", "date")]),
    ("日历 ｛ 年度 2027 节假日 2027年10月1日 至 2027年10月7日 调休上班 2027年9月26日 ｝", [
        ("日历", "keyword"), ("｛", "punctuation"), ("年度", "keyword"), ("2027", "number"), ("节假日", "keyword"),
        ("2027年10月1日", "date"), ("至", "keyword"), ("2027年10月7日", "date"), ("调休上班", "keyword"),
        ("2027年9月26日", "date"), ("｝", "punctuation"),
    ]),
    # Numbers and their units.
    ("「居住证起始日期」 + 1年6个月 不晚于 基准日 - 35个工作日", [
        ("「居住证起始日期」", "bracketed"), ("+", "operator"), ("1", "number"), ("年", "keyword"), ("6", "number"),
        ("个月", "keyword"), ("不晚于", "keyword"), ("基准日", "keyword"), ("-", "operator"), ("35", "number"),
        ("个工作日", "keyword"),
    ]),
    ("permit_start + 1 year 6 months <= as_of - 2.5", [
        ("permit_start", "name"), ("+", "operator"), ("1", "number"), ("year", "keyword"), ("6", "number"),
        ("months", "keyword"), ("<=", "operator"), ("as_of", "keyword"), ("-", "operator"), ("2.5", "number"),
    ]),
    # A longer keyword is never cut by a shorter one, nor a function name by a keyword.
    ("如果 是 那么 是 否则 否", [
        ("如果", "keyword"), ("是", "keyword"), ("那么", "keyword"), ("是", "keyword"), ("否则", "keyword"), ("否", "keyword"),
    ]),
    ("日期部分（「申请时间」） 大于等于 2022年1月1日", [
        ("日期部分", "function"), ("（", "punctuation"), ("「申请时间」", "bracketed"), ("）", "punctuation"),
        ("大于等于", "keyword"), ("2022年1月1日", "date"),
    ]),
    ("字段 applied_at “申请时间”： 日期时间 可选", [
        ("字段", "keyword"), ("applied_at", "declared"), ("“申请时间”", "string"), ("：", "punctuation"),
        ("日期时间", "keyword"), ("可选", "keyword"),
    ]),
    ("补录对象 未录取，未填志愿者、放弃录取者", [
        ("补录对象", "keyword"), ("未录取", "keyword"), ("，", "punctuation"), ("未填志愿者", "keyword"),
        ("、", "punctuation"), ("放弃录取者", "keyword"),
    ]),
    # English keywords end where a name would: year_of is a function, points_status a name.
    ("year_of(as_of) = year and points_status = points", [
        ("year_of", "function"), ("(", "punctuation"), ("as_of", "keyword"), (")", "punctuation"), ("=", "operator"),
        ("year", "keyword"), ("and", "keyword"), ("points_status", "name"), ("=", "operator"), ("points", "name"),
    ]),
    # Section words open sections; elsewhere an English one is a name.
    ("points { total = points }", [
        ("points", "keyword"), ("{", "punctuation"), ("total", "keyword"), ("=", "operator"), ("points", "name"),
        ("}", "punctuation"),
    ]),
    ("remove schedule", [("remove", "keyword"), ("schedule", "keyword")]),
    ("tiebreak cite \"Article 7\" {", [("tiebreak", "keyword"), ("cite", "keyword"), ('"Article 7"', "string"), ("{", "punctuation")]),
    # The name a declaration introduces; a tie-break by the indicators is no declaration.
    ("indicator permit \"Residence permit\" = ind_permit", [
        ("indicator", "keyword"), ("permit", "declared"), ('"Residence permit"', "string"), ("=", "operator"), ("ind_permit", "name"),
    ]),
    ("indicators descending", [("indicators", "keyword"), ("descending", "keyword")]),
    ("指标 「居住证」 “居住证” = 「居住证分」", [
        ("指标", "keyword"), ("「居住证」", "bracketed"), ("“居住证”", "string"), ("=", "operator"), ("「居住证分」", "bracketed"),
    ]),
]


@pytest.mark.parametrize("line, expected", LINES, ids=[f"line{i}" for i in range(len(LINES))])
def test_a_line_is_scoped_as_the_language_reads_it(scoped_lines, line, expected):
    assert scoped_lines[line] == expected


def test_every_keyword_spelling_of_the_grammar_is_a_keyword(tokenize):
    """Each string terminal of the grammar, alone where it may stand, is one keyword token."""
    parser = _lark()
    words = sorted({t.pattern.value for t in parser.terminals if t.pattern.type == "str" and re.match(r"[^\W\d]", t.pattern.value)})
    units_en = {"year", "years", "month", "months", "day", "days", "workday", "workdays"}
    lines, expected = [], []
    for word in words:
        if word in SECTION_WORDS_EN:
            lines.append(f"{word} {{")
            expected.append([(word, "keyword"), ("{", "punctuation")])
        elif word in units_en:
            lines.append(f"1 {word}")
            expected.append([("1", "number"), (word, "keyword")])
        else:
            lines.append(word)
            expected.append([(word, "keyword")])
    tokenized = tokenize(lines)
    wrong = []
    for line, want, [tokens] in zip(lines, expected, tokenized):
        got = [(line[s:e], tm_kind(scopes)) for s, e, scopes in tokens if line[s:e].strip()]
        if got != want:
            wrong.append(f"{line!r}: {got}")
    assert wrong == []


def test_every_chinese_function_name_is_a_function(tokenize):
    names = sorted(s for spellings in FUNCTIONS.values() for s in spellings if not s.isascii())
    tokenized = tokenize([f"{name}（「x」）" for name in names])
    for name, [tokens] in zip(names, tokenized):
        s, e, scopes = tokens[0]
        assert (s, e, tm_kind(scopes)) == (0, len(name), "function"), name


def test_offsets_count_code_points(tokenize):
    """Offsets agree with Python's string indices beyond the Basic Multilingual Plane too."""
    line = "要求 「𠀋名」 “𠀋” ： 是"
    [[tokens]] = tokenize([line])
    assert "".join(line[s:e] for s, e, _ in tokens) == line
    assert [(line[s:e], tm_kind(scopes)) for s, e, scopes in tokens if line[s:e].strip()][-1] == ("是", "keyword")
    assert scoped(line, tokens)[1] == ("「𠀋名」", "bracketed")


# ------------------------------------------------------------------ the files themselves

def test_the_grammar_files_are_generated_from_the_language():
    """editors/textmate/generate.py writes both copies of the grammar from the package: they must be what it writes."""
    result = subprocess.run(
        [sys.executable, str(TEXTMATE / "generate.py"), "--check"], capture_output=True, text=True, encoding="utf-8", timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_the_vscode_extension_declares_the_language_grammar_and_server():
    manifest = json.loads((VSCODE / "package.json").read_text(encoding="utf-8"))
    assert manifest["name"] == "jifen"
    [language] = manifest["contributes"]["languages"]
    assert language["id"] == "jifen" and language["extensions"] == [".jifen"]
    [grammar] = manifest["contributes"]["grammars"]
    assert grammar["language"] == "jifen" and grammar["scopeName"] == "source.jifen"
    shipped = (VSCODE / grammar["path"]).read_text(encoding="utf-8")
    assert shipped == (TEXTMATE / "jifen.tmLanguage.json").read_text(encoding="utf-8")
    assert json.loads(shipped)["scopeName"] == "source.jifen"
    setting = manifest["contributes"]["configuration"]["properties"]["jifen.server.path"]
    assert setting["default"] == "jifen"
    assert "vscode-languageclient" in manifest["dependencies"]
    # The extension runs "<jifen.server.path> lsp" over stdio. It names no transport: with
    # TransportKind.stdio the client would append --stdio, which jifen lsp does not take.
    source = (VSCODE / manifest["main"]).read_text(encoding="utf-8")
    assert 'args: ["lsp"]' in source and '.get("server.path")' in source and "transport:" not in source

    configuration = json.loads((VSCODE / language["configuration"]).read_text(encoding="utf-8"))
    assert configuration["comments"] == {"lineComment": "#"}
    for pair in (["{", "}"], ["(", ")"], ["（", "）"], ["「", "」"], ["｛", "｝"]):
        assert pair in configuration["brackets"], pair
