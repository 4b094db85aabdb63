"""Compile a checked policy into Python source, once, and load it.

Safe by construction: names from the policy never become Python identifiers
(fields are ``f_N``, definitions ``d_N``, indicator scores ``s_N``); strings,
integers and booleans are inlined with ``repr()``; every other constant (dates,
decimals, durations, sets) is a global ``k_N``; the code runs in a namespace
holding only the helpers of :mod:`jifen_dsl.runtime` and no builtins. The source
is deterministic and can be printed for review (``jifen compile --show``).
"""

from __future__ import annotations

import linecache
from decimal import Decimal
from typing import Any, Callable

import attrs

from . import __version__, ir, model
from .optimizer import optimize
from .runtime import OPS, helper_globals
from .typesys import INTEGER

__all__ = ["CompiledPolicy", "compile_policy"]


@attrs.frozen
class CompiledPolicy:
    """A policy compiled to Python: ``evaluate(record)`` and ``definitions(record)``.

    A record is a tuple of the values of ``policy.read_fields``, in that order.
    ``evaluate`` returns ``(failed, missing, points, scores, batch, keys)``:
    the indexes of failed requirements; ``(requirement, value name)`` pairs for
    those that failed on a missing value; the total points (a Decimal, never
    below 0); the indicator scores in table order; the batch index (None when
    ineligible or in no batch); the values of the tie-break expression keys.
    """

    policy: model.Policy
    source: str
    filename: str
    evaluate: Callable[[tuple], tuple]
    definitions: Callable[[tuple], tuple]

    @property
    def layout(self) -> tuple[int, ...]:
        return self.policy.read_fields


class _Emitter:
    def __init__(self, policy: model.Policy):
        self.policy = policy
        self.position = {field_index: pos for pos, field_index in enumerate(policy.read_fields)}
        self.constants: dict[str, Any] = {}
        self._const_keys: dict[tuple, str] = {}

    def const(self, value: Any) -> str:
        if value is None or type(value) in (bool, int, str):
            return repr(value)
        key = (type(value).__name__, repr(value))
        name = self._const_keys.get(key)
        if name is None:
            name = f"k_{len(self._const_keys)}"
            self._const_keys[key] = name
            self.constants[name] = value
        return name

    def field(self, node: ir.FieldRef, plain: bool) -> str:
        var = f"f_{self.position[node.index]}"
        if node.nullable and not plain:
            return f"({var} if {var} is not None else h_missing({node.name!r}))"
        return var

    def guard(self, node: ir.Node) -> str:
        """A test that every value ``node`` may miss is present (for its fast path)."""
        tests: list[str] = []
        for n in ir.walk(node):
            if isinstance(n, ir.FieldRef) and n.nullable:
                test = f"f_{self.position[n.index]} is not None"
            elif isinstance(n, ir.DefRef) and n.may_miss:
                test = f"d_{n.index} is not h_MISS"
            else:
                continue
            if test not in tests:
                tests.append(test)
        return " and ".join(tests)

    def expr(self, node: ir.Node, plain: bool = False) -> str:
        """Python for an expression; ``plain`` when every value it may miss is known present."""
        if isinstance(node, ir.Const):
            value = node.value
            if isinstance(value, (set, frozenset)):
                value = frozenset(value)
            return self.const(value)
        if isinstance(node, ir.FieldRef):
            return self.field(node, plain)
        if isinstance(node, ir.DefRef):
            var = f"d_{node.index}"
            if node.may_miss and not plain:
                return f"({var} if {var} is not h_MISS else h_missing({node.name!r}))"
            return var
        if isinstance(node, ir.IndicatorRef):
            return f"s_{node.index}"
        if isinstance(node, ir.Present):
            target = node.target
            if isinstance(target, ir.FieldRef):
                return f"(f_{self.position[target.index]} is not None)"
            return f"(d_{target.index} is not h_MISS)"
        assert isinstance(node, ir.Apply)
        if node.op in ("and", "or") and not plain and any(ir.may_miss(a) for a in node.args):
            # Three-valued logic: a missing value matters only if the other side cannot decide.
            left, right = (self.expr(a) for a in node.args)
            return f"h_kleene_{node.op}(lambda: {left}, lambda: {right})"
        template = OPS[node.op][0]
        args = [self.expr(a, plain) for a in node.args]
        return template.format(*args, w=repr(str(node.span)) if node.span else repr(self.policy.path), args=", ".join(args))


def _comment(text: str) -> str:
    """Policy text made safe for a one-line comment: no character may end the line."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _indent(lines: list[str], depth: int = 1) -> list[str]:
    return ["    " * depth + line if line else line for line in lines]


def generate(policy: model.Policy) -> tuple[str, dict[str, Any]]:
    """The Python source of a policy and the constants it refers to."""
    em = _Emitter(policy)
    out: list[str] = [
        _comment(f"# Compiled from {policy.path} by jifen_dsl {__version__}."),
        "# Generated code: policy names appear only inside string literals and comments.",
        "",
    ]

    unpack = ", ".join(f"f_{pos}" for pos in range(len(policy.read_fields)))
    field_comments = [
        _comment(f"# f_{pos} = {policy.fields[i].name}" + (f" ({policy.fields[i].label})" if policy.fields[i].label else ""))
        for pos, i in enumerate(policy.read_fields)
    ]

    def definitions_block(*, constants: bool) -> list[str]:
        lines: list[str] = []
        for d in policy.definitions:
            if isinstance(d.expr, ir.Const) and not constants:
                continue  # a named constant: its uses were folded to the value itself
            lines.append(_comment(f"# {d.name}" + (f" ({d.label})" if d.label else "")))
            expr = optimize(d.expr)
            if d.may_miss:
                lines += [
                    f"if {em.guard(expr)}:",
                    f"    d_{d.index} = {em.expr(expr, plain=True)}",
                    "else:",
                    "    try:",
                    f"        d_{d.index} = {em.expr(expr)}",
                    "    except h_Missing:",
                    f"        d_{d.index} = h_MISS",
                ]
            else:
                lines.append(f"d_{d.index} = {em.expr(expr)}")
        return lines

    def requirement_lines(req: model.Requirement) -> list[str]:
        condition = optimize(req.condition)
        head = [_comment(f"# {req.name}: {req.title}" + (f" [{req.cite}]" if req.cite else ""))]
        if ir.may_miss(condition):
            # Fast path when every value is present; three-valued logic only otherwise.
            return head + [
                f"if {em.guard(condition)}:",
                f"    if not {em.expr(condition, plain=True)}:",
                f"        failed.append({req.index})",
                "else:",
                "    try:",
                f"        if not {em.expr(condition)}:",
                f"            failed.append({req.index})",
                "    except h_Missing as e:",
                f"        failed.append({req.index})",
                f"        missing = missing + (({req.index}, h_missing_name(e)),)",
            ]
        return head + [f"if not {em.expr(condition)}:", f"    failed.append({req.index})"]

    body: list[str] = []
    body += field_comments
    if policy.read_fields:
        body.append(f"({unpack},) = r")
    body += definitions_block(constants=False)
    body += ["failed = []", "missing = ()"]
    for req in policy.requirements:
        if req.grade is None:
            body += requirement_lines(req)
    grade_var = f"f_{em.position[policy.field(model.GRADE_FIELD).index]}"
    first = True
    for grade in policy.grades:
        if not grade.requirements:
            continue
        body.append(f"{'if' if first else 'elif'} {grade_var} == {grade.value!r}:")
        first = False
        inner: list[str] = []
        for index in grade.requirements:
            inner += requirement_lines(policy.requirements[index])
        body += _indent(inner)

    # points
    scores = []
    for ind in policy.points.indicators:
        body.append(_comment(f"# indicator {ind.name}: {ind.title}"))
        code = em.expr(ind.formula)
        if ind.formula.type == INTEGER:
            code = f"h_to_decimal({code})"
        body.append(f"s_{ind.index} = {code}")
        if ind.cap is not None:
            cap = em.const(Decimal(ind.cap.value))
            body += [f"if s_{ind.index} > {cap}:", f"    s_{ind.index} = {cap}"]
        scores.append(f"s_{ind.index}")
    if policy.points.total is not None:
        total = em.expr(policy.points.total)
        if policy.points.total.type == INTEGER:
            total = f"h_to_decimal({total})"
    elif scores:
        total = " + ".join(scores)
    else:
        total = em.const(Decimal(0))
    zero = em.const(Decimal(0))
    body += ["# points: never below 0", f"points = {total}", f"if points < {zero}:", f"    points = {zero}"]

    # batch
    def batch_lines(batches: tuple[model.Batch, ...]) -> list[str]:
        if not batches:
            return ["batch = None"]
        b = batches[0]
        if b.condition is None:
            return [f"batch = {b.index}"]
        condition = optimize(b.condition)
        if ir.may_miss(condition):
            # A batch condition that needs a missing value does not hold.
            lines = [
                f"if {em.guard(condition)}:",
                f"    c = {em.expr(condition, plain=True)}",
                "else:",
                "    try:",
                f"        c = {em.expr(condition)}",
                "    except h_Missing:",
                "        c = False",
                "if c:",
            ]
        else:
            lines = [f"if {em.expr(condition)}:"]
        return lines + [f"    batch = {b.index}", "else:"] + _indent(batch_lines(batches[1:]))

    body += ["if failed:", "    batch = None", "else:"] + _indent(batch_lines(policy.batches))

    keys = [em.expr(t.expr) for t in policy.tiebreaks if t.kind == "expr"]
    score_tuple = "(" + ", ".join(scores) + ("," if len(scores) == 1 else "") + ")"
    key_tuple = "(" + ", ".join(keys) + ("," if len(keys) == 1 else "") + ")"
    body.append(f"return (failed, missing, points, {score_tuple}, batch, {key_tuple})")

    out.append("def evaluate(r):")
    out += _indent(body)
    out.append("")

    # definitions(): every definition's value, for explanations
    trace: list[str] = []
    if policy.read_fields:
        trace.append(f"({unpack},) = r")
    trace += definitions_block(constants=True)
    values = ", ".join(f"d_{d.index}" for d in policy.definitions)
    trace.append(f"return ({values}{',' if len(policy.definitions) == 1 else ''})")
    out.append("def definitions(r):")
    out += _indent(trace)
    out.append("")
    return "\n".join(out), em.constants


def compile_policy(policy: model.Policy) -> CompiledPolicy:
    """Generate, compile and load the Python code of a checked policy."""
    source, constants = generate(policy)
    filename = f"<jifen {policy.path}>"
    code = compile(source, filename, "exec")
    # Register the source so a traceback into generated code shows its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = helper_globals()
    namespace["h_missing_name"] = _missing_name
    namespace.update(constants)
    exec(code, namespace)  # noqa: S102 - our own generated code, see the module docstring
    return CompiledPolicy(policy, source, filename, namespace["evaluate"], namespace["definitions"])


def _missing_name(exc) -> str:
    return exc.name
