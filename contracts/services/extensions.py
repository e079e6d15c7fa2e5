"""Extension requests (延期申请) for the contract or one deliverable, with the
completion against plan at the moment of asking; approved or refused with reasons;
capped by a rule parameter; visible to the assessment later."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.dates import as_date
from core.exceptions import Conflict, NotFound, NotPermitted, ValidationFailed
from core.ids import as_id
from procurement.methods import optional_rule

from ..choices import ExtensionStatus
from ..models import Contract, ContractItem, ContractVersion, ExtensionRequest
from ..permissions import is_contract_manager, is_contract_vendor
from ..selectors import completion_snapshot, contract_snapshot, extension_count
from ._common import check, lock_contract, record


def extension_cap(contract: Contract) -> int | None:
    """How many extension requests the district allows (None: no cap set)."""
    raw = optional_rule(
        "contract.extension.max_requests", contract.district, contract.start_on
    )
    return None if raw is None else int(raw)


def extension_request_create(
    *,
    contract: Contract,
    actor: User | None,
    reason: str,
    requested_end_on: Any,
    contract_item: Any = None,
) -> ExtensionRequest:
    """The vendor asks for more time, for the contract or one deliverable; the
    completion snapshot is stored with the request.

    Raises:
        TransitionNotAllowed / NotPermitted: the contract is not in force, or not the vendor.
        ValidationFailed: reason, date or item is wrong, or the cap of requests is reached.
    """
    with transaction.atomic():
        c = lock_contract(contract)
        check(actor, c, "request_extension")
        errors: dict[str, list[Any]] = {}
        ci = None
        if contract_item not in (None, ""):
            ci_id = as_id(contract_item)
            ci = (
                ContractItem.objects.select_related("item", "community")
                .filter(contract=c, pk=ci_id)
                .first()
                if ci_id
                else None
            )
            if ci is None:
                errors.setdefault("contract_item", []).append(_("该事项不在本合同中。"))
        if not str(reason or "").strip():
            errors.setdefault("reason", []).append(_("请说明延期理由。"))
        end = as_date(requested_end_on, "requested_end_on", errors)
        if end is not None and end <= c.end_on:
            errors.setdefault("requested_end_on", []).append(
                _("申请延至的日期应晚于现履行期限（%(end)s）。")
                % {"end": c.end_on.isoformat()}
            )
        cap = extension_cap(c)
        used = extension_count(c)
        if cap is not None and used >= cap:
            errors.setdefault("contract", []).append(
                _("本合同已提出%(used)s次延期申请，已达上限%(cap)s次。")
                % {"used": used, "cap": cap}
            )
        if c.extensions.filter(
            status=ExtensionStatus.PENDING, contract_item=ci
        ).exists():
            errors.setdefault("contract_item" if ci else "contract", []).append(
                _("已有一项待审批的延期申请。")
            )
        if errors:
            raise ValidationFailed(fields=errors)
        assert end is not None
        ext = ExtensionRequest.objects.create(
            contract=c,
            contract_item=ci,
            reason=str(reason).strip(),
            current_end_on=c.end_on,
            requested_end_on=end,
            snapshot=completion_snapshot(c, ci),
            requested_by=actor if getattr(actor, "pk", None) else None,
            requested_at=timezone.now(),
        )
        record(
            actor,
            ext,
            "extension_request",
            contract=c,
            to_state=ext.status,
            payload={"requested_end_on": end.isoformat(), "snapshot": ext.snapshot},
        )
    return ext


def _lock_ext(extension: ExtensionRequest) -> tuple[Contract, ExtensionRequest]:
    c = lock_contract(extension.contract_id)
    try:
        ext = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
    except ExtensionRequest.DoesNotExist as exc:
        raise NotFound() from exc
    if ext.status != ExtensionStatus.PENDING:
        raise Conflict(
            _("该延期申请已处理（%(status)s）。")
            % {"status": ext.get_status_display()},
            code="transition_not_allowed",
        )
    return c, ext


def extension_approve(
    *, extension: ExtensionRequest, actor: User | None, reason: str = ""
) -> ExtensionRequest:
    """The buyer agrees; a whole-contract extension moves the term's end (a new
    version of the contract).

    Raises:
        NotPermitted: not the buyer's officer. Conflict: already decided.
    """
    with transaction.atomic():
        c, ext = _lock_ext(extension)
        if actor is not None and not is_contract_manager(actor, c):
            raise NotPermitted(_("只有购买主体可以审批延期申请。"))
        ext.status = ExtensionStatus.APPROVED
        ext.decided_by = actor if getattr(actor, "pk", None) else None
        ext.decided_at = timezone.now()
        ext.decision_reason = str(reason or "").strip()
        ext.save()
        if ext.contract_item_id is None:
            c.end_on = ext.requested_end_on
            c.version += 1
            c.save()
            ContractVersion.objects.create(
                contract=c,
                number=c.version,
                snapshot=contract_snapshot(c),
                created_by=ext.decided_by,
            )
        record(
            actor,
            ext,
            "extension_approve",
            contract=c,
            from_state=ExtensionStatus.PENDING,
            to_state=ext.status,
            comment=ext.decision_reason,
            payload={"end_on": ext.requested_end_on.isoformat()},
        )
    return ext


def extension_refuse(
    *, extension: ExtensionRequest, actor: User | None, reason: str
) -> ExtensionRequest:
    """The buyer refuses, with its reason.

    Raises:
        ValidationFailed: no reason. NotPermitted: not the buyer. Conflict: decided.
    """
    if not str(reason or "").strip():
        raise ValidationFailed(fields={"reason": [_("请说明不同意的理由。")]})
    with transaction.atomic():
        c, ext = _lock_ext(extension)
        if actor is not None and not is_contract_manager(actor, c):
            raise NotPermitted(_("只有购买主体可以审批延期申请。"))
        ext.status = ExtensionStatus.REFUSED
        ext.decided_by = actor if getattr(actor, "pk", None) else None
        ext.decided_at = timezone.now()
        ext.decision_reason = str(reason).strip()
        ext.save()
        record(
            actor,
            ext,
            "extension_refuse",
            contract=c,
            from_state=ExtensionStatus.PENDING,
            to_state=ext.status,
            comment=ext.decision_reason,
        )
    return ext


def extension_withdraw(
    *, extension: ExtensionRequest, actor: User | None
) -> ExtensionRequest:
    """The vendor takes its request back (it then no longer counts against the cap).

    Raises:
        NotPermitted: not the vendor. Conflict: decided.
    """
    with transaction.atomic():
        c, ext = _lock_ext(extension)
        if actor is not None and not is_contract_vendor(actor, c):
            raise NotPermitted(_("只有承接组织可以撤回延期申请。"))
        ext.status = ExtensionStatus.WITHDRAWN
        ext.decided_at = timezone.now()
        ext.save()
        record(
            actor,
            ext,
            "extension_withdraw",
            contract=c,
            from_state=ExtensionStatus.PENDING,
            to_state=ext.status,
        )
    return ext


__all__ = [
    "extension_approve",
    "extension_cap",
    "extension_refuse",
    "extension_request_create",
    "extension_withdraw",
]
