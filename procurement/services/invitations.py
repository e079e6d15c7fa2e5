"""邀请比选: the organisations a 比选 invites, gated by the district's admission list.

比选 is not 政府采购 (PM-11): the buyer may run it as 邀请比选, and an organisation
eliminated from the admission list (准入名单) may not be invited until its
cooling-off date (`vendors.selectors.bixuan_bar_reason`). A 比选 with no invitations
stays open to every eligible organisation (公开比选). 公开招标 and 竞争性磋商 take no
invitations and no list gates them: inside 政府采购 a list that limits who may take
part is unlawful (PM-12, 财办库〔2021〕14号); the pages only show the standing.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify
from core.events import audit_record
from core.exceptions import Conflict, ValidationFailed
from vendors.eligibility import vendor_check_eligibility
from vendors.models import Vendor
from vendors.selectors import bixuan_bar_reason
from vendors.services import vendor_staff_users

from ..choices import BidStatus, Method
from ..models import Invitation, ProcurementProject
from ..permissions import can_invite, invitation_state
from ._common import _lock

# Eligibility failures that no document or check before the deadline can mend: an
# organisation failing one of these is not invited. Missing or expired evidence and
# stale credit checks are judged at the qualification, as for every bidder.
HARD_FAILURES = frozenset(
    {
        "not_active",
        "excluded_public_body",
        "not_registered",
        "no_credit_code",
        "not_registered_yet",
    }
)


def invitation_refusal(project: ProcurementProject, vendor: Vendor, on: dt.date) -> str:
    """Why the organisation may not bid in this 比选 on `on` ("" when it may): a 比选
    with invitations takes only the invited, and an invited organisation barred by
    the admission list after its invitation is refused with the bar's reason. Any
    other method, and a 比选 without invitations, is never gated here (PM-12)."""
    if project.method != Method.BIXUAN:
        return ""
    invited = set(project.invitations.values_list("vendor_id", flat=True))
    if not invited:
        return ""
    if vendor.pk not in invited:
        return _("本次比选为邀请比选，该组织未获邀请。")
    return bixuan_bar_reason(vendor, project.district, on)


def _refusals(vendor: Vendor, project: ProcurementProject, on: dt.date) -> list[str]:
    result = vendor_check_eligibility(vendor, on, for_="bixuan")
    reasons = [
        f.reason
        for f in result.failures
        if f.code in HARD_FAILURES or f.code.startswith("listed_")
    ]
    bar = bixuan_bar_reason(vendor, project.district, on)
    if bar:
        reasons.append(bar)
    return reasons


def project_invite(
    *,
    actor: User | None,
    project: ProcurementProject,
    vendor: Vendor,
    note: str = "",
    on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Invitation:
    """邀请 an organisation to a 比选 (draft or announced, before the deadline).

    Raises:
        NotPermitted: the actor does not run this project.
        Conflict: not a 比选 (PM-12), the wrong stage, the deadline passed, the
            organisation is already invited, or a 公开比选 already has responses.
        ValidationFailed: on "vendor": not active, not registered, on a credit
            list, or eliminated from the admission list and still cooling off.
    """
    now = now or timezone.now()
    on = on or timezone.localdate(now)
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationFailed(fields={"note": [_("说明不能超过 200 字。")]})
    with transaction.atomic():
        locked = _lock(project)
        decision = (
            can_invite(actor, locked, now)
            if actor is not None
            else invitation_state(locked, now)
        )
        decision.raise_if_denied()
        invited = set(locked.invitations.values_list("vendor_id", flat=True))
        if vendor.pk in invited:
            raise Conflict(
                _("%(v)s已受邀参加本次比选。") % {"v": vendor.organisation.name},
                code="already_invited",
                fields={"vendor": [_("该组织已受邀。")]},
            )
        if (
            not invited
            and locked.bids.filter(status=BidStatus.SUBMITTED)
            .exclude(vendor=vendor)
            .exists()
        ):
            raise Conflict(
                _("本次比选已按公开比选收到其他组织的响应文件，不能再改为邀请比选。"),
                code="open_bixuan_has_bids",
            )
        reasons = _refusals(vendor, locked, on)
        if reasons:
            raise ValidationFailed(fields={"vendor": reasons})
        invitation = Invitation.objects.create(
            project=locked,
            vendor=vendor,
            invited_by=actor if getattr(actor, "pk", None) else None,
            note=note,
        )
        audit_record(
            actor=actor,
            action="procurement.invite",
            obj=locked,
            comment=note,
            payload={"vendor": vendor.pk, "name": vendor.organisation.name},
        )
        notify(
            users=vendor_staff_users(vendor),
            verb="procurement.invite",
            title=_("%(buyer)s邀请贵组织参加比选：%(title)s")
            % {"buyer": locked.buyer.name, "title": locked.title},
            body=_(
                "项目编号：%(code)s。比选公告发布后，请在响应截止时间前通过项目页面递交响应文件。%(note)s"
            )
            % {"code": locked.code, "note": note},
            link=locked.get_absolute_url(),
        )
    return invitation


def project_uninvite(
    *,
    actor: User | None,
    project: ProcurementProject,
    vendor: Vendor,
    comment: str = "",
    now: dt.datetime | None = None,
) -> None:
    """撤销邀请 before the deadline; not once the organisation has responded.

    Raises:
        NotPermitted: the actor does not run this project.
        Conflict: the wrong stage or method, the deadline passed, or the
            organisation has a submitted response.
        ValidationFailed: on "vendor": the organisation is not invited.
    """
    now = now or timezone.now()
    with transaction.atomic():
        locked = _lock(project)
        decision = (
            can_invite(actor, locked, now)
            if actor is not None
            else invitation_state(locked, now)
        )
        decision.raise_if_denied()
        invitation = (
            Invitation.objects.select_for_update()
            .filter(project=locked, vendor=vendor)
            .first()
        )
        if invitation is None:
            raise ValidationFailed(fields={"vendor": [_("该组织未受邀参加本次比选。")]})
        if locked.bids.filter(vendor=vendor, status=BidStatus.SUBMITTED).exists():
            raise Conflict(
                _("%(v)s已递交响应文件，不能撤销邀请。")
                % {"v": vendor.organisation.name},
                code="already_responded",
            )
        invitation.delete()
        audit_record(
            actor=actor,
            action="procurement.uninvite",
            obj=locked,
            comment=comment,
            payload={"vendor": vendor.pk, "name": vendor.organisation.name},
        )
