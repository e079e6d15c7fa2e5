"""Every write to the supplier register. HTML views, the API, tasks and the seeding call these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import ValidationError as StdnumError

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User
from accounts.services import notify, organisation_create
from core.crypto import blind_index, encrypt_text
from core.events import audit_record
from core.exceptions import ValidationFailed
from core.tabular import raise_row_errors
from core.uploads import validate_upload

from .choices import (
    REGISTERED_TYPES,
    ChangeRequestStatus,
    CreditList,
    CreditResult,
    DocumentKind,
    Grade,
    OrgType,
    PersonRole,
    ReportResult,
)
from .models import (
    AnnualReport,
    CreditCheck,
    EligibilityDocument,
    RelatedPerson,
    Vendor,
    VendorChangeRequest,
    VendorStanding,
)
from .permissions import (
    can_add_evidence,
    can_create_vendor,
    can_decide_change,
    can_edit_vendor,
    can_record_credit_check,
    can_submit_profile,
)

# Fields a vendor's own staff may not change without an officer: they identify it in law.
LEGAL_FIELDS = (
    "name",
    "uscc",
    "legal_representative",
    "org_type",
    "registration_authority",
    "registration_date",
)
PROFILE_FIELDS = (
    "short_name",
    "address",
    "fulltime_staff",
    "parttime_staff",
    "volunteers",
    "note",
)
ALL_FIELDS = (
    *LEGAL_FIELDS,
    *PROFILE_FIELDS,
    "grade",
    "graded_on",
    "excluded_public_body",
    "streets",
    "communities",
)


def _text(data: dict[str, Any], name: str, limit: int) -> str:
    return str(data.get(name) or "").strip()[:limit]


def clean_vendor_data(
    data: dict[str, Any], *, district: Organisation, vendor: Vendor | None = None
) -> dict[str, Any]:
    """Check a vendor's register fields; raise with every field at fault.

    Raises:
        ValidationFailed: a wrong check character, a duplicate code, a missing field,
            a registration date in the future, an unknown street.
    """
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for name, limit in (
        ("name", 120),
        ("short_name", 60),
        ("registration_authority", 100),
        ("legal_representative", 60),
        ("address", 200),
    ):
        out[name] = _text(data, name, limit)
    out["note"] = str(data.get("note") or "").strip()
    if not out["name"]:
        errors["name"] = [_("请填写名称。")]
    org_type = str(data.get("org_type") or "")
    if org_type not in OrgType.values:
        errors["org_type"] = [_("请选择主体类型。")]
    out["org_type"] = org_type
    code = str(data.get("uscc") or "").strip().upper().replace(" ", "")
    if code:
        try:
            code = uscc.validate(code)
        except StdnumError:
            errors["uscc"] = [
                _("“%(code)s”不是有效的统一社会信用代码（校验位不符或格式错误）。")
                % {"code": code}
            ]
        else:
            clash = (
                Vendor.objects.filter(uscc=code)
                .exclude(pk=getattr(vendor, "pk", None))
                .select_related("organisation")
                .first()
            )
            if clash is not None:
                errors["uscc"] = [
                    _("统一社会信用代码已被“%(name)s”使用。") % {"name": clash.name}
                ]
    elif org_type in REGISTERED_TYPES:
        errors["uscc"] = [_("已登记的组织必须填写统一社会信用代码。")]
    out["uscc"] = code or None
    reg_date = data.get("registration_date")
    if isinstance(reg_date, str) and reg_date.strip():
        try:
            reg_date = dt.date.fromisoformat(reg_date.strip())
        except ValueError:
            errors["registration_date"] = [_("日期格式应为 YYYY-MM-DD。")]
            reg_date = None
    reg_date = reg_date or None
    if reg_date and reg_date > timezone.localdate():
        errors["registration_date"] = [_("登记日期不能晚于今天。")]
    if (
        org_type in REGISTERED_TYPES
        and not reg_date
        and "registration_date" not in errors
    ):
        errors["registration_date"] = [_("已登记的组织必须填写登记日期。")]
    out["registration_date"] = reg_date
    for name in ("fulltime_staff", "parttime_staff", "volunteers"):
        raw = data.get(name)
        try:
            value = int(str(raw)) if raw not in (None, "") else 0
        except (TypeError, ValueError):
            value = -1
        if value < 0 or value > 100000:
            errors[name] = [_("必须是 0 到 100,000 之间的整数。")]
        out[name] = max(value, 0)
    grade = str(data.get("grade") or "")
    if grade and grade not in Grade.values:
        errors["grade"] = [_("评估等级只能是 5A 到 1A。")]
    graded_on = data.get("graded_on") or None
    if isinstance(graded_on, str):
        try:
            graded_on = dt.date.fromisoformat(graded_on)
        except ValueError:
            errors["graded_on"] = [_("日期格式应为 YYYY-MM-DD。")]
            graded_on = None
    if grade and not graded_on and "graded_on" not in errors:
        errors["graded_on"] = [_("有评估等级时须填写评估日期。")]
    if graded_on and graded_on > timezone.localdate():
        errors["graded_on"] = [_("评估日期不能晚于今天。")]
    out["grade"], out["graded_on"] = grade, graded_on
    out["excluded_public_body"] = bool(data.get("excluded_public_body"))
    for name, kind in (
        ("streets", OrganisationKind.STREET),
        ("communities", OrganisationKind.COMMUNITY),
    ):
        wanted = data.get(name) or []
        codes = [getattr(w, "code", w) for w in wanted]
        found = {
            o.code: o
            for o in Organisation.objects.filter(
                code__in=codes, kind=kind, path__startswith=district.path
            )
        }
        unknown = [str(c) for c in codes if c not in found]
        if unknown:
            errors[name] = [
                _("不是本区的%(kind)s：%(codes)s。")
                % {"kind": OrganisationKind(kind).label, "codes": "、".join(unknown)}
            ]
        out[name] = list(found.values())
    if not errors and out["communities"]:
        street_ids = {s.pk for s in out["streets"]}
        stray = [c.name for c in out["communities"] if c.parent_id not in street_ids]
        if stray:
            errors["communities"] = [
                _("社区不在所选服务街道内：%(names)s。") % {"names": "、".join(stray)}
            ]
    if errors:
        raise ValidationFailed(fields=errors)
    return out


def _next_vendor_code(district: Organisation) -> str:
    prefix = f"{district.code}-V"
    codes = Organisation.objects.filter(code__startswith=prefix).values_list(
        "code", flat=True
    )
    numbers = [int(c[len(prefix) :]) for c in codes if c[len(prefix) :].isdigit()]
    return f"{prefix}{(max(numbers) + 1) if numbers else 1:04d}"


@transaction.atomic
def vendor_create(
    *,
    actor: User | None,
    district: Organisation,
    data: dict[str, Any],
    code: str = "",
    organisation: Organisation | None = None,
) -> Vendor:
    """Register a supplier in a district's register.

    Raises:
        NotPermitted: the actor does not keep the register.
        ValidationFailed: see clean_vendor_data.
    """
    if actor is not None:
        can_create_vendor(actor).raise_if_denied()
    values = clean_vendor_data(data, district=district)
    streets, communities = values.pop("streets"), values.pop("communities")
    name, short_name = values.pop("name"), values.pop("short_name")
    if organisation is not None:
        # An organisation that already exists in the tree (e.g. with staff accounts)
        # joins the register.
        if (
            organisation.kind != OrganisationKind.VENDOR
            or Vendor.objects.filter(organisation=organisation).exists()
        ):
            raise ValidationFailed(
                fields={"organisation": [_("该组织不能登记为承接组织，或已在名录中。")]}
            )
        org = organisation
        org.name, org.short_name, org.address = (
            name,
            short_name or org.short_name,
            values["address"],
        )
        org.save(update_fields=["name", "short_name", "address", "updated_at"])
    else:
        org = organisation_create(
            actor=None,
            parent=district,
            code=code or _next_vendor_code(district),
            name=name,
            short_name=short_name,
            kind=OrganisationKind.VENDOR,
            address=values["address"],
        )
    try:
        with transaction.atomic():
            vendor = Vendor.objects.create(organisation=org, **values)
    except IntegrityError as exc:  # a concurrent registration took the same code
        raise ValidationFailed(
            fields={"uscc": [_("统一社会信用代码已被使用。")]}
        ) from exc
    vendor.streets.set(streets)
    vendor.communities.set(communities)
    audit_record(
        actor=actor,
        action="vendor.create",
        obj=vendor,
        payload={"uscc": vendor.uscc, "org_type": vendor.org_type},
    )
    return vendor


def _snapshot(vendor: Vendor) -> dict[str, Any]:
    out = {
        f: getattr(vendor, f)
        for f in ALL_FIELDS
        if f not in ("name", "short_name", "streets", "communities")
    }
    out["name"], out["short_name"] = (
        vendor.organisation.name,
        vendor.organisation.short_name,
    )
    out["streets"] = sorted(vendor.streets.values_list("code", flat=True))
    out["communities"] = sorted(vendor.communities.values_list("code", flat=True))
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in out.items()}


def _lock_and_clean(
    vendor: Vendor, data: dict[str, Any]
) -> tuple[Vendor, dict[str, Any], dict[str, Any]]:
    """Lock the vendor row and check its current values overlaid with `data`."""
    locked = (
        Vendor.objects.select_for_update()
        .select_related("organisation")
        .get(pk=vendor.pk)
    )
    before = _snapshot(locked)
    values = clean_vendor_data(
        {**before, **data}, district=locked.organisation.parent, vendor=locked
    )
    return locked, before, values


@transaction.atomic
def vendor_update(
    *, actor: User | None, vendor: Vendor, data: dict[str, Any]
) -> Vendor:
    """Change register fields (officers; legal fields included). Fields not given keep their value.

    Raises:
        NotPermitted: the actor does not keep this register.
        ValidationFailed: see clean_vendor_data.
    """
    if actor is not None:
        can_edit_vendor(actor, vendor).raise_if_denied()
    locked, before, values = _lock_and_clean(vendor, data)
    org = locked.organisation
    org.name, org.short_name, org.address = (
        values.pop("name"),
        values.pop("short_name"),
        values["address"],
    )
    org.save(update_fields=["name", "short_name", "address", "updated_at"])
    streets, communities = values.pop("streets"), values.pop("communities")
    for k, v in values.items():
        setattr(locked, k, v)
    locked.save()
    locked.streets.set(streets)
    locked.communities.set(communities)
    after = _snapshot(locked)
    changes = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
    if changes:
        audit_record(
            actor=actor,
            action="vendor.update",
            obj=locked,
            payload={"changes": changes},
        )
    return locked


def _dates(
    data: dict[str, Any], errors: dict[str, list[str]]
) -> tuple[dt.date | None, dt.date | None]:
    parsed = []
    for name in ("valid_from", "valid_until"):
        v = data.get(name)
        if isinstance(v, str):
            try:
                v = dt.date.fromisoformat(v) if v.strip() else None
            except ValueError:
                errors[name] = [_("日期格式应为 YYYY-MM-DD。")]
                v = None
        parsed.append(v or None)
    start, end = parsed
    if start and end and end < start:
        errors["valid_until"] = [_("有效期至不能早于有效期起。")]
    return start, end


@transaction.atomic
def document_add(
    *, actor: User | None, vendor: Vendor, data: dict[str, Any], upload: Any = None
) -> EligibilityDocument:
    """Add an eligibility document with its validity dates and file (PDF, JPEG or PNG).

    Raises:
        NotPermitted: neither an officer of the register nor the vendor's own staff.
        ValidationFailed: unknown kind, empty title, dates out of order, a file of the
            wrong type or too large.
    """
    if actor is not None:
        can_add_evidence(actor, vendor).raise_if_denied()
    errors: dict[str, list[str]] = {}
    kind = str(data.get("kind") or "")
    if kind not in DocumentKind.values:
        errors["kind"] = [_("请选择材料类型。")]
    title = _text(data, "title", 200) or (
        DocumentKind(kind).label if kind in DocumentKind.values else ""
    )
    if not title:
        errors["title"] = [_("请填写名称。")]
    start, end = _dates(data, errors)
    if upload is not None:
        try:
            validate_upload(
                upload,
                field="file",
                allowed=("pdf", "jpeg", "png"),
                max_bytes=settings.EVIDENCE_MAX_BYTES,
            )
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    doc = EligibilityDocument(
        vendor=vendor,
        kind=kind,
        title=str(title),
        valid_from=start,
        valid_until=end,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    if upload is not None:
        doc.file.save(getattr(upload, "name", "document"), upload, save=False)
    doc.save()
    audit_record(
        actor=actor,
        action="vendor.document_add",
        obj=vendor,
        payload={
            "document": doc.pk,
            "kind": kind,
            "valid_until": end.isoformat() if end else None,
        },
    )
    return doc


@transaction.atomic
def credit_check_record(
    *, actor: User | None, vendor: Vendor, data: dict[str, Any], upload: Any = None
) -> CreditCheck:
    """Record one credit-list query with its channel, time, result and evidence (CR-01).

    Raises:
        NotPermitted: only the buyer's officers record credit checks.
        ValidationFailed: unknown list or result, no channel, a time in the future, bad evidence file.
    """
    if actor is not None:
        can_record_credit_check(actor, vendor).raise_if_denied()
    errors: dict[str, list[str]] = {}
    list_kind = str(data.get("list_kind") or "")
    if list_kind not in CreditList.values:
        errors["list_kind"] = [_("请选择名单。")]
    result = str(data.get("result") or "")
    if result not in CreditResult.values:
        errors["result"] = [_("请选择查询结果。")]
    channel = _text(data, "channel", 120)
    if not channel:
        errors["channel"] = [_("请填写查询渠道（如“信用中国”网站）。")]
    checked_at = data.get("checked_at") or timezone.now()
    if isinstance(checked_at, str):
        try:
            checked_at = dt.datetime.fromisoformat(checked_at)
        except ValueError:
            errors["checked_at"] = [_("时间格式有误。")]
            checked_at = timezone.now()
    if timezone.is_naive(checked_at):
        checked_at = timezone.make_aware(checked_at)
    if checked_at > timezone.now() + dt.timedelta(minutes=5):
        errors["checked_at"] = [_("查询时间不能晚于现在。")]
    if upload is not None:
        try:
            validate_upload(
                upload,
                field="evidence",
                allowed=("pdf", "jpeg", "png"),
                max_bytes=settings.EVIDENCE_MAX_BYTES,
            )
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(fields=errors)
    check = CreditCheck(
        vendor=vendor,
        list_kind=list_kind,
        channel=channel,
        checked_at=checked_at,
        result=result,
        note=str(data.get("note") or "").strip(),
        checked_by=actor if getattr(actor, "pk", None) else None,
    )
    if upload is not None:
        check.evidence.save(getattr(upload, "name", "evidence"), upload, save=False)
    check.save()
    audit_record(
        actor=actor,
        action="vendor.credit_check",
        obj=vendor,
        payload={
            "list": list_kind,
            "result": result,
            "checked_at": checked_at.isoformat(),
        },
    )
    return check


@transaction.atomic
def annual_report_record(
    *, actor: User | None, vendor: Vendor, year: int, result: str
) -> AnnualReport:
    """Record (or correct) the annual inspection / report result of a year.

    Raises:
        NotPermitted: only the register's officers record it.
        ValidationFailed: a year outside 2000..this year, an unknown result.
    """
    if actor is not None:
        can_edit_vendor(actor, vendor).raise_if_denied()
    errors = {}
    if not isinstance(year, int) or not 2000 <= year <= timezone.localdate().year:
        errors["year"] = [_("年度应在 2000 到今年之间。")]
    if result not in ReportResult.values:
        errors["result"] = [_("请选择年检结论。")]
    if errors:
        raise ValidationFailed(fields=errors)
    report, _created = AnnualReport.objects.update_or_create(
        vendor=vendor, year=year, defaults={"result": result}
    )
    audit_record(
        actor=actor,
        action="vendor.annual_report",
        obj=vendor,
        payload={"year": year, "result": result},
    )
    return report


@transaction.atomic
def related_person_add(
    *, actor: User | None, vendor: Vendor, data: dict[str, Any]
) -> RelatedPerson:
    """Add a related person; the resident ID number is checked and stored encrypted.

    Raises:
        NotPermitted: neither an officer nor the vendor's own staff.
        ValidationFailed: no name, an unknown role, a wrong ID number, a bad former post.
    """
    if actor is not None:
        can_add_evidence(actor, vendor).raise_if_denied()
    errors: dict[str, list[str]] = {}
    name = _text(data, "name", 60)
    if not name:
        errors["name"] = [_("请填写姓名。")]
    role = str(data.get("role") or "")
    if role not in PersonRole.values:
        errors["role"] = [_("请选择身份。")]
    number = str(data.get("id_number") or "").strip().upper()
    if number:
        try:
            number = ric.validate(number)
        except StdnumError:
            errors["id_number"] = [_("身份证号码无效（位数、出生日期或校验位不符）。")]
    posts = data.get("former_posts") or []
    if not isinstance(posts, list) or not all(
        isinstance(p, dict) and str(p.get("title", "")).strip() for p in posts
    ):
        errors["former_posts"] = [_("每条曾任职务须写明职务名称。")]
    if errors:
        raise ValidationFailed(fields=errors)
    person = RelatedPerson.objects.create(
        vendor=vendor,
        name=name,
        role=role,
        former_posts=posts,
        id_number_encrypted=encrypt_text(number) if number else "",
        id_number_index=blind_index(number) if number else "",
        id_number_tail=number[-4:] if number else "",
    )
    # The ID number never enters the audit payload.
    audit_record(
        actor=actor,
        action="vendor.related_person_add",
        obj=vendor,
        payload={"person": person.pk, "role": role},
    )
    return person


def _responsible_users(vendor: Vendor) -> list[User]:
    """The vendor's own staff and the officers of the streets it serves (or the district's admins)."""
    from accounts.models import Membership

    street_ids = list(vendor.streets.values_list("pk", flat=True))
    memberships = Membership.objects.filter(
        organisation=vendor.organisation, role=Role.VENDOR_STAFF
    ) | Membership.objects.filter(
        organisation_id__in=street_ids, role=Role.STREET_OFFICER
    )
    if not street_ids:
        memberships |= Membership.objects.filter(
            organisation=vendor.organisation.parent, role=Role.DISTRICT_ADMIN
        )
    return list({m.user for m in memberships.select_related("user")})


def documents_expire(*, on: dt.date) -> int:
    """Mark documents that expired before `on` and notify the vendor's staff and its
    responsible officers, once per expiry. Idempotent; one transaction per document."""
    from django.urls import reverse

    from .selectors import documents_expired_unnotified

    count = 0
    for doc_id in list(documents_expired_unnotified(on).values_list("pk", flat=True)):
        with transaction.atomic():
            doc = (
                EligibilityDocument.objects.select_for_update()
                .select_related("vendor__organisation")
                .get(pk=doc_id)
            )
            if doc.valid_until is None or doc.valid_until >= on:
                continue
            if (
                doc.expiry_notified_on is not None
                and doc.expiry_notified_on > doc.valid_until
            ):
                continue  # another run got here first
            vendor = doc.vendor
            notify(
                users=_responsible_users(vendor),
                verb="document_expired",
                title=_("资格材料已过期：%(vendor)s《%(title)s》")
                % {"vendor": vendor.name, "title": doc.title},
                body=_(
                    "有效期至 %(date)s。请上传新的材料，过期材料会使资格审查不通过。"
                )
                % {"date": doc.valid_until.isoformat()},
                link=reverse("vendors:vendor-detail", args=[vendor.pk]),
            )
            doc.expiry_notified_on = on
            doc.save(update_fields=["expiry_notified_on", "updated_at"])
            audit_record(
                actor=None,
                action="vendor.document_expired",
                obj=vendor,
                payload={
                    "document": doc.pk,
                    "valid_until": doc.valid_until.isoformat(),
                },
            )
            count += 1
    return count


# --- the vendor portal: profile edits and legal-field change requests ------------------


def vendor_staff_users(vendor: Vendor) -> list[User]:
    """The vendor's staff accounts (who hear of decisions about their organisation)."""
    return vendor_staff_by_organisation([vendor.organisation_id]).get(
        vendor.organisation_id, []
    )


def vendor_staff_by_organisation(organisation_ids: Any) -> dict[int, list[User]]:
    """The staff accounts of many vendors' organisations, in one query."""
    from accounts.models import Membership

    out: dict[int, list[User]] = {}
    for m in Membership.objects.filter(
        organisation_id__in=list(organisation_ids), role=Role.VENDOR_STAFF
    ).select_related("user"):
        out.setdefault(m.organisation_id, []).append(m.user)
    return out


def _officers_for(vendor: Vendor) -> list[User]:
    return [
        u
        for u in _responsible_users(vendor)
        if not u.memberships.filter(role=Role.VENDOR_STAFF).exists()
    ]


@transaction.atomic
def vendor_profile_submit(
    *, actor: User | None, vendor: Vendor, data: dict[str, Any]
) -> VendorChangeRequest | None:
    """A vendor's staff edit its profile: profile fields change at once, legal fields
    (name, credit code, legal representative …) become a change request an officer decides.

    Returns the change request, or None when no legal field changed.

    Raises:
        NotPermitted: not the vendor's own staff.
        Conflict: a change request is already waiting.
        ValidationFailed: see clean_vendor_data.
    """
    from django.urls import reverse

    from core.exceptions import Conflict

    if actor is not None:
        can_submit_profile(actor, vendor).raise_if_denied()
    wanted = {k: v for k, v in data.items() if k in (*LEGAL_FIELDS, *PROFILE_FIELDS)}
    locked, before, values = _lock_and_clean(vendor, wanted)
    after = {
        k: (v.isoformat() if isinstance(v, dt.date) else v)
        for k, v in values.items()
        if k not in ("streets", "communities")
    }
    legal = {
        f: [before[f], after[f]] for f in LEGAL_FIELDS if before.get(f) != after.get(f)
    }
    profile = {
        f: [before[f], after[f]]
        for f in PROFILE_FIELDS
        if before.get(f) != after.get(f)
    }
    if (
        legal
        and locked.change_requests.filter(status=ChangeRequestStatus.PENDING).exists()
    ):
        raise Conflict(
            _("已有一份待审核的变更申请，请等待审核后再提交。"),
            code="change_request_pending",
        )
    if profile:
        org = locked.organisation
        org.short_name, org.address = values["short_name"], values["address"]
        org.save(update_fields=["short_name", "address", "updated_at"])
        for f in ("address", "fulltime_staff", "parttime_staff", "volunteers", "note"):
            setattr(locked, f, values[f])
        locked.save()
        audit_record(
            actor=actor,
            action="vendor.profile_update",
            obj=locked,
            payload={"changes": profile},
        )
    if not legal:
        return None
    request = VendorChangeRequest.objects.create(
        vendor=locked,
        changes=legal,
        requested_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="vendor.change_request",
        obj=locked,
        to_state=request.status,
        payload={"request": request.pk, "changes": legal},
    )
    notify(
        users=_officers_for(locked),
        verb="vendor_change_request",
        title=_("待审核：%(vendor)s 申请变更名录信息") % {"vendor": locked.name},
        body="；".join(f"{f}: {old} → {new}" for f, (old, new) in legal.items()),
        link=reverse("vendors:vendor-detail", args=[locked.pk]),
    )
    return request


def _decide(
    actor: User | None, request: VendorChangeRequest, target: str, reason: str
) -> VendorChangeRequest:
    from core.exceptions import TransitionNotAllowed

    if actor is not None:
        can_decide_change(actor, request.vendor).raise_if_denied()
    # Compare-and-swap on the status: of two officers deciding at once, one wins.
    updated = VendorChangeRequest.objects.filter(
        pk=request.pk, status=ChangeRequestStatus.PENDING
    ).update(
        status=target,
        decided_by=actor if getattr(actor, "pk", None) else None,
        decided_at=timezone.now(),
        reason=reason,
    )
    if updated != 1:
        raise TransitionNotAllowed(_("该申请已经审核过了。"))
    request.refresh_from_db()
    return request


@transaction.atomic
def vendor_change_approve(
    *, actor: User | None, request: VendorChangeRequest, reason: str = ""
) -> VendorChangeRequest:
    """Apply a pending change request to the register.

    Raises:
        NotPermitted: not an officer of the register.
        TransitionNotAllowed: already decided.
        ValidationFailed: the change no longer passes the checks (e.g. the code is now taken).
    """
    from django.urls import reverse

    request = _decide(actor, request, ChangeRequestStatus.APPROVED, reason)
    vendor_update(
        actor=actor,
        vendor=request.vendor,
        data={f: new for f, (_old, new) in request.changes.items()},
    )
    audit_record(
        actor=actor,
        action="vendor.change_approve",
        obj=request.vendor,
        from_state="pending",
        to_state="approved",
        payload={"request": request.pk},
    )
    notify(
        users=vendor_staff_users(request.vendor),
        verb="vendor_change_decided",
        title=_("名录信息变更已批准"),
        link=reverse("vendors:vendor-detail", args=[request.vendor.pk]),
    )
    return request


@transaction.atomic
def vendor_change_reject(
    *, actor: User | None, request: VendorChangeRequest, reason: str
) -> VendorChangeRequest:
    """Refuse a pending change request, with the reason sent to the vendor.

    Raises:
        NotPermitted: not an officer of the register.
        TransitionNotAllowed: already decided.
        ValidationFailed: no reason given.
    """
    from django.urls import reverse

    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(fields={"reason": [_("驳回时请写明理由。")]})
    request = _decide(actor, request, ChangeRequestStatus.REJECTED, reason)
    audit_record(
        actor=actor,
        action="vendor.change_reject",
        obj=request.vendor,
        from_state="pending",
        to_state="rejected",
        comment=reason,
        payload={"request": request.pk},
    )
    notify(
        users=vendor_staff_users(request.vendor),
        verb="vendor_change_decided",
        title=_("名录信息变更被驳回"),
        body=reason,
        link=reverse("vendors:vendor-detail", args=[request.vendor.pk]),
    )
    return request


@transaction.atomic
def vendor_import(
    *, actor: User | None, district: Organisation, filename: str, content: bytes
) -> dict[str, int]:
    """Register suppliers from an .xlsx or .csv list: every row or none.

    Each bad row is reported as `fields["<row>.<field>"]` (a wrong check character,
    a duplicate code, a missing field, an unknown street …); nothing is written
    unless every row passes.

    Raises:
        NotPermitted: the actor does not keep the register.
        ValidationFailed: an unreadable file, a bad header, or any bad row (all listed).
    """
    from .importing import read_vendor_rows, row_to_data, street_lookup

    if actor is not None:
        can_create_vendor(actor).raise_if_denied()
    rows = read_vendor_rows(filename, content)
    streets = street_lookup(district)
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    prepared: list[dict[str, Any]] = []
    for row in rows:
        data, cell_errors = row_to_data(row.values, streets)
        try:
            clean_vendor_data(data, district=district)
        except ValidationFailed as exc:
            for field, messages in exc.fields.items():
                cell_errors.setdefault(field, []).extend(messages)
        code = str(data.get("uscc") or "").strip().upper()
        if code:
            if code in seen:
                cell_errors.setdefault("uscc", []).append(
                    _("统一社会信用代码与第 %(row)s 行重复。") % {"row": seen[code]}
                )
            else:
                seen[code] = row.number
        for field, messages in cell_errors.items():
            errors[f"{row.number}.{field}"] = messages
        prepared.append(data)
    raise_row_errors(errors)
    for data in prepared:
        vendor_create(actor=actor, district=district, data=data)
    audit_record(
        actor=actor,
        action="vendor.import",
        obj=district,
        payload={"file": filename[:200], "rows": len(prepared)},
    )
    return {"created": len(prepared), "rows": len(rows)}


def vendor_standing_record(
    *,
    vendor: Vendor,
    district: Any,
    year: int,
    standing: str,
    decided_on: dt.date,
    cooling_off_until: dt.date | None,
    source: str,
    actor: User | None = None,
) -> VendorStanding:
    """Record (or correct, after an appeal) the organisation's standing on the
    district's admission list for a year, with an audit event on the vendor."""
    row, created = VendorStanding.objects.update_or_create(
        vendor=vendor,
        district=district,
        year=year,
        defaults={
            "standing": standing,
            "decided_on": decided_on,
            "cooling_off_until": cooling_off_until,
            "source": source[:200],
        },
    )
    audit_record(
        actor=actor,
        action="vendors.standing_record",
        obj=vendor,
        to_state=standing,
        comment=source,
        payload={
            "year": year,
            "district": district.pk,
            "cooling_off_until": cooling_off_until.isoformat()
            if cooling_off_until
            else "",
            "corrected": not created,
        },
    )
    return row
