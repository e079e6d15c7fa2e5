"""HTML pages of a plan's expert panel (issue #7 §3, namespace `assessments_panel`):
the panel page (members, declarations, the target composition and what it still
lacks, the four aspects the panel scores, and the buyer's officer's add form), a
member's declaration page, and a user's own seats.

Reads go through `assessments.panel` selectors (invisible → 404); every write is one
of its services; a refusal for who the user is is a 403 with the service's reason.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View

from accounts.models import User
from core.exceptions import DomainError
from core.views import DomainErrorMixin

from . import panel as svc
from . import selectors
from .choices import PanelRole, PlanStatus, RaterKind
from .models import AssessmentPlan, Scorecard
from .views import is_manager_of, service_call

# --- forms --------------------------------------------------------------------------------


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj}（{obj.username}）"


class PanelAddForm(forms.Form):
    """增加评审组成员: a user of the expert pool, as an expert or a peer reviewer."""

    user = UserChoiceField(label=_l("人员"), queryset=User.objects.none())
    role = forms.ChoiceField(label=_l("角色"), choices=PanelRole.choices)

    def __init__(self, *args: Any, plan: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = svc.panel_pool(plan)
        field.help_text = _l(
            "本区（或本市）专家库中的人员；同行评议人以同行身份入库。"
            "被考核组织的工作人员及与其有孵化关系者不得入选。"
        )


class DeclareForm(forms.Form):
    """利害关系声明: no conflict, or a conflict described (and then a recusal)."""

    @staticmethod
    def map_error_key(key: str) -> str | None:
        return "decision" if key == "no_conflict" else None

    decision = forms.ChoiceField(
        label=_l("声明"),
        widget=forms.RadioSelect,
        choices=(
            ("no_conflict", _l("本人与被考核组织无利害关系")),
            ("conflict", _l("本人与被考核组织存在利害关系，申请回避")),
        ),
    )
    note = forms.CharField(
        label=_l("利害关系说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# --- the panel page ---------------------------------------------------------------------


class PanelView(LoginRequiredMixin, DomainErrorMixin, View):
    """专家评审组: the plan's readers see it; the buyer's officer adds members."""

    template_name = "assessments/panel.html"

    def page(self, request, plan, form, status=200):
        members = svc.panel_members(plan)
        can_manage = is_manager_of(request.user, plan.buyer)
        with_cards = set(
            Scorecard.objects.filter(
                round__plan=plan,
                group=RaterKind.EXPERT_PANEL,
                rater_id__in=[m.user_id for m in members],
            ).values_list("rater_id", flat=True)
        )
        has_panel = svc.has_expert_panel(plan)
        targets = svc.panel_targets(plan)
        return render(
            request,
            self.template_name,
            {
                "plan": plan,
                "members": [
                    {"member": m, "has_cards": m.user_id in with_cards} for m in members
                ],
                "targets": targets,
                "problems": svc.panel_check(plan, members, targets=targets),
                "has_panel": has_panel,
                "aspects": svc.ASPECTS,
                "tree": selectors.indicator_tree(plan),
                "contracts": list(
                    plan.contracts.select_related("vendor__organisation").order_by(
                        "code"
                    )
                ),
                "can_manage": can_manage,
                "form": form
                if can_manage and has_panel and plan.status != PlanStatus.CLOSED
                else None,
            },
            status=status,
        )

    def get(self, request, pk):
        plan = selectors.plan_get_for_user(pk, request.user)
        return self.page(request, plan, PanelAddForm(plan=plan))

    def post(self, request, pk):
        plan = selectors.plan_get_for_user(pk, request.user)
        if not is_manager_of(request.user, plan.buyer):
            raise PermissionDenied(
                _("只有购买主体（本街道工作人员或区级管理员）可以办理考核。")
            )
        form = PanelAddForm(request.POST, plan=plan)
        if not form.is_valid():
            return self.page(request, plan, form, status=400)
        d = form.cleaned_data
        ok, member, status = service_call(
            form,
            lambda: svc.panel_member_add(
                actor=request.user, plan=plan, user=d["user"], role=d["role"]
            ),
        )
        if not ok:
            return self.page(request, plan, form, status=status)
        messages.success(
            request,
            _("已将 %(u)s 加入评审组，请其作出利害关系声明。") % {"u": member.user},
        )
        return redirect("assessments_panel:panel", pk=plan.pk)


class PanelRemoveView(LoginRequiredMixin, DomainErrorMixin, View):
    """移出评审组 (plain POST by the buyer's officer, before the member scores)."""

    def post(self, request, pk):
        member = svc.member_get_for_user(pk, request.user)
        plan_id = member.plan_id
        try:
            svc.panel_member_remove(actor=request.user, member=member)
        except DomainError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(str(exc.message)) from exc
            raise
        messages.success(request, _("已移出评审组。"))
        return redirect("assessments_panel:panel", pk=plan_id)


# --- a member's declaration -----------------------------------------------------------


class DeclareView(LoginRequiredMixin, DomainErrorMixin, View):
    """利害关系声明: the plan, its contracts and the organisations assessed; the member
    declares once (the plan's readers see the page, without the form)."""

    template_name = "assessments/panel_declare.html"

    def page(self, request, member, form, status=200):
        plan = member.plan
        mine = member.user_id == request.user.pk
        return render(
            request,
            self.template_name,
            {
                "member": member,
                "plan": plan,
                "contracts": list(
                    plan.contracts.select_related("vendor__organisation").order_by(
                        "code"
                    )
                ),
                "aspects": svc.ASPECTS,
                "mine": mine,
                "form": form if mine and member.declared_at is None else None,
                "is_reader": AssessmentPlan.objects.visible_to(request.user)
                .filter(pk=plan.pk)
                .exists(),
            },
            status=status,
        )

    def get(self, request, pk):
        member = svc.member_get_for_user(pk, request.user)
        return self.page(request, member, DeclareForm())

    def post(self, request, pk):
        member = svc.member_get_for_user(pk, request.user)
        if member.user_id != request.user.pk:
            raise PermissionDenied(_("利害关系声明只能由成员本人作出。"))
        form = DeclareForm(request.POST)
        if not form.is_valid():
            return self.page(request, member, form, status=400)
        d = form.cleaned_data
        no_conflict = d["decision"] == "no_conflict"
        ok, _m, status = service_call(
            form,
            lambda: svc.panel_declare(
                actor=request.user,
                member=member,
                no_conflict=no_conflict,
                note=d.get("note", ""),
            ),
        )
        if not ok:
            return self.page(request, member, form, status=status)
        messages.success(
            request,
            _("已声明无利害关系，可以评分。")
            if no_conflict
            else _("已声明存在利害关系，您将回避本方案的评审。"),
        )
        return redirect("assessments_panel:my-seats")


class MySeatsView(LoginRequiredMixin, DomainErrorMixin, View):
    """我的评审任务: the user's panel seats, those waiting for a declaration first."""

    def get(self, request):
        return render(
            request,
            "assessments/panel_mine.html",
            {"seats": svc.seats_for_user(request.user)},
        )
