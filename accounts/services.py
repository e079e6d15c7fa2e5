"""Writes to the organisation tree and memberships. Every write is audited."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import audit_record
from core.exceptions import Conflict, ValidationFailed

from .choices import ALLOWED_PARENTS, ROLE_ORGANISATION_KINDS, OrganisationKind, Role
from .models import ApiToken, Membership, Notification, Organisation, User
from .permissions import (
    can_manage_api_tokens,
    can_manage_memberships,
    can_manage_organisation,
)

EDITABLE_ORG_FIELDS = ("name", "short_name", "address", "contact_phone", "is_active")


def _check_parent(kind: str, parent: Organisation | None) -> None:
    allowed = ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise ValidationFailed(fields={"kind": [_("未知的组织类型。")]})
    if parent is None and allowed:
        raise ValidationFailed(fields={"parent": [_("该类型的组织必须有上级组织。")]})
    if parent is not None and parent.kind not in allowed:
        raise ValidationFailed(
            fields={
                "parent": [
                    _("“%(kind)s”不能设在“%(parent)s”之下。")
                    % {
                        "kind": OrganisationKind(kind).label,
                        "parent": parent.get_kind_display(),
                    }
                ]
            }
        )


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    parent: Organisation | None,
    code: str,
    name: str,
    kind: str,
    short_name: str = "",
    **extra: Any,
) -> Organisation:
    """Create an organisation under `parent`.

    Raises:
        NotPermitted: the actor does not administer the parent's district.
        ValidationFailed: bad kind for the parent, duplicate or empty code or name.
    """
    if actor is not None and parent is not None:
        can_manage_organisation(actor, parent).raise_if_denied()
    code = (code or "").strip()
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not code:
        errors["code"] = [_("请填写编码。")]
    elif "/" in code:
        errors["code"] = [_("编码不能包含“/”。")]
    elif Organisation.objects.filter(code=code).exists():
        errors["code"] = [_("编码“%(code)s”已被使用。") % {"code": code}]
    if not name:
        errors["name"] = [_("请填写名称。")]
    if errors:
        raise ValidationFailed(fields=errors)
    _check_parent(kind, parent)
    org = Organisation(
        parent=parent,
        code=code,
        name=name,
        kind=kind,
        short_name=short_name.strip(),
        **extra,
    )
    org.path = org.compute_path()
    org.save()
    audit_record(
        actor=actor,
        action="organisation.create",
        obj=org,
        payload={"code": code, "kind": kind},
    )
    return org


@transaction.atomic
def organisation_update(
    *, actor: User | None, organisation: Organisation, **changes: Any
) -> Organisation:
    """Change the editable fields of an organisation (not its code, kind or place).

    Raises:
        NotPermitted: the actor does not administer it.
        ValidationFailed: an empty name or an unknown field.
    """
    if actor is not None:
        can_manage_organisation(actor, organisation).raise_if_denied()
    unknown = set(changes) - set(EDITABLE_ORG_FIELDS)
    if unknown:
        raise ValidationFailed(
            fields={f: [_("该字段不可修改。")] for f in sorted(unknown)}
        )
    if "name" in changes and not str(changes["name"]).strip():
        raise ValidationFailed(fields={"name": [_("请填写名称。")]})
    before = {f: getattr(organisation, f) for f in changes}
    for field, value in changes.items():
        setattr(organisation, field, value.strip() if isinstance(value, str) else value)
    organisation.save(update_fields=[*changes.keys(), "updated_at"])
    diff = {
        f: [before[f], getattr(organisation, f)]
        for f in changes
        if before[f] != getattr(organisation, f)
    }
    if diff:
        audit_record(
            actor=actor,
            action="organisation.update",
            obj=organisation,
            payload={"changes": diff},
        )
    return organisation


@transaction.atomic
def membership_grant(
    *, actor: User | None, user: User, organisation: Organisation, role: str
) -> Membership:
    """Give `user` the `role` at `organisation`.

    Raises:
        NotPermitted: the actor does not administer the organisation.
        ValidationFailed: the role does not fit the organisation's kind, or is held already.
    """
    if actor is not None:
        can_manage_memberships(actor, organisation).raise_if_denied()
    if role not in Role.values:
        raise ValidationFailed(fields={"role": [_("未知的角色。")]})
    if organisation.kind not in ROLE_ORGANISATION_KINDS[role]:
        raise ValidationFailed(
            fields={
                "role": [
                    _("“%(role)s”不能授予在“%(kind)s”类型的组织。")
                    % {
                        "role": Role(role).label,
                        "kind": organisation.get_kind_display(),
                    }
                ]
            }
        )
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                user=user,
                organisation=organisation,
                role=role,
                granted_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:
        raise ValidationFailed(fields={"role": [_("该用户已拥有此角色。")]}) from exc
    audit_record(
        actor=actor,
        action="membership.grant",
        obj=membership,
        payload={"user": user.username, "role": role},
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: User | None, membership: Membership) -> None:
    """Remove a role.

    Raises:
        NotPermitted: the actor does not administer the organisation.
        ValidationFailed: the actor would remove their own last district-admin role.
    """
    if actor is not None:
        can_manage_memberships(actor, membership.organisation).raise_if_denied()
        if membership.user_id == actor.pk and membership.role == Role.DISTRICT_ADMIN:
            others = Membership.objects.filter(
                user=actor, role=Role.DISTRICT_ADMIN
            ).exclude(pk=membership.pk)
            if not others.exists():
                raise ValidationFailed(
                    _("不能撤销自己唯一的区级管理员角色。"), code="last_admin_role"
                )
    audit_record(
        actor=actor,
        action="membership.revoke",
        obj=membership,
        payload={"user": membership.user.username, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    display_name: str,
    password: str,
    organisation: Organisation,
    role: str,
    email: str = "",
) -> User:
    """Create an account with one role.

    Raises:
        NotPermitted: the actor does not administer the organisation.
        ValidationFailed: a taken username, a weak password or a role that does not fit.
    """
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if actor is not None:
        can_manage_memberships(actor, organisation).raise_if_denied()
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("请填写用户名。")]
    elif User.objects.filter(username=username).exists():
        errors["username"] = [_("用户名“%(name)s”已被使用。") % {"name": username}]
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationFailed(fields=errors)
    user = User(username=username, display_name=display_name.strip(), email=email)
    user.set_password(password)
    user.save()
    audit_record(actor=actor, action="user.create", obj=user, scope=organisation.path)
    membership_grant(actor=actor, user=user, organisation=organisation, role=role)
    return user


def notify(
    *, users: list[User], verb: str, title: str, body: str = "", link: str = ""
) -> list[Notification]:
    """Leave an in-app notification for each user and email those with an address
    (after the transaction commits, so a rolled-back change sends nothing)."""
    from django.conf import settings
    from django.core.mail import send_mass_mail

    unique = {u.pk: u for u in users if u is not None and u.is_active}
    rows = Notification.objects.bulk_create(
        [
            Notification(
                user=u, verb=verb, title=title[:200], body=body, link=link[:300]
            )
            for u in unique.values()
        ]
    )
    mails = [
        (title, f"{body}\n\n{link}".strip(), settings.DEFAULT_FROM_EMAIL, [u.email])
        for u in unique.values()
        if u.email
    ]
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return rows


@transaction.atomic
def notification_mark_read(
    *, user: User, notification_ids: list[int] | None = None
) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    from django.utils import timezone

    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


# --- read-only API tokens of street offices ------------------------------------------

API_KEY_PREFIX = "spt_"


@transaction.atomic
def api_token_create(
    *, actor: User | None, street: Organisation, name: str
) -> tuple[ApiToken, str]:
    """Create a read-only API token for `street` and return it with its key.

    The key is returned here only: the database keeps its sha256 and a visible
    prefix, so a lost key cannot be shown again (revoke it and create a new one).

    Raises:
        NotPermitted: the actor is not a district administrator of the street.
        ValidationFailed: no name, or the organisation is not an active street office.
    """
    if actor is not None:
        can_manage_api_tokens(actor, street).raise_if_denied()
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("请填写名称。")]
    elif len(name) > 100:
        errors["name"] = [_("名称不能超过100个字。")]
    if street.kind != OrganisationKind.STREET or not street.is_active:
        errors["street"] = [_("只能为启用中的街道办事处创建 API 令牌。")]
    if errors:
        raise ValidationFailed(fields=errors)
    key = API_KEY_PREFIX + secrets.token_urlsafe(32)
    # The principal the token's requests act as: no password, no roles.
    principal = User(
        username=f"api-token-{secrets.token_hex(8)}",
        display_name=name,
        is_active=True,
    )
    principal.set_unusable_password()
    principal.save()
    token = ApiToken.objects.create(
        name=name,
        street=street,
        user=principal,
        prefix=key[:12],
        key_hash=ApiToken.hash_key(key),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="api_token.create",
        obj=token,
        payload={"name": name, "street": street.code, "prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> ApiToken:
    """Revoke a token: from now on its key is refused (401).

    Raises:
        NotPermitted: the actor is not a district administrator of the token's street.
        Conflict: the token was revoked already.
    """
    token = (
        ApiToken.objects.select_for_update()
        .select_related("street", "user")
        .get(pk=token.pk)
    )
    if actor is not None:
        can_manage_api_tokens(actor, token.street).raise_if_denied()
    if token.revoked_at is not None:
        raise Conflict(_("该 API 令牌已撤销。"), code="already_revoked")
    token.revoked_at = timezone.now()
    token.revoked_by = actor if getattr(actor, "pk", None) else None
    token.save(update_fields=["revoked_at", "revoked_by"])
    User.objects.filter(pk=token.user_id).update(is_active=False)
    audit_record(
        actor=actor,
        action="api_token.revoke",
        obj=token,
        from_state="active",
        to_state="revoked",
        payload={"prefix": token.prefix},
    )
    return token
