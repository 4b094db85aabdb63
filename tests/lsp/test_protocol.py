"""``jifen lsp`` through the protocol: a pygls client starts the real server process and talks to it over stdio."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path

from ..conftest import ROOT
from .session import Client as _Client
from .session import change_document as _change
from .session import line_of as _line_of
from .session import open_document as _open
from .session import session as _session


@pytest.fixture
def library(tmp_path) -> Path:
    """A policy library holding the Haizhu 2022 policy and the shared fields (the policy is edited in the tests)."""
    for part in ("guangzhou/fields.jifen", "haizhu/2022.jifen"):
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "policies" / part, tmp_path / part)
    return tmp_path


def test_diagnostics_as_you_type_hover_definition_outline_and_formatting(library):
    path = library / "haizhu" / "2022.jifen"
    text = path.read_text(encoding="utf-8")

    async def check(client: _Client):
        uri = _open(client, path, text)
        assert await client.next_diagnostics(uri, 1) == []  # the bundled policy is clean
        typo = text.replace("「居住证起始日期」 + 1年", "「居住证起日期」 + 1年")
        _change(client, uri, 2, typo)
        [found] = await client.next_diagnostics(uri, 2)
        line, column = _line_of(typo, "「居住证起日期」")
        assert (found.range.start.line, found.range.start.character) == (line, column)
        assert found.severity == types.DiagnosticSeverity.Error
        # The wording (and its quotes) follows the message catalogue; the names and the suggestion are what matter here.
        assert "居住证起日期" in found.message and "居住证起始日期" in found.message
        assert found.code is None or found.code.startswith("C")  # the message's stable code, when the diagnostic has one
        _change(client, uri, 3, text)
        assert await client.next_diagnostics(uri, 3) == []

        line, column = _line_of(text, "「居住证起始日期」 + 1年")
        hover = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=column + 2)))
        assert hover.contents.value.startswith("**field** `permit_start` (居住证起始日期): date")

        where = await client.text_document_definition_async(types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=column + 2)))
        fields = (library / "guangzhou" / "fields.jifen").read_text(encoding="utf-8")
        assert where.uri == from_fs_path(str(library / "guangzhou" / "fields.jifen"))
        assert where.range.start.line == _line_of(fields, "permit_start")[0]

        used_line, used_column = _line_of(text, "「申请时间」 在")
        uses = await client.text_document_references_async(types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=used_line, character=used_column + 1),
            context=types.ReferenceContext(include_declaration=True)))
        here = sorted((u.range.start.line, u.range.start.character) for u in uses if u.uri == uri)
        first = _line_of(text, "已填写(「申请时间」)" if "已填写(「申请时间」)" in text else "已填写（「申请时间」）")
        assert here == [(used_line, first[1] + 4), (used_line, used_column)]  # both uses on that line, in order
        assert [u.uri for u in uses if u.uri != uri] == [from_fs_path(str(library / "guangzhou" / "fields.jifen"))]  # and its declaration

        phase_line, phase_column = _line_of(text, "「网上申请」 内")
        phase = await client.text_document_hover_async(types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=phase_line, character=phase_column + 1)))
        assert "**phase** `网上申请`" in phase.contents.value and "2022-04-25 09:00 .. 2022-05-10 17:00" in phase.contents.value

        outline = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        names = [s.name for s in outline]
        assert names[0] == "2022年海珠区来穗人员随迁子女积分制入学实施细则" and "居住证满一年" in names and "points" in names
        grade = next(s for s in outline if s.name == "小学一年级")
        assert [c.name for c in grade.children] == ["一年级出生日期", "尚未入学"]

        # Completion while a line is half typed: the names the policy declared a moment ago, its keywords in Chinese.
        half = text.replace("「居住证起始日期」 + 1年 不晚于 基准日", "「居住", 1)
        _change(client, uri, 5, half)
        await client.next_diagnostics(uri, 4)
        line, column = _line_of(half, "「居住")
        offered = await client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=column + 3)))
        labels = {item.label: item for item in offered.items}
        assert "「居住证起始日期」" in labels and labels["「居住证起始日期」"].kind == types.CompletionItemKind.Field
        assert labels["「居住证起始日期」"].detail == "date - 居住证起始日期" and "permit_start" in labels
        assert {"要求", "依据", "基准日", "民办"} <= set(labels) and "requirement" not in labels
        assert "「网上申请」" in labels and labels["「网上申请」"].kind == types.CompletionItemKind.Event

        messy = text.replace("要求 「居住证满一年」", "要求   「居住证满一年」", 1)
        _change(client, uri, 6, messy)
        await client.next_diagnostics(uri, 5)
        edits = await client.text_document_formatting_async(types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri), options=types.FormattingOptions(tab_size=4, insert_spaces=True)))
        assert len(edits) == 1 and edits[0].new_text == text

    _session(check)


def test_the_server_answers_every_half_typed_state_and_stays_up(library):
    path = library / "haizhu" / "draft.jifen"
    final = (
        'policy "p" district "d" year 2022 as_of 2022-08-31 source "s"\nimport "../guangzhou/fields.jifen"\n'
        'requirement r "t": permit_start + 1 year <= as_of\npoints { total = points }\ntiebreak { id ascending }\n'
    )

    async def check(client: _Client):
        uri = _open(client, path, "")
        await client.next_diagnostics(uri, 1)
        for k in range(1, len(final) + 1, 3):  # typed a few characters at a time: every state gets an answer
            _change(client, uri, k + 1, final[:k])
            await client.next_diagnostics(uri, 1 + len(range(1, k + 1, 3)))
        _change(client, uri, 10_000, final)
        last = await client.next_diagnostics(uri, 2 + len(range(1, len(final) + 1, 3)))
        assert last == []  # the finished policy checks clean
        halfway = client.diagnostics[uri][len(client.diagnostics[uri]) // 2]
        assert halfway and all(d.severity == types.DiagnosticSeverity.Error for d in halfway)  # a half-typed file gets its error
        outline = await client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)))
        assert [s.name for s in outline] == ["p", "../guangzhou/fields.jifen", "r", "points", "tiebreak"]
        formatted = await client.text_document_formatting_async(types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri), options=types.FormattingOptions(tab_size=4, insert_spaces=True)))
        assert formatted and formatted[0].new_text.startswith('policy "p"\ndistrict "d"\n')

    _session(check)


def test_an_error_in_an_imported_file_is_shown_at_the_import(library):
    (library / "guangzhou" / "fields.jifen").write_text("field broken: nosuchtype\n", encoding="utf-8")
    path = library / "haizhu" / "2022.jifen"
    text = path.read_text(encoding="utf-8")

    async def check(client: _Client):
        uri = _open(client, path, text)
        found = await client.next_diagnostics(uri, 1)
        assert found
        line, _ = _line_of(text, "“../guangzhou/fields.jifen”")
        assert {d.range.start.line for d in found} == {line}
        assert all("fields.jifen:1:" in d.message for d in found)

    _session(check)


def test_the_server_stays_up_on_a_huge_file_a_file_that_is_no_policy_and_a_circular_import(library):
    huge = library / "haizhu" / "huge.jifen"
    huge_text = "# " + "很长的注释 " * 10 + "\n"
    huge_text = huge_text * (10_000_000 // len(huge_text.encode("utf-8")) + 1) + "policy \"p\"\n"
    not_a_policy = library / "haizhu" / "cohort.jifen"
    not_a_policy_text = "id,grade,child_birth_date\nHZ-1,G1,2016-01-01\n\x00\x01\x02 binary tail\n"
    (library / "haizhu" / "a.jifen").write_text('import "b.jifen"\nfield x: integer\n', encoding="utf-8")
    (library / "haizhu" / "b.jifen").write_text('import "a.jifen"\nfield y: integer\n', encoding="utf-8")
    circular = library / "haizhu" / "circular.jifen"
    circular_text = (
        'policy "p" district "d" year 2022 as_of 2022-08-31 source "s"\nimport "a.jifen"\n'
        'requirement r "t": x > 1\npoints { total = y }\ntiebreak { x ascending }\n'
    )
    good = library / "haizhu" / "2022.jifen"

    async def check(client: _Client):
        for path, text in ((huge, huge_text), (not_a_policy, not_a_policy_text), (circular, circular_text)):
            uri = _open(client, path, text)
            found = await client.next_diagnostics(uri, 1)
            assert found and all(d.severity == types.DiagnosticSeverity.Error for d in found), (path.name, found)
            if path is circular:
                assert any("a.jifen" in d.message or "b.jifen" in d.message for d in found), found
        # Still up, and still answering: a good policy checks clean and its hover works.
        text = good.read_text(encoding="utf-8")
        uri = _open(client, good, text)
        assert await client.next_diagnostics(uri, 1) == []
        line, column = _line_of(text, "「居住证起始日期」 + 1年")
        hover = await client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=column + 2)))
        assert hover is not None and "居住证起始日期" in hover.contents.value

    _session(check)
