"""Python text for one checked expression, in the four ways the compiler needs it.

An expression that may meet a missing value is compiled more than once (see
:mod:`jifen_dsl.compile.compiler`): :class:`Emitter` writes each reading of it,
names fields, definitions and scores by position only, and gathers the constants
the code refers to. The small helpers below shape generated lines.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.lang import ir, model
from jifen_dsl.lang.operations import OPS

__all__ = ["PLAIN", "GUARDED", "TRI", "STRICT", "Emitter", "comment", "indent", "tuple_display"]

# How an expression is compiled:
PLAIN = "plain"  # it reads no value that may be missing
GUARDED = "guarded"  # a test just established that every value it may miss is present
TRI = "tri"  # None is "unknown"; the result may be None
STRICT = "strict"  # a missing value raises runtime.Missing naming it


class Emitter:
    """Python for the expressions of one policy, and the constants that code refers to (``k_N``)."""

    def __init__(self, policy: model.Policy):
        self.policy = policy
        self.position = {field_index: pos for pos, field_index in enumerate(policy.read_fields)}
        self.constants: dict[str, Any] = {}
        self._const_keys: dict[tuple, str] = {}
        self._temps = 0
        # An indicator's score held by a plain name (a field or a constant, no cap) is read
        # through that name: the compiler stores no s_N for it (see compiler._points_lines).
        self.score_names: dict[int, str] = {}

    def const(self, value: Any) -> str:
        if value is None or type(value) in (bool, int, str):
            return repr(value)
        if isinstance(value, set):
            value = frozenset(value)
        key = (type(value).__name__, repr(value))
        name = self._const_keys.get(key)
        if name is None:
            name = f"k_{len(self._const_keys)}"
            self._const_keys[key] = name
            self.constants[name] = value
        return name

    def temp(self) -> str:
        self._temps += 1
        return f"t_{self._temps}"

    def statement(self) -> None:
        """A new statement begins: temporaries of the last one are dead, so their names can be reused.

        Fewer distinct local names also keeps Python's own compiler fast on very
        large policies (it slows down with thousands of locals in one function).
        """
        self._temps = 0

    def var(self, node: ir.FieldRef | ir.DefRef) -> str:
        return f"f_{self.position[node.index]}" if isinstance(node, ir.FieldRef) else f"d_{node.index}"

    def guard(self, node: ir.Node) -> str:
        """A test that every value ``node`` may miss is present (for its fast path)."""
        tests: list[str] = []
        for n in ir.walk(node):
            if isinstance(n, (ir.FieldRef, ir.DefRef)) and ir.may_miss(n):
                test = f"{self.var(n)} is not None"
                if test not in tests:
                    tests.append(test)
        return " and ".join(tests)

    def expr(self, node: ir.Node, mode: str) -> str:
        """Python for an expression in one of the modes PLAIN, TRI or STRICT."""
        if isinstance(node, ir.Const):
            return self.const(node.value)
        if isinstance(node, (ir.FieldRef, ir.DefRef)):
            var = self.var(node)
            if mode == STRICT and ir.may_miss(node):
                return f"({var} if {var} is not None else h_missing({node.name!r}))"
            return var
        if isinstance(node, ir.IndicatorRef):
            return self.score_names.get(node.index, f"s_{node.index}")
        if isinstance(node, ir.EvidenceRef):
            return f"v_{node.slot}"
        if isinstance(node, ir.Present):
            return "True" if mode == GUARDED else f"({self.var(node.target)} is not None)"
        assert isinstance(node, ir.Apply)
        if mode == GUARDED and node.op == "if" and isinstance(node.args[0], ir.Present):
            return self.expr(node.args[1], GUARDED)
        if mode in (PLAIN, GUARDED) or not ir.may_miss(node):
            return self._apply(node, [self.expr(a, mode if mode == GUARDED else PLAIN) for a in node.args])
        if mode == STRICT:
            if node.op in ("and", "or"):
                left, right = (self.expr(a, STRICT) for a in node.args)
                return f"h_kleene_{node.op}(lambda: {left}, lambda: {right})"
            return self._apply(node, [self.expr(a, STRICT) for a in node.args])
        return self._tri(node)

    def _apply(self, node: ir.Apply, args: list[str]) -> str:
        where = repr(str(node.span)) if node.span else repr(self.policy.path)
        return OPS[node.op][0].format(*args, w=where, args=", ".join(args))

    def _tri(self, node: ir.Apply) -> str:
        """Three-valued code: None when the result depends on a missing value."""
        if node.op in ("and", "or"):
            a, b = self.temp(), self.temp()
            left, right = (self.expr(x, TRI) for x in node.args)
            decides, other = ("True", "False") if node.op == "or" else ("False", "True")
            # Kleene: a deciding side wins whatever the other; otherwise unknown if either is.
            return (
                f"({decides} if ({a} := {left}) is {decides} else "
                f"({decides} if ({b} := {right}) is {decides} else "
                f"(None if {a} is None or {b} is None else {other})))"
            )
        if node.op == "if":
            condition, then, otherwise = node.args
            if ir.may_miss(condition):
                c = self.temp()
                return f"(None if ({c} := {self.expr(condition, TRI)}) is None else ({self.expr(then, TRI)} if {c} else {self.expr(otherwise, TRI)}))"
            return f"({self.expr(then, TRI)} if {self.expr(condition, PLAIN)} else {self.expr(otherwise, TRI)})"
        # Any other operation is unknown when one of its operands is.
        checks, args = [], []
        for arg in node.args:
            if isinstance(arg, (ir.FieldRef, ir.DefRef)) and ir.may_miss(arg):
                checks.append(f"{self.var(arg)} is None")  # a plain variable needs no temporary
                args.append(self.var(arg))
            elif ir.may_miss(arg):
                t = self.temp()
                checks.append(f"({t} := {self.expr(arg, TRI)}) is None")
                args.append(t)
            else:
                args.append(self.expr(arg, PLAIN))
        return f"(None if {' or '.join(checks)} else {self._apply(node, args)})"


def comment(text: str) -> str:
    """Policy text made safe for a one-line comment: no character may end the line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def indent(lines: list[str], depth: int = 1) -> list[str]:
    return ["    " * depth + line if line else line for line in lines]


def tuple_display(items: list[str]) -> str:
    """Python for a tuple of these expressions; one item takes a trailing comma."""
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
