"""Benchmark: how soon ``jifen lsp`` answers an edit with its diagnostics, through the protocol, on a warm server.

A policy of about 200 lines (the Haizhu 2022 policy with a block of definitions
and requirements added) is opened in the real server process, started as an
editor starts it (``python -m jifen_dsl lsp``) and driven with pygls's own
client over stdio. After a few edits to warm it, each of ``--edits`` edits
changes one number of one requirement (whole-document sync, as the server asks)
and the time from sending ``textDocument/didChange`` to receiving the
``textDocument/publishDiagnostics`` it causes is measured. Prints the median
and the 95th percentile and PASS or FAIL against the goal (the median and the
95th percentile both at most 50 ms). Not part of the suite (``python -m
benchmarks``); run from the repository top:

    python -m benchmarks.lsp [--edits 50] [--lines 200]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 50.0
WARM_EDITS = 5

__all__ = ["policy_text", "latencies", "main"]


def policy_text(lines: int) -> str:
    """The Haizhu 2022 policy with requirements added (three lines each) until it has about ``lines`` lines."""
    text = (ROOT / "policies" / "haizhu" / "2022.jifen").read_text(encoding="utf-8")
    added = ["", "# ---------------------------------------------------------------- 附加条款（基准测试）"]
    block = 0
    while len(text.splitlines()) + len(added) + 3 <= lines:
        block += 1
        added += [
            f"定义 「附加分{block}」 = 「积分」 + {block}",
            f"要求 「附加要求{block}」 “附加条件{block}” 依据 “基准测试”：",
            f"    「附加分{block}」 不小于 {block} 或 「居住区」 = “海珠区”",
        ]
    return text + "\n".join(added) + "\n"


def _edited(text: str, edit: int) -> str:
    """The policy with the number of one added requirement changed: every edit gives a new text, and each checks clean."""
    lines = text.split("\n")
    targets = [i for i, line in enumerate(lines) if line.startswith("    「附加分")]
    at = targets[edit % len(targets)]
    head = lines[at].split(" 不小于 ")[0]
    lines[at] = f"{head} 不小于 {edit % 97} 或 「居住区」 = “海珠区”"
    return "\n".join(lines)


class _Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("jifen-benchmark", "1")
        self.published: list[tuple[float, list[types.Diagnostic]]] = []
        self.arrived = asyncio.Event()

        @self.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published.append((time.perf_counter(), params.diagnostics))
            self.arrived.set()

    async def wait_for(self, count: int) -> tuple[float, list[types.Diagnostic]]:
        while len(self.published) < count:
            self.arrived.clear()
            await asyncio.wait_for(self.arrived.wait(), timeout=60)
        return self.published[count - 1]


async def _measure(path: Path, text: str, edits: int) -> list[float]:
    client = _Client()
    await client.start_io(sys.executable, "-m", "jifen_dsl", "lsp")
    try:
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=None, root_uri=None))
        client.initialized(types.InitializedParams())
        uri = from_fs_path(str(path))
        client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="jifen", version=1, text=text)))
        _, first = await client.wait_for(1)
        if any(d.severity == types.DiagnosticSeverity.Error for d in first):
            raise SystemExit(f"the benchmark policy does not check:\n{first[0].message}")
        times: list[float] = []
        for edit in range(WARM_EDITS + edits):
            changed = _edited(text, edit)
            sent = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=edit + 2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=changed)],
            ))
            arrived, diagnostics = await client.wait_for(edit + 2)
            if any(d.severity == types.DiagnosticSeverity.Error for d in diagnostics):
                raise SystemExit(f"edit {edit} made the policy fail to check:\n{diagnostics[0].message}")
            if edit >= WARM_EDITS:
                times.append(arrived - sent)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        return times
    finally:
        server = getattr(client, "_server", None)
        if server is not None and server.returncode is None:
            server.kill()


def latencies(edits: int, lines: int) -> tuple[int, list[float]]:
    """(lines of the policy, seconds from each didChange to its diagnostics), in a library of its own in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="jifen-lsp-bench-") as folder:
        library = Path(folder)
        (library / "guangzhou").mkdir()
        (library / "haizhu").mkdir()
        shutil.copy(ROOT / "policies" / "guangzhou" / "fields.jifen", library / "guangzhou" / "fields.jifen")
        text = policy_text(lines)
        path = library / "haizhu" / "bench.jifen"
        path.write_text(text, encoding="utf-8")
        return len(text.splitlines()), asyncio.run(_measure(path, text, edits))


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=50, help="edits measured (after 5 to warm the server)")
    parser.add_argument("--lines", type=int, default=200, help="lines of the policy edited")
    args = parser.parse_args()
    count, times = latencies(args.edits, args.lines)
    median, p95 = statistics.median(times) * 1000, _percentile(times, 0.95) * 1000
    result = "PASS" if median <= GOAL_MS and p95 <= GOAL_MS else "FAIL"
    print(f"didChange -> publishDiagnostics, a {count}-line policy, {len(times)} edits on a warm server")
    print(f"{'median':>8}  {'p95':>8}  {'max':>8}  {'goal':>8}  result")
    print(f"{median:>6.1f}ms  {p95:>6.1f}ms  {max(times) * 1000:>6.1f}ms  {GOAL_MS:>6.0f}ms  {result}")


if __name__ == "__main__":
    main()
