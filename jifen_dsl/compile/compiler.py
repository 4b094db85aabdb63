"""Compile a checked policy into Python source, once, and load it.

Safe by construction: names from the policy never become Python identifiers
(fields are ``f_N``, definitions ``d_N``, indicator scores ``s_N``); strings,
integers and booleans are inlined with ``repr()``; every other constant (dates,
decimals, durations, sets) is a global ``k_N``; the code runs in a namespace
holding only the helpers of :mod:`jifen_dsl.lang.operations` and no builtins. The source
is deterministic and can be printed for review (``jifen compile --show``).

Missing values. An optional field left empty is ``None``. Each expression that
may meet one is compiled twice in ``evaluate``: a plain fast path, taken when
every value it reads is present, and a three-valued path in which ``None`` means
"unknown" and ``and``/``or`` follow Kleene's logic (a false side decides an
``and``, a true side an ``or``). Neither path raises or allocates for a missing
value. Which value was missing is only needed to explain a failure, so it is
found afterwards, on demand, by ``missing_name`` - a third, exception-based
reading of the same expression.
"""

from __future__ import annotations

import linecache
import re
from decimal import Decimal
from typing import Any, Callable

import attrs

from jifen_dsl import __version__
from jifen_dsl.lang import ir, model
from jifen_dsl.errors import Diagnostic, PolicyError
from jifen_dsl.compile.optimizer import optimize
from jifen_dsl.compile.order import order_parts
from jifen_dsl.compile.namespace import helper_globals
from jifen_dsl.lang.operations import OPS
from jifen_dsl.lang.typesys import INTEGER

# Generated names that are cheap to load twice: a field, a definition or a constant.
_SIMPLE_NAME = re.compile(r"[fdk]_[0-9]+")

__all__ = ["CompiledPolicy", "compile_policy", "generate"]


@attrs.frozen
class CompiledPolicy:
    """A policy compiled to Python.

    A record is a tuple of the values of ``policy.read_fields``, in that order,
    followed by the applicant's evidence items for each of ``policy.evidence``
    (a tuple of (date, value) pairs sorted by date, empty when there are none).
    ``evaluate(record)`` returns ``(failed, unknown, points, scores, batch, keys)``:
    the indexes of failed requirements; those of them that failed because a value
    they need is missing; the total points (a Decimal, never below 0); the
    indicator scores in table order; the batch index (None when ineligible or in
    no batch); the values of the tie-break expression keys.
    ``definitions(record)`` gives every definition's value (None when missing),
    and ``missing_name(requirement, record)`` the name of the missing value that
    left a requirement undecided.
    """

    policy: model.Policy
    source: str
    filename: str
    evaluate: Callable[[tuple], tuple]
    definitions: Callable[[tuple], tuple]
    missing_name: Callable[[int, tuple], str | None]
    # evaluate_all(applicants, new, cls, append, groups, open_group, missing_name, tuple): evaluate
    # each applicant in one loop and append an evaluation of ``cls`` (made with ``new``, its slots
    # set) for each. For each eligible one, ``groups[grade]`` (made by ``open_group(grade)`` the
    # first time) holds one append function per column: the evaluation, then each value of its
    # order (see ranking.order_parts). The evaluator's bulk path; see evaluator.evaluate.
    evaluate_all: Callable[..., None]

    @property
    def layout(self) -> tuple[int, ...]:
        return self.policy.read_fields


# How an expression is compiled:
PLAIN = "plain"  # it reads no value that may be missing
GUARDED = "guarded"  # a test just established that every value it may miss is present
TRI = "tri"  # None is "unknown"; the result may be None
STRICT = "strict"  # a missing value raises runtime.Missing naming it


class _Emitter:
    def __init__(self, policy: model.Policy):
        self.policy = policy
        self.position = {field_index: pos for pos, field_index in enumerate(policy.read_fields)}
        self.constants: dict[str, Any] = {}
        self._const_keys: dict[tuple, str] = {}
        self._temps = 0

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
            return f"s_{node.index}"
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
    slots = [f"f_{pos}" for pos in range(len(policy.read_fields))] + [f"v_{slot}" for slot in range(len(policy.evidence))]
    unpack = [f"({', '.join(slots)},) = r"] if slots else []
    field_comments = [
        _comment(f"# f_{pos} = {policy.fields[i].name}" + (f" ({policy.fields[i].label})" if policy.fields[i].label else ""))
        for pos, i in enumerate(policy.read_fields)
    ] + [_comment(f"# v_{slot} = evidence of {name}") for slot, name in enumerate(policy.evidence)]
    definitions = [(d, optimize(d.expr)) for d in policy.definitions]
    requirements = [(r, optimize(r.condition)) for r in policy.requirements]

    def definition_lines(mode: str, *, constants: bool) -> list[str]:
        lines: list[str] = []
        for d, expr in definitions:
            em.statement()
            if isinstance(expr, ir.Const) and not constants:
                continue  # a named constant: its uses were folded to the value itself
            lines.append(_comment(f"# {d.name}" + (f" ({d.label})" if d.label else "")))
            if not ir.may_miss(expr):
                lines.append(f"d_{d.index} = {em.expr(expr, PLAIN)}")
            elif mode == STRICT:
                lines += ["try:", f"    d_{d.index} = {em.expr(expr, STRICT)}", "except h_Missing:", f"    d_{d.index} = None"]
            else:
                lines += [
                    f"if {em.guard(expr)}:",
                    f"    d_{d.index} = {em.expr(expr, GUARDED)}",
                    "else:",
                    f"    d_{d.index} = {em.expr(expr, TRI)}",
                ]
        return lines

    def requirement_lines(req: model.Requirement, condition: ir.Node) -> list[str]:
        em.statement()
        head = [_comment(f"# {req.name}: {req.title}" + (f" [{req.cite}]" if req.cite else ""))]
        if not ir.may_miss(condition):
            return head + [f"if not {em.expr(condition, PLAIN)}:", f"    failed.append({req.index})"]
        return head + [
            f"if {em.guard(condition)}:",
            f"    if not {em.expr(condition, GUARDED)}:",
            f"        failed.append({req.index})",
            f"elif (t_0 := {em.expr(condition, TRI)}) is not True:",
            f"    failed.append({req.index})",
            "    if t_0 is None:",
            f"        unknown = unknown + ({req.index},)",
        ]

    body: list[str] = field_comments + unpack + definition_lines(TRI, constants=False)
    body += ["failed = []", "unknown = ()"]
    for req, condition in requirements:
        if req.grade is None:
            body += requirement_lines(req, condition)
    grade_var = f"f_{em.position[policy.field(model.GRADE_FIELD).index]}"
    first = True
    for grade in policy.grades:
        if not grade.requirements:
            continue
        body.append(f"{'if' if first else 'elif'} {grade_var} == {grade.value!r}:")
        first = False
        inner: list[str] = []
        for index in grade.requirements:
            inner += requirement_lines(*requirements[index])
        body += _indent(inner)

    # points
    scores = []
    for ind in policy.points.indicators:
        body.append(_comment(f"# indicator {ind.name}: {ind.title}"))
        code = em.expr(optimize(ind.formula), PLAIN)
        if ind.formula.type == INTEGER:
            code = f"h_to_decimal({code})"
        if ind.cap is None and _SIMPLE_NAME.fullmatch(code):
            body[-1] += f" = {code}"
            scores.append(code)  # a field or constant as it stands: no temporary to store and load again
            continue
        body.append(f"s_{ind.index} = {code}")
        if ind.cap is not None:
            cap = em.const(Decimal(ind.cap.value))
            body += [f"if s_{ind.index} > {cap}:", f"    s_{ind.index} = {cap}"]
        scores.append(f"s_{ind.index}")
    if policy.points.total is not None:
        total = em.expr(optimize(policy.points.total), PLAIN)
        if policy.points.total.type == INTEGER:
            total = f"h_to_decimal({total})"
    elif scores:
        total = " + ".join(scores)
    else:
        total = em.const(Decimal(0))
    zero = em.const(Decimal(0))
    body += ["# points: never below 0", f"points = {total}", f"if points < {zero}:", f"    points = {zero}"]

    # batch: the first whose condition holds; a condition that needs a missing value does not
    def batch_lines(batches: tuple[model.Batch, ...]) -> list[str]:
        if not batches:
            return ["batch = None"]
        b = batches[0]
        if b.condition is None:
            return [f"batch = {b.index}"]
        em.statement()
        condition = optimize(b.condition)
        if ir.may_miss(condition):
            test = f"({em.expr(condition, GUARDED)} if {em.guard(condition)} else {em.expr(condition, TRI)} is True)"
        else:
            test = em.expr(condition, PLAIN)
        return [f"if {test}:", f"    batch = {b.index}", "else:"] + _indent(batch_lines(batches[1:]))

    if policy.batches:
        body += ["if failed:", "    batch = None", "else:"] + _indent(batch_lines(policy.batches))
        batch = "batch"
    else:
        batch = "None"

    keys = [em.expr(optimize(t.expr), PLAIN) for t in policy.tiebreaks if t.kind == "expr"]
    score_tuple = "(" + ", ".join(scores) + ("," if len(scores) == 1 else "") + ")"
    key_tuple = "(" + ", ".join(keys) + ("," if len(keys) == 1 else "") + ")"
    result = f"(failed, unknown, points, {score_tuple}, {batch}, {key_tuple})"
    out += ["def evaluate(r):"] + _indent(body + [f"return {result}"]) + [""]

    # evaluate_all(): the same body in one loop over a whole cohort, making each
    # evaluation in place - no call, no result tuple to pack and unpack per applicant.
    # For the eligible it also gathers, by grade, the values the ranking orders by,
    # while they are at hand (see ranking.order_parts). The names it adds (b_...) are
    # its own: no generated name starts so. (The comments are evaluate()'s to show.)
    bulk_keys = [f"b_key_{j}" for j in range(len(keys))]
    bulk_key_tuple = "(" + ", ".join(bulk_keys) + ("," if len(keys) == 1 else "") + ")"

    def order_value(part) -> str:
        if part.source == "batch":
            return batch
        if part.source == "points":
            return "points"
        if part.source == "indicator":
            return scores[part.index]
        if part.source == "key":
            return bulk_keys[part.index]
        return "b_applicant.id"  # a lottery draws from the id

    leading, trailing = order_parts(policy)
    gathered = ["b_evaluation"] + [order_value(part) for part in leading + trailing]
    adds = [f"b_add_{i}" for i in range(len(gathered))]
    each = ["r = b_applicant.record"] + [line for line in body if not line.lstrip().startswith("#")] + [
        f"{name} = {code}" for name, code in zip(bulk_keys, keys)
    ] + [
        "b_evaluation = b_new(b_class)",
        "b_evaluation.applicant = b_applicant",
        "b_evaluation.failed = b_tuple(failed) if failed else ()",
        "b_evaluation.unknown = unknown",
        "b_evaluation.points = points",
        f"b_evaluation.scores = {score_tuple}",
        f"b_evaluation.batch = {batch}",
        f"b_evaluation.keys = {bulk_key_tuple}",
        "b_evaluation.rank = None",
        "b_evaluation._missing_name = b_missing_name",
        "b_append(b_evaluation)",
        "if not failed:",
        "    b_adds = b_groups.get(b_applicant.grade)",
        "    if b_adds is None:",
        "        b_adds = b_open_group(b_applicant.grade)",
        f"    {', '.join(adds)}, = b_adds",
    ] + [f"    {add}({value})" for add, value in zip(adds, gathered)]
    out += [
        "def evaluate_all(b_applicants, b_new, b_class, b_append, b_groups, b_open_group, b_missing_name, b_tuple):",
        "    for b_applicant in b_applicants:",
    ] + _indent(_indent(each)) + [""]

    # definitions(): every definition's value, for explanations
    trace = unpack + definition_lines(TRI, constants=True)
    values = ", ".join(f"d_{d.index}" for d in policy.definitions)
    trace.append(f"return ({values}{',' if len(policy.definitions) == 1 else ''})")
    out += ["def definitions(r):"] + _indent(trace) + [""]

    # missing_name(): which missing value left a requirement undecided (rarely needed).
    # One small function per requirement that can be undecided, computing only the
    # definitions it needs: a single function holding every requirement's closures
    # would make Python's compiler slow down faster than the policy grows.
    by_index = {d.index: (d, expr) for d, expr in definitions}
    table = []
    for req, condition in requirements:
        if not ir.may_miss(condition):
            continue
        em.statement()
        lines = list(unpack)
        for index in sorted(_definitions_used(condition, by_index)):
            d, expr = by_index[index]
            if isinstance(expr, ir.Const):
                continue
            if ir.may_miss(expr):
                lines += ["try:", f"    d_{index} = {em.expr(expr, STRICT)}", "except h_Missing:", f"    d_{index} = None"]
            else:
                lines.append(f"d_{index} = {em.expr(expr, PLAIN)}")
        lines += ["try:", f"    {em.expr(condition, STRICT)}", "except h_Missing as e:", "    return h_missing_name(e)", "return None"]
        out += [f"def m_{req.index}(r):"] + _indent(lines) + [""]
        table.append(f"{req.index}: m_{req.index}")
    out += ["m_table = {" + ", ".join(table) + "}", ""]
    out += ["def missing_name(i, r):", "    return m_table[i](r) if i in m_table else None", ""]
    return "\n".join(out), em.constants


def _definitions_used(node: ir.Node, by_index: dict) -> set[int]:
    """The definitions an expression reads, directly or through other definitions."""
    found: set[int] = set()
    stack = [node]
    while stack:
        for n in ir.walk(stack.pop()):
            if isinstance(n, ir.DefRef) and n.index not in found:
                found.add(n.index)
                stack.append(by_index[n.index][1])
    return found


def compile_policy(policy: model.Policy) -> CompiledPolicy:
    """Generate, compile and load the Python code of a checked policy."""
    source, constants = generate(policy)
    filename = f"<jifen {policy.path}>"
    try:
        code = compile(source, filename, "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as exc:
        # The parser's nesting limit should make this impossible; if it happens, say so plainly.
        raise PolicyError([Diagnostic(f"{policy.path}: the policy is too large or too deeply nested to compile ({type(exc).__name__}: {exc})", hint="split long expressions into definitions")]) from None
    # Register the source so a traceback into generated code shows its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = helper_globals()
    namespace.update(constants)
    exec(code, namespace)  # noqa: S102 - our own generated code, see the module docstring
    return CompiledPolicy(
        policy, source, filename, namespace["evaluate"], namespace["definitions"], namespace["missing_name"], namespace["evaluate_all"]
    )
