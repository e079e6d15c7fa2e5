"""The reference data: the Wuhou 2015 and 2026 catalogues, rule parameters, the calendar
and the demo accounts, loaded from the real seed files into an empty database."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from accounts.models import Membership, Organisation, User
from accounts.seeding import seed_demo_users, seed_organisations
from catalogue.choices import OutsourceScope, VersionStatus
from catalogue.models import (
    CalendarDay,
    CatalogueVersion,
    Category,
    RuleParameter,
    ServiceItem,
)
from catalogue.seeding import REGION_CODE, seed_reference_data
from catalogue.selectors import version_diff
from core.models import AuditEvent

from ..factories import DOMAIN_COUNTS

SEED_DIR = Path(__file__).resolve().parents[2] / "catalogue" / "seed"


def counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "categories": Category.objects.count(),
        "versions": CatalogueVersion.objects.count(),
        "items": ServiceItem.objects.count(),
        "rule_parameters": RuleParameter.objects.count(),
        "calendar_days": CalendarDay.objects.count(),
        "audit_events": AuditEvent.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
    }


@pytest.fixture
def seeded(db):
    seed_organisations()
    seed_reference_data()
    region = Organisation.objects.get(code=REGION_CODE)
    return (
        CatalogueVersion.objects.get(region=region, year=2015),
        CatalogueVersion.objects.get(region=region, year=2026),
    )


def test_seeds_the_2015_and_2026_catalogues(seeded):
    v2015, v2026 = seeded

    # then: 2015 is the published 139-item catalogue of RULES §8
    assert v2015.status == VersionStatus.PUBLISHED
    assert v2015.published_at is not None
    items = list(v2015.items.select_related("domain"))
    assert len(items) == 139
    assert Counter(i.domain.code for i in items) == DOMAIN_COUNTS
    placeholders = [i.name for i in items if re.search(r"事项\d", i.name)]
    assert placeholders == []
    assert len({i.name for i in items}) == 139
    assert all(i.code.startswith(i.domain.code + "-") for i in items)
    assert {i.outsource_scope for i in items} == set(OutsourceScope.values)

    # and 2026 is published, drafted from 2015 through the services
    assert v2026.status == VersionStatus.PUBLISHED
    assert v2026.based_on == v2015
    assert AuditEvent.objects.filter(
        action="catalogue.draft", object_id=str(v2026.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action="catalogue.publish", object_id=str(v2026.pk), to_state="published"
    ).exists()
    names_2026 = [i.name for i in v2026.items.all()]
    assert len(set(names_2026)) == len(names_2026)

    # and the diff tells the history
    diff = version_diff(v2015, v2026)
    changed = {c.code: {f.field: f for f in c.changes} for c in diff.changed}
    rename = changed["A01-01"]["name"]
    assert "就业失业登记证" in rename.old
    assert "就业创业证" in rename.new
    public_jobs = [i for i in items if "公益性岗位" in i.name]
    assert public_jobs
    for item in public_jobs:
        assert item.outsource_scope != OutsourceScope.PROHIBITED
        assert (
            v2026.items.get(code=item.code).outsource_scope == OutsourceScope.PROHIBITED
        )
    assert any(i.code.startswith("A06-") for i in diff.removed)
    assert diff.added
    assert diff.unchanged > 0


def test_seeding_again_creates_nothing(seeded):
    # given
    seed_demo_users()
    before = counts()
    assert before["users"] == 12

    # when
    seed_organisations()
    result = seed_reference_data()
    seed_demo_users()

    # then
    assert counts() == before
    assert result["categories"] == 0
    assert result["rule_parameters"] == 0
    assert result["calendar_days"] == 0
    assert result["catalogues"][2015] == {"status": "published", "items": 139}


def test_demo_users_get_the_demo_password_once(seeded):
    from django.conf import settings

    # when
    users = seed_demo_users()
    admin = User.objects.get(username="admin")
    admin.set_password("Changed-by-admin-2016!")
    admin.save()
    again = seed_demo_users()

    # then: a second run keeps everyone and does not reset a changed password
    assert len(users) == len(again) == 12
    assert User.objects.count() == 12
    admin.refresh_from_db()
    assert admin.check_password("Changed-by-admin-2016!")
    assert admin.has_demo_password is False
    officer = User.objects.get(username="officer")
    assert officer.check_password(settings.DEMO_PASSWORD)
    assert officer.has_demo_password is True


def test_wuhou_tree_has_the_13_streets_of_2014_with_3_to_8_communities_each(db):
    # when
    seed_organisations()
    # then
    streets = Organisation.objects.filter(
        kind="street", parent__code=REGION_CODE
    ).order_by("code")
    assert [s.short_name for s in streets] == [
        f"{n}街道"
        for n in (
            "浆洗街",
            "望江路",
            "玉林",
            "跳伞塔",
            "火车南站",
            "簇桥",
            "簇锦",
            "机投桥",
            "晋阳",
            "红牌楼",
            "华兴",
            "金花桥",
            "芳草街",
        )
    ]
    for street in streets:
        communities = street.children.filter(kind="community")
        assert 3 <= communities.count() <= 8, street.name
        assert street.children.filter(kind="department").exists(), street.name
    names = list(
        Organisation.objects.filter(kind="community").values_list("name", flat=True)
    )
    assert len(names) == len(set(names))


def test_every_seeded_rule_parameter_passes_the_service_checks(db):
    # given: the rule parameters as seeded (through rule_parameter_save)
    seed_organisations()
    seed_reference_data()
    # then: every deadline is typed in days or working days, every key has a rule id
    deadlines = RuleParameter.objects.filter(key__startswith="deadline.")
    assert deadlines.exists()
    assert set(deadlines.values_list("value_type", flat=True)) <= {
        "calendar_days",
        "working_days",
    }
    assert not RuleParameter.objects.filter(rule_ids=[]).exists()
