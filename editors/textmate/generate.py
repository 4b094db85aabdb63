"""Write the TextMate grammar of the jifen policy language from the language's own grammar.

    python editors/textmate/generate.py           # write the grammar files
    python editors/textmate/generate.py --check   # fail if they are not what this writes

Every keyword spelling, English and Chinese, is read from the package: the
string terminals of grammar/jifen.lark (as the parser loads it), each placed in
a highlighting category by the grammar rule that uses it, and the built-in
function names from jifen_dsl.lang.functions. The spellings that the writer of
policy text uses (jifen_dsl.lang.unparsing.words) must all be among them, and
the Chinese function names must be the grammar's FUNC_ZH terminal: a mismatch
stops the generator, so the highlighting cannot drift from the language.

The output is written twice, byte for byte the same: editors/textmate/ for any
editor that reads TextMate grammars, and editors/vscode/syntaxes/ for the VS Code
extension (an extension may only ship files inside its own folder).

How the regular expressions follow the language's lexer:

- alternations list longer spellings first, and a Chinese spelling is never taken
  where a longer keyword or function name starting with it is written (否 is not
  matched at the start of 否则, 日期 not at the start of 日期时间 or 日期部分);
- an English keyword must not run on into a name's letters, digits or "_", as
  the lexer's NAME terminal would take them (year is a keyword, year_of is not);
- dates and date-times come before numbers, and a number before its unit,
  as the lexer's terminal priorities have it;
- the English section words (points, schedule ...) are also common field names
  (total = points), so they are highlighted as keywords only where they open a
  section (followed by "{" or cite) or follow override or remove. Chinese names
  are always in brackets, so every bare Chinese keyword is highlighted.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
OUTPUTS = (HERE / "jifen.tmLanguage.json", ROOT / "editors" / "vscode" / "syntaxes" / "jifen.tmLanguage.json")

if str(ROOT) not in sys.path:  # run from a checkout without installing the package
    sys.path.insert(0, str(ROOT))

import lark  # noqa: E402  (after the path above)

from jifen_dsl.lang.functions import FUNCTIONS  # noqa: E402
from jifen_dsl.lang.parsing.grammar import grammar_text  # noqa: E402
from jifen_dsl.lang.unparsing.words import keywords_in  # noqa: E402

# Highlighting categories of keywords, by the grammar rules whose spellings they
# are. A spelling used by several rules takes the first category listed here;
# a rule not named here is highlighted as keyword.other.
CATEGORIES: list[tuple[str, frozenset[str]]] = [
    ("keyword.control.conditional", frozenset({"_if", "_then", "_else"})),
    ("keyword.operator.word", frozenset({
        "_and", "_or", "_not", "_in", "_not_in", "_between", "_between_sep", "_within", "_inside",
        "_eq", "_ne", "_lt", "_le", "_gt", "_ge",
    })),
    ("keyword.other.section", frozenset({
        "points_block", "batches_block", "tiebreak_block", "allocation_block", "subsidy_block",
        "_schedule", "_calendar", "publication_block", "section_name",
    })),
    ("keyword.other.edit", frozenset({"_override", "_remove"})),
    ("keyword.other.header", frozenset({"policy_kw", "_district", "_year", "_as_of", "_source", "_import", "_extends"})),
    ("keyword.other.declaration", frozenset({
        "_field", "_define", "_requirement", "_indicator", "_batch", "_phase", "_next", "_for_grade", "stage", "cite",
    })),
    ("storage.type", frozenset({"type"})),
    ("storage.modifier", frozenset({"field_modifier"})),
    ("constant.language.boolean", frozenset({"bool_lit"})),
    ("keyword.other.unit", frozenset({"unit"})),
    ("keyword.other.setting", frozenset({
        "_qualification", "_choices", "_mechanism", "_coordination", "_siblings", "_clearing", "_missing_choices",
        "_unconfirmed", "_clearing_for", "_admitted_waits", "_window", "_rate", "_semesters", "_makeup_days",
        "_verification", "_holiday", "_makeup_workday", "_keep", "_first", "_last", "mask_target", "_lottery",
        "tiebreak_key", "cap", "points_total", "points_item",
    })),
    ("constant.language.value", frozenset({
        "direction", "stage_name", "qualify_mode", "mechanism", "coord_order", "sibling_fallback", "switch",
        "missing_rule", "unconfirmed_rule", "clearing_group", "school_type", "makeup_rule", "season_stage",
        "batch_condition", "allocation_setting",
    })),
]
DEFAULT_CATEGORY = "keyword.other"

# The rules whose keyword is followed by the name it declares (or removes).
DECLARATIONS = {
    "_field": "field", "_define": "definition", "_requirement": "requirement",
    "_indicator": "indicator", "_batch": "batch", "_phase": "phase",
}
# English words after an indicator keyword that are not a name: a tie-break key
# "indicators descending" sorts by the indicator scores.
NOT_DECLARED = ("direction",)

# Symbols: operators and punctuation, by rule.
SYMBOLS = {
    "keyword.operator.comparison": {"_eq", "_ne", "_lt", "_le", "_gt", "_ge"},
    "keyword.operator.arithmetic": {"_plus", "_minus", "_star", "_slash"},
    "punctuation.separator.colon": {"_colon"},
    "punctuation.separator.comma": {"_comma"},
    "punctuation.section.parens.begin": {"_lpar"},
    "punctuation.section.parens.end": {"_rpar"},
    "punctuation.section.braces.begin": {"_lbrace"},
    "punctuation.section.braces.end": {"_rbrace"},
}

ENGLISH_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
NAME_CHAR = "[A-Za-z0-9_]"
NOT_IN_NAME = f"(?!{NAME_CHAR})"  # an English word ends where the lexer's NAME would end


class GrammarError(Exception):
    """The language's spellings disagree with one another."""


def load_spellings() -> tuple[dict[str, set[str]], list[str]]:
    """Every string terminal of the grammar with the rules that use it, and the FUNC_ZH names."""
    parser = lark.Lark(grammar_text(), parser="earley", lexer="basic")  # its rules and terminals; no parsing tables needed
    uses: dict[str, set[str]] = {}
    for rule in parser.rules:
        origin = rule.origin.name
        origin = origin if isinstance(origin, str) else origin.value
        for symbol in rule.expansion:
            if not symbol.is_term:
                continue
            pattern = parser.get_terminal(symbol.name).pattern
            if pattern.type == "str":
                uses.setdefault(pattern.value, set()).add(origin)
    func_zh = parser.get_terminal("FUNC_ZH").pattern.value.split("|")
    return uses, func_zh


def check_agreement(uses: dict[str, set[str]], func_zh: list[str]) -> None:
    """The writer's keyword spellings and the built-in functions must be the grammar's own."""
    problems = []
    for language in ("en", "zh"):
        for spelling in keywords_in(language):
            for word in spelling.split():
                if word not in uses:
                    problems.append(f"the writer spells a keyword {word!r} ({language}) that the grammar does not have")
    chinese = {s for spellings in FUNCTIONS.values() for s in spellings if not s.isascii()}
    if chinese != set(func_zh):
        problems.append(f"the Chinese function names differ from FUNC_ZH: {sorted(chinese ^ set(func_zh))}")
    for word in func_zh:
        if not re.fullmatch(r"[^\x00-\x7f|()\[\]\\.*+?{}^$]+", word):
            problems.append(f"FUNC_ZH is no longer a plain list of words: {word!r}")
    if problems:
        raise GrammarError("\n".join(problems))


def category(rules: set[str]) -> str:
    for scope, members in CATEGORIES:
        if rules & members:
            return scope
    return DEFAULT_CATEGORY


def longest_first(words) -> list[str]:
    return sorted(set(words), key=lambda w: (-len(w), w))


def chinese_alternation(words, every_chinese_word: set[str]) -> str:
    """An alternation of Chinese words, each refusing to match the start of a longer word of the language."""
    parts = []
    for word in longest_first(words):
        rests = {w[len(word):] for w in every_chinese_word if len(w) > len(word) and w.startswith(word)}
        longer = longest_first(r for r in rests if not any(r != o and r.startswith(o) for o in rests))
        parts.append(re.escape(word) + (f"(?!{'|'.join(map(re.escape, longer))})" if longer else ""))
    return "|".join(parts)


def english_alternation(words) -> str:
    return "|".join(re.escape(w) for w in longest_first(words))


def build(uses: dict[str, set[str]], func_zh: list[str]) -> dict:
    words = {w: rules for w, rules in uses.items() if w[0].isalpha() or w[0] == "_"}
    english = {w: rules for w, rules in words.items() if ENGLISH_WORD.fullmatch(w)}
    chinese = {w: rules for w, rules in words.items() if w not in english}
    symbols = {w: rules for w, rules in uses.items() if w not in words}
    every_chinese_word = set(chinese) | set(func_zh)

    def spelled(table: dict[str, set[str]], rules: set[str]) -> list[str]:
        return [w for w, used in table.items() if used & rules]

    by_category: dict[str, dict[str, list[str]]] = {}
    for table, language in ((english, "en"), (chinese, "zh")):
        for word, rules in table.items():
            by_category.setdefault(category(rules), {"en": [], "zh": []})[language].append(word)

    section_rules = dict(CATEGORIES)["keyword.other.section"]
    edit_rules = dict(CATEGORIES)["keyword.other.edit"]
    en_sections = english_alternation(spelled(english, set(section_rules)))
    en_edits = english_alternation(spelled(english, set(edit_rules)))
    en_units = english_alternation(spelled(english, {"unit"}))
    zh_units = chinese_alternation(spelled(chinese, {"unit"}), every_chinese_word)
    cite = english_alternation(spelled(english, {"cite"}))

    repository: dict[str, dict] = {}
    patterns: list[dict] = []

    def add(key: str, rule: dict) -> None:
        repository[key] = rule
        patterns.append({"include": f"#{key}"})

    add("comment", {
        "match": "(#).*$",
        "name": "comment.line.number-sign.jifen",
        "captures": {"1": {"name": "punctuation.definition.comment.jifen"}},
    })
    add("string", {"patterns": [
        {
            "begin": '"', "end": '"|$', "name": "string.quoted.double.jifen",
            "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.jifen"}},
            "endCaptures": {"0": {"name": "punctuation.definition.string.end.jifen"}},
            "patterns": [{"match": r"\\.", "name": "constant.character.escape.jifen"}],
        },
        {
            "begin": "“", "end": "”|$", "name": "string.quoted.other.chinese.jifen",
            "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.jifen"}},
            "endCaptures": {"0": {"name": "punctuation.definition.string.end.jifen"}},
        },
    ]})
    add("bracketed-name", {
        "begin": "「", "end": "」|$", "name": "variable.other.bracketed.jifen",
        "beginCaptures": {"0": {"name": "punctuation.definition.name.begin.jifen"}},
        "endCaptures": {"0": {"name": "punctuation.definition.name.end.jifen"}},
    })
    # The lexer's DATETIME, DATETIME_ZH, DATE and DATE_ZH, in its order of priority.
    add("datetime", {
        "match": r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2})?(?![\d:])"
                 "|\\d{4}年\\d{1,2}月\\d{1,2}日[ \u3000]?\\d{1,2}[:：]\\d{2}(?:[:：]\\d{2})?",  # the space may be an ideographic one (U+3000)
        "name": "constant.numeric.datetime.jifen",
    })
    add("date", {
        "match": r"\d{4}-\d{2}-\d{2}(?![\d-])|\d{4}年\d{1,2}月\d{1,2}日",
        "name": "constant.numeric.date.jifen",
    })
    number = r"\d+(?:\.\d+)?(?![\d.])"
    add("duration", {"patterns": [
        {
            "match": f"({number})\\s*({en_units}){NOT_IN_NAME}",
            "captures": {"1": {"name": "constant.numeric.jifen"}, "2": {"name": "keyword.other.unit.jifen"}},
        },
        {
            "match": f"({number})\\s*({zh_units})",
            "captures": {"1": {"name": "constant.numeric.jifen"}, "2": {"name": "keyword.other.unit.jifen"}},
        },
    ]})
    add("number", {"match": number, "name": "constant.numeric.jifen"})

    declaration_patterns = []
    for rule, kind in DECLARATIONS.items():
        en_kw = english_alternation(spelled(english, {rule}))
        zh_kw = chinese_alternation(spelled(chinese, {rule}), every_chinese_word)
        not_names = english_alternation(spelled(english, set(NOT_DECLARED))) if rule == "_indicator" else ""
        guard = f"(?!(?:{not_names}){NOT_IN_NAME})" if not_names else ""
        name = "[A-Za-z_][A-Za-z0-9_]*|「[^」\\n]*」"
        captures = {
            "1": {"name": "keyword.other.declaration.jifen"},
            "2": {"name": f"entity.name.{kind}.jifen", "patterns": [{"include": "#bracketed-name"}]},
        }
        declaration_patterns.append({"match": f"({en_kw}){NOT_IN_NAME}\\s+{guard}({name})", "captures": captures})
        declaration_patterns.append({"match": f"({zh_kw})\\s*({name})", "captures": captures})
    add("declaration", {"patterns": declaration_patterns})

    add("section", {"patterns": [
        {
            "match": f"({en_edits}){NOT_IN_NAME}\\s+({en_sections}){NOT_IN_NAME}",
            "captures": {"1": {"name": "keyword.other.edit.jifen"}, "2": {"name": "keyword.other.section.jifen"}},
        },
        {
            "match": f"({en_sections}){NOT_IN_NAME}(?=\\s*(?:[{{｛]|(?:{cite}){NOT_IN_NAME}))",
            "name": "keyword.other.section.jifen",
        },
    ]})

    functions_en = english_alternation(s for spellings in FUNCTIONS.values() for s in spellings if s.isascii())
    add("function", {"patterns": [
        {"match": f"(?:{functions_en}){NOT_IN_NAME}(?=\\s*[(（])", "name": "support.function.builtin.jifen"},
        {"match": chinese_alternation(func_zh, every_chinese_word), "name": "support.function.builtin.jifen"},
    ]})

    keyword_patterns = []
    order = [scope for scope, _ in CATEGORIES] + [DEFAULT_CATEGORY]
    for scope in order:
        spellings = by_category.get(scope)
        if not spellings:
            continue
        if spellings["zh"]:
            keyword_patterns.append({"match": chinese_alternation(spellings["zh"], every_chinese_word), "name": f"{scope}.jifen"})
        en = [w for w in spellings["en"] if scope != "keyword.other.section"]
        if en:
            keyword_patterns.append({"match": f"(?:{english_alternation(en)}){NOT_IN_NAME}", "name": f"{scope}.jifen"})
    add("keyword", {"patterns": keyword_patterns})

    add("name", {"match": "[A-Za-z_][A-Za-z0-9_]*", "name": "variable.other.jifen"})

    symbol_patterns = []
    for scope, rules in SYMBOLS.items():
        found = longest_first(w for w, used in symbols.items() if used & rules)
        if found:
            symbol_patterns.append({"match": "|".join(map(re.escape, found)), "name": f"{scope}.jifen"})
    unknown = sorted(w for w, used in symbols.items() if not any(used & rules for rules in SYMBOLS.values()))
    if unknown:
        raise GrammarError(f"symbols of the grammar with no highlighting category: {unknown}")
    add("symbol", {"patterns": symbol_patterns})

    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "information_for_contributors": [
            "Generated by editors/textmate/generate.py from grammar/jifen.lark and the jifen_dsl package:",
            "do not edit by hand; change the language, then run python editors/textmate/generate.py.",
        ],
        "name": "jifen",
        "scopeName": "source.jifen",
        "fileTypes": ["jifen"],
        "patterns": patterns,
        "repository": repository,
    }


def render() -> str:
    uses, func_zh = load_spellings()
    check_agreement(uses, func_zh)
    return json.dumps(build(uses, func_zh), ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    arguments = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    arguments.add_argument("--check", action="store_true", help="exit 1 if a grammar file is not what would be written")
    options = arguments.parse_args(argv)
    try:
        text = render()
    except GrammarError as error:
        print(f"generate.py: {error}", file=sys.stderr)
        return 2
    stale = [path for path in OUTPUTS if not path.is_file() or path.read_text(encoding="utf-8") != text]
    if options.check:
        for path in stale:
            print(f"{path.relative_to(ROOT)} is out of date: run python editors/textmate/generate.py", file=sys.stderr)
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
