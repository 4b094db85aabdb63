"""Build the file and its top-level declarations: header, extends, imports, fields, definitions, requirements, grades.

Part of the tree builder (see :mod:`jifen_dsl.lang.parsing.nodes`); like every
parser module it may use Lark, which no module outside the parser modules does.
"""

from __future__ import annotations

from lark import v_args

from jifen_dsl.lang import syntax
from jifen_dsl.lang.numberlimits import MAX_YEAR
from jifen_dsl.lang.parsing.nodes import NodeBuilder
from jifen_dsl.messages import M, T

__all__ = ["DeclarationBuilder"]


@v_args(meta=True)
class DeclarationBuilder(NodeBuilder):
    """The builder methods of the file, its header and the declarations outside sections."""

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
        year_value = self._integer(year, T("the year"))
        if year.span not in self.refused_numbers and not 1 <= year_value <= MAX_YEAR:
            # Checked here, before anything builds a date from the year (as_of, new-year, the calendar).
            self._error(
                M("P0102", "the year {year} is outside the calendar: a year is from 1 to {last}", year=year_value, last=MAX_YEAR),
                year.span,
                T("write the admission year, e.g. 2024"),
            )
        return syntax.Header(
            title.value, district.value, year_value, as_of.value, source.value, language,
            span=self._span(meta), year_span=year.span, as_of_span=as_of.span,
        )

    def extends_decl(self, meta, children):
        return syntax.Extends(children[0].value, span=self._span(meta))

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
                    self._error(M("P0103", "a field can have only one default"), span)
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
