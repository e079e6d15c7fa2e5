"""The project: lots of catalogue items, method with reasons, notices (intention, announcement, correction, failure, termination), tender documents, restart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation, User
from catalogue.choices import OutsourceScope
from catalogue.rules import add_calendar_days, add_working_days
from core.events import audit_record
from core.exceptions import (
    Conflict,
    ValidationFailed,
)
from core.jobs import job_create

from ..choices import (
    AwardStatus,
    BidStatus,
    Method,
    NoticeKind,
)
from ..methods import optional_rule, profile
from ..models import (
    Award,
    Lot,
    LotItem,
    ProcurementProject,
    TenderDocument,
)
from ..permissions import can_create_project
from ..planning import minimum_dates
from ._common import S, _check, _lock, _notice, _run, _tell_bidders, _yuan
from .project_input import clean_project


def _next_code(buyer: Organisation, year: int) -> str:
    Organisation.objects.select_for_update().filter(pk=buyer.pk).first()
    prefix = f"{buyer.code}-{year}-"
    last = (
        ProcurementProject.objects.filter(code__startswith=prefix)
        .order_by("-code")
        .values_list("code", flat=True)
        .first()
    )
    n = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{n:03d}"


def _write_project(project: ProcurementProject, v: dict[str, Any]) -> None:
    for name in (
        "title",
        "fiscal_year",
        "catalogue_version",
        "description",
        "acceptance_plan",
        "method",
        "method_reasons",
        "method_warnings",
        "scoring_method",
        "criteria",
        "price_weight",
        "qualification_conditions",
        "term_years",
        "multi_year_stated",
        "payment_terms",
        "sme_exemption",
        "sme_exemption_reason",
        "sme_price_deduction",
        "bid_bond",
    ):
        setattr(project, name, v[name])
    project.save()
    project.drafted_by.set(v["drafted_by"])
    project.lots.all().delete()
    for lot in v["lots"]:
        row = Lot.objects.create(
            project=project,
            number=lot["number"],
            name=lot["name"],
            budget=lot["budget"],
            ceiling=lot["ceiling"],
            budget_source=lot["budget_source"],
            budget_note=lot["budget_note"],
        )
        row.communities.set(lot["communities"])
        LotItem.objects.bulk_create(
            [
                LotItem(
                    lot=row,
                    item=i,
                    steps=list(i.allowed_steps)
                    if i.outsource_scope == OutsourceScope.AUX_ONLY
                    else [],
                )
                for i in lot["items"]
            ]
        )


def project_create(
    *,
    actor: User | None,
    buyer: Organisation,
    data: dict[str, Any],
    on: dt.date | None = None,
) -> ProcurementProject:
    """采购项目: a street office's purchase of catalogue items in lots, with the method
    chosen from the rules and the reasons recorded.

    Raises:
        NotPermitted: the actor does not buy for this street.
        ValidationFailed: any field or lot at fault (names the field).
    """
    on = on or timezone.localdate()
    if actor is not None:
        can_create_project(actor, buyer).raise_if_denied()
    if buyer.kind != OrganisationKind.STREET:
        raise ValidationFailed(fields={"buyer": [_("采购人必须是街道办事处。")]})
    v = clean_project(data, buyer=buyer, on=on)
    with transaction.atomic():
        project = ProcurementProject(
            code=_next_code(buyer, v["fiscal_year"]),
            buyer=buyer,
            district=v["district"],
            created_by=actor if getattr(actor, "pk", None) else None,
            restarted_from=data.get("restarted_from"),
            replaces_contract_of=data.get("replaces_contract_of"),
        )
        _write_project(project, v)
        audit_record(
            actor=actor,
            action="procurement.create",
            obj=project,
            to_state=project.status,
            payload={
                "method": project.method,
                "reasons": project.method_reasons,
                "warnings": project.method_warnings,
                "lots": [
                    {
                        "number": lot["number"],
                        "budget": str(lot["budget"]),
                        "items": len(lot["items"]),
                    }
                    for lot in v["lots"]
                ],
            },
        )
    return project


def project_update(
    *,
    actor: User | None,
    project: ProcurementProject,
    data: dict[str, Any],
    on: dt.date | None = None,
) -> ProcurementProject:
    """Change a draft project (the whole of it, lots included)."""
    on = on or timezone.localdate()
    v = clean_project(data, buyer=project.buyer, on=on, exclude_pk=project.pk)

    def change(p: ProcurementProject) -> dict[str, Any]:
        _write_project(p, v)
        return {"method": p.method, "lots": len(v["lots"])}

    return _run(actor, project, "update", change)


def project_restart(
    *, actor: User | None, project: ProcurementProject, on: dt.date | None = None
) -> ProcurementProject:
    """A failed or terminated procurement starts again as a new draft with the same
    lots, items and communities (SUP-02)."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(project)
        _check(actor, locked, "restart")
        data = project_data(locked)
        data["restarted_from"] = locked
        data["replaces_contract_of"] = locked.replaces_contract_of
        data["fiscal_year"] = locked.fiscal_year
        new = project_create(actor=actor, buyer=locked.buyer, data=data, on=on)
        audit_record(
            actor=actor,
            action="procurement.restart",
            obj=locked,
            payload={"new": new.code},
        )
    return new


def project_data(project: ProcurementProject) -> dict[str, Any]:
    """The project as the input `project_create` takes (for a restart or an edit form)."""
    return {
        "title": project.title,
        "fiscal_year": project.fiscal_year,
        "method": project.method,
        "description": project.description,
        "acceptance_plan": project.acceptance_plan,
        "scoring_method": project.scoring_method,
        "price_weight": str(project.price_weight),
        "criteria": project.criteria,
        "qualification_conditions": project.qualification_conditions,
        "term_years": project.term_years,
        "multi_year_stated": project.multi_year_stated,
        "payment_terms": project.payment_terms,
        "sme_exemption": project.sme_exemption,
        "sme_exemption_reason": project.sme_exemption_reason,
        "sme_price_deduction": str(project.sme_price_deduction),
        "bid_bond": str(project.bid_bond),
        "drafted_by": list(project.drafted_by.all()),
        "lots": [
            {
                "name": lot.name,
                "budget": str(lot.budget),
                "ceiling": str(lot.ceiling) if lot.ceiling is not None else "",
                "budget_source": lot.budget_source,
                "budget_note": lot.budget_note,
                "communities": [c.pk for c in lot.communities.all()],
                "items": [li.item_id for li in lot.items.all()],
            }
            for lot in project.lots.all()
        ],
    }


def project_publish_intention(
    *, actor: User | None, project: ProcurementProject, on: dt.date | None = None
) -> ProcurementProject:
    """采购意向 (DIS-02, TL-01): name, needs, budget and expected timing, per project."""
    on = on or timezone.localdate()

    def change(p: ProcurementProject) -> dict[str, Any]:
        if p.intention_published_on:
            raise Conflict(_("采购意向已经公开。"))
        p.intention_published_on = on
        budget = sum((lot.budget for lot in p.lots.all()), Decimal(0))
        ahead = optional_rule("deadline.intention.publish_ahead", p.district, on)
        earliest = add_calendar_days(on, int(ahead)) if ahead is not None else on
        _notice(
            p,
            NoticeKind.INTENTION,
            _("%(buyer)s%(title)s采购意向") % {"buyer": p.buyer.name, "title": p.title},
            _(
                "采购项目：%(title)s\n采购需求概况：%(desc)s\n预算金额：%(budget)s\n预计采购时间：%(when)s 以后"
            )
            % {
                "title": p.title,
                "desc": p.description or p.title,
                "budget": _yuan(budget),
                "when": earliest.isoformat(),
            },
            actor=actor,
            on=on,
            data={"budget": str(budget), "earliest_start": earliest.isoformat()},
        )
        return {"earliest_start": earliest.isoformat()}

    return _run(actor, project, "publish_intention", change)


def project_announce(
    *,
    actor: User | None,
    project: ProcurementProject,
    bid_deadline: dt.datetime,
    documents_from: dt.date | None = None,
    documents_until: dt.date | None = None,
    urgent_reason: str = "",
    on: dt.date | None = None,
) -> ProcurementProject:
    """招标 / 磋商 / 比选公告: documents on offer, the bid deadline, checked against the
    method's periods (TL-01, TL-03, TL-04, TL-07, PM-11).

    Raises:
        ValidationFailed: a period is shorter than the rules allow (names the field).
        Conflict: no finished tender document to issue.
    """
    on = on or timezone.localdate()
    documents_from = documents_from or on

    def change(p: ProcurementProject) -> dict[str, Any]:
        errors: dict[str, list[str]] = {}
        doc = (
            p.documents.select_related("job")
            .filter(job__status="done")
            .order_by("-version")
            .first()
        )
        if doc is None:
            raise Conflict(
                _("请先生成%(doc)s，公告发布时须同时提供文件。")
                % {"doc": profile(p.method).document_name},
                code="no_document",
            )
        ahead = optional_rule("deadline.intention.publish_ahead", p.district, on)
        if p.method != Method.BIXUAN and ahead is not None and not urgent_reason:
            if p.intention_published_on is None:
                errors["intention"] = [
                    _(
                        "须先公开采购意向，且至少提前 %(d)s 日（TL-01）；因不可预见的紧急情况除外，请写明理由。"
                    )
                    % {"d": ahead}
                ]
            elif add_calendar_days(p.intention_published_on, int(ahead)) > on:
                errors["intention"] = [
                    _(
                        "采购意向公开不足 %(d)s 日，最早可于 %(date)s 发布公告（TL-01）。"
                    )
                    % {
                        "d": ahead,
                        "date": add_calendar_days(
                            p.intention_published_on, int(ahead)
                        ).isoformat(),
                    }
                ]
        if documents_from < on:
            errors["documents_from"] = [_("文件发售不能早于公告发布日。")]
        minimum = minimum_dates(p.method, p.district, documents_from)
        until = documents_until or minimum["documents_until"]
        if until < minimum["documents_until"]:
            errors["documents_until"] = [
                _("文件提供期限不得早于 %(d)s（%(rule)s）。")
                % {
                    "d": minimum["documents_until"].isoformat(),
                    "rule": profile(p.method).deadlines[0].rule_id,
                }
            ]
        deadline_day = (
            timezone.localdate(bid_deadline)
            if timezone.is_aware(bid_deadline)
            else bid_deadline.date()
        )
        if deadline_day < minimum["bid_deadline"] or deadline_day < until:
            errors["bid_deadline"] = [
                _("投标截止时间不得早于 %(d)s（%(rule)s）。")
                % {
                    "d": max(minimum["bid_deadline"], until).isoformat(),
                    "rule": profile(p.method).deadlines[1].rule_id,
                }
            ]
        if errors:
            raise ValidationFailed(fields=errors)
        p.notice_published_on = on
        p.documents_from, p.documents_until, p.bid_deadline = (
            documents_from,
            until,
            bid_deadline,
        )
        prof = profile(p.method)
        lots = list(p.lots.all())
        body = "\n".join(
            [
                _("采购人：%(b)s") % {"b": p.buyer.name},
                _("项目编号：%(c)s") % {"c": p.code},
                _("采购方式：%(m)s") % {"m": p.get_method_display()},
                *[
                    _("第%(n)s包 %(name)s，预算 %(b)s，最高限价 %(c)s")
                    % {
                        "n": lot.number,
                        "name": lot.name,
                        "b": _yuan(lot.budget),
                        "c": _yuan(lot.max_price),
                    }
                    for lot in lots
                ],
                _("%(doc)s获取时间：%(f)s 至 %(u)s")
                % {
                    "doc": prof.document_name,
                    "f": documents_from.isoformat(),
                    "u": until.isoformat(),
                },
                _("投标（响应）截止时间：%(d)s")
                % {
                    "d": timezone.localtime(bid_deadline).strftime("%Y-%m-%d %H:%M")
                    if timezone.is_aware(bid_deadline)
                    else bid_deadline
                },
                *[_("资格条件：%(c)s") % {"c": c} for c in p.qualification_conditions],
            ]
        )
        period = (
            optional_rule("deadline.tender.notice_period", p.district, on)
            if p.method == Method.TENDER
            else None
        )
        _notice(
            p,
            prof.notice_kind,
            _("%(title)s%(kind)s")
            % {"title": p.title, "kind": NoticeKind(prof.notice_kind).label},
            body,
            actor=actor,
            on=on,
            period_ends=add_working_days(on, int(period))
            if period is not None
            else until,
            data={
                "document_version": doc.version,
                "bid_deadline": bid_deadline.isoformat(),
            },
        )
        return {
            "bid_deadline": bid_deadline.isoformat(),
            "documents_until": until.isoformat(),
            "urgent_reason": urgent_reason,
            "document_version": doc.version,
        }

    return _run(actor, project, "announce", change)


def project_correct(
    *,
    actor: User | None,
    project: ProcurementProject,
    body: str,
    affects_bids: bool,
    on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> ProcurementProject:
    """更正公告 (DIS-08). A change that affects bids must reach bidders the method's
    period before the deadline, or the deadline moves (TL-05, TL-07)."""
    on = on or timezone.localdate()
    now = now or timezone.now()
    if not body.strip():
        raise ValidationFailed(fields={"body": [_("请填写更正内容。")]})

    def change(p: ProcurementProject) -> dict[str, Any]:
        assert p.bid_deadline is not None
        if now >= p.bid_deadline:
            raise Conflict(_("投标截止时间已过，不能再发布更正公告。"))
        moved = None
        key = profile(p.method).clarification_key
        days = optional_rule(key, p.district, on) if affects_bids else None
        if days is not None:
            earliest = add_calendar_days(on, int(days))
            if timezone.localdate(p.bid_deadline) < earliest:
                local = timezone.localtime(p.bid_deadline)
                new = local.replace(
                    year=earliest.year, month=earliest.month, day=earliest.day
                )
                moved = (p.bid_deadline.isoformat(), new.isoformat())
                p.bid_deadline = new
        text = body
        if moved:
            text += "\n" + _("本次更正影响投标文件编制，投标截止时间顺延至 %(d)s。") % {
                "d": timezone.localtime(p.bid_deadline).strftime("%Y-%m-%d %H:%M")
            }
        _notice(
            p,
            NoticeKind.CORRECTION,
            _("%(title)s更正公告") % {"title": p.title},
            text,
            actor=actor,
            on=on,
            data={"affects_bids": affects_bids, "deadline_moved": moved},
        )
        _tell_bidders(
            p,
            "procurement.correction",
            _("%(title)s发布更正公告") % {"title": p.title},
            text,
        )
        return {"affects_bids": affects_bids, "deadline_moved": moved}

    return _run(actor, project, "correct", change)


def tender_document_generate(
    *, actor: User | None, project: ProcurementProject, note: str = ""
) -> TenderDocument:
    """Queue version n+1 of the project's document; the page polls its job. Earlier
    versions are kept."""
    from ..tasks import tender_document_render_task

    with transaction.atomic():
        locked = _lock(project)
        _check(actor, locked, "generate_document")
        version = (locked.documents.aggregate(m=Max("version"))["m"] or 0) + 1
        job = job_create(
            kind="tender-document",
            actor=actor,
            obj=locked,
            params={"project": locked.pk, "version": version},
        )
        doc = TenderDocument.objects.create(
            project=locked,
            version=version,
            job=job,
            note=note[:255],
            created_by=job.created_by,
        )
        audit_record(
            actor=actor,
            action="procurement.generate_document",
            obj=locked,
            payload={"version": version, "job": job.pk},
        )
        transaction.on_commit(lambda: tender_document_render_task.delay(job.pk))
    return doc


def _publish_failure(actor: User | None, p: ProcurementProject, on: dt.date) -> None:
    kind = NoticeKind.TERMINATION if p.status == S.TERMINATED else NoticeKind.FAILURE
    reasons: list[str] = [p.outcome_reason]
    for b in p.bids.filter(status=BidStatus.DISQUALIFIED).select_related(
        "vendor__organisation"
    ):
        reasons.append(
            _("%(v)s：%(r)s")
            % {
                "v": b.vendor.organisation.name,
                "r": "；".join(r["reason"] for r in b.qualification.get("reasons", [])),
            }
        )
    body = "\n".join(reasons)
    _notice(
        p,
        kind,
        _("%(title)s%(kind)s") % {"title": p.title, "kind": NoticeKind(kind).label},
        body,
        actor=actor,
        on=on,
        data={"reasons": reasons},
    )
    _tell_bidders(
        p,
        f"procurement.{kind}",
        _("%(title)s%(kind)s") % {"title": p.title, "kind": NoticeKind(kind).label},
        body,
    )


def project_terminate(
    *,
    actor: User | None,
    project: ProcurementProject,
    reason: str,
    on: dt.date | None = None,
) -> ProcurementProject:
    """终止: stop the procurement with a reason; the notice is published (DIS-10)
    and the bidders are told. Sealed bids stay sealed."""
    on = on or timezone.localdate()
    if not reason.strip():
        raise ValidationFailed(fields={"reason": [_("请写明终止理由。")]})

    def change(p: ProcurementProject) -> dict[str, Any]:
        p.status = S.TERMINATED
        p.outcome_reason = reason
        for award in Award.objects.filter(lot__project=p).exclude(
            status=AwardStatus.CANCELLED
        ):
            award.status = AwardStatus.CANCELLED
            award.save(update_fields=["status"])
        if p.notice_published_on:
            _publish_failure(actor, p, on)
        return {"reason": reason}

    return _run(actor, project, "terminate", change, comment=reason)
