"""Talking to ``jifen lsp`` in the tests: a pygls client that starts the real server process and keeps what it publishes."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

__all__ = ["Client", "session", "open_document", "change_document", "line_of", "at"]


class Client(LanguageClient):
    def __init__(self):
        super().__init__("jifen-test", "1")
        self.diagnostics: dict[str, list[list[types.Diagnostic]]] = {}
        self.arrived = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams):
            self.diagnostics.setdefault(params.uri, []).append(params.diagnostics)
            self.arrived.set()

    async def next_diagnostics(self, uri: str, count: int) -> list[types.Diagnostic]:
        """The ``count``-th set of diagnostics published for ``uri`` (waiting for it)."""
        while len(self.diagnostics.get(uri, [])) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), timeout=15)
        return list(self.diagnostics[uri][count - 1])


def session(check, capabilities: types.ClientCapabilities | None = None):
    """Start the server, initialize, run ``await check(client)``, then shut it down and let it exit."""

    async def run():
        client = Client()
        await client.start_io(sys.executable, "-m", "jifen_dsl", "lsp")
        try:
            params = types.InitializeParams(capabilities=capabilities or types.ClientCapabilities(), process_id=None, root_uri=None)
            await asyncio.wait_for(client.initialize_async(params), 60)
            client.initialized(types.InitializedParams())
            await asyncio.wait_for(check(client), 240)
            await asyncio.wait_for(client.shutdown_async(None), 60)
            client.exit(None)
            await asyncio.wait_for(client.stop(), 60)  # the server ends when told to exit
        finally:
            server = getattr(client, "_server", None)
            if server is not None and server.returncode is None:  # a failed check: end the server, not the test run
                server.kill()
                await client.stop()

    asyncio.run(run())


def open_document(client: Client, path: Path, text: str) -> str:
    uri = from_fs_path(str(path))
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="jifen", version=1, text=text)))
    return uri


def change_document(client: Client, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    ))


def line_of(text: str, needle: str) -> tuple[int, int]:
    """The 0-based line and column of the first ``needle`` in ``text``."""
    for number, line in enumerate(text.splitlines()):
        if needle in line:
            return number, line.index(needle)
    raise AssertionError(needle)


def at(uri: str, line: int, character: int) -> dict:
    """The text document and position of a request."""
    return {"text_document": types.TextDocumentIdentifier(uri=uri), "position": types.Position(line=line, character=character)}
