"""Write the malformed-input corpus: one file per way an applicant file goes wrong.

Run from the repository top: ``python tests/data/bad/generate.py``. The output
depends only on this script and ``tests/data/applicants/haizhu.csv``;
``tests/data/test_bad_data.py`` checks the files are what it writes, and that each
gives its own precise message.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

from jifen_dsl.data.xlsx import _normalized  # noqa: E402  (the same fixed-time archive writer as the tool's)

SOURCE = ROOT / "tests" / "data" / "applicants" / "haizhu.csv"


def _table() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(SOURCE.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    return buffer.getvalue()


def _set(header: list[str], row: list[str], **values: str) -> list[str]:
    row = list(row)
    for name, value in values.items():
        row[header.index(name)] = value
    return row


def _workbook(rows: list[list], merges: tuple[str, ...] = (), title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalized(buffer.getvalue())


def corpus() -> dict[str, bytes]:
    """File name -> bytes, for every file of the corpus."""
    header, rows = _table()
    text = _csv(header, rows)
    files: dict[str, bytes] = {}

    # Encodings and text damage.
    files["neither_utf8_nor_gb18030.csv"] = text.encode("utf-8") + "HZ-09,G1,".encode() + b"\xff\xfe\xfd\n"
    files["utf16.csv"] = text.encode("utf-16")
    files["utf16_without_bom.csv"] = text.encode("utf-16-le")
    files["gb18030_read_as_utf8.csv"] = text.encode("gb18030")  # given with --encoding utf-8
    files["bom_in_middle.csv"] = ("\ufeff" + text + "\ufeff" + _csv(header, rows[:1])).encode("utf-8")
    files["empty.csv"] = b""
    files["header_only.csv"] = _csv(header, []).encode("utf-8")
    files["tab_separated.csv"] = "\n".join("\t".join(r) for r in [header, *rows]).encode("utf-8")
    files["unclosed_quote.csv"] = (text + 'HZ-09,G1,"2016-03-01,湖南\n').encode("utf-8")
    files["unknown_extension.dat"] = text.encode("utf-8")

    # Header problems.
    files["missing_columns.csv"] = _csv(
        [h for h in header if h not in ("points", "permit_start")],
        [[c for h, c in zip(header, r) if h not in ("points", "permit_start")] for r in rows],
    ).encode("utf-8")
    twice = header + ["points", "积分状态"]
    files["duplicate_column.csv"] = _csv(twice, [r + ["1", "已核定"] for r in rows]).encode("utf-8")
    nameless = header + [""]
    files["nameless_column.csv"] = _csv(nameless, [r + (["备注"] if i == 2 else [""]) for i, r in enumerate(rows)]).encode("utf-8")

    # Rows and cells.
    files["ragged_rows.csv"] = (text + "HZ-09,G1,2016-03-01\n" + ",".join(rows[0] + ["extra"]).replace("HZ-01", "HZ-10") + "\n").encode("utf-8")
    dates = [
        _set(header, rows[0], child_birth_date="2016/3/1"),
        _set(header, rows[1], child_birth_date="2016年3月1日"),
        _set(header, rows[2], child_birth_date="01/03/2016"),
        _set(header, rows[3], child_birth_date="2016.3.1"),
        _set(header, rows[4], child_birth_date="20160301"),
        _set(header, rows[5], child_birth_date="2016-02-30"),
        _set(header, rows[6], permit_start="2019年13月1日"),
        _set(header, rows[7], applied_at="2022/4/26"),
    ]
    files["mixed_dates.csv"] = _csv(header, dates).encode("utf-8")
    files["duplicate_ids.csv"] = _csv(header, rows + [_set(header, rows[2], points="70"), rows[0]]).encode("utf-8")
    files["unknown_grade.csv"] = _csv(header, rows[:2] + [_set(header, rows[2], grade="G3"), _set(header, rows[3], grade="三年级")]).encode("utf-8")
    files["bad_booleans.csv"] = _csv(header, [
        _set(header, rows[0], insurance_active="是的"),
        _set(header, rows[1], child_enrolled="2"),
        _set(header, rows[2], accepts_coordination="ok"),
        _set(header, rows[3], insurance_active="√", child_enrolled="×"),
    ]).encode("utf-8")
    many = [_set(header, r, id=f"HZ-{i:03d}", points=f"{i} points" if i % 3 else r[header.index('points')], child_birth_date="2016-02-30" if i % 7 == 0 else r[header.index("child_birth_date")]) for i, r in enumerate(rows * 8, start=1)]
    files["many_errors.csv"] = _csv(header, many).encode("utf-8")

    # JSON and JSON Lines.
    records = [dict(zip(header, r)) for r in rows]
    files["not_a_list.json"] = json.dumps({"applicants": records[:2]}, ensure_ascii=False, indent=2).encode("utf-8")
    files["broken.json"] = (json.dumps(records[:2], ensure_ascii=False, indent=2)[:-4] + ",\n  }\n]\n").encode("utf-8")
    files["records_not_objects.json"] = json.dumps([records[0], "HZ-02", 3, records[3]], ensure_ascii=False, indent=2).encode("utf-8")
    nested = [dict(records[0]), dict(records[1]), dict(records[2])]
    nested[1]["points"] = {"value": 96}
    nested[2]["choices"] = ["S1", ["S2", "S3"]]
    files["nested_values.json"] = json.dumps(nested, ensure_ascii=False, indent=2).encode("utf-8")
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines[3] = lines[3][:-20]
    lines[5] = '["HZ-06", "G7"]'
    files["broken_line.jsonl"] = ("\n".join(lines) + "\n").encode("utf-8")

    # A schools file (read by allocate).
    files["bad_schools.csv"] = (
        "id,name,type,grade,seats,district\n"
        "S1,海珠区甲小学,public,G1,10,海珠区\n"
        "S1,海珠区乙小学,公办,G1,5,海珠区\n"
        "S2,海珠区丙小学,charter,小学一年级,-3,海珠区\n"
        "S3,海珠区丁中学,民办,G9,ten,海珠区\n"
    ).encode("utf-8")

    # Excel.
    xrows = [header, *rows]
    files["merged_header.xlsx"] = _workbook(xrows, merges=("P1:Q1",))
    files["title_row.xlsx"] = _workbook([["2022年海珠区积分制入学申请名单"], *xrows], merges=("A1:AB1",))
    errors = [list(r) for r in rows]
    errors[0][header.index("points")] = "#N/A"
    errors[1][header.index("child_birth_date")] = "#VALUE!"
    with_id = header + ["id_number"]
    excel_rows = [with_id] + [r + [440105201603010011 + i] for i, r in enumerate(errors)]
    files["excel_errors.xlsx"] = _excel_errors(excel_rows)
    files["merged_data_cells.xlsx"] = _workbook(xrows, merges=("L3:L4", "D6:E6"))
    files["missing_sheet.xlsx"] = _workbook(xrows, title="申请名单")  # given with --sheet 名单
    files["csv_named_xlsx.xlsx"] = text.encode("utf-8")
    files["old_excel.xls"] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    files["formula_cell.xlsx"] = _workbook([header, _set(header, rows[0], points="=100+35"), *rows[1:]])  # a formula: "=" starts one
    files["hidden_data_sheet.xlsx"] = _hidden_data(xrows)

    # What a reviewer sees is what is ranked: ids that only look different, characters that hide or forge.
    files["lookalike_ids.csv"] = _csv(header, rows[:3] + [_set(header, rows[3], id="HZ-01\u200b"), _set(header, rows[4], id="ＨＺ-02")]).encode("utf-8")
    named = header + ["applicant_name"]
    files["control_characters.csv"] = _csv(named, [
        _set(header, rows[0], id="HZ-01\nHZ-99") + ["张三"],
        rows[1] + ["李\u202e四"],
        rows[2] + ["王\x1b[2J五"],
        rows[3] + ["赵\u3000六"],  # an ideographic space is no control: read as it is
    ]).encode("utf-8")
    exponent = [dict(zip(header, r)) for r in rows[:3]]
    files["number_with_exponent.json"] = (
        json.dumps(exponent, ensure_ascii=False, indent=2).replace('"points": "96"', '"points": 1e999', 1).encode("utf-8")
    )
    return files


def _hidden_data(rows: list[list]) -> bytes:
    """A workbook whose only visible sheet is empty, the data on a hidden sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "说明"
    hidden = workbook.create_sheet("名单")
    for row in rows:
        hidden.append(row)
    hidden.sheet_state = "hidden"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalized(buffer.getvalue())


def _excel_errors(rows: list[list]) -> bytes:
    """A workbook whose cells hold Excel error values and 18-digit numbers, as Excel saves them."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str) and value.startswith("#"):
                cell.value = value
                cell.data_type = "e"
            elif isinstance(value, int) and value > 10**15:
                cell.value = float(value)  # Excel keeps a double: the last digits are gone
            else:
                cell.value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _normalized(buffer.getvalue())


def main() -> None:
    for name, data in corpus().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
