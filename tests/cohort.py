"""One cohort written in every input format, as district offices would have it.

The Haizhu 2022 example applicants, given made-up names and identity numbers,
written as CSV (UTF-8, UTF-8 with BOM, GB18030 - the last two with Chinese
headers), as an Excel workbook with real date, number and yes/no cells, as JSON
with native numbers, booleans and lists, and as JSON Lines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from .conftest import ROOT

EXAMPLE = ROOT / "examples" / "haizhu-2022" / "applicants.csv"
SCHOOLS = ROOT / "examples" / "haizhu-2022" / "schools.csv"

_SURNAMES = "张王李赵陈刘杨黄周吴"
_GIVEN = ["伟明", "娜", "小红", "建国", "丽", "志强", "欣怡", "浩然", "明华", "一"]
_DATES = {"child_birth_date", "permit_start", "district_permit_start", "insurance_start"}
_BOOLS = {"child_enrolled", "insurance_active", "accepts_coordination"}
_NUMBERS = {"points", "primary_graduation_year"} | {f"ind_{n}" for n in ("permit", "housing", "employment", "age", "education", "skills", "other")}
_LISTS = {"choices", "clearing_choices"}


def _id_number(i: int) -> str:
    """A made-up identity number: 18 characters in the usual shape, belonging to no one."""
    body = f"440105{2015 + i % 2}{(i % 12) + 1:02d}{(i % 28) + 1:02d}{i:03d}"
    return body + "X0123456789"[i % 11]


def named_rows() -> tuple[list[str], list[list[str]]]:
    """The example's header and rows, with applicant_name, child_name and id_number added."""
    rows = list(csv.reader(io.StringIO(EXAMPLE.read_text(encoding="utf-8"), newline="")))
    header = rows[0] + ["applicant_name", "child_name", "id_number"]
    out = []
    for i, row in enumerate(rows[1:]):
        surname = _SURNAMES[i % len(_SURNAMES)]
        out.append(row + [surname + _GIVEN[i % len(_GIVEN)], surname + _GIVEN[(i + 3) % len(_GIVEN)], _id_number(i)])
    return header, out


def id_numbers() -> list[str]:
    return [row[-1] for row in named_rows()[1]]


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue()


def _typed(name: str, text: str):
    if text == "":
        return None
    if name in _DATES:
        return dt.date.fromisoformat(text)
    if name == "applied_at":
        return dt.datetime.fromisoformat(text)
    if name in _BOOLS:
        return text == "true"
    if name in _NUMBERS:
        return float(text) if "." in text else int(text)
    return text


def write_all(directory: Path, labels: dict[str, str]) -> dict[str, Path]:
    """The cohort in every format, in ``directory``: format name -> path."""
    from openpyxl import Workbook

    header, rows = named_rows()
    chinese = [labels.get(h, h) for h in header]
    paths = {
        "csv-utf8": directory / "utf8.csv",
        "csv-bom": directory / "bom.csv",
        "csv-gb18030": directory / "gb18030.csv",
        "xlsx": directory / "cohort.xlsx",
        "json": directory / "cohort.json",
        "jsonl": directory / "cohort.jsonl",
    }
    paths["csv-utf8"].write_bytes(_csv_text(header, rows).encode("utf-8"))
    paths["csv-bom"].write_bytes(_csv_text(chinese, rows).encode("utf-8-sig"))
    paths["csv-gb18030"].write_bytes(_csv_text(chinese, rows).encode("gb18030"))

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "申请名单"
    sheet.append(chinese)
    for row in rows:
        sheet.append([_typed(h, c) for h, c in zip(header, row)])
    workbook.save(paths["xlsx"])

    records = []
    for row in rows:
        record = {}
        for h, c in zip(header, row):
            value = _typed(h, c)
            if isinstance(value, dt.datetime):
                value = value.strftime("%Y-%m-%d %H:%M")
            elif isinstance(value, dt.date):
                value = value.isoformat()
            elif h in _LISTS:
                value = [s for s in c.split(";") if s]
            record[h] = value
        records.append(record)
    paths["json"].write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    paths["jsonl"].write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return paths
