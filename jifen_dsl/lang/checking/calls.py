"""Typing of calls to the built-in functions: each function's arguments and result.

Part of the checker (see :mod:`jifen_dsl.lang.checking.checker`), kept apart from the other
expression rules in :mod:`jifen_dsl.lang.checking.expressions` because every function has
rules of its own: how many arguments it takes, of which types, and what it
gives back. Every problem is recorded, never raised; a call found wrong takes
the type ``ERROR``.
"""

from __future__ import annotations

from jifen_dsl.lang import syntax, ir
from jifen_dsl.lang.functions import FUNCTIONS, SPELLING
from jifen_dsl.lang.checking.expressions import describe, type_name
from jifen_dsl.messages import M, N, T, quoted, series
from jifen_dsl.lang.typesys import BOOL, DATE, DATETIME, DECIMAL, ERROR, INTEGER, is_numeric, is_orderable, unify

__all__ = ["CallTyping"]

# The method that types a call of each function (by its canonical name) once its
# arguments are typed. present() is missing: it types its argument itself.
_RULE_OF = {
    "full_years": "_call_time_between",
    "full_months": "_call_time_between",
    "age_on": "_call_time_between",
    "days_between": "_call_time_between",
    "min": "_call_extreme",
    "max": "_call_extreme",
    "round": "_call_round",
    "count": "_call_count",
    "year_of": "_call_date_part",
    "month_of": "_call_date_part",
    "day_of": "_call_date_part",
    "workdays_between": "_call_workdays_between",
    "start_of": "_call_phase_bound",
    "end_of": "_call_phase_bound",
    "date_of": "_call_date_of",
}


class CallTyping:
    """Mixin of the checker that types function calls; it builds on ExpressionTyping."""

    def _e_Call(self, node, ctx):
        canonical = SPELLING.get(node.function)
        if canonical is None:
            hint = self._suggest(node.function, list(SPELLING))
            self.error(
                M("C0301", "unknown function {name}", name=quoted(node.function)),
                node.function_span or node.span,
                hint or T("the functions are: {functions}", functions=series(FUNCTIONS)),
            )
            return ir.Const(None, ERROR, span=node.span)
        if canonical == "present":
            return self._present(node, ctx)
        args = [self._visit(a, ctx) for a in node.args]
        if any(a.type == ERROR for a in args):
            return ir.Const(None, ERROR, span=node.span)
        rule = getattr(self, _RULE_OF[canonical])
        return rule(node, canonical, node.spelling or node.function, args)

    def _present(self, node, ctx):
        if len(node.args) != 1 or not isinstance(node.args[0], syntax.Ref):
            self.error(M("C0302", "{function}() takes one field, e.g. present(applied_at)", function=node.spelling or node.function), node.span)
            return ir.Const(None, ERROR, span=node.span)
        target = self._visit(node.args[0], ctx)
        if target.type == ERROR:
            return target
        if not isinstance(target, (ir.FieldRef, ir.DefRef)) or not ir.may_miss(target):
            self.warn(
                M("C0303", "{name} always has a value, so {function}() is always true", name=quoted(node.args[0].name), function=node.spelling or node.function),
                node.span,
            )
            return ir.Const(True, BOOL, span=node.span)
        return ir.Present(target, BOOL, span=node.span)

    def _call_arity(self, node, shown: str, args: list[ir.Node], n: int) -> bool:
        """Whether the call has ``n`` arguments; if not, say so."""
        if len(args) != n:
            self.error(
                M("C0304", "{function}() takes {arguments}, not {given}", function=shown, arguments=N("{count} argument", "{count} arguments", n), given=len(args)),
                node.span,
            )
            return False
        return True

    def _call_time_between(self, node, canonical: str, shown: str, args: list[ir.Node]) -> ir.Node:
        if not self._call_arity(node, shown, args, 2):
            return ir.Const(None, ERROR, span=node.span)
        types = [a.type for a in args]
        if not (types[0] == types[1] and types[0] in (DATE, DATETIME)):
            self.error(
                M("C0305", "{function}() needs two dates, but got {first} and {second}", function=shown, first=type_name(types[0]), second=type_name(types[1])),
                node.span,
            )
            return ir.Const(None, ERROR, span=node.span)
        op = "full_years" if canonical == "age_on" else canonical
        return self._apply(op, tuple(args), INTEGER, node.span)

    def _call_extreme(self, node, canonical: str, shown: str, args: list[ir.Node]) -> ir.Node:
        """min() and max(): two or more numbers, dates or times of one kind."""
        types = [a.type for a in args]
        if len(args) < 2:
            self.error(M("C0306", "{function}() needs at least two arguments", function=shown), node.span)
            return ir.Const(None, ERROR, span=node.span)
        joined = types[0]
        for t in types[1:]:
            joined = unify(joined, t)
            if joined is None:
                break
        if joined is None or not is_orderable(joined):
            self.error(
                M("C0307", "{function}() needs numbers, dates or times of one kind, but got {types}", function=shown, types=series(type_name(t) for t in types)),
                node.span,
            )
            return ir.Const(None, ERROR, span=node.span)
        return self._apply(canonical, tuple(args), joined, node.span)

    def _call_round(self, node, canonical: str, shown: str, args: list[ir.Node]) -> ir.Node:
        if not self._call_arity(node, shown, args, 2):
            return ir.Const(None, ERROR, span=node.span)
        types = [a.type for a in args]
        if not is_numeric(types[0]) or not (isinstance(args[1], ir.Const) and types[1] == INTEGER and 0 <= args[1].value <= 10):
            self.error(M("C0308", "{function}(x, n) needs a number and a fixed number of decimal places from 0 to 10", function=shown), node.span)
            return ir.Const(None, ERROR, span=node.span)
        return self._apply("round", tuple(args), DECIMAL, node.span)

    def _call_count(self, node, canonical: str, shown: str, args: list[ir.Node]) -> ir.Node:
        if not self._call_arity(node, shown, args, 1):
            return ir.Const(None, ERROR, span=node.span)
        if args[0].type.kind not in ("school_list", "text_list"):
            self.error(M("C0309", "{function}() counts the entries of a list, not {type}", function=shown, type=describe(args[0].type)), node.span)
            return ir.Const(None, ERROR, span=node.span)
        return self._apply("count", tuple(args), INTEGER, node.span)

    def _call_date_part(self, node, canonical: str, shown: str, args: list[ir.Node]) -> ir.Node:
        """year_of(), month_of() and day_of()."""
        if not self._call_arity(node, shown, args, 1):
            return ir.Const(None, ERROR, span=node.span)
        if args[0].type not in (DATE, DATETIME):
            self.error(M("C0310", "{function}() needs a date, not {type}", function=shown, type=describe(args[0].type)), node.span)
            return ir.Const(None, ERROR, span=node.span)
        return self._apply(canonical, tuple(args), INTEGER, node.span)

    def _call_workdays_between(self, node, canonical: str, shown: str, args: list[ir.Node]) -> ir.Node:
        if not self._call_arity(node, shown, args, 2):
            return ir.Const(None, ERROR, span=node.span)
        types = [a.type for a in args]
        if not all(t in (DATE, DATETIME) for t in types):
            self.error(
                M("C0305", "{function}() needs two dates, but got {first} and {second}", function=shown, first=type_name(types[0]), second=type_name(types[1])),
                node.span,
            )
            return ir.Const(None, ERROR, span=node.span)
        return self._apply("workdays_between", (args[0], args[1], self._calendar(node.span)), INTEGER, node.span)

    def _call_phase_bound(self, node, canonical: str, shown: str, args: list[ir.Node]) -> ir.Node:
        """start_of() and end_of() a phase: a fixed date (and time), known from the schedule."""
        if not self._call_arity(node, shown, args, 1):
            return ir.Const(None, ERROR, span=node.span)
        if args[0].type.kind != "window" or not isinstance(args[0], ir.Const):
            self.error(M("C0311", "{function}() takes a phase of the schedule, not {type}", function=shown, type=describe(args[0].type)), node.span)
            return ir.Const(None, ERROR, span=node.span)
        window = args[0].value
        bound = window.start if canonical == "start_of" else window.end
        if bound is None:
            self.error(M("C0312", "the phase {name} has no published start", name=quoted(node.args[0].name)), node.span, T("give it one: from ... to ..."))
            return ir.Const(None, ERROR, span=node.span)
        return ir.Const(bound, DATETIME if window.has_time else DATE, span=node.span)

    def _call_date_of(self, node, canonical: str, shown: str, args: list[ir.Node]) -> ir.Node:
        if not self._call_arity(node, shown, args, 1):
            return ir.Const(None, ERROR, span=node.span)
        if args[0].type != DATETIME:
            self.error(M("C0313", "{function}() needs a date and time, not {type}", function=shown, type=describe(args[0].type)), node.span)
            return ir.Const(None, ERROR, span=node.span)
        return self._apply("date_of", tuple(args), DATE, node.span)
