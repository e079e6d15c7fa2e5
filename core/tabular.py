"""Spreadsheet import and export shared by every app: .xlsx and .csv with the same
columns, headers accepted by field name or by their Chinese or English label, and
row numbers as the user sees them, for per-row error reports."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from .exceptions import ValidationFailed

MAX_ROWS = 5000


@dataclass
class Row:
    number: int  # the spreadsheet row number the user sees (header is row 1)
    values: dict[str, Any]


def _norm(text: Any) -> str:
    return "".join(str(text or "").split()).lower()


def _header_lookup(columns: Sequence[tuple[str, Any]]) -> dict[str, str]:
    """Accept a column by its field name or its label in Chinese or English."""
    out: dict[str, str] = {}
    for field, label in columns:
        out[_norm(field)] = field
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                out[_norm(label)] = field
    return out


def _map_header(
    header: list[Any], columns: Sequence[tuple[str, Any]], required: Sequence[str]
) -> dict[int, str]:
    lookup = _header_lookup(columns)
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
    labels = dict(columns)
    missing = [str(labels[f]) for f in required if f not in mapping.values()]
    if missing:
        errors.append(_("缺少必需的列：%(names)s。") % {"names": "、".join(missing)})
    if errors:
        raise ValidationFailed(fields={"file": errors}, code="import_bad_header")
    return mapping


def _rows_from_table(
    table: list[list[Any]], columns: Sequence[tuple[str, Any]], required: Sequence[str]
) -> list[Row]:
    if not table:
        raise ValidationFailed(
            fields={"file": [_("文件是空的。")]}, code="import_empty"
        )
    mapping = _map_header(table[0], columns, required)
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


def read_rows(
    name: str,
    content: bytes,
    columns: Sequence[tuple[str, Any]],
    required: Sequence[str],
) -> list[Row]:
    """Parse an uploaded .xlsx or .csv into rows keyed by field name.

    Raises:
        ValidationFailed: an unknown format, an unreadable file or a bad header.
    """
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        return _rows_from_table(_read_xlsx(content), columns, required)
    if lower.endswith(".csv"):
        return _rows_from_table(_read_csv(content), columns, required)
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


def write_csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    # BOM so that Excel opens the Chinese text as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# (title, header, rows, column widths) of one worksheet.
Sheet = tuple[str, list[str], list[list[Any]], Sequence[int]]


def write_workbook(sheets: Sequence[Sheet]) -> bytes:
    """An .xlsx of several sheets, each with a bold header row frozen above its rows
    and the given column widths. Text that starts with "=" stays text: a description
    typed by a user never becomes a formula in the officer's spreadsheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for title, header, rows, widths in sheets:
        ws = wb.create_sheet((title or "sheet")[:31])
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append(row)
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_xlsx(
    header: list[str], rows: list[list[Any]], title: str, widths: Sequence[int] = ()
) -> bytes:
    """A one-sheet workbook (see write_workbook)."""
    return write_workbook([(title, header, rows, widths)])


def row_errors(
    exc: ValidationFailed, labels: dict[str, Any]
) -> list[tuple[str, str, str]]:
    """The "<row>.<field>" errors of an import as (row, column label, reason), by row."""
    out = []
    for key, messages in exc.fields.items():
        row, _sep, field = key.partition(".")
        if not row.isdigit():
            continue
        for m in messages:
            out.append((int(row), str(labels.get(field, field)), str(m)))
    out.sort(key=lambda r: r[0])
    return [(str(r), c, m) for r, c, m in out]


def raise_row_errors(errors: dict[str, list[Any]]) -> None:
    """Refuse a whole import when any row is bad: every "<row>.<field>" error at once.

    Raises:
        ValidationFailed: code "import_rows_invalid", when `errors` is not empty.
    """
    if errors:
        raise ValidationFailed(
            _("导入失败：%(rows)s 行有错误，未导入任何数据。")
            % {"rows": len({k.split(".")[0] for k in errors})},
            fields=errors,
            code="import_rows_invalid",
        )


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content: bytes, name: str) -> Any:
    """An .xlsx download (`name` without the extension; ASCII, e.g. a code)."""
    from django.http import HttpResponse

    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
