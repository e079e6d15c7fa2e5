"""Reading and writing a version's items as .xlsx and .csv with the same columns.

Parsing only: the all-or-nothing write is `services.catalogue_import`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from core.exceptions import ValidationFailed

from .columns import COLUMNS, Column
from .models import ServiceItem

MAX_ROWS = 5000


@dataclass
class Row:
    number: int  # the spreadsheet row number the user sees (header is row 1)
    values: dict[str, Any]


def _norm(text: Any) -> str:
    return "".join(str(text or "").split()).lower()


def _header_lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for col in COLUMNS:
        out[_norm(col.field)] = col.field
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                out[_norm(col.label)] = col.field
    return out


def _map_header(header: list[Any]) -> dict[int, str]:
    lookup = _header_lookup()
    mapping: dict[int, str] = {}
    unknown: list[str] = []
    for index, cell in enumerate(header):
        if cell is None or str(cell).strip() == "":
            continue
        name = lookup.get(_norm(cell))
        if name is None:
            unknown.append(str(cell))
        elif name in mapping.values():
            raise ValidationFailed(
                fields={"file": [_("表头“%(name)s”重复。") % {"name": cell}]},
                code="import_bad_header",
            )
        else:
            mapping[index] = name
    errors = []
    if unknown:
        errors.append(_("无法识别的表头：%(names)s。") % {"names": "、".join(unknown)})
    missing = [
        str(c.label)
        for c in COLUMNS
        if c.field not in mapping.values() and c.field in ("code", "name")
    ]
    if missing:
        errors.append(_("缺少必需的列：%(names)s。") % {"names": "、".join(missing)})
    if errors:
        raise ValidationFailed(fields={"file": errors}, code="import_bad_header")
    return mapping


def _rows_from_table(table: list[list[Any]]) -> list[Row]:
    if not table:
        raise ValidationFailed(
            fields={"file": [_("文件是空的。")]}, code="import_empty"
        )
    mapping = _map_header(table[0])
    rows: list[Row] = []
    for number, cells in enumerate(table[1:], start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        values = {
            name: (cells[i] if i < len(cells) else None) for i, name in mapping.items()
        }
        rows.append(Row(number, values))
    if not rows:
        raise ValidationFailed(
            fields={"file": [_("文件中没有数据行。")]}, code="import_empty"
        )
    if len(rows) > MAX_ROWS:
        raise ValidationFailed(
            fields={"file": [_("一次最多导入 %(max)s 行。") % {"max": MAX_ROWS}]},
            code="import_too_large",
        )
    return rows


def read_table(name: str, content: bytes) -> list[Row]:
    """Parse an uploaded .xlsx or .csv into rows keyed by item field.

    Raises:
        ValidationFailed: an unknown format, an unreadable file or a bad header.
    """
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        return _rows_from_table(_read_xlsx(content))
    if lower.endswith(".csv"):
        return _rows_from_table(_read_csv(content))
    raise ValidationFailed(
        fields={"file": [_("只支持 .xlsx 和 .csv 文件。")]}, code="import_bad_format"
    )


def _read_xlsx(content: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise ValidationFailed(
            fields={"file": [_("无法读取该 Excel 文件，请确认是 .xlsx 格式。")]},
            code="import_unreadable",
        ) from exc
    try:
        ws = wb.worksheets[0]
        table = []
        for i, row in enumerate(ws.iter_rows(values_only=True)):
            if i > MAX_ROWS + 1:
                raise ValidationFailed(
                    fields={
                        "file": [_("一次最多导入 %(max)s 行。") % {"max": MAX_ROWS}]
                    },
                    code="import_too_large",
                )
            table.append(list(row))
        return table
    finally:
        wb.close()


def _read_csv(content: bytes) -> list[list[Any]]:
    # Excel on Chinese Windows saves CSV as GB18030/GBK; try UTF-8 (with BOM) first.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationFailed(
            fields={"file": [_("无法识别文件编码。")]}, code="import_unreadable"
        )
    try:
        return [list(r) for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise ValidationFailed(
            fields={"file": [_("CSV 格式有误：%(e)s") % {"e": exc}]},
            code="import_unreadable",
        ) from exc


def _cell(item: ServiceItem, col: Column) -> Any:
    if col.field == "domain":
        return item.domain.code
    value = getattr(item, col.field)
    if col.multi:
        labels = dict(col.choices.choices)  # type: ignore[union-attr]
        return "、".join(str(labels.get(v, v)) for v in value or [])
    if col.choices is not None:
        return str(dict(col.choices.choices).get(value, value))
    if col.field == "reference_price":
        return f"{value:.2f}"
    return value


def export_rows(items: list[ServiceItem]) -> tuple[list[str], list[list[Any]]]:
    header = [str(c.label) for c in COLUMNS]
    return header, [[_cell(item, c) for c in COLUMNS] for item in items]


def export_xlsx(items: list[ServiceItem], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    header, rows = export_rows(items)
    wb = Workbook()
    ws = wb.active
    ws.title = (title or "catalogue")[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "A2"
    for col, width in zip(
        "ABCDEFGHIJKLMNOPQRST",
        (10, 36, 8, 14, 12, 40, 24, 12, 16, 24, 36, 24, 10, 40, 40, 30, 12, 14, 12, 24),
        strict=False,
    ):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=False, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_csv(items: list[ServiceItem]) -> bytes:
    header, rows = export_rows(items)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    # BOM so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")
