"""Checks of the declarations: fields and definitions, and the names they claim.

Part of the checker (see :mod:`jifen_dsl.lang.checking.checker`), kept apart because the
symbol table is a concept of its own: every field, label, definition and phase
claims a name once, a field's default must fit its type, and a definition the
policy never uses is worth a warning. Every problem is recorded, never raised.
"""

from __future__ import annotations

from decimal import Decimal

from jifen_dsl.lang import syntax, ir, model
from jifen_dsl.errors import Span
from jifen_dsl.lang.checking.expressions import describe, type_name
from jifen_dsl.messages import M, Message, T, quoted
from jifen_dsl.lang.typesys import (
    BOOL, DATE, DATETIME, DECIMAL, ERROR, INTEGER, SCHOOL_LIST, TEXT, TEXT_LIST,
    Type, enum_type, unify,
)

__all__ = ["DeclarationChecking", "Symbol"]

# Keywords that are values in an expression: a field or definition spelled like one
# would be silently shadowed by the keyword wherever it is written without brackets.
_VALUE_KEYWORDS = frozenset({"year", "as_of", "true", "false"})

_TYPE_OF_KIND = {
    "text": TEXT, "integer": INTEGER, "decimal": DECIMAL, "bool": BOOL, "date": DATE,
    "datetime": DATETIME, "school_list": SCHOOL_LIST, "text_list": TEXT_LIST,
}


class Symbol:
    """What a name in an expression stands for."""

    __slots__ = ("kind", "index", "type", "span", "nullable", "may_miss")

    def __init__(self, kind, index, type_, span, *, nullable=False, may_miss=False):
        self.kind = kind  # "field", "define", "indicator" or "phase"
        self.index = index
        self.type = type_
        self.span = span
        self.nullable = nullable
        self.may_miss = may_miss


class DeclarationChecking:
    """Mixin of the checker that declares fields and definitions in its symbol table."""

    # ---------------------------------------------------------------- names
    def _claim(self, name: str, symbol: Symbol, span: Span | None, what: Message) -> None:
        """Give ``name`` to ``symbol``; ``what`` says what claims it ("the field", "the label" ...)."""
        existing = self.symbols.get(name)
        if existing is not None:
            if existing.span is None:
                where = T("elsewhere")
            elif span and existing.span.path != span.path:
                where = T("line {line} of {path}", line=existing.span.line, path=existing.span.path)
            else:
                where = T("line {line}", line=existing.span.line)
            self.error(
                M("C0101", "{what} {name} is already declared ({where})", what=what, name=quoted(name), where=where),
                span,
                T("every field, label and definition needs its own name"),
            )
            return
        if name in _VALUE_KEYWORDS:
            # The name is fine in brackets, but bare it is a value of its own: year is the policy's year.
            self.warn(
                M("C0102", "{what} {name} is spelled like a keyword of the language", what=what, name=quoted(name)),
                span,
                T("write it as 「{name}」 wherever it is used, or choose another name", name=name),
            )
        self.symbols[name] = symbol

    def _declare_symbol(self, name: str, kind: str, index: int, type_: Type, span: Span | None, what: Message) -> None:
        self._claim(name, Symbol(kind, index, type_, span), span, what)

    # --------------------------------------------------------------- fields
    def _declare_fields(self, decls) -> None:
        for decl, _path in decls:
            if isinstance(decl, syntax.FieldDecl):
                self._declare_field(decl)

    def _declare_field(self, decl: syntax.FieldDecl) -> None:
        type_ = self._field_type(decl)
        default = None
        if decl.default is not None:
            default_node = self._literal(decl.default)
            if type_.kind == "enum" and default_node.type.kind == "text":
                canonical = type_.canonical(default_node.value)
                if canonical is None:
                    self.error(
                        M("C0103", "the default {value} is not one of {type}", value=quoted(default_node.value), type=type_name(type_)),
                        decl.default.span,
                    )
                default = canonical
            elif type_.kind in ("school_list", "text_list"):
                self.error(M("C0104", "a list field cannot have a default; an empty cell is an empty list"), decl.default.span)
            elif unify(type_, default_node.type) not in (type_,) and not (type_ == DECIMAL and default_node.type == INTEGER):
                self.error(
                    M("C0105", "the default is {given}, but the field is {wanted}", given=describe(default_node.type), wanted=describe(type_)),
                    decl.default.span,
                )
            else:
                default = Decimal(default_node.value) if type_ == DECIMAL else default_node.value
        if decl.unique and decl.optional:
            self.error(M("C0106", "a unique field cannot be optional"), decl.span, T("every applicant needs a value to tell them apart"))
        index = len(self.fields)
        f = model.Field(index, decl.name, decl.label, type_, decl.unique, decl.optional or decl.default is not None, default, span=decl.name_span or decl.span)
        self.fields.append(f)
        symbol = Symbol("field", index, type_, decl.name_span or decl.span, nullable=f.nullable)
        self._claim(decl.name, symbol, decl.name_span or decl.span, T("the field"))
        if decl.label is not None and decl.label != decl.name:
            self._claim(decl.label, symbol, decl.name_span or decl.span, T("the label"))

    def _field_type(self, decl: syntax.FieldDecl) -> Type:
        ref = decl.type
        if ref.kind != "enum":
            return _TYPE_OF_KIND[ref.kind]
        members: list[str] = []
        aliases: list[tuple[str, str]] = []
        spellings: set[str] = set()
        for member in ref.members:
            for spelling in (member.value,) + member.aliases:
                if spelling in spellings:
                    self.error(M("C0107", "{value} appears twice in the enum", value=quoted(spelling)), member.span)
                spellings.add(spelling)
            members.append(member.value)
            aliases.extend((alias, member.value) for alias in member.aliases)
        return enum_type(tuple(members), tuple(aliases), decl.name)

    # ---------------------------------------------------------- definitions
    def _announce_definitions(self, decls) -> None:
        """Note every definition's name before any is typed: a use above the
        definition then reads "defined later" rather than "unknown name"."""
        for decl, _path in decls:
            if isinstance(decl, syntax.Define):
                for name in (decl.name, decl.label):
                    if name is not None:
                        self.pending_defs.setdefault(name, decl.name_span or decl.span)

    def _declare_define(self, decl: syntax.Define, from_library: bool) -> None:
        index = len(self.definitions)
        node = self._expr(decl.expr)
        definition = model.Definition(index, decl.name, decl.label, decl.cite, node, span=decl.name_span or decl.span)
        self.definitions.append(definition)
        self.pending_defs.pop(decl.name, None)
        if decl.label is not None:
            self.pending_defs.pop(decl.label, None)
        symbol = Symbol("define", index, node.type, decl.name_span or decl.span, may_miss=ir.may_miss(node))
        if from_library:
            self.library_defs.add(index)
        self._claim(decl.name, symbol, decl.name_span or decl.span, T("the definition"))
        if decl.label is not None and decl.label != decl.name:
            self._claim(decl.label, symbol, decl.name_span or decl.span, T("the label"))

    def _warn_unused(self, header) -> None:
        if header is None:
            return
        for name, symbol in self.symbols.items():
            if symbol.kind != "define" or symbol.index in self.library_defs:
                continue  # shared definitions serve many policies; no one policy must use them all
            definition = self.definitions[symbol.index]
            if definition.name != name:
                continue  # the label of a definition already reported under its name
            if definition.type == ERROR or name in self.forward_refs:
                continue  # already reported as an error
            if symbol.index not in self.used_defs:
                self.warn(M("C0108", "the definition {name} is never used", name=quoted(name)), symbol.span, T("use it in a rule, or remove it"))
