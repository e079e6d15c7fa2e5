"""Personas and a small world for every test: two districts, two streets, every role.

- `officer` is a street officer of street S1 (like 簇锦); `other_officer` of S2 (like 玉林);
- `admin` administers district D1; `outsider` administers district D2;
- `dept`, `community`, `assessor`, `expert`, `vendor`, `auditor` hold the other roles in D1.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.choices import OrganisationKind as K
from accounts.choices import Role
from catalogue.models import Category

from .factories import (
    CatalogueVersionFactory,
    OrganisationFactory,
    ServiceItemFactory,
    user_with_role,
)


@pytest.fixture(autouse=True)
def _default_language(settings):
    # A request with Accept-Language leaves its language active in the thread;
    # every test starts in (and restores) the site's default language.
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttling and axes counters live in the cache; each test starts clean.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def orgs(db):
    nation = OrganisationFactory(code="CN", name="中华人民共和国", kind=K.NATION)
    province = OrganisationFactory(
        code="CN-51", name="四川省", kind=K.PROVINCE, parent=nation
    )
    city = OrganisationFactory(
        code="CN-51-01", name="成都市", kind=K.CITY, parent=province
    )
    d1 = OrganisationFactory(code="D1", name="测试区一", kind=K.DISTRICT, parent=city)
    d2 = OrganisationFactory(code="D2", name="测试区二", kind=K.DISTRICT, parent=city)
    s1 = OrganisationFactory(
        code="D1-S1",
        name="簇锦街道办事处",
        short_name="簇锦街道",
        kind=K.STREET,
        parent=d1,
    )
    s2 = OrganisationFactory(
        code="D1-S2",
        name="玉林街道办事处",
        short_name="玉林街道",
        kind=K.STREET,
        parent=d1,
    )
    s3 = OrganisationFactory(
        code="D2-S1", name="另区街道办事处", kind=K.STREET, parent=d2
    )
    return SimpleNamespace(
        nation=nation,
        province=province,
        city=city,
        d1=d1,
        d2=d2,
        s1=s1,
        s2=s2,
        s3=s3,
        c1=OrganisationFactory(
            code="D1-S1-C1", name="铁佛社区", kind=K.COMMUNITY, parent=s1
        ),
        c2=OrganisationFactory(
            code="D1-S2-C1", name="玉林北路社区", kind=K.COMMUNITY, parent=s2
        ),
        dep1=OrganisationFactory(
            code="D1-S1-D1", name="社区发展科", kind=K.DEPARTMENT, parent=s1
        ),
        unit1=OrganisationFactory(
            code="D1-S1-U1", name="簇锦小学", kind=K.RESIDENT_UNIT, parent=s1
        ),
        pool=OrganisationFactory(
            code="D1-EXP", name="专家库", kind=K.EXPERT_POOL, parent=d1
        ),
        vendor=OrganisationFactory(
            code="D1-V1", name="同行社会工作服务中心", kind=K.VENDOR, parent=d1
        ),
    )


@pytest.fixture
def personas(orgs):
    return SimpleNamespace(
        anonymous=None,
        admin=user_with_role(Role.DISTRICT_ADMIN, orgs.d1, username="p_admin"),
        officer=user_with_role(Role.STREET_OFFICER, orgs.s1, username="p_officer"),
        other_officer=user_with_role(
            Role.STREET_OFFICER, orgs.s2, username="p_other_officer"
        ),
        dept=user_with_role(Role.DEPARTMENT_STAFF, orgs.dep1, username="p_dept"),
        community=user_with_role(Role.COMMUNITY_STAFF, orgs.c1, username="p_community"),
        assessor=user_with_role(Role.ASSESSOR, orgs.unit1, username="p_assessor"),
        expert=user_with_role(Role.EXPERT, orgs.pool, username="p_expert"),
        vendor=user_with_role(Role.VENDOR_STAFF, orgs.vendor, username="p_vendor"),
        auditor=user_with_role(Role.AUDITOR, orgs.d1, username="p_auditor"),
        outsider=user_with_role(Role.DISTRICT_ADMIN, orgs.d2, username="p_outsider"),
    )


@pytest.fixture
def domains(db):
    a, _ = Category.objects.get_or_create(
        code="A", defaults={"name": "公共服务", "level": 1}
    )
    Category.objects.get_or_create(
        code="B", defaults={"name": "政府履职辅助性服务", "level": 1}
    )
    out = {}
    for pos, (code, name) in enumerate(
        [("A01", "就业创业"), ("A03", "社会救助"), ("A08", "综合治理与平安建设")]
    ):
        out[code], _ = Category.objects.get_or_create(
            code=code, defaults={"name": name, "level": 2, "parent": a, "position": pos}
        )
    return out


@pytest.fixture
def catalogue(orgs, domains):
    """D1: a published version (2015) and a draft drafted from it (2016); D2: a draft."""
    published = CatalogueVersionFactory(
        region=orgs.d1, year=2015, published=True, title="测试区一目录（2015年版）"
    )
    ServiceItemFactory(
        version=published,
        domain=domains["A03"],
        code="A03-01",
        aux_only=True,
        name="最低生活保障申请受理",
    )
    ServiceItemFactory(
        version=published,
        domain=domains["A03"],
        code="A03-05",
        name="困难群众主动发现与巡访探视",
    )
    ServiceItemFactory(
        version=published,
        domain=domains["A08"],
        code="A08-07",
        prohibited=True,
        name="违法建设行政处罚",
    )
    draft = CatalogueVersionFactory(
        region=orgs.d1, year=2016, based_on=published, title="测试区一目录（2016年版）"
    )
    for item in published.items.all():
        ServiceItemFactory(
            version=draft,
            domain=item.domain,
            code=item.code,
            name=item.name,
            outsource_scope=item.outsource_scope,
            allowed_steps=item.allowed_steps,
            matter_type=item.matter_type,
            service_class=item.service_class,
            deliverable=item.deliverable,
            prohibited_reason=item.prohibited_reason,
            unit=item.unit,
            reference_price=item.reference_price,
            annual_volume=item.annual_volume,
        )
    other = CatalogueVersionFactory(
        region=orgs.d2, year=2016, title="测试区二目录（草稿）"
    )
    ServiceItemFactory(version=other, domain=domains["A03"], code="A03-02")
    other_published = CatalogueVersionFactory(
        region=orgs.d2, year=2015, published=True, title="测试区二目录（2015年版）"
    )
    ServiceItemFactory(version=other_published, domain=domains["A03"], code="A03-02")
    return SimpleNamespace(
        published=published,
        draft=draft,
        other_draft=other,
        other_published=other_published,
    )


@pytest.fixture
def vendors(orgs, personas):
    """V1 (the `vendor` persona's own), V2 (another vendor of D1), V3 (in D2)."""
    from accounts.choices import OrganisationKind

    from .factories import make_vendor

    v2_org = OrganisationFactory(
        code="D1-V2",
        name="阳光惠民社会服务中心",
        kind=OrganisationKind.VENDOR,
        parent=orgs.d1,
    )
    v3_org = OrganisationFactory(
        code="D2-V1", name="另区社工中心", kind=OrganisationKind.VENDOR, parent=orgs.d2
    )
    v1 = make_vendor(orgs.vendor)
    v2 = make_vendor(v2_org)
    v3 = make_vendor(v3_org)
    v1.streets.set([orgs.s1])
    v2.streets.set([orgs.s2])
    return SimpleNamespace(own=v1, other=v2, outside=v3)


@pytest.fixture
def incubation(orgs, vendors, domains):
    """D1's centre with an open intake, an application by the `vendor` persona's
    organisation (applied), and a D2 centre with its own application."""
    import datetime as dt

    from catalogue.models import RuleParameter
    from vendors.models import IncubationApplication, IncubationCentre, IntakeRound

    for key, vtype, value in (
        (
            "incubation.admission.criteria",
            "weights",
            {"public_benefit": 30, "local_need": 25, "team": 25, "plan": 20},
        ),
        ("incubation.admission.min_score", "integer", 60),
        ("incubation.panel.min_size", "integer", 2),
        ("incubation.core_members.min", "integer", 3),
        ("incubation.period.months", "months", 12),
        ("incubation.period.max_months", "months", 24),
        ("incubation.graduation.min_score", "integer", 80),
        ("incubation.graduation.min_fulltime_staff", "integer", 2),
        ("incubation.graduation.flagship_min_months", "months", 6),
        ("incubation.tracking.months", "months", 12),
    ):
        RuleParameter.objects.create(
            key=key,
            jurisdiction=orgs.nation,
            valid_from=dt.date(2000, 1, 1),
            value_type=vtype,
            value=value,
        )
    today = dt.date.today()
    centre = IncubationCentre.objects.create(
        region=orgs.d1, name="测试孵化中心", seats=2
    )
    round_ = IntakeRound.objects.create(
        centre=centre,
        name="本期",
        opens_on=today - dt.timedelta(days=10),
        closes_on=today + dt.timedelta(days=10),
    )
    members = [
        {"name": n, "former_post": "社区综合协管员"} for n in ("张华", "李娜", "王强")
    ]
    app = IncubationApplication.objects.create(
        round=round_,
        vendor=vendors.own,
        purpose="社区服务",
        service_plan="计划",
        core_members=members,
    )
    other_centre = IncubationCentre.objects.create(
        region=orgs.d2, name="另区孵化中心", seats=5
    )
    other_round = IntakeRound.objects.create(
        centre=other_centre,
        name="本期",
        opens_on=round_.opens_on,
        closes_on=round_.closes_on,
    )
    other = IncubationApplication.objects.create(
        round=other_round,
        team_name="另区团队",
        purpose="x",
        service_plan="y",
        core_members=members,
    )
    return SimpleNamespace(
        centre=centre, round=round_, app=app, other=other, members=members
    )


@pytest.fixture
def api():
    """An API client factory: api(user) is authenticated by token, api(None) is anonymous."""
    from rest_framework.authtoken.models import Token

    def make(user=None):
        client = APIClient()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def web(client):
    """An HTML client factory: web(user) is logged in, web(None) is anonymous."""
    from django.test import Client

    def make(user=None):
        c = Client()
        if user is not None:
            c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return c

    return make
