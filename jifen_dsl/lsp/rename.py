"""Rename a field, definition, requirement, indicator, batch or phase in every file of the policy library that names it.

A rename is answered from a :class:`jifen_dsl.lsp.workspace.View`: the entity
under the cursor, every occurrence of it in the library (its declaration, the
overrides and removes of policies that extend the one declaring it, and every
use), and one edit per occurrence. It is refused, with a reason, when the
cursor is on no name that can be renamed, when the new name is not a name, and
when it would clash with a name already declared in a file that sees the
entity.

A field or a definition has two spellings, its name and its label, and a policy
may write either. What is renamed is the spelling under the cursor: on the name
(in the declaration, or a use written with it) the name, and the uses written
with the name; on the label (the quoted label of the declaration, or a use
written with it) the label, and the uses written with the label. The other
spelling and its uses stay as they are, so the policy reads as it did.

Policy files only are edited. An applicant file's columns may be headed by a
field's name or by its label, and an evidence file names indicators: those files
are the officers' data, and they are not rewritten.
"""

from __future__ import annotations

import os
import unicodedata

import attrs

from jifen_dsl.errors import JifenError
from jifen_dsl.lang import model
from jifen_dsl.lsp.workspace import NAMESPACES, Entity, Occurrence, View, name_written

__all__ = ["Refusal", "Edit", "Prepared", "prepare", "rename", "apply_edits"]

# Fields the engine reads by their names (model.py): a policy cannot do without them under these names.
_ENGINE_FIELDS = frozenset({
    model.ID_FIELD, model.GRADE_FIELD, model.CHOICES_FIELD, model.COORDINATION_FIELD, model.SIBLING_FIELD,
    model.CLEARING_FIELD, *model.PERSONAL_FIELDS,
})
# Words that are values inside an expression: the checker warns about a name spelled like one.
_VALUE_KEYWORDS = frozenset({"year", "as_of", "true", "false"})
_WHAT = {
    "field": "the field", "define": "the definition", "phase": "the phase", "indicator": "the indicator",
    "requirement": "the requirement", "batch": "the batch",
}
# The namespaces a new name must be free in, by the namespace of what is renamed (the checker's rules).
_CLASHES = {"value": ("value", "indicator"), "indicator": ("indicator", "value"), "requirement": ("requirement",), "batch": ("batch",)}


class Refusal(Exception):
    """Why a rename cannot be done; the message is shown to the author as it is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@attrs.frozen
class Edit:
    """Replace the text of ``path`` from ``start`` to ``end`` (0-based, and as character offsets) with ``text``."""

    path: str
    start: tuple[int, int]
    end: tuple[int, int]
    offsets: tuple[int, int]
    text: str


@attrs.frozen
class Prepared:
    """What a rename at the cursor would change: the range of the spelling under it, that spelling, and whether it is a label."""

    occurrence: Occurrence
    entity: Entity
    spelling: str
    label: bool


def prepare(view: View, line: int, column: int) -> Prepared:
    """The name under the cursor, if it can be renamed; raise Refusal saying why it cannot."""
    found = view.at(view.path, line, column)
    if found is None:
        if view.resolved(view.path) is None:
            raise Refusal("this file does not parse, so its names cannot be renamed; correct the syntax error first")
        raise Refusal("there is no name here to rename: put the cursor on the name of a field, definition, requirement, indicator, batch or phase")
    occurrence, entity = found
    if entity is None:
        raise Refusal(f"{occurrence.name!r} is not declared in this file or in the files it imports or extends, so it cannot be renamed")
    label = occurrence.role == "label" or (occurrence.role == "use" and occurrence.name != entity.name and occurrence.name == entity.label)
    if not label and entity.kind == "field" and entity.name in _ENGINE_FIELDS:
        raise Refusal(f"the engine reads the field {entity.name!r} by this name, so it cannot be renamed; its label can be")
    return Prepared(occurrence, entity, occurrence.name, label)


def rename(view: View, line: int, column: int, new_name: str) -> list[Edit]:
    """The edits that rename the spelling under the cursor to ``new_name`` everywhere in the library; raise Refusal when it cannot be done."""
    prepared = prepare(view, line, column)
    entity, label = prepared.entity, prepared.label
    old = prepared.spelling
    new = _new_spelling(new_name)
    if new == old:
        return []
    if entity.kind == "field" and new in _ENGINE_FIELDS:
        raise Refusal(f"{new!r} is the name of a field the engine reads; choose another name")
    if new in _VALUE_KEYWORDS:
        raise Refusal(f"{new!r} is spelled like a keyword of the language, which stands for a value wherever it is written bare; choose another name")
    _refuse_clash(view, entity, new, old)
    edits = _edits(view, entity, old, new, label)
    _refuse_unparsable(view, edits)
    return edits


def _new_spelling(new_name: str) -> str:
    """The new name as the author typed it, brackets taken off; raise Refusal when it cannot be a name."""
    new = new_name.strip()
    if len(new) >= 2 and new.startswith("「") and new.endswith("」"):
        new = new[1:-1]
    new = unicodedata.normalize("NFC", new)
    if not new.strip():
        raise Refusal("a name cannot be empty")
    if new != new.strip():
        raise Refusal(f"a name cannot start or end with a space: write 「{new.strip()}」")
    if "\n" in new or "\r" in new:
        raise Refusal("a name is written on one line")
    if "」" in new:
        raise Refusal("a name cannot hold 」, which closes a name in corner brackets")
    if not new.isprintable():
        raise Refusal("a name cannot hold control characters or special spaces")
    return new


def _refuse_clash(view: View, entity: Entity, new: str, old: str) -> None:
    """Refuse ``new`` when a file that sees the entity already has that name for something else, in a namespace it must be unique in."""
    namespace = NAMESPACES[entity.kind]
    for resolved in view.seeing(entity.key):
        for space in _CLASHES[namespace]:
            other = resolved.scope.lookup(space, new)
            if other is None or other.key == entity.key:
                continue
            where = other.declaration
            line = where.start[0] + 1
            shown = _shown_path(view, where.path)
            spelled = "the label of " if other.label == new and other.name != new else ""
            raise Refusal(
                f"cannot rename {old!r} to {new!r}: {new!r} is already {spelled}{_WHAT[other.kind]} {other.name!r}, declared at {shown}:{line}"
                + (f" (seen from {_shown_path(view, resolved.names.path)})" if resolved.names.path != where.path and resolved.names.path != view.path else "")
            )


def _shown_path(view: View, path: str) -> str:
    try:
        return os.path.relpath(path, os.path.dirname(view.path))
    except ValueError:
        return path


def _edits(view: View, entity: Entity, old: str, new: str, label: bool) -> list[Edit]:
    edits: list[Edit] = []
    for occurrence, _ in view.everywhere(entity.key):
        if label:
            if occurrence.role == "label":
                edits.append(_label_edit(occurrence, new))
            elif occurrence.role == "use" and occurrence.name == old:
                edits.append(_edit(occurrence, name_written(new)))
        elif occurrence.role in ("declaration", "remove") or (occurrence.role == "use" and occurrence.name == old):
            edits.append(_edit(occurrence, name_written(new)))
    return sorted(set(edits), key=lambda e: (e.path != view.path, e.path, e.offsets))


def _edit(occurrence: Occurrence, text: str) -> Edit:
    return Edit(occurrence.path, occurrence.start, occurrence.end, occurrence.offsets, text)


def _label_edit(occurrence: Occurrence, value: str) -> Edit:
    """The new text of a label between its quotes: as it is inside “...” (when it can be), escaped inside "...".

    A label that holds ” cannot stay in “...”: the whole string, quotes and all, is
    written again in straight quotes.
    """
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    if occurrence.quote != "“":
        return _edit(occurrence, escaped)
    if "”" not in value:
        return _edit(occurrence, value)
    (line, column), (end_line, end_column) = occurrence.start, occurrence.end
    start, end = occurrence.offsets
    return Edit(occurrence.path, (line, column - 1), (end_line, end_column + 1), (start - 1, end + 1), f'"{escaped}"')


def apply_edits(text: str, edits: list[Edit]) -> str:
    """``text`` with the edits of one file made (by their offsets)."""
    out = text
    for edit in sorted(edits, key=lambda e: e.offsets, reverse=True):
        start, end = edit.offsets
        out = out[:start] + edit.text + out[end:]
    return out


def _refuse_unparsable(view: View, edits: list[Edit]) -> None:
    """Refuse a rename after which a file it changes would not parse (the checks above should make this impossible)."""
    from jifen_dsl.lang.parsing.parser import parse

    by_path: dict[str, list[Edit]] = {}
    for edit in edits:
        by_path.setdefault(edit.path, []).append(edit)
    for path, mine in by_path.items():
        text = view.text(path)
        if text is None:
            raise Refusal(f"{_shown_path(view, path)} cannot be read, so the name cannot be renamed in it")
        try:
            parse(apply_edits(text, mine), path)
        except (JifenError, RecursionError, ValueError) as exc:
            first = str(getattr(exc, "diagnostics", [exc])[0].message) if getattr(exc, "diagnostics", None) else str(exc)
            raise Refusal(f"after the rename {_shown_path(view, path)} would not parse: {first}") from None
