"""The seeded Wuhou incubation centre: its 2014–2015 intakes driven through the
pipeline's services, one application standing at each step, idempotently."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from accounts.seeding import seed_organisations
from catalogue.seeding import seed_reference_data
from core.models import AuditEvent
from vendors.models import IncubationApplication, IncubationCentre, IncubationReview
from vendors.seeding import seed_incubation, seed_vendors
from vendors.selectors import incubation_ties


@pytest.fixture
def seeded(db):
    seed_organisations()
    seed_reference_data()
    seed_vendors()
    return seed_incubation()


def test_every_step_of_the_pipeline_has_applications(seeded):
    statuses = Counter(IncubationApplication.objects.values_list("status", flat=True))
    for step in (
        "applied",
        "admitted",
        "moved_in",
        "incubating",
        "graduated",
        "tracking",
        "exited",
    ):
        assert statuses[step] >= 1, step
    assert sum(statuses.values()) == seeded >= 70
    # one forced exit, with its reason
    exited = IncubationApplication.objects.get(status="exited")
    assert exited.exit_reason


def test_admissions_went_through_the_panel(seeded):
    admitted = IncubationApplication.objects.exclude(status__in=["applied"])
    assert all(a.reviews.count() == 3 for a in admitted)
    assert all(a.assessment["mean"] >= a.assessment["pass_mark"] for a in admitted)
    # an application waits with two sheets of the three needed
    waiting = [
        a.reviews.count()
        for a in IncubationApplication.objects.filter(status="applied")
    ]
    assert sorted(waiting) == [0, 0, 2]


def test_the_sunshine_centre_was_founded_by_20_former_coordinators(seeded):
    app = IncubationApplication.objects.get(
        vendor__organisation__name="武侯区阳光惠民社会服务中心"
    )
    assert app.status == "graduated"
    assert len(app.core_members) == 20
    # the 20 staff of 铁佛社区's service station, most of them 社会综合协管员
    assert all(m["former_post"].startswith("铁佛社区") for m in app.core_members)
    assert sum("协管员" in m["former_post"] for m in app.core_members) >= 18
    # the centre's operator and staff are tied to it for recusal (INC-09)
    tie = incubation_ties(app.vendor)[0]
    assert tie["operator"]
    assert tie["staff"] == ["邓晓燕", "罗建"]


def test_tongxing_was_never_incubated_and_can_apply_now(seeded):
    assert not IncubationApplication.objects.filter(
        vendor__organisation__name="成都市同行社会工作服务中心"
    ).exists()
    centre = IncubationCentre.objects.get()
    today = timezone.localdate()
    assert centre.rounds.filter(opens_on__lte=today, closes_on__gte=today).exists()


def test_a_second_run_changes_nothing(seeded):
    before = (
        IncubationApplication.objects.count(),
        IncubationReview.objects.count(),
        AuditEvent.objects.count(),
    )
    assert seed_incubation() == 0
    assert (
        IncubationApplication.objects.count(),
        IncubationReview.objects.count(),
        AuditEvent.objects.count(),
    ) == before
