"""Idempotent loading of the reference data: categories, rule parameters, the
working-day calendar and the Wuhou 2015 and 2026 catalogues.

The 2026 catalogue is built the way a user would build it: drafted from the
published 2015 one through the services, changed item by item, then published,
so its history is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation

from . import services
from .choices import DayKind, VersionStatus
from .models import CalendarDay, CatalogueVersion, Category, RuleParameter, ServiceItem
from .validation import clean_item_data

SEED_DIR = Path(__file__).resolve().parent / "seed"
REGION_CODE = "CN-51-01-07"

LEVEL1 = [
    ("A", "公共服务", "Public services"),
    ("B", "政府履职辅助性服务", "Auxiliary services for government duties"),
]
DOMAINS = [
    ("A01", "就业创业", "Employment and entrepreneurship"),
    ("A02", "社会保险", "Social insurance"),
    ("A03", "社会救助", "Social assistance"),
    ("A04", "养老服务与老龄", "Elderly care and ageing"),
    ("A05", "残疾人服务", "Services for people with disabilities"),
    (
        "A06",
        "卫生健康与人口家庭（原计划生育）",
        "Health, population and family (formerly family planning)",
    ),
    ("A07", "退役军人服务与双拥优抚", "Veterans' services and preferential care"),
    ("A08", "综合治理与平安建设", "Comprehensive governance and public safety"),
    ("A09", "城市管理与人居环境", "Urban management and living environment"),
    ("A10", "文化体育与社区教育", "Culture, sports and community education"),
    ("A11", "党建与群团服务", "Party building and mass organisations"),
    ("A12", "住房保障与便民代办", "Housing support and errand services"),
    ("A13", "安全生产、应急与消防", "Work safety, emergencies and fire"),
]
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def seed_categories() -> int:
    created = 0
    parents = {}
    for pos, (code, name, en) in enumerate(LEVEL1):
        obj, new = Category.objects.get_or_create(
            code=code,
            defaults={"name": name, "name_en": en, "level": 1, "position": pos},
        )
        parents[code] = obj
        created += int(new)
    for pos, (code, name, en) in enumerate(DOMAINS):
        _obj, new = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "name_en": en,
                "level": 2,
                "parent": parents["A"],
                "position": pos,
            },
        )
        created += int(new)
    return created


@transaction.atomic
def seed_rule_parameters(path: Path | None = None) -> int:
    data = json.loads(
        (path or SEED_DIR / "rule_parameters.json").read_text(encoding="utf-8")
    )
    jurisdictions = {
        o.code: o
        for o in Organisation.objects.filter(
            code__in={p["jurisdiction"] for p in data["parameters"]}
        )
    }
    existing = set(
        RuleParameter.objects.values_list("key", "jurisdiction__code", "valid_from")
    )
    created = 0
    for p in data["parameters"]:
        valid_from = dt.date.fromisoformat(p["valid_from"])
        if (p["key"], p["jurisdiction"], valid_from) in existing:
            continue
        # Through the service: a value that does not fit its type, or an overlapping
        # period, stops the seeding instead of entering the rules.
        services.rule_parameter_save(
            actor=None,
            parameter=RuleParameter(
                key=p["key"],
                jurisdiction=jurisdictions[p["jurisdiction"]],
                valid_from=valid_from,
                valid_to=dt.date.fromisoformat(p["valid_to"])
                if p.get("valid_to")
                else None,
                value_type=p["value_type"],
                value=p["value"],
                rule_ids=p.get("rule_ids", []),
                source=p.get("source", ""),
                verification=p.get("verification", "BK"),
                confidence=p.get("confidence", "M"),
                description_zh=p.get("description_zh", ""),
                description_en=p.get("description_en", ""),
            ),
        )
        created += 1
    return created


def seed_calendar() -> int:
    """Holidays and make-up working days from the chinese-calendar package."""
    from chinese_calendar import constants

    existing = set(CalendarDay.objects.values_list("date", flat=True))
    now = timezone.now()
    rows = [
        CalendarDay(
            date=d,
            kind=DayKind.HOLIDAY,
            name=HOLIDAY_NAMES.get(str(n), str(n)),
            updated_at=now,
        )
        for d, n in constants.holidays.items()
        if d not in existing
    ] + [
        CalendarDay(
            date=d,
            kind=DayKind.WORKDAY,
            name=HOLIDAY_NAMES.get(str(n), str(n)) + "调休",
            updated_at=now,
        )
        for d, n in constants.workdays.items()
        if d not in existing
    ]
    CalendarDay.objects.bulk_create(rows)
    return len(rows)


def _item_values(raw: dict[str, Any], domains: dict[str, Category]) -> dict[str, Any]:
    mapped = {
        **raw,
        "annual_volume": raw.get(
            "annual_volume_per_community", raw.get("annual_volume", 0)
        ),
    }
    check = clean_item_data(mapped, domains)
    if check.errors:
        raise ValueError(f"seed item {raw.get('code')} is invalid: {check.errors}")
    return check.values


@transaction.atomic
def seed_catalogue_2015(path: Path | None = None) -> CatalogueVersion:
    """The published 2015 catalogue of 139 items (created once, never overwritten)."""
    data = json.loads(
        (path or SEED_DIR / "catalogue_2015.json").read_text(encoding="utf-8")
    )
    region = Organisation.objects.get(code=REGION_CODE)
    existing = CatalogueVersion.objects.filter(region=region, year=data["year"]).first()
    if existing is not None:
        return existing
    version = CatalogueVersion.objects.create(
        region=region, year=data["year"], title=data["title"]
    )
    domains = {c.code: c for c in Category.objects.filter(level=2)}
    ServiceItem.objects.bulk_create(
        [
            ServiceItem(version=version, **_item_values(r, domains))
            for r in data["items"]
        ]
    )
    services.catalogue_version_publish(
        actor=None, version=version, comment="2015年版目录（初始数据）"
    )
    version.refresh_from_db()
    return version


@transaction.atomic
def seed_catalogue_2026(
    source: CatalogueVersion, path: Path | None = None
) -> CatalogueVersion:
    """The 2026 catalogue: drafted from 2015, changed as history brought, published."""
    data = json.loads(
        (path or SEED_DIR / "catalogue_2026_changes.json").read_text(encoding="utf-8")
    )
    existing = CatalogueVersion.objects.filter(
        region=source.region, year=data["year"]
    ).first()
    if existing is not None:
        return existing
    draft = services.catalogue_version_draft(
        actor=None, source=source, year=data["year"], title=data["title"]
    )
    for change in data["changes"]:
        note = change.get("note", "")
        if change["op"] == "change":
            item = draft.items.select_related("domain", "version").get(
                code=change["code"]
            )
            fields = dict(change["fields"])
            if "annual_volume_per_community" in fields:
                fields["annual_volume"] = fields.pop("annual_volume_per_community")
            services.service_item_update(
                actor=None, item=item, data={**fields, "change_note": note}
            )
        elif change["op"] == "remove":
            item = draft.items.select_related("version").get(code=change["code"])
            services.service_item_delete(actor=None, item=item)
        elif change["op"] == "add":
            raw = dict(change["item"])
            raw["annual_volume"] = raw.pop(
                "annual_volume_per_community", raw.get("annual_volume", 0)
            )
            services.service_item_create(
                actor=None, version=draft, data={**raw, "change_note": note}
            )
        else:
            raise ValueError(f"unknown change op {change['op']!r}")
    services.catalogue_version_publish(
        actor=None, version=draft, comment="2026年版目录（初始数据）"
    )
    draft.refresh_from_db()
    return draft


def seed_reference_data() -> dict[str, Any]:
    """Everything `make run` needs besides demo accounts. Idempotent."""
    out: dict[str, Any] = {
        "categories": seed_categories(),
        "rule_parameters": seed_rule_parameters(),
        "calendar_days": seed_calendar(),
    }
    v2015 = seed_catalogue_2015()
    v2026 = seed_catalogue_2026(v2015)
    out["catalogues"] = {
        v.year: {"status": v.status, "items": v.items.count()} for v in (v2015, v2026)
    }
    assert v2015.status != VersionStatus.DRAFT
    return out
