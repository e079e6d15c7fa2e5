"""Reading and writing a version's items as .xlsx and .csv with the same columns.

Parsing only: the all-or-nothing write is `services.catalogue_import`.
"""

from __future__ import annotations

from typing import Any

from core.tabular import MAX_ROWS, Row, read_rows, write_csv, write_xlsx

from .columns import COLUMNS, Column
from .models import ServiceItem

__all__ = ["MAX_ROWS", "Row", "export_csv", "export_rows", "export_xlsx", "read_table"]


def read_table(name: str, content: bytes) -> list[Row]:
    """Parse an uploaded .xlsx or .csv into rows keyed by item field.

    Raises:
        ValidationFailed: an unknown format, an unreadable file or a bad header.
    """
    return read_rows(
        name, content, [(c.field, c.label) for c in COLUMNS], required=("code", "name")
    )


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
    header, rows = export_rows(items)
    return write_xlsx(
        header,
        rows,
        title or "catalogue",
        (10, 36, 8, 14, 12, 40, 24, 12, 16, 24, 36, 24, 10, 40, 40, 30, 12, 14, 12, 24),
    )


def export_csv(items: list[ServiceItem]) -> bytes:
    header, rows = export_rows(items)
    return write_csv(header, rows)
