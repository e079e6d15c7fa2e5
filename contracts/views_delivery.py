"""HTML pages of what happens on the ground: the vendor's delivery records with their
evidence, the community's review (社区签收), the work community staff still do
themselves (社区自办) and work given outside the contract (合同外工作).

Same rules as `views`: the contract through `contract_get_for_user` (404 when
invisible), the record's own table (`delivery_decision`, `extra_work_decision`) for
403/409 with the reason, and the services of `services.delivery` for every write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from core.ids import as_id

from .choices import DeliveryStatus, EvidenceKind, ExtraWorkSide
from .forms import (
    CompensateForm,
    DeliveryForm,
    EvidenceAddForm,
    ExtraWorkForm,
    NoteForm,
    RequiredNoteForm,
    ResidualForm,
)
from .models import Contract, ContractItem, DeliveryRecord, Evidence
from .permissions import (
    community_ids_of,
    is_contract_manager,
    is_contract_vendor,
    is_department_staff,
)
from .services import delivery as svc
from .views import (
    ContractErrorMixin,
    action_page,
    child_or_404,
    contract_for,
    deny_unless,
    service_call,
)
from .workflows import transition_decision


def _choices(contract: Contract, communities: set[int] | None = None) -> tuple:
    """(items, communities) of the contract's active rows, for the selects."""
    rows = ContractItem.objects.filter(contract=contract, active=True)
    if communities is not None:
        rows = rows.filter(community_id__in=communities)
    items = list(
        rows.values_list("item_id", "item__code", "item__name")
        .distinct()
        .order_by("item__code")
    )
    comms = list(
        rows.values_list("community_id", "community__name", "community__code")
        .distinct()
        .order_by("community__code")
    )
    return (
        [(i, f"{code} {name}") for i, code, name in items],
        [(i, name) for i, name, _code in comms],
    )


def _pair(contract: Contract, form: Any) -> ContractItem | None:
    """The contract row of the chosen item and community, or an error on the form."""
    item, community = (
        as_id(form.cleaned_data.get("item")),
        as_id(form.cleaned_data.get("community")),
    )
    row = (
        ContractItem.objects.filter(
            contract=contract, item_id=item, community_id=community, active=True
        ).first()
        if item and community
        else None
    )
    if row is None:
        form.add_error("community", _("本合同在该社区没有这一服务事项。"))
    return row


# --- delivery records ----------------------------------------------------------------------


DELIVERY_ACTIONS = {
    "confirm": _("确认签收"),
    "dispute": _("提出异议"),
    "correct": _("更正记录"),
    "withdraw": _("撤回记录"),
    "add_evidence": _("补充佐证"),
}
# Actions run by one click from the record's page (the page also works as GET).
BUTTON_ACTIONS = ("confirm",)


def _delivery(contract: Contract, delivery_pk: Any) -> DeliveryRecord:
    return child_or_404(
        DeliveryRecord.objects.filter(contract=contract).select_related(
            "contract_item__item",
            "contract_item__community",
            "reported_by",
            "reviewed_by",
        ),
        delivery_pk,
        contract,
    )


def _delivery_form_mapper(form: DeliveryForm) -> None:
    def map_error_key(key: str) -> str | None:
        if key == "contract_item":
            return "community"
        if key in ("files", "file"):
            used = [
                n for n in ("photos", "sign_in", "files") if form.cleaned_data.get(n)
            ]
            return used[0] if len(used) == 1 else "files"
        return None

    form.map_error_key = map_error_key  # type: ignore[attr-defined]


class DeliveryListView(LoginRequiredMixin, ContractErrorMixin, View):
    """Every delivery record of the contract, newest first, by status and community."""

    paginate_by = 30

    def get(self, request, pk):
        contract = contract_for(request, pk)
        _items, communities = _choices(contract)
        rows = (
            contract.deliveries.select_related(
                "contract_item__item", "contract_item__community"
            )
            .prefetch_related("evidence")
            .order_by("-reported_at", "-pk")
        )
        status = request.GET.get("status") or ""
        if status in DeliveryStatus.values:
            rows = rows.filter(status=status)
        else:
            status = ""
        community = as_id(request.GET.get("community"))
        if community:
            rows = rows.filter(contract_item__community_id=community)
        page = Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        return render(
            request,
            "contracts/delivery_list.html",
            {
                "contract": contract,
                "page_obj": page,
                "query": query.urlencode(),
                "statuses": DeliveryStatus.choices,
                "status": status,
                "communities": [{"id": i, "name": n} for i, n in communities],
                "community": community,
            },
        )


class DeliveryCreateView(LoginRequiredMixin, ContractErrorMixin, View):
    """填报服务记录 (the vendor): item and community of this contract, period, count,
    notes and evidence files; all saved, or nothing."""

    template_name = "contracts/delivery_form.html"

    def _setup(self, request, pk):
        contract = contract_for(request, pk)
        deny_unless(transition_decision(request.user, contract, "report_delivery"))
        items, communities = _choices(contract)
        return contract, items, communities

    def get(self, request, pk):
        contract, items, communities = self._setup(request, pk)
        return self.page(
            request, contract, DeliveryForm(items=items, communities=communities)
        )

    def post(self, request, pk):
        contract, items, communities = self._setup(request, pk)
        form = DeliveryForm(
            request.POST, request.FILES, items=items, communities=communities
        )
        status = 400
        if form.is_valid():
            row = _pair(contract, form)
            if row is not None:
                _delivery_form_mapper(form)
                d = form.cleaned_data
                ok, delivery, status = service_call(
                    form,
                    lambda: svc.delivery_report(
                        contract=contract,
                        actor=request.user,
                        contract_item=row,
                        period_start=d["period_start"],
                        period_end=d["period_end"],
                        count=d["count"],
                        notes=d.get("notes") or "",
                        files=form.uploads(),
                    ),
                )
                if ok:
                    messages.success(request, _("已提交服务记录，待社区签收。"))
                    return redirect(
                        reverse(
                            "contracts:delivery-detail", args=[contract.pk, delivery.pk]
                        )
                    )
        return self.page(request, contract, form, status=status)

    def page(self, request, contract, form, status=200):
        return render(
            request,
            self.template_name,
            {"contract": contract, "form": form},
            status=status,
        )


class DeliveryDetailView(LoginRequiredMixin, ContractErrorMixin, View):
    """One record with its evidence (capture time, place, reused-photo flag) and the
    buttons the user may press."""

    def get(self, request, pk, delivery_pk):
        contract = contract_for(request, pk)
        delivery = _delivery(contract, delivery_pk)
        actions = []
        for name, label in DELIVERY_ACTIONS.items():
            if svc.delivery_decision(request.user, delivery, name):
                actions.append(
                    {
                        "slug": name,
                        "label": label,
                        "button": name in BUTTON_ACTIONS,
                        "primary": name == "confirm",
                        "url": reverse(
                            "contracts:delivery-action",
                            args=[contract.pk, delivery.pk, name],
                        ),
                    }
                )
        return render(
            request,
            "contracts/delivery_detail.html",
            {
                "contract": contract,
                "delivery": delivery,
                "evidence": list(delivery.evidence.order_by("pk")),
                "actions": actions,
            },
        )


class DeliveryActionView(LoginRequiredMixin, ContractErrorMixin, View):
    """签收 / 异议 (community staff), 更正 / 撤回 / 补充佐证 (the vendor)."""

    def _setup(self, request, pk, delivery_pk, action):
        if action not in DELIVERY_ACTIONS:
            raise Http404
        contract = contract_for(request, pk)
        delivery = _delivery(contract, delivery_pk)
        deny_unless(svc.delivery_decision(request.user, delivery, action))
        return contract, delivery

    def _form(self, action, delivery, data=None, files=None):
        if action == "dispute":
            form = RequiredNoteForm(data)
            form.fields["note"].label = _("异议理由")
            return form
        if action == "withdraw":
            return NoteForm(data)
        if action == "confirm":
            return NoteForm(data)
        if action == "add_evidence":
            return EvidenceAddForm(data, files)
        from django import forms

        class CorrectForm(forms.Form):
            count = forms.IntegerField(
                label=_("数量"), min_value=0, max_value=10**7, initial=delivery.count
            )
            notes = forms.CharField(
                label=_("说明"),
                required=False,
                max_length=4000,
                initial=delivery.notes,
                widget=forms.Textarea(attrs={"rows": 3}),
            )

        return CorrectForm(data)

    def get(self, request, pk, delivery_pk, action):
        contract, delivery = self._setup(request, pk, delivery_pk, action)
        return self.page(
            request, contract, delivery, action, self._form(action, delivery)
        )

    def post(self, request, pk, delivery_pk, action):
        contract, delivery = self._setup(request, pk, delivery_pk, action)
        form = self._form(action, delivery, request.POST, request.FILES)
        status = 400
        if form.is_valid():
            d, user = form.cleaned_data, request.user

            def call():
                if action == "confirm":
                    return svc.delivery_confirm(
                        delivery=delivery, actor=user, note=d.get("note") or ""
                    )
                if action == "dispute":
                    return svc.delivery_dispute(
                        delivery=delivery, actor=user, reason=d["note"]
                    )
                if action == "withdraw":
                    return svc.delivery_withdraw(
                        delivery=delivery, actor=user, reason=d.get("note") or ""
                    )
                if action == "add_evidence":
                    # One call per file; the first refused file stops the rest and
                    # is named (files already added stay, each was complete).
                    return [
                        svc.evidence_add(
                            delivery=delivery, actor=user, kind=d["kind"], file=f
                        )
                        for f in d["files"]
                    ]
                return svc.delivery_correct(
                    delivery=delivery,
                    actor=user,
                    count=d["count"],
                    notes=d.get("notes") or "",
                )

            if action == "add_evidence":
                form.map_error_key = lambda key: "files" if key == "file" else None  # type: ignore[attr-defined]
            elif action == "dispute":
                form.map_error_key = lambda key: "note" if key == "reason" else None  # type: ignore[attr-defined]
            ok, _result, status = service_call(form, call)
            if ok:
                messages.success(
                    request,
                    _("服务记录：%(a)s，已完成。") % {"a": DELIVERY_ACTIONS[action]},
                )
                return redirect(
                    reverse(
                        "contracts:delivery-detail", args=[contract.pk, delivery.pk]
                    )
                )
        return self.page(request, contract, delivery, action, form, status=status)

    def page(self, request, contract, delivery, action, form, status=200):
        subject = _(
            "%(item)s · %(community)s：%(start)s 至 %(end)s，%(count)s %(unit)s。"
        ) % {
            "item": delivery.contract_item.item.name,
            "community": delivery.contract_item.community.name,
            "start": delivery.period_start.isoformat(),
            "end": delivery.period_end.isoformat(),
            "count": delivery.count,
            "unit": delivery.contract_item.item.get_unit_display(),
        }
        return action_page(
            request,
            contract,
            label=DELIVERY_ACTIONS[action],
            form=form,
            action=f"delivery_{action}",
            status=status,
            subject_text=subject,
            back=reverse("contracts:delivery-detail", args=[contract.pk, delivery.pk]),
        )


class EvidenceDownloadView(LoginRequiredMixin, ContractErrorMixin, View):
    """An evidence file, for whoever may see the contract; `?inline=1` shows a photo
    in the page (thumbnails) instead of downloading it."""

    def get(self, request, pk, evidence_pk):
        contract = contract_for(request, pk)
        evidence = child_or_404(
            Evidence.objects.filter(delivery__contract=contract), evidence_pk, contract
        )
        if not evidence.file:
            raise Http404
        try:
            handle = evidence.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        inline = (
            request.GET.get("inline") == "1" and evidence.kind == EvidenceKind.PHOTO
        )
        response = FileResponse(
            handle, as_attachment=not inline, filename=evidence.name or "evidence"
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response


# --- residual work -------------------------------------------------------------------------


class ResidualCreateView(LoginRequiredMixin, ContractErrorMixin, View):
    """登记社区自办: community staff record a contracted item they still do."""

    def _setup(self, request, pk):
        contract = contract_for(request, pk)
        deny_unless(transition_decision(request.user, contract, "record_residual"))
        items, communities = _choices(contract, community_ids_of(request.user))
        return contract, items, communities

    def get(self, request, pk):
        contract, items, communities = self._setup(request, pk)
        return self.page(
            request, contract, ResidualForm(items=items, communities=communities)
        )

    def post(self, request, pk):
        contract, items, communities = self._setup(request, pk)
        form = ResidualForm(request.POST, items=items, communities=communities)
        status = 400
        if form.is_valid():
            row = _pair(contract, form)
            if row is not None:
                form.map_error_key = (  # type: ignore[attr-defined]
                    lambda key: "community" if key == "contract_item" else None
                )
                d = form.cleaned_data
                ok, _r, status = service_call(
                    form,
                    lambda: svc.residual_work_record(
                        contract=contract,
                        actor=request.user,
                        contract_item=row,
                        happened_on=d["happened_on"],
                        description=d["description"],
                        hours=d["hours"],
                        reason=d["reason"],
                    ),
                )
                if ok:
                    messages.success(request, _("已登记社区自办工作。"))
                    return redirect(contract.get_absolute_url() + "#residual")
        return self.page(request, contract, form, status=status)

    def page(self, request, contract, form, status=200):
        return action_page(
            request,
            contract,
            label=_("登记社区自办"),
            form=form,
            action="residual",
            status=status,
            back=contract.get_absolute_url() + "#residual",
        )


# --- extra work ----------------------------------------------------------------------------

EXTRA_ACTIONS = {
    "approve": _("确认"),
    "refuse": _("不予认定"),
    "dispute": _("提出异议"),
    "compensate": _("登记补偿"),
}


def extra_work_buttons(user: Any, contract: Contract, extra: Any) -> list[dict]:
    extra.contract = contract
    return [
        {
            "slug": name,
            "label": label,
            "url": reverse(
                "contracts:extra-work-action", args=[contract.pk, extra.pk, name]
            ),
        }
        for name, label in EXTRA_ACTIONS.items()
        if svc.extra_work_decision(user, extra, name)
    ]


def _sides(user: Any, contract: Contract) -> list[str]:
    """The sides the user may record extra work for: the vendor for itself, the
    community staff for their community, the street's staff as a department."""
    sides = []
    if is_contract_vendor(user, contract):
        sides.append(ExtraWorkSide.VENDOR.value)
    if community_ids_of(user):
        sides.append(ExtraWorkSide.COMMUNITY.value)
    if is_department_staff(user, contract) or is_contract_manager(user, contract):
        sides.append(ExtraWorkSide.DEPARTMENT.value)
    return sides


class ExtraWorkCreateView(LoginRequiredMixin, ContractErrorMixin, View):
    """登记合同外工作: who asked, what, when, hours."""

    def _setup(self, request, pk):
        contract = contract_for(request, pk)
        deny_unless(transition_decision(request.user, contract, "record_extra_work"))
        sides = _sides(request.user, contract)
        mine = community_ids_of(request.user)
        only_community = sides == [ExtraWorkSide.COMMUNITY.value]
        _items, communities = _choices(contract, mine if only_community else None)
        return contract, sides, communities

    def _form(self, sides, communities, data=None):
        from django import forms

        form = ExtraWorkForm(data, communities=communities)
        labels = dict(ExtraWorkSide.choices)
        form.fields["side"] = forms.ChoiceField(
            label=_("记录方"),
            choices=[(s, labels[s]) for s in sides],
            initial=sides[0] if sides else None,
        )
        if len(sides) == 1:
            form.fields["side"].widget = forms.HiddenInput()
        return form

    def get(self, request, pk):
        contract, sides, communities = self._setup(request, pk)
        return self.page(request, contract, self._form(sides, communities))

    def post(self, request, pk):
        contract, sides, communities = self._setup(request, pk)
        form = self._form(sides, communities, request.POST)
        status = 400
        if form.is_valid():
            d = form.cleaned_data
            ok, _x, status = service_call(
                form,
                lambda: svc.extra_work_record(
                    contract=contract,
                    actor=request.user,
                    side=d["side"],
                    requested_by_name=d["requested_by_name"],
                    description=d["description"],
                    assigned_on=d["assigned_on"],
                    hours=d["hours"],
                    community=as_id(d.get("community")),
                ),
            )
            if ok:
                messages.success(request, _("已登记合同外工作。"))
                return redirect(contract.get_absolute_url() + "#extra-work")
        return self.page(request, contract, form, status=status)

    def page(self, request, contract, form, status=200):
        return action_page(
            request,
            contract,
            label=_("登记合同外工作"),
            form=form,
            action="extra_work",
            status=status,
            back=contract.get_absolute_url() + "#extra-work",
        )


class ExtraWorkActionView(LoginRequiredMixin, ContractErrorMixin, View):
    """确认 / 不予认定 / 登记补偿 (the buyer), 提出异议 (the vendor)."""

    def _setup(self, request, pk, extra_pk, action):
        if action not in EXTRA_ACTIONS:
            raise Http404
        contract = contract_for(request, pk)
        extra = child_or_404(
            contract.extra_work.select_related("community"), extra_pk, contract
        )
        deny_unless(svc.extra_work_decision(request.user, extra, action))
        return contract, extra

    def _form(self, action, data=None):
        if action == "compensate":
            return CompensateForm(data)
        if action in ("refuse", "dispute"):
            form = RequiredNoteForm(data)
            if action == "dispute":
                form.fields["note"].label = _("承接组织意见")
            return form
        return NoteForm(data)

    def get(self, request, pk, extra_pk, action):
        contract, extra = self._setup(request, pk, extra_pk, action)
        return self.page(request, contract, extra, action, self._form(action))

    def post(self, request, pk, extra_pk, action):
        contract, extra = self._setup(request, pk, extra_pk, action)
        form = self._form(action, request.POST)
        status = 400
        if form.is_valid():
            d, user = form.cleaned_data, request.user

            def call():
                if action == "approve":
                    return svc.extra_work_approve(
                        extra=extra, actor=user, note=d.get("note") or ""
                    )
                if action == "refuse":
                    return svc.extra_work_refuse(
                        extra=extra, actor=user, note=d["note"]
                    )
                if action == "dispute":
                    return svc.extra_work_dispute(
                        extra=extra, actor=user, response=d["note"]
                    )
                return svc.extra_work_compensate(
                    extra=extra, actor=user, amount=d["compensation"]
                )

            form.map_error_key = lambda key: {  # type: ignore[attr-defined]
                "response": "note",
                "amount": "compensation",
            }.get(key)
            ok, _x, status = service_call(form, call)
            if ok:
                messages.success(
                    request,
                    _("合同外工作：%(a)s，已完成。") % {"a": EXTRA_ACTIONS[action]},
                )
                return redirect(contract.get_absolute_url() + "#extra-work")
        return self.page(request, contract, extra, action, form, status=status)

    def page(self, request, contract, extra, action, form, status=200):
        subject = _("%(who)s 于 %(on)s 交办：%(what)s（%(hours)s 小时）") % {
            "who": extra.requested_by_name,
            "on": extra.assigned_on.isoformat(),
            "what": extra.description,
            "hours": extra.hours,
        }
        return action_page(
            request,
            contract,
            label=EXTRA_ACTIONS[action],
            form=form,
            action=f"extra_{action}",
            status=status,
            subject_text=subject,
            back=contract.get_absolute_url() + "#extra-work",
        )


__all__ = [
    "DeliveryActionView",
    "DeliveryCreateView",
    "DeliveryDetailView",
    "DeliveryListView",
    "EvidenceDownloadView",
    "ExtraWorkActionView",
    "ExtraWorkCreateView",
    "ResidualCreateView",
    "extra_work_buttons",
]
