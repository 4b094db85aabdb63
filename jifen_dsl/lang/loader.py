"""Read a policy file, the files it imports and the policies it extends, in declaration order.

An import splices the imported file's declarations in where the import stands,
once per file however often it is imported. Imported files are libraries: they
declare fields, definitions and working-day calendars only, and have no header.
A policy that extends another starts from that policy's declarations, resolved
first (it may extend a third), and applies its own (:mod:`jifen_dsl.lang.inherit`).

Every file imported or extended must be a ``.jifen`` file inside the policy's
library (:mod:`jifen_dsl.lang.library`); one that is not is refused by its path,
before it is opened, so no message ever quotes a file that is not a policy. The
main file is the one the officer chose, and is read wherever it lies.
"""

from __future__ import annotations

import functools
import os

import attrs

from jifen_dsl.lang import syntax
from jifen_dsl.messages import M, T, language_of_text, quoted, speak
from jifen_dsl.errors import Diagnostic, PolicyError, SourceText
from jifen_dsl.lang.inherit import reject_edits, resolve
from jifen_dsl.lang.library import MAX_POLICY_MIB, SUFFIX, NotAPolicyFile, library_of, read_policy_bytes
from jifen_dsl.lang.parsing.parser import parse

__all__ = ["Program", "load"]

_LIBRARY_DECLS = (syntax.FieldDecl, syntax.Define, syntax.Import, syntax.CalendarBlock)


# The trees of the last files parsed, by path and text: a file read again unchanged is not
# parsed again. The language server and the workbench check a policy at every edit, and its
# imported libraries (the district's shared field file) have not changed: parsing them again
# was a sixth of an edit's time. A tree is immutable (frozen nodes), so one tree may serve
# every load; a file that does not parse raises, and lru_cache keeps nothing of it. Only
# files the size of real policies are kept: a huge file's tree would hold memory for nothing.
_LARGEST_KEPT = 256 * 1024  # characters; a real policy or library is some 10,000


@functools.lru_cache(maxsize=64)
def _parsed_small(text: str, path: str) -> syntax.PolicyFile:
    return parse(text, path)


def _parsed(text: str, path: str) -> syntax.PolicyFile:
    return _parsed_small(text, path) if len(text) <= _LARGEST_KEPT else parse(text, path)


@attrs.frozen
class Program:
    """The main file and the declarations of every file it reads, imports spliced in."""

    main: syntax.PolicyFile
    declarations: tuple[tuple[syntax.Declaration, str], ...]  # (declaration, path of its file)
    sources: dict[str, SourceText]
    files: tuple[str, ...]


def read_source(path: str, resolved: str | None = None) -> str:
    """A policy file's text; raise PolicyError naming the file when it cannot be read.

    ``resolved``: the path after symlinks, checked to lie in the library; the file
    is opened there, and no symbolic link put in its place since is followed.
    """
    try:
        data = read_policy_bytes(resolved or path, follow=resolved is None)
    except FileNotFoundError:
        raise PolicyError([Diagnostic(M("L0002", "{path}: no such policy file", path=path))]) from None
    except IsADirectoryError:
        raise PolicyError([Diagnostic(M("L0003", "{path}: is a directory, not a policy file", path=path))]) from None
    except NotAPolicyFile as exc:
        if exc.kind is None:
            message = M("L0005", "{path}: is larger than a policy file may be ({size} MiB)", path=path, size=MAX_POLICY_MIB)
        else:
            message = M("L0004", "{path}: is {kind}, not a policy file", path=path, kind=exc.kind)
        raise PolicyError([Diagnostic(message)]) from None
    except OSError as exc:
        raise PolicyError([Diagnostic(M("L0006", "{path}: cannot read the policy file ({reason})", path=path, reason=exc.strerror))]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PolicyError(
            [Diagnostic(M("L0007", "{path}:{line}: the policy file is not UTF-8 text", path=path, line=line), hint=T("save the file as UTF-8"))]
        ) from None
    return text.removeprefix("\ufeff")


def load(path: str, text: str | None = None) -> Program:
    """Parse ``path`` (or ``text`` as if read from it), everything it imports and the policies it extends; raise PolicyError listing every problem."""
    loading = _Loading(path, text)
    main = loading.parse_file(path)
    if path in loading.sources:
        # Messages about this policy, from here on, speak its language (jifen_dsl.messages).
        speak(language_of_text(loading.sources[path].text))
    if main is None:
        raise PolicyError(loading.errors, loading.sources)
    declarations = loading.resolved(main, (os.path.normpath(path),))
    if loading.errors or declarations is None:
        raise PolicyError(loading.errors, loading.sources)
    return Program(main, tuple(declarations), loading.sources, tuple(loading.sources))


class _Loading:
    """One load in progress: the files parsed so far, the libraries spliced in, and every problem found on the way."""

    def __init__(self, path: str, text: str | None):
        self.path = path
        self.text = text
        self.sources: dict[str, SourceText] = {}
        self.errors: list[Diagnostic] = []
        self.parsed: dict[str, syntax.PolicyFile] = {}
        self.spliced: set[str] = set()
        self.library = library_of(path)

    def parse_file(self, file_path: str, resolved: str | None = None) -> syntax.PolicyFile | None:
        """The tree of one file (read at ``resolved`` when given), parsed once; None (with its errors recorded) when it does not parse."""
        if file_path in self.parsed:
            return self.parsed[file_path]
        text_of_file = self.text if (file_path == self.path and self.text is not None) else read_source(file_path, resolved)
        text_of_file = text_of_file.removeprefix("\ufeff")
        self.sources[file_path] = SourceText(file_path, text_of_file)
        try:
            tree = _parsed(text_of_file, file_path)
        except PolicyError as exc:
            self.errors.extend(exc.diagnostics)
            return None
        self.parsed[file_path] = tree
        return tree

    def splice(self, tree: syntax.PolicyFile, stack: tuple[str, ...], declarations: list[tuple[syntax.Declaration, str]]) -> None:
        """Append the declarations of ``tree`` to ``declarations``, each import replaced by the library's own."""
        for decl in tree.declarations:
            if isinstance(decl, syntax.Import):
                self.splice_import(tree, decl, stack, declarations)
            else:
                declarations.append((decl, tree.path))

    def splice_import(self, tree: syntax.PolicyFile, decl: syntax.Import, stack: tuple[str, ...], declarations: list[tuple[syntax.Declaration, str]]) -> None:
        """Splice in the library one import names, unless it is already in, imports itself, or is no library."""
        target = os.path.normpath(os.path.join(os.path.dirname(tree.path), decl.path))
        if target in stack:
            chain = " -> ".join(stack + (target,))
            self.errors.append(Diagnostic(M("L0008", "import cycle: {chain}", chain=chain), decl.span, T("a file cannot import itself, directly or through others")))
            return
        if target in self.spliced:
            return
        resolved = self.admitted("import", decl.path, target, decl.span)
        if resolved is None:
            return
        try:
            imported = self.parse_file(target, resolved)
        except PolicyError as exc:
            self.errors.append(Diagnostic(M("L0009", "cannot import {path}: {problem}", path=quoted(decl.path), problem=exc.diagnostics[0].message), decl.span))
            return
        if imported is None:
            return
        self.spliced.add(target)
        if imported.header is not None:
            self.errors.append(Diagnostic(
                M("L0010", "{path} is a policy, not a library; only libraries can be imported", path=quoted(decl.path)),
                decl.span,
                T("a library declares fields, definitions and calendars, and has no policy header; a policy that starts from another writes extends"),
            ))
            return
        if imported.extends is not None:
            self.errors.append(Diagnostic(M("L0011", "an imported library cannot extend a policy"), imported.extends.span))
        for inner in imported.declarations:
            if not isinstance(inner, _LIBRARY_DECLS):
                self.errors.append(Diagnostic(M("L0012", "an imported library may only declare fields, definitions and calendars"), inner.span))
        self.splice(imported, stack + (target,), declarations)

    def resolved(self, tree: syntax.PolicyFile, lineage: tuple[str, ...]) -> list[tuple[syntax.Declaration, str]] | None:
        """The declarations of a policy: its parent's, resolved first, with its own applied."""
        self.spliced.add(os.path.normpath(tree.path))
        inherited = None
        if tree.extends is not None:
            inherited = self.parent_of(tree, lineage)
            if inherited is None:
                return None
        # The parent's libraries are read first, so a library both import is spliced once, where the parent has it.
        own: list[tuple[syntax.Declaration, str]] = []
        self.splice(tree, (os.path.normpath(tree.path),), own)
        if inherited is None:
            self.errors.extend(reject_edits(own))
            return own
        merged, problems = resolve(inherited, own, os.path.normpath(os.path.join(os.path.dirname(tree.path), tree.extends.path)), tree.path, tree.header.language)
        self.errors.extend(problems)
        return list(merged)

    def parent_of(self, tree: syntax.PolicyFile, lineage: tuple[str, ...]) -> list[tuple[syntax.Declaration, str]] | None:
        """The resolved declarations of the policy ``tree`` extends; None (with the error recorded) when it cannot be had."""
        if tree.header is None:
            self.errors.append(Diagnostic(
                M("L0013", "a file that extends a policy is a policy and needs its own header"),
                tree.extends.span,
                T("start it with policy ... district ... year ... as_of ... source ...: the header is never inherited"),
            ))
            return None
        target = os.path.normpath(os.path.join(os.path.dirname(tree.path), tree.extends.path))
        if target in lineage:
            chain = " -> ".join(lineage + (target,))
            self.errors.append(Diagnostic(M("L0014", "extends cycle: {chain}", chain=chain), tree.extends.span, T("a policy cannot extend itself, directly or through others")))
            return None
        resolved = self.admitted("extends", tree.extends.path, target, tree.extends.span)
        if resolved is None:
            return None
        try:
            parent = self.parse_file(target, resolved)
        except PolicyError as exc:
            self.errors.append(Diagnostic(M("L0015", "cannot extend {path}: {problem}", path=quoted(tree.extends.path), problem=exc.diagnostics[0].message), tree.extends.span))
            return None
        if parent is None:
            return None
        if parent.header is None:
            self.errors.append(Diagnostic(
                M("L0016", "{path} is a library, not a policy; only a policy can be extended", path=quoted(tree.extends.path)),
                tree.extends.span,
                T("a library of shared declarations is imported: import \"...\""),
            ))
            return None
        return self.resolved(parent, lineage + (target,))

    def admitted(self, keyword: str, written: str, target: str, span) -> str | None:
        """Where the file an import or extends names may be read (its resolved path); None, with the refusal recorded, when it lies outside the library or is no .jifen file."""
        resolved, refusal = self.library.refusal(target)
        if refusal is None:
            return resolved
        library = self.library.shown
        # Quoted as written; escaped if it holds what a terminal would act on (an escape, a line break).
        written = f'"{written}"' if written.isprintable() else repr(written)
        importing = keyword == "import"
        if refusal == "suffix":
            if importing:
                message = M("L0017", "import {path} is not a {suffix} file; only policy files can be imported or extended", path=written, suffix=SUFFIX)
            else:
                message = M("L0017", "extends {path} is not a {suffix} file; only policy files can be imported or extended", path=written, suffix=SUFFIX)
            self.errors.append(Diagnostic(message, span))
            return None
        if refusal == "link":
            if importing:
                message = M("L0019", "import {path} leads outside the policy library {library} (through a symbolic link)", path=written, library=library)
            else:
                message = M("L0019", "extends {path} leads outside the policy library {library} (through a symbolic link)", path=written, library=library)
        elif importing:
            message = M("L0018", "import {path} is outside the policy library {library}", path=written, library=library)
        else:
            message = M("L0018", "extends {path} is outside the policy library {library}", path=written, library=library)
        how = T("the folder named with --library") if self.library.named else T("by default the folder above the policy's own folder")
        self.errors.append(Diagnostic(
            message,
            span,
            T(
                "a policy imports and extends only {suffix} files inside its library ({how}); to read from another folder, name it: jifen --library DIR ...",
                suffix=SUFFIX, how=how,
            ),
        ))
        return None
