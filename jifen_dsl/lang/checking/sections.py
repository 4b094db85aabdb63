"""Checks of the points, batches, tie-break, allocation, subsidy and publication sections.

Part of the checker (see :mod:`jifen_dsl.lang.checking.checker`), kept apart because each
section is a small rule book of its own: an indicator's cap must be a fixed
number, 'otherwise' must be the last batch, the tie-break chain must order every
pair of applicants, a public list must not show too much of a name. The
schedule section is checked in :mod:`jifen_dsl.lang.checking.schedule`. Every problem is
recorded, never raised.
"""

from __future__ import annotations

from typing import Any

from jifen_dsl.lang import syntax, ir, model
from jifen_dsl.errors import Span
from jifen_dsl.lang.checking.declarations import Symbol
from jifen_dsl.lang.loader import Program
from jifen_dsl.lang.checking.expressions import describe, kind_name, type_name
from jifen_dsl.messages import M, Message, T, alternatives, quoted, series
from jifen_dsl.lang.typesys import BOOL, DECIMAL, ERROR, TEXT, is_numeric, is_orderable

__all__ = ["SectionChecking"]


class SectionChecking:
    """Mixin of the checker for the sections after the rules: points to publication."""

    def _check_sections(self, sections: dict[type, Any], schedule_block, makeup_counted: bool, grades: list[model.Grade], header) -> dict[str, Any]:
        """Every section, in a fixed order (and so their messages), keyed by its name in model.Policy."""
        points = self._points(sections.get(syntax.PointsBlock), header)
        batches = self._batches(sections.get(syntax.BatchesBlock))
        tiebreaks = self._tiebreaks(sections.get(syntax.TieBreakBlock), points, header)
        allocation = self._allocation(sections.get(syntax.AllocationBlock))
        subsidies = self._subsidies(sections.get(syntax.SubsidyBlock), grades)
        schedule = self._schedule(schedule_block, makeup_counted)
        publication = self._publication(sections.get(syntax.PublicationBlock))
        return {
            "points": points, "batches": batches, "tiebreaks": tiebreaks, "allocation": allocation,
            "subsidies": subsidies, "schedule": schedule, "publication": publication,
        }

    # ---------------------------------------------------------------- points
    def _numeric(self, expr: syntax.Expr, what: Message, *, tiebreak: bool = False) -> ir.Node:
        node = self._expr(expr, tiebreak=tiebreak)
        if node.type == ERROR:
            return node
        if not is_numeric(node.type):
            self.error(M("C0401", "{what} must be a number, but this is {type}", what=what, type=describe(node.type)), expr.span)
            return ir.Const(None, ERROR, span=expr.span)
        if ir.may_miss(node):
            missing = sorted({n.name for n in ir.unguarded(node)})
            self.error(
                M("C0402", "{what} uses {names}, which an applicant may leave empty", what=what, names=series(missing, quote=True)),
                expr.span,
                T("give the field a default, e.g. 'default 0', or use if present(x) then x else 0"),
            )
        return node

    def _points(self, block: syntax.PointsBlock | None, header) -> model.Points:
        if block is None:
            if header is not None:
                self.error(M("C0403", "the policy has no points section"), header.span, T("add: points {{ total = points }} or an indicator table"))
            return model.Points(None, ())
        total = self._numeric(block.total, T("the points total")) if block.total is not None else None
        indicators = []
        for ind in block.indicators:
            formula = self._numeric(ind.formula, T("indicator {name}", name=quoted(ind.name)))
            cap = self._numeric(ind.cap, T("the cap of indicator {name}", name=quoted(ind.name))) if ind.cap is not None else None
            if cap is not None and not isinstance(cap, ir.Const) and cap.type != ERROR:
                self.error(M("C0404", "a cap must be a fixed number"), ind.cap.span)
            elif cap is not None and isinstance(cap, ir.Const) and cap.type != ERROR and cap.value < 0:
                self.error(M("C0405", "a cap cannot be negative"), ind.cap.span)
            index = len(indicators)
            indicators.append(model.Indicator(index, ind.name, ind.title, ind.cite, formula, cap, span=ind.name_span or ind.span))
            if ind.name in self.indicator_symbols:
                self.error(M("C0406", "duplicate indicator name {name}", name=quoted(ind.name)), ind.name_span or ind.span)
            elif ind.name in self.symbols:
                self.error(
                    M("C0407", "the indicator {name} has the name of a field or definition", name=quoted(ind.name)),
                    ind.name_span or ind.span,
                    T("indicator names are used in the tie-break chain and must stand apart"),
                )
            else:
                self.indicator_symbols[ind.name] = Symbol("indicator", index, formula.type if formula.type != ERROR else DECIMAL, ind.name_span or ind.span)
        if total is None and not indicators:
            self.error(M("C0408", "the points section needs a total or at least one indicator"), block.span)
        return model.Points(total, tuple(indicators))

    # --------------------------------------------------------------- batches
    def _batches(self, block: syntax.BatchesBlock | None) -> tuple[model.Batch, ...]:
        if block is None:
            return ()
        batches = []
        names: set[str] = set()
        for i, b in enumerate(block.batches):
            if b.name in names:
                self.error(M("C0409", "duplicate batch name {name}", name=quoted(b.name)), b.name_span or b.span)
            names.add(b.name)
            if b.condition is None:
                if i != len(block.batches) - 1:
                    self.error(M("C0410", "'otherwise' must be the last batch: no applicant could reach the batches after it"), b.span)
                condition = None
            else:
                condition = self._bool_expr(b.condition, T("a batch's condition"))
                self._warn_if_fixed(condition, b.condition, "batch")
            batches.append(model.Batch(i, b.name, b.title, b.cite, condition, span=b.name_span or b.span))
        return tuple(batches)

    # -------------------------------------------------------------- tiebreak
    def _tiebreaks(self, block: syntax.TieBreakBlock | None, points: model.Points, header) -> tuple[model.TieBreak, ...]:
        if block is None:
            if header is not None:
                self.error(
                    M("C0411", "the policy has no tie-break chain, so applicants with equal points have no order"),
                    header.span,
                    T("add: tiebreak {{ ... id ascending }} ending in a unique field or a seeded lottery"),
                )
            return ()
        keys: list[model.TieBreak] = []
        total_at: Span | None = None
        for key in block.keys:
            if total_at is not None:
                self.warn(M("C0412", "this tie-break key is never reached: the key before it already orders every pair"), key.span)
            if key.kind == "lottery":
                label = f"抽签（种子 {key.seed}）" if self.language == "zh" else f"lottery (seed {key.seed})"
                keys.append(model.TieBreak("lottery", label, False, seed=key.seed, unique=True, span=key.span))
                total_at = key.span
            elif key.kind == "indicators":
                if not points.indicators:
                    self.error(M("C0413", "the tie-break compares indicator scores, but the points section has no indicators"), key.span)
                for ind in points.indicators:
                    keys.append(model.TieBreak("indicator", ind.title, key.descending, indicator=ind.index, span=key.span))
            else:
                node = self._expr(key.expr, tiebreak=True)
                if node.type == ERROR:
                    continue
                if not (is_orderable(node.type) or node.type in (TEXT, BOOL) or node.type.kind == "enum"):
                    self.error(M("C0414", "a tie-break key must be a number, a date, a time or text, not {type}", type=describe(node.type)), key.expr.span)
                    continue
                if ir.may_miss(node):
                    self.error(
                        M("C0415", "this tie-break key may be missing for some applicants"),
                        key.expr.span,
                        T("give the field a default, declare it required, or write if present(x) then x else ..."),
                    )
                    continue
                if isinstance(node, ir.Const):
                    self.error(M("C0416", "a fixed value cannot order applicants"), key.expr.span)
                    continue
                label = key.expr.name if isinstance(key.expr, syntax.Ref) else _source_text(self.program, key.expr.span)
                unique = isinstance(node, ir.FieldRef) and self.fields[node.index].unique
                if isinstance(node, ir.IndicatorRef):
                    title = points.indicators[node.index].title
                    keys.append(model.TieBreak("indicator", title, key.descending, indicator=node.index, span=key.span))
                else:
                    keys.append(model.TieBreak("expr", label, key.descending, expr=node, unique=unique, span=key.span))
                if unique:
                    total_at = key.span
        if total_at is None:
            unique_fields = [f.name for f in self.fields if f.unique]
            self.error(
                M("C0417", "the tie-break chain does not order every pair of applicants"),
                block.span,
                T("end it with a unique field ({fields} ascending) or a seeded lottery (lottery seed 2022)", fields=series(unique_fields))
                if unique_fields else T("end it with a unique field or a seeded lottery (lottery seed 2022)"),
            )
        return tuple(keys)

    # ------------------------------------------------------------ allocation
    def _allocation(self, block: syntax.AllocationBlock | None) -> model.Allocation | None:
        if block is None:
            return None
        values: dict[str, Any] = {}
        for setting in block.settings:
            if setting.key in values:
                self.error(M("C0418", "the allocation setting {setting} is given twice", setting=quoted(setting.key)), setting.span)
                continue
            if setting.key == "choices" and not 1 <= setting.value <= 100:
                self.error(M("C0419", "the number of choices must be between 1 and 100, not {number}", number=setting.value), setting.span)
            values[setting.key] = setting.value
        for switch in ("clearing", "admitted_waits"):
            if switch in values:
                values[switch] = values[switch] == "on"
        if "clearing_for" in values:
            groups = values["clearing_for"]
            for group in sorted({g for g in groups if groups.count(g) > 1}):
                self.error(
                    M("C0420", "clearing_for names {group} twice", group=quoted(group)),
                    next(s.span for s in block.settings if s.key == "clearing_for"),
                )
            values["clearing_for"] = tuple(dict.fromkeys(groups))
        windows = []
        phases = {p.name for p in getattr(self, "phases", [])}
        for key in [k for k in values if k.startswith("window_")]:
            phase = values.pop(key)
            if phase not in phases:
                at = next(s.span for s in block.settings if s.key == key)
                self.error(
                    M("C0421", "the window of {stage} names no phase of the schedule: {phase}", stage=key.removeprefix("window_"), phase=quoted(phase)),
                    at,
                    T("declare the phase in the schedule section") if not phases else T("the phases: {phases}", phases=series(sorted(phases))),
                )
            windows.append((key.removeprefix("window_"), phase))
        clearing_at = next((s.span for s in block.settings if s.key == "clearing"), block.span)
        return model.Allocation(cite=block.cite, clearing_span=clearing_at, windows=tuple(windows), **values)

    def _allocation_fields(self, allocation: model.Allocation, block) -> None:
        wanted = [(model.CHOICES_FIELD, ("school_list",), True), (model.COORDINATION_FIELD, ("bool",), True), (model.SIBLING_FIELD, ("text",), False)]
        if allocation.clearing:
            wanted.append((model.CLEARING_FIELD, ("school_list",), True))
        for name, kinds, required in wanted:
            found = [f for f in self.fields if f.name == name]
            if not found:
                if required:
                    self.error(
                        M("C0422", "allocation needs a field {name}, which the policy does not declare", name=quoted(name)),
                        block.span,
                        T("declare it, or import the shared field declarations"),
                    )
                continue
            if found[0].type.kind not in kinds:
                self.error(
                    M(
                        "C0423", "the field {name} must be {kinds} for allocation, not {type}",
                        name=quoted(name), kinds=alternatives(map(kind_name, kinds), quote=False), type=type_name(found[0].type),
                    ),
                    found[0].span,
                )

    def _subsidies(self, block: syntax.SubsidyBlock | None, grades: list[model.Grade]) -> model.Subsidies | None:
        if block is None:
            return None
        seen: set[tuple[str, str]] = set()
        rates = []
        for rate in block.rates:
            key = (rate.school_type, rate.stage)
            if key in seen:
                self.error(_RATE_TWICE[rate.school_type, rate.stage], rate.span)
            seen.add(key)
            rates.append((rate.school_type, rate.stage, rate.amount))
        if not block.semesters_per_year:
            self.error(M("C0425", "the subsidies section must say how many semesters a year has"), block.span, T("add: semesters_per_year 2"))
            semesters = 2
        else:
            semesters = block.semesters_per_year[0]
            for span in block.semesters_spans[1:]:
                self.error(M("C0426", "semesters_per_year is given twice"), span)
            if not 1 <= semesters <= 4:
                self.error(M("C0427", "{count} semesters a year is not plausible", count=semesters), block.semesters_spans[0])
        for grade in grades:
            if grade.stage is None:
                self.error(
                    M("C0428", "grade {grade} needs a stage (primary or junior) so its subsidy rate can be found", grade=quoted(grade.value)),
                    block.span,
                    T('write: for grade "{grade}" stage primary {{ ... }}', grade=grade.value),
                )
        return model.Subsidies(tuple(rates), semesters, block.cite)

    def _publication(self, block: syntax.PublicationBlock | None) -> model.Publication:
        if block is None:
            return model.Publication()
        masks: dict[str, model.Mask] = {}
        for rule in block.rules:
            if rule.target in masks:
                self.error(_MASKED_TWICE[rule.target], rule.span)
                continue
            most, too_much, why = _MASK_LIMITS[rule.target]
            kept = rule.keep_first + rule.keep_last
            if kept > most:
                self.error(too_much.with_args(kept=kept), rule.span, why.with_args(most=most))
            masks[rule.target] = model.Mask(rule.keep_first, rule.keep_last)
        default = model.Publication()
        return model.Publication(
            names=masks.get("names", default.names),
            id_number=masks.get("id_number", default.id_number),
            cite=block.cite,
            declared=True,
        )


_MASKED_TWICE = {
    "names": M("C0429", "the masking of names is given twice"),
    "id_number": M("C0429", "the masking of identity numbers is given twice"),
}
# The most characters a rule may keep, the message for a rule that keeps more, and
# why (its hint, given {most}). Lists mask at run time too, so a value shorter than
# the rule expects never shows whole (see masking.py).
_MASK_LIMITS = {
    "names": (
        2,
        M("C0430", "keeping {kept} characters shows too much of names"),
        T("a public list must hide at least one character of a three-character name; keep at most {most} in all"),
    ),
    "id_number": (
        12,
        M("C0430", "keeping {kept} characters shows too much of identity numbers"),
        T("a public list must hide at least 6 of the 18 characters of an identity number; keep at most {most} in all"),
    ),
}
_RATE_TWICE = {
    ("private", "primary"): M("C0424", "the private primary rate is given twice"),
    ("private", "junior"): M("C0424", "the private junior rate is given twice"),
    ("public", "primary"): M("C0424", "the public primary rate is given twice"),
    ("public", "junior"): M("C0424", "the public junior rate is given twice"),
}


def _source_text(program: Program, span: Span | None) -> str:
    if span is None:
        return "?"
    source = program.sources.get(span.path)
    if source is None:
        return "?"
    return " ".join(source.text[span.start : span.end].split())
