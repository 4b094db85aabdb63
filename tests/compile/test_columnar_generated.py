"""Generated policies: the columnar backend agrees with the scalar one on generated applicants.

Hypothesis writes small policies whose definitions, requirements (of every
grade and of one grade), points, indicators (capped, or counting evidence),
batches and tie-break keys are random well-typed expressions over fields of
every type - optional ones among them, guarded by ``present`` or not - using
every operation of the language; and applicants whose values include missing
ones, month ends and 29 February, the first and last days Python's dates
hold, dates outside the working-day calendar, zeros (division), and numbers
with 28 digits or more. The text is checked and compiled both ways, and every
row must agree (see ``assert_same``).

More examples on demand: ``JIFEN_COLUMNAR_EXAMPLES=2000 pytest tests/compile/test_columnar_generated.py``.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from jifen_dsl.compile.compiler import compile_policy
from jifen_dsl.compile.pipeline import check_file
from jifen_dsl.errors import PolicyError
from jifen_dsl.lang import model

from .test_columnar_differential import assert_same

EXAMPLES = int(os.environ.get("JIFEN_COLUMNAR_EXAMPLES", "100"))
GENERATED = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])

HEADER = 'policy "Generated" district "d" year 2022 as_of 2022-08-31 source "s"\n'
SCHEDULE = """
schedule {
    phase apply "Apply" from 2022-04-25 09:00 to 2022-05-10 17:00
    phase accept "Accept" until 2020-04-30
    phase choose "Choose" from 2022-06-10 to 2022-06-14
}
"""
FIELDS = """
field id: text unique
field grade: enum("G1", "G7")
field n1: integer
field n2: integer optional
field d1: decimal
field d2: decimal optional
field d3: decimal default 1.50
field b1: bool optional
field b2: bool default false
field t1: text optional
field e1: enum("a" "甲", "b", "c") optional
field day1: date
field day2: date optional
field at1: datetime
field at2: datetime optional
field l1: text_list
"""
# name -> (kind, optional)
LEAVES = {
    "n1": ("int", False), "n2": ("int", True), "d1": ("dec", False), "d2": ("dec", True), "d3": ("dec", False),
    "b1": ("bool", True), "b2": ("bool", False), "t1": ("text", True), "e1": ("enum", True),
    "day1": ("date", False), "day2": ("date", True), "at1": ("datetime", False), "at2": ("datetime", True),
}
OPTIONAL = [name for name, (_k, optional) in LEAVES.items() if optional]
NUMERIC = ("int", "dec")
DATE_LITERALS = ["2020-02-29", "2021-02-28", "2020-01-31", "2016-08-31", "2022-08-31", "2024-02-29", "2003-12-31", "0001-01-01", "9999-12-31", "2019-12-31"]
DATETIME_LITERALS = ["2022-04-25 09:00", "2020-02-29 23:59", "2022-05-10 17:00", "2019-12-31 00:00"]
DECIMAL_LITERALS = ["0.5", "2.50", "-1.25", "0.001", "3.0", "-0.4", "99999999999999.99", "1234567890123456789012345.678"]
INT_LITERALS = ["0", "1", "2", "-3", "7", "30", "2022", "100000000000000000000"]
DURATIONS = ["1 year", "1 month", "2 years 1 month 3 days", "35 days", "13 months", "6 years", "0 days"]
TEXTS = ['"a"', '"甲"', '"b"', '"c"', '"x"', '""']
ENUM_OPERANDS = ['"a"', '"甲"', '"b"', "t1"]
ENUM_SET = '{"a", "c"}'
TEXT_SET = '{"a", "x", ""}'


class Gen:
    """Random well-typed expressions, as text, with their kind and whether they may be missing."""

    def __init__(self, draw, definitions: list[tuple[str, str, bool]]):
        self.draw = draw
        self.definitions = definitions  # (name, kind, may_miss)

    def pick(self, options):
        return self.draw(st.sampled_from(options))

    def leaf(self, kind: str, nullable: bool, present: frozenset) -> tuple[str, str, bool]:
        names = [(n, k, o and n not in present) for n, (k, o) in LEAVES.items() if k == kind and (nullable or not o or n in present)]
        names += [(n, k, m) for n, k, m in self.definitions if k == kind and (nullable or not m)]
        literal = {
            "int": lambda: (self.pick(INT_LITERALS), "int", False),
            "dec": lambda: (self.pick(DECIMAL_LITERALS), "dec", False),
            "bool": lambda: (self.pick(["true", "false"]), "bool", False),
            "date": lambda: (self.pick(DATE_LITERALS + ["as_of", "end_of(accept)", "start_of(choose)"]), "date", False),
            "datetime": lambda: (self.pick(DATETIME_LITERALS + ["start_of(apply)"]), "datetime", False),
            "text": lambda: (self.pick(TEXTS), "text", False),
            "enum": None,
            "dur": lambda: (self.pick(DURATIONS), "dur", False),
        }[kind]
        if names and (literal is None or self.draw(st.booleans())):
            return self.pick(names)
        if kind == "int" and self.draw(st.integers(0, 3)) == 0:
            return "count(l1)", "int", False
        if kind == "dec" and self.draw(st.integers(0, 4)) == 0:
            return self.evidence(nullable, present)
        if literal is None:
            return self.leaf("text", nullable, present)
        return literal()

    def evidence(self, nullable: bool, present: frozenset) -> tuple[str, str, bool]:
        name = self.pick(["ev1", "ev2"])
        shape = self.draw(st.integers(0, 2))
        if shape == 0:
            return f"(evidence {name})", "dec", False
        if shape == 1:
            length = self.pick(["1 year", "6 months", "35 workdays", "40 days"])
            ref, _k, miss = self.expr("date", 0, nullable, present)
            return f"(evidence {name} dated within {length} before ({ref}))", "dec", miss
        low, _k, m1 = self.expr("date", 0, nullable, present)
        high, _k, m2 = self.expr("date", 0, nullable, present)
        return f"(evidence {name} dated from ({low}) to ({high}))", "dec", m1 or m2

    def expr(self, kind: str, depth: int, nullable: bool, present: frozenset = frozenset()) -> tuple[str, str, bool]:
        """An expression of ``kind`` ("num" for int or dec); with ``nullable``, it may be missing."""
        if kind == "num":
            kind = self.pick(NUMERIC)
        if depth <= 0 or self.draw(st.integers(0, 3)) == 0:
            return self.leaf(kind, nullable, present)
        if self.draw(st.integers(0, 5)) == 0 and kind != "enum":
            guarded = self.guarded(kind, depth, present)
            if guarded is not None:
                return guarded
        return getattr(self, "_" + kind)(depth - 1, nullable, present)

    def guarded(self, kind: str, depth: int, present: frozenset):
        """``if present(x) then (uses x) else ...``: never missing when the branches are not."""
        name = self.pick(OPTIONAL)
        then, k1, m1 = self.expr(kind, depth - 1, False, present | {name})
        other, k2, m2 = self.expr(kind, depth - 1, False, present)
        kinds = {k1, k2}
        if not (k1 == k2 or kinds <= set(NUMERIC) or kinds <= {"text", "enum"}):
            return None
        result = k1 if k1 == k2 else ("dec" if kinds <= set(NUMERIC) else "text")
        return f"(if present({name}) then {then} else {other})", result, m1 or m2

    def _join(self, *parts):
        return any(p[2] for p in parts)

    def _int(self, depth, nullable, present):
        choice = self.draw(st.integers(0, 8))
        if choice <= 2:
            a, b = self.expr("int", depth, nullable, present), self.expr("int", depth, nullable, present)
            return f"({a[0]} {self.pick(['+', '-', '*'])} {b[0]})", "int", self._join(a, b)
        if choice == 3:
            a = self.expr("int", depth, nullable, present)
            return f"(-{a[0]})", "int", a[2]
        if choice == 4:
            timed = self.pick(["date", "datetime"])
            a, b = self.expr(timed, depth, nullable, present), self.expr(timed, depth, nullable, present)
            function = self.pick(["full_years", "full_months", "days_between", "age_on"])
            return f"{function}({a[0]}, {b[0]})", "int", self._join(a, b)
        if choice == 5:
            a = self.expr(self.pick(["date", "datetime"]), depth, nullable, present)
            return f"{self.pick(['year_of', 'month_of', 'day_of'])}({a[0]})", "int", a[2]
        if choice == 6:
            a = self.expr(self.pick(["date", "datetime"]), depth, nullable, present)
            b = self.expr(self.pick(["date", "datetime"]), depth, nullable, present)
            return f"workdays_between({a[0]}, {b[0]})", "int", self._join(a, b)
        if choice == 7:
            args = [self.expr("int", depth, nullable, present) for _ in range(self.draw(st.integers(2, 3)))]
            return f"{self.pick(['min', 'max'])}({', '.join(a[0] for a in args)})", "int", self._join(*args)
        return self._if("int", depth, nullable, present)

    def _dec(self, depth, nullable, present):
        choice = self.draw(st.integers(0, 7))
        a = self.expr("num", depth, nullable, present)
        if choice <= 2:
            b = self.expr("num", depth, nullable, present)
            op = self.pick(["+", "-", "*"])
            kind = "int" if a[1] == b[1] == "int" else "dec"
            return f"({a[0]} {op} {b[0]})", kind, self._join(a, b)
        if choice == 3:
            b = self.expr("num", depth, nullable, present)
            if self.draw(st.integers(0, 2)) == 0:  # a divisor that is zero whenever it is computed
                return f"({a[0]} / ({b[0]} - {b[0]}))", "dec", self._join(a, b)
            return f"({a[0]} / {b[0]})", "dec", self._join(a, b)
        if choice == 4:
            return f"round({a[0]}, {self.draw(st.integers(0, 3))})", "dec", a[2]
        if choice == 5:
            return f"(-{a[0]})", a[1], a[2]
        if choice == 6:
            args = [a] + [self.expr("num", depth, nullable, present) for _ in range(self.draw(st.integers(1, 2)))]
            kind = "int" if all(x[1] == "int" for x in args) else "dec"
            return f"{self.pick(['min', 'max'])}({', '.join(x[0] for x in args)})", kind, self._join(*args)
        return self._if("num", depth, nullable, present)

    def _bool(self, depth, nullable, present):
        choice = self.draw(st.integers(0, 10))
        if choice <= 1:
            kind = self.pick(["num", "num", "date", "datetime"])
            a = self.expr(kind, depth, nullable, present)
            b = self.expr(a[1] if a[1] in ("date", "datetime") else "num", depth, nullable, present)
            return f"({a[0]} {self.pick(['=', '!=', '<', '<=', '>', '>='])} {b[0]})", "bool", self._join(a, b)
        if choice == 2:
            return self._text_test(depth, nullable, present)
        if choice in (3, 4):
            a, b = self.expr("bool", depth, nullable, present), self.expr("bool", depth, nullable, present)
            return f"({a[0]} {self.pick(['and', 'or'])} {b[0]})", "bool", self._join(a, b)
        if choice == 5:
            a = self.expr("bool", depth, nullable, present)
            return f"(not {a[0]})", "bool", a[2]
        if choice == 6:
            kind = self.pick(["num", "date", "datetime"])
            x = self.expr(kind, depth, nullable, present)
            other = x[1] if x[1] in ("date", "datetime") else "num"
            lo, hi = self.expr(other, depth, nullable, present), self.expr(other, depth, nullable, present)
            return f"({x[0]} between {lo[0]} and {hi[0]})", "bool", self._join(x, lo, hi)
        if choice == 7:
            return self._membership(depth, nullable, present)
        if choice == 8 and nullable:
            name = self.pick(OPTIONAL + [n for n, _k, m in self.definitions if m])
            return f"present({name})", "bool", False
        if choice == 8:
            name = self.pick(OPTIONAL)
            rest = self.expr("bool", depth, False, present | {name})
            return f"(present({name}) and {rest[0]})", "bool", rest[2]
        return self._if("bool", depth, nullable, present)

    def _text_test(self, depth, nullable, present):
        if nullable and self.draw(st.booleans()):
            return f"(e1 {self.pick(['=', '!='])} {self.pick(ENUM_OPERANDS)})", "bool", True
        a = self.expr("text", depth, nullable, present)
        return f"({a[0]} {self.pick(['=', '!='])} {self.pick(TEXTS)})", "bool", a[2]

    def _membership(self, depth, nullable, present):
        op = self.pick(["in", "not in"])
        shape = self.draw(st.integers(0, 7))
        if shape >= 5:
            return self._within_or_chosen_set(op, shape, depth, nullable, present)
        if shape == 0:
            a = self.expr("num", depth, nullable, present)
            return f"({a[0]} {op} {{1, 2.50, -3, 0.5, 7}})", "bool", a[2]
        if shape == 1:
            a = self.expr("date", depth, nullable, present)
            return f"({a[0]} {op} {{2020-02-29, 2021-02-28, 2022-08-31}})", "bool", a[2]
        if shape == 2 and nullable:
            return f"(e1 {op} {ENUM_SET})", "bool", True
        a = self.expr("text", depth, nullable, present)
        if shape == 3:
            return f"({a[0]} {op} l1)", "bool", a[2]
        return f"({a[0]} {op} {TEXT_SET})", "bool", a[2]

    def _within_or_chosen_set(self, op, shape, depth, nullable, present):
        """A phase of the schedule, or a set that differs by applicant: ``x in (if c then {..} else {..})``."""
        if shape == 5:
            kind = self.pick(["date", "datetime"])
            x = self.expr(kind, depth, nullable, present)
            phase = "apply" if kind == "datetime" else self.pick(["accept", "choose"])
            return f"({x[0]} within {phase})", "bool", x[2]
        c = self.expr("bool", depth, nullable, present)
        kind = self.pick(["num", "date", "text"])
        x = self.expr(kind, depth, nullable, present)
        sets = {"int": ("{1, 2.50, -3}", "{7, 0.0}"), "dec": ("{1, 2.50, -3}", "{7, 0.0}"), "date": ("{2020-02-29}", "{2021-02-28, 2022-08-31}"), "text": ('{"a", "x"}', '{""}')}
        if x[1] not in sets:
            return f"({x[0]} {op} {TEXT_SET})", "bool", x[2]
        one, other = sets[x[1]]
        return f"({x[0]} {op} (if {c[0]} then {one} else {other}))", "bool", self._join(c, x)

    def _date(self, depth, nullable, present, kind="date"):
        choice = self.draw(st.integers(0, 5))
        a = self.expr(kind, depth, nullable, present)
        if choice <= 1:
            d = self._duration(depth, nullable, present)
            return f"({a[0]} {self.pick(['+', '-'])} {d[0]})", kind, self._join(a, d)
        if choice == 2:
            return f"({a[0]} {self.pick(['+', '-'])} {self.pick(['1 workday', '35 workdays', '0 workdays', '400 workdays'])})", kind, a[2]
        if choice == 3:
            b = self.expr(kind, depth, nullable, present)
            return f"{self.pick(['min', 'max'])}({a[0]}, {b[0]})", kind, self._join(a, b)
        if choice == 4 and kind == "date":
            t = self.expr("datetime", depth, nullable, present)
            return f"date_of({t[0]})", "date", t[2]
        return self._if(kind, depth, nullable, present)

    def _datetime(self, depth, nullable, present):
        return self._date(depth, nullable, present, kind="datetime")

    def _text(self, depth, nullable, present):
        return self._if("text", depth, nullable, present)

    def _dur(self, depth, nullable, present):
        return self._duration(depth, nullable, present)

    def _duration(self, depth, nullable, present):
        choice = self.draw(st.integers(0, 3))
        if choice == 0 or depth <= 0:
            return self.pick(DURATIONS), "dur", False
        if choice == 1:
            n = self.expr("int", depth - 1, nullable, present)
            return f"({n[0]} * {self.pick(DURATIONS)})", "dur", n[2]
        if choice == 2:
            a, b = self._duration(depth - 1, nullable, present), self._duration(depth - 1, nullable, present)
            return f"({a[0]} {self.pick(['+', '-'])} {b[0]})", "dur", self._join(a, b)
        c = self.expr("bool", depth - 1, nullable, present)
        a, b = self._duration(depth - 1, nullable, present), self._duration(depth - 1, nullable, present)
        return f"(if {c[0]} then {a[0]} else {b[0]})", "dur", self._join(c, a, b)

    def _if(self, kind, depth, nullable, present):
        c = self.expr("bool", depth, nullable, present)
        a = self.expr(kind, depth, nullable, present)
        b = self.expr(kind if kind != "num" else "num", depth, nullable, present)
        kinds = {a[1], b[1]}
        if a[1] == b[1]:
            result = a[1]
        elif kinds <= set(NUMERIC):
            result = "dec"
        else:
            result = "text"
        return f"(if {c[0]} then {a[0]} else {b[0]})", result, self._join(c, a, b)


@st.composite
def policies(draw) -> str:
    """The text of a small generated policy."""
    definitions: list[tuple[str, str, bool]] = []
    gen = Gen(draw, definitions)
    lines = [HEADER, FIELDS, SCHEDULE]
    for k in range(draw(st.integers(0, 3))):
        text, kind, miss = gen.expr(draw(st.sampled_from(["num", "bool", "date", "datetime", "text"])), 2, True)
        lines.append(f"define v{k} = {text}")
        definitions.append((f"v{k}", kind, miss))
    for k in range(draw(st.integers(1, 3))):
        lines.append(f'requirement r{k} "R{k}": {gen.expr("bool", 3, True)[0]}')
    lines.append('for grade "G1" {')
    for k in range(draw(st.integers(0, 2))):
        lines.append(f'    requirement g{k} "G{k}": {gen.expr("bool", 2, True)[0]}')
    lines.append("}")
    # An indicator's score may be a key: its formula is then more than a name (the scalar
    # backend's code has no score variable for an indicator that is just a field's value).
    count = draw(st.integers(0, 2))
    indicators = [
        f'    indicator i{k} "I{k}" = ({gen.expr("num", 2, False)[0]}) + count(l1) * 0' + (f" cap {draw(st.sampled_from(['5', '0.5', '100']))}" if draw(st.booleans()) else "")
        for k in range(count)
    ]
    indicators.append('    indicator ev1 "E1" = evidence ev1 dated from 2017-01-01 to 2019-12-31')
    indicators.append('    indicator ev2 "E2" = evidence ev2')
    total = f"    total = {gen.expr('num', 2, False)[0]}" if draw(st.booleans()) else None
    lines.append("points {" + (("\n" + total) if total else ""))
    lines += indicators
    lines.append("}")
    if draw(st.booleans()):
        lines.append("batches {")
        for k in range(draw(st.integers(1, 2))):
            lines.append(f'    batch b{k} "B{k}": {gen.expr("bool", 2, True)[0]}')
        if draw(st.booleans()):
            lines.append('    batch rest "Rest": otherwise')
        lines.append("}")
    keys = [f"    ({gen.expr(draw(st.sampled_from(['num', 'date', 'datetime', 'bool', 'text'])), 2, False)[0]}) {draw(st.sampled_from(['ascending', 'descending']))}" for _ in range(draw(st.integers(0, 2)))]
    if count and draw(st.booleans()):
        keys.append(f"    (i0 * {draw(st.sampled_from(['2', '-1', '0.5']))}) descending")
    lines.append("tiebreak {")
    lines += keys + ["    id ascending", "}"]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- applicants

SPECIAL_DAYS = [dt.date(2020, 2, 29), dt.date(2021, 2, 28), dt.date(2020, 1, 31), dt.date(2016, 8, 31), dt.date(2016, 9, 1), dt.date(2022, 8, 31), dt.date(2024, 2, 29), dt.date(1, 1, 1), dt.date(9999, 12, 31), dt.date(9999, 12, 1), dt.date(1, 1, 31), dt.date(2003, 12, 31), dt.date(2027, 1, 1)]
days = st.one_of(st.sampled_from(SPECIAL_DAYS), st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)), st.dates())
moments = st.builds(dt.datetime.combine, days, st.sampled_from([dt.time(0, 0), dt.time(9, 0), dt.time(23, 59, 59), dt.time(12, 30, 15, 500)]))
coefficients = st.one_of(st.integers(-200, 200), st.sampled_from([0, 5, 15, 25, -5, -15, 10**27, 10**28 - 1, -(10**30), 99999999999999999999999999995]), st.integers(-(10**30), 10**30))


def _decimal(c: int, e: int) -> Decimal:
    return Decimal((1 if c < 0 else 0, tuple(int(d) for d in str(abs(c))), e))


decimals = st.builds(_decimal, coefficients, st.one_of(st.integers(-3, 1), st.sampled_from([-12, 5, -30])))
integers = st.one_of(st.integers(-40, 40), st.sampled_from([0, 2022, 2016]), st.integers(-(2**63), 2**63 - 1))
texts = st.sampled_from(["a", "甲", "b", "c", "x", ""])
VALUES = {
    "text": texts, "integer": integers, "decimal": decimals, "bool": st.booleans(), "date": days, "datetime": moments,
    "text_list": st.lists(texts, max_size=3).map(tuple),
}
evidence_items = st.lists(st.tuples(st.one_of(st.sampled_from([dt.date(2017, 1, 1), dt.date(2019, 12, 31), dt.date(2016, 12, 31), dt.date(2020, 1, 1), dt.date(2022, 8, 31)]), days), decimals), max_size=4).map(lambda items: tuple(sorted(items, key=lambda item: item[0])))


@st.composite
def records(draw, policy: model.Policy):
    out = []
    for i in range(draw(st.integers(1, 12))):
        values = []
        for index in policy.read_fields:
            f = policy.fields[index]
            if f.name == "id":
                values.append(f"A{i}")
            elif f.name == "grade":
                values.append(draw(st.sampled_from(["G1", "G7"])))
            elif f.nullable and draw(st.integers(0, 3)) == 0:
                values.append(None)
            elif f.type.kind == "enum":
                values.append(draw(st.sampled_from(f.type.members)))
            else:
                values.append(draw(VALUES[f.type.kind]))
        values += [draw(evidence_items) for _ in policy.evidence]
        out.append(tuple(values))
    return out


def checked(text: str, tmp: str) -> model.Policy | None:
    try:
        policy = check_file(tmp, text)
    except PolicyError:
        return None
    return policy if isinstance(policy, model.Policy) else None


@pytest.fixture(scope="module")
def policy_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("library") / "generated"
    folder.mkdir()
    return str(folder / "policy.jifen")


@GENERATED
@given(data=st.data())
def test_generated_policies_agree(policy_path, data):
    text = data.draw(policies())
    policy = checked(text, policy_path)
    assume(policy is not None)
    compiled = compile_policy(policy)
    assert_same(compiled, data.draw(records(policy)))


def test_the_generator_writes_policies_the_checker_accepts(policy_path):
    """Most generated policies check: the property above is not vacuous."""
    accepted = 0

    @settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(policies())
    def count(text):
        nonlocal accepted
        accepted += checked(text, policy_path) is not None

    count()
    assert accepted >= 30
