"""The Language Server Protocol over stdio, with pygls: each request answered from the pure modules beside this one.

:mod:`features` answers from one file's text (diagnostics, outline, hover,
completion); :mod:`workspace` from the policy library (references, definitions,
the inheritance hovers), :mod:`rename` and :mod:`lens` (the samples lens) build
on it, :mod:`hovers` adds to a hover. This module only turns their answers into
the protocol's types.

The server never dies on what an editor sends: each handler answers what it can
from the text, and a fault inside one (which would be a bug) is logged to the
editor and answered with nothing rather than ending the process. A rename that
cannot be done is answered with an error response saying why.
"""

from __future__ import annotations

import gc
import logging
from typing import Any, Callable

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from jifen_dsl.lsp import features, hovers, rename
from jifen_dsl.lsp.lens import SampleLenses
from jifen_dsl.lsp.workspace import View, Workspace
from jifen_dsl.version import __version__

__all__ = ["make_server", "main"]

_KINDS = {
    "header": types.SymbolKind.File, "import": types.SymbolKind.Module, "field": types.SymbolKind.Field,
    "define": types.SymbolKind.Constant, "requirement": types.SymbolKind.Boolean, "grade": types.SymbolKind.Namespace,
    "section": types.SymbolKind.Namespace, "indicator": types.SymbolKind.Number, "batch": types.SymbolKind.EnumMember,
    "phase": types.SymbolKind.Event, "setting": types.SymbolKind.Property,
}


_COMPLETION_KINDS = {
    "field": types.CompletionItemKind.Field, "define": types.CompletionItemKind.Constant, "requirement": types.CompletionItemKind.Property,
    "indicator": types.CompletionItemKind.Variable, "batch": types.CompletionItemKind.EnumMember, "phase": types.CompletionItemKind.Event,
    "keyword": types.CompletionItemKind.Keyword, "value": types.CompletionItemKind.Value,
}


def _position(at: tuple[int, int]) -> types.Position:
    return types.Position(line=at[0], character=at[1])


def _range(start: tuple[int, int], end: tuple[int, int]) -> types.Range:
    return types.Range(start=_position(start), end=_position(end))


class Refused(JsonRpcException):
    """A request that cannot be done, answered with the protocol's RequestFailed error and the reason."""

    CODE = int(types.LSPErrorCodes.RequestFailed)


def _guarded(server: LanguageServer, answer: Callable[..., Any]) -> Callable[..., Any]:
    def handler(params):
        try:
            return answer(params)
        except JsonRpcException:
            raise  # an answer that is an error response (a refused rename)
        except Exception as exc:  # noqa: BLE001 - a fault answers nothing; the server stays up
            logging.getLogger(__name__).exception("jifen lsp")
            server.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=f"jifen lsp: {type(exc).__name__}: {exc}"))
            return None

    return handler


def make_server() -> LanguageServer:
    server = LanguageServer("jifen", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)

    last_good: dict[str, Any] = {}  # uri -> the policy as it last checked (completion offers its names while a line is half typed)
    analyses: dict[str, features.Analysis] = {}  # uri -> the analysis of its text as last published
    library = Workspace()
    samples = SampleLenses()

    def analysis_of(uri: str, *, fresh: bool = False) -> features.Analysis:
        """The analysis of the document's text; the one made when it was last published, if the text is the same and ``fresh`` is not asked."""
        document = server.workspace.get_text_document(uri)
        kept = analyses.get(uri)
        if kept is not None and kept.text == document.source and not fresh:
            return kept
        analysis = features.analyse(to_fs_path(uri) or uri, document.source)
        if analysis.checked is not None:
            last_good[uri] = analysis.checked
        if uri in server.workspace.text_documents:
            analyses[uri] = analysis
        return analysis

    def open_texts() -> dict[str, str]:
        texts = {}
        for uri, document in list(server.workspace.text_documents.items()):
            path = to_fs_path(uri)
            if path:
                texts[path] = document.source
        return texts

    def view_of(uri: str) -> View:
        return library.view(to_fs_path(uri) or uri, open_texts())

    def uri_of(path: str, here: str) -> str:
        """The URI of a file: the one the editor uses for a document it has open."""
        if path == to_fs_path(here):
            return here
        for uri in server.workspace.text_documents:
            if to_fs_path(uri) == path:
                return uri
        return from_fs_path(path)

    def language_of(analysis: features.Analysis) -> str:
        header = analysis.tree.header if analysis.tree is not None else None
        return header.language if header is not None else getattr(analysis.checked, "language", "en")

    def publish(uri: str) -> None:
        found = analysis_of(uri, fresh=True).found
        diagnostics = [
            types.Diagnostic(
                range=_range(f.start, f.end), message=f.message, source="jifen", code=f.code,
                severity=types.DiagnosticSeverity.Error if f.severity == "error" else types.DiagnosticSeverity.Warning,
            )
            for f in found
        ]
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def opened(params: types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    def changed(params: types.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    def saved(params: types.DidSaveTextDocumentParams) -> None:
        # The files a policy imports and extends are read from disk: a saved file may change what the others say.
        publish(params.text_document.uri)
        for uri in list(server.workspace.text_documents):
            if uri != params.text_document.uri:
                publish(uri)

    def closed(params: types.DidCloseTextDocumentParams) -> None:
        analyses.pop(params.text_document.uri, None)

    def outline(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        tree = analysis_of(params.text_document.uri).tree
        return [_symbol(s) for s in features.symbols(tree)] if tree is not None else []

    def hover(params: types.HoverParams) -> types.Hover | None:
        uri, line, column = params.text_document.uri, params.position.line, params.position.character
        analysis = analysis_of(uri)
        language = language_of(analysis)
        text = features.hover(analysis, line, column)
        notes: list[str] = []
        found = features.declared(analysis, line, column)
        if found is not None and found[0] == "phase":
            notes += hovers.phase_notes(analysis.checked, found[1].name, language)
        view = view_of(uri)
        notes += hovers.inheritance_notes(view, line, column, language)
        if text is None and notes:
            named = view.at(view.path, line, column)
            if named is None or named[1] is None:
                return None
            text = f"**{named[1].kind}** `{named[1].name}`"
        if text is None:
            return None
        if notes:
            text += "\n\n---\n\n" + "\n".join(f"- {note}" for note in notes)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    def definition(params: types.DefinitionParams) -> types.Location | None:
        uri, line, column = params.text_document.uri, params.position.line, params.position.character
        found = view_of(uri).definition(line, column)
        if found is not None:
            return types.Location(uri=uri_of(found.path, uri), range=_range(found.start, found.end))
        target = features.definition(analysis_of(uri), line, column)
        if target is None:
            return None
        return types.Location(uri=uri_of(target.path, uri), range=_range(target.start, target.end))

    def references(params: types.ReferenceParams) -> list[types.Location]:
        uri, line, column = params.text_document.uri, params.position.line, params.position.character
        include = params.context.include_declaration
        found = view_of(uri).references(line, column, include)
        if found:
            return [types.Location(uri=uri_of(o.path, uri), range=_range(o.start, o.end)) for o in found]
        targets = features.references(analysis_of(uri), line, column, include)
        return [types.Location(uri=uri_of(t.path, uri), range=_range(t.start, t.end)) for t in targets]

    def prepare_rename(params: types.PrepareRenameParams) -> types.PrepareRenamePlaceholder:
        try:
            prepared = rename.prepare(view_of(params.text_document.uri), params.position.line, params.position.character)
        except rename.Refusal as refusal:
            raise Refused(refusal.message) from None
        where = prepared.occurrence
        return types.PrepareRenamePlaceholder(range=_range(where.start, where.end), placeholder=prepared.spelling)

    def rename_(params: types.RenameParams) -> types.WorkspaceEdit:
        uri = params.text_document.uri
        try:
            edits = rename.rename(view_of(uri), params.position.line, params.position.character, params.new_name)
        except rename.Refusal as refusal:
            raise Refused(refusal.message) from None
        changes: dict[str, list[types.TextEdit]] = {}
        for edit in edits:
            changes.setdefault(uri_of(edit.path, uri), []).append(types.TextEdit(range=_range(edit.start, edit.end), new_text=edit.text))
        return types.WorkspaceEdit(changes=changes)

    def code_lens(params: types.CodeLensParams) -> list[types.CodeLens]:
        uri = params.text_document.uri
        analysis = analysis_of(uri)
        found = samples.lenses(to_fs_path(uri) or uri, analysis.text, analysis.checked)
        return [types.CodeLens(range=_range(lens.start, lens.end), command=types.Command(title=lens.title, command="")) for lens in found]

    def complete(params: types.CompletionParams) -> types.CompletionList:
        analysis = analysis_of(params.text_document.uri)
        checked = analysis.checked or last_good.get(params.text_document.uri)
        language = analysis.tree.header.language if analysis.tree is not None and analysis.tree.header is not None else (
            getattr(checked, "language", None) or ("zh" if "要求" in analysis.text or "字段" in analysis.text else "en")
        )
        items = [
            types.CompletionItem(label=c.label, insert_text=c.insert, kind=_COMPLETION_KINDS.get(c.kind, types.CompletionItemKind.Text), detail=c.detail or None)
            for c in features.completions(checked, language)
        ]
        return types.CompletionList(is_incomplete=False, items=items)

    def formatting(params: types.DocumentFormattingParams) -> list[types.TextEdit] | None:
        from jifen_dsl.errors import PolicyError
        from jifen_dsl.lang.formatting import format_text

        document = server.workspace.get_text_document(params.text_document.uri)
        try:
            formatted = format_text(document.source, to_fs_path(params.text_document.uri) or "<policy>")
        except PolicyError:
            return None  # a file that does not parse is not formatted; its diagnostics say why
        if formatted == document.source:
            return []
        end = len(document.lines)
        return [types.TextEdit(range=_range((0, 0), (end, 0)), new_text=formatted)]

    for name, answer in (
        (types.TEXT_DOCUMENT_DID_OPEN, opened), (types.TEXT_DOCUMENT_DID_CHANGE, changed), (types.TEXT_DOCUMENT_DID_SAVE, saved),
        (types.TEXT_DOCUMENT_DID_CLOSE, closed),
        (types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, outline), (types.TEXT_DOCUMENT_HOVER, hover),
        (types.TEXT_DOCUMENT_DEFINITION, definition), (types.TEXT_DOCUMENT_FORMATTING, formatting),
        (types.TEXT_DOCUMENT_REFERENCES, references), (types.TEXT_DOCUMENT_PREPARE_RENAME, prepare_rename),
        (types.TEXT_DOCUMENT_RENAME, rename_), (types.TEXT_DOCUMENT_CODE_LENS, code_lens),
    ):
        server.feature(name)(_guarded(server, answer))
    server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=["「"]))(_guarded(server, complete))
    return server


def _symbol(symbol: features.Symbol) -> types.DocumentSymbol:
    whole = _range(symbol.start, symbol.end)
    return types.DocumentSymbol(
        name=symbol.name or "-", kind=_KINDS.get(symbol.kind, types.SymbolKind.Object), range=whole, selection_range=whole,
        detail=symbol.detail or None, children=[_symbol(c) for c in symbol.children] or None,
    )


def main() -> None:
    # The command line turns the cyclic garbage collector off, as a short command may;
    # a server lives for a whole day of editing, and collects. What is loaded by now
    # (the parser, the libraries) stays: it is never collected, and never walked.
    server = make_server()
    gc.freeze()
    gc.enable()
    server.start_io()
