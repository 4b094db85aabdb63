"""Build the override and remove items of a policy that extends another.

Part of the tree builder (see :mod:`jifen_dsl.lang.parsing.nodes`); like every
parser module it may use Lark, which no module outside the parser modules does.
The items are only built here; :mod:`jifen_dsl.lang.inherit` applies them.
"""

from __future__ import annotations

from lark import v_args

from jifen_dsl.lang import syntax
from jifen_dsl.lang.parsing.nodes import NodeBuilder, fixed_word

__all__ = ["EditBuilder"]


@v_args(meta=True)
class EditBuilder(NodeBuilder):
    """The builder methods of override and remove, and of the section and setting names a remove can name."""

    def override_item(self, meta, children):
        item = children[0]
        if isinstance(item, tuple):  # semesters_per_year, built as (count, span) for its section
            item = syntax.Setting("semesters_per_year", item[0], span=item[1])
        return syntax.Override(item, span=self._span(meta))

    def _remove(kind):
        def build(self, meta, children):
            name = children[0]
            return syntax.Remove(kind, name.value, span=self._span(meta), name_span=name.span)

        return build

    remove_requirement = _remove("requirement")
    remove_define = _remove("define")
    remove_field = _remove("field")
    remove_indicator = _remove("indicator")
    remove_batch = _remove("batch")
    remove_phase = _remove("phase")
    del _remove

    def remove_grade(self, meta, children):
        return syntax.Remove("grade", children[0].value, span=self._span(meta), name_span=children[0].span)

    def remove_section(self, meta, children):
        return syntax.Remove("section", children[0], span=self._span(meta))

    def _fixed_remove(kind, name):
        def build(self, meta, children):
            return syntax.Remove(kind, name, span=self._span(meta))

        return build

    remove_total = _fixed_remove("total", "total")
    remove_key_indicators = _fixed_remove("key", "indicators")
    remove_key_lottery = _fixed_remove("key", "lottery")
    remove_semesters = _fixed_remove("semesters_per_year", "semesters_per_year")
    remove_verification = _fixed_remove("verification", "verification")
    remove_makeup = _fixed_remove("makeup_days", "makeup_days")
    del _fixed_remove

    def remove_key_expr(self, meta, children):
        return syntax.Remove("key", "expr", children[0], span=self._span(meta))

    def remove_setting(self, meta, children):
        return syntax.Remove("setting", children[0], span=self._span(meta))

    def remove_rate(self, meta, children):
        school_type, stage = children
        return syntax.Remove("rate", f"{school_type} {stage}", span=self._span(meta))

    def remove_mask(self, meta, children):
        return syntax.Remove("mask", children[0], span=self._span(meta))

    section_points = fixed_word("points")
    section_batches = fixed_word("batches")
    section_tiebreak = fixed_word("tiebreak")
    section_allocation = fixed_word("allocation")
    section_subsidies = fixed_word("subsidies")
    section_schedule = fixed_word("schedule")
    section_publication = fixed_word("publication")
    setting_qualification = fixed_word("qualification")
    setting_choices = fixed_word("choices")
    setting_mechanism = fixed_word("mechanism")
    setting_coordination = fixed_word("coordination")
    setting_siblings = fixed_word("siblings")
    setting_clearing = fixed_word("clearing")
    setting_missing_choices = fixed_word("missing_choices")
    setting_unconfirmed = fixed_word("unconfirmed")
    setting_clearing_for = fixed_word("clearing_for")
    setting_admitted_waits = fixed_word("admitted_waits")
