"""Idempotent loading of the Wuhou supplier register (95 organisations), through the
same services the pages use, so every record passes the same checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

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


# The 2014–2015 intakes of the Wuhou centre: (code, opens, closes, start of incubation).
INTAKES = {
    "2014-1": ("2014-01-06", "2014-02-28", "2014-03-03"),
    "2014-2": ("2014-05-05", "2014-06-30", "2014-07-01"),
    "2015-1": ("2015-01-05", "2015-02-27", "2015-03-02"),
    "2015-2": ("2015-05-04", "2015-06-30", "2015-07-01"),
}
CENTRE_NAME = "武侯区社会组织孵化中心"
OPERATOR_CODE = "CN-51-01-07-V0087"
# The admission panel (INC-06) and the scores around which its sheets vary.
PANEL = ["何志明（区民政局）", "梁晓红（高校社工系）", "邓晓燕（孵化中心）"]
PANEL_SCORES = {"public_benefit": 86, "local_need": 88, "team": 80, "plan": 78}
# Founding-team members for the demo applications whose register lists fewer people.
EXTRA_MEMBERS = [
    "刘洁",
    "陈静",
    "杨帆",
    "黄丽",
    "周敏",
    "吴涛",
    "徐红",
    "孙蓉",
    "马琳",
    "朱倩",
]


def _former_post(person: dict[str, Any], org_names: dict[str, str]) -> str:
    """“铁佛社区社会综合协管员”: where a founder worked before, and as what."""
    post = (person.get("former_posts") or [{}])[0]
    return org_names.get(post.get("organisation", ""), "") + post.get("title", "")


@transaction.atomic
def seed_incubation(path: Path | None = None) -> int:
    """The Wuhou incubation centre, its 2014–2015 intakes and each incubated
    organisation's application, driven through the pipeline's services to the step
    the data gives (one forced exit among them). Idempotent."""
    import datetime as dt

    from . import incubation
    from .models import IncubationApplication, IncubationCentre, IntakeRound

    data = json.loads(
        (path or SEED_DIR / "wuhou_vendors.json").read_text(encoding="utf-8")
    )
    district = Organisation.objects.get(code=DISTRICT_CODE)
    centre, _new = IncubationCentre.objects.get_or_create(
        region=district,
        name=CENTRE_NAME,
        defaults={
            "operator": Vendor.objects.filter(organisation__code=OPERATOR_CODE).first(),
            "seats": 40,
            "rooms": 6,
            "address": "成都市武侯区",
            "staff": [
                {"name": "邓晓燕", "role": "中心主任"},
                {"name": "罗建", "role": "项目督导"},
            ],
        },
    )
    rounds = {}
    for code, (opens, closes, _start) in INTAKES.items():
        rounds[code], _ = IntakeRound.objects.get_or_create(
            centre=centre,
            name=f"{code[:4]}年第{code[-1]}批",
            defaults={
                "opens_on": dt.date.fromisoformat(opens),
                "closes_on": dt.date.fromisoformat(closes),
            },
        )
    # A year-round intake of the current year, so that organisations can apply now.
    this_year = timezone.localdate().year
    IntakeRound.objects.get_or_create(
        centre=centre,
        name=f"{this_year}年常年招募",
        defaults={
            "opens_on": dt.date(this_year, 1, 1),
            "closes_on": dt.date(this_year, 12, 31),
            "description": "面向武侯区初创期社区社会组织和尚未登记的社区服务团队常年受理；"
            "须有负责人及至少2名核心成员和服务计划；由评审小组评估后入驻。",
        },
    )
    vendors = {
        v.organisation.code: v for v in Vendor.objects.select_related("organisation")
    }
    org_names = {
        code: short or name
        for code, short, name in Organisation.objects.values_list(
            "code", "short_name", "name"
        )
    }
    created = waiting_seen = 0
    seat = 0
    for v in data["vendors"]:
        inc = v.get("incubation")
        vendor = vendors.get(v["code"])
        if (
            not inc
            or vendor is None
            or IncubationApplication.objects.filter(vendor=vendor).exists()
        ):
            continue
        round_ = rounds[inc["intake"]]
        opens, _closes, start = (
            dt.date.fromisoformat(x) for x in INTAKES[inc["intake"]]
        )
        members = [
            {"name": p["name"], "former_post": _former_post(p, org_names)}
            for p in v["related_persons"]
        ]
        for extra in EXTRA_MEMBERS:
            if len(members) >= 3:
                break
            members.append({"name": extra, "former_post": "社区综合协管员"})
        app = incubation.incubation_apply(
            actor=None,
            round=round_,
            on=opens + dt.timedelta(days=7),
            data={
                "vendor": vendor,
                "purpose": "承接所在社区的公共服务事项，服务辖区居民。",
                "service_plan": "承接社区公共服务站的受理、登记、入户走访等事项，按目录标准提供服务并接受考核。",
                "core_members": members[:20],
            },
        )
        created += 1
        status = inc["status"]
        # The panel: three reviewers score each application; the first of the
        # waiting ones has only two sheets so far.
        waiting = status == "applied"
        if waiting:
            waiting_seen += 1
        panel = PANEL[: 2 if waiting else 3] if not waiting or waiting_seen == 1 else []
        for i, reviewer in enumerate(panel):
            incubation.incubation_review_record(
                actor=None,
                application=app,
                reviewer=reviewer,
                scores={
                    k: v - 3 * i + (len(vendor.name) % 5)
                    for k, v in PANEL_SCORES.items()
                },
                comment="团队稳定，熟悉社区情况" if i == 0 else "",
                on=opens + dt.timedelta(days=20),
            )
        if waiting:
            continue
        app = incubation.incubation_admit(
            actor=None,
            application=app,
            comment="符合入驻条件",
            on=opens + dt.timedelta(days=30),
        )
        if status == "assessed":
            continue
        seat += 1
        app = incubation.incubation_move_in(
            actor=None,
            application=app,
            agreement_no=f"WHFH-{inc['intake']}-{seat:03d}",
            seat=f"A-{seat:02d}",
            start_date=start,
        )
        if status == "moved_in":
            continue
        app = incubation.incubation_start(actor=None, application=app)
        if status == "exited":
            incubation.incubation_force_exit(
                actor=None,
                application=app,
                reason=inc.get("exit_reason") or "未按孵化计划开展服务",
            )
            continue
        if status == "incubating":
            continue
        app = incubation.incubation_graduate(
            actor=None,
            application=app,
            on=start.replace(year=start.year + 1),
            checklist={
                "governance": True,
                "own_finances": True,
                "fulltime_staff": max(v.get("fulltime_staff", 0), 2),
                "flagship_months": 8,
                "score": 86,
            },
        )
        if status == "tracking":
            incubation.incubation_track(actor=None, application=app)
    return created
