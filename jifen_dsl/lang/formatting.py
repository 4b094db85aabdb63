"""The formatter (``jifen fmt``): one canonical layout for a policy file, its comments kept where they belong.

The layout is the unparser's (:mod:`jifen_dsl.lang.unparsing.unparse`), written
from the syntax tree, so it depends on nothing of the old layout but three
things kept from the source:

- **comments.** A comment on a line of its own belongs to what follows it: the
  next declaration, or the next item of the block it is in, or - inside a
  requirement, between its head and its condition - to the condition; after the
  last item of a block, to the block's end; after the last declaration, to the
  file's end. A comment after code on the same line stays at the end of that
  declaration's or item's last line. A comment's text is never changed.
- **blank lines.** Where the source has one or more blank lines between two
  declarations, two items or a comment and what follows it, the layout has one;
  where it has none, none. There is none right after a block's opening brace.
- **order.** Declarations keep their order; the items of a section are written
  in the unparser's order (a points total first, subsidy semesters after the
  rates, edits last), each with its comments.

**Line width.** A line is at most 100 columns wide, a Chinese character counting
two. A longer requirement whose condition is a chain of ``or`` (或) or ``and``
(且) - or a batch whose condition is - is written with the condition below its
head, one operand per line, each after the first led by its operator;
a longer phase puts its dates (``from``, ``until``, ``lasting``) on a line of
their own, indented 4 more. Anything else longer is left as it is.

Formatting is idempotent and keeps the meaning: the formatted text parses to
the same tree (and so compiles to the same code). ``language`` rewrites the
keywords in English or Chinese; names, strings and comments stay as they are.
These are properties of the code, held by tests/lang/test_formatting.py over
every bundled and test policy (the tree, the comments, a second pass, the
generated code, both languages and back); at run time the text is parsed - one
that does not parse is refused - and the output is not parsed again.
"""

from __future__ import annotations

from typing import Any, Sequence

import attrs

from jifen_dsl.errors import display_width
from jifen_dsl.lang import syntax
from jifen_dsl.lang.body import section_entries, section_kind
from jifen_dsl.lang.parsing.parser import Comment, parse_with_comments
from jifen_dsl.lang.unparsing.expressions import _AND, _OR  # the binding strengths the writer brackets by
from jifen_dsl.lang.unparsing.unparse import _language, _Writer

__all__ = ["format_text", "WIDTH"]

WIDTH = 100
_INDENT = "    "


def format_text(text: str, path: str = "<policy>", language: str | None = None) -> str:
    """``text`` in the canonical layout (in ``language``, default its own); raise PolicyError if it does not parse."""
    tree, comments = parse_with_comments(text, path)
    lines = text.split("\n")  # lines as the parser counts them: only "\n" ends one (not "\r" or U+2028)
    writer = _Layout(_language(tree, language), lines, comments)
    return writer.file(tree)


@attrs.define
class _Unit:
    """Something written on lines of its own: its source lines (first, last), and how to write it."""

    first: int | None
    last: int | None
    node: Any
    leading: list[Comment] = attrs.Factory(list)
    inner: list[Comment] = attrs.Factory(list)  # between its first and last line (not in a block of its own)
    trailing: list[Comment] = attrs.Factory(list)  # after code on one of its lines
    blank_before: bool = False


class _Layout(_Writer):
    def __init__(self, language: str, source: list[str], comments: Sequence[Comment]):
        super().__init__(language)
        self.source = source
        self.comments = list(comments)

    # ---------------------------------------------------------------- placing comments and blank lines
    def _blank_between(self, after: int | None, before: int) -> bool:
        """Whether a source line after line ``after`` and before line ``before`` is blank."""
        start = 1 if after is None else after + 1
        return any(not self.source[n - 1].strip() for n in range(start, before) if 0 < n <= len(self.source))

    def _own_line(self, comment: Comment) -> bool:
        line = self.source[comment.line - 1] if 0 < comment.line <= len(self.source) else ""
        return not line[: comment.column - 1].strip()

    def _place(self, units: list[_Unit], comments: list[Comment], after: int | None) -> list[Comment]:
        """Give each unit the comments before it (and inside it); return those after the last unit.

        ``after`` is the source line after which these units' region begins.
        Units without a source position take no comments.
        """
        placed = [u for u in units if u.first is not None]
        placed.sort(key=lambda u: u.first)
        rest = list(comments)
        previous = after
        for unit in placed:
            mine = [c for c in rest if c.line < unit.first or (c.line <= unit.last)]
            rest = [c for c in rest if c not in mine]
            before = [c for c in mine if c.line < unit.first]
            within = [c for c in mine if c.line >= unit.first]
            unit.trailing = [c for c in within if not self._own_line(c)]
            unit.inner = [c for c in within if self._own_line(c)]
            unit.leading = before
            first_line = before[0].line if before else unit.first
            unit.blank_before = self._blank_between(previous, first_line)
            previous = unit.last
        return rest

    def _lines_of(self, unit: _Unit, body: list[str], indent: str, blank_ok: bool) -> list[str]:
        """A unit's lines with its comments: leading comments (blank lines kept between them), its body, trailing comments."""
        out: list[str] = []
        if unit.blank_before and blank_ok:
            out.append("")
        previous = None
        for c in unit.leading:
            if previous is not None and self._blank_between(previous, c.line):
                out.append("")
            out.append(indent + c.text)
            previous = c.line
        if unit.leading and self._blank_between(unit.leading[-1].line, unit.first):
            out.append("")
        if unit.trailing:
            body = body[:-1] + [body[-1] + "  " + "  ".join(c.text for c in unit.trailing)]
        return out + body

    # ---------------------------------------------------------------- the file
    def file(self, tree: syntax.PolicyFile) -> str:
        units: list[_Unit] = []
        if tree.header is not None:
            units.append(self._unit(tree.header, "header"))
        if tree.extends is not None:
            units.append(self._unit(tree.extends, "extends"))
        units += [self._unit(d, "declaration") for d in tree.declarations]
        tail = self._place(units, self.comments, None)
        lines: list[str] = []
        for k, unit in enumerate(units):
            lines += self._lines_of(unit, self._write(unit, ""), "", blank_ok=k > 0)
        if tail:
            if lines and self._blank_between(max((u.last for u in units if u.last is not None), default=None), tail[0].line):
                lines.append("")
            previous = None
            for c in tail:
                if previous is not None and self._blank_between(previous, c.line):
                    lines.append("")
                lines.append(c.text)
                previous = c.line
        # A leading comment block at the file's top keeps its blank line to the header.
        return "\n".join(lines).strip("\n") + "\n"

    def _unit(self, node: Any, kind: str) -> _Unit:
        span = getattr(node, "span", None)
        return _Unit(span.line if span else None, span.end_line if span else None, (kind, node))

    def _write(self, unit: _Unit, indent: str) -> list[str]:
        kind, node = unit.node
        if kind == "header":
            return [indent + line for line in self.header(node).split("\n")]
        if kind == "extends":
            return [indent + f"{self.w('extends')} {self.string(node.path)}"]
        if kind == "item":
            return self._item_lines(node, unit, indent)
        return self._declaration_lines(node, unit, indent)

    # ---------------------------------------------------------------- declarations
    def _declaration_lines(self, decl: Any, unit: _Unit, indent: str) -> list[str]:
        if isinstance(decl, syntax.Requirement):
            return self._requirement_lines(decl, unit, indent)
        if isinstance(decl, syntax.Override) and isinstance(decl.item, syntax.Requirement):
            lines = self._requirement_lines(decl.item, unit, indent)
            return [lines[0].replace(indent, indent + f"{self.w('override')} ", 1)] + lines[1:]
        if isinstance(decl, syntax.GradeBlock):
            head = f"{self.w('for_grade')} {self.string(decl.grade)}"
            if decl.stage is not None:
                head += f" {self.w('stage')} {self.w(decl.stage)}"
            return self._block_lines(indent + head, list(decl.requirements), unit, indent)
        if isinstance(decl, syntax.CalendarBlock):
            return self._block_lines(indent + self.w("calendar") + self.cite(decl.cite), list(decl.items), unit, indent)
        if section_kind(decl) is not None:
            head = self.w(section_kind(decl))
            cite = getattr(decl, "cite", None)
            if cite is not None:
                head += self.cite(cite)
            return self._block_lines(indent + head, _in_source_order(section_entries(decl) + list(decl.edits)), unit, indent)
        return [indent + line for line in self.declaration(decl).split("\n")]

    def _block_lines(self, head: str, items: list[Any], unit: _Unit, indent: str) -> list[str]:
        inner = indent + _INDENT
        units = [_Unit(i.span.line if getattr(i, "span", None) else None, i.span.end_line if getattr(i, "span", None) else None, ("item", i)) for i in items]
        # The block's own comments are those inside it: give them to its items, and keep the rest for its end.
        inside = [c for c in unit.inner]
        unit.inner = []
        tail = self._place(units, inside, unit.first)
        lines = [f"{head} {self.p['{']}"]
        for k, item in enumerate(units):
            lines += self._lines_of(item, self._write(item, inner), inner, blank_ok=k > 0)
        previous = max((u.last for u in units if u.last is not None), default=unit.first)
        for c in tail:
            if previous is not None and self._blank_between(previous, c.line) and len(lines) > 1:
                lines.append("")
            lines.append(inner + c.text)
            previous = c.line
        lines.append(indent + self.p["}"])
        return lines

    def _requirement_lines(self, decl: syntax.Requirement, unit: _Unit, indent: str) -> list[str]:
        head = indent + self.requirement_head(decl)
        body = indent + _INDENT
        lines = [head] + [body + c.text for c in unit.inner]
        unit.inner = []
        return lines + self._condition_lines(decl.condition, body)

    def _condition_lines(self, condition: Any, indent: str) -> list[str]:
        one = indent + self.expr(condition)
        if display_width(one) <= WIDTH or not (isinstance(condition, syntax.Binary) and condition.op in ("or", "and")):
            return [one]
        op = condition.op
        operands: list[Any] = []
        node = condition
        while isinstance(node, syntax.Binary) and node.op == op:  # left-nested: ((a op b) op c)
            operands.append(node.right)
            node = node.left
        operands.append(node)
        operands.reverse()
        level = _OR if op == "or" else _AND
        texts = [self.at(operands[0], level)] + [self.at(o, level + 1) for o in operands[1:]]
        if op == "or":
            texts = [self._bracket_and(o, t) for o, t in zip(operands, texts)]
        return [indent + texts[0]] + [f"{indent}{self.w(op)} {t}" for t in texts[1:]]

    # ---------------------------------------------------------------- items of a block
    def _item_lines(self, item: Any, unit: _Unit, indent: str) -> list[str]:
        if isinstance(item, syntax.Requirement):
            return self._requirement_lines(item, unit, indent)
        if isinstance(item, syntax.Batch) or (isinstance(item, syntax.Override) and isinstance(item.item, syntax.Batch)):
            return self._batch_lines(item, unit, indent)
        if isinstance(item, syntax.Phase):
            return self._phase_lines(item, indent)
        if isinstance(item, syntax.Override) and isinstance(item.item, syntax.Phase):
            lines = self._phase_lines(item.item, indent)
            return [lines[0].replace(indent, indent + f"{self.w('override')} ", 1)] + lines[1:]
        return [indent + line for line in self.item(item).split("\n")]

    def _batch_lines(self, item: Any, unit: _Unit, indent: str) -> list[str]:
        """A batch on one line; a longer one with its condition below its head, as a requirement's."""
        one = indent + self.item(item)
        if display_width(one) <= WIDTH and not unit.inner:
            return [one]
        batch = item.item if isinstance(item, syntax.Override) else item
        head = self.batch_head(batch)
        if isinstance(item, syntax.Override):
            head = f"{self.w('override')} {head}"
        body = indent + _INDENT
        lines = [indent + head] + [body + c.text for c in unit.inner]
        unit.inner = []
        if batch.condition is None:
            return lines + [body + self.w("otherwise")]
        return lines + self._condition_lines(batch.condition, body)

    def _phase_lines(self, item: syntax.Phase, indent: str) -> list[str]:
        one = indent + self.phase(item)
        if display_width(one) <= WIDTH:
            return [one]
        times = self.phase_times(item)
        return [indent + self.phase_head(item), indent + _INDENT + times] if times else [one]


def _in_source_order(items: list[Any]) -> list[Any]:
    """The items in the order they are written (one without a position stays after the one before it)."""
    keyed, last = [], 0
    for k, item in enumerate(items):
        span = getattr(item, "span", None)
        last = span.start if span is not None else last
        keyed.append((last, k, item))
    return [item for _, _, item in sorted(keyed)]
