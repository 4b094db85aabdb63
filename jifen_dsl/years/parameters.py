"""Read the values that changed out of two versions of a clause: windows, bounds, constants, conditions put in and taken out.

``x between A and B``, ``x <= B``, ``x >= A`` and ``x = A`` bound one term by
constants: the change reads as a window, ``2015-09-01..2016-08-31 -> ..2017-08-31``
(``A..`` at least A, ``..B`` at most B, ``> A`` and ``< B`` strictly). A constant
that changed inside a condition of the same shape reads with the comparison
around it. A definition that is a single constant counts as that constant.
"""

from __future__ import annotations

from typing import Any

import attrs

from jifen_dsl.lang import syntax
from jifen_dsl.lang.walk import rebuild
from jifen_dsl.years.sides import Side, same
from jifen_dsl.lang.unparsing.unparse import datetime_text, literal_text, unparse_expr

__all__ = ["Aspect", "Parameter", "parameters", "terms", "value_text", "LITERALS"]


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


LITERALS = (syntax.NumberLit, syntax.StringLit, syntax.BoolLit, syntax.DateLit, syntax.DateTimeLit, syntax.DurationLit, syntax.WorkdaysLit)


def value_text(node: Any, language: str) -> str:
    """A constant as a parameter shows it: dates in ISO form, strings bare, sets of constants in braces."""
    if isinstance(node, syntax.DateLit):
        return node.value.isoformat()
    if isinstance(node, syntax.DateTimeLit):
        return datetime_text(node.value, "en")
    if isinstance(node, syntax.StringLit):
        return node.value
    if isinstance(node, syntax.SetLit) and all(isinstance(i, LITERALS) for i in node.items):
        return "{" + ", ".join(value_text(i, language) for i in node.items) + "}"
    if isinstance(node, LITERALS):
        return literal_text(node, language)
    return unparse_expr(node, language)


_FLIP = {"lt": "gt", "le": "ge", "gt": "lt", "ge": "le", "eq": "eq"}


def _window(expr: Any) -> tuple[Any, Any, Any, str] | None:
    """(term, low, high, form) when ``expr`` bounds one term by constants: between, a comparison, an equality."""
    if isinstance(expr, syntax.Between) and isinstance(expr.low, LITERALS) and isinstance(expr.high, LITERALS):
        return expr.value, expr.low, expr.high, "between"
    if isinstance(expr, syntax.Binary) and expr.op in _FLIP:
        term, bound, op = expr.left, expr.right, expr.op
        if isinstance(term, LITERALS + (syntax.SetLit,)) and not isinstance(bound, LITERALS + (syntax.SetLit,)):
            term, bound, op = bound, term, _FLIP[op]
        if not isinstance(bound, LITERALS) or isinstance(term, LITERALS):
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
        if isinstance(decl, syntax.Define) and isinstance(decl.expr, LITERALS):
            constants[decl.name] = decl.expr
            if decl.label is not None:
                constants[decl.label] = decl.expr
    if not constants:
        return expr
    return rebuild(expr, lambda n: constants.get(n.name, n) if isinstance(n, syntax.Ref) else n)


def _window_text(window: tuple[Any, Any, Any, str], language: str) -> str:
    _, low, high, form = window
    if form == "eq":
        return f"= {value_text(low, language)}"
    if form == "between":
        return f"{value_text(low, language)}..{value_text(high, language)}"
    return {
        "ge": lambda: f"{value_text(low, language)}..", "gt": lambda: f"> {value_text(low, language)}",
        "le": lambda: f"..{value_text(high, language)}", "lt": lambda: f"< {value_text(high, language)}",
    }[form]()


def _flatten(expr: Any, op: str) -> list[Any]:
    if isinstance(expr, syntax.Binary) and expr.op == op:
        return _flatten(expr.left, op) + _flatten(expr.right, op)
    return [expr]


def parameters(old: Any, new: Any, a: Side, b: Side, context: Any = None) -> list[Parameter]:
    """The values that changed between two versions of an expression of the same shape."""
    lang = b.language
    if isinstance(old, syntax.Evidence) and isinstance(new, syntax.Evidence) and old.indicator == new.indicator \
            and all(isinstance(x, LITERALS) for x in (old.low, old.high, new.low, new.high)):
        before = f"{value_text(old.low, lang)}..{value_text(old.high, lang)}"
        after = f"{value_text(new.low, lang)}..{value_text(new.high, lang)}"
        return [Parameter(unparse_expr(attrs.evolve(new, low=None, high=None), lang), before, after)] if before != after else []
    wo, wn = _window(_inline(old, a)), _window(_inline(new, b))
    if wo and wn and same(wo[0], wn[0], a, b):
        before, after = _window_text(wo, lang), _window_text(wn, lang)
        if before != after:
            return [Parameter(unparse_expr(wn[0], lang), before, after)]
        return []
    if isinstance(old, LITERALS + (syntax.SetLit,)) and isinstance(new, LITERALS + (syntax.SetLit,)) and not same(old, new, a, b):
        subject = unparse_expr(context, lang) if context is not None else ""
        return [Parameter(subject, value_text(old, lang), value_text(new, lang))]
    if type(old) is not type(new):
        return []
    if isinstance(old, syntax.Binary) and old.op != new.op:
        return []
    if isinstance(old, syntax.Call) and (old.function != new.function or len(old.args) != len(new.args)):
        return []
    if isinstance(old, syntax.SetLit) and len(old.items) != len(new.items):
        return []
    if not attrs.has(type(old)):
        return []
    here = old if isinstance(old, (syntax.Binary, syntax.Between, syntax.Within, syntax.Call)) and _is_comparison(old) else context
    out: list[Parameter] = []
    for f in attrs.fields(type(old)):
        if not f.eq:
            continue
        x, y = getattr(old, f.name), getattr(new, f.name)
        if attrs.has(type(x)) and attrs.has(type(y)):
            out += parameters(x, y, a, b, here)
        elif isinstance(x, tuple) and isinstance(y, tuple) and len(x) == len(y):
            for p, q in zip(x, y):
                if attrs.has(type(p)) and attrs.has(type(q)):
                    out += parameters(p, q, a, b, here)
    return out


def _is_comparison(node: Any) -> bool:
    return isinstance(node, (syntax.Between, syntax.Within)) or (isinstance(node, syntax.Binary) and node.op in ("eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"))


def terms(old: Any, new: Any, a: Side, b: Side) -> list[Aspect]:
    """For an any-of or all-of condition, the conditions taken out and put in."""
    for op, label in (("or", "conditions (any of)"), ("and", "conditions (all of)")):
        if isinstance(old, syntax.Binary) and isinstance(new, syntax.Binary) and old.op == new.op == op:
            before, after = _flatten(old, op), _flatten(new, op)
            gone = [t for t in before if not any(same(t, u, a, b) for u in after)]
            came = [u for u in after if not any(same(t, u, a, b) for t in before)]
            if not gone and not came:
                return []
            out = [Aspect(label, str(len(before)), str(len(after)))] if len(before) != len(after) else []
            out += [Aspect("condition taken out", unparse_expr(t, a.language), None) for t in gone]
            out += [Aspect("condition put in", None, unparse_expr(u, b.language)) for u in came]
            return out
    return []
