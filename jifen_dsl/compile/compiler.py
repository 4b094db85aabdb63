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

from jifen_dsl.version import __version__
from jifen_dsl.lang import ir, model
from jifen_dsl.errors import Diagnostic, PolicyError
from jifen_dsl.messages import M, T
from jifen_dsl.compile.bulkloop import evaluate_all_lines
from jifen_dsl.compile.emitter import GUARDED, PLAIN, STRICT, TRI, Emitter, comment, indent, tuple_display
from jifen_dsl.compile.optimizer import optimize
from jifen_dsl.compile.namespace import helper_globals
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


def generate(policy: model.Policy) -> tuple[str, dict[str, Any]]:
    """The Python source of a policy and the constants it refers to.

    Its functions, in order: evaluate(), evaluate_all() (the same body in one loop
    over a cohort), definitions(), and missing_name() with its helpers.
    """
    em = Emitter(policy)
    out: list[str] = [
        comment(f"# Compiled from {policy.path} by jifen_dsl {__version__}."),
        "# Generated code: policy names appear only inside string literals and comments.",
        "",
    ]
    slots = [f"f_{pos}" for pos in range(len(policy.read_fields))] + [f"v_{slot}" for slot in range(len(policy.evidence))]
    unpack = [f"({', '.join(slots)},) = r"] if slots else []
    definitions = [(d, optimize(d.expr)) for d in policy.definitions]
    requirements = [(r, optimize(r.condition)) for r in policy.requirements]

    # evaluate(): one applicant's requirements, points, batch and tie-break keys
    body: list[str] = _slot_comments(policy) + unpack + _definition_lines(em, definitions, constants=False)
    body += ["failed = []", "unknown = ()"]
    body += _requirement_checks(em, policy, requirements)
    points, scores = _points_lines(em, policy)
    body += points
    batches, batch = _batch_lines(em, policy)
    body += batches
    keys = [em.expr(optimize(t.expr), PLAIN) for t in policy.tiebreaks if t.kind == "expr"]
    result = f"(failed, unknown, points, {tuple_display(scores)}, {batch}, {tuple_display(keys)})"
    out += ["def evaluate(r):"] + indent(body + [f"return {result}"]) + [""]
    out += evaluate_all_lines(policy, body, scores, batch, keys)

    # definitions(): every definition's value, for explanations
    trace = unpack + _definition_lines(em, definitions, constants=True)
    trace.append("return " + tuple_display([f"d_{d.index}" for d in policy.definitions]))
    out += ["def definitions(r):"] + indent(trace) + [""]

    out += _missing_name_lines(em, unpack, definitions, requirements)
    return "\n".join(out), em.constants


def _slot_comments(policy: model.Policy) -> list[str]:
    """What each slot of the record holds, for a reader of the code."""
    return [
        comment(f"# f_{pos} = {policy.fields[i].name}" + (f" ({policy.fields[i].label})" if policy.fields[i].label else ""))
        for pos, i in enumerate(policy.read_fields)
    ] + [comment(f"# v_{slot} = evidence of {name}") for slot, name in enumerate(policy.evidence)]


def _definition_lines(em: Emitter, definitions: list[tuple[model.Definition, ir.Node]], *, constants: bool) -> list[str]:
    """Statements setting each definition (None when it needs a missing value); with ``constants``, the folded ones too."""
    lines: list[str] = []
    for d, expr in definitions:
        em.statement()
        if isinstance(expr, ir.Const) and not constants:
            continue  # a named constant: its uses were folded to the value itself
        lines.append(comment(f"# {d.name}" + (f" ({d.label})" if d.label else "")))
        if not ir.may_miss(expr):
            lines.append(f"d_{d.index} = {em.expr(expr, PLAIN)}")
        else:
            lines += [
                f"if {em.guard(expr)}:",
                f"    d_{d.index} = {em.expr(expr, GUARDED)}",
                "else:",
                f"    d_{d.index} = {em.expr(expr, TRI)}",
            ]
    return lines


def _requirement_checks(em: Emitter, policy: model.Policy, requirements: list[tuple[model.Requirement, ir.Node]]) -> list[str]:
    """The requirements of every grade, then those of the applicant's grade, each failure noted in ``failed``."""
    lines: list[str] = []
    for req, condition in requirements:
        if req.grade is None:
            lines += _requirement_lines(em, req, condition)
    grade_var = f"f_{em.position[policy.field(model.GRADE_FIELD).index]}"
    first = True
    for grade in policy.grades:
        if not grade.requirements:
            continue
        lines.append(f"{'if' if first else 'elif'} {grade_var} == {grade.value!r}:")
        first = False
        inner: list[str] = []
        for index in grade.requirements:
            inner += _requirement_lines(em, *requirements[index])
        lines += indent(inner)
    return lines


def _requirement_lines(em: Emitter, req: model.Requirement, condition: ir.Node) -> list[str]:
    """One requirement's test; one left undecided by a missing value fails, and is noted in ``unknown`` too."""
    em.statement()
    head = [comment(f"# {req.name}: {req.title}" + (f" [{req.cite}]" if req.cite else ""))]
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


def _points_lines(em: Emitter, policy: model.Policy) -> tuple[list[str], list[str]]:
    """Statements setting the indicator scores and the points; and each score's expression, in table order."""
    lines: list[str] = []
    scores = []
    for ind in policy.points.indicators:
        lines.append(comment(f"# indicator {ind.name}: {ind.title}"))
        code = em.expr(optimize(ind.formula), PLAIN)
        if ind.formula.type == INTEGER:
            code = f"h_to_decimal({code})"
        if ind.cap is None and _SIMPLE_NAME.fullmatch(code):
            lines[-1] += f" = {code}"
            scores.append(code)  # a field or constant as it stands: no temporary to store and load again
            em.score_names[ind.index] = code  # so a tie-break key or batch rule naming it reads the same
            continue
        lines.append(f"s_{ind.index} = {code}")
        if ind.cap is not None:
            cap = em.const(Decimal(ind.cap.value))
            lines += [f"if s_{ind.index} > {cap}:", f"    s_{ind.index} = {cap}"]
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
    lines += ["# points: never below 0", f"points = {total}", f"if points < {zero}:", f"    points = {zero}"]
    return lines, scores


def _batch_lines(em: Emitter, policy: model.Policy) -> tuple[list[str], str]:
    """Statements setting the batch of an applicant who failed no requirement; and the batch's expression."""
    if not policy.batches:
        return [], "None"
    return ["if failed:", "    batch = None", "else:"] + indent(_batch_choice(em, policy.batches)), "batch"


def _batch_choice(em: Emitter, batches: tuple[model.Batch, ...]) -> list[str]:
    """The first batch whose condition holds; a condition that needs a missing value does not."""
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
    return [f"if {test}:", f"    batch = {b.index}", "else:"] + indent(_batch_choice(em, batches[1:]))


def _missing_name_lines(
    em: Emitter, unpack: list[str], definitions: list[tuple[model.Definition, ir.Node]], requirements: list[tuple[model.Requirement, ir.Node]]
) -> list[str]:
    """missing_name(): which missing value left a requirement undecided (rarely needed).

    One small function per requirement that can be undecided, computing only the
    definitions it needs: a single function holding every requirement's closures
    would make Python's compiler slow down faster than the policy grows.
    """
    by_index = {d.index: (d, expr) for d, expr in definitions}
    out: list[str] = []
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
        out += [f"def m_{req.index}(r):"] + indent(lines) + [""]
        table.append(f"{req.index}: m_{req.index}")
    out += ["m_table = {" + ", ".join(table) + "}", ""]
    out += ["def missing_name(i, r):", "    return m_table[i](r) if i in m_table else None", ""]
    return out


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
        raise PolicyError([Diagnostic(
            M("E0003", "{path}: the policy is too large or too deeply nested to compile ({error})", path=policy.path, error=type(exc).__name__ + ": " + str(exc)),
            hint=T("split long expressions into definitions"),
        )]) from None
    # Register the source so a traceback into generated code shows its lines.
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = helper_globals()
    namespace.update(constants)
    exec(code, namespace)  # noqa: S102 - our own generated code, see the module docstring
    return CompiledPolicy(
        policy, source, filename, namespace["evaluate"], namespace["definitions"], namespace["missing_name"], namespace["evaluate_all"]
    )
