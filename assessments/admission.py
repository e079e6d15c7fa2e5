"""The admission list (准入名单): a district's yearly standing of each organisation —
keep, warn or eliminate — proposed from its grades, publicised (公示) so the
organisation can object, decided, open to appeal within a window, and recorded on
the vendors' register. An elimination drafts the re-tender of exactly the work the
organisation held, ends its contracts and records who covers the service meanwhile.

The list is a non-binding register (RULES §9.6): it bars an eliminated organisation
only from 比选 invitations until its cooling-off date (`vendors.VendorStanding`, read
by procurement). Inside 政府采购 (公开招标, 磋商) no list may gate bidding (PM-12);
there it is shown, never enforced. A poor score alone is no legal ground for a
procurement ban (PE-09).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.models import Organisation, User
from accounts.services import notify
from catalogue.rules import add_working_days
from contracts.choices import ContractStatus, Grade, TerminationKind
from contracts.models import READER_ROLES, Contract
from contracts.services import contract_terminate
from core.dates import as_date
from core.decisions import ALLOW, Decision, deny
from core.events import audit_record
from core.exceptions import Conflict, ValidationFailed
from core.transitions import run_transition
from procurement import services as procurement_services
from procurement.methods import optional_rule, price_weight_bounds
from procurement.models import ProcurementProject
from procurement.planning import method_choice
from vendors.choices import Standing
from vendors.services import (
    vendor_staff_by_organisation,
    vendor_staff_users,
    vendor_standing_record,
)

from .choices import (
    ConsequenceKind,
    ConsequenceStatus,
    Ending,
    EntryStatus,
    ListStatus,
    ObjectionKind,
    ObjectionStatus,
)
from .models import (
    PUBLIC_LIST_STATUSES,
    AdmissionEntry,
    AdmissionList,
    AdmissionObjection,
    Consequence,
    RoundResult,
)

LIVE_CONTRACT = (ContractStatus.ACTIVE, ContractStatus.VENDOR_SIGNED)
GRADE_LABELS = dict(Grade.choices)


# --- who may do what -------------------------------------------------------------------


def can_manage_list(user: Any, district: Organisation) -> Decision:
    """The district's administrators run the list (it spans the streets)."""
    if user.is_superuser or user.has_role(Role.DISTRICT_ADMIN, at_path=district.path):
        return ALLOW
    return deny(_("只有区级管理员可以办理准入名单。"))


def can_object(user: Any, entry: AdmissionEntry) -> Decision:
    """The listed organisation's own staff object and appeal."""
    org_id = entry.vendor.organisation_id
    if any(
        m.role == Role.VENDOR_STAFF and m.organisation_id == org_id
        for m in user.active_memberships()
    ):
        return ALLOW
    return deny(_("只有该组织的工作人员可以提出异议或申诉。"))


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any
    sources: frozenset[str]
    target: str | None


LIST_TRANSITIONS = {
    t.name: t
    for t in (
        Transition(
            "publicise",
            _("开始公示"),
            frozenset({ListStatus.DRAFT}),
            ListStatus.PUBLICITY,
        ),
        Transition(
            "publish",
            _("发布名单"),
            frozenset({ListStatus.PUBLICITY}),
            ListStatus.PUBLISHED,
        ),
    )
}


def list_decision(user: Any, admission_list: AdmissionList, name: str) -> Decision:
    t = LIST_TRANSITIONS[name]
    if admission_list.status not in t.sources:
        return deny(
            _("名单状态为“%(s)s”，不能“%(t)s”。")
            % {"s": admission_list.get_status_display(), "t": t.label},
            code="wrong_status",
        )
    return can_manage_list(user, admission_list.district)


def _manage(actor: User | None, district: Organisation) -> None:
    if actor is not None:
        can_manage_list(actor, district).raise_if_denied()


def _lock_list(a: AdmissionList) -> AdmissionList:
    return (
        AdmissionList.objects.select_for_update()
        .select_related("district")
        .get(pk=a.pk)
    )


def _lock_entry(e: AdmissionEntry) -> AdmissionEntry:
    return (
        AdmissionEntry.objects.select_for_update(of=("self",))
        .select_related("admission_list__district", "vendor__organisation")
        .get(pk=e.pk)
    )


# --- proposal from the grades -----------------------------------------------------------


def year_results(district: Organisation, year: int) -> list[RoundResult]:
    """The year's scored results of the district's plans (rounds ending in the year),
    with their open elimination proposals, in one query each."""
    return list(
        RoundResult.objects.filter(
            round__plan__district=district, round__period_end__year=year
        )
        .exclude(grade="")
        .select_related("round__plan__buyer", "contract", "vendor__organisation")
        .prefetch_related("consequences")
        .order_by("round__period_end", "id")
    )


def propose_standing(results: list[RoundResult]) -> tuple[str, str]:
    """The standing a year's results propose, and why: an open elimination proposal
    (差, or 中 twice running) → eliminate; any 中 → warn; otherwise keep."""
    proposals = [
        c
        for r in results
        for c in r.consequences.all()
        if c.kind == ConsequenceKind.ELIMINATION_PROPOSAL
        and c.status == ConsequenceStatus.OPEN
    ]
    if proposals:
        return Standing.ELIMINATE, "；".join(c.reason for c in proposals)
    poor = [r for r in results if r.grade == Grade.POOR]
    if poor:
        return Standing.ELIMINATE, str(
            _("考核等级为“差”：%(rounds)s。")
            % {"rounds": "、".join(f"{r.round.label} {r.total}" for r in poor)}
        )
    fair = [r for r in results if r.grade == Grade.FAIR]
    if fair:
        return Standing.WARN, str(
            _("考核等级为“中”：%(rounds)s。")
            % {"rounds": "、".join(f"{r.round.label} {r.total}" for r in fair)}
        )
    return Standing.KEEP, str(_("本年度考核等级均为良及以上。"))


def _grades_json(results: list[RoundResult]) -> list[dict[str, Any]]:
    return [
        {
            "result": r.pk,
            "round": r.round.label,
            "street": r.round.plan.buyer.name,
            "contract": r.contract.code,
            "period_end": r.round.period_end.isoformat(),
            "total": str(r.total) if r.total is not None else "",
            "grade": r.grade,
        }
        for r in results
    ]


def admission_list_build(
    *,
    actor: User | None,
    district: Organisation,
    year: int,
    on: dt.date | None = None,
    title: str | None = None,
) -> AdmissionList:
    """拟定: the draft list of the organisations graded in the district's plans that
    year, each with the standing its grades propose and the previous list's standing.
    Running it again on a draft refreshes the proposals (officers' adjustments to an
    entry whose grades did not change are kept).

    Raises:
        NotPermitted: not the district's administrator.
        Conflict: the list is already publicised or published.
        ValidationFailed: no graded organisation that year.
    """
    _manage(actor, district)
    by_vendor: dict[int, list[RoundResult]] = defaultdict(list)
    for r in year_results(district, year):
        by_vendor[r.vendor_id].append(r)
    if not by_vendor:
        raise ValidationFailed(
            fields={
                "year": [_("%(year)s 年度本区没有已计分的考核结果。") % {"year": year}]
            }
        )
    previous = {
        e.vendor_id: e.standing
        for e in AdmissionEntry.objects.filter(
            admission_list__district=district,
            admission_list__year=year - 1,
            admission_list__status=ListStatus.PUBLISHED,
        )
    }
    with transaction.atomic():
        alist, created = AdmissionList.objects.select_for_update().get_or_create(
            district=district,
            year=year,
            defaults={
                "title": title
                or str(
                    _("%(district)s%(year)s年度承接组织准入名单")
                    % {"district": district.name, "year": year}
                ),
                "created_by": actor if getattr(actor, "pk", None) else None,
            },
        )
        if alist.status != ListStatus.DRAFT:
            raise Conflict(
                _("名单已进入公示或已发布，不能重新拟定。"), code="not_draft"
            )
        existing = {e.vendor_id: e for e in alist.entries.all()}
        counts: dict[str, int] = defaultdict(int)
        for vendor_id, results in by_vendor.items():
            standing, basis = propose_standing(results)
            grades = _grades_json(results)
            e = existing.pop(vendor_id, None)
            if e is None:
                AdmissionEntry.objects.create(
                    admission_list=alist,
                    vendor_id=vendor_id,
                    previous_standing=previous.get(vendor_id, ""),
                    proposed=standing,
                    grades=grades,
                    basis=basis,
                )
            elif e.grades != grades:
                e.proposed, e.grades, e.basis = standing, grades, basis
                e.previous_standing = previous.get(vendor_id, "")
                e.save(
                    update_fields=["proposed", "grades", "basis", "previous_standing"]
                )
            counts[standing] += 1
        for gone in existing.values():  # a result withdrawn since the last run
            gone.delete()
        audit_record(
            actor=actor,
            action="assessments.list_build",
            obj=alist,
            to_state=alist.status,
            payload={"year": year, "entries": len(by_vendor), **counts},
        )
    return alist


def admission_entry_propose(
    *, actor: User | None, entry: AdmissionEntry, standing: str, reason: str
) -> AdmissionEntry:
    """The administrator changes a draft entry's proposed standing, with a reason."""
    errors: dict[str, list[Any]] = {}
    if standing not in Standing.values:
        errors["standing"] = [_("请选择名单结论。")]
    if not str(reason or "").strip():
        errors["reason"] = [_("请说明调整理由。")]
    _manage(actor, entry.admission_list.district)
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        e = _lock_entry(entry)
        if e.admission_list.status != ListStatus.DRAFT:
            raise Conflict(_("只有草稿名单可以调整拟定结论。"), code="not_draft")
        before = e.proposed
        e.proposed = standing
        e.basis = f"{e.basis}\n{_('调整')}：{str(reason).strip()}"
        e.save(update_fields=["proposed", "basis"])
        audit_record(
            actor=actor,
            action="assessments.entry_propose",
            obj=e,
            from_state=before,
            to_state=standing,
            comment=str(reason).strip(),
        )
    return e


# --- publicity, objections, decision ----------------------------------------------------


def publicity_days(district: Organisation, on: dt.date) -> int:
    return int(optional_rule("admission.publicity.days", district, on) or 5)


def admission_list_publicise(
    *, actor: User | None, admission_list: AdmissionList, on: dt.date | None = None
) -> AdmissionList:
    """公示: the proposed list is made public from `on` for the district's publicity
    period (rule `admission.publicity.days`, working days); every listed
    organisation is told its proposed standing and may object until the end."""
    on = on or timezone.localdate()

    def change(a: AdmissionList) -> dict[str, Any]:
        days = publicity_days(a.district, on)
        a.publicity_start = on
        a.publicity_end = add_working_days(on, days)
        return {
            "from": on.isoformat(),
            "until": a.publicity_end.isoformat(),
            "days": days,
        }

    alist = _run_list(actor, admission_list, "publicise", change)
    _notify_entries(
        alist,
        "admission_publicity",
        str(_("准入名单公示：%(title)s") % {"title": alist.title}),
        lambda e: str(
            _("贵组织的拟定结论为“%(s)s”。如有异议，请于 %(until)s 前提出。")
            % {"s": e.get_proposed_display(), "until": alist.publicity_end}
        ),
    )
    return alist


def _run_list(
    actor: User | None, admission_list: AdmissionList, name: str, change: Any
) -> AdmissionList:
    """One of the list's named transitions (LIST_TRANSITIONS), audited."""
    return run_transition(
        actor=actor,
        obj=admission_list,
        name=name,
        transitions=LIST_TRANSITIONS,
        decide=list_decision,
        lock=_lock_list,
        change=change,
        action=f"assessments.list_{name}",
    )


def _notify_entries(alist: AdmissionList, verb: str, title: str, body: Any) -> None:
    """Tell each listed organisation's staff its own line (`body(entry)`): one query
    for all the staff, one notification batch per distinct text."""
    entries = list(alist.entries.select_related("vendor"))
    staff = vendor_staff_by_organisation({e.vendor.organisation_id for e in entries})
    by_text: dict[str, list[User]] = defaultdict(list)
    for e in entries:
        by_text[body(e)].extend(staff.get(e.vendor.organisation_id, []))
    for text, users in by_text.items():
        if users:
            notify(users=users, verb=verb, title=title, body=text)


def _clean_text(text: Any) -> str:
    t = str(text or "").strip()
    if not t:
        raise ValidationFailed(fields={"text": [_("请写明理由。")]})
    return t[:4000]


def filing_window(a: AdmissionList) -> tuple[str, dt.date | None]:
    """What the organisation may file on the list now and until when: an objection
    (异议) during publicity, an appeal (申诉) once published; ("", None) otherwise."""
    if a.status == ListStatus.PUBLICITY:
        return ObjectionKind.OBJECTION, a.publicity_end
    if a.status == ListStatus.PUBLISHED:
        return ObjectionKind.APPEAL, a.appeal_until
    return "", None


def admission_entry_object(
    *, actor: User, entry: AdmissionEntry, text: str, on: dt.date | None = None
) -> AdmissionObjection:
    """The organisation contests its standing: an objection (异议) to the proposal
    while the list is publicised, an appeal (申诉) against the decision within the
    appeal window after publication; an administrator decides either
    (`admission_entry_decide`).

    Raises:
        NotPermitted: not the organisation's staff.
        Conflict: a draft list, the window has ended (the date is named), or one of
            the same kind is already open.
        ValidationFailed: no reason given.
    """
    on = on or timezone.localdate()
    can_object(actor, entry).raise_if_denied()
    clean = _clean_text(text)
    with transaction.atomic():
        e = _lock_entry(entry)
        kind, until = filing_window(e.admission_list)
        if not kind or until is None:
            raise Conflict(
                _("名单公示后才能提出异议，发布后才能申诉。"), code="not_open"
            )
        if on > until:
            raise Conflict(
                (
                    _(
                        "公示期已于 %(d)s 结束，不能再提出异议；名单发布后可在申诉期内申诉。"
                    )
                    if kind == ObjectionKind.OBJECTION
                    else _("申诉期已于 %(d)s 届满，不再受理申诉。")
                )
                % {"d": until.isoformat()},
                code="window_closed",
            )
        if e.objections.filter(kind=kind, status=ObjectionStatus.OPEN).exists():
            raise Conflict(
                _("已有待处理的%(kind)s。") % {"kind": ObjectionKind(kind).label},
                code="already_open",
            )
        obj = AdmissionObjection.objects.create(
            entry=e, kind=kind, text=clean, filed_by=actor, filed_on=on
        )
        before = e.status
        e.status = (
            EntryStatus.OBJECTED
            if kind == ObjectionKind.OBJECTION
            else EntryStatus.APPEALED
        )
        e.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=f"assessments.{kind}_file",
            obj=e,
            from_state=before,
            to_state=e.status,
            comment=clean,
            payload={"objection": obj.pk},
        )
    return obj


def admission_entry_decide(
    *,
    actor: User | None,
    entry: AdmissionEntry,
    upheld: bool,
    decision: str,
    standing: str | None = None,
    on: dt.date | None = None,
) -> AdmissionObjection:
    """Decide the entry's open objection or appeal (the oldest first).

    Raises:
        Conflict: nothing is open. Otherwise as `admission_objection_decide`.
    """
    objection = (
        entry.objections.filter(status=ObjectionStatus.OPEN)
        .order_by("filed_on", "id")
        .first()
    )
    if objection is None:
        _manage(actor, entry.admission_list.district)
        raise Conflict(_("没有待处理的异议或申诉。"), code="nothing_open")
    return admission_objection_decide(
        actor=actor,
        objection=objection,
        upheld=upheld,
        decision=decision,
        standing=standing,
        on=on,
    )


def admission_objection_decide(
    *,
    actor: User | None,
    objection: AdmissionObjection,
    upheld: bool,
    decision: str,
    standing: str | None = None,
    on: dt.date | None = None,
) -> AdmissionObjection:
    """The administrator closes an objection or an appeal. An upheld objection
    changes the proposed standing; an upheld appeal corrects the decided standing and
    the vendors' register (an elimination overturned lifts the cooling-off date).

    Raises:
        NotPermitted / Conflict (already decided) / ValidationFailed (no decision
        text, or an upheld one without a different standing).
    """
    on = on or timezone.localdate()
    entry = objection.entry
    alist = entry.admission_list
    _manage(actor, alist.district)
    errors: dict[str, list[Any]] = {}
    if not str(decision or "").strip():
        errors["decision"] = [_("请填写处理意见。")]
    current = (
        entry.proposed if objection.kind == ObjectionKind.OBJECTION else entry.standing
    )
    if upheld and (standing not in Standing.values or standing == current):
        errors["standing"] = [_("异议或申诉成立时，请选择变更后的结论。")]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        o = AdmissionObjection.objects.select_for_update().get(pk=objection.pk)
        if o.status != ObjectionStatus.OPEN:
            raise Conflict(_("该异议或申诉已处理。"), code="already_decided")
        e = _lock_entry(entry)
        o.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED
        o.decision = str(decision).strip()
        o.decided_by = actor if getattr(actor, "pk", None) else None
        o.decided_on = on
        o.save()
        before = e.status
        if o.kind == ObjectionKind.OBJECTION:
            if upheld and standing:
                e.proposed = standing
            e.status = EntryStatus.PROPOSED
        else:
            e.status = EntryStatus.DECIDED
            if upheld and standing:
                e.standing = standing
                e.cooling_off_until = (
                    _cooling_off(e, on) if standing == Standing.ELIMINATE else None
                )
                _record_standing(
                    e, actor, on, str(_("申诉成立：%(d)s") % {"d": o.decision})
                )
        e.save()
        audit_record(
            actor=actor,
            action=f"assessments.{o.kind}_decide",
            obj=e,
            from_state=before,
            to_state=e.status,
            comment=o.decision,
            payload={"objection": o.pk, "upheld": upheld, "standing": standing or ""},
        )
    notify(
        users=vendor_staff_users(entry.vendor),
        verb="admission_objection_decided",
        title=str(_("准入名单%(kind)s处理结果") % {"kind": o.get_kind_display()}),
        body=f"{o.get_status_display()}：{o.decision}",
    )
    return o


def _cooling_off(e: AdmissionEntry, on: dt.date) -> dt.date | None:
    years = optional_rule("admission.cooling_off.years", e.admission_list.district, on)
    if years is None:
        return None
    try:
        return on.replace(year=on.year + int(years))
    except ValueError:  # 29 February
        return on.replace(year=on.year + int(years), day=28)


def _record_standing(
    e: AdmissionEntry, actor: User | None, on: dt.date, source: str
) -> None:
    vendor_standing_record(
        vendor=e.vendor,
        district=e.admission_list.district,
        year=e.admission_list.year,
        standing=e.standing,
        decided_on=on,
        cooling_off_until=e.cooling_off_until,
        source=source,
        actor=actor,
    )


def admission_list_publish(
    *, actor: User | None, admission_list: AdmissionList, on: dt.date | None = None
) -> AdmissionList:
    """发布: after the publicity period, with every objection decided, each entry's
    proposed standing becomes its decision; an elimination gets its cooling-off date
    (rule `admission.cooling_off.years`); the vendors' register is written and the
    appeal window opens (rule `admission.appeal.days`)."""
    on = on or timezone.localdate()

    def change(a: AdmissionList) -> dict[str, Any]:
        if a.publicity_end is not None and on <= a.publicity_end:
            raise Conflict(
                _("公示期至 %(d)s 结束，公示期满后才能发布。")
                % {"d": a.publicity_end.isoformat()},
                code="publicity_running",
            )
        open_n = AdmissionObjection.objects.filter(
            entry__admission_list=a, status=ObjectionStatus.OPEN
        ).count()
        if open_n:
            raise Conflict(
                _("还有 %(n)s 件异议未处理。") % {"n": open_n}, code="objections_open"
            )
        days = int(optional_rule("admission.appeal.days", a.district, on) or 15)
        a.published_on = on
        a.appeal_until = on + dt.timedelta(days=days)
        counts: dict[str, int] = defaultdict(int)
        entries = list(
            a.entries.select_related("vendor__organisation", "admission_list__district")
        )
        for e in entries:
            e.standing = e.proposed
            e.status = EntryStatus.DECIDED
            e.decided_on = on
            e.cooling_off_until = (
                _cooling_off(e, on) if e.standing == Standing.ELIMINATE else None
            )
            counts[e.standing] += 1
        AdmissionEntry.objects.bulk_update(
            entries, ["standing", "status", "decided_on", "cooling_off_until"]
        )
        for e in entries:
            _record_standing(e, actor, on, a.title)
        closed = _close_proposals(entries, a, actor)
        return {
            "proposals_closed": closed,
            "published_on": on.isoformat(),
            "appeal_until": a.appeal_until.isoformat(),
            **counts,
        }

    alist = _run_list(actor, admission_list, "publish", change)
    _notify_entries(
        alist,
        "admission_published",
        str(_("准入名单已发布：%(title)s") % {"title": alist.title}),
        lambda e: str(
            _("贵组织的结论为“%(s)s”。如不服，可于 %(until)s 前申诉。")
            % {"s": e.get_standing_display(), "until": alist.appeal_until}
        ),
    )
    return alist


def _close_proposals(
    entries: list[AdmissionEntry], a: AdmissionList, actor: User | None
) -> int:
    """The open elimination proposals behind the published entries are decided by
    the list: each is closed with an event naming the list's decision."""
    result_ids = [g["result"] for e in entries for g in e.grades if g.get("result")]
    standing = {e.vendor_id: e for e in entries}
    closed = 0
    for c in Consequence.objects.filter(
        result_id__in=result_ids,
        kind=ConsequenceKind.ELIMINATION_PROPOSAL,
        status=ConsequenceStatus.OPEN,
    ).select_related("result__round__plan__buyer"):
        c.status = ConsequenceStatus.CLOSED
        c.save(update_fields=["status"])
        e = standing.get(c.result.vendor_id)
        audit_record(
            actor=actor,
            action="assessments.consequence_close",
            obj=c,
            from_state=ConsequenceStatus.OPEN,
            to_state=c.status,
            comment=str(
                _("由%(list)s决定：%(s)s。")
                % {"list": a.title, "s": e.get_standing_display() if e else ""}
            ),
        )
        closed += 1
    return closed


# --- elimination: the re-tender, the contracts, the interim arrangement ------------------


def live_contracts(entry: AdmissionEntry) -> list[Contract]:
    """The organisation's contracts in the district still running."""
    return list(
        Contract.objects.filter(
            vendor_id=entry.vendor_id,
            district=entry.admission_list.district,
            status__in=LIVE_CONTRACT,
        )
        .select_related("buyer", "award__lot__project")
        .prefetch_related("items__item", "items__community")
        .order_by("buyer__code", "code")
    )


def _lots_for(
    contract: Contract, version: Any, budget: Decimal
) -> tuple[list[dict[str, Any]], list[str]]:
    """The contract's work as lots of the new project: communities that hold the
    same items form one lot, so the lots cover exactly the items × communities the
    contract held. Items are matched by code in this year's catalogue; the budget is
    shared by the number of community-items."""
    current = {i.code: i.pk for i in version.items.all()} if version is not None else {}
    by_community: dict[int, set[str]] = defaultdict(set)
    names: dict[int, str] = {}
    for ci in contract.items.all():
        if not ci.active:
            continue
        by_community[ci.community_id].add(ci.item.code)
        names[ci.community_id] = ci.community.name
    groups: dict[frozenset[str], list[int]] = defaultdict(list)
    for community_id, held in sorted(by_community.items()):
        groups[frozenset(held)].append(community_id)
    missing = sorted({c for codes in groups for c in codes if c not in current})
    total_pairs = sum(len(codes) * len(cs) for codes, cs in groups.items()) or 1
    lots = []
    for n, (codes, communities) in enumerate(
        sorted(groups.items(), key=lambda kv: sorted(kv[1])), start=1
    ):
        share = (budget * len(codes) * len(communities) / total_pairs).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        lots.append(
            {
                "name": str(
                    _("%(contract)s 第%(n)s部分（%(communities)s）")
                    % {
                        "contract": contract.code,
                        "n": n,
                        "communities": "、".join(names[c] for c in communities),
                    }
                ),
                "budget": str(share),
                "budget_source": "fiscal",
                "budget_note": str(
                    _("原合同 %(code)s 剩余服务") % {"code": contract.code}
                ),
                "communities": communities,
                "items": sorted(current[c] for c in codes if c in current),
            }
        )
    return lots, missing


def _retender_data(
    entry: AdmissionEntry,
    buyer: Organisation,
    contracts: list[Contract],
    on: dt.date,
    title: str | None,
) -> dict[str, Any]:
    base = contracts[0].award.lot.project
    data = procurement_services.project_data(base)
    assert buyer.parent is not None  # a street lies in a district
    version = procurement_services.published_catalogue(buyer.parent, on.year)
    lots, missing = [], []
    for c in contracts:
        part, gone = _lots_for(c, version, c.value)
        lots.extend(part)
        missing.extend(gone)
    total = sum((Decimal(lot["budget"]) for lot in lots), Decimal(0))
    data.update(
        {
            "title": title
            or str(
                _("%(street)s%(year)s年重新采购（替换被淘汰的%(vendor)s）")
                % {"street": buyer.name, "year": on.year, "vendor": entry.vendor.name}
            ),
            "fiscal_year": on.year,
            "drafted_by": [],
            "lots": lots,
            "replaces_contract_of": entry.vendor,
            "description": str(
                _(
                    "%(vendor)s在%(year)s年度准入名单中被淘汰（%(basis)s）。本项目重新采购其承接的"
                    "服务事项和社区：%(contracts)s。过渡期安排：%(interim)s"
                )
                % {
                    "vendor": entry.vendor.name,
                    "year": entry.admission_list.year,
                    "basis": entry.basis.splitlines()[0] if entry.basis else "",
                    "contracts": "、".join(c.code for c in contracts),
                    "interim": entry.interim_arrangement,
                }
            )
            + (
                str(
                    _("（以下事项不在%(year)s年度目录中，未列入：%(codes)s）")
                    % {"year": on.year, "codes": "、".join(missing)}
                )
                if missing
                else ""
            ),
        }
    )
    data.pop("method", None)  # chosen anew from the amount and this year's rules
    if total > 0:
        method = method_choice(buyer.parent, on, total).recommended
        if method:
            data["method"] = method
            lo, hi = price_weight_bounds(method, buyer.parent, on)
            weight = Decimal(str(data.get("price_weight") or 0))
            if lo is not None and weight < lo:
                weight = lo
            if hi is not None and weight > hi:
                weight = hi
            data["price_weight"] = str(weight)
    if data.get("scoring_method", "comprehensive") == "comprehensive" and not data.get(
        "criteria"
    ):
        data["criteria"] = default_criteria(Decimal(str(data.get("price_weight") or 0)))
    return data


def default_criteria(price_weight: Decimal) -> list[dict[str, Any]]:
    """Scoring factors for a drafted re-tender whose original project listed none:
    the rest of 100 after price, shared 50 / 30 / 20 among the service plan, quality
    assurance and the team. No points for local performance or awards (PE-08); the
    officer edits them in the draft."""
    rest = Decimal(100) - price_weight
    plan = (rest * Decimal("0.5")).quantize(Decimal("1"))
    quality = (rest * Decimal("0.3")).quantize(Decimal("1"))
    return [
        {
            "code": "plan",
            "name": str(_("服务方案")),
            "weight": str(plan),
            "kind": "subjective",
        },
        {
            "code": "quality",
            "name": str(_("考核与质量保障措施")),
            "weight": str(quality),
            "kind": "subjective",
        },
        {
            "code": "team",
            "name": str(_("人员配置")),
            "weight": str(rest - plan - quality),
            "kind": "objective",
        },
    ]


def admission_eliminate(
    *,
    actor: User | None,
    entry: AdmissionEntry,
    ending: str,
    ends_on: Any,
    interim_arrangement: str,
    on: dt.date | None = None,
    title: str | None = None,
) -> list[ProcurementProject]:
    """淘汰处置: for an organisation eliminated on a published list, draft the
    re-tender of exactly the items and communities of its running contracts in the
    district (one project per street, linked to the organisation it replaces), end
    each contract — terminated on `ends_on` (ending "terminate") or left to run to its
    end date (ending "expire", `ends_on` at the latest end date) — and record who
    covers the service until the new contract starts. All or nothing.

    Raises:
        NotPermitted: not the district's administrator.
        Conflict: the entry is not a decided elimination, or was handled already.
        ValidationFailed: ending, date or interim arrangement at fault, or a field of
            the drafted project (e.g. no published catalogue for the year).
    """
    on = on or timezone.localdate()
    alist = entry.admission_list
    _manage(actor, alist.district)
    errors: dict[str, list[Any]] = {}
    if ending not in Ending.values:
        errors["ending"] = [_("请选择原合同的处理方式。")]
    interim = str(interim_arrangement or "").strip()
    if not interim:
        errors["interim_arrangement"] = [_("请写明新合同开始前由谁承接这些服务。")]
    day = as_date(ends_on, "ends_on", errors) if ends_on not in (None, "") else None
    with transaction.atomic():
        e = _lock_entry(entry)
        if alist.status != ListStatus.PUBLISHED or e.standing != Standing.ELIMINATE:
            raise Conflict(
                _("只有已发布名单中结论为“淘汰”的组织才能办理淘汰处置。"),
                code="not_eliminated",
            )
        if e.ending:
            raise Conflict(_("该组织的淘汰处置已办理。"), code="already_handled")
        contracts = live_contracts(e)
        latest_end = max((c.end_on for c in contracts), default=None)
        if ending == Ending.TERMINATE:
            if day is None and "ends_on" not in errors:
                errors["ends_on"] = [_("请填写合同终止日期。")]
            elif day is not None and day < on:
                errors["ends_on"] = [_("终止日期不能早于今天。")]
        elif ending == Ending.EXPIRE:
            day = day or latest_end
            if day is not None and latest_end is not None and day > latest_end:
                errors["ends_on"] = [
                    _("合同于 %(d)s 到期，不能晚于到期日。")
                    % {"d": latest_end.isoformat()}
                ]
        if errors:
            raise ValidationFailed(fields=errors)
        e.ending, e.ends_on, e.interim_arrangement = ending, day, interim
        e.save(update_fields=["ending", "ends_on", "interim_arrangement"])
        projects: list[ProcurementProject] = []
        by_buyer: dict[int, list[Contract]] = defaultdict(list)
        for c in contracts:
            by_buyer[c.buyer_id].append(c)
        for buyer_contracts in by_buyer.values():
            buyer = buyer_contracts[0].buyer
            data = _retender_data(e, buyer, buyer_contracts, on, title)
            try:
                project = procurement_services.project_create(
                    actor=actor, buyer=buyer, data=data, on=on
                )
            except ValidationFailed as exc:
                # Said as the drafted project's fields, e.g. no catalogue this year.
                raise ValidationFailed(
                    fields={
                        "retender": [
                            f"{buyer.name}：{m}"
                            for msgs in (exc.fields or {}).values()
                            for m in msgs
                        ]
                    }
                ) from exc
            projects.append(project)
        if ending == Ending.TERMINATE:
            for c in contracts:
                contract_terminate(
                    contract=c,
                    actor=actor,
                    kind=TerminationKind.ELIMINATION,
                    reason=str(
                        _("%(list)s：淘汰。%(basis)s")
                        % {"list": alist.title, "basis": e.basis}
                    ),
                    terminated_on=day,
                )
        if projects:
            e.retenders.add(*projects)
        audit_record(
            actor=actor,
            action="assessments.eliminate",
            obj=e,
            to_state=e.status,
            comment=interim,
            payload={
                "ending": ending,
                "ends_on": day.isoformat() if day else "",
                "contracts": [c.code for c in contracts],
                "retenders": [p.code for p in projects],
            },
        )
    notify(
        users=vendor_staff_users(e.vendor),
        verb="admission_eliminated",
        title=str(_("准入名单淘汰处置：%(title)s") % {"title": alist.title}),
        body=str(
            _("原合同%(ending)s，服务至 %(d)s。")
            % {"ending": Ending(ending).label, "d": day.isoformat() if day else "—"}
        ),
    )
    return projects


# --- reads -------------------------------------------------------------------------------


def lists_for_user(user: Any):
    """The lists the user may read: district staff every list of their district,
    everyone (the public too) the published ones."""
    qs = AdmissionList.objects.select_related("district")
    if user is None or not user.is_authenticated:
        return qs.filter(status__in=PUBLIC_LIST_STATUSES)
    return qs.visible_to(user)


def is_district_staff(user: Any, district: Organisation) -> bool:
    """Staff of the district, of one of its streets, or above it (the buyer's side
    reads the whole list before publication)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(
        m.role in READER_ROLES
        and (
            m.scope_path.startswith(district.path)
            or district.path.startswith(m.scope_path)
        )
        for m in user.active_memberships()
    )


def entries_for(admission_list: AdmissionList, user: Any):
    """The entries a user may read on the list: all of a list in publicity (公示) or
    published; of a draft the district's staff all, an organisation's staff none."""
    qs = admission_list.entries.select_related("vendor__organisation").prefetch_related(
        Prefetch(
            "objections",
            queryset=AdmissionObjection.objects.order_by("filed_on", "id"),
        ),
        "retenders",
    )
    if admission_list.status in PUBLIC_LIST_STATUSES or is_district_staff(
        user, admission_list.district
    ):
        return qs
    return qs.none()


__all__ = [
    "LIST_TRANSITIONS",
    "admission_entry_decide",
    "admission_entry_object",
    "admission_eliminate",
    "admission_entry_propose",
    "admission_list_build",
    "admission_list_publicise",
    "admission_list_publish",
    "admission_objection_decide",
    "can_manage_list",
    "can_object",
    "entries_for",
    "is_district_staff",
    "lists_for_user",
    "live_contracts",
    "propose_standing",
]
