"""The reference data: the Wuhou 2015 and 2026 catalogues, rule parameters, the calendar
and the demo accounts, loaded from the real seed files into an empty database."""

from __future__ import annotations

import re
import subprocess
import sys
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


@pytest.mark.parametrize("script", ["check_seed.py", "check_params.py"])
def test_seed_files_pass_their_standalone_checker(script):
    # when
    result = subprocess.run(
        [sys.executable, str(SEED_DIR / script)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    # then
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
