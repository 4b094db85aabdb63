"""What every part of the tree builder shares: spans, collected errors, whole numbers.

The builder that turns Lark's parse tree into :mod:`jifen_dsl.lang.syntax` nodes
is one Lark transformer made of a part per concept (parser_expressions,
parser_declarations, parser_sections, parser_edits), each subclassing
:class:`NodeBuilder`. Lark stays inside the parser modules (parser.py and
parser_*.py): everything else sees attrs nodes only.
"""

from __future__ import annotations

from lark import Token, Transformer

from jifen_dsl.lang import syntax
from jifen_dsl.errors import Diagnostic, Span
from jifen_dsl.messages import M, Message

__all__ = ["NodeBuilder", "NameTok", "fixed_word"]


class NodeBuilder(Transformer):
    """The state and helpers of one tree build: the file's path and the literal errors found so far."""

    def __init__(self, path: str):
        super().__init__(visit_tokens=False)
        self.path = path
        self.errors: list[Diagnostic] = []
        # Number literals already refused for their length, by span: their placeholder
        # value must not draw a second, misleading error (a year 0, say).
        self.refused_numbers: set[Span] = set()

    def _span(self, meta) -> Span | None:
        if getattr(meta, "empty", True):
            return None
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column, meta.start_pos, meta.end_pos)

    def _tok_span(self, tok: Token) -> Span:
        return Span(self.path, tok.line, tok.column, tok.end_line, tok.end_column, tok.start_pos, tok.end_pos)

    def _error(self, message: Message, span: Span | None, hint: Message | None = None) -> None:
        self.errors.append(Diagnostic(message, span, hint))

    def _integer(self, number: syntax.NumberLit, what: Message) -> int:
        """The value of a number that must be whole; ``what`` names it in the message ('the year')."""
        if not number.is_integer:
            self._error(M("P0101", "{what} must be a whole number, not {value}", what=what, value=number.value), number.span)
            return int(number.value)
        return int(number.value)


def fixed_word(word: str):
    """A builder method for a rule that stands for one fixed word (a section name, a setting's value)."""

    def build(self, meta, children):
        return word

    return build


class NameTok:
    """A name with its span, before it becomes part of a node."""

    __slots__ = ("value", "span")

    def __init__(self, value: str, span: Span):
        self.value = value
        self.span = span
