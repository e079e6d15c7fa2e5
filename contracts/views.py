"""HTML pages of contracts: the list, the contract from an award, the contract page,
and the action pages of the contract, its tranches, changes, extensions and
acceptances. Deliveries, evidence, residual and extra work are in `views_delivery`.

Every read goes through `selectors.contract_get_for_user` (invisible → 404); a
refusal for who the user is is a 403 with the reason, one for the contract's state a
409 (the table in `workflows`); every write goes through `services`.
"""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from core.decisions import Decision
from core.forms import form_service_call, query_text
from core.ids import as_id
from core.tabular import xlsx_response
from core.views import DomainErrorMixin
from procurement.choices import AwardStatus
from procurement.models import Award

from . import selectors, selectors_delivery, services
from .choices import (
    AcceptanceStatus,
    ChangeStatus,
    ExtensionStatus,
    OpinionSource,
    StandardResult,
    TrancheStatus,
)
from .filtersets import ContractFilterSet
from .forms import (
    AcceptanceCreateForm,
    AcceptancePublishForm,
    AcceptanceRecordForm,
    ChangeForm,
    CompleteForm,
    ContractCreateForm,
    CountersignForm,
    EmptyForm,
    ExtensionForm,
    FilingForm,
    NoteForm,
    PublicationForm,
    ReasonForm,
    RequiredNoteForm,
    RequiredReasonForm,
    TerminateForm,
    TranchePayForm,
    tranche_initial,
    tranche_row_count,
)
from .models import Contract, ContractItem, PaymentTranche
from .permissions import (
    can_act_for_vendor,
    can_manage_contract,
    can_view_contracts,
    is_buyer_reader,
    is_contract_manager,
    is_contract_vendor,
)
from .workflows import (
    TRANCHE_TRANSITIONS,
    TRANSITIONS,
    tranche_decision,
    transition_decision,
)


def deny_unless(decision: Decision) -> None:
    """A refusal for who the user is is a 403 (the site's page, with the reason); one
    for the contract's state, a 409 through DomainErrorMixin."""
    if not decision:
        if decision.code == "permission_denied":
            raise PermissionDenied(decision.reason)
        decision.raise_if_denied()


def contract_for(request: Any, pk: Any) -> Contract:
    return selectors.contract_get_for_user(pk, request.user)


def child_or_404(queryset: Any, raw_pk: Any, contract: Contract) -> Any:
    """One row of a visible contract's related queryset by the id in the URL (a bad
    or foreign id is a 404), with its contract set to the one already fetched."""
    pk = as_id(raw_pk)
    row = queryset.filter(pk=pk).first() if pk else None
    if row is None:
        raise Http404
    if hasattr(row, "contract_id"):
        row.contract = contract
    return row


class ContractErrorMixin(DomainErrorMixin):
    """DomainErrorMixin whose error page leads back to the contract (`pk`)."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().dispatch(request, *args, **kwargs)
        context = getattr(response, "context_data", None)
        if (
            response.status_code >= 400
            and context is not None
            and "error" in context
            and not context.get("back")
            and as_id(kwargs.get("pk")) is not None
        ):
            context["back"] = reverse("contracts:contract-detail", args=[kwargs["pk"]])
        return response


def service_call(form: Any, call: Any) -> tuple[bool, Any, int]:
    """`core.forms.form_service_call`: a refusal for who the user is is the site's 403."""
    return form_service_call(form, call, as_permission_denied=True)


def action_page(
    request: Any,
    contract: Contract,
    *,
    label: Any,
    form: Any,
    action: str,
    status: int = 200,
    **extra: Any,
) -> HttpResponse:
    return render(
        request,
        "contracts/contract_action.html",
        {"contract": contract, "label": label, "form": form, "action": action, **extra},
        status=status,
    )


# --- the list ------------------------------------------------------------------------------


class ContractListView(LoginRequiredMixin, DomainErrorMixin, View):
    """合同: the contracts the user may see, filtered and paginated, with the paid
    amount and the deadline flags; the same number of queries for any page."""

    paginate_by = 25

    def get(self, request):
        deny_unless(can_view_contracts(request.user))
        filterset = ContractFilterSet(
            request.GET or None,
            queryset=selectors.contract_list_for_user(request.user),
            user=request.user,
        )
        paid = (
            PaymentTranche.objects.filter(
                contract=OuterRef("pk"), status=TrancheStatus.PAID
            )
            .values("contract")
            .annotate(total=Sum("paid_amount"))
            .values("total")
        )
        money = DecimalField(max_digits=14, decimal_places=2)
        rows = filterset.qs.annotate(
            paid_total=Coalesce(
                Subquery(paid, output_field=money),
                Value(Decimal(0)),
                output_field=money,
            )
        ).order_by("-created_at", "-pk")
        page = Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))
        today = timezone.localdate()
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filterset": filterset,
            "page_obj": page,
            "rows": [
                {
                    "contract": c,
                    "paid": c.paid_total,
                    **selectors.deadline_flags(c, today),
                }
                for c in page
            ],
            "query": query.urlencode(),
        }
        htmx = getattr(request, "htmx", None)
        template = (
            "contracts/partials/_contract_table.html"
            if htmx and htmx.target == "contract-results"
            else "contracts/contract_list.html"
        )
        return render(request, template, context)


# --- the contract from an award --------------------------------------------------------------


def _award_for(request: Any) -> Award:
    """The award named by `?award=`, visible to the user as its project is."""
    from procurement import selectors as proc_selectors

    award_id = as_id(request.GET.get("award") or request.POST.get("award"))
    if award_id is None:
        raise Http404
    award = (
        Award.objects.select_related(
            "lot__project__buyer", "lot__project__district", "bid__vendor__organisation"
        )
        .filter(pk=award_id)
        .first()
    )
    if award is None:
        raise Http404
    # Invisible project → 404 (through the procurement selector's NotFound).
    proc_selectors.project_get_for_user(award.lot.project_id, request.user)
    return award


class ContractCreateView(LoginRequiredMixin, ContractErrorMixin, View):
    """签订合同: the buyer's officer turns a final award into a draft contract,
    choosing the term, the bond and the tranches (prefilled from the rules)."""

    template_name = "contracts/contract_form.html"

    def _setup(self, request):
        award = _award_for(request)
        project = award.lot.project
        if not (
            request.user.is_superuser
            or request.user.has_role(
                "district_admin", "street_officer", at_path=project.buyer.path
            )
        ):
            raise PermissionDenied(
                _("只有购买主体（本街道工作人员或区级管理员）可以签订合同。")
            )
        existing = Contract.objects.filter(award=award).first()
        if existing is not None:
            return award, existing
        if award.status != AwardStatus.FINAL:
            from core.exceptions import Conflict

            raise Conflict(_("中标结果尚未生效，不能签订合同。"))
        return award, None

    def _defaults(self, award):
        project = award.lot.project
        on = timezone.localdate()
        order = {"advance": 0, "midterm": 1, "final": 2}
        plan = sorted(
            services.tranche_plan_default(project.district, on),
            key=lambda row: order.get(row.get("kind"), 9),
        )
        start = on
        years = project.term_years or 1
        try:
            end = start.replace(year=start.year + years) - timezone.timedelta(days=1)
        except ValueError:  # 29 February
            end = start.replace(month=2, day=28, year=start.year + years)
        return {
            "start_on": start,
            "end_on": end,
            **tranche_initial(plan),
        }, len(plan)

    def get(self, request):
        award, existing = self._setup(request)
        if existing is not None:
            messages.info(request, _("该中标结果已签订合同。"))
            return redirect(existing.get_absolute_url())
        initial, n = self._defaults(award)
        form = ContractCreateForm(initial=initial, rows=tranche_row_count(None, n))
        return self.page(request, award, form)

    def post(self, request):
        award, existing = self._setup(request)
        if existing is not None:
            return redirect(existing.get_absolute_url())
        form = ContractCreateForm(
            request.POST, rows=tranche_row_count(request.POST, MAX_ROWS_DEFAULT)
        )
        status = 400
        if form.is_valid():
            ok, contract, status = service_call(
                form,
                lambda: services.contract_create_from_award(
                    award=award, actor=request.user, **form.service_kwargs()
                ),
            )
            if ok:
                messages.success(
                    request, _("已生成合同草稿：%(code)s。") % {"code": contract.code}
                )
                return redirect(contract.get_absolute_url())
        return self.page(request, award, form, status=status)

    def page(self, request, award, form, status=200):
        from catalogue.rules import deadline_for

        project = award.lot.project
        sign_due = None
        notice = getattr(award, "notice", None)
        if notice is not None and notice.published_on:
            try:
                sign_due = deadline_for(
                    "deadline.contract.sign", project.district, notice.published_on
                )
            except Exception:  # noqa: BLE001 - a missing rule only hides the hint
                sign_due = None
        return render(
            request,
            self.template_name,
            {
                "award": award,
                "project": project,
                "form": form,
                "sign_due": sign_due,
                "item_count": award.lot.items.count(),
                "community_count": award.lot.communities.count(),
            },
            status=status,
        )


MAX_ROWS_DEFAULT = 3


# --- the contract page -------------------------------------------------------------------------

# Contract actions with their own page (GET form, POST runs the service).
PAGE_ACTIONS = ("sign", "countersign", "publish", "file", "complete", "terminate")
PRIMARY = {"sign", "countersign"}
# Actions shown disabled with the reason when only the state or a guard says no, and
# the user is the party who would act.
PARTY_OF = {
    "sign": is_contract_vendor,
    "countersign": is_contract_manager,
    "publish": is_contract_manager,
    "file": is_contract_manager,
    "complete": is_contract_manager,
    "terminate": is_contract_manager,
}


def _action_buttons(user: Any, contract: Contract) -> list[dict[str, Any]]:
    """Buttons for the contract's own transitions: enabled when allowed; disabled with
    the reason when the user is the right party but a guard or the date says no (not
    for actions of other parties, or of states long past)."""
    out = []
    for name in PAGE_ACTIONS:
        t = TRANSITIONS[name]
        d = transition_decision(user, contract, name)
        if d:
            out.append(
                {
                    "slug": name,
                    "label": t.label,
                    "allowed": True,
                    "primary": name in PRIMARY,
                    "url": reverse(
                        "contracts:contract-action", args=[contract.pk, name]
                    ),
                }
            )
        elif (
            contract.status in t.sources
            and d.code != "permission_denied"
            and PARTY_OF[name](user, contract)
        ):
            out.append(
                {"slug": name, "label": t.label, "allowed": False, "reason": d.reason}
            )
    return out


def _tranche_buttons(user: Any, contract: Contract, t: PaymentTranche) -> list[dict]:
    out = []
    for name, tt in TRANCHE_TRANSITIONS.items():
        if t.status not in tt.sources:
            continue
        d = tranche_decision(user, t, name)
        if d:
            out.append(
                {
                    "slug": name,
                    "label": tt.label,
                    "allowed": True,
                    "primary": name == "approve",
                    "url": reverse(
                        "contracts:tranche-action", args=[contract.pk, t.pk, name]
                    ),
                }
            )
        elif d.code != "permission_denied":
            out.append(
                {"slug": name, "label": tt.label, "allowed": False, "reason": d.reason}
            )
    return out


def _change_buttons(user: Any, contract: Contract, ch: Any) -> list[dict]:
    side = services.change_decision_side(user, ch)
    names = {"decide": ("accept", "reject"), "withdraw": ("withdraw",)}.get(side, ())
    return [
        {
            "slug": n,
            "label": CHANGE_ACTIONS[n],
            "url": reverse("contracts:change-action", args=[contract.pk, ch.pk, n]),
        }
        for n in names
    ]


def _extension_buttons(user: Any, contract: Contract, x: Any) -> list[dict]:
    if x.status != ExtensionStatus.PENDING:
        return []
    names: tuple[str, ...] = ()
    if is_contract_manager(user, contract):
        names = ("approve", "refuse")
    elif is_contract_vendor(user, contract):
        names = ("withdraw",)
    return [
        {
            "slug": n,
            "label": EXTENSION_ACTIONS[n],
            "url": reverse("contracts:extension-action", args=[contract.pk, x.pk, n]),
        }
        for n in names
    ]


PROGRESS_PER_PAGE = 20


def progress_context(request: Any, contract: Contract) -> dict[str, Any]:
    """The progress table grouped by item with communities in columns; 20 items a
    page, optionally one community or items matching a text (139 items × ~11
    communities stays a readable page)."""
    community = as_id(request.GET.get("community"))
    item_q = query_text(request.GET, "item", 60)
    rows = selectors.contract_progress(contract)
    all_communities: OrderedDict[int, str] = OrderedDict()
    for r in rows:
        all_communities.setdefault(r["community_id"], r["community"])
    total_target = sum(r["target"] for r in rows)
    total_delivered = sum(min(r["delivered"], r["target"]) for r in rows)
    residual_hours = sum((r["residual_hours"] for r in rows), Decimal(0))
    cell_total = len(rows)
    if community not in all_communities:
        community = None
    if community is not None:
        rows = [r for r in rows if r["community_id"] == community]
    if item_q:
        q = item_q.lower()
        rows = [
            r
            for r in rows
            if q in r["item_code"].lower() or q in r["item_name"].lower()
        ]
    columns = (
        [{"id": community, "name": all_communities[community]}]
        if community is not None
        else [{"id": k, "name": v} for k, v in all_communities.items()]
    )
    by_item: OrderedDict[int, dict[str, Any]] = OrderedDict()
    for r in rows:
        entry = by_item.setdefault(
            r["item_id"],
            {
                "code": r["item_code"],
                "name": r["item_name"],
                "unit": r["unit_label"],
                "by_community": {},
            },
        )
        entry["by_community"][r["community_id"]] = {
            "community_id": r["community_id"],
            "target": r["target"],
            "delivered": r["delivered"],
            "reported": r["awaiting"],
            "residual_hours": r["residual_hours"],
            "pct": r["pct"] if r["pct"] is not None else Decimal(0),
        }
    items = list(by_item.values())
    page = Paginator(items, PROGRESS_PER_PAGE).get_page(request.GET.get("page"))
    for entry in page:
        entry["cells"] = [entry["by_community"].get(c["id"]) for c in columns]
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "page": page,
        "communities": columns,
        "all_communities": [{"id": k, "name": v} for k, v in all_communities.items()],
        "community": community,
        "item_q": item_q,
        "item_total": len(items),
        "cell_total": cell_total,
        "pct": (Decimal(total_delivered) * 100 / total_target).quantize(Decimal("0.1"))
        if total_target
        else Decimal(0),
        "residual_hours": residual_hours,
        "query": query.urlencode(),
    }


RECENT = 20


def detail_context(request: Any, contract: Contract) -> dict[str, Any]:
    user = request.user
    reader = bool(is_buyer_reader(user, contract))
    vendor = bool(is_contract_vendor(user, contract))
    manage = bool(can_manage_contract(user, contract))
    tranches = list(contract.tranches.select_related("acceptance").order_by("number"))
    changes = list(contract.changes.order_by("number"))
    versions = list(
        contract.versions.order_by("number").only("number", "created_at", "change_id")
    )
    prev = None
    for v in versions:
        v.prev = prev  # type: ignore[attr-defined]
        prev = v.number
    extensions = list(
        contract.extensions.select_related(
            "contract_item__item", "contract_item__community"
        ).order_by("-requested_at", "-pk")
    )
    deliveries_qs = contract.deliveries.select_related(
        "contract_item__item", "contract_item__community"
    ).prefetch_related("evidence")
    residual = list(
        contract.residual_work.select_related(
            "contract_item__item", "contract_item__community"
        ).order_by("-happened_on", "-pk")[: RECENT + 1]
    )
    from . import views_delivery

    extra = list(
        contract.extra_work.select_related("community").order_by("-assigned_on", "-pk")
    )
    return {
        "contract": contract,
        "can_manage": manage,
        "can_ledger": reader or vendor,
        "can_see_project": reader,
        "flags": selectors.deadline_flags(contract),
        "amounts": selectors.contract_amounts(contract),
        "obligations": selectors.next_obligations(contract),
        "actions": _action_buttons(user, contract),
        "progress": progress_context(request, contract),
        "tranches": [
            {"tranche": t, "actions": _tranche_buttons(user, contract, t)}
            for t in tranches
        ],
        "changes": [
            {"change": ch, "actions": _change_buttons(user, contract, ch)}
            for ch in changes
        ],
        "versions": versions,
        "extensions": [
            {"extension": x, "actions": _extension_buttons(user, contract, x)}
            for x in extensions
        ],
        "deliveries": list(deliveries_qs.order_by("-reported_at", "-pk")[:RECENT]),
        "delivery_count": contract.deliveries.count(),
        "residual": residual[:RECENT],
        "residual_more": len(residual) > RECENT,
        "extra_work": [
            {
                "extra": x,
                "actions": views_delivery.extra_work_buttons(user, contract, x),
            }
            for x in extra
        ],
        # Extra work beside confirmed deliveries, per community of this contract and
        # for the vendor over the contracts this user can see.
        "extra_ratio_communities": selectors_delivery.extra_work_ratio(
            contract=contract
        ).by_community,
        "extra_ratio_vendor": next(
            iter(
                selectors_delivery.extra_work_ratio(
                    vendor=contract.vendor,
                    contracts=Contract.objects.visible_to(user),
                ).by_vendor
            ),
            None,
        ),
        "acceptances": list(contract.acceptances.order_by("period_start", "pk")),
        "can_propose_change": bool(
            transition_decision(user, contract, "propose_change")
        ),
        "can_request_extension": bool(
            transition_decision(user, contract, "request_extension")
        ),
        "can_report": bool(transition_decision(user, contract, "report_delivery")),
        "can_record_residual": bool(
            transition_decision(user, contract, "record_residual")
        ),
        "can_record_extra": bool(
            transition_decision(user, contract, "record_extra_work")
        ),
        "can_create_acceptance": bool(
            transition_decision(user, contract, "create_acceptance")
        ),
        "events": list(selectors.contract_events(contract))
        if (reader or vendor)
        else [],
    }


class ContractDetailView(LoginRequiredMixin, ContractErrorMixin, View):
    def get(self, request, pk):
        contract = contract_for(request, pk)
        return render(
            request, "contracts/contract_detail.html", detail_context(request, contract)
        )


# --- the contract's own actions ------------------------------------------------------------------


def _contract_action_form(action: str, data: Any = None) -> Any:
    return {
        "sign": EmptyForm,
        "countersign": CountersignForm,
        "publish": PublicationForm,
        "file": FilingForm,
        "complete": CompleteForm,
        "terminate": TerminateForm,
    }[action](data)


def _run_contract_action(request: Any, action: str, contract: Contract, form: Any):
    user, d = request.user, form.cleaned_data
    if action == "sign":
        return services.contract_sign_vendor(contract=contract, actor=user)
    if action == "countersign":
        return services.contract_countersign(
            contract=contract, actor=user, signed_on=d.get("signed_on")
        )
    if action == "publish":
        return services.contract_record_publication(
            contract=contract,
            actor=user,
            published_on=d["published_on"],
            url=d.get("url") or "",
        )
    if action == "file":
        return services.contract_record_filing(
            contract=contract,
            actor=user,
            filed_on=d["filed_on"],
            ref=d.get("ref") or "",
        )
    if action == "complete":
        return services.contract_complete(
            contract=contract, actor=user, completed_on=d.get("completed_on")
        )
    return services.contract_terminate(
        contract=contract,
        actor=user,
        kind=d["kind"],
        reason=d["reason"],
        terminated_on=d["terminated_on"],
    )


class ContractActionView(LoginRequiredMixin, ContractErrorMixin, View):
    """One named contract transition: GET shows its form, POST runs it."""

    def _setup(self, request, pk, action):
        if action not in PAGE_ACTIONS:
            raise Http404
        contract = contract_for(request, pk)
        deny_unless(transition_decision(request.user, contract, action))
        return contract

    def get(self, request, pk, action):
        contract = self._setup(request, pk, action)
        return self.page(request, contract, action, _contract_action_form(action))

    def post(self, request, pk, action):
        contract = self._setup(request, pk, action)
        form = _contract_action_form(action, request.POST)
        status = 400
        if form.is_valid():
            ok, _result, status = service_call(
                form, lambda: _run_contract_action(request, action, contract, form)
            )
            if ok:
                messages.success(
                    request,
                    _("已完成：%(action)s。") % {"action": TRANSITIONS[action].label},
                )
                return redirect(contract.get_absolute_url())
        return self.page(request, contract, action, form, status=status)

    def page(self, request, contract, action, form, status=200):
        extra: dict[str, Any] = {}
        if action == "terminate":
            extra["open_tranches"] = list(
                contract.tranches.filter(
                    status__in=[TrancheStatus.PENDING, TrancheStatus.REQUESTED]
                ).order_by("number")
            )
            extra["danger"] = True
        return action_page(
            request,
            contract,
            label=TRANSITIONS[action].label,
            form=form,
            action=action,
            status=status,
            **extra,
        )


# --- tranches ------------------------------------------------------------------------------------


class TrancheActionView(LoginRequiredMixin, ContractErrorMixin, View):
    """申请付款 / 审批付款 / 登记支付 of one tranche."""

    def _setup(self, request, pk, tranche_pk, action):
        if action not in TRANCHE_TRANSITIONS:
            raise Http404
        contract = contract_for(request, pk)
        tranche = child_or_404(
            contract.tranches.select_related("acceptance"), tranche_pk, contract
        )
        deny_unless(tranche_decision(request.user, tranche, action))
        return contract, tranche

    def _form(self, action, data=None):
        return TranchePayForm(data) if action == "pay" else EmptyForm(data)

    def get(self, request, pk, tranche_pk, action):
        contract, tranche = self._setup(request, pk, tranche_pk, action)
        return self.page(request, contract, tranche, action, self._form(action))

    def post(self, request, pk, tranche_pk, action):
        contract, tranche = self._setup(request, pk, tranche_pk, action)
        form = self._form(action, request.POST)
        status = 400
        if form.is_valid():
            d = form.cleaned_data

            def call():
                if action == "request":
                    return services.payment_tranche_request(
                        tranche=tranche, actor=request.user
                    )
                if action == "approve":
                    return services.payment_tranche_approve(
                        tranche=tranche, actor=request.user
                    )
                return services.payment_tranche_pay(
                    tranche=tranche,
                    actor=request.user,
                    paid_on=d["paid_on"],
                    payment_ref=d.get("payment_ref") or "",
                )

            ok, _result, status = service_call(form, call)
            if ok:
                messages.success(
                    request,
                    _("第%(n)s期：%(action)s，已完成。")
                    % {
                        "n": tranche.number,
                        "action": TRANCHE_TRANSITIONS[action].label,
                    },
                )
                return redirect(contract.get_absolute_url() + "#tranches")
        return self.page(request, contract, tranche, action, form, status=status)

    def page(self, request, contract, tranche, action, form, status=200):
        subject = _(
            "第%(n)s期 %(kind)s：%(share)s%%，金额 ¥%(amount)s，扣减 ¥%(deduction)s，应付 ¥%(payable)s。"
        ) % {
            "n": tranche.number,
            "kind": tranche.get_kind_display(),
            "share": f"{tranche.share:.2f}".rstrip("0").rstrip("."),
            "amount": f"{tranche.amount:,.2f}",
            "deduction": f"{tranche.deduction:,.2f}",
            "payable": f"{tranche.payable:,.2f}",
        }
        if tranche.deduction_reason:
            subject += " " + tranche.deduction_reason
        return action_page(
            request,
            contract,
            label=TRANCHE_TRANSITIONS[action].label,
            form=form,
            action=f"tranche_{action}",
            status=status,
            subject_text=subject,
            back=contract.get_absolute_url() + "#tranches",
        )


# --- changes and versions -------------------------------------------------------------------------

CHANGE_ACTIONS = {
    "accept": _("同意变更"),
    "reject": _("不同意"),
    "withdraw": _("撤回变更"),
}


def _item_choices(contract: Contract) -> tuple[list, list]:
    items = list(
        ContractItem.objects.filter(contract=contract)
        .values_list("item_id", "item__code", "item__name")
        .distinct()
        .order_by("item__code")
    )
    communities = list(
        ContractItem.objects.filter(contract=contract)
        .values_list("community_id", "community__name", "community__code")
        .distinct()
        .order_by("community__code")
    )
    return (
        [(i, f"{code} {name}") for i, code, name in items],
        [(i, name) for i, name, _code in communities],
    )


class ChangeCreateView(LoginRequiredMixin, ContractErrorMixin, View):
    """提出变更 / 补充协议 (CT-01)."""

    template_name = "contracts/change_form.html"

    def _setup(self, request, pk):
        contract = contract_for(request, pk)
        deny_unless(transition_decision(request.user, contract, "propose_change"))
        items, communities = _item_choices(contract)
        return contract, items, communities

    def get(self, request, pk):
        contract, items, communities = self._setup(request, pk)
        form = ChangeForm(items=items, communities=communities)
        return self.page(request, contract, form)

    def post(self, request, pk):
        contract, items, communities = self._setup(request, pk)
        form = ChangeForm(request.POST, items=items, communities=communities)
        status = 400
        if form.is_valid():
            ok, change, status = service_call(
                form,
                lambda: services.contract_change_propose(
                    contract=contract, actor=request.user, **form.service_kwargs()
                ),
            )
            if ok:
                messages.success(
                    request,
                    _("已提出第%(n)s号变更，待对方确认。") % {"n": change.number},
                )
                return redirect(contract.get_absolute_url() + "#changes")
        return self.page(request, contract, form, status=status)

    def page(self, request, contract, form, status=200):
        return render(
            request,
            self.template_name,
            {
                "contract": contract,
                "form": form,
                # The cap and what is used of it, as the service counts them.
                "cap_share": services.additions_share(contract),
                "cap": services.additions_cap(contract),
                "used": services.additions_used(contract),
            },
            status=status,
        )


class ChangeActionView(LoginRequiredMixin, ContractErrorMixin, View):
    """The other party accepts or rejects a change; the proposer may withdraw it."""

    def _setup(self, request, pk, change_pk, action):
        if action not in CHANGE_ACTIONS:
            raise Http404
        contract = contract_for(request, pk)
        change = child_or_404(contract.changes, change_pk, contract)
        side = services.change_decision_side(request.user, change)
        wanted = "withdraw" if action == "withdraw" else "decide"
        if side != wanted:
            if change.status != ChangeStatus.PROPOSED:
                from core.exceptions import TransitionNotAllowed

                raise TransitionNotAllowed(
                    _("该变更已处理（%(status)s）。")
                    % {"status": change.get_status_display()}
                )
            if action == "withdraw":
                raise PermissionDenied(_("只有提出方可以撤回变更。"))
            raise PermissionDenied(
                _("变更须由对方确认（CT-01：任何一方不得擅自变更合同）。")
            )
        return contract, change

    def _form(self, action, data=None):
        if action == "reject":
            return RequiredNoteForm(data)
        if action == "accept":
            return NoteForm(data)
        return EmptyForm(data)

    def get(self, request, pk, change_pk, action):
        contract, change = self._setup(request, pk, change_pk, action)
        return self.page(request, contract, change, action, self._form(action))

    def post(self, request, pk, change_pk, action):
        contract, change = self._setup(request, pk, change_pk, action)
        form = self._form(action, request.POST)
        status = 400
        if form.is_valid():
            note = form.cleaned_data.get("note") or ""

            def call():
                if action == "accept":
                    return services.contract_change_accept(
                        change=change, actor=request.user, note=note
                    )
                if action == "reject":
                    return services.contract_change_reject(
                        change=change, actor=request.user, note=note
                    )
                return services.contract_change_withdraw(
                    change=change, actor=request.user
                )

            ok, _result, status = service_call(form, call)
            if ok:
                messages.success(
                    request,
                    _("第%(n)s号变更：%(action)s。")
                    % {"n": change.number, "action": CHANGE_ACTIONS[action]},
                )
                return redirect(contract.get_absolute_url() + "#changes")
        return self.page(request, contract, change, action, form, status=status)

    def page(self, request, contract, change, action, form, status=200):
        subject = _(
            "第%(n)s号变更（%(kind)s，%(reason)s）：%(rationale)s 金额变化 ¥%(delta)s。"
        ) % {
            "n": change.number,
            "kind": change.get_kind_display(),
            "reason": change.get_reason_code_display(),
            "rationale": change.rationale,
            "delta": f"{change.value_delta:,.2f}",
        }
        if change.new_end_on:
            subject += " " + _("新的履行期限止：%(d)s。") % {
                "d": change.new_end_on.isoformat()
            }
        return action_page(
            request,
            contract,
            label=CHANGE_ACTIONS[action],
            form=form,
            action=f"change_{action}",
            status=status,
            subject_text=subject,
            back=contract.get_absolute_url() + "#changes",
        )


def _fmt(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return str(len(value))
    return str(value)


class VersionDiffView(LoginRequiredMixin, ContractErrorMixin, View):
    """Two versions of the contract side by side: fields, clauses, item targets."""

    def get(self, request, pk, a, b):
        contract = contract_for(request, pk)
        versions = {
            v.number: v
            for v in contract.versions.filter(number__in=[as_id(a) or 0, as_id(b) or 0])
        }
        va, vb = versions.get(as_id(a) or 0), versions.get(as_id(b) or 0)
        if va is None or vb is None:
            raise Http404
        diff = selectors.version_diff(va.snapshot, vb.snapshot)
        rows = [
            {
                "key": f["field"],
                "label": f["label"],
                "old": _fmt(f["before"]),
                "new": _fmt(f["after"]),
            }
            for f in diff["fields"]
        ]
        rows += [
            {
                "key": f"clause:{c['clause']}",
                "label": _("条款：%(c)s") % {"c": c["clause"]},
                "old": c["before"],
                "new": c["after"],
            }
            for c in diff["clauses"]
        ]
        rows += [
            {
                "key": f"item:{i['item']}@{i['community']}",
                "label": _("事项目标：%(item)s · %(community)s")
                % {"item": i["item"], "community": i["community"]},
                "old": _fmt(i["before"]),
                "new": _fmt(i["after"]),
            }
            for i in diff["items"]
        ]
        for t in diff["tranches"]:
            rows.append(
                {
                    "key": "tranches",
                    "label": _("付款分期"),
                    "old": "；".join(
                        f"{r['number']}. {r['kind']} {r['share']}% ¥{r['amount']}"
                        for r in t["before"] or []
                    ),
                    "new": "；".join(
                        f"{r['number']}. {r['kind']} {r['share']}% ¥{r['amount']}"
                        for r in t["after"] or []
                    ),
                }
            )
        return render(
            request,
            "contracts/version_diff.html",
            {"contract": contract, "a": va.number, "b": vb.number, "rows": rows},
        )


# --- extensions ------------------------------------------------------------------------------------

EXTENSION_ACTIONS = {
    "approve": _("同意延期"),
    "refuse": _("不同意延期"),
    "withdraw": _("撤回申请"),
}


class ExtensionCreateView(LoginRequiredMixin, ContractErrorMixin, View):
    """申请延期, for the whole contract or one deliverable; the page shows the
    completion snapshot the request will store."""

    def _setup(self, request, pk):
        contract = contract_for(request, pk)
        deny_unless(transition_decision(request.user, contract, "request_extension"))
        items = [
            (ci.pk, f"{ci.item.code} {ci.item.name} · {ci.community.name}")
            for ci in contract.items.filter(active=True)
            .select_related("item", "community")
            .order_by("item__code", "community__code")
        ]
        return contract, items

    def get(self, request, pk):
        contract, items = self._setup(request, pk)
        return self.page(request, contract, ExtensionForm(items=items))

    def post(self, request, pk):
        contract, items = self._setup(request, pk)
        form = ExtensionForm(request.POST, items=items)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            ok, _x, status = service_call(
                form,
                lambda: services.extension_request_create(
                    contract=contract,
                    actor=request.user,
                    reason=d["reason"],
                    requested_end_on=d["requested_end_on"],
                    contract_item=d.get("contract_item") or None,
                ),
            )
            if ok:
                messages.success(request, _("已提交延期申请。"))
                return redirect(contract.get_absolute_url() + "#extensions")
        return self.page(request, contract, form, status=status)

    def page(self, request, contract, form, status=200):
        ci = None
        chosen = as_id(form["contract_item"].value())
        if chosen:
            ci = contract.items.select_related("item").filter(pk=chosen).first()
        return action_page(
            request,
            contract,
            label=_("申请延期"),
            form=form,
            action="extension",
            status=status,
            snapshot=selectors.completion_snapshot(contract, ci),
            back=contract.get_absolute_url() + "#extensions",
        )


class ExtensionActionView(LoginRequiredMixin, ContractErrorMixin, View):
    """同意 / 不同意 (the buyer) or 撤回 (the vendor) an extension request."""

    def _setup(self, request, pk, ext_pk, action):
        if action not in EXTENSION_ACTIONS:
            raise Http404
        contract = contract_for(request, pk)
        ext = child_or_404(
            contract.extensions.select_related(
                "contract_item__item", "contract_item__community"
            ),
            ext_pk,
            contract,
        )
        who = (
            can_act_for_vendor(request.user, contract)
            if action == "withdraw"
            else can_manage_contract(request.user, contract)
        )
        deny_unless(who)
        if ext.status != ExtensionStatus.PENDING:
            from core.exceptions import TransitionNotAllowed

            raise TransitionNotAllowed(
                _("该延期申请已处理（%(status)s）。")
                % {"status": ext.get_status_display()}
            )
        return contract, ext

    def _form(self, action, data=None):
        if action == "refuse":
            return RequiredReasonForm(data)
        if action == "approve":
            return ReasonForm(data)
        return EmptyForm(data)

    def get(self, request, pk, ext_pk, action):
        contract, ext = self._setup(request, pk, ext_pk, action)
        return self.page(request, contract, ext, action, self._form(action))

    def post(self, request, pk, ext_pk, action):
        contract, ext = self._setup(request, pk, ext_pk, action)
        form = self._form(action, request.POST)
        status = 400
        if form.is_valid():
            reason = form.cleaned_data.get("reason") or ""

            def call():
                if action == "approve":
                    return services.extension_approve(
                        extension=ext, actor=request.user, reason=reason
                    )
                if action == "refuse":
                    return services.extension_refuse(
                        extension=ext, actor=request.user, reason=reason
                    )
                return services.extension_withdraw(extension=ext, actor=request.user)

            ok, _x, status = service_call(form, call)
            if ok:
                messages.success(
                    request, _("延期申请：%(a)s。") % {"a": EXTENSION_ACTIONS[action]}
                )
                return redirect(contract.get_absolute_url() + "#extensions")
        return self.page(request, contract, ext, action, form, status=status)

    def page(self, request, contract, ext, action, form, status=200):
        scope = (
            f"{ext.contract_item.item.name} · {ext.contract_item.community.name}"
            if ext.contract_item
            else _("整个合同")
        )
        subject = _("延期范围：%(scope)s；%(from)s 延至 %(to)s。理由：%(reason)s") % {
            "scope": scope,
            "from": ext.current_end_on.isoformat(),
            "to": ext.requested_end_on.isoformat(),
            "reason": ext.reason,
        }
        return action_page(
            request,
            contract,
            label=EXTENSION_ACTIONS[action],
            form=form,
            action="extension_decide",
            status=status,
            subject_text=subject,
            snapshot=ext.snapshot,
            back=contract.get_absolute_url() + "#extensions",
        )


# --- acceptance --------------------------------------------------------------------------------------


def _acceptance(contract: Contract, acc_pk: Any) -> Any:
    return child_or_404(contract.acceptances, acc_pk, contract)


class AcceptanceCreateView(LoginRequiredMixin, ContractErrorMixin, View):
    """组织验收 of a period: opens a certificate with one line per contracted item."""

    def _setup(self, request, pk):
        contract = contract_for(request, pk)
        deny_unless(transition_decision(request.user, contract, "create_acceptance"))
        return contract

    def get(self, request, pk):
        contract = self._setup(request, pk)
        return self.page(request, contract, AcceptanceCreateForm())

    def post(self, request, pk):
        contract = self._setup(request, pk)
        form = AcceptanceCreateForm(request.POST)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            ok, acc, status = service_call(
                form,
                lambda: services.acceptance_create(
                    contract=contract,
                    actor=request.user,
                    period_label=d["period_label"],
                    period_start=d["period_start"],
                    period_end=d["period_end"],
                ),
            )
            if ok:
                messages.success(request, _("已发起验收，请填写验收书。"))
                return redirect(
                    reverse("contracts:acceptance-record", args=[contract.pk, acc.pk])
                )
        return self.page(request, contract, form, status=status)

    def page(self, request, contract, form, status=200):
        return action_page(
            request,
            contract,
            label=TRANSITIONS["create_acceptance"].label,
            form=form,
            action="acceptance_create",
            status=status,
            back=contract.get_absolute_url() + "#acceptances",
        )


class AcceptanceDetailView(LoginRequiredMixin, ContractErrorMixin, View):
    def get(self, request, pk, acc_pk):
        contract = contract_for(request, pk)
        acc = _acceptance(contract, acc_pk)
        results = dict(StandardResult.choices)
        sources = dict(OpinionSource.choices)
        return render(
            request,
            "contracts/acceptance_detail.html",
            {
                "contract": contract,
                "acceptance": acc,
                "can_manage": bool(can_manage_contract(request.user, contract)),
                "standards": [
                    {
                        "item": f"{s.get('item', '')} {s.get('name', '')}",
                        "standard": s.get("standard", ""),
                        "result_label": results.get(s.get("result"), "—"),
                        "note": s.get("note", ""),
                    }
                    for s in acc.standards or []
                ]
                if acc.status != AcceptanceStatus.DRAFT
                else [],
                "opinions": [
                    {**o, "source_label": sources.get(o.get("source"), "")}
                    for o in acc.opinions or []
                ],
            },
        )


class AcceptanceRecordView(LoginRequiredMixin, ContractErrorMixin, View):
    """The certificate: a result per standard (ACC-01) and the opinions (ACC-02)."""

    template_name = "contracts/acceptance_record.html"

    def _setup(self, request, pk, acc_pk):
        contract = contract_for(request, pk)
        deny_unless(can_manage_contract(request.user, contract))
        acc = _acceptance(contract, acc_pk)
        if acc.status != AcceptanceStatus.DRAFT:
            from core.exceptions import TransitionNotAllowed

            raise TransitionNotAllowed(_("该期验收已办结。"))
        standards = [
            {
                "item": s.get("item", ""),
                "standard": s.get("standard", ""),
                "label": f"{s.get('item', '')} {s.get('name', '')}",
            }
            for s in acc.standards or []
        ]
        return contract, acc, standards

    def get(self, request, pk, acc_pk):
        contract, acc, standards = self._setup(request, pk, acc_pk)
        form = AcceptanceRecordForm(
            standards=standards, initial={"accepted_on": timezone.localdate()}
        )
        return self.page(request, contract, acc, form)

    def post(self, request, pk, acc_pk):
        contract, acc, standards = self._setup(request, pk, acc_pk)
        form = AcceptanceRecordForm(request.POST, standards=standards)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            ok, _acc, status = service_call(
                form,
                lambda: services.acceptance_record(
                    acceptance=acc,
                    actor=request.user,
                    standards=d["standard_list"],
                    opinions=d["opinion_list"],
                    conclusion=d["conclusion"],
                    passed=d["passed"],
                    accepted_on=d["accepted_on"],
                ),
            )
            if ok:
                messages.success(request, _("已保存验收书。"))
                return redirect(
                    reverse("contracts:acceptance-detail", args=[contract.pk, acc.pk])
                )
        return self.page(request, contract, acc, form, status=status)

    def page(self, request, contract, acc, form, status=200):
        return render(
            request,
            self.template_name,
            {"contract": contract, "acceptance": acc, "form": form},
            status=status,
        )


class AcceptancePublishView(LoginRequiredMixin, ContractErrorMixin, View):
    """Record the publication of the acceptance result (DIS-12)."""

    def _setup(self, request, pk, acc_pk):
        contract = contract_for(request, pk)
        deny_unless(can_manage_contract(request.user, contract))
        acc = _acceptance(contract, acc_pk)
        if acc.status == AcceptanceStatus.DRAFT or acc.published_on is not None:
            from core.exceptions import TransitionNotAllowed

            raise TransitionNotAllowed(_("验收结果尚未形成或已公开。"))
        return contract, acc

    def get(self, request, pk, acc_pk):
        contract, acc = self._setup(request, pk, acc_pk)
        form = AcceptancePublishForm(initial={"published_on": timezone.localdate()})
        return self.page(request, contract, acc, form)

    def post(self, request, pk, acc_pk):
        contract, acc = self._setup(request, pk, acc_pk)
        form = AcceptancePublishForm(request.POST)
        status = 400
        if form.is_valid():
            ok, _acc, status = service_call(
                form,
                lambda: services.acceptance_publish(
                    acceptance=acc,
                    actor=request.user,
                    published_on=form.cleaned_data["published_on"],
                ),
            )
            if ok:
                messages.success(request, _("已登记验收结果公开。"))
                return redirect(contract.get_absolute_url() + "#acceptances")
        return self.page(request, contract, acc, form, status=status)

    def page(self, request, contract, acc, form, status=200):
        return action_page(
            request,
            contract,
            label=_("公开验收结果"),
            form=form,
            action="acceptance_publish",
            status=status,
            subject_text=_("%(period)s：%(status)s")
            % {
                "period": acc.period_label,
                "status": acc.get_status_display(),
            },
            back=contract.get_absolute_url() + "#acceptances",
        )


# --- the ledger ---------------------------------------------------------------------------------------


class ContractLedgerView(LoginRequiredMixin, ContractErrorMixin, View):
    """The vendor's project ledger (台账, GPS-27) as .xlsx: for the buyer's readers
    and the vendor."""

    def get(self, request, pk):
        contract = contract_for(request, pk)
        user = request.user
        if not (is_buyer_reader(user, contract) or is_contract_vendor(user, contract)):
            raise PermissionDenied(_("只有购买主体和承接组织可以下载项目台账。"))
        from .exports import ledger_xlsx

        return xlsx_response(ledger_xlsx(contract), f"ledger-{contract.pk}")


__all__ = [
    "AcceptanceCreateView",
    "AcceptanceDetailView",
    "AcceptancePublishView",
    "AcceptanceRecordView",
    "ChangeActionView",
    "ChangeCreateView",
    "ContractActionView",
    "ContractCreateView",
    "ContractDetailView",
    "ContractLedgerView",
    "ContractListView",
    "ExtensionActionView",
    "ExtensionCreateView",
    "TrancheActionView",
    "VersionDiffView",
    "detail_context",
]
