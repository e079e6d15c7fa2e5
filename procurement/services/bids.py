"""Bids: sealed submission, replacement and withdrawal before the deadline; the opening (the only place bids are decrypted); qualification and the supplier-count outcome."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from catalogue.rules import rule_value
from core.events import audit_record
from core.exceptions import (
    Conflict,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.ids import as_id
from core.uploads import validate_upload
from vendors.choices import OrgType, PersonRole
from vendors.eligibility import vendor_check_eligibility
from vendors.models import RelatedPerson, Vendor

from .. import scoring
from ..choices import (
    BidStatus,
    BondForm,
    LotStatus,
    MemberStatus,
    Method,
)
from ..methods import optional_rule, profile
from ..models import (
    Bid,
    BidFile,
    BidLot,
    Lot,
    ProcurementProject,
)
from ..permissions import bidding_vendor
from ..sealing import seal_bytes, seal_json, unseal_bytes, unseal_json
from ._common import (
    BID_FILE_TYPES,
    MAX_BID_FILE_BYTES,
    S,
    _bidders,
    _lock,
    _money,
    _run,
    _tell_bidders,
    _yuan,
)
from .committee import member_conflicts
from .invitations import invitation_refusal
from .projects import _publish_failure


def _clean_bid(
    project: ProcurementProject, vendor: Vendor, data: dict[str, Any], files: list[Any]
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    lots = {lot.pk: lot for lot in project.lots.all()}
    prices_in = data.get("prices") or {}
    prices: dict[str, str] = {}
    for key, raw in prices_in.items():
        if raw in (None, ""):
            continue
        lot = lots.get(as_id(key) or 0)
        if lot is None:
            errors.setdefault("prices", []).append(
                _("第“%(k)s”包不属于本项目。") % {"k": str(key)[:40]}
            )
            continue
        field = f"prices.{lot.pk}"
        value = _money(raw, field, errors)
        if value is None:
            continue
        if value > lot.max_price:
            errors[field] = [
                _("报价 %(p)s 超过第%(n)s包最高限价 %(c)s。")
                % {"p": _yuan(value), "n": lot.number, "c": _yuan(lot.max_price)}
            ]
            continue
        prices[str(lot.pk)] = str(value)
    if (
        not prices
        and "prices" not in errors
        and not any(k.startswith("prices.") for k in errors)
    ):
        errors["prices"] = [_("请至少对一个采购包报价。")]
    technical = str(data.get("technical_response") or "").strip()
    if not technical:
        errors["technical_response"] = [_("请填写技术（服务）响应。")]
    if not data.get("declare_no_conflict"):
        errors["declare_no_conflict"] = [
            _("请确认与采购人、评审专家及其他投标人不存在利害关系（CR-07）。")
        ]
    if not data.get("declare_credit"):
        errors["declare_credit"] = [
            _(
                "请确认未被列入失信被执行人、重大税收违法失信主体或政府采购严重违法失信行为记录名单（CR-01）。"
            )
        ]
    bond_form = data.get("bond_form") or BondForm.NONE
    if bond_form not in BondForm.values:
        errors["bond_form"] = [_("请选择保证金形式。")]
    bond_amount = Decimal(0)
    if project.bid_bond > 0:
        if bond_form == BondForm.NONE:
            errors["bond_form"] = [_("本项目要求提交投标保证金（非现金形式，BD-01）。")]
        else:
            b = _money(data.get("bond_amount"), "bond_amount", errors)
            if b is not None and b < project.bid_bond:
                errors["bond_amount"] = [
                    _("保证金不得少于 %(b)s。") % {"b": _yuan(project.bid_bond)}
                ]
            bond_amount = b or Decimal(0)
    for f in files:
        try:
            validate_upload(
                f, field="files", allowed=BID_FILE_TYPES, max_bytes=MAX_BID_FILE_BYTES
            )
        except ValidationFailed as exc:
            for k, v in exc.fields.items():
                errors.setdefault(k, []).extend(str(m) for m in v)
    if errors:
        raise ValidationFailed(fields=errors)
    return {
        "prices": prices,
        "technical_response": technical,
        "declaration": {
            "no_conflict": True,
            "credit": True,
            "conflict_note": str(data.get("conflict_note") or ""),
            "sme": bool(data.get("sme")),
        },
        "bond": {"form": bond_form, "amount": str(bond_amount)},
    }


def bid_submit(
    *,
    actor: User | None,
    project: ProcurementProject,
    vendor: Vendor,
    data: dict[str, Any],
    files: list[Any] | None = None,
    now: dt.datetime | None = None,
) -> Bid:
    """投标: sealed at once. Submitting again before the deadline replaces the live bid.

    Raises:
        NotPermitted: the actor is not the vendor's staff.
        Conflict: the project takes no bids now (not announced, or past the deadline).
        ValidationFailed: a price (zero, negative, above the ceiling, more than 2
            decimals), the response, the declaration, the bond or a file is at fault;
            on "vendor": in a 邀请比选, not invited or barred since (PM-11).
    """
    now = now or timezone.now()
    files = files or []
    if actor is not None:
        bidding_vendor(actor, vendor).raise_if_denied()
    with transaction.atomic():
        locked = _lock(project)
        if locked.status != S.ANNOUNCED or locked.bid_deadline is None:
            raise Conflict(_("本项目现在不接受投标。"), code="not_accepting_bids")
        if now >= locked.bid_deadline:
            raise Conflict(
                _("投标截止时间 %(d)s 已过，不再接受投标。")
                % {
                    "d": timezone.localtime(locked.bid_deadline).strftime(
                        "%Y-%m-%d %H:%M"
                    )
                },
                code="deadline_passed",
            )
        if locked.drafted_by.filter(pk=vendor.pk).exists():
            raise ValidationFailed(
                _("参与本项目需求编制的组织不得投标（CR-07）。"),
                fields={"vendor": [_("参与本项目需求编制的组织不得投标（CR-07）。")]},
            )
        # 邀请比选 only: the invited, and not barred by the admission list since.
        # No other method is gated by any list (PM-12).
        refusal = invitation_refusal(locked, vendor, timezone.localdate(now))
        if refusal:
            raise ValidationFailed(refusal, fields={"vendor": [refusal]})
        content = _clean_bid(locked, vendor, data, files)
        old = (
            Bid.objects.select_for_update()
            .filter(project=locked, vendor=vendor, status=BidStatus.SUBMITTED)
            .first()
        )
        if old is not None:
            old.status = BidStatus.REPLACED
            old.save(update_fields=["status"])
        bid = Bid.objects.create(
            project=locked,
            vendor=vendor,
            submitted_at=now,
            submitted_by=actor if getattr(actor, "pk", None) else None,
            sealed_content=seal_json(content),
        )
        for f in files:
            f.seek(0)
            raw = f.read()
            name = hashlib.sha256(raw).hexdigest()[:16] + ".sealed"
            bf = BidFile(
                bid=bid,
                sealed_name=seal_json({"name": getattr(f, "name", "file")}),
                size=len(raw),
            )
            bf.blob.save(name, ContentFile(seal_bytes(raw)), save=False)
            bf.save()
        audit_record(
            actor=actor,
            action="procurement.bid_replace" if old else "procurement.bid_submit",
            obj=bid,
            to_state=bid.status,
            payload={"files": len(files)},  # who and when only: nothing of the content
        )
    return bid


def bid_withdraw(
    *, actor: User | None, bid: Bid, now: dt.datetime | None = None
) -> Bid:
    """Withdraw a bid before the deadline; after it nothing changes."""
    now = now or timezone.now()
    if actor is not None:
        bidding_vendor(actor, bid.vendor).raise_if_denied()
    with transaction.atomic():
        locked_project = _lock(bid.project)
        b = Bid.objects.select_for_update().get(pk=bid.pk)
        if b.status != BidStatus.SUBMITTED:
            raise TransitionNotAllowed(_("只有已递交的投标可以撤回。"))
        if locked_project.bid_deadline is None or now >= locked_project.bid_deadline:
            raise Conflict(_("投标截止时间已过，不能撤回。"), code="deadline_passed")
        b.status, b.withdrawn_at = BidStatus.WITHDRAWN, now
        b.save(update_fields=["status", "withdrawn_at"])
        audit_record(
            actor=actor,
            action="procurement.bid_withdraw",
            obj=b,
            from_state=BidStatus.SUBMITTED,
            to_state=b.status,
        )
    return b


def project_open(
    *, actor: User | None, project: ProcurementProject, now: dt.datetime | None = None
) -> ProcurementProject:
    """开标: after the deadline, the only place bids are decrypted. Writes the opening
    record (bidders, prices, bond status) and the price of every lot bid."""
    now = now or timezone.now()

    def change(p: ProcurementProject) -> dict[str, Any]:
        if p.bid_deadline is None or now < p.bid_deadline:
            raise Conflict(_("投标截止时间未到，不能开标。"), code="before_deadline")
        lots = {str(lot.pk): lot for lot in p.lots.all()}
        record = []
        for bid in (
            p.bids.filter(status=BidStatus.SUBMITTED)
            .select_related("vendor__organisation")
            .order_by("submitted_at")
        ):
            content = unseal_json(bid.sealed_content)
            bid.technical_response = content["technical_response"]
            bid.declaration = content["declaration"]
            bid.bond_form = content["bond"]["form"]
            bid.bond_amount = Decimal(content["bond"]["amount"])
            bid.opened_at = now
            bid.status = BidStatus.OPENED
            bid.save()
            files = _open_files(bid)
            deduction = (
                p.sme_price_deduction
                if (
                    content["declaration"].get("sme")
                    and bid.vendor.org_type == OrgType.ENTERPRISE
                )
                else Decimal(0)
            )
            prices = []
            for lot_pk, price in content["prices"].items():
                lot = lots[lot_pk]
                value = Decimal(price)
                BidLot.objects.create(
                    bid=bid,
                    lot=lot,
                    price=value,
                    adjusted_price=scoring.adjusted_price(value, deduction),
                )
                prices.append({"lot": lot.number, "price": price})
            bond_ok = p.bid_bond <= 0 or (
                bid.bond_form != BondForm.NONE and (bid.bond_amount or 0) >= p.bid_bond
            )
            record.append(
                {
                    "bid": bid.pk,
                    "vendor": bid.vendor.organisation.name,
                    "submitted_at": bid.submitted_at.isoformat(),
                    "prices": prices,
                    "bond": {
                        "form": bid.bond_form,
                        "amount": str(bid.bond_amount),
                        "ok": bond_ok,
                    },
                    "files": files,
                }
            )
        p.opened_at = now
        # The bidders are final now: check every seated member against them again
        # (a member drawn or declared before the last bids came in, COM-08).
        bids = _bidders(p)
        rechecked = {}
        for m in p.committee.filter(status=MemberStatus.ACTIVE).select_related("user"):
            found = member_conflicts(m.user, p, m.role, bids)
            new = [r for r in found if r not in m.conflict_reasons]
            if new:
                m.conflict_reasons = [*m.conflict_reasons, *new]
                m.save(update_fields=["conflict_reasons"])
                rechecked[m.pk] = new
        return {"record": record, "members_to_recuse": rechecked}

    return _run(actor, project, "open", change)


def _open_files(bid: Bid) -> int:
    """Decrypt a bid's documents into readable copies (at the opening only)."""
    n = 0
    for f in bid.files.all():
        name = unseal_json(f.sealed_name)["name"]
        with f.blob.open("rb") as fh:
            content = unseal_bytes(fh.read())
        f.name = name[:200]
        f.file.save(f"{bid.pk}-{f.pk}-{name}"[-120:], ContentFile(content), save=False)
        f.save(update_fields=["name", "file"])
        n += 1
    return n


def independence_conflicts(bids: list[Bid], drafted: set[int]) -> dict[int, list[str]]:
    """CR-07 among the bidders: the same responsible person, one's people in control
    of another, or having drafted the requirements."""
    out: dict[int, list[str]] = {b.pk: [] for b in bids}
    people = list(
        RelatedPerson.objects.filter(
            vendor__in=[b.vendor_id for b in bids]
        ).select_related("vendor__organisation")
    )
    by_vendor: dict[int, list[RelatedPerson]] = {}
    for person in people:
        by_vendor.setdefault(person.vendor_id, []).append(person)
    for b in bids:
        if b.vendor_id in drafted:
            out[b.pk].append(_("参与了本项目的需求编制（CR-07）。"))
    controlling = {
        PersonRole.LEGAL_REPRESENTATIVE,
        PersonRole.FOUNDER,
        PersonRole.DIRECTOR,
    }
    for a in bids:
        for b in bids:
            if a.pk >= b.pk:
                continue
            same_rep = (
                a.vendor.legal_representative
                and a.vendor.legal_representative == b.vendor.legal_representative
            )
            shared = [
                pa.name
                for pa in by_vendor.get(a.vendor_id, [])
                for pb in by_vendor.get(b.vendor_id, [])
                if pa.role in controlling
                and pb.role in controlling
                and (
                    (pa.id_number_index and pa.id_number_index == pb.id_number_index)
                    or (not pa.id_number_index and pa.name == pb.name)
                )
            ]
            if same_rep or shared:
                who = (
                    a.vendor.legal_representative
                    if same_rep
                    else "、".join(sorted(set(shared)))
                )
                for x, y in ((a, b), (b, a)):
                    out[x.pk].append(
                        _(
                            "与%(other)s的负责人或控制人相同（%(who)s），不得参加同一合同项下的投标（CR-07）。"
                        )
                        % {"other": y.vendor.organisation.name, "who": who}
                    )
    return out


def bid_qualify(
    *,
    actor: User | None,
    bid: Bid,
    conditions: dict[str, Any] | None = None,
    on: dt.date | None = None,
) -> Bid:
    """资格审查 of one bidder: the vendors eligibility service, the bond, the
    declaration, supplier independence (CR-07), and the project's own conditions as
    judged by the officer (`conditions` = {index: {"met": bool, "note": str}})."""
    on = on or timezone.localdate()
    conditions = conditions or {}

    def change(p: ProcurementProject) -> dict[str, Any]:
        b = (
            Bid.objects.select_for_update(of=("self",))
            .select_related("vendor__organisation__parent")
            .get(pk=bid.pk, project=p)
        )
        if b.status not in (
            BidStatus.OPENED,
            BidStatus.QUALIFIED,
            BidStatus.DISQUALIFIED,
        ):
            raise TransitionNotAllowed(_("只有已开启的投标可以进行资格审查。"))
        reasons: list[dict[str, str]] = []
        eligibility = vendor_check_eligibility(b.vendor, on, for_="bid")
        reasons += [
            {"rule": f.rule_id, "reason": f.reason} for f in eligibility.failures
        ]
        if p.bid_bond > 0 and (
            b.bond_form in ("", BondForm.NONE) or (b.bond_amount or 0) < p.bid_bond
        ):
            reasons.append({"rule": "BD-01", "reason": _("未按要求提交投标保证金。")})
        if not (b.declaration.get("no_conflict") and b.declaration.get("credit")):
            reasons.append({"rule": "CR-01", "reason": _("未作出利害关系和信用声明。")})
        live = list(
            p.bids.filter(
                status__in=[
                    BidStatus.OPENED,
                    BidStatus.QUALIFIED,
                    BidStatus.DISQUALIFIED,
                ]
            ).select_related("vendor__organisation")
        )
        independence = independence_conflicts(
            live, set(p.drafted_by.values_list("pk", flat=True))
        )
        reasons += [{"rule": "CR-07", "reason": r} for r in independence.get(b.pk, [])]
        checked = []
        errors = {}
        for i, text in enumerate(p.qualification_conditions, start=1):
            given = conditions.get(str(i)) or conditions.get(i)  # type: ignore[call-overload]
            if given is None or "met" not in given:
                errors[f"conditions.{i}"] = [_("请判定资格条件：%(c)s") % {"c": text}]
                continue
            met = bool(given["met"])
            note = str(given.get("note") or "")
            if not met and not note.strip():
                errors[f"conditions.{i}"] = [_("不符合时请写明理由。")]
                continue
            checked.append({"condition": text, "met": met, "note": note})
            if not met:
                reasons.append(
                    {
                        "rule": "",
                        "reason": _("不符合资格条件“%(c)s”：%(n)s")
                        % {"c": text, "n": note},
                    }
                )
        if errors:
            raise ValidationFailed(fields=errors)
        b.qualification = {
            "on": on.isoformat(),
            "eligibility": eligibility.as_dict(),
            "conditions": checked,
            "reasons": reasons,
        }
        b.qualified = not reasons
        b.status = BidStatus.QUALIFIED if b.qualified else BidStatus.DISQUALIFIED
        b.save(update_fields=["qualification", "qualified", "status"])
        return {
            "bid": b.pk,
            "vendor": b.vendor.organisation.name,
            "qualified": b.qualified,
            "reasons": [r["reason"] for r in reasons],
        }

    _run(actor, bid.project, "qualify", change)
    bid.refresh_from_db()
    return bid


def project_close_qualification(
    *,
    actor: User | None,
    project: ProcurementProject,
    continue_with_fewer: bool = False,
    approval: str = "",
    on: dt.date | None = None,
) -> ProcurementProject:
    """The supplier-count outcome of each lot as the method's rules say (SUP-01..06):
    enough qualified bids → evaluation; fewer in a tender or 比选 → 废标 with reasons
    to every bidder, except that a tender with exactly two may go on with the finance
    department's approval (SUP-04, `approval` names it); in 磋商 for services two may
    go on when the buyer chooses so, one → termination. Abnormally low prices (SC-13)
    are flagged for the committee."""
    on = on or timezone.localdate()
    approval = approval.strip()

    def change(p: ProcurementProject) -> dict[str, Any]:
        bids = list(
            p.bids.filter(
                status__in=[
                    BidStatus.OPENED,
                    BidStatus.QUALIFIED,
                    BidStatus.DISQUALIFIED,
                ]
            )
        )
        pending = [b for b in bids if b.status == BidStatus.OPENED]
        if pending:
            raise Conflict(
                _("还有 %(n)s 家投标人未完成资格审查。") % {"n": len(pending)},
                code="qualification_pending",
            )
        prof = profile(p.method)
        minimum = int(rule_value(prof.min_qualified_key, p.district, on))
        may_continue = optional_rule(prof.continue_with_key, p.district, on)
        if continue_with_fewer and prof.continue_needs_approval and not approval:
            raise ValidationFailed(
                fields={
                    "approval": [
                        _(
                            "合格供应商不足时继续采购须经同级财政部门批准，请填写批准文件（SUP-04）。"
                        )
                    ]
                }
            )
        outcome = []
        for lot in p.lots.all():
            bls = list(
                BidLot.objects.filter(
                    lot=lot, bid__status=BidStatus.QUALIFIED, valid=True
                ).select_related("bid")
            )
            n = len(bls)
            if n >= minimum or (
                may_continue is not None
                and continue_with_fewer
                and n >= int(may_continue)
            ):
                _flag_abnormal(p, lot, bls, on)
                outcome.append(
                    {"lot": lot.number, "qualified": n, "result": "evaluate"}
                )
                continue
            reason = _(
                "第%(lot)s包合格供应商 %(n)s 家，不足 %(min)s 家（%(rule)s）。"
            ) % {
                "lot": lot.number,
                "n": n,
                "min": minimum,
                "rule": "SUP-06" if p.method == Method.CUOSHANG else "SUP-01",
            }
            lot.status, lot.failed_reason = LotStatus.FAILED, reason
            lot.save(update_fields=["status", "failed_reason"])
            outcome.append(
                {
                    "lot": lot.number,
                    "qualified": n,
                    "result": "failed",
                    "reason": reason,
                }
            )
        if all(o["result"] == "failed" for o in outcome):
            # SUP-06: a 磋商 that cannot go on is terminated; a tender or 比选 fails.
            p.status = S.TERMINATED if p.method == Method.CUOSHANG else S.FAILED
            p.outcome_reason = "\n".join(o["reason"] for o in outcome)
            _publish_failure(actor, p, on)
        else:
            p.status = S.EVALUATING
            for lot in p.lots.filter(status=LotStatus.FAILED):
                _tell_bidders(
                    p,
                    "procurement.lot_failed",
                    _("%(title)s第%(n)s包废标") % {"title": p.title, "n": lot.number},
                    lot.failed_reason,
                )
        return {
            "minimum": minimum,
            "continue_with_fewer": continue_with_fewer,
            "approval": approval,
            "lots": outcome,
        }

    return _run(actor, project, "close_qualification", change)


def _flag_abnormal(
    p: ProcurementProject, lot: Lot, bls: list[BidLot], on: dt.date
) -> None:
    j = p.district

    def share(key):
        return Decimal(str(v)) if (v := optional_rule(key, j, on)) is not None else None  # noqa: E731

    flags = scoring.abnormal_price_reasons(
        {bl.pk: bl.adjusted_price for bl in bls},
        share_of_average=share("abnormal_price.share_of_average"),
        share_of_second_lowest=share("abnormal_price.share_of_second_lowest"),
        share_of_max=share("abnormal_price.share_of_max_price"),
        max_price=lot.max_price,
    )
    for bl in bls:
        if bl.pk in flags:
            bl.abnormal_reasons = flags[bl.pk]
            bl.save(update_fields=["abnormal_reasons"])
