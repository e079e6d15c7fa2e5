"""Writes to the catalogue: drafting, item edits, publish and archive, and their audit trail."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse

from catalogue import services
from catalogue.choices import VersionStatus
from catalogue.models import CatalogueVersion, ServiceItem
from catalogue.services import ITEM_FIELDS
from core.exceptions import (
    Conflict,
    NotPermitted,
    StaleWrite,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.models import AuditEvent

from ..factories import CatalogueVersionFactory, ServiceItemFactory, item_payload

COPIED_FIELDS = [f for f in ITEM_FIELDS if f not in ("change_note",)]
NOT_EDITORS = [
    "dept",
    "community",
    "assessor",
    "expert",
    "vendor",
    "auditor",
    "outsider",
]


def snapshot(version: CatalogueVersion) -> dict[str, dict]:
    """Every stored value of every item of a version, by code."""
    return {
        item["code"]: item
        for item in ServiceItem.objects.filter(version=version)
        .order_by("code")
        .values()
    }


def events(action: str, obj=None):
    qs = AuditEvent.objects.filter(action=action)
    if obj is not None:
        qs = qs.filter(object_id=str(obj.pk))
    return qs


# --- drafting ---------------------------------------------------------------------------


def test_draft_copies_every_item_of_the_source(personas, catalogue):
    # given
    source = catalogue.published

    # when
    draft = services.catalogue_version_draft(
        actor=personas.officer, source=source, year=2017
    )

    # then
    assert draft.status == VersionStatus.DRAFT
    assert draft.based_on == source
    assert draft.region == source.region
    copied = {
        i.code: {f: getattr(i, f) for f in COPIED_FIELDS} for i in draft.items.all()
    }
    original = {
        i.code: {f: getattr(i, f) for f in COPIED_FIELDS} for i in source.items.all()
    }
    assert copied == original
    assert len(copied) == 3
    assert set(draft.items.values_list("pk", flat=True)).isdisjoint(
        source.items.values_list("pk", flat=True)
    )


def test_draft_records_an_audit_event(personas, catalogue):
    # when
    draft = services.catalogue_version_draft(
        actor=personas.officer, source=catalogue.published, year=2017
    )

    # then
    [event] = events("catalogue.draft", draft)
    assert event.actor == personas.officer
    assert event.to_state == VersionStatus.DRAFT
    assert event.payload == {"based_on": catalogue.published.pk, "year": 2017}
    assert event.scope == draft.region.path


def test_draft_gets_a_default_title_naming_region_and_year(personas, catalogue):
    # when
    draft = services.catalogue_version_draft(
        actor=personas.officer, source=catalogue.published, year=2017
    )

    # then
    assert "2017" in draft.title
    assert catalogue.published.region.name in draft.title


def test_rejects_a_second_draft_for_the_same_region_and_year(personas, catalogue):
    # given
    services.catalogue_version_draft(
        actor=personas.officer, source=catalogue.published, year=2017
    )
    versions_before = CatalogueVersion.objects.count()

    # when
    with pytest.raises(ValidationFailed) as exc:
        services.catalogue_version_draft(
            actor=personas.admin, source=catalogue.published, year=2017
        )

    # then
    assert list(exc.value.fields) == ["year"]
    assert "2017" in str(exc.value.fields["year"][0])
    assert CatalogueVersion.objects.count() == versions_before


def test_allows_the_same_year_in_another_region(personas, catalogue):
    # given: D1 already has 2016; D2 has a published 2015
    # when
    draft = services.catalogue_version_draft(
        actor=personas.outsider, source=catalogue.other_published, year=2017
    )
    same_year_d1 = services.catalogue_version_draft(
        actor=personas.admin, source=catalogue.published, year=2017
    )

    # then
    assert draft.year == same_year_d1.year
    assert draft.region != same_year_d1.region


@pytest.mark.parametrize("year", [1999, 2101])
def test_rejects_a_year_out_of_range(personas, catalogue, year):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.catalogue_version_draft(
            actor=personas.officer, source=catalogue.published, year=year
        )

    # then
    assert list(exc.value.fields) == ["year"]


def test_rejects_drafting_from_a_draft(personas, catalogue):
    # when
    with pytest.raises(TransitionNotAllowed):
        services.catalogue_version_draft(
            actor=personas.officer, source=catalogue.draft, year=2017
        )

    # then
    assert not CatalogueVersion.objects.filter(year=2017).exists()


def test_rejects_drafting_from_a_draft_for_the_system_actor(catalogue):
    # when / then
    with pytest.raises(TransitionNotAllowed):
        services.catalogue_version_draft(actor=None, source=catalogue.draft, year=2017)


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_rejects_drafting_by_someone_who_does_not_edit_the_catalogue(
    personas, catalogue, persona
):
    # when
    with pytest.raises(NotPermitted):
        services.catalogue_version_draft(
            actor=getattr(personas, persona), source=catalogue.published, year=2017
        )

    # then
    assert not CatalogueVersion.objects.filter(year=2017).exists()


# --- items only change on drafts --------------------------------------------------------


def test_creates_an_item_on_a_draft_and_records_it(personas, catalogue):
    # when
    item = services.service_item_create(
        actor=personas.officer, version=catalogue.draft, data=item_payload()
    )

    # then
    assert item.version == catalogue.draft
    assert item.code == item_payload()["code"]
    [event] = events("catalogue_item.create", item)
    assert event.actor == personas.officer
    assert event.payload["item"]["code"] == item.code
    assert event.payload["item"]["reference_price"] == "100.00"


def test_updates_an_item_on_a_draft_and_records_the_changes(personas, catalogue):
    # given
    item = catalogue.draft.items.get(code="A03-05")
    old_name = item.name

    # when
    updated = services.service_item_update(
        actor=personas.officer,
        item=item,
        data={"name": "困难群众巡访", "reference_price": "95.5"},
    )

    # then
    updated.refresh_from_db()
    assert updated.name == "困难群众巡访"
    assert str(updated.reference_price) == "95.50"
    [event] = events("catalogue_item.update", item)
    assert event.payload["changes"] == {
        "name": [old_name, "困难群众巡访"],
        "reference_price": [str(item.reference_price), "95.50"],
    }


def test_update_that_changes_nothing_records_no_event(personas, catalogue):
    # given
    item = catalogue.draft.items.get(code="A03-05")

    # when
    services.service_item_update(
        actor=personas.officer, item=item, data={"name": item.name}
    )

    # then
    assert not events("catalogue_item.update", item).exists()


def test_deletes_an_item_on_a_draft_and_records_it(personas, catalogue):
    # given
    item = catalogue.draft.items.get(code="A03-05")
    pk = item.pk

    # when
    services.service_item_delete(actor=personas.admin, item=item)

    # then
    assert not ServiceItem.objects.filter(pk=pk).exists()
    [event] = AuditEvent.objects.filter(action="catalogue_item.delete", object_id=pk)
    assert event.payload["item"]["code"] == "A03-05"
    assert event.scope == catalogue.draft.region.path


def test_rejects_an_item_that_breaks_the_rules(personas, catalogue):
    # given
    count = catalogue.draft.items.count()

    # when
    with pytest.raises(ValidationFailed) as exc:
        services.service_item_create(
            actor=personas.officer,
            version=catalogue.draft,
            data=item_payload(outsource_scope="aux_only", allowed_steps=[]),
        )

    # then
    assert "allowed_steps" in exc.value.fields
    assert catalogue.draft.items.count() == count
    assert not events("catalogue_item.create").exists()


def test_rejects_a_code_taken_in_the_draft(personas, catalogue):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.service_item_create(
            actor=personas.officer,
            version=catalogue.draft,
            data=item_payload(code="A03-05"),
        )

    # then
    assert list(exc.value.fields) == ["code"]


def test_rejects_renaming_a_code_to_one_taken_in_the_draft(personas, catalogue):
    # given
    item = catalogue.draft.items.get(code="A03-05")

    # when
    with pytest.raises(ValidationFailed) as exc:
        services.service_item_update(
            actor=personas.officer, item=item, data={"code": "A03-01"}
        )

    # then
    assert list(exc.value.fields) == ["code"]
    item.refresh_from_db()
    assert item.code == "A03-05"


def _create(actor, version, item):
    return services.service_item_create(
        actor=actor, version=version, data=item_payload()
    )


def _update(actor, version, item):
    return services.service_item_update(
        actor=actor, item=item, data={"name": "改过的名称"}
    )


def _delete(actor, version, item):
    return services.service_item_delete(actor=actor, item=item)


ITEM_WRITES = pytest.mark.parametrize(
    "write", [_create, _update, _delete], ids=["create", "update", "delete"]
)


@ITEM_WRITES
@pytest.mark.parametrize("persona", ["officer", "admin"])
def test_refuses_item_writes_on_a_published_version(
    personas, catalogue, write, persona
):
    # given
    version = catalogue.published
    item = version.items.get(code="A03-05")
    before = snapshot(version)

    # when
    with pytest.raises(TransitionNotAllowed):
        write(getattr(personas, persona), version, item)

    # then
    assert snapshot(version) == before
    assert not AuditEvent.objects.filter(action__startswith="catalogue_item.").exists()


@ITEM_WRITES
def test_refuses_item_writes_on_an_archived_version(personas, orgs, domains, write):
    # given
    version = CatalogueVersionFactory(region=orgs.d1, year=2010, archived=True)
    item = ServiceItemFactory(version=version, domain=domains["A03"], code="A03-05")
    before = snapshot(version)

    # when
    with pytest.raises(TransitionNotAllowed):
        write(personas.officer, version, item)

    # then
    assert snapshot(version) == before


@ITEM_WRITES
@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_refuses_item_writes_by_someone_who_does_not_edit_the_catalogue(
    personas, catalogue, write, persona
):
    # given
    version = catalogue.draft
    item = version.items.get(code="A03-05")
    before = snapshot(version)

    # when
    with pytest.raises(NotPermitted):
        write(getattr(personas, persona), version, item)

    # then
    assert snapshot(version) == before


@pytest.mark.parametrize(
    ("method", "target"),
    [("post", "create"), ("patch", "update"), ("delete", "delete")],
)
def test_api_answers_409_for_item_writes_on_a_published_version(
    api, personas, catalogue, method, target
):
    # given
    item = catalogue.published.items.get(code="A03-05")
    before = snapshot(catalogue.published)
    if target == "create":
        url = reverse("api:catalogue-item-list")
        body = item_payload(version=catalogue.published.pk)
    else:
        url = reverse("api:catalogue-item-detail", args=[item.pk])
        body = {"name": "改过的名称"}

    # when
    response = getattr(api(personas.officer), method)(url, body, format="json")

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "transition_not_allowed"
    assert set(response.json()) == {"code", "detail", "fields"}
    assert snapshot(catalogue.published) == before


# --- stale and concurrent writes --------------------------------------------------------


def test_rejects_an_update_based_on_a_stale_copy(personas, catalogue):
    # given: two people open the same item; the first saves
    mine = catalogue.draft.items.get(code="A03-05")
    theirs = ServiceItem.objects.get(pk=mine.pk)
    services.service_item_update(
        actor=personas.admin, item=theirs, data={"name": "他人先保存的名称"}
    )

    # when
    with pytest.raises(StaleWrite):
        services.service_item_update(
            actor=personas.officer,
            item=mine,
            data={"name": "我的名称"},
            expected_updated_at=mine.updated_at,
        )

    # then
    mine.refresh_from_db()
    assert mine.name == "他人先保存的名称"
    assert events("catalogue_item.update", mine).count() == 1


def test_accepts_an_update_based_on_the_current_copy(personas, catalogue):
    # given
    item = catalogue.draft.items.get(code="A03-05")

    # when
    services.service_item_update(
        actor=personas.officer,
        item=item,
        data={"name": "我的名称"},
        expected_updated_at=item.updated_at,
    )

    # then
    item.refresh_from_db()
    assert item.name == "我的名称"


def _publish_first(version_pk):
    """A lock_one wrapper that lets another transaction publish the version just
    before this transaction locks it (the race of Saleor's race_condition.py)."""
    real = services.lock_one
    published = []
    racing = []

    def lock_one(model, pk):
        if not racing:
            racing.append(True)
            other_copy = CatalogueVersion.objects.get(pk=version_pk)
            published.append(
                services.catalogue_version_publish(actor=None, version=other_copy)
            )
        return real(model, pk)

    return lock_one, published


def test_item_update_loses_cleanly_to_a_concurrent_publish(personas, catalogue):
    # given: the officer's copies were read while the version was a draft
    item = ServiceItem.objects.select_related("version").get(
        version=catalogue.draft, code="A03-05"
    )
    assert item.version.status == VersionStatus.DRAFT
    before = snapshot(catalogue.draft)

    racing_lock, published = _publish_first(catalogue.draft.pk)

    # when: another transaction publishes between the read and the write
    with (
        mock.patch.object(services, "lock_one", side_effect=racing_lock),
        pytest.raises(TransitionNotAllowed),
    ):
        services.service_item_update(
            actor=personas.officer, item=item, data={"name": "太迟的修改"}
        )

    # then: (in one test connection the injected publish shares our rolled-back
    # transaction, so only the refusal and the untouched items are observable)
    assert [v.status for v in published] == [VersionStatus.PUBLISHED]
    assert snapshot(catalogue.draft) == before
    assert not events("catalogue_item.update").exists()


def test_item_create_loses_cleanly_to_a_concurrent_publish(personas, catalogue):
    # given
    stale = CatalogueVersion.objects.get(pk=catalogue.draft.pk)
    before = snapshot(catalogue.draft)

    racing_lock, published = _publish_first(catalogue.draft.pk)

    # when
    with (
        mock.patch.object(services, "lock_one", side_effect=racing_lock),
        pytest.raises(TransitionNotAllowed),
    ):
        services.service_item_create(
            actor=personas.officer, version=stale, data=item_payload()
        )

    # then
    assert len(published) == 1
    assert snapshot(catalogue.draft) == before


def test_item_update_with_a_stale_object_after_publish_is_refused(personas, catalogue):
    # given: the officer holds python objects read while it was a draft
    item = ServiceItem.objects.select_related("version").get(
        version=catalogue.draft, code="A03-05"
    )
    services.catalogue_version_publish(
        actor=personas.admin,
        version=CatalogueVersion.objects.get(pk=catalogue.draft.pk),
    )
    before = snapshot(catalogue.draft)

    # when
    with pytest.raises(TransitionNotAllowed):
        services.service_item_update(
            actor=personas.officer, item=item, data={"name": "太迟的修改"}
        )

    # then
    assert item.version.status == VersionStatus.DRAFT  # the stale copy
    assert snapshot(catalogue.draft) == before


def test_second_publish_of_the_same_draft_is_refused(personas, catalogue):
    # given
    first = CatalogueVersion.objects.get(pk=catalogue.draft.pk)
    second = CatalogueVersion.objects.get(pk=catalogue.draft.pk)
    services.catalogue_version_publish(actor=personas.officer, version=first)

    # when
    with pytest.raises(TransitionNotAllowed):
        services.catalogue_version_publish(actor=personas.admin, version=second)

    # then
    assert events("catalogue.publish", catalogue.draft).count() == 1


# --- publish and archive ----------------------------------------------------------------


def test_publishes_a_draft_and_records_the_transition(personas, catalogue):
    # when
    version = services.catalogue_version_publish(
        actor=personas.officer, version=catalogue.draft, comment="区政府常务会通过"
    )

    # then
    version.refresh_from_db()
    assert version.status == VersionStatus.PUBLISHED
    assert version.published_by == personas.officer
    assert version.published_at is not None
    [event] = events("catalogue.publish", version)
    assert (event.from_state, event.to_state) == (
        VersionStatus.DRAFT,
        VersionStatus.PUBLISHED,
    )
    assert event.actor == personas.officer
    assert event.comment == "区政府常务会通过"
    assert event.payload == {"items": 3}


def test_refuses_to_publish_an_empty_draft(personas, orgs):
    # given
    draft = CatalogueVersionFactory(region=orgs.d1, year=2020)

    # when
    with pytest.raises(Conflict) as exc:
        services.catalogue_version_publish(actor=personas.officer, version=draft)

    # then
    assert exc.value.code == "empty_catalogue"
    assert exc.value.status_code == 409
    draft.refresh_from_db()
    assert draft.status == VersionStatus.DRAFT
    assert not events("catalogue.publish").exists()


@pytest.mark.parametrize(
    "broken",
    [
        {"aux_only": True, "allowed_steps": []},
        {"aux_only": True, "deliverable": "低保审批决定书"},
        {"prohibited": True, "prohibited_reason": ""},
        {"matter_type": "penalty"},
        {"allowed_steps": ["acceptance"]},
    ],
    ids=[
        "aux-no-steps",
        "aux-decision",
        "prohibited-no-reason",
        "full-penalty",
        "full-steps",
    ],
)
def test_refuses_to_publish_a_draft_with_an_item_that_breaks_the_rules(
    personas, catalogue, domains, broken
):
    # given
    ServiceItemFactory(
        version=catalogue.draft, domain=domains["A03"], code="A03-60", **broken
    )

    # when
    with pytest.raises(Conflict) as exc:
        services.catalogue_version_publish(
            actor=personas.officer, version=catalogue.draft
        )

    # then
    assert exc.value.code == "catalogue_items_invalid"
    assert "A03-60" in str(exc.value.message)
    assert "A03-05" not in str(exc.value.message)
    catalogue.draft.refresh_from_db()
    assert catalogue.draft.status == VersionStatus.DRAFT


def test_publishes_a_draft_whose_items_only_have_warnings(personas, catalogue, domains):
    # given: per-head pricing is warned about, not blocked
    ServiceItemFactory(
        version=catalogue.draft,
        domain=domains["A03"],
        code="A03-60",
        unit="person_month",
    )

    # when
    version = services.catalogue_version_publish(
        actor=personas.officer, version=catalogue.draft
    )

    # then
    assert version.status == VersionStatus.PUBLISHED


@pytest.mark.parametrize("persona", NOT_EDITORS)
def test_refuses_publish_by_someone_who_does_not_edit_the_catalogue(
    personas, catalogue, persona
):
    # when
    with pytest.raises(NotPermitted):
        services.catalogue_version_publish(
            actor=getattr(personas, persona), version=catalogue.draft
        )

    # then
    catalogue.draft.refresh_from_db()
    assert catalogue.draft.status == VersionStatus.DRAFT


def test_refuses_to_publish_a_published_version(personas, catalogue):
    # when / then
    with pytest.raises(TransitionNotAllowed):
        services.catalogue_version_publish(
            actor=personas.officer, version=catalogue.published
        )


def test_archives_a_published_version_by_district_admin(personas, catalogue):
    # when
    version = services.catalogue_version_archive(
        actor=personas.admin, version=catalogue.published
    )

    # then
    version.refresh_from_db()
    assert version.status == VersionStatus.ARCHIVED
    assert version.archived_at is not None
    [event] = events("catalogue.archive", version)
    assert (event.from_state, event.to_state) == (
        VersionStatus.PUBLISHED,
        VersionStatus.ARCHIVED,
    )
    assert event.actor == personas.admin


@pytest.mark.parametrize("persona", ["officer", "other_officer", "outsider", "auditor"])
def test_refuses_archive_by_anyone_but_the_district_admin(personas, catalogue, persona):
    # when
    with pytest.raises(NotPermitted):
        services.catalogue_version_archive(
            actor=getattr(personas, persona), version=catalogue.published
        )

    # then
    catalogue.published.refresh_from_db()
    assert catalogue.published.status == VersionStatus.PUBLISHED
    assert not events("catalogue.archive").exists()


def test_refuses_to_archive_a_draft(personas, catalogue):
    # when / then
    with pytest.raises(TransitionNotAllowed):
        services.catalogue_version_archive(
            actor=personas.admin, version=catalogue.draft
        )


def test_drafts_from_an_archived_version(personas, catalogue):
    # given
    services.catalogue_version_archive(
        actor=personas.admin, version=catalogue.published
    )
    catalogue.published.refresh_from_db()

    # when
    draft = services.catalogue_version_draft(
        actor=personas.officer, source=catalogue.published, year=2018
    )

    # then
    assert draft.items.count() == catalogue.published.items.count()
