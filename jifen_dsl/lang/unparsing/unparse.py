"""Write a syntax tree back as policy text, in English or in Chinese spelling.

``parse(unparse(tree)) == tree`` for every policy (tests/lang/test_unparse.py checks
it on every shipped file): parentheses are written exactly where precedence
needs them, every name that is not a plain ASCII word, or that is spelled like
a keyword, is bracketed, and every literal keeps its value. Comments and the
author's layout are not in the tree, so they are not reproduced; the year-over-
year diff uses this module to show a clause as the policy would write it.

This module writes the file, its declarations and its sections; expressions are
written by :mod:`jifen_dsl.lang.unparsing.expressions`, and single words and
literals by :mod:`jifen_dsl.lang.unparsing.words`, whose functions are importable
from here as well.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.lang import syntax
from jifen_dsl.lang.unparsing.expressions import ExpressionWriter
from jifen_dsl.lang.unparsing.words import date_text, datetime_text, keyword, literal_text, name_text, number_text, string_text

__all__ = [
    "unparse", "unparse_expr", "unparse_declaration", "unparse_item",
    "name_text", "literal_text", "string_text", "date_text", "datetime_text", "keyword",
]


class _Writer(ExpressionWriter):
    """Writes a file, its declarations and the items of its sections, each expression as its base class does."""

    def cite(self, cite: str | None) -> str:
        return f" {self.w('cite')} {self.string(cite)}" if cite is not None else ""

    def header(self, header: syntax.Header) -> str:
        return "\n".join([
            f"{self.w('policy')} {self.string(header.title)}",
            f"{self.w('district')} {self.string(header.district)}",
            f"{self.w('calendar_year')} {header.year}",
            f"{self.w('as_of_kw')} {date_text(header.as_of, self.language)}",
            f"{self.w('source')} {self.string(header.source)}",
        ])

    def type_(self, ref: syntax.TypeRef) -> str:
        if ref.kind != "enum":
            return self.w(ref.kind)
        members = self.p[","].join(" ".join(self.string(s) for s in (m.value,) + m.aliases) for m in ref.members)
        return f"{self.w('enum')}{self.p['(']}{members}{self.p[')']}"

    def field(self, decl: syntax.FieldDecl) -> str:
        text = f"{self.w('field')} {self.name(decl.name)}"
        if decl.label is not None:
            text += f" {self.string(decl.label)}"
        text += f"{self.p[':']} {self.type_(decl.type)}"
        if decl.unique:
            text += f" {self.w('unique')}"
        if decl.optional:
            text += f" {self.w('optional')}"
        if decl.default is not None:
            text += f" {self.w('default')} {self.expr(decl.default)}"
        return text

    def define(self, decl: syntax.Define) -> str:
        text = f"{self.w('define')} {self.name(decl.name)}"
        if decl.label is not None:
            text += f" {self.string(decl.label)}"
        return text + f"{self.cite(decl.cite)} = {self.expr(decl.expr)}"

    def requirement_head(self, decl: syntax.Requirement) -> str:
        return f"{self.w('requirement')} {self.name(decl.name)} {self.string(decl.title)}{self.cite(decl.cite)}{self.p[':']}"

    def requirement(self, decl: syntax.Requirement, indent: str = "") -> str:
        return f"{indent}{self.requirement_head(decl)}\n{indent}    {self.expr(decl.condition)}"

    def grade_block(self, block: syntax.GradeBlock) -> str:
        head = f"{self.w('for_grade')} {self.string(block.grade)}"
        if block.stage is not None:
            head += f" {self.w('stage')} {self.w(block.stage)}"
        return self.block(head, [self.requirement(r, "    ") for r in block.requirements], indented=True)

    def block(self, head: str, lines: list[str], *, indented: bool = False) -> str:
        body = [line if indented else "    " + line for line in lines]
        return "\n".join([f"{head} {self.p['{']}"] + body + [self.p["}"]])

    def item(self, item: Any) -> str:
        """One item of a section, as it is written inside the section."""
        if isinstance(item, syntax.Total):
            return f"{self.w('total')} = {self.expr(item.expr)}"
        if isinstance(item, syntax.Indicator):
            text = f"{self.w('indicator')} {self.name(item.name)} {self.string(item.title)}{self.cite(item.cite)} = {self.expr(item.formula)}"
            return text + (f" {self.w('cap')} {self.expr(item.cap)}" if item.cap is not None else "")
        if isinstance(item, syntax.Batch):
            condition = self.w("otherwise") if item.condition is None else self.expr(item.condition)
            return f"{self.batch_head(item)} {condition}"
        if isinstance(item, syntax.TieBreakKey):
            direction = self.w("descending" if item.descending else "ascending")
            if item.kind == "lottery":
                return f"{self.w('lottery')} {self.w('seed')} {item.seed}"
            if item.kind == "indicators":
                return f"{self.w('indicators')} {direction}"
            return f"{self.expr(item.expr)} {direction}"
        if isinstance(item, syntax.Setting):
            return self.setting(item)
        if isinstance(item, syntax.SubsidyRate):
            return f"{self.w('rate')} {self.w(item.school_type)} {self.w(item.stage)} {number_text(item.amount)}"
        if isinstance(item, syntax.Phase):
            return self.phase(item)
        if isinstance(item, syntax.Verification):
            return self.verification(item)
        if isinstance(item, syntax.MakeupSetting):
            return f"{self.w('makeup_days')} {self.w('counted' if item.counted else 'not_counted')}"
        if isinstance(item, syntax.CalendarYear):
            return f"{self.w('calendar_year')} {item.year}"
        if isinstance(item, syntax.CalendarDays):
            text = f"{self.w(item.kind)} {date_text(item.start, self.language)}"
            return text + (f" {self.w('to')} {date_text(item.end, self.language)}" if item.end is not None else "")
        if isinstance(item, syntax.MaskRule):
            sep = "" if self.language == "zh" else " "
            return f"{self.w(item.target)} {self.w('keep')} {self.w('first')}{sep}{item.keep_first} {self.w('last')}{sep}{item.keep_last}"
        if isinstance(item, syntax.Override):
            return f"{self.w('override')} {self.item(item.item)}"
        if isinstance(item, syntax.Remove):
            return self.remove(item)
        raise TypeError(f"not a section item: {item!r}")

    def setting(self, item: syntax.Setting) -> str:
        if item.key == "semesters_per_year":
            return f"{self.w('semesters_per_year')} {item.value}"
        if item.key == "siblings":
            return f"{self.w('siblings')} {self.w('together')} {self.w('else')} {self.w(item.value)}"
        if item.key.startswith("window_"):
            return f"{self.w('window')} {self.w('stage_' + item.key.removeprefix('window_'))} {self.name(item.value)}"
        if item.key == "clearing_for":
            return f"{self.w(item.key)} " + self.p[","].join(self.w(f"clearing_{group}") for group in item.value)
        if item.key == "missing_choices":
            # The same English word has another Chinese spelling here than for siblings.
            return f"{self.w(item.key)} {self.w('missing_' + item.value)}"
        value = str(item.value) if item.key == "choices" else self.w(item.value)
        return f"{self.w(item.key)} {value}"

    def moment(self, node: Any) -> str:
        return self.expr(node)

    def batch_head(self, item: syntax.Batch) -> str:
        return f"{self.w('batch')} {self.name(item.name)} {self.string(item.title)}{self.cite(item.cite)}{self.p[':']}"

    def phase_head(self, item: syntax.Phase) -> str:
        text = f"{self.w('phase')} {self.name(item.name)} {self.string(item.title)}{self.cite(item.cite)}"
        return f"{self.w('next')} {text}" if item.follows else text

    def phase_times(self, item: syntax.Phase) -> str:
        """A phase's dates and length as written after its head ("" when it has none)."""
        parts = []
        if item.start is not None:
            parts.append(f"{self.w('from')} {self.moment(item.start)} {self.w('to')} {self.moment(item.end)}")
        elif item.end is not None:
            parts.append(f"{self.w('until')} {self.moment(item.end)}")
        if item.length is not None:
            parts.append(f"{self.w('lasting')} {self.expr(item.length)}")
        return " ".join(parts)

    def phase(self, item: syntax.Phase) -> str:
        times = self.phase_times(item)
        return f"{self.phase_head(item)} {times}" if times else self.phase_head(item)

    def verification(self, item: syntax.Verification) -> str:
        length = self.expr(item.length)
        if self.language == "zh" and item.after is not None:
            text = f"积分核定 {self.name(item.after)} 后 {length}"
        else:
            text = f"{self.w('verification')} {length}"
            if item.after is not None:
                text += f" {self.w('after')} {self.name(item.after)}"
        if item.needed_for is not None:
            text += f" {self.w('for')} {self.name(item.needed_for)}"
        return text

    def remove(self, item: syntax.Remove) -> str:
        head = self.w("remove")
        kind, name = item.kind, item.name
        if kind in ("requirement", "define", "field", "indicator", "batch", "phase"):
            return f"{head} {self.w(kind)} {self.name(name)}"
        if kind == "grade":
            return f"{head} {self.w('for_grade')} {self.string(name)}"
        if kind == "section":
            return f"{head} {self.w(name)}"
        if kind == "key":
            if name == "expr":
                expr = item.expr
                text = self.expr(expr) if isinstance(expr, syntax.Ref) else f"{self.p['(']}{self.expr(expr)}{self.p[')']}"
                return f"{head} {text}"
            return f"{head} {self.w(name)}"
        if kind == "rate":
            school_type, stage = name.split()
            return f"{head} {self.w('rate')} {self.w(school_type)} {self.w(stage)}"
        if kind in ("total", "semesters_per_year", "verification", "makeup_days", "setting", "mask"):
            return f"{head} {self.w(name)}"
        raise TypeError(f"cannot write {item!r}")

    def section(self, block: Any) -> str:
        from jifen_dsl.lang.body import section_entries, section_kind

        kind = section_kind(block)
        head = self.w(kind)
        cite = getattr(block, "cite", None)
        if cite is not None:
            head += self.cite(cite)
        lines = [self.item(i) for i in section_entries(block)] + [self.item(e) for e in block.edits]
        return self.block(head, lines)

    def declaration(self, decl: Any) -> str:
        if isinstance(decl, syntax.Import):
            return f"{self.w('import')} {self.string(decl.path)}"
        if isinstance(decl, syntax.FieldDecl):
            return self.field(decl)
        if isinstance(decl, syntax.Define):
            return self.define(decl)
        if isinstance(decl, syntax.Requirement):
            return self.requirement(decl)
        if isinstance(decl, syntax.GradeBlock):
            return self.grade_block(decl)
        if isinstance(decl, syntax.CalendarBlock):
            head = self.w("calendar") + self.cite(decl.cite)
            return self.block(head, [self.item(i) for i in decl.items])
        if isinstance(decl, syntax.Override):
            return f"{self.w('override')} {self.declaration(decl.item)}"
        if isinstance(decl, syntax.Remove):
            return self.remove(decl)
        return self.section(decl)

    def file(self, tree: syntax.PolicyFile) -> str:
        parts = []
        if tree.header is not None:
            parts.append(self.header(tree.header))
        if tree.extends is not None:
            parts.append(f"{self.w('extends')} {self.string(tree.extends.path)}")
        parts.extend(self.declaration(d) for d in tree.declarations)
        return "\n\n".join(parts) + "\n"


def _language(tree: syntax.PolicyFile, language: str | None) -> str:
    if language is not None:
        return language
    return tree.header.language if tree.header is not None else "en"


def unparse(tree: syntax.PolicyFile, language: str | None = None) -> str:
    """A whole file as policy text, in ``language`` (default: the file's own)."""
    return _Writer(_language(tree, language)).file(tree)


def unparse_expr(node: Any, language: str = "en") -> str:
    """One expression as policy text."""
    return _Writer(language).expr(node)


def unparse_declaration(decl: Any, language: str = "en") -> str:
    """One declaration (a requirement, a section ...) as policy text."""
    return _Writer(language).declaration(decl)


def unparse_item(item: Any, language: str = "en") -> str:
    """One item of a section (an indicator, a batch, a phase ...) as it is written in the section."""
    return _Writer(language).item(item)
