"""Reads of organisations and memberships, shared by HTML, API and tasks."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from core.exceptions import NotFound

from .choices import OrganisationKind
from .models import Membership, Organisation, User


def organisation_list_for_user(
    user: User, action: str = "view"
) -> QuerySet[Organisation]:
    return (
        Organisation.objects.visible_to(user, action)
        .select_related("parent")
        .annotate(member_count=Count("memberships", distinct=True))
        .order_by("path")
    )


def organisation_get_for_user(
    pk: object, user: User, action: str = "view"
) -> Organisation:
    """Raises:
    NotFound: when the organisation does not exist or is outside the user's scope.
    """
    try:
        return (
            Organisation.objects.visible_to(user, action)
            .select_related("parent")
            .get(pk=pk)
        )
    except (Organisation.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def membership_list_for_organisation(org: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=org).select_related(
        "user", "organisation", "granted_by"
    )


def membership_get_for_user(
    pk: int | str, user: User, action: str = "change"
) -> Membership:
    """Raises:
    NotFound: when the membership's organisation is not visible for `action`.
    """
    orgs = Organisation.objects.visible_to(user, action)
    try:
        return Membership.objects.select_related("user", "organisation").get(
            pk=pk, organisation__in=orgs
        )
    except (Membership.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def streets_of_users_districts(user: User) -> QuerySet[Organisation]:
    """The street offices of the districts the user belongs to (filter choices)."""
    q = Q(pk__in=[])
    for path in user.district_paths():
        q |= Q(path__startswith=path)
    return Organisation.objects.filter(q, kind=OrganisationKind.STREET).order_by("code")
