"""The permission matrix: every URL, HTML and API, for every persona that matters.

- anonymous → login redirect (HTML) or 401 (API);
- the wrong role → 403;
- another street's or district's object → 404 (it is not visible);
- the right role → success.
`test_every_url_is_in_the_matrix` fails when a URL is added without an entry here.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Membership
from catalogue.importing import export_csv
from core.models import Job, JobStatus

from .contracts.conftest import cworld, local_rules, make_contract  # noqa: F401
from .factories import item_payload
from .procurement.conftest import rules, world  # noqa: F401 (fixtures)

LOGIN = "login"  # HTML: redirect to the login page


@dataclass
class Case:
    name: str  # URL name, with namespace
    method: str
    url: Callable[[Any], str]
    expect: dict[str, Any]
    data: Callable[[Any], Any] | None = None
    api: bool = False
    fmt: str | None = None  # "json" or "multipart" for API writes
    label: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}{(' ' + self.label) if self.label else ''}"


@pytest.fixture
def ctx(personas, catalogue, orgs, vendors, incubation):
    job = Job.objects.create(
        kind="catalogue-pdf", created_by=personas.officer, status=JobStatus.DONE
    )
    job.file.save("t.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    community_membership = Membership.objects.get(user=personas.community)
    draft_item = catalogue.draft.items.get(code="A03-05")
    published_item = catalogue.published.items.get(code="A03-05")
    from accounts.models import Notification
    from vendors.models import VendorChangeRequest

    note = Notification.objects.create(
        user=personas.officer, verb="test", title="到期提醒"
    )
    change = VendorChangeRequest.objects.create(
        vendor=vendors.own,
        changes={"legal_representative": ["李晓岚", "王芳"]},
        requested_by=personas.vendor,
    )
    return SimpleNamespace(
        v=vendors,
        inc=incubation,
        note=note,
        change=change,
        p=personas,
        o=orgs,
        cat=catalogue,
        job=job,
        membership=community_membership,
        draft_item=draft_item,
        published_item=published_item,
    )


def _csv(ctx) -> bytes:
    return export_csv(
        list(ctx.cat.draft.items.select_related("domain").order_by("code"))
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("完税证明.pdf", PDF, content_type="application/pdf")


def _vendor_form(ctx, **kw):
    data = {
        "name": "新登记社会服务中心",
        "org_type": "social_service_agency",
        "uscc": "",
        "registration_date": "2015-03-01",
        "fulltime_staff": 3,
        "parttime_staff": 0,
        "volunteers": 0,
    }
    data["org_type"] = "community_filed"
    data.update(kw)
    return data


def _upload(ctx):
    f = io.BytesIO(_csv(ctx))
    f.name = "items.csv"
    return f


HTML: list[Case] = [
    Case(
        "core:home",
        "get",
        lambda c: reverse("core:home"),
        {"anonymous": LOGIN, "officer": 302, "vendor": 302},
    ),
    Case(
        "core:job-detail",
        "get",
        lambda c: reverse("core:job-detail", args=[c.job.pk]),
        {"anonymous": LOGIN, "officer": 200, "other_officer": 404},
    ),
    Case(
        "core:job-download",
        "get",
        lambda c: reverse("core:job-download", args=[c.job.pk]),
        {"anonymous": LOGIN, "officer": 200, "other_officer": 404},
    ),
    Case(
        "accounts:login", "get", lambda c: reverse("accounts:login"), {"anonymous": 200}
    ),
    Case(
        "accounts:logout",
        "post",
        lambda c: reverse("accounts:logout"),
        {"anonymous": 302, "officer": 302},
    ),
    Case(
        "accounts:password-change",
        "get",
        lambda c: reverse("accounts:password-change"),
        {"anonymous": LOGIN, "officer": 200},
    ),
    Case(
        "accounts:password-change-done",
        "get",
        lambda c: reverse("accounts:password-change-done"),
        {"anonymous": LOGIN, "officer": 200},
    ),
    Case(
        "accounts:organisation-list",
        "get",
        lambda c: reverse("accounts:organisation-list"),
        {
            "anonymous": LOGIN,
            "admin": 200,
            "officer": 200,
            "vendor": 403,
            "community": 403,
        },
    ),
    Case(
        "accounts:organisation-detail",
        "get",
        lambda c: reverse("accounts:organisation-detail", args=[c.o.c2.pk]),
        {
            "anonymous": LOGIN,
            "admin": 200,
            "other_officer": 200,
            "officer": 404,
            "outsider": 404,
        },
    ),
    Case(
        "accounts:organisation-edit",
        "post",
        lambda c: reverse("accounts:organisation-edit", args=[c.o.c1.pk]),
        {
            "anonymous": LOGIN,
            "admin": 302,
            "officer": 403,
            "other_officer": 404,
            "outsider": 404,
        },
        data=lambda c: {"name": "铁佛社区居委会", "is_active": "on"},
    ),
    Case(
        "accounts:organisation-create",
        "post",
        lambda c: reverse("accounts:organisation-create", args=[c.o.s1.pk]),
        {"anonymous": LOGIN, "admin": 302, "officer": 403, "outsider": 404},
        data=lambda c: {"code": "D1-S1-C9", "name": "新社区", "kind": "community"},
    ),
    Case(
        "accounts:membership-grant",
        "post",
        lambda c: reverse("accounts:membership-grant", args=[c.o.c1.pk]),
        {"anonymous": LOGIN, "admin": 302, "officer": 403, "outsider": 404},
        data=lambda c: {"username": c.p.dept.username, "role": "community_staff"},
    ),
    Case(
        "accounts:user-create",
        "post",
        lambda c: reverse("accounts:user-create", args=[c.o.c1.pk]),
        {"anonymous": LOGIN, "admin": 302, "officer": 403, "outsider": 404},
        data=lambda c: {
            "username": "newbie",
            "display_name": "新人",
            "password": "Sichuan-Chengdu-2026",
            "role": "community_staff",
        },
    ),
    Case(
        "accounts:membership-revoke",
        "post",
        lambda c: reverse("accounts:membership-revoke", args=[c.membership.pk]),
        {
            "anonymous": LOGIN,
            "admin": 302,
            "officer": 403,
            "other_officer": 404,
            "outsider": 404,
        },
    ),
    Case(
        "catalogue:version-list",
        "get",
        lambda c: reverse("catalogue:version-list"),
        {"anonymous": LOGIN, "officer": 200, "vendor": 200, "outsider": 200},
    ),
    Case(
        "catalogue:version-detail",
        "get",
        lambda c: reverse("catalogue:version-detail", args=[c.cat.published.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "vendor": 200,
            "community": 200,
            "outsider": 404,
        },
        label="published",
    ),
    Case(
        "catalogue:version-detail",
        "get",
        lambda c: reverse("catalogue:version-detail", args=[c.cat.draft.pk]),
        {
            "officer": 200,
            "auditor": 200,
            "community": 404,
            "vendor": 404,
            "outsider": 404,
        },
        label="draft",
    ),
    Case(
        "catalogue:version-draft",
        "get",
        lambda c: reverse("catalogue:version-draft", args=[c.cat.published.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "community": 403,
            "auditor": 403,
            "outsider": 404,
        },
    ),
    Case(
        "catalogue:version-draft",
        "post",
        lambda c: reverse("catalogue:version-draft", args=[c.cat.published.pk]),
        {"anonymous": LOGIN, "officer": 302, "community": 403, "outsider": 404},
        data=lambda c: {"year": 2027, "title": ""},
    ),
    Case(
        "catalogue:version-diff",
        "get",
        lambda c: reverse("catalogue:version-diff", args=[c.cat.draft.pk]),
        {"anonymous": LOGIN, "officer": 200, "community": 404, "outsider": 404},
    ),
    Case(
        "catalogue:version-import",
        "get",
        lambda c: reverse("catalogue:version-import", args=[c.cat.draft.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "auditor": 403,
            "community": 404,
            "outsider": 404,
        },
    ),
    Case(
        "catalogue:version-import",
        "post",
        lambda c: reverse("catalogue:version-import", args=[c.cat.draft.pk]),
        {"anonymous": LOGIN, "officer": 302, "auditor": 403, "outsider": 404},
        data=lambda c: {"file": _upload(c), "mode": "merge"},
    ),
    Case(
        "catalogue:version-export",
        "get",
        lambda c: reverse(
            "catalogue:version-export", args=[c.cat.published.pk, "xlsx"]
        ),
        {"anonymous": LOGIN, "vendor": 200, "officer": 200, "outsider": 404},
    ),
    Case(
        "catalogue:version-pdf",
        "post",
        lambda c: reverse("catalogue:version-pdf", args=[c.cat.published.pk]),
        {"anonymous": LOGIN, "officer": 302, "vendor": 302, "outsider": 404},
    ),
    Case(
        "catalogue:item-create",
        "get",
        lambda c: reverse("catalogue:item-create", args=[c.cat.draft.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "auditor": 403,
            "community": 404,
            "outsider": 404,
        },
    ),
    Case(
        "catalogue:version-transition",
        "post",
        lambda c: reverse(
            "catalogue:version-transition", args=[c.cat.draft.pk, "publish"]
        ),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "admin": 302,
            "auditor": 403,
            "outsider": 404,
        },
        label="publish",
    ),
    Case(
        "catalogue:version-transition",
        "post",
        lambda c: reverse(
            "catalogue:version-transition", args=[c.cat.published.pk, "archive"]
        ),
        {"admin": 302, "officer": 403, "outsider": 404},
        label="archive",
    ),
    Case(
        "catalogue:item-detail",
        "get",
        lambda c: reverse("catalogue:item-detail", args=[c.published_item.pk]),
        {"anonymous": LOGIN, "vendor": 200, "officer": 200, "outsider": 404},
    ),
    Case(
        "catalogue:item-edit",
        "get",
        lambda c: reverse("catalogue:item-edit", args=[c.draft_item.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "auditor": 403,
            "community": 404,
            "outsider": 404,
        },
    ),
    Case(
        "catalogue:item-delete",
        "post",
        lambda c: reverse("catalogue:item-delete", args=[c.draft_item.pk]),
        {"anonymous": LOGIN, "officer": 302, "auditor": 403, "outsider": 404},
    ),
    Case(
        "catalogue:rule-list",
        "get",
        lambda c: reverse("catalogue:rule-list"),
        {"anonymous": LOGIN, "vendor": 200, "officer": 200},
    ),
    Case(
        "catalogue:calendar-current",
        "get",
        lambda c: reverse("catalogue:calendar-current"),
        {"anonymous": LOGIN, "officer": 200},
    ),
    Case(
        "catalogue:calendar",
        "get",
        lambda c: reverse("catalogue:calendar", args=[2025]),
        {"anonymous": LOGIN, "officer": 200, "vendor": 200},
    ),
    Case(
        "catalogue:calendar",
        "post",
        lambda c: reverse("catalogue:calendar", args=[2025]),
        {"anonymous": LOGIN, "admin": 302, "officer": 403, "vendor": 403},
        data=lambda c: {"date": "2025-10-09", "kind": "holiday", "name": "测试"},
    ),
    Case(
        "set_language",
        "post",
        lambda c: reverse("set_language"),
        {"anonymous": 302, "officer": 302},
        data=lambda c: {"language": "en", "next": "/"},
    ),
    Case("api-schema", "get", lambda c: reverse("api-schema"), {"anonymous": 200}),
    Case("api-docs", "get", lambda c: reverse("api-docs"), {"anonymous": 200}),
    Case(
        "vendors:vendor-list",
        "get",
        lambda c: reverse("vendors:vendor-list"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "community": 200,
            "vendor": 302,
            "expert": 403,
        },
    ),
    Case(
        "vendors:vendor-create",
        "get",
        lambda c: reverse("vendors:vendor-create"),
        {"anonymous": LOGIN, "officer": 200, "community": 403, "vendor": 403},
    ),
    Case(
        "vendors:vendor-create",
        "post",
        lambda c: reverse("vendors:vendor-create"),
        {"anonymous": LOGIN, "officer": 302, "community": 403, "vendor": 403},
        data=_vendor_form,
    ),
    Case(
        "vendors:portal",
        "get",
        lambda c: reverse("vendors:portal"),
        {"anonymous": LOGIN, "vendor": 302, "officer": 404},
    ),
    Case(
        "vendors:vendor-detail",
        "get",
        lambda c: reverse("vendors:vendor-detail", args=[c.v.own.pk]),
        {
            "anonymous": LOGIN,
            "vendor": 200,
            "officer": 200,
            "auditor": 200,
            "outsider": 404,
            "expert": 404,
        },
        label="own",
    ),
    Case(
        "vendors:vendor-detail",
        "get",
        lambda c: reverse("vendors:vendor-detail", args=[c.v.other.pk]),
        {"vendor": 404, "other_officer": 200},
        label="another vendor",
    ),
    Case(
        "vendors:vendor-edit",
        "get",
        lambda c: reverse("vendors:vendor-edit", args=[c.v.own.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "community": 403,
            "vendor": 403,
            "outsider": 404,
        },
    ),
    Case(
        "vendors:document-add",
        "post",
        lambda c: reverse("vendors:document-add", args=[c.v.own.pk]),
        {
            "anonymous": LOGIN,
            "vendor": 302,
            "officer": 302,
            "community": 403,
            "outsider": 404,
        },
        data=lambda c: {
            "kind": "tax_clearance",
            "title": "完税证明",
            "valid_until": "2030-12-31",
            "file": _pdf(),
        },
    ),
    Case(
        "vendors:credit-check-add",
        "post",
        lambda c: reverse("vendors:credit-check-add", args=[c.v.own.pk]),
        {"anonymous": LOGIN, "officer": 302, "vendor": 403, "outsider": 404},
        data=lambda c: {
            "list_kind": "dishonest_executed",
            "channel": "信用中国",
            "checked_at": "2026-11-20T10:00",
            "result": "clear",
        },
    ),
    Case(
        "vendors:related-person-add",
        "post",
        lambda c: reverse("vendors:related-person-add", args=[c.v.own.pk]),
        {
            "anonymous": LOGIN,
            "vendor": 302,
            "officer": 302,
            "community": 403,
            "outsider": 404,
        },
        data=lambda c: {
            "name": "王芳",
            "role": "director",
            "id_number": "11010519491231002X",
        },
    ),
    Case(
        "accounts:notification-list",
        "get",
        lambda c: reverse("accounts:notification-list"),
        {"anonymous": LOGIN, "officer": 200, "vendor": 200},
    ),
    Case(
        "accounts:notification-list",
        "post",
        lambda c: reverse("accounts:notification-list"),
        {"anonymous": LOGIN, "officer": 302},
    ),
    Case(
        "vendors:profile",
        "get",
        lambda c: reverse("vendors:profile", args=[c.v.own.pk]),
        {"anonymous": LOGIN, "vendor": 200, "officer": 403, "outsider": 404},
    ),
    Case(
        "vendors:profile",
        "post",
        lambda c: reverse("vendors:profile", args=[c.v.own.pk]),
        {"anonymous": LOGIN, "vendor": 302, "officer": 403, "outsider": 404},
        data=lambda c: {
            "name": c.v.own.name,
            "uscc": c.v.own.uscc,
            "legal_representative": "李晓岚",
            "registration_authority": "成都市武侯区民政局",
            "registration_date": "2014-06-01",
            "address": "武侯区新地址1号",
            "fulltime_staff": 6,
            "parttime_staff": 0,
            "volunteers": 3,
        },
    ),
    Case(
        "vendors:change-decide",
        "post",
        lambda c: reverse("vendors:change-decide", args=[c.change.pk, "approve"]),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "vendor": 403,
            "community": 403,
            "outsider": 404,
        },
    ),
    Case(
        "vendors:vendor-import",
        "get",
        lambda c: reverse("vendors:vendor-import"),
        {"anonymous": LOGIN, "officer": 200, "community": 403, "vendor": 403},
    ),
    Case(
        "vendors:vendor-import",
        "post",
        lambda c: reverse("vendors:vendor-import"),
        {"anonymous": LOGIN, "officer": 400, "community": 403, "vendor": 403},
        data=lambda c: {"file": _pdf()},
        label="not a spreadsheet",
    ),
    Case(
        "vendors:vendor-export",
        "get",
        lambda c: reverse("vendors:vendor-export"),
        {"anonymous": LOGIN, "officer": 200, "vendor": 403, "expert": 403},
    ),
    Case(
        "vendors:incubation-board",
        "get",
        lambda c: reverse("vendors:incubation-board"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "auditor": 200,
            "vendor": 403,
            "expert": 200,
            "assessor": 403,
        },
    ),
    Case(
        "vendors:incubation-apply",
        "get",
        lambda c: reverse("vendors:incubation-apply"),
        {"anonymous": LOGIN, "officer": 200, "auditor": 403, "vendor": 200},
    ),
    Case(
        "vendors:incubation-apply",
        "post",
        lambda c: reverse("vendors:incubation-apply"),
        # the vendor's organisation already has an application open
        {"anonymous": LOGIN, "officer": 302, "auditor": 403, "vendor": 400},
        data=lambda c: {
            "round": c.inc.round.pk,
            "team_name": "新团队",
            "purpose": "服务老人",
            "service_plan": "每周走访",
            "core_members": "张华，协管员\n李娜，协管员\n王强，协管员",
        },
    ),
    Case(
        "vendors:incubation-detail",
        "get",
        lambda c: reverse("vendors:incubation-detail", args=[c.inc.app.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "vendor": 200,
            "auditor": 200,
            "outsider": 404,
            "expert": 200,  # awaiting the panel
            "assessor": 404,
        },
    ),
    Case(
        "vendors:incubation-action",
        "post",
        lambda c: reverse("vendors:incubation-action", args=[c.inc.app.pk, "reject"]),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "vendor": 403,
            "auditor": 403,
            "expert": 403,
            "outsider": 404,
        },
        data=lambda c: {"reason": "服务计划不清楚"},
    ),
    Case(
        "vendors:incubation-action",
        "post",
        lambda c: reverse("vendors:incubation-action", args=[c.inc.app.pk, "review"]),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "expert": 302,
            "vendor": 403,
            "auditor": 403,
            "outsider": 404,
        },
        data=lambda c: {
            "reviewer": "何志明",
            "score_public_benefit": 80,
            "score_local_need": 80,
            "score_team": 80,
            "score_plan": 80,
        },
        label="review",
    ),
    Case(
        "vendors:incubation-centre-create",
        "get",
        lambda c: reverse("vendors:incubation-centre-create"),
        {"anonymous": LOGIN, "officer": 200, "auditor": 403, "vendor": 403},
    ),
    Case(
        "vendors:incubation-centre-create",
        "post",
        lambda c: reverse("vendors:incubation-centre-create"),
        {"anonymous": LOGIN, "officer": 302, "auditor": 403, "vendor": 403},
        data=lambda c: {
            "region": c.o.s1.pk,
            "name": "街道孵化园",
            "seats": 4,
            "rooms": 1,
        },
    ),
    Case(
        "vendors:incubation-centre",
        "get",
        lambda c: reverse("vendors:incubation-centre", args=[c.inc.centre.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "auditor": 200,
            "expert": 200,
            "vendor": 403,
            "outsider": 404,
        },
    ),
    Case(
        "vendors:incubation-centre",
        "post",
        lambda c: reverse("vendors:incubation-centre", args=[c.inc.centre.pk]),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "auditor": 403,
            "vendor": 403,
            "outsider": 404,
        },
        data=lambda c: {
            "name": "2027年第1批",
            "opens_on": "2027-01-04",
            "closes_on": "2027-02-26",
        },
        label="open a round",
    ),
    Case(
        "vendors:incubation-centre-edit",
        "get",
        lambda c: reverse("vendors:incubation-centre-edit", args=[c.inc.centre.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "auditor": 403,
            "vendor": 403,
            "outsider": 404,
        },
    ),
    Case(
        "vendors:incubation-centre-edit",
        "post",
        lambda c: reverse("vendors:incubation-centre-edit", args=[c.inc.centre.pk]),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "auditor": 403,
            "vendor": 403,
            "outsider": 404,
        },
        data=lambda c: {
            "region": c.o.d1.pk,
            "name": "测试孵化中心",
            "seats": 6,
            "rooms": 1,
        },
    ),
]

API: list[Case] = [
    Case(
        "api:auth-token",
        "post",
        lambda c: reverse("api:auth-token"),
        {"anonymous": 200},
        data=lambda c: {"username": "p_officer", "password": "correct-horse-battery-9"},
        api=True,
        fmt="json",
    ),
    Case(
        "api:me",
        "get",
        lambda c: reverse("api:me"),
        {"anonymous": 401, "officer": 200, "vendor": 200},
        api=True,
    ),
    Case(
        "api:job-list",
        "get",
        lambda c: reverse("api:job-list"),
        {"anonymous": 401, "officer": 200},
        api=True,
    ),
    Case(
        "api:job-detail",
        "get",
        lambda c: reverse("api:job-detail", args=[c.job.pk]),
        {"anonymous": 401, "officer": 200, "other_officer": 404},
        api=True,
    ),
    Case(
        "api:organisation-list",
        "get",
        lambda c: reverse("api:organisation-list"),
        {"anonymous": 401, "admin": 200, "officer": 200, "vendor": 403},
        api=True,
    ),
    Case(
        "api:organisation-detail",
        "get",
        lambda c: reverse("api:organisation-detail", args=[c.o.c2.pk]),
        {"anonymous": 401, "other_officer": 200, "officer": 404, "outsider": 404},
        api=True,
    ),
    Case(
        "api:membership-list",
        "get",
        lambda c: reverse("api:membership-list"),
        {"anonymous": 401, "admin": 200, "vendor": 403},
        api=True,
    ),
    Case(
        "api:membership-list",
        "post",
        lambda c: reverse("api:membership-list"),
        {"anonymous": 401, "admin": 201, "officer": 403, "outsider": 404},
        data=lambda c: {
            "username": c.p.dept.username,
            "organisation": c.o.c1.pk,
            "role": "community_staff",
        },
        api=True,
        fmt="json",
    ),
    Case(
        "api:membership-detail",
        "get",
        lambda c: reverse("api:membership-detail", args=[c.membership.pk]),
        {
            "anonymous": 401,
            "admin": 200,
            "officer": 200,
            "other_officer": 404,
            "outsider": 404,
        },
        api=True,
    ),
    Case(
        "api:membership-detail",
        "delete",
        lambda c: reverse("api:membership-detail", args=[c.membership.pk]),
        {
            "anonymous": 401,
            "admin": 204,
            "officer": 403,
            "other_officer": 404,
            "outsider": 404,
        },
        api=True,
    ),
    Case(
        "api:catalogue-category-list",
        "get",
        lambda c: reverse("api:catalogue-category-list"),
        {"anonymous": 401, "vendor": 200},
        api=True,
    ),
    Case(
        "api:catalogue-category-detail",
        "get",
        lambda c: reverse(
            "api:catalogue-category-detail", args=[c.published_item.domain_id]
        ),
        {"anonymous": 401, "vendor": 200},
        api=True,
    ),
    Case(
        "api:catalogue-version-list",
        "get",
        lambda c: reverse("api:catalogue-version-list"),
        {"anonymous": 401, "vendor": 200, "outsider": 200},
        api=True,
    ),
    Case(
        "api:catalogue-version-detail",
        "get",
        lambda c: reverse("api:catalogue-version-detail", args=[c.cat.draft.pk]),
        {"anonymous": 401, "officer": 200, "community": 404, "outsider": 404},
        api=True,
    ),
    Case(
        "api:catalogue-version-draft",
        "post",
        lambda c: reverse("api:catalogue-version-draft", args=[c.cat.published.pk]),
        {"anonymous": 401, "officer": 201, "auditor": 403, "outsider": 404},
        data=lambda c: {"year": 2027},
        api=True,
        fmt="json",
    ),
    Case(
        "api:catalogue-version-publish",
        "post",
        lambda c: reverse("api:catalogue-version-publish", args=[c.cat.draft.pk]),
        {"anonymous": 401, "officer": 200, "auditor": 403, "outsider": 404},
        data=lambda c: {},
        api=True,
        fmt="json",
    ),
    Case(
        "api:catalogue-version-archive",
        "post",
        lambda c: reverse("api:catalogue-version-archive", args=[c.cat.published.pk]),
        {"anonymous": 401, "admin": 200, "officer": 403, "outsider": 404},
        data=lambda c: {},
        api=True,
        fmt="json",
    ),
    Case(
        "api:catalogue-version-diff",
        "get",
        lambda c: reverse("api:catalogue-version-diff", args=[c.cat.draft.pk]),
        {"anonymous": 401, "officer": 200, "outsider": 404},
        api=True,
    ),
    Case(
        "api:catalogue-version-export",
        "get",
        lambda c: (
            reverse("api:catalogue-version-export", args=[c.cat.published.pk])
            + "?file_format=csv"
        ),
        {"anonymous": 401, "vendor": 200, "outsider": 404},
        api=True,
    ),
    Case(
        "api:catalogue-version-import-items",
        "post",
        lambda c: reverse("api:catalogue-version-import-items", args=[c.cat.draft.pk]),
        {"anonymous": 401, "officer": 200, "auditor": 403, "outsider": 404},
        data=lambda c: {"file": _upload(c), "mode": "merge"},
        api=True,
        fmt="multipart",
    ),
    Case(
        "api:catalogue-version-pdf",
        "post",
        lambda c: reverse("api:catalogue-version-pdf", args=[c.cat.published.pk]),
        {"anonymous": 401, "officer": 202, "outsider": 404},
        api=True,
        fmt="json",
    ),
    Case(
        "api:catalogue-item-list",
        "get",
        lambda c: reverse("api:catalogue-item-list"),
        {"anonymous": 401, "vendor": 200, "officer": 200},
        api=True,
    ),
    Case(
        "api:catalogue-item-list",
        "post",
        lambda c: reverse("api:catalogue-item-list"),
        {"anonymous": 401, "officer": 201, "auditor": 403, "outsider": 404},
        data=lambda c: {**item_payload(), "version": c.cat.draft.pk},
        api=True,
        fmt="json",
    ),
    Case(
        "api:catalogue-item-detail",
        "get",
        lambda c: reverse("api:catalogue-item-detail", args=[c.published_item.pk]),
        {"anonymous": 401, "vendor": 200, "outsider": 404},
        api=True,
    ),
    Case(
        "api:catalogue-item-detail",
        "patch",
        lambda c: reverse("api:catalogue-item-detail", args=[c.draft_item.pk]),
        {"anonymous": 401, "officer": 200, "auditor": 403, "outsider": 404},
        data=lambda c: {"reference_price": "95.50"},
        api=True,
        fmt="json",
    ),
    Case(
        "api:catalogue-item-detail",
        "put",
        lambda c: reverse("api:catalogue-item-detail", args=[c.draft_item.pk]),
        {"anonymous": 401, "officer": 200, "auditor": 403, "outsider": 404},
        data=lambda c: item_payload(code="A03-05"),
        api=True,
        fmt="json",
    ),
    Case(
        "api:catalogue-item-detail",
        "delete",
        lambda c: reverse("api:catalogue-item-detail", args=[c.draft_item.pk]),
        {"anonymous": 401, "officer": 204, "auditor": 403, "outsider": 404},
        api=True,
    ),
    Case(
        "api:rule-parameter-list",
        "get",
        lambda c: reverse("api:rule-parameter-list"),
        {"anonymous": 401, "vendor": 200},
        api=True,
    ),
    Case(
        "api:rule-parameter-detail",
        "get",
        lambda c: reverse("api:rule-parameter-detail", args=[c.rule.pk]),
        {"anonymous": 401, "vendor": 200},
        api=True,
        label="",
        extra={"rule": True},
    ),
    Case(
        "api:rule-parameter-resolve",
        "get",
        lambda c: (
            reverse("api:rule-parameter-resolve")
            + "?key=deadline.award.challenge_window&jurisdiction=D1&on=2025-06-01"
        ),
        {"anonymous": 401, "vendor": 200},
        api=True,
        extra={"rule": True},
    ),
    Case(
        "api:working-days-list",
        "get",
        lambda c: reverse("api:working-days-list") + "?start=2025-09-30&days=5",
        {"anonymous": 401, "officer": 200},
        api=True,
    ),
    Case(
        "api:vendor-list",
        "get",
        lambda c: reverse("api:vendor-list"),
        {"anonymous": 401, "officer": 200, "vendor": 200, "expert": 403},
        api=True,
    ),
    Case(
        "api:vendor-list",
        "post",
        lambda c: reverse("api:vendor-list"),
        {"anonymous": 401, "officer": 201, "community": 403, "vendor": 403},
        data=_vendor_form,
        api=True,
        fmt="json",
    ),
    Case(
        "api:vendor-detail",
        "get",
        lambda c: reverse("api:vendor-detail", args=[c.v.own.pk]),
        {
            "anonymous": 401,
            "vendor": 200,
            "officer": 200,
            "outsider": 404,
            "expert": 404,
        },
        api=True,
    ),
    Case(
        "api:vendor-detail",
        "get",
        lambda c: reverse("api:vendor-detail", args=[c.v.other.pk]),
        {"vendor": 404, "other_officer": 200},
        api=True,
        label="another vendor",
    ),
    Case(
        "api:vendor-detail",
        "patch",
        lambda c: reverse("api:vendor-detail", args=[c.v.own.pk]),
        {
            "anonymous": 401,
            "officer": 200,
            "community": 403,
            "vendor": 403,
            "outsider": 404,
        },
        data=lambda c: {"fulltime_staff": 9},
        api=True,
        fmt="json",
    ),
    Case(
        "api:vendor-eligibility",
        "get",
        lambda c: reverse("api:vendor-eligibility", args=[c.v.own.pk]),
        {"anonymous": 401, "vendor": 200, "officer": 200, "outsider": 404},
        api=True,
    ),
    Case(
        "api:vendor-documents",
        "post",
        lambda c: reverse("api:vendor-documents", args=[c.v.own.pk]),
        {"anonymous": 401, "vendor": 201, "community": 403, "outsider": 404},
        data=lambda c: {"kind": "tax_clearance", "file": _pdf()},
        api=True,
        fmt="multipart",
    ),
    Case(
        "api:vendor-credit-checks",
        "post",
        lambda c: reverse("api:vendor-credit-checks", args=[c.v.own.pk]),
        {"anonymous": 401, "officer": 201, "vendor": 403, "outsider": 404},
        data=lambda c: {
            "list_kind": "tax_violation",
            "channel": "信用中国",
            "checked_at": "2026-11-20T10:00:00+08:00",
            "result": "clear",
        },
        api=True,
        fmt="json",
    ),
    Case(
        "api:vendor-annual-reports",
        "post",
        lambda c: reverse("api:vendor-annual-reports", args=[c.v.own.pk]),
        {"anonymous": 401, "officer": 201, "vendor": 403, "outsider": 404},
        data=lambda c: {"year": 2025, "result": "qualified"},
        api=True,
        fmt="json",
    ),
    Case(
        "api:vendor-related-persons",
        "post",
        lambda c: reverse("api:vendor-related-persons", args=[c.v.own.pk]),
        {"anonymous": 401, "vendor": 201, "community": 403, "outsider": 404},
        data=lambda c: {
            "name": "王芳",
            "role": "director",
            "id_number": "11010519491231002X",
        },
        api=True,
        fmt="json",
    ),
    Case(
        "api:notification-list",
        "get",
        lambda c: reverse("api:notification-list"),
        {"anonymous": 401, "officer": 200},
        api=True,
    ),
    Case(
        "api:notification-detail",
        "get",
        lambda c: reverse("api:notification-detail", args=[c.note.pk]),
        {"anonymous": 401, "officer": 200, "other_officer": 404},
        api=True,
    ),
    Case(
        "api:notification-read",
        "post",
        lambda c: reverse("api:notification-read"),
        {"anonymous": 401, "officer": 200},
        data=lambda c: {},
        api=True,
        fmt="json",
    ),
    Case(
        "api:vendor-profile",
        "post",
        lambda c: reverse("api:vendor-profile", args=[c.v.own.pk]),
        {"anonymous": 401, "vendor": 200, "officer": 403, "outsider": 404},
        data=lambda c: {"address": "武侯区新地址2号"},
        api=True,
        fmt="json",
    ),
    Case(
        "api:vendor-change-request-list",
        "get",
        lambda c: reverse("api:vendor-change-request-list"),
        {"anonymous": 401, "officer": 200, "vendor": 200},
        api=True,
    ),
    Case(
        "api:vendor-change-request-detail",
        "get",
        lambda c: reverse("api:vendor-change-request-detail", args=[c.change.pk]),
        {"anonymous": 401, "officer": 200, "vendor": 200, "outsider": 404},
        api=True,
    ),
    Case(
        "api:vendor-change-request-approve",
        "post",
        lambda c: reverse("api:vendor-change-request-approve", args=[c.change.pk]),
        {"anonymous": 401, "officer": 200, "vendor": 403, "outsider": 404},
        data=lambda c: {},
        api=True,
        fmt="json",
    ),
    Case(
        "api:vendor-change-request-reject",
        "post",
        lambda c: reverse("api:vendor-change-request-reject", args=[c.change.pk]),
        {"anonymous": 401, "officer": 200, "vendor": 403, "outsider": 404},
        data=lambda c: {"reason": "与登记证书不符"},
        api=True,
        fmt="json",
    ),
    Case(
        "api:vendor-import-vendors",
        "post",
        lambda c: reverse("api:vendor-import-vendors"),
        {"anonymous": 401, "officer": 400, "community": 403, "vendor": 403},
        data=lambda c: {"file": _pdf()},
        api=True,
        fmt="multipart",
        label="not a spreadsheet",
    ),
    Case(
        "api:incubation-centre-list",
        "get",
        lambda c: reverse("api:incubation-centre-list"),
        {"anonymous": 401, "officer": 200},
        api=True,
    ),
    Case(
        "api:incubation-centre-detail",
        "get",
        lambda c: reverse("api:incubation-centre-detail", args=[c.inc.centre.pk]),
        {"anonymous": 401, "officer": 200, "outsider": 404},
        api=True,
    ),
    Case(
        "api:incubation-centre-list",
        "post",
        lambda c: reverse("api:incubation-centre-list"),
        {"anonymous": 401, "officer": 201, "auditor": 403, "vendor": 403},
        data=lambda c: {"region": "D1-S1", "name": "街道孵化园", "seats": 4},
        api=True,
        fmt="json",
    ),
    Case(
        "api:incubation-centre-detail",
        "patch",
        lambda c: reverse("api:incubation-centre-detail", args=[c.inc.centre.pk]),
        {
            "anonymous": 401,
            "officer": 200,
            "auditor": 403,
            "vendor": 403,
            "outsider": 404,
        },
        data=lambda c: {"seats": 6},
        api=True,
        fmt="json",
    ),
    Case(
        "api:incubation-centre-rounds",
        "post",
        lambda c: reverse("api:incubation-centre-rounds", args=[c.inc.centre.pk]),
        {
            "anonymous": 401,
            "officer": 201,
            "auditor": 403,
            "vendor": 403,
            "outsider": 404,
        },
        data=lambda c: {
            "name": "2027年第1批",
            "opens_on": "2027-01-04",
            "closes_on": "2027-02-26",
        },
        api=True,
        fmt="json",
    ),
    Case(
        "api:incubation-application-list",
        "get",
        lambda c: reverse("api:incubation-application-list"),
        {"anonymous": 401, "officer": 200, "vendor": 200},
        api=True,
    ),
    Case(
        "api:incubation-application-list",
        "post",
        lambda c: reverse("api:incubation-application-list"),
        {"anonymous": 401, "officer": 201, "auditor": 403, "outsider": 404},
        data=lambda c: {
            "round": c.inc.round.pk,
            "team_name": "新团队",
            "purpose": "服务老人",
            "service_plan": "每周走访",
            "core_members": c.inc.members,
        },
        api=True,
        fmt="json",
    ),
    Case(
        "api:incubation-application-detail",
        "get",
        lambda c: reverse("api:incubation-application-detail", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 200, "vendor": 200, "outsider": 404},
        api=True,
    ),
    Case(
        "api:incubation-application-admit",
        "post",
        lambda c: reverse("api:incubation-application-admit", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 400, "vendor": 403, "outsider": 404},
        data=lambda c: {"comment": "同意"},
        api=True,
        fmt="json",
        label="no panel yet",
    ),
    Case(
        "api:incubation-application-review",
        "post",
        lambda c: reverse("api:incubation-application-review", args=[c.inc.app.pk]),
        {
            "anonymous": 401,
            "officer": 201,
            "expert": 201,
            "auditor": 403,
            "vendor": 403,
            "outsider": 404,
        },
        data=lambda c: {
            "reviewer": "何志明",
            "scores": {"public_benefit": 80, "local_need": 80, "team": 80, "plan": 80},
        },
        api=True,
        fmt="json",
    ),
    Case(
        "api:incubation-application-reject",
        "post",
        lambda c: reverse("api:incubation-application-reject", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 200, "vendor": 403, "outsider": 404},
        data=lambda c: {"reason": "不符合"},
        api=True,
        fmt="json",
    ),
    Case(
        "api:incubation-application-move-in",
        "post",
        lambda c: reverse("api:incubation-application-move-in", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 409, "vendor": 403, "outsider": 404},
        data=lambda c: {
            "agreement_no": "X-1",
            "seat": "A-1",
            "start_date": "2026-12-01",
        },
        api=True,
        fmt="json",
        label="from applied",
    ),
    Case(
        "api:incubation-application-start",
        "post",
        lambda c: reverse("api:incubation-application-start", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 409, "outsider": 404},
        api=True,
        fmt="json",
        label="from applied",
    ),
    Case(
        "api:incubation-application-extend",
        "post",
        lambda c: reverse("api:incubation-application-extend", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 409, "outsider": 404},
        data=lambda c: {},
        api=True,
        fmt="json",
        label="from applied",
    ),
    Case(
        "api:incubation-application-graduate",
        "post",
        lambda c: reverse("api:incubation-application-graduate", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 400, "outsider": 404},
        data=lambda c: {
            "governance": True,
            "own_finances": True,
            "fulltime_staff": 1,
            "flagship_months": 8,
            "score": 90,
        },
        api=True,
        fmt="json",
        label="too few staff",
    ),
    Case(
        "api:incubation-application-track",
        "post",
        lambda c: reverse("api:incubation-application-track", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 409, "outsider": 404},
        api=True,
        fmt="json",
        label="from applied",
    ),
    Case(
        "api:incubation-application-close",
        "post",
        lambda c: reverse("api:incubation-application-close", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 409, "outsider": 404},
        api=True,
        fmt="json",
        label="from applied",
    ),
    Case(
        "api:incubation-application-force-exit",
        "post",
        lambda c: reverse("api:incubation-application-force-exit", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 200, "vendor": 403, "outsider": 404},
        data=lambda c: {"reason": "连续半年未开展活动"},
        api=True,
        fmt="json",
    ),
    Case(
        "api:incubation-application-logs",
        "post",
        lambda c: reverse("api:incubation-application-logs", args=[c.inc.app.pk]),
        {"anonymous": 401, "officer": 400, "vendor": 403, "outsider": 404},
        data=lambda c: {"kind": "mentoring", "date": "2026-11-20", "note": "辅导"},
        api=True,
        fmt="json",
        label="not yet moved in",
    ),
]


# --- procurement API ------------------------------------------------------------------


@pytest.fixture
def proc_api(ctx, request):
    """An announced project of S1 (deadline ahead) with a sealed bid of the `vendor`
    persona's organisation, a finished document, the `expert` persona on the committee
    (a second expert in the pool to replace them) and an open challenge."""
    import datetime as dt

    from django.utils import timezone

    from accounts.choices import Role
    from procurement import services as proc_services
    from procurement.models import Challenge, CommitteeMember, ProcurementProject

    from .factories import user_with_role
    from .procurement.conftest import Flow

    flow = Flow(request.getfixturevalue("world"), ctx.p)
    project = flow.create()
    flow.announce()
    ProcurementProject.objects.filter(pk=project.pk).update(
        bid_deadline=timezone.now() + dt.timedelta(days=10)
    )
    project.refresh_from_db()
    lot = project.lots.get()
    bid = proc_services.bid_submit(
        actor=ctx.p.vendor,
        project=project,
        vendor=ctx.v.own,
        data={
            "prices": {str(lot.pk): "700000.00"},
            "technical_response": "方案",
            "declare_no_conflict": True,
            "declare_credit": True,
        },
    )
    member = CommitteeMember.objects.create(
        project=project, user=ctx.p.expert, role="expert", drawn=True, is_chair=True
    )
    user_with_role(Role.EXPERT, ctx.o.pool, username="p_expert_spare")
    challenge = Challenge.objects.create(
        project=project, vendor=ctx.v.own, filed_at=timezone.now(), grounds="质疑"
    )
    return SimpleNamespace(
        project=project,
        lot=lot,
        bid=bid,
        member=member,
        challenge=challenge,
        document=project.documents.get(),
        notice=project.notices.order_by("pk").first(),
    )


def _pc(name, method, url, expect, data=None, label=""):
    """A procurement API case (JSON, built on the `proc_api` fixture)."""
    return Case(
        f"api:procurement-{name}",
        method,
        url,
        expect,
        data=data,
        api=True,
        fmt="json",
        label=label,
        extra={"proc": True},
    )


def _pu(name, *attrs):
    def build(c):
        args = [c.proc.project.pk]
        for a in attrs:
            args.append(getattr(c.proc, a).pk)
        return reverse(f"api:procurement-{name}", args=args)

    return build


def _bixuan(c):
    """An announced 比选 of S1 (deadline ahead) that invited V2 (邀请比选, PM-11),
    made once per test."""
    import datetime as dt

    from django.utils import timezone

    from procurement.models import Invitation, Lot, ProcurementProject

    if getattr(c, "bixuan", None) is None:
        c.bixuan = ProcurementProject.objects.create(
            code="D1-S1-2026-BX1",
            title="邀请比选项目",
            buyer=c.o.s1,
            district=c.o.d1,
            catalogue_version=c.cat.published,
            fiscal_year=2026,
            method="bixuan",
            status="announced",
            bid_deadline=timezone.now() + dt.timedelta(days=10),
        )
        Lot.objects.create(
            project=c.bixuan,
            number=1,
            name="包一",
            budget=90000,
            budget_source="fiscal",
        )
        Invitation.objects.create(project=c.bixuan, vendor=c.v.other)
    return c.bixuan


def _bx(name, method, expect, data, url=None, api=True):
    """An invitation case on the `_bixuan` project."""
    return Case(
        name,
        method,
        url or (lambda c: reverse(name, args=[_bixuan(c).pk])),
        expect,
        data=data,
        api=api,
        fmt="json" if api else None,
        label="bixuan",
    )


PROCUREMENT_API: list[Case] = [
    _pc(
        "list",
        "get",
        lambda c: reverse("api:procurement-list"),
        {
            "anonymous": 401,
            "officer": 200,
            "vendor": 200,
            "expert": 200,
            "community": 403,
        },
    ),
    _pc(
        "list",
        "post",
        lambda c: reverse("api:procurement-list"),
        {"anonymous": 401, "officer": 400, "vendor": 403, "community": 403},
        data=lambda c: {"title": ""},
        label="bad input",
    ),
    _pc(
        "detail",
        "get",
        _pu("detail"),
        {
            "anonymous": 401,
            "officer": 200,
            "auditor": 200,
            "vendor": 200,
            "expert": 200,
            "other_officer": 404,
            "outsider": 404,
            "community": 404,
        },
    ),
    _pc(
        "detail",
        "patch",
        _pu("detail"),
        {
            "anonymous": 401,
            "officer": 409,
            "vendor": 403,
            "other_officer": 404,
        },
        data=lambda c: {"title": "新名称"},
        label="announced",
    ),
    _pc(
        "publish-intention",
        "post",
        _pu("publish-intention"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
    ),
    _pc(
        "generate-document",
        "post",
        _pu("generate-document"),
        {"anonymous": 401, "officer": 201, "vendor": 403, "other_officer": 404},
        data=lambda c: {"note": "更正后"},
    ),
    Case(
        "api:procurement-document-download",
        "get",
        _pu("document-download", "document"),
        {
            "anonymous": 401,
            "officer": 200,
            "vendor": 200,
            "other_officer": 404,
            "outsider": 404,
        },
        api=True,
        extra={"proc": True},
    ),
    _pc(
        "announce",
        "post",
        _pu("announce"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
        data=lambda c: {"bid_deadline": "2030-01-01T09:30:00+08:00"},
    ),
    _pc(
        "correct",
        "post",
        _pu("correct"),
        {"anonymous": 401, "officer": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {"body": "更正联系人", "affects_bids": False},
    ),
    _pc(
        "draw-committee",
        "post",
        _pu("draw-committee"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
        data=lambda c: {"experts": 3, "buyer_representatives": []},
        label="already drawn",
    ),
    _pc(
        "member-declare",
        "post",
        _pu("member-declare", "member"),
        {
            "anonymous": 401,
            "expert": 200,
            "officer": 403,
            "vendor": 403,
            "other_officer": 404,
        },
        data=lambda c: {"conflict": False},
    ),
    _pc(
        "member-replace",
        "post",
        _pu("member-replace", "member"),
        {
            "anonymous": 401,
            "officer": 201,
            "expert": 403,
            "vendor": 403,
            "other_officer": 404,
        },
        data=lambda c: {},
    ),
    _pc(
        "open",
        "post",
        _pu("open"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
        label="before the deadline",
    ),
    _pc(
        "close-qualification",
        "post",
        _pu("close-qualification"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
    ),
    _pc(
        "bids",
        "get",
        _pu("bids"),
        {
            "anonymous": 401,
            "officer": 200,
            "vendor": 200,
            "expert": 200,
            "other_officer": 404,
            "outsider": 404,
        },
    ),
    _pc(
        "bids",
        "post",
        _pu("bids"),
        {"anonymous": 401, "vendor": 201, "officer": 403, "other_officer": 404},
        data=lambda c: {
            "prices": {str(c.proc.lot.pk): "650000.00"},
            "technical_response": "替换的方案",
            "declare_no_conflict": True,
            "declare_credit": True,
        },
    ),
    _pc(
        "bid-file",
        "get",
        lambda c: reverse(
            "api:procurement-bid-file", args=[c.proc.project.pk, c.proc.bid.pk, 999999]
        ),
        # sealed (and no such file): a 404 for everyone, the buyer included
        {"anonymous": 401, "officer": 404, "vendor": 404, "other_officer": 404},
    ),
    _pc(
        "bid-withdraw",
        "post",
        _pu("bid-withdraw", "bid"),
        {"anonymous": 401, "vendor": 200, "officer": 403, "other_officer": 404},
    ),
    _pc(
        "bid-qualify",
        "post",
        _pu("bid-qualify", "bid"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
        data=lambda c: {"conditions": {"1": {"met": True}}},
        label="sealed",
    ),
    _pc(
        "lot-sheet",
        "get",
        _pu("lot-sheet", "lot"),
        {
            "anonymous": 401,
            "expert": 200,
            "officer": 200,
            "vendor": 403,
            "other_officer": 404,
        },
    ),
    _pc(
        "lot-sheet",
        "put",
        _pu("lot-sheet", "lot"),
        {"anonymous": 401, "expert": 409, "officer": 403, "other_officer": 404},
        data=lambda c: {"scores": {}, "submit": False},
        label="not evaluating",
    ),
    _pc(
        "bid-lot-abnormal",
        "post",
        lambda c: reverse(
            "api:procurement-bid-lot-abnormal", args=[c.proc.project.pk, 1]
        ),
        {"anonymous": 401, "expert": 409, "officer": 403, "other_officer": 404},
        data=lambda c: {"explanation": "说明", "accepted": True},
        label="not evaluating",
    ),
    _pc(
        "return-sheets",
        "post",
        _pu("return-sheets"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
        data=lambda c: {"members": [c.proc.member.pk], "case": "totalling"},
    ),
    _pc(
        "sign-report",
        "post",
        _pu("sign-report"),
        {"anonymous": 401, "expert": 409, "officer": 403, "other_officer": 404},
        data=lambda c: {"agrees": True},
    ),
    _pc(
        "award",
        "post",
        _pu("award"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
    ),
    _pc(
        "finalise",
        "post",
        _pu("finalise"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
    ),
    _pc(
        "terminate",
        "post",
        _pu("terminate"),
        {"anonymous": 401, "officer": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {"reason": "需求取消"},
    ),
    _pc(
        "restart",
        "post",
        _pu("restart"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
    ),
    _pc(
        "challenges",
        "post",
        _pu("challenges"),
        {"anonymous": 401, "vendor": 409, "officer": 403, "other_officer": 404},
        data=lambda c: {"grounds": "评分不公"},
        label="not awarded",
    ),
    _pc(
        "challenge-answer",
        "post",
        _pu("challenge-answer", "challenge"),
        {
            "anonymous": 401,
            "officer": 409,
            "vendor": 403,
            "expert": 404,
            "other_officer": 404,
        },
        data=lambda c: {"reply": "答复", "upheld": False},
        label="not awarded",
    ),
    _pc(
        "invite",
        "post",
        _pu("invite"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
        data=lambda c: {"vendor": c.v.other.pk},
        label="not bixuan",
    ),
    _bx(
        "api:procurement-invite",
        "post",
        {
            "anonymous": 401,
            "officer": 201,
            "admin": 201,
            "auditor": 403,
            "vendor": 403,
            "other_officer": 404,
            "outsider": 404,
        },
        data=lambda c: {"vendor": c.v.own.pk},
    ),
    _bx(
        "api:procurement-uninvite",
        "post",
        {
            "anonymous": 401,
            "officer": 200,
            "auditor": 403,
            "vendor": 403,
            "other_officer": 404,
        },
        data=lambda c: {"vendor": c.v.other.pk},
    ),
    _pc(
        "notice-list",
        "get",
        lambda c: reverse("api:procurement-notice-list"),
        {"anonymous": 200, "vendor": 200},
    ),
    _pc(
        "notice-detail",
        "get",
        lambda c: reverse("api:procurement-notice-detail", args=[c.proc.notice.pk]),
        {"anonymous": 200, "vendor": 200},
    ),
]

# --- procurement HTML (pages, vendor portal, scoring screen, public notices) -------------


def _ph(name, method, url, expect, data=None, label=""):
    """A procurement HTML case, built on the `proc_api` fixture's announced project."""
    return Case(name, method, url, expect, data=data, label=label, extra={"proc": True})


def _pp(name, *attrs):
    def build(c):
        args = [c.proc.project.pk]
        for a in attrs:
            value = getattr(c.proc, a)
            args.append(getattr(value, "version", None) or value.pk)
        return reverse(name, args=args)

    return build


def _bid_form(c):
    return {
        f"price_{c.proc.lot.pk}": "690000",
        "technical_response": "修订后的服务方案",
        "declare_no_conflict": "on",
        "declare_credit": "on",
        "bond_form": "none",
    }


PROCUREMENT_HTML: list[Case] = [
    Case(
        "procurement:bid-file",
        "get",
        lambda c: reverse(
            "procurement:bid-file", args=[c.proc.project.pk, c.proc.bid.pk, 999999]
        ),
        # sealed (and no such file): nobody learns anything, the buyer included
        {
            "anonymous": LOGIN,
            "officer": 404,
            "vendor": 404,
            "other_officer": 404,
            "outsider": 404,
        },
        extra={"proc": True},
    ),
    _ph(
        "procurement:bids-export",
        "get",
        _pp("procurement:bids-export"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "auditor": 200,
            "dept": 200,
            "vendor": 403,
            "expert": 403,
            "other_officer": 404,
            "outsider": 404,
        },
    ),
    _ph(
        "procurement:evaluation-export",
        "get",
        _pp("procurement:evaluation-export"),
        {
            "anonymous": LOGIN,
            "officer": 409,  # nothing evaluated yet
            "vendor": 403,
            "expert": 403,
            "other_officer": 404,
            "outsider": 404,
        },
    ),
    Case(
        "procurement:project-list",
        "get",
        lambda c: reverse("procurement:project-list"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "auditor": 200,
            "vendor": 200,
            "expert": 200,
            "community": 403,
            "assessor": 403,
        },
    ),
    Case(
        "procurement:project-create",
        "get",
        lambda c: reverse("procurement:project-create"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "auditor": 403,
            "vendor": 403,
            "community": 403,
        },
    ),
    Case(
        "procurement:project-create",
        "post",
        lambda c: reverse("procurement:project-create"),
        {"anonymous": LOGIN, "officer": 400, "vendor": 403, "expert": 403},
        data=lambda c: {"title": "", "fiscal_year": "2026"},
        label="bad input",
    ),
    Case(
        "procurement:method-preview",
        "get",
        lambda c: reverse("procurement:method-preview") + "?lot_budget=800000",
        {"anonymous": LOGIN, "officer": 200, "vendor": 403, "auditor": 403},
    ),
    Case(
        "procurement:my-bids",
        "get",
        lambda c: reverse("procurement:my-bids"),
        {"anonymous": LOGIN, "vendor": 200, "officer": 403, "expert": 403},
    ),
    _ph(
        "procurement:project-detail",
        "get",
        _pp("procurement:project-detail"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "auditor": 200,
            "vendor": 200,
            "expert": 200,
            "other_officer": 404,
            "outsider": 404,
            "community": 404,
        },
    ),
    _ph(
        "procurement:project-edit",
        "get",
        _pp("procurement:project-edit"),
        {
            "anonymous": LOGIN,
            "officer": 409,
            "vendor": 403,
            "auditor": 403,
            "other_officer": 404,
        },
        label="announced",
    ),
    _ph(
        "procurement:project-action",
        "get",
        lambda c: reverse(
            "procurement:project-action", args=[c.proc.project.pk, "correct"]
        ),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "auditor": 403,
            "vendor": 403,
            "expert": 403,
            "other_officer": 404,
        },
        label="correct",
    ),
    _ph(
        "procurement:project-action",
        "post",
        lambda c: reverse(
            "procurement:project-action", args=[c.proc.project.pk, "correct"]
        ),
        {"anonymous": LOGIN, "officer": 302, "vendor": 403, "other_officer": 404},
        data=lambda c: {"body": "服务地点调整为簇锦街道社区服务中心。"},
        label="correct",
    ),
    _ph(
        "procurement:project-action",
        "post",
        lambda c: reverse(
            "procurement:project-action", args=[c.proc.project.pk, "award"]
        ),
        {"officer": 409, "vendor": 403},
        label="award while announced",
    ),
    _ph(
        "procurement:document-status",
        "get",
        _pp("procurement:document-status", "document"),
        {"anonymous": LOGIN, "officer": 200, "vendor": 200, "other_officer": 404},
    ),
    _ph(
        "procurement:document-download",
        "get",
        _pp("procurement:document-download", "document"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "vendor": 200,
            "other_officer": 404,
            "community": 404,
        },
    ),
    _ph(
        "procurement:bid-qualify",
        "get",
        _pp("procurement:bid-qualify", "bid"),
        {"anonymous": LOGIN, "officer": 409, "vendor": 403, "other_officer": 404},
        label="before the opening",
    ),
    _ph(
        "procurement:member-replace",
        "get",
        _pp("procurement:member-replace", "member"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "expert": 403,
            "vendor": 403,
            "other_officer": 404,
        },
    ),
    _ph(
        "procurement:challenge-answer",
        "get",
        _pp("procurement:challenge-answer", "challenge"),
        {"anonymous": LOGIN, "officer": 409, "vendor": 403, "other_officer": 404},
        label="before the award",
    ),
    _ph(
        "procurement:bid-submit",
        "post",
        _pp("procurement:bid-submit"),
        {"anonymous": LOGIN, "vendor": 302, "officer": 403, "other_officer": 404},
        data=_bid_form,
    ),
    _ph(
        "procurement:bid-withdraw",
        "post",
        _pp("procurement:bid-withdraw"),
        {"anonymous": LOGIN, "vendor": 302, "officer": 403, "other_officer": 404},
    ),
    _ph(
        "procurement:challenge-file",
        "post",
        _pp("procurement:challenge-file"),
        {"anonymous": LOGIN, "vendor": 409, "officer": 403, "other_officer": 404},
        data=lambda c: {"grounds": "评分不公"},
        label="before the award",
    ),
    _ph(
        "procurement:lot-score",
        "get",
        _pp("procurement:lot-score", "lot"),
        {
            "anonymous": LOGIN,
            "expert": 200,
            "officer": 403,
            "vendor": 403,
            "other_officer": 404,
        },
    ),
    _ph(
        "procurement:lot-score",
        "post",
        _pp("procurement:lot-score", "lot"),
        {"anonymous": LOGIN, "expert": 302, "officer": 403, "other_officer": 404},
        data=lambda c: {"op": "declare", "conflict": "no"},
        label="declare",
    ),
    _ph(
        "procurement:report-sign",
        "get",
        _pp("procurement:report-sign"),
        {
            "anonymous": LOGIN,
            "expert": 200,
            "officer": 403,
            "vendor": 403,
            "other_officer": 404,
        },
    ),
    _ph(
        "procurement:invitation-create",
        "post",
        _pp("procurement:invitation-create"),
        {"anonymous": LOGIN, "officer": 409, "vendor": 403, "other_officer": 404},
        data=lambda c: {"vendor": c.v.other.pk},
        label="not bixuan",
    ),
    _bx(
        "procurement:invitation-create",
        "post",
        {
            "anonymous": LOGIN,
            "officer": 302,
            "admin": 302,
            "auditor": 403,
            "vendor": 403,
            "other_officer": 404,
            "outsider": 404,
        },
        data=lambda c: {"vendor": c.v.own.pk},
        api=False,
    ),
    _bx(
        "procurement:invitation-delete",
        "post",
        {
            "anonymous": LOGIN,
            "officer": 302,
            "auditor": 403,
            "vendor": 403,
            "other_officer": 404,
        },
        data=None,
        url=lambda c: reverse(
            "procurement:invitation-delete",
            args=[_bixuan(c).pk, _bixuan(c).invitations.get().pk],
        ),
        api=False,
    ),
    Case(
        "notices:list",
        "get",
        lambda c: reverse("notices:list"),
        {"anonymous": 200, "officer": 200, "vendor": 200},
    ),
    _ph(
        "notices:detail",
        "get",
        lambda c: reverse("notices:detail", args=[c.proc.notice.pk]),
        {"anonymous": 200, "vendor": 200, "outsider": 200},
    ),
]


# --- contracts HTML --------------------------------------------------------------------


@pytest.fixture
def contract_html(ctx, request):
    """An active contract of S1 with the `vendor` persona's organisation, in C1 (the
    `community` persona's) and another community, with a delivery and its photo, an
    accepted change (two versions) and a proposed one, a pending extension, an extra
    work record, a draft and a passed acceptance; and a second final award without a
    contract."""
    import datetime as dt
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone
    from PIL import Image

    from contracts import services as contract_services
    from contracts.services import delivery as delivery_services

    from .contracts.conftest import make_final_award

    world_ = request.getfixturevalue("cworld")
    contract = request.getfixturevalue("make_contract")()
    p = ctx.p
    today = timezone.localdate()
    buf = io.BytesIO()
    Image.new("RGB", (32, 32), (10, 120, 40)).save(buf, format="JPEG")
    ci = contract.items.filter(community=ctx.o.c1).order_by("pk").first()
    delivery = delivery_services.delivery_report(
        contract=contract,
        actor=p.vendor,
        contract_item=ci,
        period_start=today - dt.timedelta(days=5),
        period_end=today - dt.timedelta(days=1),
        count=3,
        files=[("photo", SimpleUploadedFile("p.jpg", buf.getvalue()))],
    )
    accepted = contract_services.contract_change_propose(
        contract=contract,
        actor=p.officer,
        kind="addition",
        reason_code="demand_growth",
        rationale="追加",
        value_delta="10000",
    )
    contract_services.contract_change_accept(change=accepted, actor=p.vendor)
    change = contract_services.contract_change_propose(
        contract=contract,
        actor=p.officer,
        kind="variation",
        reason_code="scope_adjust",
        rationale="调整",
        new_end_on=contract.end_on + dt.timedelta(days=20),
    )
    contract.refresh_from_db()
    extension = contract_services.extension_request_create(
        contract=contract,
        actor=p.vendor,
        reason="进度滞后",
        requested_end_on=contract.end_on + dt.timedelta(days=60),
    )
    extra = delivery_services.extra_work_record(
        contract=contract,
        actor=p.community,
        side="community",
        requested_by_name="铁佛社区",
        description="社区迎检",
        assigned_on=today,
        hours="4",
        community=ctx.o.c1.pk,
    )
    draft = contract_services.acceptance_create(
        contract=contract,
        actor=p.officer,
        period_label="中期",
        period_start=contract.start_on,
        period_end=today,
    )
    passed = contract_services.acceptance_create(
        contract=contract,
        actor=p.officer,
        period_label="季度",
        period_start=contract.start_on,
        period_end=today,
    )
    contract_services.acceptance_record(
        acceptance=passed,
        actor=p.officer,
        standards=[{"item": s["item"], "result": "met"} for s in passed.standards],
        opinions=[{"source": "resident", "name": "居民", "opinion": "满意"}],
        conclusion="合格",
        passed=True,
        accepted_on=today,
    )
    other_award = make_final_award(
        buyer=ctx.o.s1,
        vendor=world_.vendor,
        items=world_.items,
        communities=world_.communities,
        code="CG-2026-PERM",
    )
    return SimpleNamespace(
        contract=contract,
        tranche=contract.tranches.get(kind="advance"),
        delivery=delivery,
        evidence=delivery.evidence.get(),
        change=change,
        extension=extension,
        extra=extra,
        draft=draft,
        passed=passed,
        award=other_award,
    )


def _kh(name, method, url, expect, data=None, label=""):
    """A contracts HTML case, built on the `contract_html` fixture."""
    return Case(
        f"contracts:{name}",
        method,
        url,
        expect,
        data=data,
        label=label,
        extra={"contract": True},
    )


def _ku(name, *parts):
    """contracts:<name> with the contract's pk and then, per part, an attribute of
    the fixture (its pk) or a literal string."""

    def build(c):
        args = [c.k.contract.pk]
        for part in parts:
            value = getattr(c.k, part, None) if isinstance(part, str) else None
            args.append(value.pk if value is not None else part)
        return reverse(f"contracts:{name}", args=args)

    return build


CONTRACTS_HTML: list[Case] = [
    _kh(
        "contract-list",
        "get",
        lambda c: reverse("contracts:contract-list"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "vendor": 200,
            "community": 200,
            "auditor": 200,
            "expert": 403,
        },
    ),
    _kh(
        "contract-create",
        "get",
        lambda c: reverse("contracts:contract-create") + f"?award={c.k.award.pk}",
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "dept": 403,
            "other_officer": 404,
        },
    ),
    _kh(
        "contract-detail",
        "get",
        _ku("contract-detail"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "vendor": 200,
            "community": 200,
            "auditor": 200,
            "other_officer": 404,
            "outsider": 404,
            "expert": 404,
        },
    ),
    _kh(
        "contract-action",
        "get",
        _ku("contract-action", "terminate"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "vendor": 403,
            "auditor": 403,
            "other_officer": 404,
        },
    ),
    _kh(
        "contract-action",
        "post",
        _ku("contract-action", "publish"),
        {"vendor": 403, "other_officer": 404, "officer": 302},
        data=lambda c: {"published_on": c.k.contract.signed_on.isoformat()},
        label="publish",
    ),
    _kh(
        "contract-ledger",
        "get",
        _ku("contract-ledger"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "vendor": 200,
            "community": 403,
            "other_officer": 404,
        },
    ),
    _kh(
        "tranche-action",
        "get",
        _ku("tranche-action", "tranche", "request"),
        {
            "anonymous": LOGIN,
            "vendor": 200,
            "officer": 200,
            "community": 403,
            "other_officer": 404,
        },
    ),
    _kh(
        "change-create",
        "get",
        _ku("change-create"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "vendor": 200,
            "community": 403,
            "other_officer": 404,
        },
    ),
    _kh(
        "change-action",
        "get",
        _ku("change-action", "change", "accept"),
        {"anonymous": LOGIN, "vendor": 200, "officer": 403, "other_officer": 404},
    ),
    _kh(
        "version-diff",
        "get",
        lambda c: reverse(
            "contracts:version-diff",
            args=[c.k.contract.pk, c.k.contract.version - 1, c.k.contract.version],
        ),
        {"anonymous": LOGIN, "officer": 200, "vendor": 200, "other_officer": 404},
    ),
    _kh(
        "extension-create",
        "get",
        _ku("extension-create"),
        {"anonymous": LOGIN, "vendor": 200, "officer": 403, "other_officer": 404},
    ),
    _kh(
        "extension-action",
        "get",
        _ku("extension-action", "extension", "refuse"),
        {"anonymous": LOGIN, "officer": 200, "vendor": 403, "other_officer": 404},
    ),
    _kh(
        "acceptance-create",
        "get",
        _ku("acceptance-create"),
        {"anonymous": LOGIN, "officer": 200, "vendor": 403, "other_officer": 404},
    ),
    _kh(
        "acceptance-detail",
        "get",
        _ku("acceptance-detail", "passed"),
        {"anonymous": LOGIN, "officer": 200, "vendor": 200, "other_officer": 404},
    ),
    _kh(
        "acceptance-record",
        "get",
        _ku("acceptance-record", "draft"),
        {"anonymous": LOGIN, "officer": 200, "vendor": 403, "other_officer": 404},
    ),
    _kh(
        "acceptance-publish",
        "get",
        _ku("acceptance-publish", "passed"),
        {"anonymous": LOGIN, "officer": 200, "vendor": 403, "other_officer": 404},
    ),
    _kh(
        "delivery-list",
        "get",
        _ku("delivery-list"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "community": 200,
            "vendor": 200,
            "other_officer": 404,
        },
    ),
    _kh(
        "delivery-create",
        "get",
        _ku("delivery-create"),
        {
            "anonymous": LOGIN,
            "vendor": 200,
            "officer": 403,
            "community": 403,
            "other_officer": 404,
        },
    ),
    _kh(
        "delivery-detail",
        "get",
        _ku("delivery-detail", "delivery"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "community": 200,
            "vendor": 200,
            "other_officer": 404,
        },
    ),
    _kh(
        "delivery-action",
        "get",
        _ku("delivery-action", "delivery", "confirm"),
        {
            "anonymous": LOGIN,
            "community": 200,
            "vendor": 403,
            "officer": 403,
            "other_officer": 404,
        },
    ),
    _kh(
        "delivery-action",
        "post",
        _ku("delivery-action", "delivery", "confirm"),
        {"vendor": 403, "other_officer": 404, "community": 302},
        label="confirm",
    ),
    _kh(
        "evidence-download",
        "get",
        _ku("evidence-download", "evidence"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "vendor": 200,
            "community": 200,
            "other_officer": 404,
        },
    ),
    _kh(
        "residual-create",
        "get",
        _ku("residual-create"),
        {"anonymous": LOGIN, "community": 200, "vendor": 403, "other_officer": 404},
    ),
    _kh(
        "extra-work-create",
        "get",
        _ku("extra-work-create"),
        {
            "anonymous": LOGIN,
            "vendor": 200,
            "community": 200,
            "officer": 200,
            "auditor": 403,
            "other_officer": 404,
        },
    ),
    _kh(
        "extra-work-action",
        "get",
        _ku("extra-work-action", "extra", "dispute"),
        {"anonymous": LOGIN, "vendor": 200, "officer": 403, "other_officer": 404},
    ),
]

# --- contracts API and street API tokens ---------------------------------------------


def _ka(name, method, url, expect, data=None, label=""):
    """A contracts API case (JSON), built on the `contract_html` fixture."""
    return Case(
        f"api:{name}",
        method,
        url,
        expect,
        data=data,
        api=True,
        fmt="json",
        label=label,
        extra={"contract": True},
    )


def _kau(name, *parts):
    """api:<name> with the contract's pk, then per part `attr.field` of the fixture."""

    def build(c):
        args = [c.k.contract.pk]
        for part in parts:
            attr, _sep, field = part.partition(".")
            args.append(getattr(getattr(c.k, attr), field or "pk"))
        return reverse(f"api:{name}", args=args)

    return build


def _today():
    from django.utils import timezone

    return timezone.localdate().isoformat()


def _days_after(day, n):
    import datetime as dt

    return (day + dt.timedelta(days=n)).isoformat()


def _api_token(c):
    """One token of S1, created by the district admin (made on first use)."""
    from accounts import services as account_services
    from accounts.models import ApiToken

    token = ApiToken.objects.filter(street=c.o.s1).first()
    if token is None:
        token, _key = account_services.api_token_create(
            actor=c.p.admin, street=c.o.s1, name="区大数据中心"
        )
    return token


CONTRACTS_API: list[Case] = [
    _ka(
        "contract-list",
        "get",
        lambda c: reverse("api:contract-list"),
        {
            "anonymous": 401,
            "officer": 200,
            "admin": 200,
            "auditor": 200,
            "vendor": 200,
            "community": 200,
            "expert": 403,
        },
    ),
    _ka(
        "contract-list",
        "post",
        lambda c: reverse("api:contract-list"),
        {
            "anonymous": 401,
            "officer": 201,
            "vendor": 403,
            "auditor": 403,
            "other_officer": 404,
            "outsider": 404,
        },
        data=lambda c: {"award": c.k.award.pk},
        label="from award",
    ),
    _ka(
        "contract-detail",
        "get",
        _kau("contract-detail"),
        {
            "anonymous": 401,
            "officer": 200,
            "admin": 200,
            "vendor": 200,
            "community": 200,
            "auditor": 200,
            "other_officer": 404,
            "outsider": 404,
            "expert": 404,
        },
    ),
    _ka(
        "contract-changes",
        "get",
        lambda c: reverse("api:contract-changes") + "?cursor=0",
        {"anonymous": 401, "officer": 200, "vendor": 200, "expert": 403},
    ),
    _ka(
        "contract-sign",
        "post",
        _kau("contract-sign"),
        {"anonymous": 401, "vendor": 409, "officer": 409, "other_officer": 404},
        label="active",
    ),
    _ka(
        "contract-countersign",
        "post",
        _kau("contract-countersign"),
        {"anonymous": 401, "officer": 409, "vendor": 409, "other_officer": 404},
        label="active",
    ),
    _ka(
        "contract-publication",
        "post",
        _kau("contract-publication"),
        {"anonymous": 401, "officer": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {"published_on": _today()},
    ),
    _ka(
        "contract-filing",
        "post",
        _kau("contract-filing"),
        {"anonymous": 401, "officer": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {"filed_on": _today(), "ref": "财备-1"},
    ),
    _ka(
        "contract-terminate",
        "post",
        _kau("contract-terminate"),
        {
            "anonymous": 401,
            "officer": 200,
            "vendor": 403,
            "community": 403,
            "other_officer": 404,
        },
        data=lambda c: {
            "kind": "mutual",
            "reason": "双方协商一致",
            "terminated_on": _today(),
        },
    ),
    _ka(
        "contract-complete",
        "post",
        _kau("contract-complete"),
        {"anonymous": 401, "officer": 409, "vendor": 403, "other_officer": 404},
        data=lambda c: {},
        label="term not over",
    ),
    _ka(
        "contract-tranche-request",
        "post",
        _kau("contract-tranche-request", "tranche.number"),
        {
            "anonymous": 401,
            "vendor": 200,
            "community": 403,
            "auditor": 403,
            "other_officer": 404,
        },
    ),
    _ka(
        "contract-tranche-approve",
        "post",
        _kau("contract-tranche-approve", "tranche.number"),
        {"anonymous": 401, "officer": 409, "vendor": 409, "other_officer": 404},
        label="not requested",
    ),
    _ka(
        "contract-tranche-pay",
        "post",
        _kau("contract-tranche-pay", "tranche.number"),
        {"anonymous": 401, "officer": 409, "other_officer": 404},
        data=lambda c: {"paid_on": _today()},
        label="not approved",
    ),
    _ka(
        "contract-propose-change",
        "post",
        _kau("contract-propose-change"),
        {
            "anonymous": 401,
            "officer": 201,
            "vendor": 201,
            "auditor": 403,
            "other_officer": 404,
        },
        data=lambda c: {
            "kind": "reduction",
            "reason_code": "scope_adjust",
            "rationale": "核减部分服务",
            "value_delta": "-1000",
        },
    ),
    _ka(
        "contract-change-accept",
        "post",
        _kau("contract-change-accept", "change.number"),
        {"anonymous": 401, "vendor": 200, "officer": 403, "other_officer": 404},
        data=lambda c: {"note": "同意"},
    ),
    _ka(
        "contract-change-reject",
        "post",
        _kau("contract-change-reject", "change.number"),
        {"anonymous": 401, "vendor": 200, "officer": 403, "other_officer": 404},
        data=lambda c: {"note": "不同意"},
    ),
    _ka(
        "contract-change-withdraw",
        "post",
        _kau("contract-change-withdraw", "change.number"),
        {"anonymous": 401, "officer": 200, "vendor": 403, "other_officer": 404},
    ),
    _ka(
        "contract-request-extension",
        "post",
        _kau("contract-request-extension"),
        {"anonymous": 401, "vendor": 400, "officer": 403, "other_officer": 404},
        label="one pending already",
        data=lambda c: {
            "reason": "部分社区尚未覆盖",
            "requested_end_on": _days_after(c.k.contract.end_on, 90),
        },
    ),
    _ka(
        "contract-extension-approve",
        "post",
        _kau("contract-extension-approve", "extension"),
        {"anonymous": 401, "officer": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {"reason": "同意"},
    ),
    _ka(
        "contract-extension-refuse",
        "post",
        _kau("contract-extension-refuse", "extension"),
        {"anonymous": 401, "officer": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {"reason": "理由不充分"},
    ),
    _ka(
        "contract-deliveries",
        "get",
        _kau("contract-deliveries"),
        {
            "anonymous": 401,
            "officer": 200,
            "vendor": 200,
            "community": 200,
            "other_officer": 404,
        },
    ),
    _ka(
        "contract-deliveries",
        "post",
        _kau("contract-deliveries"),
        {
            "anonymous": 401,
            "vendor": 201,
            "officer": 403,
            "community": 403,
            "other_officer": 404,
        },
        data=lambda c: {
            "contract_item": c.k.delivery.contract_item_id,
            "period_start": c.k.delivery.period_start.isoformat(),
            "period_end": c.k.delivery.period_end.isoformat(),
            "count": 2,
        },
        label="report",
    ),
    _ka(
        "contract-delivery-confirm",
        "post",
        _kau("contract-delivery-confirm", "delivery"),
        {"anonymous": 401, "community": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {},
    ),
    _ka(
        "contract-delivery-dispute",
        "post",
        _kau("contract-delivery-dispute", "delivery"),
        {"anonymous": 401, "community": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {"reason": "数量不符"},
    ),
    _ka(
        "contract-residual-work",
        "post",
        _kau("contract-residual-work"),
        {"anonymous": 401, "community": 201, "vendor": 403, "other_officer": 404},
        data=lambda c: {
            "contract_item": c.k.delivery.contract_item_id,
            "happened_on": _today(),
            "description": "社区自行走访",
            "hours": "2",
            "reason": "人手不足",
        },
    ),
    _ka(
        "contract-extra-work",
        "post",
        _kau("contract-extra-work"),
        {"anonymous": 401, "vendor": 201, "auditor": 403, "other_officer": 404},
        data=lambda c: {
            "side": "vendor",
            "requested_by_name": "街道综治办",
            "description": "社区迎检",
            "assigned_on": _today(),
            "hours": "8",
        },
    ),
    _ka(
        "contract-extra-work-approve",
        "post",
        _kau("contract-extra-work-approve", "extra"),
        {"anonymous": 401, "officer": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {"note": "属实"},
    ),
    _ka(
        "contract-extra-work-refuse",
        "post",
        _kau("contract-extra-work-refuse", "extra"),
        {"anonymous": 401, "officer": 200, "vendor": 403, "other_officer": 404},
        data=lambda c: {"note": "不属于合同外工作"},
    ),
    _ka(
        "contract-extra-work-dispute",
        "post",
        _kau("contract-extra-work-dispute", "extra"),
        {"anonymous": 401, "vendor": 200, "officer": 403, "other_officer": 404},
        data=lambda c: {"response": "工作量超出约定"},
    ),
]

API_TOKENS: list[Case] = [
    Case(
        "api:api-token-list",
        "get",
        lambda c: reverse("api:api-token-list"),
        {"anonymous": 401, "admin": 200, "officer": 403, "vendor": 403},
        api=True,
    ),
    Case(
        "api:api-token-list",
        "post",
        lambda c: reverse("api:api-token-list"),
        {"anonymous": 401, "admin": 201, "officer": 403, "outsider": 404},
        data=lambda c: {"name": "区大数据中心", "street": c.o.s1.pk},
        api=True,
        fmt="json",
    ),
    Case(
        "api:api-token-revoke",
        "post",
        lambda c: reverse("api:api-token-revoke", args=[_api_token(c).pk]),
        {"anonymous": 401, "admin": 200, "officer": 403, "outsider": 404},
        api=True,
        fmt="json",
    ),
    Case(
        "accounts:api-token-list",
        "get",
        lambda c: reverse("accounts:api-token-list"),
        {"anonymous": LOGIN, "admin": 200, "officer": 403, "vendor": 403},
    ),
    Case(
        "accounts:api-token-list",
        "post",
        lambda c: reverse("accounts:api-token-list"),
        {"anonymous": LOGIN, "admin": 201, "officer": 403},
        data=lambda c: {"name": "区大数据中心", "street": c.o.s1.pk},
    ),
    Case(
        "accounts:api-token-revoke",
        "post",
        lambda c: reverse("accounts:api-token-revoke", args=[_api_token(c).pk]),
        {"anonymous": LOGIN, "admin": 302, "officer": 403, "outsider": 404},
    ),
]


# --- residents' tokens (assessments): the public phone page and the officer's batches --


def _res(c):
    """S1's plan and open round for the `contract_html` contract, with two resident
    tokens of C1 (made on first use; `c.res.raws` are the raw tokens)."""
    if getattr(c, "res", None) is None:
        import assessments.services as asvc

        plan = asvc.plan_create(
            actor=c.p.officer,
            buyer=c.o.s1,
            name="居民满意度测评",
            year=2026,
            period_kind="year",
            contracts=[c.k.contract],
        )
        rnd = asvc.round_open(
            plan=plan,
            actor=c.p.officer,
            label="年度",
            period_start="2026-01-01",
            period_end="2026-12-31",
        )
        raws = asvc.resident_tokens_issue(
            round=rnd,
            actor=c.p.officer,
            contract=c.k.contract,
            community=c.o.c1,
            count=2,
            batch="第一批",
        )
        c.res = SimpleNamespace(plan=plan, round=rnd, raws=raws)
    return c.res


def _res_answers(c):
    return {
        f"q{pk}": "80" for pk in _res(c).plan.indicators.values_list("pk", flat=True)
    }


RESIDENTS: list[Case] = [
    # Public: a resident answers by the token without an account (any visitor).
    Case(
        "residents:answer",
        "get",
        lambda c: reverse("residents:answer", args=[_res(c).raws[0]]),
        {"anonymous": 200, "vendor": 200, "officer": 200},
        extra={"contract": True},
    ),
    Case(
        "residents:answer",
        "get",
        lambda c: reverse("residents:answer", args=["AAAAAAAAAAAAAAAAAAAAAA"]),
        {"anonymous": 404, "officer": 404},
        label="guessed token",
    ),
    Case(
        "residents:answer",
        "post",
        lambda c: reverse("residents:answer", args=[_res(c).raws[0]]),
        {"anonymous": 302, "vendor": 302},
        data=_res_answers,
        extra={"contract": True},
    ),
    Case(
        "residents:thanks",
        "get",
        lambda c: reverse("residents:thanks"),
        {"anonymous": 200, "officer": 200},
    ),
    Case(
        "api:residents-answers",
        "post",
        lambda c: reverse("api:residents-answers"),
        {"anonymous": 201, "vendor": 201},
        data=lambda c: {"token": _res(c).raws[0], "answers": {"1": 80, "2": None}},
        api=True,
        fmt="json",
        extra={"contract": True},
    ),
    Case(
        "api:residents-answers",
        "post",
        lambda c: reverse("api:residents-answers"),
        {"anonymous": 404},
        data=lambda c: {"token": "AAAAAAAAAAAAAAAAAAAAAA", "answers": {"1": 80}},
        api=True,
        fmt="json",
        label="guessed token",
    ),
    Case(
        "residents_admin:token-batches",
        "get",
        lambda c: reverse("residents_admin:token-batches", args=[_res(c).round.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "dept": 403,
            "other_officer": 404,
            "vendor": 404,
            "community": 404,
        },
        extra={"contract": True},
    ),
    Case(
        "residents_admin:token-batches",
        "post",
        lambda c: reverse("residents_admin:token-batches", args=[_res(c).round.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "auditor": 403,
            "other_officer": 404,
            "vendor": 404,
            "outsider": 404,
        },
        data=lambda c: {
            "contract": c.k.contract.pk,
            "community": c.o.c1.pk,
            "count": 3,
            "batch": "第二批",
        },
        extra={"contract": True},
    ),
]


# --- assessments HTML: plans, rounds, results and the raters' scorecards ----------------


def _as(c):
    """S1's plan for the `contract_html` contract with an open round (年度) and a
    scored one (上半年) with its result (made on first use)."""
    if getattr(c, "assess", None) is None:
        import assessments.services as asvc

        plan = asvc.plan_create(
            actor=c.p.officer,
            buyer=c.o.s1,
            name="权限矩阵考核方案",
            year=2026,
            period_kind="half",
            contracts=[c.k.contract],
        )
        scored = asvc.round_open(
            plan=plan,
            actor=c.p.officer,
            label="上半年",
            period_start="2026-01-01",
            period_end="2026-06-30",
        )
        asvc.scorecard_submit(
            round=scored,
            actor=c.p.dept,
            contract=c.k.contract,
            answers={"1": 80, "2": 80, "3": 80, "4": 80},
        )
        (result,) = asvc.round_score(round=scored, actor=c.p.officer)
        rnd = asvc.round_open(
            plan=plan,
            actor=c.p.officer,
            label="年度",
            period_start="2026-01-01",
            period_end="2026-12-31",
        )
        c.assess = SimpleNamespace(plan=plan, round=rnd, scored=scored, result=result)
    return c.assess


def _ah(name, method, url, expect, data=None, label=""):
    """An assessments HTML case, built on the `contract_html` contract."""
    return Case(
        f"assessments:{name}",
        method,
        url,
        expect,
        data=data,
        label=label,
        extra={"contract": True},
    )


def _card_url(c, community=True):
    a = _as(c)
    url = reverse("assessments:card-create", args=[a.round.pk])
    url += f"?contract={c.k.contract.pk}"
    return url + (f"&community={c.o.c1.pk}" if community else "")


ASSESSMENTS_HTML: list[Case] = [
    _ah(
        "plan-list",
        "get",
        lambda c: reverse("assessments:plan-list"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "auditor": 200,
            "dept": 200,
            "community": 200,
            "assessor": 200,
            "expert": 200,
            "vendor": 403,
        },
    ),
    _ah(
        "plan-create",
        "get",
        lambda c: reverse("assessments:plan-create"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "dept": 403,
            "auditor": 403,
            "vendor": 403,
        },
    ),
    _ah(
        "plan-create",
        "post",
        lambda c: reverse("assessments:plan-create"),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "admin": 302,
            "other_officer": 400,  # S1's contract and street are not choices for S2
            "community": 403,
            "vendor": 403,
        },
        data=lambda c: {
            "buyer": c.o.s1.pk,
            "name": "新方案",
            "year": "2026",
            "period_kind": "year",
            "contracts": [c.k.contract.pk],
            "template": "dimensions",
            "missing_rule": "reweight",
        },
    ),
    _ah(
        "plan-detail",
        "get",
        lambda c: reverse("assessments:plan-detail", args=[_as(c).plan.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "dept": 200,
            "auditor": 200,
            "other_officer": 404,
            "outsider": 404,
            "community": 404,
            "vendor": 404,
        },
    ),
    _ah(
        "plan-detail",
        "post",
        lambda c: reverse("assessments:plan-detail", args=[_as(c).plan.pk]),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "dept": 403,
            "auditor": 403,
            "other_officer": 404,
            "vendor": 404,
        },
        data=lambda c: {
            "label": "第三季度",
            "period_start": "2026-07-01",
            "period_end": "2026-09-30",
        },
        label="open a round",
    ),
    _ah(
        "round-detail",
        "get",
        lambda c: reverse("assessments:round-detail", args=[_as(c).round.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "dept": 200,
            "auditor": 200,
            "other_officer": 404,
            "outsider": 404,
            "community": 404,
            "vendor": 404,
        },
    ),
    _ah(
        "round-score",
        "post",
        lambda c: reverse("assessments:round-score", args=[_as(c).round.pk]),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "admin": 302,
            "dept": 403,
            "auditor": 403,
            "other_officer": 404,
            "vendor": 404,
        },
    ),
    _ah(
        "round-job",
        "get",
        lambda c: reverse("assessments:round-job", args=[_as(c).round.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "dept": 200,
            "other_officer": 404,
            "vendor": 404,
        },
    ),
    _ah(
        "result-detail",
        "get",
        lambda c: reverse("assessments:result-detail", args=[_as(c).result.pk]),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "auditor": 200,
            "dept": 200,
            "other_officer": 404,
            "outsider": 404,
            "community": 404,
            "vendor": 404,
        },
    ),
    _ah(
        "card-create",
        "get",
        _card_url,
        {
            "anonymous": LOGIN,
            "dept": 200,
            "community": 200,
            "assessor": 200,
            "officer": 403,  # sees the plan, rates for no group
            "auditor": 403,
            "other_officer": 404,
            "expert": 404,  # the plan has no expert panel
            "vendor": 404,
        },
    ),
    _ah(
        "card-create",
        "post",
        _card_url,
        {
            "anonymous": LOGIN,
            "dept": 302,
            "community": 302,
            "assessor": 302,
            "officer": 403,
            "other_officer": 404,
            "vendor": 404,
        },
        data=lambda c: {f"answers[{n}]": "80" for n in ("1", "2", "3", "4")},
    ),
]


# --- assessments API: plans, rounds, scorecards, scoring and results -------------------


def _aa(c):
    """S1's plan for the `contract_html` contract with an open round (年度) and a
    scored one (上半年) with its result, for the API cases (made on first use)."""
    if getattr(c, "assess_api", None) is None:
        import assessments.services as asvc

        plan = asvc.plan_create(
            actor=c.p.officer,
            buyer=c.o.s1,
            name="接口权限矩阵考核方案",
            year=2026,
            period_kind="half",
            contracts=[c.k.contract],
        )
        scored = asvc.round_open(
            plan=plan,
            actor=c.p.officer,
            label="上半年",
            period_start="2026-01-01",
            period_end="2026-06-30",
        )
        asvc.scorecard_submit(
            round=scored,
            actor=c.p.dept,
            contract=c.k.contract,
            answers={"1": 80, "2": 80, "3": 80, "4": 80},
        )
        (result,) = asvc.round_score(round=scored, actor=c.p.officer)
        rnd = asvc.round_open(
            plan=plan,
            actor=c.p.officer,
            label="年度",
            period_start="2026-01-01",
            period_end="2026-12-31",
        )
        c.assess_api = SimpleNamespace(
            plan=plan, round=rnd, scored=scored, result=result
        )
    return c.assess_api


def _aau(name, attr):
    """api:<name> with the pk of the API assessment world's `attr`."""
    return lambda c: reverse(f"api:{name}", args=[getattr(_aa(c), attr).pk])


ASSESSMENTS_API: list[Case] = [
    _ka(
        "assessment-plan-list",
        "get",
        lambda c: reverse("api:assessment-plan-list"),
        {
            "anonymous": 401,
            "officer": 200,
            "admin": 200,
            "auditor": 200,
            "dept": 200,
            "community": 403,
            "vendor": 403,
            "expert": 403,
        },
    ),
    _ka(
        "assessment-plan-list",
        "post",
        lambda c: reverse("api:assessment-plan-list"),
        {
            "anonymous": 401,
            "officer": 201,
            "admin": 201,
            "auditor": 403,
            "vendor": 403,
            "community": 403,
            "other_officer": 404,
            "outsider": 404,
        },
        data=lambda c: {
            "name": "接口新建方案",
            "year": 2026,
            "period_kind": "year",
            "contracts": [c.k.contract.pk],
        },
        label="template",
    ),
    _ka(
        "assessment-plan-detail",
        "get",
        _aau("assessment-plan-detail", "plan"),
        {
            "anonymous": 401,
            "officer": 200,
            "auditor": 200,
            "community": 404,
            "vendor": 404,
            "other_officer": 404,
            "outsider": 404,
        },
    ),
    _ka(
        "assessment-plan-rounds",
        "post",
        _aau("assessment-plan-rounds", "plan"),
        {
            "anonymous": 401,
            "officer": 201,
            "auditor": 403,
            "dept": 403,
            "vendor": 404,
            "other_officer": 404,
        },
        data=lambda c: {
            "label": "下半年",
            "period_start": "2026-07-01",
            "period_end": "2026-12-31",
        },
    ),
    _ka(
        "assessment-round-detail",
        "get",
        _aau("assessment-round-detail", "round"),
        {
            "anonymous": 401,
            "officer": 200,
            "dept": 200,
            "community": 200,
            "assessor": 200,
            "expert": 404,
            "vendor": 404,
            "other_officer": 404,
        },
    ),
    _ka(
        "assessment-round-score",
        "post",
        _aau("assessment-round-score", "round"),
        {
            "anonymous": 401,
            "officer": 202,
            "dept": 403,
            "community": 403,
            "vendor": 404,
            "other_officer": 404,
        },
        data=lambda c: {},
    ),
    _ka(
        "assessment-round-cards",
        "post",
        _aau("assessment-round-cards", "round"),
        {
            "anonymous": 401,
            "dept": 201,
            "assessor": 201,
            "officer": 403,
            "auditor": 403,
            "expert": 404,
            "vendor": 404,
            "other_officer": 404,
        },
        data=lambda c: {
            "contract": c.k.contract.pk,
            "answers": {"1": 70, "2": 80, "3": 90, "4": 80},
        },
    ),
    _ka(
        "assessment-round-results",
        "get",
        _aau("assessment-round-results", "scored"),
        {
            "anonymous": 401,
            "officer": 200,
            "auditor": 200,
            "community": 403,
            "vendor": 404,
            "other_officer": 404,
        },
    ),
    _ka(
        "assessment-result-detail",
        "get",
        _aau("assessment-result-detail", "result"),
        {
            "anonymous": 401,
            "officer": 200,
            "auditor": 200,
            "community": 404,
            "vendor": 404,
            "other_officer": 404,
        },
    ),
]


# --- assessments dashboards: the district's and a street's figures, and their .xlsx -----


def _dash(expect, query="", label=""):
    """A dashboard case over S1's scored assessment (the `contract_html` contract)."""

    def url(c):
        _as(c)
        q = query(c) if callable(query) else query
        return reverse("assessments_dashboards:dashboard") + q

    return Case(
        "assessments_dashboards:dashboard",
        "get",
        url,
        expect,
        label=label,
        extra={"contract": True},
    )


DASHBOARDS: list[Case] = [
    _dash(
        {
            "anonymous": LOGIN,
            "officer": 200,
            "other_officer": 200,  # their own street
            "admin": 200,
            "auditor": 200,
            "dept": 200,
            "outsider": 200,  # their own district
            "community": 403,
            "assessor": 403,
            "expert": 403,
            "vendor": 403,
        }
    ),
    _dash(
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "auditor": 200,
            "dept": 200,
            "other_officer": 404,
            "outsider": 404,
            "vendor": 403,
        },
        query=lambda c: f"?street={c.o.s1.pk}",
        label="street S1",
    ),
    _dash(
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "auditor": 200,
            "other_officer": 404,
            "outsider": 404,
            "community": 403,
            "vendor": 403,
        },
        query=lambda c: f"?street={c.o.s1.pk}&export=ranking",
        label="export",
    ),
]


# --- assessments: a plan's expert panel (members, declarations) -------------------------


def _ap(c):
    """S1's plan scored by an expert panel on the `contract_html` contract, with the
    `expert` persona seated (not yet declared) (made on first use)."""
    if getattr(c, "assess_panel", None) is None:
        import assessments.services as asvc
        from assessments import panel

        plan = asvc.plan_create(
            actor=c.p.officer,
            buyer=c.o.s1,
            name="权限矩阵专家评审",
            year=2026,
            period_kind="year",
            contracts=[c.k.contract],
            groups=[{"kind": "expert_panel", "weight": 100, "replaces": True}],
        )
        member = panel.panel_member_add(
            actor=c.p.officer, plan=plan, user=c.p.expert, role="expert"
        )
        spare = next(u for u in panel.panel_pool(plan) if u.pk != c.p.expert.pk)
        c.assess_panel = SimpleNamespace(plan=plan, member=member, spare=spare)
    return c.assess_panel


def _aph(name, method, url, expect, data=None, label=""):
    """A panel HTML case, built on the `contract_html` contract."""
    return Case(
        f"assessments_panel:{name}",
        method,
        url,
        expect,
        data=data,
        label=label,
        extra={"contract": True},
    )


def _apu(name, attr):
    return lambda c: reverse(name, args=[getattr(_ap(c), attr).pk])


PANEL: list[Case] = [
    _aph(
        "panel",
        "get",
        _apu("assessments_panel:panel", "plan"),
        {
            "anonymous": LOGIN,
            "officer": 200,
            "admin": 200,
            "auditor": 200,
            "dept": 200,
            "expert": 404,
            "other_officer": 404,
            "outsider": 404,
            "community": 404,
            "vendor": 404,
        },
    ),
    _aph(
        "panel",
        "post",
        _apu("assessments_panel:panel", "plan"),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "admin": 302,
            "dept": 403,
            "auditor": 403,
            "expert": 404,
            "other_officer": 404,
            "vendor": 404,
        },
        data=lambda c: {"user": _ap(c).spare.pk, "role": "peer"},
        label="add a member",
    ),
    _aph(
        "member-remove",
        "post",
        _apu("assessments_panel:member-remove", "member"),
        {
            "anonymous": LOGIN,
            "officer": 302,
            "admin": 302,
            "dept": 403,
            "auditor": 403,
            "expert": 403,  # sees their own seat, may not remove it
            "other_officer": 404,
            "vendor": 404,
        },
    ),
    _aph(
        "member-declare",
        "get",
        _apu("assessments_panel:member-declare", "member"),
        {
            "anonymous": LOGIN,
            "expert": 200,
            "officer": 200,
            "auditor": 200,
            "other_officer": 404,
            "outsider": 404,
            "community": 404,
            "vendor": 404,
        },
    ),
    _aph(
        "member-declare",
        "post",
        _apu("assessments_panel:member-declare", "member"),
        {
            "anonymous": LOGIN,
            "expert": 302,
            "officer": 403,  # only the member declares
            "other_officer": 404,
            "vendor": 404,
        },
        data=lambda c: {"decision": "no_conflict"},
    ),
    _aph(
        "my-seats",
        "get",
        lambda c: reverse("assessments_panel:my-seats"),
        {"anonymous": LOGIN, "expert": 200, "officer": 200, "vendor": 200},
    ),
]

PANEL_API: list[Case] = [
    _ka(
        "assessment-panel-list",
        "get",
        lambda c: reverse("api:assessment-panel-list") + f"?plan={_ap(c).plan.pk}",
        {
            "anonymous": 401,
            "officer": 200,
            "auditor": 200,
            "expert": 200,  # their own seat
            "vendor": 200,  # nothing
        },
    ),
    _ka(
        "assessment-panel-list",
        "post",
        lambda c: reverse("api:assessment-panel-list"),
        {
            "anonymous": 401,
            "officer": 201,
            "admin": 201,
            "dept": 403,
            "auditor": 403,
            "expert": 404,
            "other_officer": 404,
            "vendor": 404,
        },
        data=lambda c: {
            "plan": _ap(c).plan.pk,
            "user": _ap(c).spare.pk,
            "role": "peer",
        },
    ),
    _ka(
        "assessment-panel-detail",
        "get",
        _apu("api:assessment-panel-detail", "member"),
        {
            "anonymous": 401,
            "officer": 200,
            "expert": 200,
            "other_officer": 404,
            "vendor": 404,
        },
    ),
    _ka(
        "assessment-panel-detail",
        "delete",
        _apu("api:assessment-panel-detail", "member"),
        {
            "anonymous": 401,
            "officer": 204,
            "dept": 403,
            "expert": 403,
            "other_officer": 404,
            "vendor": 404,
        },
    ),
    _ka(
        "assessment-panel-declare",
        "post",
        _apu("api:assessment-panel-declare", "member"),
        {
            "anonymous": 401,
            "expert": 200,
            "officer": 403,
            "other_officer": 404,
            "vendor": 404,
        },
        data=lambda c: {"no_conflict": True},
    ),
    _ka(
        "assessment-panel-check",
        "get",
        lambda c: reverse("api:assessment-panel-check") + f"?plan={_ap(c).plan.pk}",
        {
            "anonymous": 401,
            "officer": 200,
            "auditor": 200,
            "expert": 404,
            "other_officer": 404,
            "vendor": 404,
        },
    ),
]


# --- the admission list (准入名单): HTML and API --------------------------------------------


def _adm(c, state="draft"):
    """The `contract_html` contract graded 差 (47.00) in S1's 年度 round and D1's 2026
    list in `state`: draft, publicity (an objection open), or published (publicity
    over, the elimination not yet handled). Made on first use."""
    key = f"adm_{state}"
    if getattr(c, key, None) is None:
        import datetime as dt

        from django.utils import timezone

        import assessments.admission as adm
        import assessments.services as asvc

        plan = asvc.plan_create(
            actor=c.p.officer,
            buyer=c.o.s1,
            name="名单权限矩阵考核方案",
            year=2026,
            period_kind="year",
            contracts=[c.k.contract],
        )
        rnd = asvc.round_open(
            plan=plan,
            actor=c.p.officer,
            label="年度",
            period_start="2026-01-01",
            period_end="2026-12-31",
        )
        asvc.scorecard_submit(
            round=rnd,
            actor=c.p.dept,
            contract=c.k.contract,
            answers={"1": 40, "2": 40, "3": 50, "4": 50},
        )
        asvc.round_score(round=rnd, actor=c.p.officer)
        today = timezone.localdate()
        alist = adm.admission_list_build(
            actor=c.p.admin, district=c.o.d1, year=2026, on=today
        )
        if state != "draft":
            alist = adm.admission_list_publicise(
                actor=c.p.admin,
                admission_list=alist,
                on=today - dt.timedelta(days=20) if state == "published" else today,
            )
        entry = alist.entries.get()
        if state == "publicity":
            adm.admission_entry_object(
                actor=c.p.vendor, entry=entry, text="异议理由", on=today
            )
        if state == "published":
            alist = adm.admission_list_publish(
                actor=c.p.admin, admission_list=alist, on=today
            )
        setattr(c, key, SimpleNamespace(list=alist, entry=entry))
    return getattr(c, key)


def _admh(name, method, url, expect, data=None, label=""):
    return Case(
        f"admission:{name}",
        method,
        url,
        expect,
        data=data,
        label=label,
        extra={"contract": True},
    )


def _adml(state):
    return lambda c: reverse("admission:detail", args=[_adm(c, state).list.pk])


def _adme(state):
    return lambda c: reverse("admission:entry", args=[_adm(c, state).entry.pk])


def _admu(name, attr, state):
    return lambda c: reverse(f"api:{name}", args=[getattr(_adm(c, state), attr).pk])


ADMISSION: list[Case] = [
    _admh(
        "index",
        "get",
        lambda c: reverse("admission:index"),
        {"anonymous": 200, "vendor": 200, "officer": 200, "admin": 200},
    ),
    _admh(
        "index",
        "post",
        lambda c: (_adm(c, "draft"), reverse("admission:index"))[1],
        {
            "anonymous": LOGIN,
            "officer": 403,
            "vendor": 403,
            "outsider": 400,
            "admin": 302,
        },
        data=lambda c: {"district": c.o.d1.pk, "year": 2026},
        label="build (the outsider may not pick D1: 400)",
    ),
    _admh(
        "detail",
        "get",
        _adml("draft"),
        {
            "anonymous": 404,
            "vendor": 404,
            "outsider": 404,
            "officer": 200,
            "auditor": 200,
            "admin": 200,
        },
        label="draft",
    ),
    _admh(
        "detail",
        "get",
        _adml("publicity"),
        {"anonymous": 200, "vendor": 200, "outsider": 200, "admin": 200},
        label="in publicity",
    ),
    _admh(
        "detail",
        "post",
        _adml("draft"),
        {
            "anonymous": LOGIN,
            "vendor": 404,
            "outsider": 404,
            "officer": 403,
            "admin": 302,
        },
        data=lambda c: {"action": "publicise"},
        label="publicise",
    ),
    _admh(
        "entry",
        "get",
        _adme("draft"),
        {"anonymous": 404, "vendor": 404, "officer": 200, "admin": 200},
        label="draft",
    ),
    _admh(
        "entry",
        "post",
        _adme("publicity"),
        {
            "anonymous": LOGIN,
            "officer": 403,
            "admin": 403,
            "other_officer": 403,
            "vendor": 409,
        },
        data=lambda c: {"action": "object", "text": "再次异议"},
        label="object (one already open: 409 for the organisation)",
    ),
    _admh(
        "entry",
        "post",
        _adme("published"),
        {"anonymous": LOGIN, "officer": 403, "vendor": 403, "admin": 302},
        data=lambda c: {
            "action": "eliminate",
            "ending": "expire",
            "ends_on": "",
            "interim_arrangement": "街道临时承接",
        },
        label="eliminate",
    ),
]

ADMISSION_API: list[Case] = [
    _ka(
        "admission-list-list",
        "get",
        lambda c: reverse("api:admission-list-list"),
        {"anonymous": 200, "vendor": 200, "officer": 200},
    ),
    _ka(
        "admission-list-list",
        "post",
        lambda c: (_adm(c, "draft"), reverse("api:admission-list-list"))[1],
        {"anonymous": 401, "officer": 403, "vendor": 403, "admin": 201},
        data=lambda c: {"district": c.o.d1.pk, "year": 2026},
        label="build",
    ),
    _ka(
        "admission-list-detail",
        "get",
        _admu("admission-list-detail", "list", "draft"),
        {
            "anonymous": 404,
            "vendor": 404,
            "outsider": 404,
            "officer": 200,
            "admin": 200,
        },
        label="draft",
    ),
    _ka(
        "admission-list-publicise",
        "post",
        _admu("admission-list-publicise", "list", "draft"),
        {"anonymous": 401, "vendor": 404, "officer": 403, "admin": 200},
    ),
    _ka(
        "admission-list-publish",
        "post",
        _admu("admission-list-publish", "list", "publicity"),
        {"anonymous": 401, "vendor": 403, "officer": 403, "admin": 409},
        label="objection open: 409",
    ),
    _ka(
        "admission-entry-detail",
        "get",
        _admu("admission-entry-detail", "entry", "publicity"),
        {"anonymous": 200, "vendor": 200, "admin": 200},
    ),
    _ka(
        "admission-entry-propose",
        "post",
        _admu("admission-entry-propose", "entry", "draft"),
        {"anonymous": 401, "vendor": 404, "officer": 403, "admin": 200},
        data=lambda c: {"standing": "warn", "reason": "复核"},
    ),
    _ka(
        "admission-entry-object",
        "post",
        _admu("admission-entry-object", "entry", "published"),
        {"anonymous": 401, "officer": 403, "admin": 403, "vendor": 201},
        data=lambda c: {"text": "申诉理由"},
        label="appeal",
    ),
    _ka(
        "admission-entry-decide",
        "post",
        _admu("admission-entry-decide", "entry", "publicity"),
        {"anonymous": 401, "officer": 403, "vendor": 403, "admin": 200},
        data=lambda c: {"upheld": False, "decision": "不成立"},
    ),
    _ka(
        "admission-entry-eliminate",
        "post",
        _admu("admission-entry-eliminate", "entry", "published"),
        {"anonymous": 401, "officer": 403, "vendor": 403, "admin": 200},
        data=lambda c: {"ending": "expire", "interim_arrangement": "街道临时承接"},
    ),
]


CASES = (
    ADMISSION
    + ADMISSION_API
    + HTML
    + API
    + PROCUREMENT_API
    + PROCUREMENT_HTML
    + CONTRACTS_HTML
    + CONTRACTS_API
    + API_TOKENS
    + RESIDENTS
    + ASSESSMENTS_HTML
    + ASSESSMENTS_API
    + PANEL
    + PANEL_API
    + DASHBOARDS
)

# URLs that are not ours to test here, with the reason.
EXEMPT_NAMESPACES = {"admin"}  # Django's admin: staff-only by Django itself


def _request(case: Case, ctx, persona: str, web, api):
    user = getattr(ctx.p, persona)
    url = case.url(ctx)
    data = case.data(ctx) if case.data else None
    if case.api:
        client = api(user)
        kwargs = {"format": case.fmt} if case.fmt else {}
        return (
            getattr(client, case.method)(url, data, **kwargs)
            if data is not None or case.method != "get"
            else client.get(url)
        )
    client = web(user)
    return getattr(client, case.method)(url, data or {})


@pytest.mark.parametrize(
    ("case", "persona"),
    [
        pytest.param(case, persona, id=f"{case.id}-{persona}")
        for case in CASES
        for persona in case.expect
    ],
)
def test_matrix(case, persona, ctx, web, api, request):
    # given: the world and, for rule endpoints, one rule parameter
    if case.extra.get("rule"):
        from catalogue.models import RuleParameter

        ctx.rule = RuleParameter.objects.create(
            key="deadline.award.challenge_window",
            jurisdiction=ctx.o.nation,
            valid_from="2015-03-01",
            value_type="working_days",
            value=7,
            rule_ids=["TL-17"],
        )
    if case.extra.get("proc"):
        ctx.proc = request.getfixturevalue("proc_api")
    if case.extra.get("contract"):
        ctx.k = request.getfixturevalue("contract_html")
    # when
    response = _request(case, ctx, persona, web, api)
    # then
    expected = case.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302, response.content[:300]
        assert response["Location"].startswith(reverse("accounts:login")), response[
            "Location"
        ]
    else:
        body = getattr(response, "content", b"")[:400]
        assert response.status_code == expected, body
    if case.api and response.status_code >= 400:
        assert set(response.json()) == {"code", "detail", "fields"}


def _url_names(patterns, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            if ns in EXEMPT_NAMESPACES:
                continue
            names |= _url_names(p.url_patterns, full)
        elif isinstance(p, URLPattern):
            if p.name is None:
                continue
            names.add(f"{namespace}:{p.name}" if namespace else p.name)
    return names


def test_every_url_is_in_the_matrix():
    # given: every named URL of the project
    names = _url_names(get_resolver().url_patterns)
    covered = {c.name for c in CASES}
    # then: each one has at least one row in the matrix
    missing = sorted(names - covered)
    assert not missing, f"URLs without a permission-matrix entry: {missing}"
    assert not covered - names, (
        f"matrix rows for URLs that do not exist: {sorted(covered - names)}"
    )
