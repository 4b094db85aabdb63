"""The policy library as the language server sees it: every name of every file, what it stands for, and where.

Find references, go to definition, rename and the inheritance hovers need more
than one file: a field is declared in the shared library and used in every
district's policy; a requirement of last year's policy is overridden in this
year's. This module reads the files of a policy's library (``lang/library.py``:
the folder above the policy's own folder) - the editor's text for the files it
has open, the disk for the others - and resolves every name in each of them
from the syntax tree alone, so a file that does not check still has its names.

A name stands for an *entity*: the field, definition, phase, requirement,
indicator or batch declared first under that name, keyed by (the file of that
first declaration, its kind, its name). An ``override`` in a policy that extends
another, and a ``remove``, name the inherited entity, not a new one, so renaming
last year's requirement renames this year's override of it too. A field or a
definition may be written by its name or by its label: both spell one entity.

Names live in the namespaces the checker gives them: fields, labels,
definitions and phases share one; indicators, requirements and batches have
one each (an indicator may be named in a tie-break key, where fields are too).

Positions are 0-based (line, column) in characters, as in :mod:`features`.
"""

from __future__ import annotations

import os
import re
import time
from typing import Any, Mapping

import attrs

from jifen_dsl.errors import JifenError, Span
from jifen_dsl.lang import syntax

__all__ = [
    "Occurrence", "Entity", "FileNames", "Scope", "Resolved", "View", "Workspace", "NAMESPACES", "RENAMEABLE", "name_written",
    "file_names", "offset_position",
]

# What each kind of entity is declared in: the namespace its names must be unique in.
NAMESPACES = {"field": "value", "define": "value", "phase": "value", "indicator": "indicator", "requirement": "requirement", "batch": "batch"}
RENAMEABLE = frozenset(NAMESPACES)

# A library holds a folder per district with a few files each; a walk that finds more
# than this (a policy saved at the top of a large tree) stops there. A walk is kept
# for a few seconds: one rename or hover asks for it several times.
MAX_FILES = 2000
MAX_FOLDERS = 5000
MAX_DEPTH = 4
WALK_KEPT_SECONDS = 3.0

_ASCII_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

Key = tuple[str, str, str]  # (the file of the first declaration, kind, name)


def name_written(name: str) -> str:
    """A name as policy text writes it: bare when it is an ASCII word that is no keyword, else in corner brackets."""
    from jifen_dsl.lang.parsing.parser import keywords

    if _ASCII_NAME.fullmatch(name) and name not in keywords():
        return name
    return f"「{name}」"


def _normal(path: str) -> str:
    return os.path.normpath(os.path.abspath(path))


# ------------------------------------------------------------------ one file


@attrs.frozen
class Occurrence:
    """A name written in a file.

    ``role``: "declaration" (a field, definition, requirement, indicator, batch
    or phase declared, or overridden: ``override`` is then true), "label" (the
    label string of a field or definition: its text without the quotes), "use"
    (a name in an expression, an ``evidence`` or a schedule or allocation item)
    or "remove". ``kind``: for a declaration, a label or a remove, the kind of
    entity; for a use, where it stands - "value" (an expression), "tiebreak" (a
    tie-break key: a value or an indicator), "indicator" (``evidence``) or
    "phase" (verification, allocation windows).
    """

    path: str
    start: tuple[int, int]
    end: tuple[int, int]
    offsets: tuple[int, int]
    name: str  # as resolved: without brackets
    role: str
    kind: str
    override: bool = False
    label: str | None = None  # a declaration's label (fields and definitions)
    quote: str | None = None  # a label's opening quote: '"' or '“'

    def contains(self, line: int, column: int) -> bool:
        return self.start <= (line, column) <= self.end


@attrs.frozen
class FileNames:
    """One file's names, from its syntax tree: what it declares, uses, removes, imports and extends."""

    path: str
    text: str
    tree: syntax.PolicyFile | None
    occurrences: tuple[Occurrence, ...]  # in the order written
    imports: tuple[str, ...]  # normalised paths, in order
    extends: str | None

    @property
    def language(self) -> str:
        header = self.tree.header if self.tree is not None else None
        return header.language if header is not None else "en"


def offset_position(text: str, offset: int) -> tuple[int, int]:
    """The 0-based (line, column) of a character offset."""
    line = text.count("\n", 0, offset)
    return line, offset - (text.rfind("\n", 0, offset) + 1)


class _Collector:
    """Walks one tree and notes every name written in it."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.text = text
        self.found: list[Occurrence] = []

    def note(self, span: Span | None, name: str, role: str, kind: str, **more: Any) -> None:
        if span is None:
            return
        start, end = span.start, span.end
        if not (0 <= start < end <= len(self.text)):
            return
        self.found.append(Occurrence(
            self.path, (span.line - 1, span.column - 1), (span.end_line - 1, span.end_column - 1), (start, end), name, role, kind, **more,
        ))

    def note_offsets(self, start: int, end: int, name: str, role: str, kind: str, **more: Any) -> None:
        self.found.append(Occurrence(
            self.path, offset_position(self.text, start), offset_position(self.text, end), (start, end), name, role, kind, **more,
        ))

    def declaration(self, node: Any, kind: str, override: bool) -> None:
        label = getattr(node, "label", None)
        self.note(node.name_span or node.span, node.name, "declaration", kind, override=override, label=label)
        if label is not None and node.name_span is not None:
            found = _string_after(self.text, node.name_span.end)
            if found is not None:
                start, end, quote = found
                self.note_offsets(start, end, label, "label", kind, quote=quote)

    def window_setting(self, setting: syntax.Setting) -> None:
        """The phase an allocation ``window`` item names: the last name written in it."""
        span = setting.span
        if span is None or not isinstance(setting.value, str):
            return
        last = None
        for match in _WORD.finditer(self.text, span.start, span.end):
            last = match
        if last is not None:
            self.note_offsets(last.start(), last.end(), setting.value, "use", "phase")

    def walk(self, tree: syntax.PolicyFile) -> None:
        stack: list[tuple[Any, str, bool]] = [(d, "value", False) for d in reversed(tree.declarations)]
        while stack:
            node, context, override = stack.pop()
            if isinstance(node, (tuple, list)):
                stack.extend((item, context, False) for item in reversed(node))
                continue
            if isinstance(node, syntax.Override):
                stack.append((node.item, context, True))
                continue
            if not attrs.has(type(node)):
                continue
            if isinstance(node, syntax.Ref):
                self.note(node.span, node.name, "use", context)
                continue
            if isinstance(node, syntax.FieldDecl):
                self.declaration(node, "field", override)
            elif isinstance(node, syntax.Define):
                self.declaration(node, "define", override)
            elif isinstance(node, syntax.Requirement):
                self.declaration(node, "requirement", override)
            elif isinstance(node, syntax.Indicator):
                self.declaration(node, "indicator", override)
            elif isinstance(node, syntax.Batch):
                self.declaration(node, "batch", override)
            elif isinstance(node, syntax.Phase):
                self.declaration(node, "phase", override)
            elif isinstance(node, syntax.Remove):
                if node.kind in RENAMEABLE:
                    self.note(node.name_span, node.name, "remove", node.kind)
            elif isinstance(node, syntax.Evidence):
                self.note(node.name_span, node.indicator, "use", "indicator")
            elif isinstance(node, syntax.Verification):
                if node.after is not None:
                    self.note(node.after_span, node.after, "use", "phase")
                if node.needed_for is not None:
                    self.note(node.needed_for_span, node.needed_for, "use", "phase")
            elif isinstance(node, syntax.Setting) and node.key.startswith("window_"):
                self.window_setting(node)
            if isinstance(node, syntax.TieBreakBlock):
                context = "tiebreak"
            children = [getattr(node, a.name) for a in attrs.fields(type(node)) if a.name != "span" and not a.name.endswith("_span") and a.name != "semesters_spans"]
            stack.extend((child, context, False) for child in reversed(children) if child is not None and not isinstance(child, (str, int, bool)))


_WORD = re.compile(r"「[^」\n]*」|[A-Za-z_][A-Za-z0-9_]*")
_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"|“[^”\n]*”')
_GAP = re.compile(r"(?:[ \t\r\n\u3000\ufeff]+|#[^\n]*)*")


def _string_after(text: str, offset: int) -> tuple[int, int, str] | None:
    """The string literal written right after ``offset`` (past spaces and comments): its text's offsets, without quotes, and its quote."""
    gap = _GAP.match(text, offset)
    at = gap.end() if gap else offset
    match = _STRING.match(text, at)
    if match is None:
        return None
    return match.start() + 1, match.end() - 1, match.group()[0]


def file_names(path: str, text: str) -> FileNames:
    """The names of one file's text; a file that does not parse has none."""
    from jifen_dsl.lang.parsing.parser import parse

    try:
        tree = parse(text, path)
    except (JifenError, RecursionError, ValueError):
        return FileNames(path, text, None, (), (), None)
    collector = _Collector(path, text)
    collector.walk(tree)
    base = os.path.dirname(path)
    imports = tuple(_normal(os.path.join(base, d.path)) for d in tree.declarations if isinstance(d, syntax.Import))
    extends = _normal(os.path.join(base, tree.extends.path)) if tree.extends is not None else None
    found = tuple(sorted(collector.found, key=lambda o: o.offsets))
    return FileNames(path, text, tree, found, imports, extends)


# ------------------------------------------------------------------ scopes


@attrs.frozen
class Entity:
    """What a name stands for, where it is declared in the scope of one file, and its label there."""

    key: Key
    kind: str
    name: str
    label: str | None
    declaration: Occurrence  # the declaration in force in this scope (the last override)
    origin: Occurrence  # the first declaration


class Scope:
    """The names one file can use: its own, those of the files it imports, and those of the policy it extends."""

    def __init__(self) -> None:
        self.names: dict[tuple[str, str], Key] = {}
        self.entities: dict[Key, Entity] = {}

    def copy(self) -> "Scope":
        other = Scope()
        other.names = dict(self.names)
        other.entities = dict(self.entities)
        return other

    def merge(self, other: "Scope") -> None:
        for spelled, key in other.names.items():
            self.names.setdefault(spelled, key)
        for key, entity in other.entities.items():
            self.entities.setdefault(key, entity)

    def lookup(self, namespace: str, name: str) -> Entity | None:
        key = self.names.get((namespace, name))
        return self.entities.get(key) if key is not None else None

    def spellings(self, entity: Entity) -> list[str]:
        return [entity.name] + ([entity.label] if entity.label and entity.label != entity.name else [])

    def bind(self, entity: Entity) -> None:
        self.unbind(entity.key)
        namespace = NAMESPACES[entity.kind]
        self.entities[entity.key] = entity
        for spelled in self.spellings(entity):
            self.names.setdefault((namespace, spelled), entity.key)

    def unbind(self, key: Key) -> None:
        entity = self.entities.pop(key, None)
        if entity is None:
            return
        namespace = NAMESPACES[entity.kind]
        for spelled in self.spellings(entity):
            if self.names.get((namespace, spelled)) == key:
                del self.names[(namespace, spelled)]

    def resolve(self, occurrence: Occurrence) -> Entity | None:
        """The entity a use or a remove names in this scope."""
        if occurrence.role == "remove":
            entity = self.lookup(NAMESPACES[occurrence.kind], occurrence.name)
            return entity if entity is not None and entity.kind == occurrence.kind else None
        if occurrence.kind == "indicator":
            return self.lookup("indicator", occurrence.name)
        entity = self.lookup("value", occurrence.name)
        if occurrence.kind == "phase":
            return entity if entity is not None and entity.kind == "phase" else None
        if entity is None and occurrence.kind == "tiebreak":
            return self.lookup("indicator", occurrence.name)
        return entity


@attrs.frozen
class Resolved:
    """One file with each of its occurrences resolved: (occurrence, entity or None), and its scope."""

    names: FileNames
    scope: Scope
    occurrences: tuple[tuple[Occurrence, Entity | None], ...]
    parent: Scope | None  # the scope of the policy it extends, as that policy leaves it


# ------------------------------------------------------------------ the library


class Workspace:
    """What stays between requests: the files read from disk (kept while their times and size stay), their names (by their text)."""

    def __init__(self) -> None:
        self._disk: dict[str, tuple[tuple[int, ...], str | None]] = {}
        self._names: dict[str, FileNames] = {}
        self._walks: dict[str, tuple[float, tuple[str, ...]]] = {}

    def library_files(self, root: str) -> tuple[str, ...]:
        """The .jifen files under ``root``, to a bounded depth and count, hidden folders left out; kept a few seconds."""
        now = time.monotonic()
        kept = self._walks.get(root)
        if kept is not None and now - kept[0] < WALK_KEPT_SECONDS:
            return kept[1]
        found: set[str] = set()
        folders_seen = 0
        for directory, folders, names in os.walk(root):
            folders_seen += 1
            depth = os.path.relpath(directory, root).count(os.sep)
            folders[:] = sorted(f for f in folders if not f.startswith(".")) if depth < MAX_DEPTH else []
            found.update(_normal(os.path.join(directory, n)) for n in names if n.endswith(".jifen"))
            if len(found) >= MAX_FILES or folders_seen >= MAX_FOLDERS:
                break
        files = tuple(sorted(found))
        self._walks[root] = (now, files)
        return files

    def disk_text(self, path: str, library: Any) -> str | None:
        """The text of a library file on disk, read the safe way (``lang/library.py``); None when it cannot be read."""
        from jifen_dsl.lang.library import read_policy_bytes

        resolved, refusal = library.refusal(path)
        if refusal is not None:
            return None
        try:
            status = os.stat(resolved)
        except OSError:
            return None
        stamp = (status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino)
        kept = self._disk.get(path)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        try:
            text = read_policy_bytes(resolved, follow=False).decode("utf-8").removeprefix("\ufeff")
        except (OSError, UnicodeDecodeError):
            text = None
        self._disk[path] = (stamp, text)
        return text

    def names(self, path: str, text: str) -> FileNames:
        kept = self._names.get(path)
        if kept is None or kept.text != text:
            kept = self._names[path] = file_names(path, text)
        return kept

    def view(self, path: str, open_texts: Mapping[str, str]) -> "View":
        """The library of ``path`` as it stands now, with the editor's texts of the open files (by path)."""
        return View(self, path, {_normal(p): t for p, t in open_texts.items()})


class View:
    """The library of one file at one moment: every request is answered from one view."""

    def __init__(self, workspace: Workspace, path: str, open_texts: dict[str, str]):
        from jifen_dsl.lang.library import library_of

        self.workspace = workspace
        self.path = _normal(path)
        self.open_texts = open_texts
        self.library = library_of(self.path)
        self.root = _normal(self.library.root)
        self._resolved: dict[str, Resolved | None] = {}
        self._files: list[str] | None = None

    # ------------------------------------------------------------ reading
    def text(self, path: str) -> str | None:
        path = _normal(path)
        if path in self.open_texts:
            return self.open_texts[path]
        return self.workspace.disk_text(path, self.library)

    def names(self, path: str) -> FileNames | None:
        path = _normal(path)
        text = self.text(path)
        return self.workspace.names(path, text) if text is not None else None

    def files(self) -> list[str]:
        """Every .jifen file of the library: on disk (a bounded walk) and open in the editor."""
        if self._files is not None:
            return self._files
        found = set(self.workspace.library_files(self.root))
        found.update(p for p in self.open_texts if p.endswith(".jifen") and _inside(p, self.root))
        found.add(self.path)
        self._files = sorted(found)
        return self._files

    # ---------------------------------------------------------- resolving
    def resolved(self, path: str, _stack: tuple[str, ...] = ()) -> Resolved | None:
        """The file's occurrences resolved in its scope; None when it cannot be read or does not parse."""
        path = _normal(path)
        if path in self._resolved:
            return self._resolved[path]
        if path in _stack or len(_stack) > 64:
            return None
        names = self.names(path)
        if names is None or names.tree is None:
            self._resolved[path] = None
            return None
        stack = _stack + (path,)
        scope = Scope()
        parent_scope = None
        if names.extends is not None:
            parent = self.resolved(names.extends, stack)
            if parent is not None:
                parent_scope = parent.scope
                scope = parent.scope.copy()
        for imported in names.imports:
            library = self.resolved(imported, stack)
            if library is not None:
                scope.merge(library.scope)
        resolved: list[tuple[Occurrence, Entity | None]] = []
        for occurrence in names.occurrences:
            if occurrence.role == "declaration":
                namespace = NAMESPACES[occurrence.kind]
                existing = scope.lookup(namespace, occurrence.name)
                if existing is not None and existing.kind == occurrence.kind and existing.name == occurrence.name:
                    entity = attrs.evolve(existing, label=occurrence.label, declaration=occurrence)
                else:
                    key = (path, occurrence.kind, occurrence.name)
                    entity = Entity(key, occurrence.kind, occurrence.name, occurrence.label, occurrence, occurrence)
                scope.bind(entity)
                resolved.append((occurrence, entity))
            elif occurrence.role == "label":
                resolved.append((occurrence, None))  # filled in below, from its declaration
            elif occurrence.role == "remove":
                entity = scope.resolve(occurrence)
                resolved.append((occurrence, entity))
                if entity is not None:
                    scope.unbind(entity.key)
            else:
                resolved.append((occurrence, None))
        # Uses are resolved in the scope the whole file makes (requirements may use any definition).
        final: list[tuple[Occurrence, Entity | None]] = []
        last_declared: Entity | None = None
        for occurrence, entity in resolved:
            if occurrence.role == "declaration":
                last_declared = entity
            elif occurrence.role == "label":
                entity = last_declared
            elif occurrence.role == "use":
                entity = scope.resolve(occurrence)
            final.append((occurrence, entity))
        result = Resolved(names, scope, tuple(final), parent_scope)
        self._resolved[path] = result
        return result

    def at(self, path: str, line: int, column: int) -> tuple[Occurrence, Entity | None] | None:
        """The name written at (line, column) of ``path`` and what it stands for."""
        resolved = self.resolved(path)
        if resolved is None:
            return None
        for occurrence, entity in resolved.occurrences:
            if occurrence.contains(line, column):
                return occurrence, entity
        return None

    def everywhere(self, key: Key) -> list[tuple[Occurrence, Entity]]:
        """Every occurrence of the entity ``key`` in the library: declarations, overrides, labels, uses and removes."""
        found: list[tuple[Occurrence, Entity]] = []
        for path in self.files():
            resolved = self.resolved(path)
            if resolved is None:
                continue
            found.extend((o, e) for o, e in resolved.occurrences if e is not None and e.key == key)
        return found

    def seeing(self, key: Key) -> list[Resolved]:
        """Every file of the library in whose scope the entity ``key`` is, this view's file first."""
        out = []
        for path in sorted(self.files(), key=lambda p: p != self.path):
            resolved = self.resolved(path)
            if resolved is not None and key in resolved.scope.entities:
                out.append(resolved)
        return out

    # ------------------------------------------------------------ answers
    def references(self, line: int, column: int, include_declaration: bool = True) -> list[Occurrence]:
        """Every occurrence, in the library, of the entity named at (line, column) of this view's file: this file's first."""
        found = self.at(self.path, line, column)
        if found is None or found[1] is None:
            return []
        kept = [
            o for o, _ in self.everywhere(found[1].key)
            if o.role != "label" and (include_declaration or o.role != "declaration")
        ]
        return sorted(kept, key=lambda o: (o.path != self.path, o.path, o.offsets))

    def definition(self, line: int, column: int) -> Occurrence | None:
        """The declaration of the name at (line, column): the one in force in this file, or, on an override, the one it overrides."""
        found = self.at(self.path, line, column)
        if found is None or found[1] is None:
            return None
        occurrence, entity = found
        if occurrence.role == "declaration" and occurrence.override:
            resolved = self.resolved(self.path)
            inherited = resolved.parent.entities.get(entity.key) if resolved is not None and resolved.parent is not None else None
            return inherited.declaration if inherited is not None else entity.origin
        return entity.declaration

    def lineage(self, path: str | None = None) -> list[str]:
        """The policies ``path`` (this view's file) extends, nearest first."""
        chain: list[str] = []
        names = self.names(path or self.path)
        while names is not None and names.extends is not None and names.extends not in chain and len(chain) < 64:
            chain.append(names.extends)
            names = self.names(names.extends)
        return chain

    def children(self, key: Key, path: str | None = None) -> list[Occurrence]:
        """The overrides of the entity ``key`` in the library's policies that extend ``path`` (this view's file), directly or not."""
        here = _normal(path or self.path)
        found = []
        for other in self.files():
            if other == here or here not in self.lineage(other):
                continue
            resolved = self.resolved(other)
            if resolved is None:
                continue
            found.extend(o for o, e in resolved.occurrences if e is not None and e.key == key and o.role == "declaration" and o.override)
        return sorted(found, key=lambda o: (o.path, o.offsets))


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:
        return False
