"""A policy's declarations as named clauses that can be looked up, replaced, removed and added.

Inheritance (:mod:`jifen_dsl.lang.inherit`) applies a child policy's overrides to
its parent's declarations through this module, and the year-over-year impact
(:mod:`jifen_dsl.years.impact`) applies one change at a time to an old policy the
same way, so the two can never disagree about what a clause is.

A clause is named by its kind and a name:

* top level: ``field``, ``define`` and ``requirement`` (by name, wherever the
  requirement stands, at the top or in a grade block), ``grade`` (by the grade's
  value, whichever spelling names it) and ``section`` (points, batches,
  tiebreak, allocation, subsidies, schedule, publication);
* inside a section: ``total`` and ``indicator`` (points), ``batch``, ``key``
  (a tie-break key: its expression as written, ``indicators`` or ``lottery``),
  ``setting`` (allocation), ``rate`` ("private primary") and
  ``semesters_per_year`` (subsidies), ``phase``, ``verification`` and
  ``makeup_days`` (schedule), ``mask`` (publication: names or id_number).
"""

from __future__ import annotations

from typing import Any, Iterable

import attrs

from jifen_dsl.lang import syntax

__all__ = [
    "Body", "SECTION_TYPES", "SECTION_OF_ITEM", "section_kind", "item_key", "section_entries",
    "rebuild_section", "key_identity",
]

SECTION_TYPES: dict[str, type] = {
    "points": syntax.PointsBlock,
    "batches": syntax.BatchesBlock,
    "tiebreak": syntax.TieBreakBlock,
    "allocation": syntax.AllocationBlock,
    "subsidies": syntax.SubsidyBlock,
    "schedule": syntax.ScheduleBlock,
    "publication": syntax.PublicationBlock,
}
_KIND_OF_SECTION = {t: k for k, t in SECTION_TYPES.items()}

# The section each kind of item lives in.
SECTION_OF_ITEM = {
    "total": "points", "indicator": "points", "batch": "batches", "key": "tiebreak", "setting": "allocation",
    "rate": "subsidies", "semesters_per_year": "subsidies", "phase": "schedule", "verification": "schedule",
    "makeup_days": "schedule", "mask": "publication",
}


def section_kind(block: Any) -> str | None:
    """'points', 'batches' ... for a section node; None for anything else."""
    return _KIND_OF_SECTION.get(type(block))


def key_identity(key: syntax.TieBreakKey) -> str | syntax.Expr:
    """What names a tie-break key: its expression, or 'indicators', or 'lottery' (the direction and seed do not)."""
    if key.kind == "expr":
        return key.expr
    return "indicators" if key.kind == "indicators" else "lottery"


def item_key(item: Any) -> tuple[str, Any]:
    """(kind, name) of a section item."""
    if isinstance(item, syntax.Total):
        return ("total", "total")
    if isinstance(item, syntax.Indicator):
        return ("indicator", item.name)
    if isinstance(item, syntax.Batch):
        return ("batch", item.name)
    if isinstance(item, syntax.TieBreakKey):
        return ("key", key_identity(item))
    if isinstance(item, syntax.Setting):
        if item.key == "semesters_per_year":
            return ("semesters_per_year", "semesters_per_year")
        return ("setting", item.key)
    if isinstance(item, syntax.SubsidyRate):
        return ("rate", f"{item.school_type} {item.stage}")
    if isinstance(item, syntax.Phase):
        return ("phase", item.name)
    if isinstance(item, syntax.Verification):
        return ("verification", "verification")
    if isinstance(item, syntax.MakeupSetting):
        return ("makeup_days", "makeup_days")
    if isinstance(item, syntax.MaskRule):
        return ("mask", item.target)
    raise TypeError(f"not a section item: {item!r}")


def remove_key(remove: syntax.Remove) -> tuple[str, Any]:
    """(kind, name) of the item a remove names."""
    if remove.kind == "key" and remove.name == "expr":
        return ("key", remove.expr)
    return (remove.kind, remove.name)


def section_entries(block: Any) -> list[Any]:
    """The plain items of a section, in order (the points total first, subsidy semesters after the rates)."""
    if isinstance(block, syntax.PointsBlock):
        total = [syntax.Total(block.total, span=block.total.span)] if block.total is not None else []
        return total + list(block.indicators)
    if isinstance(block, syntax.BatchesBlock):
        return list(block.batches)
    if isinstance(block, syntax.TieBreakBlock):
        return list(block.keys)
    if isinstance(block, syntax.AllocationBlock):
        return list(block.settings)
    if isinstance(block, syntax.SubsidyBlock):
        spans = list(block.semesters_spans) + [None] * len(block.semesters_per_year)
        return list(block.rates) + [syntax.Setting("semesters_per_year", n, span=s) for n, s in zip(block.semesters_per_year, spans)]
    if isinstance(block, syntax.ScheduleBlock):
        return list(block.items)
    if isinstance(block, syntax.PublicationBlock):
        return list(block.rules)
    raise TypeError(f"not a section: {block!r}")


def rebuild_section(block: Any, entries: Iterable[Any], **changes: Any) -> Any:
    """``block`` holding ``entries`` as its plain items, with no edits left."""
    entries = list(entries)
    if isinstance(block, syntax.PointsBlock):
        totals = [e for e in entries if isinstance(e, syntax.Total)]
        fields = {"total": totals[0].expr if totals else None, "indicators": tuple(e for e in entries if isinstance(e, syntax.Indicator))}
    elif isinstance(block, syntax.BatchesBlock):
        fields = {"batches": tuple(entries)}
    elif isinstance(block, syntax.TieBreakBlock):
        fields = {"keys": tuple(entries)}
    elif isinstance(block, syntax.AllocationBlock):
        fields = {"settings": tuple(entries)}
    elif isinstance(block, syntax.SubsidyBlock):
        semesters = [e for e in entries if isinstance(e, syntax.Setting)]
        fields = {
            "rates": tuple(e for e in entries if isinstance(e, syntax.SubsidyRate)),
            "semesters_per_year": tuple(e.value for e in semesters),
            "semesters_spans": tuple(e.span for e in semesters if e.span is not None),
        }
    elif isinstance(block, syntax.ScheduleBlock):
        fields = {"items": tuple(entries)}
    elif isinstance(block, syntax.PublicationBlock):
        fields = {"rules": tuple(entries)}
    else:
        raise TypeError(f"not a section: {block!r}")
    return attrs.evolve(block, **fields, edits=(), **changes)


def find_entry(entries: list[Any], kind: str, name: Any, aliases: dict[str, str] | None = None) -> int | None:
    """The position of the entry named (kind, name), or None; a tie-break key's names may be labels (``aliases``)."""
    wanted = (kind, canonical_key(name, aliases))
    for i, entry in enumerate(entries):
        entry_kind, entry_name = item_key(entry)
        if (entry_kind, canonical_key(entry_name, aliases)) == wanted:
            return i
    return None


def canonical_key(name: Any, aliases: dict[str, str] | None) -> Any:
    """A tie-break key's expression with every label replaced by the name it labels; anything else as it is."""
    if not aliases or isinstance(name, str):
        return name
    from jifen_dsl.lang.walk import rebuild

    return rebuild(name, lambda n: attrs.evolve(n, name=aliases[n.name]) if isinstance(n, syntax.Ref) and n.name in aliases else n)


def label_aliases(declarations: Iterable[Any]) -> dict[str, str]:
    """Label -> name of every field and definition, so that a key may be named either way."""
    return {d.label: d.name for d in declarations if isinstance(d, (syntax.FieldDecl, syntax.Define)) and d.label}


def empty_section(kind: str) -> Any:
    """A section of the given kind with nothing in it, to add items to."""
    if kind == "points":
        return syntax.PointsBlock(None, ())
    if kind == "subsidies":
        return syntax.SubsidyBlock(None, (), ())
    if kind == "batches":
        return syntax.BatchesBlock(())
    if kind == "schedule":
        return syntax.ScheduleBlock(None, ())
    return SECTION_TYPES[kind](None, ())


class Body:
    """A policy's declarations, each with the file it came from, addressed by clause."""

    def __init__(self, declarations: Iterable[tuple[Any, str]], grades: dict[str, str] | None = None):
        self.items: list[list[Any]] = [[d, p] for d, p in declarations]
        # Spelling -> grade value, from the grade field, so that "G1" and "小学一年级" name one grade.
        self.grades = grades if grades is not None else grade_spellings(d for d, _ in self.items)
        self.aliases = label_aliases(d for d, _ in self.items)

    def declarations(self) -> tuple[tuple[Any, str], ...]:
        """The declarations in order, with their files."""
        return tuple((d, p) for d, p in self.items)

    def grade(self, spelling: str) -> str:
        """The value of the grade a spelling names (the spelling itself when the grade field does not know it)."""
        return self.grades.get(spelling, spelling)

    # ------------------------------------------------------------ looking up
    def _top(self, kind: str, name: str) -> int | None:
        for i, (decl, _) in enumerate(self.items):
            if kind == "field" and isinstance(decl, syntax.FieldDecl) and decl.name == name:
                return i
            if kind == "define" and isinstance(decl, syntax.Define) and decl.name == name:
                return i
            if kind == "grade" and isinstance(decl, syntax.GradeBlock) and self.grade(decl.grade) == self.grade(name):
                return i
            if kind == "section" and section_kind(decl) == name:
                return i
        return None

    def _requirement(self, name: str) -> tuple[int, int | None] | None:
        for i, (decl, _) in enumerate(self.items):
            if isinstance(decl, syntax.Requirement) and decl.name == name:
                return i, None
            if isinstance(decl, syntax.GradeBlock):
                for j, req in enumerate(decl.requirements):
                    if req.name == name:
                        return i, j
        return None

    def find(self, kind: str, name: Any) -> tuple[Any, str] | None:
        """The clause (kind, name) and its file, or None."""
        if kind == "requirement":
            at = self._requirement(name)
            if at is None:
                return None
            decl, path = self.items[at[0]]
            return (decl if at[1] is None else decl.requirements[at[1]]), path
        if kind in SECTION_OF_ITEM:
            at = self._top("section", SECTION_OF_ITEM[kind])
            if at is None:
                return None
            block, path = self.items[at]
            entries = section_entries(block)
            found = find_entry(entries, kind, name, self.aliases)
            return (entries[found], path) if found is not None else None
        at = self._top(kind, name)
        return tuple(self.items[at]) if at is not None else None

    def names(self, kind: str) -> list[str]:
        """The names of every clause of one kind (for suggestions)."""
        if kind == "requirement":
            out = []
            for decl, _ in self.items:
                if isinstance(decl, syntax.Requirement):
                    out.append(decl.name)
                elif isinstance(decl, syntax.GradeBlock):
                    out.extend(r.name for r in decl.requirements)
            return out
        if kind in SECTION_OF_ITEM:
            at = self._top("section", SECTION_OF_ITEM[kind])
            if at is None:
                return []
            return [item_key(e)[1] for e in section_entries(self.items[at][0]) if item_key(e)[0] == kind and isinstance(item_key(e)[1], str)]
        if kind == "field":
            return [d.name for d, _ in self.items if isinstance(d, syntax.FieldDecl)]
        if kind == "define":
            return [d.name for d, _ in self.items if isinstance(d, syntax.Define)]
        if kind == "grade":
            return [d.grade for d, _ in self.items if isinstance(d, syntax.GradeBlock)]
        if kind == "section":
            return [section_kind(d) for d, _ in self.items if section_kind(d)]
        return []

    def grade_of(self, requirement: str) -> str | None:
        """The grade value a requirement belongs to (None: every grade)."""
        at = self._requirement(requirement)
        if at is None or at[1] is None:
            return None
        return self.grade(self.items[at[0]][0].grade)

    # ------------------------------------------------------------- changing
    def replace(self, kind: str, name: Any, item: Any, path: str) -> None:
        """Put ``item`` where the clause (kind, name) stands."""
        if kind == "requirement":
            i, j = self._requirement(name)
            if j is None:
                self.items[i] = [item, path]
            else:
                block = self.items[i][0]
                reqs = list(block.requirements)
                reqs[j] = item
                self.items[i] = [attrs.evolve(block, requirements=tuple(reqs)), path]
            return
        if kind in SECTION_OF_ITEM:
            i = self._top("section", SECTION_OF_ITEM[kind])
            block = self.items[i][0]
            entries = section_entries(block)
            entries[find_entry(entries, kind, name, self.aliases)] = item
            self.items[i] = [rebuild_section(block, entries), path]
            return
        self.items[self._top(kind, name)] = [item, path]

    def remove(self, kind: str, name: Any) -> None:
        """Drop the clause (kind, name)."""
        if kind == "requirement":
            i, j = self._requirement(name)
            if j is None:
                del self.items[i]
            else:
                block = self.items[i][0]
                self.items[i][0] = attrs.evolve(block, requirements=tuple(r for r in block.requirements if r.name != name))
            return
        if kind in SECTION_OF_ITEM:
            i = self._top("section", SECTION_OF_ITEM[kind])
            block = self.items[i][0]
            entries = section_entries(block)
            del entries[find_entry(entries, kind, name, self.aliases)]
            self.items[i][0] = rebuild_section(block, entries)
            return
        del self.items[self._top(kind, name)]

    def add(self, kind: str, item: Any, path: str, *, grade: str | None = None, stage: str | None = None) -> None:
        """Add a clause: at the end of the declarations, of its grade block, or of its section (made if missing)."""
        if kind == "requirement" and grade is not None:
            i = self._top("grade", grade)
            if i is None:
                self.items.append([syntax.GradeBlock(grade, stage, (item,)), path])
            else:
                block = self.items[i][0]
                self.items[i] = [attrs.evolve(block, requirements=block.requirements + (item,)), path]
            return
        if kind in SECTION_OF_ITEM:
            section = SECTION_OF_ITEM[kind]
            i = self._top("section", section)
            if i is None:
                self.items.append([rebuild_section(empty_section(section), [item]), path])
            else:
                block = self.items[i][0]
                self.items[i] = [rebuild_section(block, section_entries(block) + [item]), path]
            return
        self.items.append([item, path])

    def set_cite(self, section: str, cite: str | None, path: str) -> None:
        """Give a section a new citation."""
        i = self._top("section", section)
        self.items[i] = [attrs.evolve(self.items[i][0], cite=cite), path]

    def reorder(self, kind: str, names: list[Any]) -> None:
        """Put the items of one kind in a section in the order of ``names`` (items not named keep their place after)."""
        i = self._top("section", SECTION_OF_ITEM[kind])
        block = self.items[i][0]
        entries = section_entries(block)
        mine = [e for e in entries if item_key(e)[0] == kind]
        ordered = sorted(mine, key=lambda e: names.index(item_key(e)[1]) if item_key(e)[1] in names else len(names))
        it = iter(ordered)
        entries = [next(it) if item_key(e)[0] == kind else e for e in entries]
        self.items[i][0] = rebuild_section(block, entries)


def grade_spellings(declarations: Iterable[Any]) -> dict[str, str]:
    """Every spelling of every grade -> the grade's value, from the declaration of the field 'grade'."""
    out: dict[str, str] = {}
    for decl in declarations:
        if isinstance(decl, syntax.FieldDecl) and decl.name == "grade" and decl.type.kind == "enum":
            for member in decl.type.members:
                out[member.value] = member.value
                for alias in member.aliases:
                    out.setdefault(alias, member.value)
    return out
