"""Acceptance (验收) per period: a certificate with a line per standard (ACC-01), the
service recipients' opinions (ACC-02), the result published (DIS-12), and the tranches
that wait for it (ACC-04)."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.dates import as_date
from core.exceptions import Conflict, NotFound, NotPermitted, ValidationFailed

from ..choices import AcceptanceStatus, OpinionSource, StandardResult
from ..models import Acceptance, Contract
from ..permissions import is_contract_manager
from ._common import check, lock_contract, record

# Opinions that count as the service recipients' (ACC-02).
RECIPIENT_SOURCES = (OpinionSource.RESIDENT, OpinionSource.RESIDENT_UNIT)


def acceptance_create(
    *,
    contract: Contract,
    actor: User | None,
    period_label: str,
    period_start: Any,
    period_end: Any,
) -> Acceptance:
    """Open the acceptance of a period, with one certificate line per contracted item.

    Raises:
        TransitionNotAllowed / NotPermitted: contract not in force, or not the buyer.
        ValidationFailed: label or dates wrong, or the period already has one.
    """
    with transaction.atomic():
        c = lock_contract(contract)
        check(actor, c, "create_acceptance")
        errors: dict[str, list[Any]] = {}
        label = str(period_label or "").strip()[:60]
        if not label:
            errors.setdefault("period_label", []).append(_("请填写履约期名称。"))
        start = as_date(period_start, "period_start", errors)
        end = as_date(period_end, "period_end", errors)
        if start and end and end < start:
            errors.setdefault("period_end", []).append(_("期间止不能早于期间起。"))
        if label and c.acceptances.filter(period_label=label).exists():
            errors.setdefault("period_label", []).append(_("该履约期已有验收。"))
        if errors:
            raise ValidationFailed(fields=errors)
        assert start is not None
        assert end is not None
        standards = [
            {
                "item": code,
                "name": name,
                "standard": standard,
                "result": "",
                "note": "",
            }
            for code, name, standard in c.items.filter(active=True)
            .order_by("item__code")
            .values_list("item__code", "item__name", "item__service_standard")
            .distinct()
        ]
        try:
            with transaction.atomic():
                acc = Acceptance.objects.create(
                    contract=c,
                    period_label=label,
                    period_start=start,
                    period_end=end,
                    standards=standards,
                    opinions=[],
                )
        except IntegrityError as exc:
            raise Conflict(_("该履约期已有验收。")) from exc
        c.tranches.filter(
            needs_acceptance=True, period_label=label, acceptance__isnull=True
        ).update(acceptance=acc)
        record(
            actor,
            acc,
            "acceptance_create",
            contract=c,
            to_state=acc.status,
            payload={"period": label, "standards": len(standards)},
        )
    return acc


def _lock_acc(
    acceptance: Acceptance, actor: User | None
) -> tuple[Contract, Acceptance]:
    c = lock_contract(acceptance.contract_id)
    if actor is not None and not is_contract_manager(actor, c):
        raise NotPermitted(_("只有购买主体可以组织验收。"))
    try:
        acc = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
    except Acceptance.DoesNotExist as exc:
        raise NotFound() from exc
    return c, acc


def acceptance_record(
    *,
    acceptance: Acceptance,
    actor: User | None,
    standards: Any,
    opinions: Any,
    conclusion: str,
    passed: bool,
    accepted_on: Any,
) -> Acceptance:
    """Record the certificate: a result for every standard, the recipients' opinions,
    the conclusion; passed or failed.

    Raises:
        NotPermitted: not the buyer. Conflict: already recorded.
        ValidationFailed: a standard without result, no recipient opinion (ACC-02), a
            pass with a standard not met, no conclusion, bad date.
    """
    with transaction.atomic():
        c, acc = _lock_acc(acceptance, actor)
        if acc.status != AcceptanceStatus.DRAFT:
            raise Conflict(_("该期验收已办结。"), code="transition_not_allowed")
        errors: dict[str, list[Any]] = {}
        given = {}
        for n, row in enumerate(standards or [], start=1):
            if not isinstance(row, dict):
                errors.setdefault(f"standards.{n}", []).append(_("格式不正确。"))
                continue
            given[str(row.get("item", ""))] = row
        lines = []
        for n, line in enumerate(acc.standards, start=1):
            row = given.get(line["item"], {})
            result = row.get("result", "")
            if result not in StandardResult.values:
                errors.setdefault(f"standards.{n}.result", []).append(
                    _("请为“%(name)s”选择验收结果。") % {"name": line["name"]}
                )
            lines.append(
                {**line, "result": result, "note": str(row.get("note") or "")[:500]}
            )
        clean_opinions = []
        for n, op in enumerate(opinions or [], start=1):
            if not isinstance(op, dict):
                errors.setdefault(f"opinions.{n}", []).append(_("格式不正确。"))
                continue
            source = op.get("source", "")
            text = str(op.get("opinion") or "").strip()
            if source not in OpinionSource.values:
                errors.setdefault(f"opinions.{n}.source", []).append(
                    _("请选择意见来源。")
                )
            if not text:
                errors.setdefault(f"opinions.{n}.opinion", []).append(_("请填写意见。"))
            clean_opinions.append(
                {
                    "source": source,
                    "name": str(op.get("name") or "")[:100],
                    "opinion": text,
                }
            )
        if not any(o["source"] in RECIPIENT_SOURCES for o in clean_opinions):
            errors.setdefault("opinions", []).append(
                _("公共服务项目验收应邀请服务对象参与并出具意见（ACC-02）。")
            )
        if not str(conclusion or "").strip():
            errors.setdefault("conclusion", []).append(_("请填写验收结论。"))
        if passed and any(x["result"] == StandardResult.NOT_MET for x in lines):
            errors.setdefault("passed", []).append(
                _("有未达到的标准，不能判定为验收合格。")
            )
        day = as_date(accepted_on, "accepted_on", errors)
        if day is not None and day > timezone.localdate():
            errors.setdefault("accepted_on", []).append(_("验收日期不能晚于今天。"))
        if errors:
            raise ValidationFailed(fields=errors)
        acc.standards = lines
        acc.opinions = clean_opinions
        acc.conclusion = str(conclusion).strip()
        acc.status = AcceptanceStatus.PASSED if passed else AcceptanceStatus.FAILED
        acc.accepted_on = day
        acc.accepted_by = actor if getattr(actor, "pk", None) else None
        acc.save()
        record(
            actor,
            acc,
            "acceptance_record",
            contract=c,
            from_state=AcceptanceStatus.DRAFT,
            to_state=acc.status,
            comment=acc.conclusion,
            payload={
                "period": acc.period_label,
                "met": sum(1 for x in lines if x["result"] == StandardResult.MET),
                "standards": len(lines),
                "opinions": len(clean_opinions),
            },
        )
    return acc


def acceptance_publish(
    *, acceptance: Acceptance, actor: User | None, published_on: Any
) -> Acceptance:
    """Record that the acceptance result was published (DIS-12).

    Raises:
        NotPermitted: not the buyer. Conflict: not yet recorded or already published.
        ValidationFailed: bad or future date, or before the acceptance.
    """
    with transaction.atomic():
        c, acc = _lock_acc(acceptance, actor)
        if acc.status == AcceptanceStatus.DRAFT or acc.published_on is not None:
            raise Conflict(
                _("验收结果尚未形成或已公开。"), code="transition_not_allowed"
            )
        errors: dict[str, list[Any]] = {}
        day = as_date(published_on, "published_on", errors)
        if day is not None and (
            day > timezone.localdate() or (acc.accepted_on and day < acc.accepted_on)
        ):
            errors.setdefault("published_on", []).append(
                _("公开日期应在验收日期和今天之间。")
            )
        if errors:
            raise ValidationFailed(fields=errors)
        acc.published_on = day
        acc.save(update_fields=["published_on"])
        record(
            actor,
            acc,
            "acceptance_publish",
            contract=c,
            payload={"published_on": day.isoformat() if day else ""},
        )
    return acc


__all__ = ["acceptance_create", "acceptance_publish", "acceptance_record"]
