"""Idempotent loading of the Wuhou supplier register (95 organisations), through the
same services the pages use, so every record passes the same checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from accounts.models import Organisation

from . import services
from .models import Vendor

SEED_DIR = Path(__file__).resolve().parent / "seed"
DISTRICT_CODE = "CN-51-01-07"


def _posts(posts: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for p in posts:
        org = p.get("organisation", "")
        out.append({**p, "organisation_name": names.get(org, org)})
    return out


@transaction.atomic
def seed_vendors(path: Path | None = None) -> int:
    """Register the demo suppliers with their evidence, credit checks, annual reports
    and related persons. Vendors already in the register are left alone."""
    data = json.loads(
        (path or SEED_DIR / "wuhou_vendors.json").read_text(encoding="utf-8")
    )
    district = Organisation.objects.get(code=DISTRICT_CODE)
    names = dict(Organisation.objects.values_list("code", "name"))
    existing = set(Vendor.objects.values_list("organisation__code", flat=True))
    created = 0
    for v in data["vendors"]:
        if v["code"] in existing:
            continue
        register = {
            **{
                k: v.get(k)
                for k in (
                    "name",
                    "short_name",
                    "org_type",
                    "uscc",
                    "registration_authority",
                    "registration_date",
                    "legal_representative",
                    "address",
                    "fulltime_staff",
                    "parttime_staff",
                    "volunteers",
                    "note",
                )
            },
            "streets": v.get("streets", []),
            "communities": v.get("communities", []),
            "grade": (v.get("rating") or {}).get("grade", ""),
            "graded_on": (v.get("rating") or {}).get("rated_on"),
        }
        org = Organisation.objects.filter(code=v["code"]).first()
        vendor = services.vendor_create(
            actor=None,
            district=district,
            data=register,
            code=v["code"],
            organisation=org,
        )
        for d in v.get("documents", []):
            services.document_add(actor=None, vendor=vendor, data=d)
        for c in v.get("credit_checks", []):
            services.credit_check_record(
                actor=None, vendor=vendor, data={**c, "list_kind": c["list"]}
            )
        for r in v.get("annual_reports", []):
            services.annual_report_record(
                actor=None, vendor=vendor, year=r["year"], result=r["result"]
            )
        for p in v.get("related_persons", []):
            services.related_person_add(
                actor=None,
                vendor=vendor,
                data={**p, "former_posts": _posts(p.get("former_posts", []), names)},
            )
        created += 1
    return created
