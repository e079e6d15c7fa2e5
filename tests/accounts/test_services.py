"""Writes to the organisation tree, memberships and users; who sees which organisation."""

from __future__ import annotations

import pytest

from accounts import services
from accounts.choices import OrganisationKind as K
from accounts.choices import Role
from accounts.models import Membership, Organisation, User
from core.exceptions import NotPermitted, ValidationFailed
from core.models import AuditEvent

from ..factories import DEMO_PASSWORD, MembershipFactory, UserFactory

STRONG = "Tiefo-community-2015!"


def events_for(obj, action: str):
    return AuditEvent.objects.filter(action=action, object_id=str(obj.pk))


# --- organisations ----------------------------------------------------------------------


def test_creates_a_street_under_a_district_and_records_it(personas, orgs):
    # when
    street = services.organisation_create(
        actor=personas.admin,
        parent=orgs.d1,
        code="D1-S9",
        name="新设街道办事处",
        kind=K.STREET,
        short_name=" 新设街道 ",
    )

    # then
    assert street.path == f"{orgs.d1.path}D1-S9/"
    assert street.short_name == "新设街道"
    [event] = events_for(street, "organisation.create")
    assert event.actor == personas.admin
    assert event.payload == {"code": "D1-S9", "kind": "street"}
    assert event.scope == street.path


@pytest.mark.parametrize(
    ("kind", "parent"),
    [
        (K.COMMUNITY, "d1"),  # a community sits under a street
        (K.STREET, "s1"),  # a street sits under a district
        (K.RESIDENT_UNIT, "d1"),
        (K.EXPERT_POOL, "s1"),
        (K.DISTRICT, "d1"),
    ],
)
def test_rejects_a_kind_that_does_not_fit_its_parent(personas, orgs, kind, parent):
    # given
    count = Organisation.objects.count()

    # when
    with pytest.raises(ValidationFailed) as exc:
        services.organisation_create(
            actor=personas.admin,
            parent=getattr(orgs, parent),
            code="NEW-1",
            name="新组织",
            kind=kind,
        )

    # then
    assert list(exc.value.fields) == ["parent"]
    assert Organisation.objects.count() == count
    assert not AuditEvent.objects.filter(action="organisation.create").exists()


def test_rejects_a_district_without_a_parent(db):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.organisation_create(
            actor=None, parent=None, code="X1", name="无上级区", kind=K.DISTRICT
        )

    # then
    assert list(exc.value.fields) == ["parent"]


def test_rejects_an_unknown_kind(personas, orgs):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.organisation_create(
            actor=personas.admin, parent=orgs.d1, code="X1", name="某", kind="village"
        )

    # then
    assert list(exc.value.fields) == ["kind"]


@pytest.mark.parametrize(
    ("code", "name", "fields"),
    [
        ("D1-S1", "重复编码的街道", {"code"}),
        ("  ", "没有编码", {"code"}),
        ("D1/S9", "带斜杠的编码", {"code"}),
        ("D1-S9", "  ", {"name"}),
        ("D1-S1", "", {"code", "name"}),
    ],
)
def test_rejects_bad_code_or_name(personas, orgs, code, name, fields):
    # given
    count = Organisation.objects.count()

    # when
    with pytest.raises(ValidationFailed) as exc:
        services.organisation_create(
            actor=personas.admin, parent=orgs.d1, code=code, name=name, kind=K.STREET
        )

    # then
    assert set(exc.value.fields) == fields
    assert Organisation.objects.count() == count


@pytest.mark.parametrize("persona", ["officer", "outsider", "auditor", "community"])
def test_rejects_organisation_create_by_someone_who_does_not_administer_the_district(
    personas, orgs, persona
):
    # when / then
    with pytest.raises(NotPermitted):
        services.organisation_create(
            actor=getattr(personas, persona),
            parent=orgs.s1,
            code="D1-S1-C9",
            name="新社区",
            kind=K.COMMUNITY,
        )
    assert not Organisation.objects.filter(code="D1-S1-C9").exists()


def test_updates_an_organisation_and_records_the_changes(personas, orgs):
    # when
    services.organisation_update(
        actor=personas.admin, organisation=orgs.c1, name="铁佛社区居委会", address=""
    )

    # then
    orgs.c1.refresh_from_db()
    assert orgs.c1.name == "铁佛社区居委会"
    [event] = events_for(orgs.c1, "organisation.update")
    assert event.payload == {"changes": {"name": ["铁佛社区", "铁佛社区居委会"]}}


def test_rejects_changing_an_organisation_code(personas, orgs):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.organisation_update(
            actor=personas.admin, organisation=orgs.c1, code="X"
        )

    # then
    assert list(exc.value.fields) == ["code"]
    orgs.c1.refresh_from_db()
    assert orgs.c1.code == "D1-S1-C1"


# --- memberships ------------------------------------------------------------------------


def test_grants_a_role_that_fits_and_records_it(personas, orgs):
    # given
    user = UserFactory()

    # when
    membership = services.membership_grant(
        actor=personas.admin, user=user, organisation=orgs.c1, role=Role.COMMUNITY_STAFF
    )

    # then
    assert membership.granted_by == personas.admin
    assert user.roles() == {Role.COMMUNITY_STAFF}
    [event] = events_for(membership, "membership.grant")
    assert event.payload == {"user": user.username, "role": "community_staff"}
    assert event.scope == orgs.c1.path


@pytest.mark.parametrize(
    ("role", "org"),
    [
        (Role.STREET_OFFICER, "c1"),
        (Role.COMMUNITY_STAFF, "s1"),
        (Role.DISTRICT_ADMIN, "s1"),
        (Role.EXPERT, "d1"),
        (Role.VENDOR_STAFF, "c1"),
        (Role.DEPARTMENT_STAFF, "unit1"),
    ],
)
def test_rejects_a_role_that_does_not_fit_the_organisation(personas, orgs, role, org):
    # given
    user = UserFactory()

    # when
    with pytest.raises(ValidationFailed) as exc:
        services.membership_grant(
            actor=personas.admin, user=user, organisation=getattr(orgs, org), role=role
        )

    # then
    assert list(exc.value.fields) == ["role"]
    assert not Membership.objects.filter(user=user).exists()


def test_rejects_an_unknown_role(personas, orgs):
    with pytest.raises(ValidationFailed) as exc:
        services.membership_grant(
            actor=personas.admin, user=UserFactory(), organisation=orgs.s1, role="mayor"
        )
    assert list(exc.value.fields) == ["role"]


def test_rejects_a_role_held_already(personas, orgs):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.membership_grant(
            actor=personas.admin,
            user=personas.officer,
            organisation=orgs.s1,
            role=Role.STREET_OFFICER,
        )

    # then
    assert list(exc.value.fields) == ["role"]
    assert Membership.objects.filter(user=personas.officer).count() == 1
    assert not AuditEvent.objects.filter(action="membership.grant").exists()


def test_rejects_a_grant_by_another_district(personas, orgs):
    with pytest.raises(NotPermitted):
        services.membership_grant(
            actor=personas.outsider,
            user=UserFactory(),
            organisation=orgs.s1,
            role=Role.STREET_OFFICER,
        )


def test_revokes_a_role_and_records_it(personas, orgs):
    # given
    membership = Membership.objects.get(user=personas.community)
    pk = membership.pk

    # when
    services.membership_revoke(actor=personas.admin, membership=membership)

    # then
    assert not Membership.objects.filter(pk=pk).exists()
    [event] = AuditEvent.objects.filter(action="membership.revoke", object_id=str(pk))
    assert event.payload == {
        "user": personas.community.username,
        "role": "community_staff",
    }


def test_cannot_revoke_own_last_district_admin_role(personas, orgs):
    # given
    own = Membership.objects.get(user=personas.admin, role=Role.DISTRICT_ADMIN)

    # when
    with pytest.raises(ValidationFailed) as exc:
        services.membership_revoke(actor=personas.admin, membership=own)

    # then
    assert exc.value.code == "last_admin_role"
    assert Membership.objects.filter(pk=own.pk).exists()
    assert not AuditEvent.objects.filter(action="membership.revoke").exists()


def test_can_revoke_own_district_admin_role_while_holding_another(personas, orgs):
    # given
    MembershipFactory(
        user=personas.admin, organisation=orgs.d2, role=Role.DISTRICT_ADMIN
    )
    own = Membership.objects.get(
        user=personas.admin, organisation=orgs.d1, role=Role.DISTRICT_ADMIN
    )

    # when
    services.membership_revoke(actor=personas.admin, membership=own)

    # then
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_can_revoke_another_admins_district_admin_role(personas, orgs):
    # given
    colleague = MembershipFactory(organisation=orgs.d1, role=Role.DISTRICT_ADMIN)

    # when
    services.membership_revoke(actor=personas.admin, membership=colleague)

    # then
    assert not Membership.objects.filter(pk=colleague.pk).exists()


# --- users ------------------------------------------------------------------------------


def test_creates_a_user_with_one_role(personas, orgs):
    # when
    user = services.user_create(
        actor=personas.admin,
        username="zhang.san",
        display_name=" 张三 ",
        password=STRONG,
        organisation=orgs.c1,
        role=Role.COMMUNITY_STAFF,
    )

    # then
    user.refresh_from_db()
    assert user.display_name == "张三"
    assert user.check_password(STRONG)
    assert user.has_demo_password is False
    assert user.roles() == {Role.COMMUNITY_STAFF}
    assert events_for(user, "user.create").get().scope == orgs.c1.path
    assert AuditEvent.objects.filter(action="membership.grant").count() == 1


@pytest.mark.parametrize("password", ["123", "password", "zhang.san.1", "12345678901"])
def test_rejects_a_weak_password(personas, orgs, password):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(
            actor=personas.admin,
            username="zhang.san",
            display_name="张三",
            password=password,
            organisation=orgs.c1,
            role=Role.COMMUNITY_STAFF,
        )

    # then
    assert list(exc.value.fields) == ["password"]
    assert exc.value.fields["password"]
    assert not User.objects.filter(username="zhang.san").exists()


def test_rejects_a_taken_username(personas, orgs):
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(
            actor=personas.admin,
            username=personas.officer.username,
            display_name="重名",
            password=STRONG,
            organisation=orgs.c1,
            role=Role.COMMUNITY_STAFF,
        )
    assert list(exc.value.fields) == ["username"]


def test_creates_no_user_when_the_role_does_not_fit(personas, orgs):
    # when
    with pytest.raises(ValidationFailed) as exc:
        services.user_create(
            actor=personas.admin,
            username="li.si",
            display_name="李四",
            password=STRONG,
            organisation=orgs.c1,
            role=Role.STREET_OFFICER,
        )

    # then
    assert list(exc.value.fields) == ["role"]
    assert not User.objects.filter(username="li.si").exists()
    assert not AuditEvent.objects.filter(action="user.create").exists()


def test_demo_password_flag_follows_the_password(db):
    # given
    user = UserFactory()
    assert user.has_demo_password is False

    # when
    user.set_password(DEMO_PASSWORD)
    user.save()

    # then
    user.refresh_from_db()
    assert user.has_demo_password is True
    user.set_password(STRONG)
    user.save()
    user.refresh_from_db()
    assert user.has_demo_password is False


# --- visibility -------------------------------------------------------------------------


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_officer_sees_own_street_its_subtree_and_the_jurisdictions_above(
    personas, orgs
):
    # when
    visible = codes(Organisation.objects.visible_to(personas.officer))

    # then
    assert {orgs.s1.code, orgs.c1.code, orgs.dep1.code, orgs.unit1.code} <= visible
    assert {
        orgs.nation.code,
        orgs.province.code,
        orgs.city.code,
        orgs.d1.code,
    } <= visible
    assert not {orgs.s2.code, orgs.c2.code, orgs.d2.code, orgs.s3.code} & visible
    assert not {orgs.pool.code, orgs.vendor.code} & visible


def test_other_officer_sees_the_other_street_only(personas, orgs):
    # when
    visible = codes(Organisation.objects.visible_to(personas.other_officer))

    # then
    assert {orgs.s2.code, orgs.c2.code} <= visible
    assert not {orgs.s1.code, orgs.c1.code} & visible


def test_district_admin_sees_the_whole_district_but_not_the_next(personas, orgs):
    # when
    visible = codes(Organisation.objects.visible_to(personas.admin))

    # then
    under_d1 = codes(Organisation.objects.filter(path__startswith=orgs.d1.path))
    assert under_d1 <= visible
    assert not {orgs.d2.code, orgs.s3.code} & visible


def test_only_district_admins_may_change_organisations(personas, orgs):
    # when / then
    assert not Organisation.objects.visible_to(personas.officer, "change").exists()
    assert codes(Organisation.objects.visible_to(personas.admin, "change")) == codes(
        Organisation.objects.filter(path__startswith=orgs.d1.path)
    )


def test_anonymous_sees_no_organisation(orgs):
    from django.contrib.auth.models import AnonymousUser

    assert not Organisation.objects.visible_to(AnonymousUser()).exists()
    assert not Organisation.objects.visible_to(None).exists()
