"""Compare two policies clause by clause, after inheritance is resolved.

A clause is a named piece of a policy (see :mod:`jifen_dsl.body`): a field, a
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

from . import ast, model
from .astwalk import rebuild
from .body import SECTION_OF_ITEM, Body, item_key, section_entries, section_kind
from .checker import check
from .errors import Diagnostic, PolicyError
from .loader import Program, load
from .unparse import datetime_text, keyword, string_text, literal_text, unparse_declaration, unparse_expr, unparse_item
from .yearshift import shift_date, shift_node

__all__ = ["Side", "Aspect", "Parameter", "Change", "load_side", "side_of", "diff", "apply_changes"]


@attrs.frozen(eq=False)
class Side:
    """One policy of a comparison: as loaded (inheritance resolved) and as checked."""

    path: str
    program: Program
    policy: model.Policy
    aliases: dict[str, str]  # label -> name, for fields and definitions

    @property
    def language(self) -> str:
        return self.policy.language


def side_of(path: str, program: Program) -> Side:
    """A loaded policy, checked; PolicyError when it does not pass or is a library."""
    checked = check(program)
    if not isinstance(checked, model.Policy):
        raise PolicyError([Diagnostic(f"{path} is a library of shared declarations, not a policy", hint="compare two policy files")])
    aliases = {f.label: f.name for f in checked.fields if f.label}
    aliases.update({d.label: d.name for d in checked.definitions if d.label})
    return Side(path, program, checked, aliases)


def load_side(path: str) -> Side:
    """Read, resolve and check one policy for a comparison."""
    return side_of(path, load(path))


@attrs.frozen
class Aspect:
    """One part of a clause that changed: its title, its condition ... as text before and after."""

    name: str
    old: str | None
    new: str | None


@attrs.frozen
class Parameter:
    """A value read out of a clause: a window of dates, a bound, a rate; before and after."""

    subject: str
    old: str
    new: str


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


# ------------------------------------------------------------ canonical form


def _canonical(node: Any, aliases: dict[str, str]) -> Any:
    """The clause with every name as its declared name (not its label), and no spans."""
    def change(n: Any) -> Any:
        if isinstance(n, ast.Ref) and n.name in aliases:
            return attrs.evolve(n, name=aliases[n.name])
        return n

    return rebuild(node, change)


def _same(old: Any, new: Any, a: Side, b: Side) -> bool:
    if old is None or new is None:
        return old is new
    return _canonical(old, a.aliases) == _canonical(new, b.aliases)


# ------------------------------------------------------------ parameters


_LITERALS = (ast.NumberLit, ast.StringLit, ast.BoolLit, ast.DateLit, ast.DateTimeLit, ast.DurationLit, ast.WorkdaysLit)


def _value(node: Any, language: str) -> str:
    if isinstance(node, ast.DateLit):
        return node.value.isoformat()
    if isinstance(node, ast.DateTimeLit):
        return datetime_text(node.value, "en")
    if isinstance(node, ast.StringLit):
        return node.value
    if isinstance(node, ast.SetLit) and all(isinstance(i, _LITERALS) for i in node.items):
        return "{" + ", ".join(_value(i, language) for i in node.items) + "}"
    if isinstance(node, _LITERALS):
        return literal_text(node, language)
    return unparse_expr(node, language)


_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq"}


def _window(expr: Any) -> tuple[Any, Any, Any, str] | None:
    """(term, low, high, form) when ``expr`` bounds one term by constants: between, a comparison, an equality."""
    if isinstance(expr, ast.Between) and isinstance(expr.low, _LITERALS) and isinstance(expr.high, _LITERALS):
        return expr.value, expr.low, expr.high, "between"
    if isinstance(expr, ast.Binary) and expr.op in _FLIP:
        term, bound, op = expr.left, expr.right, expr.op
        if isinstance(term, _LITERALS + (ast.SetLit,)) and not isinstance(bound, _LITERALS + (ast.SetLit,)):
            term, bound, op = bound, term, _FLIP[op]
        if not isinstance(bound, _LITERALS) or isinstance(term, _LITERALS):
            return None
        if op == "eq":
            return term, bound, bound, "eq"
        if op in ("gt", "ge"):
            return term, bound, None, op
        return term, None, bound, op
    return None


def _inline(expr: Any, side: Side) -> Any:
    """``expr`` with each name of a definition that is a single constant replaced by the constant (for reading windows)."""
    constants = {}
    for decl, _ in side.program.declarations:
        if isinstance(decl, ast.Define) and isinstance(decl.expr, _LITERALS):
            constants[decl.name] = decl.expr
            if decl.label is not None:
                constants[decl.label] = decl.expr
    if not constants:
        return expr
    return rebuild(expr, lambda n: constants.get(n.name, n) if isinstance(n, ast.Ref) else n)


def _window_text(window: tuple[Any, Any, Any, str], language: str) -> str:
    _, low, high, form = window
    if form == "eq":
        return f"= {_value(low, language)}"
    if form == "between":
        return f"{_value(low, language)}..{_value(high, language)}"
    return {
        "ge": lambda: f"{_value(low, language)}..", "gt": lambda: f"> {_value(low, language)}",
        "le": lambda: f"..{_value(high, language)}", "lt": lambda: f"< {_value(high, language)}",
    }[form]()


def _flatten(expr: Any, op: str) -> list[Any]:
    if isinstance(expr, ast.Binary) and expr.op == op:
        return _flatten(expr.left, op) + _flatten(expr.right, op)
    return [expr]


def _parameters(old: Any, new: Any, a: Side, b: Side, context: Any = None) -> list[Parameter]:
    """The values that changed between two versions of an expression of the same shape."""
    lang = b.language
    if isinstance(old, ast.Evidence) and isinstance(new, ast.Evidence) and old.indicator == new.indicator \
            and all(isinstance(x, _LITERALS) for x in (old.low, old.high, new.low, new.high)):
        before = f"{_value(old.low, lang)}..{_value(old.high, lang)}"
        after = f"{_value(new.low, lang)}..{_value(new.high, lang)}"
        return [Parameter(unparse_expr(attrs.evolve(new, low=None, high=None), lang), before, after)] if before != after else []
    wo, wn = _window(_inline(old, a)), _window(_inline(new, b))
    if wo and wn and _same(wo[0], wn[0], a, b):
        before, after = _window_text(wo, lang), _window_text(wn, lang)
        if before != after:
            return [Parameter(unparse_expr(wn[0], lang), before, after)]
        return []
    if isinstance(old, _LITERALS + (ast.SetLit,)) and isinstance(new, _LITERALS + (ast.SetLit,)) and not _same(old, new, a, b):
        subject = unparse_expr(context, lang) if context is not None else ""
        return [Parameter(subject, _value(old, lang), _value(new, lang))]
    if type(old) is not type(new):
        return []
    if isinstance(old, ast.Binary) and old.op != new.op:
        return []
    if isinstance(old, ast.Call) and (old.function != new.function or len(old.args) != len(new.args)):
        return []
    if isinstance(old, ast.SetLit) and len(old.items) != len(new.items):
        return []
    if not attrs.has(type(old)):
        return []
    here = old if isinstance(old, (ast.Binary, ast.Between, ast.Within, ast.Call)) and _is_comparison(old) else context
    out: list[Parameter] = []
    for f in attrs.fields(type(old)):
        if not f.eq:
            continue
        x, y = getattr(old, f.name), getattr(new, f.name)
        if attrs.has(type(x)) and attrs.has(type(y)):
            out += _parameters(x, y, a, b, here)
        elif isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y):
            for p, q in zip(x, y):
                if attrs.has(type(p)) and attrs.has(type(q)):
                    out += _parameters(p, q, a, b, here)
    return out


def _is_comparison(node: Any) -> bool:
    return isinstance(node, (ast.Between, ast.Within)) or (isinstance(node, ast.Binary) and node.op in ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"))


def _terms(old: Any, new: Any, a: Side, b: Side) -> list[Aspect]:
    """For an any-of or all-of condition, the conditions taken out and put in."""
    for op, label in (("or", "conditions (any of)"), ("and", "conditions (all of)")):
        if isinstance(old, ast.Binary) and isinstance(new, ast.Binary) and old.op == new.op == op:
            before, after = _flatten(old, op), _flatten(new, op)
            gone = [t for t in before if not any(_same(t, u, a, b) for u in after)]
            came = [u for u in after if not any(_same(t, u, a, b) for t in before)]
            if not gone and not came:
                return []
            out = [Aspect(label, str(len(before)), str(len(after)))] if len(before) != len(after) else []
            out += [Aspect("condition taken out", unparse_expr(t, a.language), None) for t in gone]
            out += [Aspect("condition put in", None, unparse_expr(u, b.language)) for u in came]
            return out
    return []


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
        if isinstance(decl, ast.FieldDecl):
            out[("field", decl.name)] = _Clause("field", decl.name, decl, path)
        elif isinstance(decl, ast.Define):
            out[("define", decl.name)] = _Clause("define", decl.name, decl, path)
        elif isinstance(decl, ast.Requirement):
            out[("requirement", decl.name)] = _Clause("requirement", decl.name, decl, path)
        elif isinstance(decl, ast.GradeBlock):
            grade = body.grade(decl.grade)
            out.setdefault(("grade", grade), _Clause("grade", grade, decl, path, grade, decl.stage))
            for req in decl.requirements:
                out[("requirement", req.name)] = _Clause("requirement", req.name, req, path, grade, decl.stage)
        elif isinstance(decl, ast.CalendarBlock):
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
        if isinstance(value, (ast.DurationLit, ast.WorkdaysLit)) or isinstance(value, _LITERALS):
            return _value(value, lang)
        return unparse_expr(value, lang)

    def compare(name: str, p: Any, q: Any, *, expression: bool = False) -> None:
        same = _same(p, q, a, b) if expression else p == q
        if not same:
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
        if not _same(attrs.evolve(x, cite=None), attrs.evolve(y, cite=None), a, b):
            out.append(Aspect("order", _keys_text(x, la), _keys_text(y, lb)))
    elif not _same(x, y, a, b):
        out.append(Aspect("value", _text(old, a), _text(new, b)))
    return out


def _keys_text(block: ast.TieBreakBlock, language: str) -> str:
    return "\n".join(unparse_item(k, language) for k in block.keys)


def _phase_window(phase: ast.Phase, language: str) -> str:
    def moment(node: Any) -> str:
        return node.value.isoformat() if isinstance(node, ast.DateLit) else datetime_text(node.value, "en")

    parts = []
    if phase.start is not None:
        parts.append(f"{moment(phase.start)}..{moment(phase.end)}")
    elif phase.end is not None:
        parts.append(f"..{moment(phase.end)}")
    if phase.length is not None:
        parts.append(_value(phase.length, language))
    return ", ".join(parts)


_WORDING = {"title", "cite", "label"}


def _parameters_of(old: _Clause, new: _Clause, a: Side, b: Side) -> list[Parameter]:
    kind = old.kind
    if kind in ("requirement", "batch") and old.item.condition is not None and new.item.condition is not None:
        return _parameters(old.item.condition, new.item.condition, a, b)
    if kind == "define":
        params = _parameters(old.item.expr, new.item.expr, a, b)
        return [attrs.evolve(p, subject=p.subject or old.name) for p in params]
    if kind == "indicator":
        return _parameters(old.item.formula, new.item.formula, a, b)
    if kind == "rate":
        return [Parameter(unparse_item(attrs.evolve(new.item, amount=0), b.language).rsplit(" ", 1)[0], str(old.item.amount), str(new.item.amount))]
    if kind in ("setting", "semesters_per_year"):
        return [Parameter(new.name, _setting_value(old.item, a.language), _setting_value(new.item, b.language))]
    if kind == "mask":
        return [Parameter(new.name, f"{old.item.keep_first} + {old.item.keep_last}", f"{new.item.keep_first} + {new.item.keep_last}")]
    return []


def _setting_value(item: ast.Setting, language: str) -> str:
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
                aspects += _terms(x.item.condition, y.item.condition, a, b) if x.item.condition is not None and y.item.condition is not None else []
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


def _apply(body: Body, edit: Edit, header: ast.Header) -> ast.Header:
    if edit.op == "header":
        return attrs.evolve(header, **{edit.name: edit.item})
    if edit.op == "calendar":
        body.items = [i for i in body.items if not isinstance(i[0], ast.CalendarBlock)]
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

