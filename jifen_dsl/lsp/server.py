"""The Language Server Protocol over stdio, with pygls: each request answered from :mod:`jifen_dsl.lsp.features`.

The server never dies on what an editor sends: each handler answers what it can
from the text, and a fault inside one (which would be a bug) is logged to the
editor and answered with nothing rather than ending the process.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from jifen_dsl.lsp import features
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


def _guarded(server: LanguageServer, answer: Callable[..., Any]) -> Callable[..., Any]:
    def handler(params):
        try:
            return answer(params)
        except Exception as exc:  # noqa: BLE001 - a fault answers nothing; the server stays up
            logging.getLogger(__name__).exception("jifen lsp")
            server.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=f"jifen lsp: {type(exc).__name__}: {exc}"))
            return None

    return handler


def make_server() -> LanguageServer:
    server = LanguageServer("jifen", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Full)

    last_good: dict[str, Any] = {}  # uri -> the policy as it last checked (completion offers its names while a line is half typed)

    def analysis_of(uri: str) -> features.Analysis:
        document = server.workspace.get_text_document(uri)
        analysis = features.analyse(to_fs_path(uri) or uri, document.source)
        if analysis.checked is not None:
            last_good[uri] = analysis.checked
        return analysis

    def publish(uri: str) -> None:
        found = analysis_of(uri).found
        diagnostics = [
            types.Diagnostic(
                range=_range(f.start, f.end), message=f.message, source="jifen",
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
        publish(params.text_document.uri)

    def outline(params: types.DocumentSymbolParams) -> list[types.DocumentSymbol]:
        tree = analysis_of(params.text_document.uri).tree
        return [_symbol(s) for s in features.symbols(tree)] if tree is not None else []

    def hover(params: types.HoverParams) -> types.Hover | None:
        text = features.hover(analysis_of(params.text_document.uri), params.position.line, params.position.character)
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text)) if text else None

    def definition(params: types.DefinitionParams) -> types.Location | None:
        target = features.definition(analysis_of(params.text_document.uri), params.position.line, params.position.character)
        if target is None:
            return None
        uri = params.text_document.uri if target.path == to_fs_path(params.text_document.uri) else from_fs_path(target.path)
        return types.Location(uri=uri, range=_range(target.start, target.end))

    def references(params: types.ReferenceParams) -> list[types.Location]:
        uri = params.text_document.uri
        here = to_fs_path(uri)
        found = features.references(analysis_of(uri), params.position.line, params.position.character, params.context.include_declaration)
        return [types.Location(uri=uri if t.path == here else from_fs_path(t.path), range=_range(t.start, t.end)) for t in found]

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
        (types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, outline), (types.TEXT_DOCUMENT_HOVER, hover),
        (types.TEXT_DOCUMENT_DEFINITION, definition), (types.TEXT_DOCUMENT_FORMATTING, formatting),
        (types.TEXT_DOCUMENT_REFERENCES, references),
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
    make_server().start_io()
