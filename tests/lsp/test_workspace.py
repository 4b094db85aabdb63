"""``jifen lsp`` across the files of a policy library, through the protocol against the real server process.

References and definitions across imports and ``extends``, rename over several
files (applied, then checked with ``jifen check``), refused renames, the samples
lens (against ``jifen evaluate`` and counts made by hand) and the hovers of an
inherited clause and of a phase's working days.
"""

from __future__ import annotations

import csv
import datetime as _dt
import json
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path, to_fs_path

from ..conftest import ROOT
from .session import Client, at, line_of, open_document, session

POLICIES = ("guangzhou/fields.jifen", "haizhu/2022.jifen", "haizhu/2023.jifen", "baiyun/2022.jifen")


@pytest.fixture
def library(tmp_path) -> Path:
    """A policy library: the shared fields, Haizhu 2022 and the 2023 policy that extends it, and Baiyun 2022 (English)."""
    root = tmp_path / "policies"
    for part in POLICIES:
        (root / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "policies" / part, root / part)
    return root


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _code(line: str) -> str:
    """A line without its comment (no string in these policies holds '#')."""
    return line.split("#", 1)[0]


def _written(root: Path, pattern: str) -> list[tuple[str, int, int]]:
    """Where ``pattern`` is written outside comments in the library's policy files, by text search: (path, line, column)."""
    found = []
    for part in POLICIES:
        path = root / part
        for number, line in enumerate(_read(path).splitlines()):
            found += [(str(path), number, m.start()) for m in re.finditer(pattern, _code(line))]
    return sorted(found)


def _locations(found) -> list[tuple[str, int, int]]:
    return sorted((to_fs_path(u.uri), u.range.start.line, u.range.start.character) for u in found)


def _apply(edit: types.WorkspaceEdit) -> dict[str, str]:
    """Make a workspace edit on disk, by lines and characters as the protocol gives them; the new texts by path."""
    written = {}
    for uri, edits in edit.changes.items():
        path = Path(to_fs_path(uri))
        lines = _read(path).split("\n")
        for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
            assert e.range.start.line == e.range.end.line  # a name is on one line
            line = lines[e.range.start.line]
            lines[e.range.start.line] = line[: e.range.start.character] + e.new_text + line[e.range.end.character :]
        path.write_text("\n".join(lines), encoding="utf-8")
        written[str(path)] = "\n".join(lines)
    return written


def _check(root: Path) -> None:
    """``jifen check`` passes on every policy file of the library."""
    for part in POLICIES:
        done = subprocess.run([sys.executable, "-m", "jifen_dsl", "check", str(root / part)], capture_output=True, text=True)
        assert done.returncode == 0, f"{part}:\n{done.stdout}{done.stderr}"


# ------------------------------------------------------------------ references and definitions


def test_references_and_definitions_across_imports_and_extends(library):
    fields_path, h22, h23 = library / "guangzhou/fields.jifen", library / "haizhu/2022.jifen", library / "haizhu/2023.jifen"
    fields, text22, text23 = _read(fields_path), _read(h22), _read(h23)

    async def check(client: Client):
        # From the declaration in the shared library: every use, by name or by label, in the policies that import it.
        fields_uri = open_document(client, fields_path, fields)
        await client.next_diagnostics(fields_uri, 1)
        line, column = line_of(fields, "field permit_start")
        uses = await client.text_document_references_async(types.ReferenceParams(
            **at(fields_uri, line, column + len("field ") + 2), context=types.ReferenceContext(include_declaration=True)))
        by_text = _written(library, r"「居住证起始日期」|(?<![A-Za-z0-9_])permit_start(?![A-Za-z0-9_])")
        assert _locations(uses) == by_text
        assert {Path(p).parent.name for p, _, _ in by_text} == {"guangzhou", "haizhu", "baiyun"}  # the three folders
        assert len([u for u in uses if u.uri.endswith("2023.jifen")]) == 1  # the policy that extends: its override uses it
        without = await client.text_document_references_async(types.ReferenceParams(
            **at(fields_uri, line, column + len("field ") + 2), context=types.ReferenceContext(include_declaration=False)))
        assert _locations(without) == [x for x in by_text if x != (str(fields_path), line, column + len("field "))]

        # A definition of last year's policy used in this year's, unsaved: the editor's text is what counts.
        edited = text23 + "\n要求 「子女非港澳台」 “子女户籍”： 「随迁子女户籍」 不属于 「广州及港澳台」\n"
        uri23 = open_document(client, h23, edited)
        assert await client.next_diagnostics(uri23, 1) == []
        use_line, use_column = line_of(edited, "不属于 「广州及港澳台」")
        uses = await client.text_document_references_async(types.ReferenceParams(
            **at(uri23, use_line, use_column + 6), context=types.ReferenceContext(include_declaration=True)))
        declared = line_of(text22, "定义 「广州及港澳台」")
        used22 = line_of(text22, "不属于 「广州及港澳台」")
        assert _locations(uses) == sorted([
            (str(h22), declared[0], declared[1] + 3), (str(h22), used22[0], used22[1] + 4), (str(h23), use_line, use_column + 4),
        ])
        assert uses[0].uri == uri23  # this file's first

        # Go to definition: a phase this year overrides is declared here; the override itself leads to last year's clause.
        phase_line, phase_column = line_of(text23, "「网上申请」 内")
        where = await client.text_document_definition_async(types.DefinitionParams(**at(uri23, phase_line, phase_column + 1)))
        assert where.uri == uri23 and where.range.start.line == line_of(text23, "修改 阶段 「网上申请」")[0]
        over_line, over_column = line_of(text23, "修改 要求 「居住证满一年」")
        where = await client.text_document_definition_async(types.DefinitionParams(**at(uri23, over_line, over_column + 7)))
        assert where.uri == from_fs_path(str(h22)) and where.range.start.line == line_of(text22, "要求 「居住证满一年」")[0]
        # A field: into the shared library.
        field_line, field_column = line_of(text23, "「出生日期」")
        where = await client.text_document_definition_async(types.DefinitionParams(**at(uri23, field_line, field_column + 1)))
        assert where.uri == from_fs_path(str(fields_path)) and where.range.start.line == line_of(fields, "field child_birth_date")[0]

    session(check)


# ------------------------------------------------------------------ rename


_RENAME = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(rename=types.RenameClientCapabilities(prepare_support=True)))


def test_rename_a_requirement_a_label_and_a_name_across_files_and_the_library_still_checks(library):
    h22, h23, b22, fields_path = library / "haizhu/2022.jifen", library / "haizhu/2023.jifen", library / "baiyun/2022.jifen", library / "guangzhou/fields.jifen"
    baiyun_before = _read(b22)

    async def check(client: Client):
        text22 = _read(h22)
        uri22 = open_document(client, h22, text22)
        assert await client.next_diagnostics(uri22, 1) == []

        # A requirement of last year's policy: its declaration, and this year's override of it.
        line, column = line_of(text22, "要求 「居住证满一年」")
        prepared = await client.text_document_prepare_rename_async(types.PrepareRenameParams(**at(uri22, line, column + 5)))
        assert prepared.placeholder == "居住证满一年"
        assert (prepared.range.start.line, prepared.range.start.character, prepared.range.end.character) == (line, column + 3, column + 11)
        edit = await client.text_document_rename_async(types.RenameParams(**at(uri22, line, column + 5), new_name="居住证满1年"))
        assert sorted(edit.changes) == sorted([uri22, from_fs_path(str(h23))])
        assert all(e.new_text == "「居住证满1年」" for edits in edit.changes.values() for e in edits)
        written = _apply(edit)
        for text in written.values():
            assert "「居住证满1年」" in text and "「居住证满一年」" not in text
        _check(library)

        # A field's label, from a use written with it: the label in the shared library and the uses by label;
        # the English policy, which writes the field by its name, is left as it is.
        text22 = written[str(h22)]
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri22, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text22)]))
        assert await client.next_diagnostics(uri22, 2) == []
        line, column = line_of(text22, "「居住证起始日期」")
        edit = await client.text_document_rename_async(types.RenameParams(**at(uri22, line, column + 2), new_name="居住证开始日期"))
        assert sorted(edit.changes) == sorted(from_fs_path(str(p)) for p in (fields_path, h22, h23))
        written = _apply(edit)
        assert 'field permit_start "居住证开始日期": date' in written[str(fields_path)]
        assert _read(b22) == baiyun_before
        _check(library)

        # A field's name, from the English policy that writes it: the declaration and the uses by name.
        baiyun_uri = open_document(client, b22, baiyun_before)
        assert await client.next_diagnostics(baiyun_uri, 1) == []
        line, column = line_of(baiyun_before, "permit_start + 1 year")
        edit = await client.text_document_rename_async(types.RenameParams(**at(baiyun_uri, line, column + 3), new_name="「permit_since」"))
        assert sorted(edit.changes) == sorted([baiyun_uri, from_fs_path(str(fields_path))])
        assert {e.new_text for edits in edit.changes.values() for e in edits} == {"permit_since"}  # bare: it needs no brackets
        haizhu_before = _read(h22)
        written = _apply(edit)
        assert 'field permit_since "居住证开始日期": date' in written[str(fields_path)]
        assert "district_permit_start" in written[str(fields_path)]  # a longer name that holds it is another name
        assert _read(h22) == haizhu_before
        _check(library)

    session(check, _RENAME)


def test_a_rename_is_refused_with_its_reason(library):
    h22 = library / "haizhu/2022.jifen"
    text = _read(h22)

    async def refusal(request) -> str:
        with pytest.raises(JsonRpcException) as caught:
            await request
        assert caught.value.code == types.LSPErrorCodes.RequestFailed
        return caught.value.message

    async def check(client: Client):
        uri = open_document(client, h22, text)
        await client.next_diagnostics(uri, 1)
        line, column = line_of(text, "要求 「居住证满一年」")
        name = at(uri, line, column + 5)

        said = await refusal(client.text_document_rename_async(types.RenameParams(**name, new_name="积分已核定")))
        assert said == f"cannot rename '居住证满一年' to '积分已核定': '积分已核定' is already the requirement '积分已核定', declared at 2022.jifen:{line_of(text, '要求 「积分已核定」')[0] + 1}"
        field = line_of(text, "「居住证起始日期」")
        said = await refusal(client.text_document_rename_async(types.RenameParams(**at(uri, field[0], field[1] + 1), new_name="居住区")))
        assert "'居住区' is already the label of the field 'residence_district'" in said and "fields.jifen:" in said
        said = await refusal(client.text_document_rename_async(types.RenameParams(**at(uri, field[0], field[1] + 1), new_name="ind_age")))
        assert "'ind_age' is already the field 'ind_age'" in said
        assert "」" in await refusal(client.text_document_rename_async(types.RenameParams(**name, new_name="居住」证")))
        assert "empty" in await refusal(client.text_document_rename_async(types.RenameParams(**name, new_name="「」")))
        assert "space" in await refusal(client.text_document_rename_async(types.RenameParams(**name, new_name="「 居住证」")))
        # A field the engine reads by its name, in the shared library (not open: read from disk).
        fields = _read(library / "guangzhou/fields.jifen")
        fields_uri = from_fs_path(str(library / "guangzhou/fields.jifen"))
        id_line, id_column = line_of(fields, "field id ")
        said = await refusal(client.text_document_rename_async(types.RenameParams(**at(fields_uri, id_line, id_column + 7), new_name="app_id")))
        assert said == "the engine reads the field 'id' by this name, so it cannot be renamed; its label can be"
        # Its label can: from a use written with it.
        edit = await client.text_document_rename_async(types.RenameParams(**at(uri, *line_of(text, "「申请编号」 升序")), new_name="报名编号"))
        assert sorted(edit.changes) == sorted([uri, fields_uri])
        assert [e.new_text for e in edit.changes[fields_uri]] == ["报名编号"] and [e.new_text for e in edit.changes[uri]] == ["「报名编号」"]

        # Not on a name: a keyword, a title, a blank line.
        for needle, offset in (("要求 「居住证满一年」", 0), ("“持有效", 2), ("区 “海珠区”", 0)):
            where = line_of(text, needle)
            said = await refusal(client.text_document_prepare_rename_async(types.PrepareRenameParams(**at(uri, where[0], where[1] + offset))))
            assert said.startswith("there is no name here to rename")
        # A keyword as the new name is written in brackets; a name that is fine bare is written bare.
        edit = await client.text_document_rename_async(types.RenameParams(**name, new_name="total"))
        assert {e.new_text for edits in edit.changes.values() for e in edits} == {"「total」"}

    session(check, _RENAME)


# ------------------------------------------------------------------ the samples lens


def _lenses(client: Client, uri: str):
    return client.text_document_code_lens_async(types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=uri)))


def _by_line(lenses) -> dict[int, str]:
    return {lens.range.start.line: lens.command.title for lens in lenses}


def _expected_by_evaluate(policy: Path, samples: Path, text: str, language: str) -> dict[int, str]:
    """The requirement lenses, counted from ``jifen evaluate --format json``: each requirement passes for those it applies to and does not fail."""
    done = subprocess.run([sys.executable, "-m", "jifen_dsl", "evaluate", str(policy), str(samples), "--format", "json", "-q"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    expected = {}
    grade = None
    for number, line in enumerate(text.splitlines()):
        code = _code(line)
        if code.startswith(("年级 ", "for grade ")):
            grade = "G1" if ("小学一年级" in code or '"G1"' in code) else "G7"
        elif code.startswith(("｝", "}")):
            grade = None
        found = re.match(r"\s*(?:要求|requirement) (?:「([^」]*)」|([A-Za-z_]\w*))", code)
        if found:
            name = found.group(1) or found.group(2)
            applies = [r for r in results if grade is None or r["grade"] == grade]
            passed = sum(1 for r in applies if name not in r["failed"])
            expected[number] = f"{len(applies)}人中{passed}人符合" if language == "zh" else f"{passed} of {len(applies)} pass"
    return expected


def _shown(value: Decimal) -> str:
    """A number as the lens writes it: thousands separated, at most two decimals (half up), no trailing zeros."""
    text = f"{value.quantize(Decimal('0.01'), rounding='ROUND_HALF_UP'):,.2f}"
    return text.rstrip("0").rstrip(".")


def _same_counts(shown: dict[int, str], expected: dict[int, str]) -> None:
    """The requirement lenses say the expected counts, some with how many of the failures were for a missing value."""
    assert sorted(shown) == sorted(expected)
    for line, title in shown.items():
        assert title == expected[line] or title.startswith(expected[line] + (" (" if title.isascii() else "（")), (title, expected[line])


def test_the_samples_lens_counts_as_jifen_evaluate_does(library):
    policy = library / "haizhu/2022.jifen"
    samples = library / "haizhu/2022.samples.csv"
    shutil.copy(ROOT / "policies/haizhu/2022.samples.csv", samples)
    text = _read(policy)

    async def check(client: Client):
        uri = open_document(client, policy, text)
        await client.next_diagnostics(uri, 1)
        shown = _by_line(await _lenses(client, uri))

        with samples.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        header = line_of(text, "政策 “")[0]
        eligible = sum(1 for r in json.loads(subprocess.run(
            [sys.executable, "-m", "jifen_dsl", "evaluate", str(policy), str(samples), "--format", "json", "-q"], capture_output=True, text=True).stdout) if r["eligible"])
        assert shown.pop(header) == f"样本（2022.samples.csv）：{len(rows)}名申请人，{eligible}人符合条件"
        # Each indicator of this policy is one score column of the applicant file: counted here from the CSV itself.
        for name, column in (("居住证", "ind_permit"), ("合法稳定就业", "ind_employment"), ("其他", "ind_other")):
            scores = [Decimal(r[column]) for r in rows]
            total = sum(scores)
            assert shown[line_of(text, f"指标 「{name}」")[0]] == (
                f"{len(rows)}人中{sum(1 for s in scores if s)}人得分，合计{_shown(total)}，平均{_shown(total / len(scores))}，最高{_shown(max(scores))}"
            )
        expected = _expected_by_evaluate(policy, samples, text, "zh")
        _same_counts({line: title for line, title in shown.items() if "符合" in title}, expected)
        assert len(expected) >= 8
        assert "（2人因缺少数据未通过）" in shown[line_of(text, "要求 「在海珠居住或就业」")[0]]  # E15 and HZ2022-000004 lack a district

        # The samples file changed (time and size): counted again. Fewer rows, fewer applicants.
        samples.write_text("\n".join(samples.read_text(encoding="utf-8").splitlines()[:6]) + "\n", encoding="utf-8")
        shown = _by_line(await _lenses(client, uri))
        assert shown[header].startswith("样本（2022.samples.csv）：5名申请人")

        # A bad row: one lens at the top, with the first line of the data error; the server is still there.
        samples.write_text(samples.read_text(encoding="utf-8").replace(",2015-", ",2015-13-", 1), encoding="utf-8")
        [bad] = await _lenses(client, uri)
        assert bad.range.start.line == header
        assert bad.command.title.startswith("样本：2022.samples.csv:2:") and "'2015-13-" in bad.command.title and "\n" not in bad.command.title
        # No samples file: no lens.
        samples.unlink()
        assert list(await _lenses(client, uri)) == []  # an answer (not a fault), with nothing in it

    session(check)


def test_the_lens_speaks_the_language_of_an_english_policy(library):
    policy = library / "baiyun/2022.jifen"
    samples = library / "baiyun/2022.samples.csv"
    rows = _read(ROOT / "examples/baiyun-2022/applicants.csv").splitlines()
    samples.write_text("\n".join(rows[:1] + rows[1:4] + rows[40:44]) + "\n", encoding="utf-8")  # three edge cases, four others
    text = _read(policy)

    async def check(client: Client):
        uri = open_document(client, policy, text)
        await client.next_diagnostics(uri, 1)
        shown = _by_line(await _lenses(client, uri))
        expected = _expected_by_evaluate(policy, samples, text, "en")
        _same_counts({line: title for line, title in shown.items() if " pass" in title}, expected)
        assert len(expected) == 8
        assert shown[line_of(text, "policy ")[0]].startswith("samples (2022.samples.csv): 7 applicants, ")
        permit = [Decimal(r["ind_permit"]) for r in csv.DictReader(samples.open(encoding="utf-8"))]
        assert shown[line_of(text, "indicator permit ")[0]].startswith(f"{sum(1 for s in permit if s)} of 7 scored, total {sum(permit):,}, mean ")

    session(check)


# ------------------------------------------------------------------ hovers


def _workdays_after(day: _dt.date, until: _dt.date) -> int:
    """Working days after ``day`` up to and including ``until``, by the chinesecalendar package itself."""
    import chinese_calendar

    count, current = 0, day
    while current < until:
        current += _dt.timedelta(days=1)
        count += chinese_calendar.is_workday(current)
    return count


def test_hover_tells_where_an_inherited_clause_comes_from_and_a_phase_s_working_days(library):
    h22, h23 = library / "haizhu/2022.jifen", library / "haizhu/2023.jifen"
    text22, text23 = _read(h22), _read(h23)

    async def hover(client: Client, uri: str, line: int, column: int) -> str:
        answer = await client.text_document_hover_async(types.HoverParams(**at(uri, line, column)))
        return answer.contents.value

    async def check(client: Client):
        edited = text23 + "\n要求 「子女非港澳台」 “子女户籍”： 「随迁子女户籍」 不属于 「广州及港澳台」\n"
        uri23 = open_document(client, h23, edited)
        assert await client.next_diagnostics(uri23, 1) == []
        declared22 = line_of(text22, "要求 「居住证满一年」")[0] + 1
        overridden23 = line_of(text23, "修改 要求 「居住证满一年」")
        said = await hover(client, uri23, overridden23[0], overridden23[1] + 8)
        assert said.startswith("**requirement** `居住证满一年`")
        assert f"继承自 `2022.jifen` 第{declared22}行" in said and f"本文件第{overridden23[0] + 1}行修改了它" in said
        # An inherited definition this year does not override.
        use = line_of(edited, "不属于 「广州及港澳台」")
        said = await hover(client, uri23, use[0], use[1] + 6)
        assert f"继承自 `2022.jifen` 第{line_of(text22, '定义 「广州及港澳台」')[0] + 1}行" in said
        assert "本政策未修改，沿用 `2022.jifen` 的条款" in said and "本文件" not in said
        # A field of the shared library is no inherited clause.
        field = line_of(edited, "「随迁子女户籍」 不属于")
        assert "继承" not in await hover(client, uri23, field[0], field[1] + 2)

        # In last year's policy: which later policy overrides the clause.
        uri22 = open_document(client, h22, text22)
        await client.next_diagnostics(uri22, 1)
        said = await hover(client, uri22, declared22 - 1, line_of(text22, "要求 「居住证满一年」")[1] + 5)
        assert f"`2023.jifen` 第{overridden23[0] + 1}行修改了它" in said
        assert "修改了它" not in await hover(client, uri22, *line_of(text22, "「申请人非广州户籍」 “"))

        # A phase declared to follow another: its working days, counted by the calendar package.
        choose = line_of(text22, "「填报志愿」 “")
        said = await hover(client, uri22, choose[0], choose[1] + 1)
        gap = _workdays_after(_dt.date(2022, 5, 11), _dt.date(2022, 6, 10))
        window = _workdays_after(_dt.date(2022, 6, 9), _dt.date(2022, 6, 14))
        assert f"共5天，其中{window}个工作日（2022-06-10至2022-06-14）" in said
        assert f"2022-06-10开始，即「材料审核」结束（2022-05-11）后的第{gap}个工作日" in said
        # The phase that needs verified points: the last day to accept them (as jifen deadline says, docs/dates.md).
        apply = line_of(text22, "「网上申请」 “")
        said = await hover(client, uri22, apply[0], apply[1] + 1)
        assert "最迟2022-03-18受理" in said and "35个工作日" in said
        assert _workdays_after(_dt.date(2022, 3, 18), _dt.date(2022, 5, 10)) == 35  # the deadline, counted again

    session(check)


def test_the_lens_counts_the_samples_evidence_kept_beside_them(tmp_path):
    """Conghua 2020 counts evidence within windows: the samples' evidence file is read, and the windows are applied."""
    root = tmp_path / "policies"
    for part in ("guangzhou/fields.jifen", "conghua/2020.jifen"):
        (root / part).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "policies" / part, root / part)
    rows = _read(ROOT / "examples/conghua-2020/applicants.csv").splitlines()
    (root / "conghua/2020.samples.csv").write_text("\n".join(rows[:7]) + "\n", encoding="utf-8")  # CH2020-E01 to E06
    policy = root / "conghua/2020.jifen"
    text = _read(policy)
    innovation, tax, service = (line_of(text, f"指标 「{name}」")[0] for name in ("创新创业", "纳税", "社会服务"))

    async def check(client: Client):
        uri = open_document(client, policy, text)
        await client.next_diagnostics(uri, 1)
        shown = _by_line(await _lenses(client, uri))
        assert shown[innovation] == shown[tax] == "6人中0人得分，合计0，平均0，最高0"  # no evidence file: no evidence
        shutil.copy(ROOT / "examples/conghua-2020/evidence.csv", root / "conghua/2020.samples.evidence.csv")
        shown = _by_line(await _lenses(client, uri))
        # By hand, from the evidence file: E04's items of 2015-04-30 (2) and 2020-04-30 (3) are within five years of
        # 2020-04-30, E03's of 2015-04-29 is not; E01's tax items of 2017-01-01 and 2019-12-31 count, 2020-01-01 does not.
        assert shown[innovation] == "6人中1人得分，合计5，平均0.83，最高5"
        assert shown[tax] == "6人中1人得分，合计2，平均0.33，最高2"
        assert shown[service] == "6人中1人得分，合计1，平均0.17，最高1"

    session(check)
