"""Public lists (公示) from a run's results: the ranked points list and the admission list.

The input is a results file written by ``evaluate`` or ``allocate`` (``results.json``
in a ``--out`` directory, or ``--format json -o FILE``). Names and identity numbers
are masked by the policy's publication rule (:mod:`jifen_dsl.data.masking`); no other
personal detail, and no reason for an ineligibility, is published. No text of a list -
a masked name, an id, a school's name, a title - holds a bidirectional control
(:func:`~jifen_dsl.data.masking.without_bidi_controls`): one could reorder what a
reader sees of a row.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs

from jifen_dsl.lang import model
from jifen_dsl.errors import DataError
from jifen_dsl.data.masking import mask, without_bidi_controls
from jifen_dsl.data.output import RUN_MARKER
from jifen_dsl.runs.runfiles import read_manifest_json, unreadable_manifest, why
from jifen_dsl.messages import M, T

__all__ = ["PublicList", "Recorded", "load_results", "points_list", "admission_list", "KINDS"]

KINDS = ("points", "admission")

_TEXT = {
    "en": {
        "points_sheet": "points",
        "admission_sheet": "admission",
        "points_title": "{title}: points list",
        "admission_title": "{title}: admission list",
        "grade": "Grade",
        "rank": "Rank",
        "id": "Application no.",
        "applicant_name": "Applicant",
        "child_name": "Child",
        "id_number": "ID number",
        "points": "Points",
        "eligible": "Eligibility",
        "yes": "eligible",
        "no": "not eligible",
        "school": "School code",
        "school_name": "School",
        "round": "Admitted by",
        "choice": "choice {n}",
        "coordinated": "coordinated placement",
        "clearing": "clearing round",
        "count": "{n} applicants.",
        "masking": "Names show {nf} character(s) at the start and {nl} at the end; identity numbers the first {if_} and the last {il}.",
        "cite": "Publication rule: {cite}.",
        "subtitle": "{district}, {year}",
    },
    "zh": {
        "points_sheet": "积分公示",
        "admission_sheet": "录取名单",
        "points_title": "{title} 积分公示名单",
        "admission_title": "{title} 录取名单公示",
        "grade": "年级",
        "rank": "排名",
        "id": "申请编号",
        "applicant_name": "申请人姓名",
        "child_name": "子女姓名",
        "id_number": "身份证号",
        "points": "积分",
        "eligible": "资格审核",
        "yes": "符合",
        "no": "不符合",
        "school": "学校代码",
        "school_name": "学校名称",
        "round": "录取方式",
        "choice": "第{n}志愿",
        "coordinated": "统筹安排",
        "clearing": "补录",
        "count": "共 {n} 人。",
        "masking": "姓名保留前{nf}字、后{nl}字，身份证号保留前{if_}位、后{il}位，其余以 * 隐去。",
        "cite": "公示规则依据：{cite}。",
        "subtitle": "{district} {year}年度",
    },
}


@attrs.frozen
class PublicList:
    """A list ready to publish: titles, a header whose first column is the grade, rows of text, notes."""

    kind: str
    language: str
    title: str
    subtitle: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int]  # columns holding numbers (right-aligned, written as numbers in XLSX)
    notes: tuple[str, ...]

    @property
    def sheet_title(self) -> str:
        """A worksheet name for the list (Excel allows at most 31 characters)."""
        return _TEXT[self.language][f"{self.kind}_sheet"]


def _shown(value: Any) -> Any:
    """A text of a public list without bidirectional controls; anything else as it is."""
    return without_bidi_controls(value) if isinstance(value, str) else value


def _public(kind: str, language: str, title: str, subtitle: str, header, rows, numeric: frozenset[int], notes) -> PublicList:
    """A :class:`PublicList`, every text of it without bidirectional controls."""
    return PublicList(
        kind,
        language,
        _shown(title),
        _shown(subtitle),
        tuple(_shown(h) for h in header),
        tuple(tuple(_shown(c) for c in row) for row in rows),
        numeric,
        tuple(_shown(n) for n in notes),
    )


@attrs.frozen
class Recorded:
    """What a run's manifest says about the policy of its results: its path, and the library named for it (if any)."""

    policy: str | None = None
    library: str | None = None


def load_results(path: str) -> tuple[list[dict[str, Any]], Recorded]:
    """The records of a results file (or of a run directory's results.json), and the policy its manifest names."""
    target = Path(path)
    recorded = Recorded()
    if target.is_dir():
        manifest_path = target / RUN_MARKER
        try:
            arguments = read_manifest_json(str(manifest_path))["arguments"]  # a small regular file, or refused
            policy, library = arguments["policy"], arguments.get("library")
            if not isinstance(policy, str) or not (library is None or isinstance(library, str)):
                raise TypeError(T("the policy or the library it names is not a path"))
            recorded = Recorded(policy, library)
        except FileNotFoundError:
            raise DataError([M("R0160", "{path}: holds no {manifest}; give a directory written by --out, or a results file", path=path, manifest=RUN_MARKER)]) from None
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise DataError([unreadable_manifest(str(manifest_path), exc)]) from None
        target = target / "results.json"
    if target.exists() and not target.is_file():  # a pipe or a device would be read for ever
        raise DataError([M("R0161", "{path}: not a regular file; give the JSON results of evaluate or allocate", path=str(target))])
    try:
        records = json.loads(target.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise DataError([M("R0162", "{path}: no such file", path=str(target))]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([M("R0163", "{path}: cannot read ({reason})", path=str(target), reason=why(exc))]) from None
    except json.JSONDecodeError as exc:
        raise DataError([M(
            "R0164", "{path}:{line}:{column}: not valid JSON ({reason}); give the JSON results of evaluate or allocate",
            path=str(target), line=exc.lineno, column=exc.colno, reason=exc.msg,
        )]) from None
    if not isinstance(records, list) or not all(isinstance(r, dict) and "id" in r and "grade" in r and "points" in r for r in records):
        raise DataError([M("R0165", "{path}: not the results of evaluate or allocate (expected a JSON list of records with id, grade and points)", path=str(target))])
    return records, recorded


def _grade_names(policy: model.Policy, language: str) -> dict[str, str]:
    names: dict[str, str] = {}
    if language == "zh" and policy.has_field(model.GRADE_FIELD):
        for alias, member in policy.field(model.GRADE_FIELD).type.aliases:
            names.setdefault(member, alias)
    return names


def _grade_order(policy: model.Policy):
    order = {g.value: i for i, g in enumerate(policy.grades)}
    return lambda grade: (order.get(grade, len(order)), grade)


def _personal(records: list[dict[str, Any]]) -> list[str]:
    return [name for name in model.PERSONAL_FIELDS if any(r.get(name) for r in records)]


def _masked(record: dict[str, Any], fields: list[str], publication: model.Publication) -> list[str]:
    out = []
    for name in fields:
        rule = publication.id_number if name == model.ID_NUMBER_FIELD else publication.names
        out.append(mask(record.get(name), rule))
    return out


def _notes(policy: model.Policy, text: dict[str, str], count: int, personal: list[str]) -> tuple[str, ...]:
    p = policy.publication
    notes = [text["count"].format(n=count)]
    if personal:
        notes.append(text["masking"].format(nf=p.names.keep_first, nl=p.names.keep_last, if_=p.id_number.keep_first, il=p.id_number.keep_last))
    if p.cite:
        notes.append(text["cite"].format(cite=p.cite))
    return tuple(notes)


def points_list(records: list[dict[str, Any]], policy: model.Policy) -> PublicList:
    """Everyone's points: by grade, the eligible in rank order, then those not eligible by application number."""
    language = policy.language
    text = _TEXT[language]
    grades = _grade_names(policy, language)
    personal = _personal(records)
    grade_key = _grade_order(policy)

    def eligible(r: dict[str, Any]) -> bool:
        return r["eligible"] if "eligible" in r else r.get("status") != "ineligible"

    ordered = sorted(
        records,
        key=lambda r: (grade_key(r["grade"]), 0 if eligible(r) and r.get("rank") is not None else 1, r.get("rank") or 0, r["id"]),
    )
    rows = []
    for r in ordered:
        ok = eligible(r)
        rows.append(tuple(
            [grades.get(r["grade"], r["grade"]), str(r["rank"]) if ok and r.get("rank") is not None else "", r["id"]]
            + _masked(r, personal, policy.publication)
            + [r["points"], text["yes"] if ok else text["no"]]
        ))
    header = tuple([text["grade"], text["rank"], text["id"]] + [text[n] for n in personal] + [text["points"], text["eligible"]])
    return _public(
        "points",
        language,
        text["points_title"].format(title=policy.header.title),
        text["subtitle"].format(district=policy.header.district, year=policy.header.year),
        header,
        tuple(rows),
        frozenset({1, 3 + len(personal)}),
        _notes(policy, text, len(rows), personal),
    )


def _round(value: str | None, text: dict[str, str]) -> str:
    if not value:
        return ""
    if value.startswith("choice:"):
        return text["choice"].format(n=value.split(":", 1)[1])
    return text.get(value, value)


def admission_list(records: list[dict[str, Any]], policy: model.Policy) -> PublicList:
    """Those admitted: by grade and school, in rank order."""
    if not records or "status" not in records[0]:
        raise DataError([M("R0166", "these are the results of evaluate; an admission list needs the results of allocate")])
    language = policy.language
    text = _TEXT[language]
    grades = _grade_names(policy, language)
    admitted = [r for r in records if r.get("status") == "admitted"]
    personal = _personal(admitted)
    grade_key = _grade_order(policy)
    ordered = sorted(admitted, key=lambda r: (grade_key(r["grade"]), r.get("school") or "", r.get("rank") or 0, r["id"]))
    rows = [
        tuple(
            [grades.get(r["grade"], r["grade"]), r.get("school") or "", r.get("school_name") or "", _round(r.get("round"), text),
             "" if r.get("rank") is None else str(r["rank"]), r["id"]]
            + _masked(r, personal, policy.publication)
            + [r["points"]]
        )
        for r in ordered
    ]
    header = tuple(
        [text["grade"], text["school"], text["school_name"], text["round"], text["rank"], text["id"]]
        + [text[n] for n in personal] + [text["points"]]
    )
    return _public(
        "admission",
        language,
        text["admission_title"].format(title=policy.header.title),
        text["subtitle"].format(district=policy.header.district, year=policy.header.year),
        header,
        tuple(rows),
        frozenset({4, 6 + len(personal)}),
        _notes(policy, text, len(rows), personal),
    )
