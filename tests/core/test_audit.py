"""The audit trail is append-only, and PostgreSQL itself enforces it."""

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from core.events import audit_events_for, audit_record
from core.models import AuditEvent


@pytest.fixture
def event(orgs, personas):
    return audit_record(
        actor=personas.admin,
        action="organisation.update",
        obj=orgs.c1,
        payload={"x": 1},
    )


def test_records_actor_object_and_scope(event, orgs, personas):
    assert event.actor == personas.admin
    assert event.object_id == str(orgs.c1.pk)
    assert event.scope == orgs.c1.path
    assert list(audit_events_for(orgs.c1)) == [event]


def test_system_actor_is_recorded_as_system(orgs):
    event = audit_record(actor=None, action="x.y", obj=orgs.c1)
    assert event.actor is None
    assert event.actor_repr == "system"


def test_model_refuses_to_change_or_delete(event):
    event.comment = "tampered"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"
)
def test_postgresql_refuses_update(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(comment="tampered")
    event.refresh_from_db()
    assert event.comment == ""


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger is PostgreSQL's"
)
def test_postgresql_refuses_delete_even_in_raw_sql(event):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_auditor_sees_events_of_the_district_and_officer_only_his_street(
    event, personas, orgs
):
    other = audit_record(actor=None, action="organisation.update", obj=orgs.c2)
    assert set(AuditEvent.objects.visible_to(personas.auditor)) >= {event, other}
    assert event in AuditEvent.objects.visible_to(personas.officer)
    assert other not in AuditEvent.objects.visible_to(personas.officer)
