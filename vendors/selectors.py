"""Reads of the supplier register, shared by HTML, API and tasks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.exceptions import NotFound

from .choices import INCUBATED_STATUSES, Standing
from .models import (
    CreditCheck,
    EligibilityDocument,
    Vendor,
    VendorChangeRequest,
    VendorStanding,
)


def vendor_list_for_user(user: Any, on: dt.date | None = None) -> QuerySet[Vendor]:
    """The vendors the user may see, with what the list shows.

    The figures are correlated subqueries, not joined aggregates: the database works
    them out only for the rows of the page, and the pagination count skips them.
    """
    from django.utils import timezone

    today = on or timezone.localdate()
    docs = EligibilityDocument.objects.filter(vendor=OuterRef("pk"))
    expired = (
        docs.filter(valid_until__lt=today)
        .values("vendor")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Vendor.objects.visible_to(user, "view")
        .select_related("organisation")
        .prefetch_related("streets")
        .annotate(
            expired_documents=Coalesce(Subquery(expired), 0),
            next_expiry=Subquery(
                docs.filter(valid_until__gte=today)
                .order_by("valid_until")
                .values("valid_until")[:1]
            ),
            last_checked=Subquery(
                CreditCheck.objects.filter(vendor=OuterRef("pk"))
                .order_by("-checked_at")
                .values("checked_at")[:1]
            ),
        )
        .order_by("organisation__code")
    )


def vendor_get_for_user(pk: int | str, user: Any, action: str = "view") -> Vendor:
    """Raises:
    NotFound: the vendor does not exist or is not visible to the user.
    """
    try:
        return (
            Vendor.objects.visible_to(user, action)
            .select_related("organisation", "organisation__parent")
            .get(pk=pk)
        )
    except (Vendor.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def vendor_for_staff(user: Any) -> Vendor | None:
    """The vendor a vendor_staff user belongs to (the portal's home)."""
    from accounts.choices import Role

    org_ids = [
        m.organisation_id
        for m in user.active_memberships()
        if m.role == Role.VENDOR_STAFF
    ]
    return (
        Vendor.objects.select_related("organisation")
        .filter(organisation_id__in=org_ids)
        .order_by("pk")
        .first()
    )


def documents_expired_unnotified(on: dt.date) -> QuerySet[EligibilityDocument]:
    """Documents that expired before `on` and whose current expiry was not notified
    yet (a document renewed and expired again is notified anew)."""
    return (
        EligibilityDocument.objects.filter(valid_until__lt=on)
        .filter(
            Q(expiry_notified_on__isnull=True)
            | Q(expiry_notified_on__lte=F("valid_until"))
        )
        .select_related("vendor", "vendor__organisation")
        .order_by("pk")
    )


def change_request_get_for_user(pk: int | str, user: Any) -> VendorChangeRequest:
    """Raises:
    NotFound: the request does not exist or its vendor is not visible to the user.
    """
    try:
        return VendorChangeRequest.objects.select_related(
            "vendor", "vendor__organisation"
        ).get(pk=pk, vendor__in=Vendor.objects.visible_to(user, "view"))
    except (VendorChangeRequest.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def incubation_ties(vendor: Vendor) -> list[dict[str, Any]]:
    """Who incubated this vendor (INC-09): each centre's operator and staff. Procurement
    and assessment use it to keep them from judging the organisations they incubated."""
    from .models import IncubationApplication

    ties = []
    apps = (
        IncubationApplication.objects.filter(
            vendor=vendor, status__in=INCUBATED_STATUSES
        )
        .select_related("round__centre__operator__organisation")
        .prefetch_related("round__centre__staff_accounts")
        .order_by("pk")
    )
    for app in apps:
        centre = app.round.centre
        ties.append(
            {
                "centre": centre.name,
                "operator": centre.operator.name if centre.operator else "",
                "operator_id": centre.operator_id,
                "operator_organisation_id": (
                    centre.operator.organisation_id if centre.operator else None
                ),
                "staff": [s.get("name", "") for s in centre.staff],
                "staff_accounts": [u.pk for u in centre.staff_accounts.all()],
                "status": app.status,
            }
        )
    return ties


def vendors_incubated_by(operator: Vendor) -> QuerySet[Vendor]:
    """The organisations incubated in centres this vendor operates (INC-09)."""
    return Vendor.objects.filter(
        incubations__round__centre__operator=operator,
        incubations__status__in=INCUBATED_STATUSES,
    ).distinct()


def incubation_conflict_reasons(
    user: Any, vendor: Vendor, ties: list[dict[str, Any]] | None = None
) -> list[str]:
    """Why `user` may not judge `vendor` because of incubation (INC-09): they work
    for the centre that incubated it (a linked account, or the same name on the
    centre's staff list), or for the organisation that operates that centre. Empty
    when there is no tie. Procurement committees and assessment panels call it."""
    reasons: list[str] = []
    own_orgs = {
        m.organisation_id
        for m in user.active_memberships()
        if m.role == Role.VENDOR_STAFF
    }
    name = str(user)
    for tie in incubation_ties(vendor) if ties is None else ties:
        found = []
        if user.pk in tie["staff_accounts"] or name in tie["staff"]:
            found.append(
                _("%(user)s 是孵化该组织的“%(centre)s”的工作人员（INC-09）。")
                % {"user": name, "centre": tie["centre"]}
            )
        if tie["operator_organisation_id"] in own_orgs:
            found.append(
                _("%(user)s 所在的%(op)s运营孵化该组织的“%(centre)s”（INC-09）。")
                % {"user": name, "op": tie["operator"], "centre": tie["centre"]}
            )
        # Incubated twice by the same centre is still one reason.
        reasons.extend(r for r in found if r not in reasons)
    return reasons


def vendor_standing(
    vendor: Vendor, district: Any, on: dt.date
) -> VendorStanding | None:
    """The organisation's latest standing on the district's admission list decided
    on or before `on` (None when it was never listed)."""
    return (
        VendorStanding.objects.filter(
            vendor=vendor, district=district, decided_on__lte=on
        )
        .order_by("-year", "-decided_on")
        .first()
    )


def standings_for(
    vendor_ids: Any, district: Any, on: dt.date
) -> dict[int, VendorStanding]:
    """The latest standing of each of these organisations, in one query (for the
    bidder lists of 公开招标 and 磋商, where it is shown and never enforced)."""
    out: dict[int, VendorStanding] = {}
    for s in VendorStanding.objects.filter(
        vendor_id__in=list(vendor_ids), district=district, decided_on__lte=on
    ).order_by("year", "decided_on"):
        out[s.vendor_id] = s
    return out


def bixuan_bar_reason(vendor: Vendor, district: Any, on: dt.date) -> str:
    """Why the organisation may not be invited to a 比选 of this district on `on`:
    it was eliminated from the admission list and its cooling-off date has not
    passed. Empty when it may. 比选 only: inside 政府采购 a list may not gate bidding
    (PM-12)."""
    s = vendor_standing(vendor, district, on)
    if (
        s is not None
        and s.standing == Standing.ELIMINATE
        and s.cooling_off_until is not None
        and on < s.cooling_off_until
    ):
        return _(
            "该组织在%(year)s年度准入名单中被淘汰，%(until)s前不得受邀参加比选。"
        ) % {"year": s.year, "until": s.cooling_off_until.isoformat()}
    return ""
