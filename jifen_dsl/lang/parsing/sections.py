"""Build the sections: points, batches, tiebreak, allocation, subsidies, schedule, calendar, publication.

Part of the tree builder (see :mod:`jifen_dsl.lang.parsing.nodes`); like every
parser module it may use Lark, which no module outside the parser modules does.
A section of a policy that extends another may mix override and remove items
(built by :mod:`jifen_dsl.lang.parsing.edits`) in with its plain items; each
section node keeps them apart, as its ``edits``.
"""

from __future__ import annotations

import attrs
from lark import v_args

from jifen_dsl.lang import syntax
from jifen_dsl.lang.parsing.nodes import NodeBuilder, fixed_word
from jifen_dsl.messages import T

__all__ = ["SectionBuilder"]


@v_args(meta=True)
class SectionBuilder(NodeBuilder):
    """The builder methods of the sections and their items."""

    @staticmethod
    def _split(items) -> tuple[list, tuple]:
        """The plain items of a section, and its override and remove items."""
        plain = [i for i in items if not isinstance(i, (syntax.Override, syntax.Remove))]
        edits = tuple(i for i in items if isinstance(i, (syntax.Override, syntax.Remove)))
        return plain, edits

    # points, batches, tiebreak ----------------------------------------
    def points_block(self, meta, children):
        total, *items = children
        indicators, edits = self._split(items)
        return syntax.PointsBlock(total.expr if total is not None else None, tuple(indicators), span=self._span(meta), edits=edits)

    def points_total(self, meta, children):
        return syntax.Total(children[0], span=self._span(meta))

    def indicator(self, meta, children):
        name, title, cite, formula, cap = children
        return syntax.Indicator(name.value, title.value, cite, formula, cap, span=self._span(meta), name_span=name.span)

    def cap(self, meta, children):
        return children[0]

    def batches_block(self, meta, children):
        batches, edits = self._split(children)
        return syntax.BatchesBlock(tuple(batches), span=self._span(meta), edits=edits)

    def batch(self, meta, children):
        name, title, cite, condition = children
        return syntax.Batch(name.value, title.value, cite, condition, span=self._span(meta), name_span=name.span)

    def otherwise(self, meta, children):
        return None

    def tiebreak_block(self, meta, children):
        cite, *items = children
        keys, edits = self._split(items)
        return syntax.TieBreakBlock(cite, tuple(keys), span=self._span(meta), edits=edits)

    def key_expr(self, meta, children):
        expr, descending = children
        return syntax.TieBreakKey("expr", expr, descending, span=self._span(meta))

    def key_indicators(self, meta, children):
        return syntax.TieBreakKey("indicators", None, children[0], span=self._span(meta))

    def key_lottery(self, meta, children):
        seed = self._integer(children[0], T("a lottery seed"))
        return syntax.TieBreakKey("lottery", None, False, seed, span=self._span(meta))

    def ascending(self, meta, children):
        return False

    def descending(self, meta, children):
        return True

    # allocation and subsidies -----------------------------------------
    def allocation_block(self, meta, children):
        cite, *items = children
        settings, edits = self._split(items)
        return syntax.AllocationBlock(cite, tuple(settings), span=self._span(meta), edits=edits)

    def _setting(key):
        def build(self, meta, children):
            return syntax.Setting(key, children[-1], span=self._span(meta))

        return build

    set_qualification = _setting("qualification")
    set_mechanism = _setting("mechanism")
    set_coordination = _setting("coordination")
    set_siblings = _setting("siblings")
    set_clearing = _setting("clearing")
    set_missing_choices = _setting("missing_choices")
    set_unconfirmed = _setting("unconfirmed")
    set_admitted_waits = _setting("admitted_waits")
    del _setting

    def set_window(self, meta, children):
        stage, phase = children
        return syntax.Setting(f"window_{stage}", phase.value, span=self._span(meta))

    stage_qualify = fixed_word("qualify")
    stage_choices = fixed_word("choices")
    stage_confirm = fixed_word("confirm")
    stage_clearing = fixed_word("clearing")
    stage_register = fixed_word("register")

    def set_clearing_for(self, meta, children):
        return syntax.Setting("clearing_for", tuple(children), span=self._span(meta))

    def set_choices(self, meta, children):
        return syntax.Setting("choices", self._integer(children[0], T("the number of choices")), span=self._span(meta))

    seats = fixed_word("seats")
    all_eligible = fixed_word("all_eligible")
    points_first = fixed_word("points_first")
    choice_first = fixed_word("choice_first")
    file_order = fixed_word("file_order")
    most_free_seats = fixed_word("most_free_seats")
    coordinated = fixed_word("coordinated")
    unplaced = fixed_word("unplaced")
    on = fixed_word("on")
    gives_up = fixed_word("gives_up")
    declines = fixed_word("declines")
    confirms = fixed_word("confirms")
    group_unplaced = fixed_word("unplaced")
    group_gave_up = fixed_word("gave_up")
    group_declined = fixed_word("declined")
    off = fixed_word("off")
    private = fixed_word("private")
    public = fixed_word("public")

    def subsidy_block(self, meta, children):
        cite, *items = children
        items, edits = self._split(items)
        rates = tuple(i for i in items if isinstance(i, syntax.SubsidyRate))
        semesters = [i for i in items if isinstance(i, tuple)]
        return syntax.SubsidyBlock(
            cite,
            rates,
            tuple(v for v, _ in semesters),
            span=self._span(meta),
            semesters_spans=tuple(s for _, s in semesters),
            edits=edits,
        )

    def subsidy_rate(self, meta, children):
        school_type, stage, amount = children
        return syntax.SubsidyRate(school_type, stage, amount.value, span=self._span(meta))

    def subsidy_semesters(self, meta, children):
        return (self._integer(children[0], T("the number of semesters")), self._span(meta))

    # schedule and calendar -------------------------------------------
    def schedule_block(self, meta, children):
        cite, *items = children
        items, edits = self._split(items)
        return syntax.ScheduleBlock(cite, tuple(items), span=self._span(meta), edits=edits)

    def phase(self, meta, children):
        name, title, cite, (start, end, length) = children
        return syntax.Phase(name.value, title.value, cite, start, end, length, False, span=self._span(meta), name_span=name.span)

    def then_phase(self, meta, children):
        return attrs.evolve(children[0], follows=True, span=self._span(meta))

    def window_from_to(self, meta, children):
        start, end, length = children
        return (start, end, length)

    def window_until(self, meta, children):
        end, length = children
        return (None, end, length)

    def window_length(self, meta, children):
        return (None, None, children[0])

    def set_makeup(self, meta, children):
        return syntax.MakeupSetting(children[0], span=self._span(meta))

    def counted(self, meta, children):
        return True

    def not_counted(self, meta, children):
        return False

    def verification(self, meta, children):
        length, after, needed_for = children
        return self._verification(meta, length, after, needed_for)

    def verification_zh(self, meta, children):
        after, length, needed_for = children
        return self._verification(meta, length, after, needed_for)

    def _verification(self, meta, length, after, needed_for):
        return syntax.Verification(
            length,
            after.value if after is not None else None,
            needed_for.value if needed_for is not None else None,
            span=self._span(meta),
            after_span=after.span if after is not None else None,
            needed_for_span=needed_for.span if needed_for is not None else None,
        )

    def calendar_block(self, meta, children):
        cite, *items = children
        return syntax.CalendarBlock(cite, tuple(items), span=self._span(meta))

    def calendar_year(self, meta, children):
        return syntax.CalendarYear(self._integer(children[0], T("a calendar year")), span=self._span(meta))

    def calendar_holiday(self, meta, children):
        start, end = children
        return syntax.CalendarDays("holiday", start.value, end.value if end is not None else None, span=self._span(meta))

    def calendar_workday(self, meta, children):
        start, end = children
        return syntax.CalendarDays("workday", start.value, end.value if end is not None else None, span=self._span(meta))

    # publication ------------------------------------------------------
    def publication_block(self, meta, children):
        cite, *items = children
        rules, edits = self._split(items)
        return syntax.PublicationBlock(cite, tuple(rules), span=self._span(meta), edits=edits)

    def mask_rule(self, meta, children):
        target, first, last = children
        return syntax.MaskRule(
            target,
            self._integer(first, T("the number of characters kept")),
            self._integer(last, T("the number of characters kept")),
            span=self._span(meta),
        )

    def mask_names(self, meta, children):
        return "names"

    def mask_id_number(self, meta, children):
        return "id_number"
