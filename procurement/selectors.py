"""Reads for pages, the API and exports: what each user may see of procurement.

Bids are sealed until the opening service has run (`project.opened_at`): before it,
every reader (the buyer, superusers, the bidder itself) gets who bid and when, and
nothing of what a bid says; `bid_content_visible` is the one test of that.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from core.exceptions import NotFound
from vendors.choices import VendorStatus
from vendors.models import Vendor, VendorStanding
from vendors.permissions import is_vendor_staff
from vendors.selectors import standings_for

from .choices import LIVE_BID_STATUSES, BidStatus, MemberStatus, SheetStatus
from .models import (
    Bid,
    BidFile,
    CommitteeMember,
    Invitation,
    Lot,
    Notice,
    ProcurementProject,
    ScoreSheet,
)
from .permissions import can_manage_project, committee_seat


def project_list_for_user(user: Any) -> QuerySet[ProcurementProject]:
    # Visibility joins the committee; filtering by pk keeps that join out of the
    # sums of `for_list` (a budget counted once per committee member otherwise).
    visible = ProcurementProject.objects.visible_to(user).values("pk")
    qs = ProcurementProject.objects.filter(pk__in=visible)
    return qs.for_list()


def project_get_for_user(pk: Any, user: Any) -> ProcurementProject:
    """The project if the user may see it; NotFound otherwise (never a 403 that
    tells an outsider the project exists)."""
    try:
        return (
            ProcurementProject.objects.visible_to(user)
            .select_related("buyer", "district", "catalogue_version")
            .prefetch_related(
                Prefetch(
                    "committee", queryset=CommitteeMember.objects.select_related("user")
                )
            )
            .distinct()
            .get(pk=int(pk))
        )
    except (ProcurementProject.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def is_buyer_reader(user: Any, project: ProcurementProject) -> bool:
    """The buyer's officers and the staff who read its files (not vendors, not experts)."""
    from .models import READER_ROLES

    return bool(can_manage_project(user, project)) or user.has_role(
        *READER_ROLES, at_path=project.buyer.path
    )


def bid_content_visible(project: ProcurementProject) -> bool:
    """Whether any reader may see what bids say: only after the opening."""
    return project.opened_at is not None


def bids_for(user: Any, project: ProcurementProject) -> list[Bid]:
    """The bids a user may know of: the buyer's staff all of them, a vendor its own,
    a committee member the opened ones. Sealed content is never in these rows until
    the opening has run."""
    qs = project.bids.select_related("vendor__organisation").order_by(
        "submitted_at", "pk"
    )
    if user.is_superuser or is_buyer_reader(user, project):
        return list(qs.exclude(status=BidStatus.REPLACED))
    if committee_seat(user, project) is not None and bid_content_visible(project):
        return list(qs.filter(status__in=LIVE_BID_STATUSES))
    return [b for b in qs if is_vendor_staff(user, b.vendor)]


def own_bid(user: Any, project: ProcurementProject) -> Bid | None:
    """The live bid of the user's organisation, if any."""
    for b in project.bids.filter(status__in=LIVE_BID_STATUSES).select_related("vendor"):
        if is_vendor_staff(user, b.vendor):
            return b
    return None


def sheets_visible_to(
    user: Any, project: ProcurementProject, lot: Lot
) -> list[ScoreSheet]:
    """Score sheets a user may read: a member their own, and the others' only once
    their own is submitted; the buyer's staff all of them after the evaluation."""
    sheets = list(
        ScoreSheet.objects.filter(lot=lot)
        .select_related("member__user")
        .order_by("member_id")
    )
    seat = committee_seat(user, project)
    if seat is not None:
        mine = next((s for s in sheets if s.member_id == seat.pk), None)
        if mine is None or mine.status != SheetStatus.SUBMITTED:
            return [mine] if mine else []
        return [
            s for s in sheets if s.status == SheetStatus.SUBMITTED or s.pk == mine.pk
        ]
    if (user.is_superuser or is_buyer_reader(user, project)) and project.evaluated_at:
        return sheets
    return []


def committee_names_visible(user: Any, project: ProcurementProject) -> bool:
    """Experts' names are confidential until the award notice (COM-10), except to the
    buyer who formed the committee and to the members themselves."""
    if project.notices.filter(kind="award").exists():
        return True
    return bool(
        user.is_authenticated
        and (
            user.is_superuser
            or can_manage_project(user, project)
            or committee_seat(user, project)
        )
    )


def active_members(project: ProcurementProject) -> list[CommitteeMember]:
    return [m for m in project.committee.all() if m.status == MemberStatus.ACTIVE]


def published_notices() -> QuerySet[Notice]:
    """The public notices (no login): published today or earlier, newest first."""
    return Notice.objects.published(timezone.localdate()).select_related(
        "project__buyer"
    )


def bid_list_for_vendor_staff(user: Any) -> QuerySet[Bid]:
    """The bids of the user's own organisations (who bid, when, status and how many
    files: the sealed content is not in these rows before the opening)."""
    from django.db.models import Count

    from accounts.choices import Role

    org_ids = [
        m.organisation_id
        for m in user.active_memberships()
        if m.role == Role.VENDOR_STAFF
    ]
    return (
        Bid.objects.filter(vendor__organisation_id__in=org_ids)
        .select_related("project__buyer", "vendor__organisation", "submitted_by")
        .annotate(file_count=Count("files"))
        .order_by("-submitted_at", "-pk")
    )


def opened_files(bid_ids: list[int]) -> QuerySet[BidFile]:
    """The readable copies of bid documents (they exist only after the opening)."""
    return BidFile.objects.filter(bid__in=bid_ids).exclude(file="").order_by("pk")


def bid_file_for_user(
    user: Any, project: ProcurementProject, bid_pk: Any, file_pk: Any
) -> BidFile:
    """A bid document the user may read: after the opening, of a bid the user may
    know of (the buyer's staff, the committee, the bidder itself). NotFound otherwise."""
    if not bid_content_visible(project):
        raise NotFound()
    ids = {b.pk for b in bids_for(user, project)}
    try:
        f = opened_files(list(ids)).get(pk=int(file_pk), bid_id=int(bid_pk))
    except (BidFile.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    return f


def challenge_window_end(project: ProcurementProject) -> Any:
    """The last day a challenge of the confirmed award may be filed (TL-17), or None
    when nothing is awarded."""
    from django.db.models import Max

    from .choices import AwardStatus
    from .models import Award

    return Award.objects.filter(
        lot__project=project, status=AwardStatus.CONFIRMED
    ).aggregate(m=Max("challenge_until"))["m"]


# --- 比选 invitations: reads for the page and the API ----------------------------------

# The invite form lists at most this many organisations (the district's register is a
# few hundred at most); the API takes any organisation by id.
MAX_CANDIDATES = 500


def invitations_with_standing(
    project: ProcurementProject, on: dt.date
) -> list[Invitation]:
    """The project's invitations, each with `.standing`: the organisation's latest
    standing on the district's admission list on `on` (None if never listed). Two
    queries, however many invitations."""
    rows = list(
        project.invitations.select_related("vendor__organisation", "invited_by")
    )
    standings = standings_for([i.vendor_id for i in rows], project.district, on)
    for row in rows:
        row.standing = standings.get(row.vendor_id)  # type: ignore[attr-defined]
    return rows


def invitation_candidates(
    project: ProcurementProject, on: dt.date
) -> list[tuple[Vendor, VendorStanding | None]]:
    """Active organisations of the project's district not yet invited, with their
    latest standing (the form marks who is barred; the service refuses them)."""
    vendors = list(
        Vendor.objects.filter(
            status=VendorStatus.ACTIVE,
            organisation__path__startswith=project.district.path,
        )
        .exclude(pk__in=project.invitations.values("vendor_id"))
        .select_related("organisation")
        .order_by("organisation__code")[:MAX_CANDIDATES]
    )
    standings = standings_for([v.pk for v in vendors], project.district, on)
    return [(v, standings.get(v.pk)) for v in vendors]
