"""Compare two policies clause by clause, after inheritance is resolved.

A clause is a named piece of a policy (see :mod:`jifen_dsl.lang.body`): a field, a
definition, a requirement, a grade, an indicator or the points total, a batch,
the tie-break chain (one clause: its order is its meaning), an allocation
setting, a subsidy rate, a phase of the schedule, a masking rule, the
calendars, a section's citation and the header's values. Clauses are matched
by name; two clauses are the same when they say the same thing, however they
are written (a field named by its label or by its name, either spelling of the
language, any layout).

Each change says what changed (its aspects: title, condition ...), shows the
clause in policy syntax before and after, reads the parameters out of it where
it can (a window of dates, a bound, a rate), and says whether it is exactly the
old clause with its dates moved by the difference of the two years. It also
carries how to make it alone on the old policy, for the cohort impact.
"""

from __future__ import annotations

from typing import Any

import attrs

from jifen_dsl.lang import syntax
from jifen_dsl.lang.body import SECTION_OF_ITEM, Body, item_key, section_entries, section_kind
from jifen_dsl.lang.loader import Program
from jifen_dsl.years.parameters import LITERALS, Aspect, Parameter, parameters, terms, value_text
from jifen_dsl.years.sides import Side, load_side, same, side_of
from jifen_dsl.lang.unparsing.unparse import datetime_text, keyword, string_text, unparse_declaration, unparse_expr, unparse_item
from jifen_dsl.years.yearshift import shift_date, shift_node

__all__ = ["Side", "Aspect", "Parameter", "Change", "load_side", "side_of", "diff", "apply_changes"]


@attrs.frozen
class Edit:
    """How to make a change on the old policy's declarations."""

    op: str  # replace, remove, add, cite, reorder, header, calendar
    kind: str
    name: Any = None
    item: Any = None
    path: str = ""
    grade: str | None = None
    stage: str | None = None


@attrs.frozen
class Change:
    """One clause added, removed or changed."""

    id: str  # stable: "requirement:name", "rate:private primary", "header:as_of"
    clause: str
    name: str
    change: str  # added, removed or changed
    old: str | None  # the clause in the old policy's syntax
    new: str | None  # the clause in the new policy's syntax
    aspects: tuple[Aspect, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    moved_with_year: bool = False
    grade: str | None = None
    wording_only: bool = False  # only titles, citations or labels: no outcome can change
    edits: tuple[Edit, ...] = attrs.field(default=(), eq=False, repr=False)


# ------------------------------------------------------------ the clauses


@attrs.frozen
class _Clause:
    kind: str
    name: Any
    item: Any
    path: str
    grade: str | None = None
    stage: str | None = None


def _clauses(side: Side) -> dict[tuple[str, Any], _Clause]:
    """Every clause of a policy, keyed (kind, name), in the order the policy has them."""
    body = Body(side.program.declarations)
    out: dict[tuple[str, Any], _Clause] = {}
    sections: dict[str, _Clause] = {}
    calendars = []
    for decl, path in side.program.declarations:
        if isinstance(decl, syntax.FieldDecl):
            out[("field", decl.name)] = _Clause("field", decl.name, decl, path)
        elif isinstance(decl, syntax.Define):
            out[("define", decl.name)] = _Clause("define", decl.name, decl, path)
        elif isinstance(decl, syntax.Requirement):
            out[("requirement", decl.name)] = _Clause("requirement", decl.name, decl, path)
        elif isinstance(decl, syntax.GradeBlock):
            grade = body.grade(decl.grade)
            out.setdefault(("grade", grade), _Clause("grade", grade, decl, path, grade, decl.stage))
            for req in decl.requirements:
                out[("requirement", req.name)] = _Clause("requirement", req.name, req, path, grade, decl.stage)
        elif isinstance(decl, syntax.CalendarBlock):
            calendars.append(decl)
        elif section_kind(decl) is not None:
            sections[section_kind(decl)] = _Clause("section", section_kind(decl), decl, path)
    for kind, clause in sections.items():
        block = clause.item
        if kind == "tiebreak":
            out[("tiebreak", "tiebreak")] = _Clause("tiebreak", "tiebreak", block, clause.path)
        else:
            for entry in section_entries(block):
                entry_kind, name = item_key(entry)
                out.setdefault((entry_kind, name), _Clause(entry_kind, name, entry, clause.path))
        if getattr(block, "cite", None) is not None:
            out[("cite", kind)] = _Clause("cite", kind, block.cite, clause.path)
    if calendars:
        out[("calendar", "calendar")] = _Clause("calendar", "calendar", tuple(calendars), "")
    return out


_CLAUSE_NAMES = {
    "field": "field", "define": "definition", "requirement": "requirement", "grade": "grade", "total": "points total",
    "indicator": "indicator", "batch": "batch", "tiebreak": "tiebreak", "setting": "allocation", "rate": "subsidy rate",
    "semesters_per_year": "semesters per year", "phase": "phase", "verification": "verification",
    "makeup_days": "makeup days", "mask": "publication", "cite": "citation", "calendar": "calendar",
}
# The order the report lists clauses in.
_ORDER = [
    "field", "define", "requirement", "grade", "total", "indicator", "batch", "tiebreak", "setting", "rate",
    "semesters_per_year", "phase", "verification", "makeup_days", "mask", "cite", "calendar",
]


def _text(clause: _Clause, side: Side) -> str | None:
    """A clause as the policy would write it."""
    lang = side.language
    item = clause.item
    if clause.kind in ("field", "define", "requirement", "tiebreak"):
        return unparse_declaration(item, lang)
    if clause.kind == "grade":
        text = f"{keyword('for_grade', lang)} {string_text(item.grade, lang)}"
        return text + (f" {keyword('stage', lang)} {keyword(item.stage, lang)}" if item.stage else "")
    if clause.kind == "cite":
        return item
    if clause.kind == "calendar":
        return "\n\n".join(unparse_declaration(c, lang) for c in item)
    return unparse_item(item, lang)


def _aspects(old: _Clause, new: _Clause, a: Side, b: Side) -> list[Aspect]:
    """The parts of a clause that differ."""
    x, y = old.item, new.item
    la, lb = a.language, b.language
    out: list[Aspect] = []

    def text_of(value: Any, lang: str) -> str | None:
        if value is None:
            return None
        if isinstance(value, str):
            return value
        if isinstance(value, (syntax.DurationLit, syntax.WorkdaysLit)) or isinstance(value, LITERALS):
            return value_text(value, lang)
        return unparse_expr(value, lang)

    def compare(name: str, p: Any, q: Any, *, expression: bool = False) -> None:
        unchanged = same(p, q, a, b) if expression else p == q
        if not unchanged:
            out.append(Aspect(name, text_of(p, la), text_of(q, lb)))

    kind = old.kind
    if kind in ("requirement", "batch"):
        compare("title", x.title, y.title)
        compare("cite", x.cite, y.cite)
        compare("condition", x.condition, y.condition, expression=True)
        if kind == "requirement" and old.grade != new.grade:
            out.append(Aspect("grade", old.grade or "every grade", new.grade or "every grade"))
    elif kind == "define":
        compare("label", x.label, y.label)
        compare("cite", x.cite, y.cite)
        compare("value", x.expr, y.expr, expression=True)
    elif kind == "field":
        compare("label", x.label, y.label)
        if x.type != y.type:
            out.append(Aspect("type", unparse_declaration(attrs.evolve(x, label=None, unique=False, optional=False, default=None), la).split(None, 2)[-1],
                              unparse_declaration(attrs.evolve(y, label=None, unique=False, optional=False, default=None), lb).split(None, 2)[-1]))
        for flag in ("unique", "optional"):
            compare(flag, str(getattr(x, flag)).lower(), str(getattr(y, flag)).lower())
        compare("default", x.default, y.default, expression=True)
    elif kind == "grade":
        compare("stage", x.stage, y.stage)
    elif kind == "indicator":
        compare("title", x.title, y.title)
        compare("cite", x.cite, y.cite)
        compare("formula", x.formula, y.formula, expression=True)
        compare("cap", x.cap, y.cap, expression=True)
    elif kind == "total":
        compare("formula", x.expr, y.expr, expression=True)
    elif kind == "phase":
        compare("title", x.title, y.title)
        compare("cite", x.cite, y.cite)
        before, after = _phase_window(x, la), _phase_window(y, lb)
        if before != after:
            out.append(Aspect("window", before, after))
        if x.follows != y.follows:
            out.append(Aspect("follows the phase before", str(x.follows).lower(), str(y.follows).lower()))
    elif kind == "cite":
        compare("cite", x, y)
    elif kind == "tiebreak":
        # The section's citation is a clause of its own.
        if not same(attrs.evolve(x, cite=None), attrs.evolve(y, cite=None), a, b):
            out.append(Aspect("order", _keys_text(x, la), _keys_text(y, lb)))
    elif not same(x, y, a, b):
        out.append(Aspect("value", _text(old, a), _text(new, b)))
    return out


def _keys_text(block: syntax.TieBreakBlock, language: str) -> str:
    return "\n".join(unparse_item(k, language) for k in block.keys)


def _phase_window(phase: syntax.Phase, language: str) -> str:
    def moment(node: Any) -> str:
        return node.value.isoformat() if isinstance(node, syntax.DateLit) else datetime_text(node.value, "en")

    parts = []
    if phase.start is not None:
        parts.append(f"{moment(phase.start)}..{moment(phase.end)}")
    elif phase.end is not None:
        parts.append(f"..{moment(phase.end)}")
    if phase.length is not None:
        parts.append(value_text(phase.length, language))
    return ", ".join(parts)


_WORDING = {"title", "cite", "label"}


def _parameters_of(old: _Clause, new: _Clause, a: Side, b: Side) -> list[Parameter]:
    kind = old.kind
    if kind in ("requirement", "batch") and old.item.condition is not None and new.item.condition is not None:
        return parameters(old.item.condition, new.item.condition, a, b)
    if kind == "define":
        params = parameters(old.item.expr, new.item.expr, a, b)
        return [attrs.evolve(p, subject=p.subject or old.name) for p in params]
    if kind == "indicator":
        return parameters(old.item.formula, new.item.formula, a, b)
    if kind == "rate":
        return [Parameter(unparse_item(attrs.evolve(new.item, amount=0), b.language).rsplit(" ", 1)[0], str(old.item.amount), str(new.item.amount))]
    if kind in ("setting", "semesters_per_year"):
        return [Parameter(new.name, _setting_value(old.item, a.language), _setting_value(new.item, b.language))]
    if kind == "mask":
        return [Parameter(new.name, f"{old.item.keep_first} + {old.item.keep_last}", f"{new.item.keep_first} + {new.item.keep_last}")]
    return []


def _setting_value(item: syntax.Setting, language: str) -> str:
    return unparse_item(item, language).split(None, 1)[-1] if item.key != "siblings" else unparse_item(item, language)


# ------------------------------------------------------------ the diff


def _edit_for(kind: str, change: str, old: _Clause | None, new: _Clause | None, a: Side) -> tuple[Edit, ...]:
    if kind == "calendar":
        return (Edit("calendar", kind, item=new.item if new else ()),)
    if kind == "cite":
        return (Edit("cite", kind, (new or old).name, new.item if new else None, new.path if new else old.path),)
    if kind == "tiebreak":
        if change == "removed":
            return (Edit("remove", "section", "tiebreak"),)
        if change == "added":
            return (Edit("add", "section", "tiebreak", new.item, new.path),)
        return (Edit("replace", "section", "tiebreak", new.item, new.path),)
    if change == "removed":
        return (Edit("remove", kind, old.name),)
    if change == "added":
        if kind == "grade":
            return (Edit("add", "grade", new.name, attrs.evolve(new.item, requirements=()), new.path),)
        return (Edit("add", kind, new.name, new.item, new.path, new.grade, new.stage),)
    if kind == "requirement" and old.grade != new.grade:
        return (Edit("remove", kind, old.name), Edit("add", kind, new.name, new.item, new.path, new.grade, new.stage))
    if kind == "grade":
        return (Edit("replace", "grade", old.name, attrs.evolve(old.item, stage=new.item.stage), old.path),)
    return (Edit("replace", kind, old.name, new.item, new.path),)


def _moved(old: _Clause, new: _Clause, years: int, a: Side, b: Side) -> bool:
    """Whether the new clause is the old one with its dates moved by the years between the policies (wording aside)."""
    if not years or old.kind in ("cite", "calendar"):
        return False
    moved = shift_node(old.item, years)
    if moved == old.item:
        return False
    return all(s.name in _WORDING for s in _aspects(attrs.evolve(old, item=moved), new, a, b))


def _display_name(kind: str, name: Any, side: Side) -> str:
    if kind == "tiebreak":
        return "tiebreak"
    if isinstance(name, str):
        return name
    return unparse_expr(name, side.language)


def diff(a: Side, b: Side) -> list[Change]:
    """Every clause that differs from ``a`` (old) to ``b`` (new), in the order of the report."""
    years = b.policy.header.year - a.policy.header.year
    changes: list[Change] = _header_changes(a, b, years)
    old, new = _clauses(a), _clauses(b)
    keys = list(old) + [k for k in new if k not in old]
    keys.sort(key=lambda k: _ORDER.index(k[0]))
    sections_a, sections_b = _sections(a), _sections(b)
    # A section only one policy has is one clause, added or removed whole.
    alone = set(sections_a) ^ set(sections_b)
    for key in keys:
        x, y = old.get(key), new.get(key)
        kind, name = key
        if SECTION_OF_ITEM.get(kind) in alone or (kind == "cite" and name in alone):
            continue
        if x is not None and y is not None:
            aspects = _aspects(x, y, a, b)
            if not aspects:
                continue
            if kind in ("requirement", "batch"):
                aspects += terms(x.item.condition, y.item.condition, a, b) if x.item.condition is not None and y.item.condition is not None else []
            status = "changed"
            params = _parameters_of(x, y, a, b)
            moved = _moved(x, y, years, a, b)
        else:
            status = "removed" if y is None else "added"
            aspects, params, moved = [], [], False
        wording = status == "changed" and all(s.name in _WORDING for s in aspects)
        shown = _display_name(kind, name, b if y is not None else a)
        changes.append(Change(
            id=f"{kind}:{shown}",
            clause=_CLAUSE_NAMES[kind],
            name=shown,
            change=status,
            old=_text(x, a) if x is not None else None,
            new=_text(y, b) if y is not None else None,
            aspects=tuple(aspects),
            parameters=tuple(params),
            moved_with_year=moved,
            grade=(y or x).grade,
            wording_only=wording or kind == "cite",
            edits=_edit_for(kind, status, x, y, a),
        ))
    for kind in sorted(alone, key=list(SECTION_OF_ITEM.values()).index):
        gone = kind in sections_a
        block, path = (sections_a if gone else sections_b)[kind]
        text = unparse_declaration(block, (a if gone else b).language)
        changes.append(Change(
            id=f"section:{kind}", clause="section", name=kind, change="removed" if gone else "added",
            old=text if gone else None, new=None if gone else text,
            edits=(Edit("remove", "section", kind),) if gone else (Edit("add", "section", kind, block, path),),
        ))
    changes += _order_changes(a, b, old, new)
    return changes


def _sections(side: Side) -> dict[str, tuple[Any, str]]:
    """The sections a policy has (other than the tie-break chain, a clause of its own), by kind."""
    return {section_kind(d): (d, p) for d, p in side.program.declarations if section_kind(d) not in (None, "tiebreak")}


def _order_changes(a: Side, b: Side, old: dict, new: dict) -> list[Change]:
    """The indicators or batches both policies have, in another order."""
    out = []
    for kind, label in (("indicator", "indicator order"), ("batch", "batch order")):
        before = [k[1] for k in old if k[0] == kind and k in new]
        after = [k[1] for k in new if k[0] == kind and k in old]
        if before != after:
            out.append(Change(
                id=f"{kind}_order", clause=label, name=label, change="changed",
                old=", ".join(before), new=", ".join(after),
                aspects=(Aspect("order", ", ".join(before), ", ".join(after)),),
                edits=(Edit("reorder", kind, after),),
            ))
    return out


def _header_changes(a: Side, b: Side, years: int) -> list[Change]:
    out = []
    x, y = a.program.main.header, b.program.main.header
    for name in ("title", "district", "year", "as_of", "source"):
        before, after = getattr(x, name), getattr(y, name)
        if before == after:
            continue
        if name == "as_of":
            shown = (before.isoformat(), after.isoformat())
            moved = bool(years) and shift_date(before, years) == after
        else:
            shown = (str(before), str(after))
            moved = name == "year"
        out.append(Change(
            id=f"header:{name}", clause="header", name=name, change="changed", old=shown[0], new=shown[1],
            aspects=(Aspect(name, *shown),),
            parameters=(Parameter(name, *shown),) if name in ("year", "as_of") else (),
            moved_with_year=moved,
            wording_only=name in ("title", "district", "source"),
            edits=(Edit("header", "header", name, after),),
        ))
    return out


# ------------------------------------------------------------ making changes


def apply_changes(a: Side, changes: list[Change], b: Side) -> Program:
    """The old policy's program with ``changes`` made, and every field and definition the new policy adds.

    Added fields and definitions change no outcome by themselves; they are made
    with every change so that a changed rule that uses one can be checked alone.
    """
    body = Body(a.program.declarations)
    header = a.program.main.header
    wanted = list(changes)
    for key, clause in _clauses(b).items():
        if key[0] in ("field", "define") and body.find(key[0], key[1]) is None:
            wanted.append(Change(id="", clause="", name="", change="added", old=None, new=None, edits=(Edit("add", key[0], key[1], clause.item, clause.path),)))
    for change in wanted:
        for edit in change.edits:
            header = _apply(body, edit, header)
    main = attrs.evolve(a.program.main, header=header)
    sources = {**b.program.sources, **a.program.sources}
    return attrs.evolve(a.program, main=main, declarations=body.declarations(), sources=sources)


def _apply(body: Body, edit: Edit, header: syntax.Header) -> syntax.Header:
    if edit.op == "header":
        return attrs.evolve(header, **{edit.name: edit.item})
    if edit.op == "calendar":
        body.items = [i for i in body.items if not isinstance(i[0], syntax.CalendarBlock)]
        body.items.extend([c, ""] for c in edit.item)
    elif edit.op == "cite":
        if body.find("section", edit.name) is not None:
            body.set_cite(edit.name, edit.item, edit.path)
    elif edit.op == "reorder":
        body.reorder(edit.kind, edit.name)
    elif edit.op == "remove":
        if body.find(edit.kind, edit.name) is not None:
            body.remove(edit.kind, edit.name)
    elif edit.op == "add":
        if body.find(edit.kind, edit.name) is None:
            body.add(edit.kind, edit.item, edit.path, grade=edit.grade, stage=edit.stage)
    elif edit.op == "replace":
        if body.find(edit.kind, edit.name) is not None:
            body.replace(edit.kind, edit.name, edit.item, edit.path)
        else:
            body.add(edit.kind, edit.item, edit.path)
    return header

