"""Delivery (服务记录 and 社区签收), the work community staff still do themselves
(社区自办), and work given to the vendor outside the contract (合同外工作).

A delivery record is reported by the vendor with its evidence, then confirmed or
disputed by the staff of the item's community; a disputed record is corrected (back
to reported) or withdrawn by the vendor. Extra work is recorded by a department, a
community or the vendor, approved or refused by the buyer's officers, disputed by the
vendor (seed 002: the vendor pushes back on work piled onto it), and compensated.

Every write: one transaction, rows locked, permission and state checked under the
lock, one audit event, `contract_touch` last.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.files.base import File
from django.db import transaction
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Membership, User
from accounts.services import notify
from core.decisions import ALLOW, Decision, deny
from core.events import audit_record
from core.exceptions import Conflict, ValidationFailed
from core.ids import as_id
from core.money import parse_yuan
from vendors.services import vendor_staff_users

from ..choices import DeliveryStatus, EvidenceKind, ExtraWorkSide, ExtraWorkStatus
from ..evidence import (
    EvidenceInfo,
    duplicate_threshold,
    find_duplicate_photo,
    inspect_evidence,
)
from ..feed import contract_touch
from ..models import (
    Contract,
    ContractItem,
    DeliveryRecord,
    Evidence,
    ExtraWork,
    ResidualWork,
)
from ..permissions import (
    can_act_for_community,
    can_act_for_vendor,
    community_ids_of,
    is_contract_manager,
    is_contract_vendor,
    is_department_staff,
)
from ..workflows import (
    DELIVERY_TRANSITIONS,
    EXTRA_WORK_TRANSITIONS,
    delivery_decision,
    extra_work_decision,
    transition_decision,
)
from ._common import run_child

__all__ = [
    "DELIVERY_TRANSITIONS",
    "EXTRA_WORK_TRANSITIONS",
    "MAX_FILES_PER_REPORT",
    "delivery_confirm",
    "delivery_correct",
    "delivery_decision",
    "delivery_dispute",
    "delivery_report",
    "delivery_withdraw",
    "evidence_add",
    "extra_work_approve",
    "extra_work_compensate",
    "extra_work_decision",
    "extra_work_dispute",
    "extra_work_record",
    "extra_work_refuse",
    "residual_work_record",
]

D = DeliveryStatus
X = ExtraWorkStatus

MAX_FILES_PER_REPORT = 20
MAX_COUNT = 1_000_000
MAX_HOURS = Decimal("10000")
FILE_EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp", "pdf": "pdf"}


# --- input parsing ---------------------------------------------------------------------


def _add(errors: dict[str, list[str]], field: str, message: Any) -> None:
    errors.setdefault(field, []).append(str(message))


def _date(raw: Any, field: str, errors: dict[str, list[str]]) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return timezone.localtime(raw).date() if timezone.is_aware(raw) else raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip()
    if not text:
        _add(errors, field, _("请填写日期。"))
        return None
    if len(text) <= 10:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    _add(errors, field, _("“%(value)s”不是有效的日期。") % {"value": text[:20]})
    return None


def _count(raw: Any, field: str, errors: dict[str, list[str]]) -> int | None:
    if isinstance(raw, bool):
        raw = None
    if isinstance(raw, int):
        value = raw
    else:
        text = str(raw if raw is not None else "").strip()
        if not text:
            _add(errors, field, _("请填写数量。"))
            return None
        body = text[1:] if text[:1] in "+-" else text
        if not (body.isascii() and body.isdigit()) or len(body) > 12:
            _add(errors, field, _("数量必须是整数。"))
            return None
        value = int(text)
    if value < 0:
        _add(errors, field, _("数量不能为负数。"))
        return None
    if value > MAX_COUNT:
        _add(errors, field, _("数量过大。"))
        return None
    return value


def _hours(raw: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    text = str(raw if raw is not None else "").strip()
    if not text or isinstance(raw, bool):
        _add(errors, field, _("请填写工时。"))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        _add(errors, field, _("工时必须是数字。"))
        return None
    if value <= 0:
        _add(errors, field, _("工时必须大于零。"))
        return None
    if value > MAX_HOURS:
        _add(errors, field, _("工时过大。"))
        return None
    if value != value.quantize(Decimal("0.1")):
        _add(errors, field, _("工时最多保留一位小数。"))
        return None
    return value.quantize(Decimal("0.1"))


def _text(
    raw: Any,
    field: str,
    errors: dict[str, list[str]],
    *,
    required: bool = False,
    limit: int = 4000,
    missing: Any = None,
) -> str:
    text = str(raw if raw is not None else "").strip()
    if required and not text:
        _add(errors, field, missing or _("此项必填。"))
    elif len(text) > limit:
        _add(errors, field, _("最多 %(n)s 个字。") % {"n": limit})
    return text[:limit]


def _not_future(
    day: dt.date | None, field: str, errors: dict[str, list[str]], today: dt.date
) -> None:
    if day is not None and day > today:
        _add(errors, field, _("日期不能晚于今天。"))


def _contract_item(
    contract: Contract, raw: Any, errors: dict[str, list[str]]
) -> ContractItem | None:
    pk = as_id(raw)
    item = (
        ContractItem.objects.select_related("item", "community")
        .filter(contract=contract, pk=pk, active=True)
        .first()
        if pk is not None
        else None
    )
    if item is None:
        _add(
            errors,
            "contract_item",
            _("所选事项或社区不在本合同内。") if pk else _("请选择合同事项。"),
        )
    return item


def _community_in_contract(
    contract: Contract, raw: Any, errors: dict[str, list[str]]
) -> int | None:
    pk = as_id(raw)
    if pk is None or not contract.items.filter(community_id=pk).exists():
        _add(errors, "community", _("该社区不在本合同的服务范围内。"))
        return None
    return pk


def _inspect_files(
    files: Iterable[Any], field: str, errors: dict[str, list[str]]
) -> list[EvidenceInfo]:
    """Every file checked before anything is written; errors are collected."""
    try:
        pairs = list(files or ())
    except TypeError:
        _add(errors, field, _("文件格式有误。"))
        return []
    if len(pairs) > MAX_FILES_PER_REPORT:
        _add(
            errors,
            field,
            _("每次最多上传 %(n)s 个文件。") % {"n": MAX_FILES_PER_REPORT},
        )
        return []
    infos: list[EvidenceInfo] = []
    for pair in pairs:
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            _add(errors, field, _("文件格式有误。"))
            continue
        kind, upload = pair
        try:
            infos.append(inspect_evidence(upload, kind=str(kind), field=field))
        except ValidationFailed as exc:
            for k, msgs in exc.fields.items():
                for m in msgs:
                    _add(errors, field if k == "kind" else k, m)
    return infos


# --- who hears of it -------------------------------------------------------------------


def _users(memberships: Any) -> list[User]:
    return [m.user for m in memberships.select_related("user")]


def _community_staff(community_id: int) -> list[User]:
    return _users(
        Membership.objects.filter(
            organisation_id=community_id,
            organisation__is_active=True,
            role=Role.COMMUNITY_STAFF,
        )
    )


def _buyer_officers(contract: Contract) -> list[User]:
    """The buyer street's officers (the district's admins when it has none)."""
    officers = _users(
        Membership.objects.filter(
            organisation_id=contract.buyer_id, role=Role.STREET_OFFICER
        )
    )
    return officers or _users(
        Membership.objects.filter(
            organisation_id=contract.district_id, role=Role.DISTRICT_ADMIN
        )
    )


def _link(contract: Contract) -> str:
    try:
        return contract.get_absolute_url()
    except NoReverseMatch:  # the pages are not mounted (API-only deployments, tests)
        return ""


def _actor(actor: User | None) -> User | None:
    return actor if getattr(actor, "pk", None) else None


# --- delivery records ------------------------------------------------------------------


def _lock_contract(contract: Contract) -> Contract:
    return (
        Contract.objects.select_for_update(of=("self",))
        .select_related("buyer", "district", "vendor__organisation")
        .get(pk=contract.pk)
    )


def _lock_delivery(delivery: DeliveryRecord) -> DeliveryRecord:
    return (
        DeliveryRecord.objects.select_for_update(of=("self",))
        .select_related(
            "contract__buyer",
            "contract__vendor__organisation",
            "contract_item__item",
            "contract_item__community",
        )
        .get(pk=delivery.pk)
    )


def _store_evidence(
    delivery: DeliveryRecord,
    infos: list[EvidenceInfo],
    actor: User | None,
    stored: list[Any],
) -> list[Evidence]:
    """Save the inspected files; a photo is compared with every earlier photo of any
    contract (the ones saved just before it included)."""
    threshold = duplicate_threshold(delivery.contract)
    saved: list[Evidence] = []
    for info in infos:
        dup, distance = (None, None)
        if info.kind == EvidenceKind.PHOTO and info.phash:
            dup, distance = find_duplicate_photo(
                sha256=info.sha256, phash=info.phash, threshold=threshold
            )
        ev = Evidence(
            delivery=delivery,
            kind=info.kind,
            name=info.name,
            size=info.size,
            sha256=info.sha256,
            phash=info.phash,
            captured_at=info.captured_at,
            latitude=info.latitude,
            longitude=info.longitude,
            duplicate_of=dup,
            duplicate_distance=distance,
            uploaded_by=_actor(actor),
        )
        stem = info.name.rsplit(".", 1)[0] or "evidence"
        content = (
            info.upload
            if isinstance(info.upload, File)
            else File(info.upload, name=info.name)
        )
        info.upload.seek(0)
        # The stored name carries the type read from the content, not the one typed.
        ev.file.save(f"{stem}.{FILE_EXTENSIONS[info.file_type]}", content, save=False)
        stored.append(ev.file)
        ev.save()
        saved.append(ev)
    return saved


def _forget(stored: list[Any]) -> None:
    """Remove files written by a transaction that did not commit."""
    for f in stored:
        try:
            f.storage.delete(f.name)
        except OSError:
            pass


def _flag_duplicates(contract: Contract, saved: list[Evidence]) -> list[dict[str, Any]]:
    flagged = [
        {
            "evidence": e.pk,
            "duplicate_of": e.duplicate_of_id,
            "distance": e.duplicate_distance,
        }
        for e in saved
        if e.duplicate_of_id is not None
    ]
    if flagged:
        notify(
            users=_buyer_officers(contract),
            verb="contract_evidence_duplicate",
            title=_("疑似重复使用的服务照片：%(code)s") % {"code": contract.code},
            body=_(
                "合同 %(code)s（%(vendor)s）新上传的 %(n)s 张照片与此前上传的照片相同或高度近似，请核实。"
            )
            % {
                "code": contract.code,
                "vendor": contract.vendor.name,
                "n": len(flagged),
            },
            link=_link(contract),
        )
    return flagged


def delivery_report(
    *,
    contract: Contract,
    actor: User | None,
    contract_item: ContractItem | int | str | None,
    period_start: Any,
    period_end: Any,
    count: Any,
    notes: str = "",
    files: Iterable[tuple[str, Any]] = (),
) -> DeliveryRecord:
    """The vendor reports what it delivered of one item in one community over a
    period, with its evidence (sign-in sheets, photos, files). Every file is checked
    before anything is written; the record and all its files are saved, or none.

    Raises:
        NotPermitted: the actor is not the contract's vendor's staff.
        TransitionNotAllowed: the contract is not active.
        ValidationFailed: `contract_item` (not of this contract), `period_start` /
            `period_end` (bad, reversed, outside the term, in the future), `count`
            (not a whole number ≥ 0), `notes` (too long), `files` (a file of the
            wrong type, unreadable, too large, too many).
    """
    errors: dict[str, list[str]] = {}
    if actor is not None:
        can_act_for_vendor(actor, contract).raise_if_denied()
    infos = _inspect_files(files, "files", errors)
    stored: list[Any] = []
    try:
        with transaction.atomic():
            locked = _lock_contract(contract)
            if actor is not None:
                transition_decision(actor, locked, "report_delivery").raise_if_denied()
            elif locked.status != "active":
                raise Conflict(
                    _("合同不在履行中，不能填报服务记录。"),
                    code="transition_not_allowed",
                )
            item = _contract_item(locked, contract_item, errors)
            start = _date(period_start, "period_start", errors)
            end = _date(period_end, "period_end", errors)
            if start and end and end < start:
                _add(errors, "period_end", _("结束日期不能早于开始日期。"))
            if start and start < locked.start_on:
                _add(
                    errors,
                    "period_start",
                    _("服务期间须在合同期限（%(start)s 至 %(end)s）内。")
                    % {"start": locked.start_on, "end": locked.end_on},
                )
            if end and end > locked.end_on:
                _add(
                    errors,
                    "period_end",
                    _("服务期间须在合同期限（%(start)s 至 %(end)s）内。")
                    % {"start": locked.start_on, "end": locked.end_on},
                )
            _not_future(start, "period_start", errors, timezone.localdate())
            n = _count(count, "count", errors)
            text = _text(notes, "notes", errors)
            if errors:
                raise ValidationFailed(fields=errors)
            assert item is not None
            assert start is not None
            assert end is not None
            assert n is not None
            delivery = DeliveryRecord.objects.create(
                contract=locked,
                contract_item=item,
                period_start=start,
                period_end=end,
                count=n,
                notes=text,
                reported_by=_actor(actor),
                reported_at=timezone.now(),
            )
            saved = _store_evidence(delivery, infos, actor, stored)
            flagged = _flag_duplicates(locked, saved)
            notify(
                users=_community_staff(item.community_id),
                verb="contract_delivery_reported",
                title=_("待签收的服务记录：%(item)s") % {"item": item.item.name},
                body=_(
                    "%(vendor)s 填报了 %(start)s 至 %(end)s 的服务记录，数量 %(n)s %(unit)s，请签收或提出异议。"
                )
                % {
                    "vendor": locked.vendor.name,
                    "start": start,
                    "end": end,
                    "n": n,
                    "unit": item.unit,
                },
                link=_link(locked),
            )
            audit_record(
                actor=actor,
                action="contracts.delivery_report",
                obj=delivery,
                to_state=delivery.status,
                payload={
                    "contract": locked.pk,
                    "contract_item": item.pk,
                    "period": [start.isoformat(), end.isoformat()],
                    "count": n,
                    "evidence": [e.pk for e in saved],
                    "duplicates": flagged,
                },
            )
            contract_touch(locked, "delivery_report")
    except BaseException:
        _forget(stored)
        raise
    return delivery


def _run_delivery(
    *,
    delivery: DeliveryRecord,
    actor: User | None,
    name: str,
    change: Callable[[DeliveryRecord], dict[str, Any]],
    comment: str = "",
    after: Callable[[DeliveryRecord], None] | None = None,
) -> DeliveryRecord:
    result: DeliveryRecord = run_child(
        actor=actor,
        obj=delivery,
        name=name,
        action=f"delivery_{name}",
        lock=_lock_delivery,
        decide=delivery_decision,
        target=DELIVERY_TRANSITIONS[name].target,
        change=change,
        comment=comment,
        after=after,
    )
    return result


def _refuse_early(actor: User | None, delivery: DeliveryRecord, name: str) -> None:
    """The permission on the caller's copy, so an unauthorised actor is told before
    the input is judged (re-checked under the lock)."""
    if actor is not None:
        decision = DELIVERY_TRANSITIONS[name].permission(actor, delivery)
        decision.raise_if_denied()


def delivery_confirm(
    *, delivery: DeliveryRecord, actor: User | None, note: str = ""
) -> DeliveryRecord:
    """社区签收: the staff of the record's community confirm it.

    Raises:
        NotPermitted: not the staff of that community.
        TransitionNotAllowed: the record is not awaiting review.
        ValidationFailed: `note` too long.
    """
    errors: dict[str, list[str]] = {}
    text = _text(note, "note", errors, limit=2000)
    if errors:
        raise ValidationFailed(fields=errors)

    def change(d: DeliveryRecord) -> dict[str, Any]:
        d.reviewed_by = _actor(actor)
        d.reviewed_at = timezone.now()
        return {"count": d.count, "note": text}

    return _run_delivery(
        delivery=delivery, actor=actor, name="confirm", change=change, comment=text
    )


def delivery_dispute(
    *, delivery: DeliveryRecord, actor: User | None, reason: str
) -> DeliveryRecord:
    """The community disputes the record, with its reason; the vendor is told.

    Raises:
        NotPermitted: not the staff of that community.
        TransitionNotAllowed: the record is not awaiting review.
        ValidationFailed: `reason` missing or too long.
    """
    _refuse_early(actor, delivery, "dispute")
    errors: dict[str, list[str]] = {}
    text = _text(
        reason,
        "reason",
        errors,
        required=True,
        limit=2000,
        missing=_("请填写异议理由。"),
    )
    if errors:
        raise ValidationFailed(fields=errors)

    def change(d: DeliveryRecord) -> dict[str, Any]:
        d.reviewed_by = _actor(actor)
        d.reviewed_at = timezone.now()
        d.dispute_reason = text
        return {"count": d.count, "reason": text}

    def tell_vendor(d: DeliveryRecord) -> None:
        notify(
            users=vendor_staff_users(d.contract.vendor),
            verb="contract_delivery_disputed",
            title=_("服务记录有异议：%(item)s") % {"item": d.contract_item.item.name},
            body=_(
                "%(community)s 对 %(start)s 至 %(end)s 的服务记录提出异议：%(reason)s"
            )
            % {
                "community": d.contract_item.community.name,
                "start": d.period_start,
                "end": d.period_end,
                "reason": text,
            },
            link=_link(d.contract),
        )

    return _run_delivery(
        delivery=delivery,
        actor=actor,
        name="dispute",
        change=change,
        comment=text,
        after=tell_vendor,
    )


def delivery_correct(
    *, delivery: DeliveryRecord, actor: User | None, count: Any, notes: str
) -> DeliveryRecord:
    """The vendor corrects a disputed record; it awaits the community's review again.

    Raises:
        NotPermitted: not the vendor's staff.
        TransitionNotAllowed: the record is not disputed, or the contract not active.
        ValidationFailed: `count` (not a whole number ≥ 0), `notes` (too long).
    """
    _refuse_early(actor, delivery, "correct")
    errors: dict[str, list[str]] = {}
    n = _count(count, "count", errors)
    text = _text(notes, "notes", errors)
    if errors:
        raise ValidationFailed(fields=errors)

    def change(d: DeliveryRecord) -> dict[str, Any]:
        payload = {
            "count": [d.count, n],
            "dispute_reason": d.dispute_reason,
        }
        d.count = n  # type: ignore[assignment]
        d.notes = text
        d.dispute_reason = ""
        d.reviewed_by = None
        d.reviewed_at = None
        d.reported_at = timezone.now()
        return payload

    def tell_community(d: DeliveryRecord) -> None:
        notify(
            users=_community_staff(d.contract_item.community_id),
            verb="contract_delivery_reported",
            title=_("待签收的服务记录（已更正）：%(item)s")
            % {"item": d.contract_item.item.name},
            body=_(
                "%(vendor)s 更正了 %(start)s 至 %(end)s 的服务记录，数量 %(n)s，请重新签收。"
            )
            % {
                "vendor": d.contract.vendor.name,
                "start": d.period_start,
                "end": d.period_end,
                "n": d.count,
            },
            link=_link(d.contract),
        )

    return _run_delivery(
        delivery=delivery,
        actor=actor,
        name="correct",
        change=change,
        after=tell_community,
    )


def delivery_withdraw(
    *, delivery: DeliveryRecord, actor: User | None, reason: str = ""
) -> DeliveryRecord:
    """The vendor withdraws a record not yet confirmed (reported or disputed).

    Raises:
        NotPermitted: not the vendor's staff.
        TransitionNotAllowed: the record was confirmed or withdrawn already.
    """
    errors: dict[str, list[str]] = {}
    text = _text(reason, "reason", errors, limit=2000)
    if errors:
        raise ValidationFailed(fields=errors)
    return _run_delivery(
        delivery=delivery,
        actor=actor,
        name="withdraw",
        change=lambda d: {"count": d.count, "reason": text},
        comment=text,
    )


def evidence_add(
    *, delivery: DeliveryRecord, actor: User | None, kind: str, file: Any
) -> Evidence:
    """The vendor adds one evidence file to a record awaiting review or disputed.

    Raises:
        NotPermitted: not the vendor's staff.
        TransitionNotAllowed: the record is confirmed or withdrawn, or the contract
            not active.
        ValidationFailed: `kind` unknown, `file` of the wrong type or unreadable.
    """
    _refuse_early(actor, delivery, "add_evidence")
    info = inspect_evidence(file, kind=str(kind), field="file")
    stored: list[Any] = []
    try:
        with transaction.atomic():
            locked = _lock_delivery(delivery)
            delivery_decision(actor, locked, "add_evidence").raise_if_denied()
            (ev,) = _store_evidence(locked, [info], actor, stored)
            flagged = _flag_duplicates(locked.contract, [ev])
            audit_record(
                actor=actor,
                action="contracts.evidence_add",
                obj=locked,
                payload={
                    "contract": locked.contract_id,
                    "evidence": ev.pk,
                    "kind": ev.kind,
                    "duplicates": flagged,
                },
            )
            contract_touch(locked.contract, "evidence_add")
    except BaseException:
        _forget(stored)
        raise
    return ev


# --- community staff's own work (社区自办) ---------------------------------------------


def residual_work_record(
    *,
    contract: Contract,
    actor: User | None,
    contract_item: ContractItem | int | str | None,
    happened_on: Any,
    description: str,
    hours: Any,
    reason: str,
) -> ResidualWork:
    """Community staff record a contracted item they still did themselves: what, when,
    how many hours and why.

    Raises:
        NotPermitted: not community staff, or not of the item's community.
        TransitionNotAllowed: the contract is not active.
        ValidationFailed: `contract_item` (not of this contract), `happened_on` (bad,
            in the future, outside the term), `description` / `reason` (missing),
            `hours` (not a number > 0 with at most one decimal).
    """
    if actor is not None:
        can_act_for_community(actor, contract).raise_if_denied()
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        locked = _lock_contract(contract)
        if actor is not None:
            transition_decision(actor, locked, "record_residual").raise_if_denied()
        elif locked.status != "active":
            raise Conflict(_("合同不在履行中。"), code="transition_not_allowed")
        item = _contract_item(locked, contract_item, errors)
        if item is not None and actor is not None:
            can_act_for_community(actor, locked, item.community_id).raise_if_denied()
        day = _date(happened_on, "happened_on", errors)
        _not_future(day, "happened_on", errors, timezone.localdate())
        if day and not (locked.start_on <= day <= locked.end_on):
            _add(
                errors,
                "happened_on",
                _("日期须在合同期限（%(start)s 至 %(end)s）内。")
                % {"start": locked.start_on, "end": locked.end_on},
            )
        what = _text(
            description,
            "description",
            errors,
            required=True,
            missing=_("请填写所做的工作。"),
        )
        h = _hours(hours, "hours", errors)
        why = _text(reason, "reason", errors, required=True, missing=_("请填写原因。"))
        if errors:
            raise ValidationFailed(fields=errors)
        assert item is not None
        assert day is not None
        assert h is not None
        row = ResidualWork.objects.create(
            contract=locked,
            contract_item=item,
            happened_on=day,
            description=what,
            hours=h,
            reason=why,
            recorded_by=_actor(actor),
            recorded_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="contracts.residual_work_record",
            obj=row,
            payload={
                "contract": locked.pk,
                "contract_item": item.pk,
                "happened_on": day.isoformat(),
                "hours": str(h),
            },
        )
        contract_touch(locked, "residual_work_record")
    return row


# --- work outside the contract (合同外工作) --------------------------------------------


def _side_decision(
    actor: Any, contract: Contract, side: str, community_id: int | None
) -> Decision:
    if side == ExtraWorkSide.DEPARTMENT:
        if is_department_staff(actor, contract) or is_contract_manager(actor, contract):
            return ALLOW
        return deny(_("只有本街道的科室人员或街道工作人员可以以街道科室名义登记。"))
    if side == ExtraWorkSide.COMMUNITY:
        mine = community_ids_of(actor)
        if not mine:
            return deny(_("只有社区工作人员可以以社区名义登记。"))
        if community_id is not None and community_id not in mine:
            return deny(_("只能以本社区的名义登记。"))
        return ALLOW
    if is_contract_vendor(actor, contract):
        return ALLOW
    return deny(_("只有承接组织本单位人员可以以承接组织名义登记。"))


def extra_work_record(
    *,
    contract: Contract,
    actor: User | None,
    side: str,
    requested_by_name: str,
    description: str,
    assigned_on: Any,
    hours: Any,
    community: Any = None,
) -> ExtraWork:
    """A department, a community or the vendor records a task given to the vendor
    outside the contract: who asked, what, when, how many hours.

    Raises:
        NotPermitted: the actor may not record for that side (or that community).
        TransitionNotAllowed: the contract is not active.
        ValidationFailed: `side` unknown, `community` (missing for a community, not
            in the contract), `requested_by_name` / `description` missing,
            `assigned_on` (bad, in the future, before the term), `hours` (≤ 0).
    """
    errors: dict[str, list[str]] = {}
    side = str(side or "")
    if side not in ExtraWorkSide.values:
        raise ValidationFailed(fields={"side": [_("请选择记录方。")]})
    raw_community = getattr(community, "pk", community)
    community_id = as_id(raw_community) if raw_community not in (None, "") else None
    if actor is not None:
        _side_decision(actor, contract, side, community_id).raise_if_denied()
    with transaction.atomic():
        locked = _lock_contract(contract)
        if actor is not None:
            transition_decision(actor, locked, "record_extra_work").raise_if_denied()
        elif locked.status != "active":
            raise Conflict(_("合同不在履行中。"), code="transition_not_allowed")
        if raw_community not in (None, ""):
            community_id = _community_in_contract(locked, raw_community, errors)
        elif side == ExtraWorkSide.COMMUNITY:
            _add(errors, "community", _("请选择社区。"))
        who = _text(
            requested_by_name,
            "requested_by_name",
            errors,
            required=True,
            limit=120,
            missing=_("请填写交办人（单位或姓名）。"),
        )
        what = _text(
            description,
            "description",
            errors,
            required=True,
            missing=_("请填写工作内容。"),
        )
        day = _date(assigned_on, "assigned_on", errors)
        _not_future(day, "assigned_on", errors, timezone.localdate())
        if day and day < locked.start_on:
            _add(
                errors,
                "assigned_on",
                _("交办日期不能早于合同开始日期（%(start)s）。")
                % {"start": locked.start_on},
            )
        h = _hours(hours, "hours", errors)
        if errors:
            raise ValidationFailed(fields=errors)
        assert day is not None
        assert h is not None
        extra = ExtraWork.objects.create(
            contract=locked,
            community_id=community_id,
            side=side,
            requested_by_name=who,
            description=what,
            assigned_on=day,
            hours=h,
            recorded_by=_actor(actor),
            recorded_at=timezone.now(),
        )
        # The buyer decides; the vendor hears of work recorded against it by others.
        users = _buyer_officers(locked)
        if side != ExtraWorkSide.VENDOR:
            users += vendor_staff_users(locked.vendor)
        notify(
            users=[u for u in users if u.pk != getattr(actor, "pk", None)],
            verb="contract_extra_work_recorded",
            title=_("合同外工作登记：%(code)s") % {"code": locked.code},
            body=_("%(who)s 于 %(day)s 交办：%(what)s（%(hours)s 小时）")
            % {"who": who, "day": day, "what": what[:200], "hours": h},
            link=_link(locked),
        )
        audit_record(
            actor=actor,
            action="contracts.extra_work_record",
            obj=extra,
            to_state=extra.status,
            payload={
                "contract": locked.pk,
                "side": side,
                "community": community_id,
                "assigned_on": day.isoformat(),
                "hours": str(h),
            },
        )
        contract_touch(locked, "extra_work_record")
    return extra


def _lock_extra(extra: ExtraWork) -> ExtraWork:
    return (
        ExtraWork.objects.select_for_update(of=("self",))
        .select_related(
            "contract__buyer", "contract__vendor__organisation", "community"
        )
        .get(pk=extra.pk)
    )


def _run_extra(
    *,
    extra: ExtraWork,
    actor: User | None,
    name: str,
    change: Callable[[ExtraWork], dict[str, Any]],
    comment: str = "",
    after: Callable[[ExtraWork], None] | None = None,
) -> ExtraWork:
    result: ExtraWork = run_child(
        actor=actor,
        obj=extra,
        name=name,
        action=f"extra_work_{name}",
        lock=_lock_extra,
        decide=extra_work_decision,
        target=EXTRA_WORK_TRANSITIONS[name].target,
        change=change,
        comment=comment,
        after=after,
    )
    return result


def _refuse_extra_early(actor: User | None, extra: ExtraWork, name: str) -> None:
    if actor is not None:
        EXTRA_WORK_TRANSITIONS[name].permission(actor, extra).raise_if_denied()


def _decided(actor: User | None, note: str) -> Callable[[ExtraWork], dict[str, Any]]:
    def change(e: ExtraWork) -> dict[str, Any]:
        e.decided_by = _actor(actor)
        e.decided_at = timezone.now()
        e.decision_note = note
        return {"note": note, "hours": str(e.hours)}

    return change


def _tell_vendor_decision(e: ExtraWork) -> None:
    notify(
        users=vendor_staff_users(e.contract.vendor),
        verb="contract_extra_work_decided",
        title=_("合同外工作认定结果：%(status)s") % {"status": e.get_status_display()},
        body=_("%(what)s：%(note)s")
        % {"what": e.description[:200], "note": e.decision_note},
        link=_link(e.contract),
    )


def extra_work_approve(
    *, extra: ExtraWork, actor: User | None, note: str = ""
) -> ExtraWork:
    """The buyer's officers confirm the extra work happened (it counts in the ratio).

    Raises:
        NotPermitted: not the buyer's officers.
        TransitionNotAllowed: already approved or refused.
    """
    _refuse_extra_early(actor, extra, "approve")
    errors: dict[str, list[str]] = {}
    text = _text(note, "note", errors, limit=2000)
    if errors:
        raise ValidationFailed(fields=errors)
    return _run_extra(
        extra=extra,
        actor=actor,
        name="approve",
        change=_decided(actor, text),
        comment=text,
        after=_tell_vendor_decision,
    )


def extra_work_refuse(*, extra: ExtraWork, actor: User | None, note: str) -> ExtraWork:
    """The buyer's officers refuse to recognise the record, with the reason.

    Raises:
        NotPermitted: not the buyer's officers.
        TransitionNotAllowed: already approved or refused.
        ValidationFailed: `note` missing.
    """
    _refuse_extra_early(actor, extra, "refuse")
    errors: dict[str, list[str]] = {}
    text = _text(
        note,
        "note",
        errors,
        required=True,
        limit=2000,
        missing=_("请填写不予认定的理由。"),
    )
    if errors:
        raise ValidationFailed(fields=errors)
    return _run_extra(
        extra=extra,
        actor=actor,
        name="refuse",
        change=_decided(actor, text),
        comment=text,
        after=_tell_vendor_decision,
    )


def extra_work_dispute(
    *, extra: ExtraWork, actor: User | None, response: str
) -> ExtraWork:
    """The vendor pushes back on work piled onto it (seed 002), with its response;
    the buyer's officers are told and decide again.

    Raises:
        NotPermitted: not the vendor's staff.
        TransitionNotAllowed: the record is disputed or refused already.
        ValidationFailed: `response` missing.
    """
    _refuse_extra_early(actor, extra, "dispute")
    errors: dict[str, list[str]] = {}
    text = _text(
        response,
        "response",
        errors,
        required=True,
        limit=2000,
        missing=_("请填写承接组织的意见。"),
    )
    if errors:
        raise ValidationFailed(fields=errors)

    def change(e: ExtraWork) -> dict[str, Any]:
        e.vendor_response = text
        return {"response": text}

    def tell_officers(e: ExtraWork) -> None:
        notify(
            users=_buyer_officers(e.contract),
            verb="contract_extra_work_disputed",
            title=_("承接组织对合同外工作有异议：%(code)s") % {"code": e.contract.code},
            body=_("%(what)s：%(response)s")
            % {"what": e.description[:200], "response": text},
            link=_link(e.contract),
        )

    return _run_extra(
        extra=extra,
        actor=actor,
        name="dispute",
        change=change,
        comment=text,
        after=tell_officers,
    )


def extra_work_compensate(
    *, extra: ExtraWork, actor: User | None, amount: Any
) -> ExtraWork:
    """The buyer's officers record the compensation paid for approved extra work.

    Raises:
        NotPermitted: not the buyer's officers.
        TransitionNotAllowed: the record is not approved.
        Conflict: compensation was recorded already.
        ValidationFailed: `amount` (empty, not a number, ≤ 0, more than 2 decimals).
    """
    _refuse_extra_early(actor, extra, "compensate")
    try:
        value = parse_yuan(amount, positive=True)
    except ValueError as exc:
        raise ValidationFailed(fields={"amount": [str(exc)]}) from None

    def change(e: ExtraWork) -> dict[str, Any]:
        if e.compensated:
            raise Conflict(
                _("已登记补偿金额 %(amount)s 元。") % {"amount": e.compensation},
                code="already_compensated",
            )
        e.compensated = True
        e.compensation = value
        return {"amount": str(value)}

    return _run_extra(extra=extra, actor=actor, name="compensate", change=change)
