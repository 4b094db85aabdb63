"""Which sub-expressions the scalar backend computes for an applicant: where a raise would happen.

The columnar backend computes every node for every row; the scalar backend
computes a node only when it gets to it. ``1 / x`` in an ``else`` branch not
taken raises nothing there, so a row is trouble only where a node that raises
is *reached*. This module follows the code the compiler generates
(:mod:`jifen_dsl.compile.emitter`) exactly:

* PLAIN (and GUARDED) code is Python's own: ``a and b`` computes ``b`` only
  when ``a`` is true, ``a or b`` only when ``a`` is false, ``c if t else e``
  one branch, the chained ``lo <= x <= hi`` of ``between`` computes ``hi`` only
  when ``lo <= x``; every other operation computes all its arguments.
* A statement whose expression may meet a missing value runs its GUARDED code
  when every value it may miss is present, its three-valued (TRI) code
  otherwise. In TRI code ``and`` computes its right side unless the left is
  false (``or``: true); an ``if`` with a missing condition computes neither
  branch; any other operation tests its arguments that may miss in order,
  stopping at the first missing one, and only then computes the rest.

Each term of the trouble is "reached here and raises here"; their disjunction
is exactly the rows whose scalar evaluation raises (the first raise is
reached, whatever comes after it).
"""

from __future__ import annotations

import polars as pl

from jifen_dsl.compile.columnar.expressions import ExpressionCompiler
from jifen_dsl.lang import ir

__all__ = ["Reach"]


def _and(a, b):
    """Both conditions (a condition is an expression, or True for every row)."""
    if a is True:
        return b
    if b is True:
        return a
    return a & b


def _true(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False)


def _false(expr: pl.Expr) -> pl.Expr:
    return (~expr).fill_null(False)


class Reach:
    """The trouble terms of a policy's statements, gathered as each is followed."""

    def __init__(self, compiler: ExpressionCompiler):
        self.compiler = compiler
        self.terms: list[pl.Expr] = []

    def trouble(self) -> pl.Expr:
        if not self.terms:
            return pl.lit(False)
        return pl.any_horizontal(self.terms)

    def add(self, condition, raises: pl.Expr | None) -> None:
        if raises is None or condition is False:
            return
        self.terms.append(_true(_and(condition, raises.fill_null(False))))

    def statement(self, expr: ir.Node, at=True) -> None:
        """A statement computing ``expr`` when ``at`` holds: GUARDED code when its values are present, else TRI."""
        if not ir.may_miss(expr):
            self.plain(expr, at)
            return
        guard = self.guard(expr)
        self.plain(expr, _and(at, guard))
        self.tri(expr, _and(at, ~guard))

    def guard(self, expr: ir.Node) -> pl.Expr:
        """Every value ``expr`` may miss is present (the compiler's guard)."""
        tests = []
        seen = set()
        for n in ir.walk(expr):
            if isinstance(n, (ir.FieldRef, ir.DefRef)) and ir.may_miss(n):
                key = (type(n).__name__, n.index)
                if key not in seen:
                    seen.add(key)
                    tests.append(~self.compiler.value(n).missing())
        return pl.all_horizontal(tests) if tests else pl.lit(True)

    def _value(self, node: ir.Node) -> pl.Expr:
        return self.compiler.value(node).expr

    def plain(self, node: ir.Node, at) -> None:
        """Python's evaluation of ``node`` (PLAIN or GUARDED code), reached where ``at``."""
        if not isinstance(node, ir.Apply):
            return
        args = node.args
        if node.op == "and":
            self.plain(args[0], at)
            self.plain(args[1], _and(at, _true(self._value(args[0]))))
        elif node.op == "or":
            self.plain(args[0], at)
            self.plain(args[1], _and(at, _false(self._value(args[0]))))
        elif node.op == "if":
            self.plain(args[0], at)
            condition = self._value(args[0])
            self.plain(args[1], _and(at, _true(condition)))
            self.plain(args[2], _and(at, _false(condition)))
        elif node.op == "between":
            self.plain(args[1], at)
            self.plain(args[0], at)
            self.plain(args[2], _and(at, self._low_holds(node)))
        else:
            for a in args:
                self.plain(a, at)
        self.add(at, self.compiler.compile(node).raises)

    def _low_holds(self, node: ir.Apply) -> pl.Expr:
        """``lo <= x`` of a between, the first half of Python's chained comparison."""
        return _true(self.compiler.low_holds[id(node)].expr)

    def tri(self, node: ir.Node, at) -> None:
        """The three-valued evaluation of ``node``, reached where ``at``."""
        if not isinstance(node, ir.Apply) or not ir.may_miss(node):
            self.plain(node, at)
            return
        args = node.args
        if node.op in ("and", "or"):
            self.tri(args[0], at)
            left = self._value(args[0])
            undecided = (left | left.is_null()) if node.op == "and" else (~left | left.is_null())
            self.tri(args[1], _and(at, _true(undecided)))
            return
        if node.op == "if":
            condition = self._value(args[0])
            if ir.may_miss(args[0]):
                self.tri(args[0], at)
            else:
                self.plain(args[0], at)
            self.tri(args[1], _and(at, _true(condition)))
            self.tri(args[2], _and(at, _false(condition)))
            return
        ok = at
        inline = []
        for a in args:
            if isinstance(a, (ir.FieldRef, ir.DefRef)) and ir.may_miss(a):
                ok = _and(ok, ~self.compiler.value(a).missing())
            elif ir.may_miss(a):
                self.tri(a, ok)
                ok = _and(ok, ~self.compiler.value(a).missing())
            else:
                inline.append(a)
        for a in inline:
            if node.op == "between" and a is args[2]:
                self.plain(a, _and(ok, self._low_holds(node)))
            else:
                self.plain(a, ok)
        self.add(ok, self.compiler.compile(node).raises)
