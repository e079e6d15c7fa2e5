"""Reminders of the statutory deadlines after the award: sign within 30 days (TL-13),
publish within 2 working days (TL-14), file within 7 working days (TL-15)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import notify

from ..choices import ContractStatus
from ..models import MANAGER_ROLES, Contract


def contract_deadlines_notify(*, on: dt.date) -> int:
    """Notify the buyer's officers once, on the day after a deadline passed unmet.
    Returns the number of contracts reported. Running it twice on a day notifies
    twice only if called twice; the beat runs it once a day."""
    missed_day = on - dt.timedelta(days=1)
    contracts = Contract.objects.filter(
        Q(
            status__in=[ContractStatus.DRAFT, ContractStatus.VENDOR_SIGNED],
            sign_due=missed_day,
        )
        | Q(published_on__isnull=True, publish_due=missed_day)
        | Q(filed_on__isnull=True, file_due=missed_day)
    ).select_related("buyer")
    n = 0
    for c in contracts:
        what = []
        if (
            c.status in (ContractStatus.DRAFT, ContractStatus.VENDOR_SIGNED)
            and c.sign_due == missed_day
        ):
            what.append(_("签订（中标通知后30日内）"))
        if c.published_on is None and c.publish_due == missed_day:
            what.append(_("公开（签订后2个工作日内）"))
        if c.filed_on is None and c.file_due == missed_day:
            what.append(_("备案（签订后7个工作日内）"))
        officers = list(
            User.objects.filter(
                memberships__organisation__path__in=[c.buyer.path, c.district.path],
                memberships__role__in=MANAGER_ROLES,
                is_active=True,
            ).distinct()
        )
        notify(
            users=officers,
            verb="contract_deadline_missed",
            title=_("合同%(code)s逾期未办：%(what)s")
            % {"code": c.code, "what": "、".join(str(w) for w in what)},
            link=c.get_absolute_url(),
        )
        n += 1
    return n


__all__ = ["contract_deadlines_notify"]
