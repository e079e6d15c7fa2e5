"""The supplier list as a spreadsheet: the columns an import reads and an export writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.tabular import Row, read_rows, write_xlsx

from .choices import OrgType
from .models import Vendor

COLUMNS: list[tuple[str, Any]] = [
    ("name", _("名称")),
    ("short_name", _("简称")),
    ("org_type", _("主体类型")),
    ("uscc", _("统一社会信用代码")),
    ("registration_authority", _("登记管理机关")),
    ("registration_date", _("登记日期")),
    ("legal_representative", _("法定代表人")),
    ("address", _("住所")),
    ("streets", _("服务街道")),
    ("fulltime_staff", _("专职人员")),
    ("parttime_staff", _("兼职人员")),
    ("volunteers", _("志愿者")),
    ("grade", _("社会组织评估等级")),
    ("graded_on", _("评估日期")),
]
LABELS = dict(COLUMNS)
SEPARATORS = ("、", ",", "，", ";", "；", "|")


def read_vendor_rows(filename: str, content: bytes) -> list[Row]:
    return read_rows(filename, content, COLUMNS, required=("name", "org_type"))


def _org_type_lookup() -> dict[str, str]:
    out: dict[str, str] = {}
    for value, label in OrgType.choices:
        out[value] = value
        for lang in ("zh-hans", "en"):
            with translation.override(lang):
                out[str(label).strip().lower()] = value
    return out


def row_to_data(
    values: dict[str, Any], streets: dict[str, Organisation]
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Turn one spreadsheet row into input for vendors.services, and the cell errors
    that can be told before the service checks (unknown type, unknown street)."""
    from django.utils.translation import gettext as _g

    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for field, _label in COLUMNS:
        raw = values.get(field)
        if isinstance(raw, dt.datetime):
            raw = raw.date()
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        data[field] = raw.strip() if isinstance(raw, str) else raw
    raw_type = str(data.get("org_type") or "").strip()
    data["org_type"] = _org_type_lookup().get(raw_type.lower(), raw_type)
    if raw_type and data["org_type"] not in OrgType.values:
        errors["org_type"] = [
            _g("“%(value)s”不是主体类型，可选：%(allowed)s。")
            % {
                "value": raw_type,
                "allowed": "、".join(str(lbl) for _v, lbl in OrgType.choices),
            }
        ]
    text = str(data.get("streets") or "")
    for sep in SEPARATORS[1:]:
        text = text.replace(sep, SEPARATORS[0])
    codes, unknown = [], []
    for part in (p.strip() for p in text.split(SEPARATORS[0])):
        if not part:
            continue
        org = streets.get(part)
        if org is None:
            unknown.append(part)
        else:
            codes.append(org.code)
    if unknown:
        errors["streets"] = [
            _g("不是本区的街道：%(names)s。") % {"names": "、".join(unknown)}
        ]
    data["streets"] = codes
    for name in ("registration_date", "graded_on"):
        if isinstance(data.get(name), dt.date):
            data[name] = data[name].isoformat()
    return data, errors


def street_lookup(district: Organisation) -> dict[str, Organisation]:
    """A district's streets by code, full name and short name."""
    out: dict[str, Organisation] = {}
    for s in Organisation.objects.filter(parent=district, kind="street"):
        for key in (s.code, s.name, s.short_name):
            if key:
                out[key] = s
    return out


def export_vendors_xlsx(vendors: list[Vendor]) -> bytes:
    header = [str(label) for _f, label in COLUMNS]
    rows = [
        [
            v.organisation.name,
            v.organisation.short_name,
            v.get_org_type_display(),
            v.uscc or "",
            v.registration_authority,
            v.registration_date.isoformat() if v.registration_date else "",
            v.legal_representative,
            v.address,
            "、".join(s.short_name or s.name for s in v.streets.all()),
            v.fulltime_staff,
            v.parttime_staff,
            v.volunteers,
            v.grade,
            v.graded_on.isoformat() if v.graded_on else "",
        ]
        for v in vendors
    ]
    return write_xlsx(
        header, rows, "vendors", (36, 14, 24, 22, 22, 12, 12, 36, 24, 8, 8, 8, 8, 12)
    )
