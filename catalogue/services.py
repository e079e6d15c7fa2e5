"""Every write to the catalogue. HTML views, the API, tasks and commands call these."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import audit_record
from core.exceptions import (
    NotPermitted,
    StaleWrite,
    TransitionNotAllowed,
    ValidationFailed,
)
from core.jobs import job_create
from core.locking import lock_one
from core.models import Job
from core.tabular import raise_row_errors

from .choices import DayKind, VersionStatus
from .columns import COLUMNS
from .importing import read_table
from .models import CalendarDay, CatalogueVersion, RuleParameter, ServiceItem
from .permissions import can_draft_catalogue, can_edit_catalogue
from .selectors import domain_map
from .validation import clean_item_data
from .workflows import TRANSITIONS, transition_decision

ITEM_FIELDS = tuple(c.field for c in COLUMNS)


def _lock_draft(actor: Any, version: CatalogueVersion) -> CatalogueVersion:
    """Lock the version row and check, under the lock, that the actor may edit it.
    A concurrent publish therefore cannot slip between the check and the write."""
    locked = lock_one(CatalogueVersion, version.pk)
    if actor is not None:
        can_edit_catalogue(actor, locked).raise_if_denied()
    elif locked.status != VersionStatus.DRAFT:
        raise TransitionNotAllowed(_("只有草稿可以修改。"))
    return locked


# --- versions --------------------------------------------------------------------------


@transaction.atomic
def catalogue_version_draft(
    *, actor: Any, source: CatalogueVersion, year: int, title: str = ""
) -> CatalogueVersion:
    """Draft a new version of `source`'s region for `year`, copying its items.

    Raises:
        NotPermitted: the actor may not edit this region's catalogue.
        TransitionNotAllowed: the source is itself a draft.
        ValidationFailed: the region already has a version for that year, or a bad year.
    """
    if actor is not None:
        can_draft_catalogue(actor, source).raise_if_denied()
    if source.status == VersionStatus.DRAFT:
        raise TransitionNotAllowed(_("只能从已发布或已归档的版本起草新版本。"))
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationFailed(fields={"year": [_("年度应在 2000 到 2100 之间。")]})
    if CatalogueVersion.objects.filter(region=source.region, year=year).exists():
        raise ValidationFailed(
            fields={
                "year": [
                    _("%(region)s已有 %(year)s 年度的目录。")
                    % {"region": source.region.name, "year": year}
                ]
            }
        )
    title = (title or "").strip() or _(
        "%(region)s社区公共服务购买目录（%(year)s年版）"
    ) % {
        "region": source.region.short_name or source.region.name,
        "year": year,
    }
    try:
        with transaction.atomic():
            draft = CatalogueVersion.objects.create(
                region=source.region,
                year=year,
                title=title[:200],
                based_on=source,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as exc:  # a concurrent draft for the same year won
        raise ValidationFailed(fields={"year": [_("该年度的目录已存在。")]}) from exc
    ServiceItem.objects.bulk_create(
        [
            ServiceItem(
                version=draft,
                **{f: getattr(item, f) for f in ITEM_FIELDS if f != "change_note"},
            )
            for item in source.items.order_by("code")
        ]
    )
    audit_record(
        actor=actor,
        action="catalogue.draft",
        obj=draft,
        to_state=VersionStatus.DRAFT,
        payload={"based_on": source.pk, "year": year},
    )
    return draft


def _transition(
    actor: Any, version: CatalogueVersion, name: str, comment: str = ""
) -> CatalogueVersion:
    t = TRANSITIONS[name]
    with transaction.atomic():
        locked = lock_one(CatalogueVersion, version.pk)
        if actor is not None:
            transition_decision(actor, locked, name).raise_if_denied()
        elif locked.status not in t.sources:
            raise TransitionNotAllowed()
        else:
            for guard in t.guards:
                guard(locked).raise_if_denied()
        before = locked.status
        locked.status = t.target
        now = timezone.now()
        fields = ["status", "updated_at"]
        if name == "publish":
            locked.published_at, locked.published_by = (
                now,
                actor if getattr(actor, "pk", None) else None,
            )
            fields += ["published_at", "published_by"]
        elif name == "archive":
            locked.archived_at = now
            fields.append("archived_at")
        locked.save(update_fields=fields)
        audit_record(
            actor=actor,
            action=f"catalogue.{name}",
            obj=locked,
            from_state=before,
            to_state=locked.status,
            comment=comment,
            payload={"items": locked.items.count()},
        )
    return locked


def catalogue_version_publish(
    *, actor: Any, version: CatalogueVersion, comment: str = ""
) -> CatalogueVersion:
    """Publish a draft (DIS-01: the catalogue must be published); its items freeze.

    Raises:
        NotPermitted: the actor may not publish this region's catalogue.
        TransitionNotAllowed: the version is not a draft.
        Conflict: the draft is empty or has items that break the sanity rules.
    """
    return _transition(actor, version, "publish", comment)


def catalogue_version_archive(
    *, actor: Any, version: CatalogueVersion, comment: str = ""
) -> CatalogueVersion:
    """Archive a published version (it stays readable, as a record).

    Raises:
        NotPermitted: the actor is not a district administrator of the region.
        TransitionNotAllowed: the version is not published.
    """
    return _transition(actor, version, "archive", comment)


# --- items -----------------------------------------------------------------------------


def _check_item(raw: dict[str, Any]) -> dict[str, Any]:
    check = clean_item_data(raw, domain_map())
    if check.errors:
        raise ValidationFailed(fields=check.errors)
    return check.values


def _item_snapshot(item: ServiceItem) -> dict[str, Any]:
    out = {f: getattr(item, f) for f in ITEM_FIELDS}
    out["domain"] = item.domain.code if item.domain_id else None
    out["reference_price"] = (
        str(item.reference_price) if item.reference_price is not None else None
    )
    return out


@transaction.atomic
def service_item_create(
    *, actor: Any, version: CatalogueVersion, data: dict[str, Any]
) -> ServiceItem:
    """Add an item to a draft.

    Raises:
        NotPermitted, TransitionNotAllowed: the actor may not edit, or it is not a draft.
        ValidationFailed: any sanity rule fails, or the code is taken in this version.
    """
    locked = _lock_draft(actor, version)
    values = _check_item(data)
    if ServiceItem.objects.filter(version=locked, code=values["code"]).exists():
        raise ValidationFailed(
            fields={
                "code": [_("本版本中已有编码“%(code)s”。") % {"code": values["code"]}]
            }
        )
    item = ServiceItem.objects.create(version=locked, **values)
    audit_record(
        actor=actor,
        action="catalogue_item.create",
        obj=item,
        payload={"item": _item_snapshot(item)},
    )
    return item


@transaction.atomic
def service_item_update(
    *,
    actor: Any,
    item: ServiceItem,
    data: dict[str, Any],
    expected_updated_at: dt.datetime | None = None,
) -> ServiceItem:
    """Change a draft's item; fields not in `data` keep their values.

    Raises:
        NotPermitted, TransitionNotAllowed: the actor may not edit, or it is not a draft.
        StaleWrite: somebody saved the item since `expected_updated_at`.
        ValidationFailed: any sanity rule fails, or the new code is taken.
    """
    _lock_draft(actor, item.version)
    current = lock_one(ServiceItem, item.pk)
    if expected_updated_at is not None and current.updated_at != expected_updated_at:
        raise StaleWrite()
    before = _item_snapshot(current)
    raw = {**before, "domain": current.domain.code, **data}
    values = _check_item(raw)
    if (
        values["code"] != current.code
        and ServiceItem.objects.filter(
            version=current.version, code=values["code"]
        ).exists()
    ):
        raise ValidationFailed(
            fields={
                "code": [_("本版本中已有编码“%(code)s”。") % {"code": values["code"]}]
            }
        )
    for name, value in values.items():
        setattr(current, name, value)
    current.save()
    after = _item_snapshot(current)
    changes = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
    if changes:
        audit_record(
            actor=actor,
            action="catalogue_item.update",
            obj=current,
            payload={"changes": changes},
        )
    return current


@transaction.atomic
def service_item_delete(*, actor: Any, item: ServiceItem) -> None:
    """Remove an item from a draft.

    Raises:
        NotPermitted, TransitionNotAllowed: the actor may not edit, or it is not a draft.
    """
    version = _lock_draft(actor, item.version)
    audit_record(
        actor=actor,
        action="catalogue_item.delete",
        obj=item,
        payload={"item": _item_snapshot(item)},
        scope=version.region.path,
    )
    item.delete()


# --- import ----------------------------------------------------------------------------


class ImportMode:
    MERGE = "merge"  # add new codes, update existing ones, keep the rest
    REPLACE = "replace"  # the file is the whole catalogue: codes not in it are removed
    choices = (MERGE, REPLACE)


@transaction.atomic
def catalogue_import(
    *,
    actor: Any,
    version: CatalogueVersion,
    filename: str,
    content: bytes,
    mode: str = ImportMode.MERGE,
) -> dict[str, int]:
    """Load a draft's items from an .xlsx or .csv file: every row or nothing.

    Every bad row is reported as `fields["<row>.<field>"]`, in the user's language;
    nothing is written unless every row passes.

    Raises:
        NotPermitted, TransitionNotAllowed: the actor may not edit, or it is not a draft.
        ValidationFailed: an unreadable file, a bad header, or any bad row (all listed).
    """
    locked = _lock_draft(actor, version)
    if mode not in ImportMode.choices:
        raise ValidationFailed(fields={"mode": [_("未知的导入方式。")]})
    rows = read_table(filename, content)
    domains = domain_map()
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    cleaned: list[dict[str, Any]] = []
    for row in rows:
        check = clean_item_data(row.values, domains)
        for name, messages in check.errors.items():
            errors[f"{row.number}.{name}"] = messages
        code = check.values.get("code")
        if code:
            if code in seen:
                errors.setdefault(f"{row.number}.code", []).append(
                    _("编码“%(code)s”与第 %(row)s 行重复。")
                    % {"code": code, "row": seen[code]}
                )
            else:
                seen[code] = row.number
        cleaned.append(check.values)
    raise_row_errors(errors)
    existing = {i.code: i for i in locked.items.select_related("domain")}
    created = updated = unchanged = 0
    to_create: list[ServiceItem] = []
    for values in cleaned:
        item = existing.get(values["code"])
        if item is None:
            to_create.append(ServiceItem(version=locked, **values))
            created += 1
            continue
        if all(getattr(item, k) == v for k, v in values.items()):
            unchanged += 1
            continue
        for k, v in values.items():
            setattr(item, k, v)
        item.save()
        updated += 1
    ServiceItem.objects.bulk_create(to_create)
    removed = 0
    if mode == ImportMode.REPLACE:
        stale = [code for code in existing if code not in seen]
        removed, _detail = locked.items.filter(code__in=stale).delete()
    summary = {
        "created": created,
        "updated": updated,
        "unchanged": unchanged,
        "removed": removed,
        "rows": len(rows),
    }
    audit_record(
        actor=actor,
        action="catalogue.import",
        obj=locked,
        payload={"file": filename[:200], "mode": mode, **summary},
    )
    return summary


# --- PDF of a version (a Job a page can poll) --------------------------------------------


def catalogue_pdf_request(*, actor: Any, version: CatalogueVersion) -> Job:
    """Queue the rendering of a version as a PDF; the page polls the returned job."""
    from .tasks import catalogue_pdf_render_task

    with transaction.atomic():
        job = job_create(
            kind="catalogue-pdf",
            actor=actor,
            obj=version,
            params={"version": version.pk},
        )
        transaction.on_commit(lambda: catalogue_pdf_render_task.delay(job.pk))
    return job


# --- calendar --------------------------------------------------------------------------


@transaction.atomic
def calendar_day_set(
    *, actor: Any, date: dt.date, kind: str, name: str = ""
) -> CalendarDay:
    """Mark a day as a holiday or a make-up working day (the State Council's notice).

    Raises:
        NotPermitted: only district administrators edit the calendar.
        ValidationFailed: an unknown kind.
    """
    from accounts.choices import Role

    if actor is not None and not (
        actor.is_superuser or Role.DISTRICT_ADMIN in actor.roles()
    ):
        raise NotPermitted(_("只有区级管理员可以修改工作日历。"))
    if kind not in DayKind.values:
        raise ValidationFailed(fields={"kind": [_("未知的日期类型。")]})
    day, _created = CalendarDay.objects.update_or_create(
        date=date,
        defaults={
            "kind": kind,
            "name": (name or "").strip()[:60],
            "updated_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action="calendar.set",
        obj=day,
        payload={"date": date.isoformat(), "kind": kind, "name": day.name},
    )
    return day


@transaction.atomic
def calendar_day_clear(*, actor: Any, date: dt.date) -> None:
    """Make a day ordinary again (weekday = working day, weekend = rest day).

    Raises:
        NotPermitted: only district administrators edit the calendar.
    """
    from accounts.choices import Role

    if actor is not None and not (
        actor.is_superuser or Role.DISTRICT_ADMIN in actor.roles()
    ):
        raise NotPermitted(_("只有区级管理员可以修改工作日历。"))
    day = CalendarDay.objects.filter(date=date).first()
    if day is None:
        return
    audit_record(
        actor=actor,
        action="calendar.clear",
        obj=day,
        payload={"date": date.isoformat(), "kind": day.kind},
    )
    day.delete()


# --- rule parameters -------------------------------------------------------------------


def rule_value_problem(value_type: str, value: Any) -> str | None:
    """Why `value` does not fit `value_type`, or None."""
    from decimal import Decimal, InvalidOperation

    from .choices import ValueType

    number_types = {
        ValueType.INTEGER,
        ValueType.CALENDAR_DAYS,
        ValueType.WORKING_DAYS,
        ValueType.MONTHS,
        ValueType.YEARS,
    }
    if value_type in number_types:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            return _("应为不小于 0 的整数。")
    elif value_type in (ValueType.DECIMAL, ValueType.PERCENT):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return _("应为数字。")
        if value_type == ValueType.PERCENT and not 0 <= value <= 100:
            return _("百分比应在 0 到 100 之间。")
    elif value_type == ValueType.MONEY:
        try:
            if Decimal(str(value)) < 0:
                return _("金额不能为负数。")
        except InvalidOperation:
            return _('应为金额，如 "2000000.00"。')
    elif value_type == ValueType.RANGE:
        if not (
            isinstance(value, dict)
            and {"min", "max"} <= set(value)
            and value["min"] <= value["max"]
        ):
            return _('应为 {"min": x, "max": y}，且 min ≤ max。')
    elif value_type == ValueType.WEIGHTS:
        if not (
            isinstance(value, dict) and value and abs(sum(value.values()) - 100) < 1e-9
        ):
            return _("权重之和应为 100。")
    elif value_type == ValueType.BANDS:
        mins = [b.get("min") for b in value] if isinstance(value, list) else []
        if (
            not mins
            or any(not isinstance(m, (int, float)) for m in mins)
            or mins != sorted(mins, reverse=True)
        ):
            return _("分档应按下限从高到低排列。")
    elif value_type == ValueType.BOOLEAN and not isinstance(value, bool):
        return _("应为 true 或 false。")
    return None


@transaction.atomic
def rule_parameter_save(*, actor: Any, parameter: RuleParameter) -> RuleParameter:
    """Create or change a rule parameter, refusing a value that does not fit its type
    and a period that overlaps another period of the same key and jurisdiction.

    Raises:
        NotPermitted: only district administrators (or superusers) change rules.
        ValidationFailed: a bad value or an overlapping period.
    """
    from accounts.choices import Role

    if actor is not None and not (
        actor.is_superuser or Role.DISTRICT_ADMIN in actor.roles()
    ):
        raise NotPermitted(_("只有区级管理员可以修改规则参数。"))
    errors: dict[str, list[str]] = {}
    problem = rule_value_problem(parameter.value_type, parameter.value)
    if problem:
        errors["value"] = [problem]
    if parameter.valid_to is not None and parameter.valid_to <= parameter.valid_from:
        errors["valid_to"] = [_("失效日期应晚于生效日期。")]
    same = RuleParameter.objects.select_for_update().filter(
        key=parameter.key, jurisdiction=parameter.jurisdiction
    )
    if parameter.pk:
        same = same.exclude(pk=parameter.pk)
    for other in same:
        starts_before_other_ends = (
            other.valid_to is None or parameter.valid_from < other.valid_to
        )
        ends_after_other_starts = (
            parameter.valid_to is None or parameter.valid_to > other.valid_from
        )
        if starts_before_other_ends and ends_after_other_starts:
            errors.setdefault("valid_from", []).append(
                _("与 %(start)s 起的期间重叠。")
                % {"start": other.valid_from.isoformat()}
            )
    if errors:
        raise ValidationFailed(fields=errors)
    created = parameter.pk is None
    parameter.save()
    audit_record(
        actor=actor,
        action="rule_parameter.create" if created else "rule_parameter.update",
        obj=parameter,
        payload={
            "key": parameter.key,
            "value": parameter.value,
            "valid_from": parameter.valid_from.isoformat(),
        },
    )
    return parameter
