"""An empty applicant file for a policy: the columns it reads, with Chinese headers, and how to fill each.

A district office fills the template in Excel and gives it back to ``evaluate``
or ``allocate`` as it is. The XLSX template has a second sheet describing each
column; the CSV template comes with a second CSV file doing the same. In the
XLSX template text columns are formatted as text (Excel would otherwise turn an
identity number into a rounded number), dates as dates, and columns with a fixed
set of values offer them in a drop-down list.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import attrs

from jifen_dsl.lang import model
from jifen_dsl.data.tables import csv_bytes
from jifen_dsl.data.xlsx import Sheet, workbook_bytes

__all__ = ["TemplateColumn", "template_columns", "template_files", "description_path", "FORMATS"]

FORMATS = ("csv", "xlsx")
_DESCRIPTION_HEADER = ("列名", "字段名", "是否必填", "填写格式", "默认值", "说明")

_KIND = {
    "text": "文本",
    "integer": "整数，如 2022",
    "decimal": "数字，如 85.5",
    "bool": "是/否（也可填 true/false、1/0、√/×）",
    "date": "日期，如 2022-08-31、2022/8/31 或 2022年8月31日",
    "datetime": "日期时间，如 2022-04-25 09:30",
    "school_list": "学校代码，按志愿顺序，多个用 ; 分隔",
    "text_list": "文本，多个用 ; 分隔",
}
_NUMBER_FORMAT = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "integer": "General", "decimal": "General"}
_NOTES = {
    model.ID_FIELD: "每份申请一个编号，不得重复",
    model.APPLICANT_NAME_FIELD: "个人信息：只用于内部名单，公示时按政策规则隐去部分字符",
    model.CHILD_NAME_FIELD: "个人信息：只用于内部名单，公示时按政策规则隐去部分字符",
    model.ID_NUMBER_FIELD: "个人信息：请以文本填写（勿转为数字），公示时只显示政策规定的前后几位",
}


@attrs.frozen
class TemplateColumn:
    """One column of the template: its header and how to fill it."""

    header: str
    field: str
    required: bool
    kind: str  # the field's type, as model.Field.type.kind
    description: str
    default: str
    note: str
    choices: tuple[str, ...] = ()


def _enum_text(field: model.Field) -> tuple[str, tuple[str, ...]]:
    aliases: dict[str, list[str]] = {}
    for alias, member in field.type.aliases:
        aliases.setdefault(member, []).append(alias)
    parts = [m + (f"（{'、'.join(aliases[m])}）" if m in aliases else "") for m in field.type.members]
    shown = tuple(aliases[m][0] if m in aliases else m for m in field.type.members)
    return "以下之一：" + "；".join(parts), shown


def _default_text(field: model.Field) -> str:
    if field.default is None:
        return ""
    if isinstance(field.default, bool):
        return "否" if field.default is False else "是"
    if field.type.kind == "enum":
        for alias, member in field.type.aliases:
            if member == field.default:
                return alias
    return str(field.default)


def template_columns(policy: model.Policy) -> list[TemplateColumn]:
    """The columns an applicant file needs for ``policy``, in the order the policy reads them."""
    columns = []
    for index in policy.read_fields:
        field = policy.fields[index]
        choices: tuple[str, ...] = ()
        if field.type.kind == "enum":
            description, choices = _enum_text(field)
        else:
            description = _KIND[field.type.kind]
            if field.type.kind == "bool":
                choices = ("是", "否")
        columns.append(TemplateColumn(
            header=field.label or field.name,
            field=field.name,
            required=not field.optional and field.type.kind not in ("school_list", "text_list"),
            kind=field.type.kind,
            description=description,
            default=_default_text(field),
            note=_NOTES.get(field.name, ""),
            choices=choices,
        ))
    return columns


def _description_rows(columns: Sequence[TemplateColumn]) -> list[list[str]]:
    return [[c.header, c.field, "必填" if c.required else "选填", c.description, c.default, c.note] for c in columns]


def description_path(path: str) -> str:
    """Where the CSV template's column descriptions go: beside it, named after it."""
    target = Path(path)
    return str(target.with_name(f"{target.stem}-columns.csv"))


def template_files(policy: model.Policy, path: str, fmt: str, *, bom: bool = True) -> dict[str, bytes]:
    """The template's files, path -> bytes: one workbook of two sheets, or two CSV files."""
    columns = template_columns(policy)
    header = [c.header for c in columns]
    if fmt == "xlsx":
        formats = tuple(
            (i, _NUMBER_FORMAT.get(c.kind, "@")) for i, c in enumerate(columns)
        )
        form = Sheet(
            "申请名单",
            header,
            [],
            formats=formats,
            choices=tuple((i, c.choices) for i, c in enumerate(columns) if c.choices),
        )
        guide = Sheet("填写说明", list(_DESCRIPTION_HEADER), _description_rows(columns))
        return {path: workbook_bytes([form, guide])}
    return {
        path: csv_bytes(header, [], bom=bom),
        description_path(path): csv_bytes(list(_DESCRIPTION_HEADER), _description_rows(columns), bom=bom),
    }

