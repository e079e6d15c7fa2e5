"""Idempotent loading of the organisation tree and the demo accounts.

Running it twice changes nothing: organisations are matched by code, users by
username (an existing user's password is never reset unless asked), memberships
by (user, organisation, role).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from .choices import OrganisationKind, Role
from .models import Membership, Organisation, User

SEED_DIR = Path(__file__).resolve().parent / "seed"

# The vendor organisation the `vendor` demo account belongs to (seed 000: 同行,
# founded 2012 by a university teacher, won the 2015 簇锦 re-tender).
TONGXING_CODE = "CN-51-01-07-V0001"
TONGXING_NAME = "成都市同行社会工作服务中心"

DEMO_USERS: list[dict[str, Any]] = [
    {
        "username": "admin",
        "display_name": "区级管理员（演示）",
        "org": "CN-51-01-07",
        "role": Role.DISTRICT_ADMIN,
        "is_staff": True,
    },
    {
        "username": "officer",
        "display_name": "簇锦街道 王科长（演示）",
        "org": "CN-51-01-07-07",
        "role": Role.STREET_OFFICER,
    },
    {
        "username": "dept",
        "display_name": "簇锦街道 社区发展科（演示）",
        "org": "CN-51-01-07-07-D02",
        "role": Role.DEPARTMENT_STAFF,
    },
    {
        "username": "community",
        "display_name": "铁佛社区 工作人员（演示）",
        "org": "CN-51-01-07-07-001",
        "role": Role.COMMUNITY_STAFF,
    },
    {
        "username": "assessor",
        "display_name": "驻区单位代表（演示）",
        "org": "CN-51-01-07-07-U01",
        "role": Role.ASSESSOR,
    },
    *[
        {
            "username": f"expert{i}",
            "display_name": f"评审专家{i}（演示）",
            "org": "CN-51-01-07-EXP",
            "role": Role.EXPERT,
        }
        for i in range(1, 6)
    ],
    {
        "username": "vendor",
        "display_name": "同行社工 项目主管（演示）",
        "org": TONGXING_CODE,
        "role": Role.VENDOR_STAFF,
    },
    {
        "username": "auditor",
        "display_name": "区审计监督（演示）",
        "org": "CN-51-01-07",
        "role": Role.AUDITOR,
    },
]


def _upsert(
    code: str, name: str, kind: str, parent: Organisation | None, short_name: str = ""
) -> tuple[Organisation, bool]:
    org = Organisation.objects.filter(code=code).first()
    if org is not None:
        return org, False
    org = Organisation(
        code=code, name=name, kind=kind, parent=parent, short_name=short_name
    )
    org.path = org.compute_path()
    org.save()
    return org, True


@transaction.atomic
def seed_organisations(path: Path | None = None) -> int:
    """Load the nation → district tree, 13 streets, communities, departments,
    resident units, the expert pool and agencies. Returns how many were created."""
    data = json.loads(
        (path or SEED_DIR / "wuhou_orgs.json").read_text(encoding="utf-8")
    )
    created = 0

    def up(*args: Any, **kwargs: Any) -> Organisation:
        nonlocal created
        org, new = _upsert(*args, **kwargs)
        created += int(new)
        return org

    nation = up(
        data["nation"]["code"], data["nation"]["name"], OrganisationKind.NATION, None
    )
    province = up(
        data["province"]["code"],
        data["province"]["name"],
        OrganisationKind.PROVINCE,
        nation,
    )
    city = up(
        data["city"]["code"], data["city"]["name"], OrganisationKind.CITY, province
    )
    d = data["district"]
    district = up(
        d["code"], d["name"], OrganisationKind.DISTRICT, city, short_name="武侯区"
    )
    for dep in d.get("departments", []):
        up(dep["code"], dep["name"], OrganisationKind.DEPARTMENT, district)
    for s in data["streets"]:
        street = up(
            s["code"],
            s["name"],
            OrganisationKind.STREET,
            district,
            short_name=s.get("short_name", ""),
        )
        for c in s["communities"]:
            up(
                c["code"],
                c["name"],
                OrganisationKind.COMMUNITY,
                street,
                short_name=c.get("short_name", ""),
            )
        for dep in s.get("departments", []):
            up(dep["code"], dep["name"], OrganisationKind.DEPARTMENT, street)
        for u in s.get("resident_units", []):
            up(u["code"], u["name"], OrganisationKind.RESIDENT_UNIT, street)
    pool = data["expert_pool"]
    up(pool["code"], pool["name"], OrganisationKind.EXPERT_POOL, district)
    for a in data.get("agencies", []):
        up(a["code"], a["name"], OrganisationKind.AGENCY, district)
    up(
        TONGXING_CODE,
        TONGXING_NAME,
        OrganisationKind.VENDOR,
        district,
        short_name="同行社工",
    )
    return created


@transaction.atomic
def seed_demo_users(*, reset_passwords: bool = False) -> list[dict[str, str]]:
    """Create the demo accounts with the demo password; returns who they are."""
    from django.contrib.auth.models import Permission

    out = []
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec["username"],
            defaults={
                "display_name": spec["display_name"],
                "is_staff": spec.get("is_staff", False),
            },
        )
        if created or reset_passwords:
            user.set_password(settings.DEMO_PASSWORD)
            user.save()
        org = Organisation.objects.get(code=spec["org"])
        Membership.objects.get_or_create(user=user, organisation=org, role=spec["role"])
        if spec.get("is_staff"):
            # The district administrator edits rule parameters and the calendar in
            # Django's admin too; those models only, not superuser powers.
            perms = Permission.objects.filter(
                content_type__app_label="catalogue",
                content_type__model__in=["ruleparameter", "calendarday", "category"],
            )
            user.user_permissions.add(*perms)
        out.append(
            {
                "username": user.username,
                "role": str(Role(spec["role"]).label),
                "organisation": org.name,
            }
        )
    return out
