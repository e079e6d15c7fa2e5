"""The seeded Wuhou register: 95 suppliers loaded through the services, idempotently."""

from __future__ import annotations

import pytest
from django.utils import timezone
from stdnum.cn import uscc

from accounts.models import Organisation
from accounts.seeding import seed_organisations
from vendors.models import (
    AnnualReport,
    CreditCheck,
    EligibilityDocument,
    RelatedPerson,
    Vendor,
)
from vendors.seeding import seed_vendors


@pytest.fixture
def seeded(db):
    seed_organisations()
    created = seed_vendors()
    return created


def counts() -> dict[str, int]:
    return {
        m.__name__: m.objects.count()
        for m in (
            Organisation,
            Vendor,
            EligibilityDocument,
            CreditCheck,
            AnnualReport,
            RelatedPerson,
        )
    }


def test_seeds_the_wuhou_register(seeded):
    # then: 95 vendors, every credit code valid
    assert seeded == 95
    assert Vendor.objects.count() == 95
    codes = [c for c in Vendor.objects.values_list("uscc", flat=True) if c]
    assert codes
    assert all(uscc.is_valid(c) for c in codes)
    assert len(codes) == len(set(codes))
    assert (
        not Vendor.objects.filter(uscc__isnull=True)
        .exclude(org_type="community_filed")
        .exists()
    )

    # 同行: a professional agency of 2012, never incubated
    tongxing = Vendor.objects.select_related("organisation").get(
        organisation__code="CN-51-01-07-V0001"
    )
    assert tongxing.name == "成都市同行社会工作服务中心"
    assert "未经孵化" in tongxing.note
    for person in tongxing.related_persons.all():
        for post in person.former_posts:
            assert "孵化" not in str(post)
            assert "社区" not in post.get("organisation_name", "")

    # 阳光惠民: 20 founders, all former staff of the same community
    sunshine = Vendor.objects.get(organisation__name="武侯区阳光惠民社会服务中心")
    founders = list(sunshine.related_persons.filter(role="founder"))
    assert len(founders) == 20
    places = {
        (post["organisation"], post["organisation_name"])
        for f in founders
        for post in f.former_posts
    }
    assert len(places) == 1
    ((code, name),) = places
    community = Organisation.objects.get(code=code)
    assert community.kind == "community"
    assert community.name == name
    assert all(f.former_posts for f in founders)

    # at least one expired document and one listed credit check
    today = timezone.localdate()
    assert EligibilityDocument.objects.filter(valid_until__lt=today).exists()
    assert CreditCheck.objects.filter(result="listed").exists()

    # ID numbers are stored encrypted, as the service does
    sample = RelatedPerson.objects.exclude(id_number_tail="").first()
    assert sample is not None
    assert len(sample.id_number_plain) == 18
    assert sample.id_number_plain not in sample.id_number_encrypted


def test_second_seeding_creates_nothing(seeded):
    # given
    before = counts()

    # when
    again = seed_vendors()

    # then
    assert again == 0
    assert counts() == before
