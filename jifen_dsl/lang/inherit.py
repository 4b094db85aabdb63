"""Resolve ``extends``: apply a policy's overrides, removals and additions to the policy it extends.

The result is an ordinary list of declarations, as if the child had been
written out whole, so the checker and the compiler need not know about
inheritance. Every declaration keeps its spans, which name the file it was
written in: an error in an inherited rule points at the parent's file.

The rules (docs/years.md):

* A plain declaration adds something new; naming something the parent already
  has is an error ("... is inherited from ...; write override to replace it").
* ``override`` replaces the inherited declaration of the same name where it
  stands (a requirement stays in its grade block); ``override`` before a section
  replaces the whole section. ``remove`` drops a declaration, a grade block or a
  section. Overriding or removing what the parent does not have is an error.
* A plain section merges into the inherited one item by item by the same rule:
  plain items are added at the end, ``override`` items replace, ``remove`` items
  drop; a citation on it replaces the inherited one. Calendars simply add.
* A grade block adds its requirements to the inherited block of that grade.
* Definitions are put in an order where each comes after those it uses, so an
  override may use a definition the child adds.
"""

from __future__ import annotations

import difflib
from typing import Any, Sequence

import attrs

from jifen_dsl.lang import syntax
from jifen_dsl.lang.walk import names_used
from jifen_dsl.lang.body import SECTION_OF_ITEM, Body, find_entry, item_key, remove_key, section_entries, rebuild_section, section_kind
from jifen_dsl.errors import Diagnostic, Span
from jifen_dsl.lang.unparsing.unparse import unparse_declaration, unparse_expr, unparse_item
from jifen_dsl.messages import M, Message, T, alternatives, quoted

__all__ = ["resolve", "reject_edits"]

_OVERRIDE = {"en": "override", "zh": "修改"}

# How each kind of clause is named in a message, without its article: "requirement 'x'".
_NAMED = {
    "field": T("field {name}"), "define": T("definition {name}"), "requirement": T("requirement {name}"),
    "grade": T("grade block {name}"), "indicator": T("indicator {name}"), "batch": T("batch {name}"),
    "key": T("tie-break key {name}"), "setting": T("allocation setting {name}"), "rate": T("subsidy rate {name}"),
    "phase": T("phase {name}"),
}
_FIXED = {
    "total": T("points total"), "verification": T("points verification"), "makeup_days": T("makeup_days setting"),
    "semesters_per_year": T("semesters_per_year"),
}
_SECTIONS = {
    "points": T("points section"), "batches": T("batches section"), "tiebreak": T("tiebreak section"),
    "allocation": T("allocation section"), "subsidies": T("subsidies section"), "schedule": T("schedule section"),
    "publication": T("publication section"),
}
_MASKS = {"names": T("masking of names"), "id_number": T("masking of id_number")}


def _bare(kind: str, name: Any) -> Message:
    """A clause as a message names it after 'no': "requirement 'x'", 'points total', 'points section'."""
    if kind in _FIXED:
        return _FIXED[kind]
    if kind == "section":
        return _SECTIONS[name]
    if kind == "mask":
        return _MASKS.get(name) or T("masking of {target}", target=name)
    if kind == "key" and not isinstance(name, str):
        return _NAMED["key"].with_args(name=_expr_text(name))
    return _NAMED[kind].with_args(name=quoted(name))


def _shown(kind: str, name: Any) -> Message:
    """How a clause is named in a message: "the requirement 'x'", 'the points total'."""
    if kind == "semesters_per_year":
        return _FIXED[kind]
    return T("the {clause}", clause=_bare(kind, name))


def _expr_text(expr: syntax.Expr):
    return quoted(unparse_expr(expr, "en"))


_ADD_IT = T("to add it, write it without override")
_STAGES = {"primary": M("L0025", "primary"), "junior": M("L0025", "junior")}


def _top_kind(decl: Any) -> str | None:
    if isinstance(decl, syntax.FieldDecl):
        return "field"
    if isinstance(decl, syntax.Define):
        return "define"
    if isinstance(decl, syntax.Requirement):
        return "requirement"
    return None


def _name_span(item: Any) -> Span | None:
    return getattr(item, "name_span", None) or getattr(item, "span", None)


def _where(path: str, item: Any) -> Message | str:
    span = getattr(item, "span", None)
    return T("{path} (line {line})", path=path, line=span.line) if span is not None and span.path == path else path


class _Resolver:
    def __init__(self, parent: Sequence[tuple[Any, str]], parent_path: str, child_path: str, language: str):
        self.body = Body(parent)
        self.parent_path = parent_path
        self.child_path = child_path
        self.language = language
        self.errors: list[Diagnostic] = []
        self.touched: set[tuple[str, Any]] = set()  # clauses overridden or removed, each only once

    # ------------------------------------------------------------- messages
    def _error(self, message: Message, span: Span | None, hint: Message | None = None) -> None:
        self.errors.append(Diagnostic(message, span, hint))

    def _inherited(self, kind: str, name: Any, item: Any, found: tuple[Any, str]) -> None:
        where = _where(found[1], found[0])
        written = unparse_item(item, self.language) if kind in SECTION_OF_ITEM else unparse_declaration(item, self.language)
        first = written.splitlines()[0]
        if len(first) > 60 or "\n" in written:
            first = first[:60].rstrip() + " ..."
        self._error(
            M("L0020", "{what} is inherited from {where}; write override to replace it", what=_shown(kind, name), where=where),
            _name_span(item),
            T("write: {text}", text=_OVERRIDE[self.language] + " " + first),
        )

    def _missing(self, verb: str, kind: str, name: Any, span: Span | None) -> None:
        candidates = [n for n in self.body.names(kind) if isinstance(n, str)]
        hint = None
        if isinstance(name, str) and kind != "section":
            close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.6)
            if close:
                hint = T("did you mean {names}?", names=alternatives(close))
        if verb == "override":
            message = M("L0021", "there is no {what} to override in {path}", what=_bare(kind, name), path=self.parent_path)
            hint = hint or _ADD_IT
        else:
            message = M("L0022", "there is no {what} to remove in {path}", what=_bare(kind, name), path=self.parent_path)
        self._error(message, span, hint)

    def _once(self, kind: str, name: Any, span: Span | None) -> bool:
        key = (kind, name if isinstance(name, str) else repr(name))
        if key in self.touched:
            self._error(M("L0023", "{what} is overridden or removed twice", what=_shown(kind, name)), span, T("keep one"))
            return False
        self.touched.add(key)
        return True

    # ------------------------------------------------------------ top level
    def apply(self, child: Sequence[tuple[Any, str]]) -> None:
        for decl, path in child:
            if isinstance(decl, syntax.Override):
                self._override(decl, path)
            elif isinstance(decl, syntax.Remove):
                self._remove(decl)
            elif _top_kind(decl) is not None:
                self._add(_top_kind(decl), decl, path)
            elif isinstance(decl, syntax.GradeBlock):
                self._grade_block(decl, path)
            elif section_kind(decl) is not None:
                self._section(decl, path)
            else:  # calendars and anything else simply add
                self.body.add("other", decl, path)

    def _override(self, decl: syntax.Override, path: str) -> None:
        item = decl.item
        kind = _top_kind(item)
        if kind is not None:
            name = item.name
            if not self._once(kind, name, _name_span(item)):
                return
            if self.body.find(kind, name) is None:
                self._missing("override", kind, name, _name_span(item))
                return
            self.body.replace(kind, name, item, path)
            return
        section = section_kind(item)
        if section is None:  # an item outside its section: the grammar does not allow it
            raise TypeError(f"cannot override {item!r} at the top level")
        if item.edits:
            self._error(
                M("L0024", "an overriding {section} replaces the inherited one whole, so it cannot override or remove items", section=_SECTIONS[section]),
                item.edits[0].span,
                T("write the section without override to change it item by item, or list its new items plainly"),
            )
            return
        if not self._once("section", section, decl.span):
            return
        if self.body.find("section", section) is None:
            self._error(M("L0021", "there is no {what} to override in {path}", what=_SECTIONS[section], path=self.parent_path), decl.span, _ADD_IT)
            return
        self.body.replace("section", section, item, path)

    def _remove(self, decl: syntax.Remove) -> None:
        kind, name = decl.kind, decl.name
        span = decl.name_span or decl.span
        if not self._once(kind, name, span):
            return
        if self.body.find(kind, name) is None:
            self._missing("remove", kind, name, span)
            return
        self.body.remove(kind, name)

    def _add(self, kind: str, item: Any, path: str, *, grade: str | None = None, stage: str | None = None) -> None:
        found = self.body.find(kind, item.name)
        if found is not None:
            self._inherited(kind, item.name, item, found)
            return
        self.body.add(kind, item, path, grade=grade, stage=stage)

    def _grade_block(self, block: syntax.GradeBlock, path: str) -> None:
        inherited = self.body.find("grade", block.grade)
        if inherited is not None and block.stage is not None and inherited[0].stage not in (None, block.stage):
            self._error(
                M(
                    "L0025", "grade {grade} is {stage} in {where}; a block adding to it cannot make it {other}",
                    grade=quoted(block.grade), stage=_STAGES[inherited[0].stage], where=_where(inherited[1], inherited[0]), other=_STAGES[block.stage],
                ),
                block.grade_span or block.span,
                T("leave the stage out, or override the grade's requirements"),
            )
            return
        if inherited is None:
            self.body.add("grade", attrs.evolve(block, requirements=()), path)
        for req in block.requirements:
            self._add("requirement", req, path, grade=block.grade, stage=block.stage)

    # ------------------------------------------------------------- sections
    def _section(self, block: Any, path: str) -> None:
        kind = section_kind(block)
        found = self.body.find("section", kind)
        if found is None:
            if block.edits:
                self._error(
                    M("L0026", "there is no {section} in {path} to override or remove items of", section=_SECTIONS[kind], path=self.parent_path),
                    block.edits[0].span,
                    T("write the items plainly to add the section"),
                )
                return
            self.body.add("section", block, path)
            return
        inherited, _ = found
        entries = section_entries(inherited)
        for edit in block.edits:
            if isinstance(edit, syntax.Override):
                item_kind, name = item_key(edit.item)
                span = _name_span(edit.item)
            else:
                item_kind, name = remove_key(edit)
                span = edit.name_span or edit.span
            if not self._once(item_kind, name, span):
                continue
            at = find_entry(entries, item_kind, name, self.body.aliases)
            if at is None:
                self._missing("override" if isinstance(edit, syntax.Override) else "remove", item_kind, name, span)
                continue
            if isinstance(edit, syntax.Override):
                entries[at] = edit.item
            else:
                del entries[at]
        for item in section_entries(block):
            item_kind, name = item_key(item)
            at = find_entry(entries, item_kind, name, self.body.aliases)
            if at is not None:
                existing = entries[at]
                self._inherited(item_kind, name, item, (existing, found[1]))
                continue
            entries.append(item)
        cite = block.cite if getattr(block, "cite", None) is not None else getattr(inherited, "cite", None)
        changes = {"cite": cite} if hasattr(inherited, "cite") else {}
        self.body.replace("section", kind, rebuild_section(inherited, entries, **changes), path)

    # ---------------------------------------------------------- definitions
    def ordered(self) -> tuple[tuple[Any, str], ...]:
        """The declarations, definitions moved (stably) after the definitions they use."""
        decls = list(self.body.declarations())
        defines = [(i, d) for i, (d, _) in enumerate(decls) if isinstance(d, syntax.Define)]
        by_name: dict[str, int] = {}
        for position, (_, d) in enumerate(defines):
            by_name.setdefault(d.name, position)
            if d.label is not None:
                by_name.setdefault(d.label, position)
        needs = [{by_name[n] for n in names_used(d.expr) if n in by_name and by_name[n] != position} for position, (_, d) in enumerate(defines)]
        order: list[int] = []
        placed: set[int] = set()
        waiting = list(range(len(defines)))
        while waiting:
            ready = next((p for p in waiting if needs[p] <= placed), None)
            if ready is None:  # a cycle: leave the rest as written, and the checker reports it
                order.extend(waiting)
                break
            order.append(ready)
            placed.add(ready)
            waiting.remove(ready)
        slots = [i for i, _ in defines]
        result = list(decls)
        for slot, position in zip(slots, order):
            result[slot] = decls[defines[position][0]]
        return tuple(result)


def resolve(
    parent: Sequence[tuple[Any, str]], child: Sequence[tuple[Any, str]], parent_path: str, child_path: str, language: str
) -> tuple[tuple[tuple[Any, str], ...], list[Diagnostic]]:
    """The child's declarations applied to its parent's: (declarations, errors)."""
    resolver = _Resolver(parent, parent_path, child_path, language)
    resolver.apply(child)
    return resolver.ordered(), resolver.errors


def reject_edits(declarations: Sequence[tuple[Any, str]]) -> list[Diagnostic]:
    """Errors for override and remove items in a policy that extends nothing."""
    errors = []
    hint = T('a policy that changes another starts with extends "path" after its header')
    for decl, _ in declarations:
        edits = [decl] if isinstance(decl, (syntax.Override, syntax.Remove)) else list(getattr(decl, "edits", ()))
        for edit in edits:
            if isinstance(edit, syntax.Override):
                message = M("L0027", "override needs a policy to change, and this policy extends none")
            else:
                message = M("L0027", "remove needs a policy to change, and this policy extends none")
            errors.append(Diagnostic(message, edit.span, hint))
    return errors

