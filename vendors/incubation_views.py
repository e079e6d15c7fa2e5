"""HTML adapters of the incubation pipeline: the board, an application, its actions."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View

from core.events import audit_events_for
from core.exceptions import DomainError, NotFound, ValidationFailed
from core.views import DomainErrorMixin

from . import incubation as services
from .choices import PIPELINE_STEPS, ApplicationStatus, LogKind
from .models import IncubationApplication, IncubationCentre, IntakeRound
from .permissions import can_create_vendor
from .workflows import (
    TRANSITIONS,
    allowed_actions,
    can_view_as_applicant,
    transition_decision,
)

# Labels of the admission criteria codes that rule parameters may name.
CRITERION_LABELS = {
    "public_benefit": _l("公益性"),
    "local_need": _l("社区需求"),
    "team": _l("团队"),
    "plan": _l("服务计划"),
}


class ApplyForm(forms.Form):
    round = forms.ModelChoiceField(
        label=_l("批次"), queryset=IntakeRound.objects.none()
    )
    team_name = forms.CharField(label=_l("团队名称"), max_length=120)
    purpose = forms.CharField(
        label=_l("宗旨"), widget=forms.Textarea(attrs={"rows": 2})
    )
    service_plan = forms.CharField(
        label=_l("服务计划"), widget=forms.Textarea(attrs={"rows": 3})
    )
    core_members = forms.CharField(
        label=_l("核心成员"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_l("每行一人：姓名，曾任职务（如：张华，铁佛社区综合协管员）"),
    )


def _applications(user):
    return IncubationApplication.objects.visible_to(user, "view").select_related(
        "round__centre__region", "vendor__organisation"
    )


def _get(pk, user) -> IncubationApplication:
    try:
        return _applications(user).get(pk=pk)
    except (IncubationApplication.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def _centres(user):
    q = IncubationCentre.objects.none()
    for path in user.district_paths():
        q = q | IncubationCentre.objects.filter(region__path__startswith=path)
    return q


class BoardView(LoginRequiredMixin, View):
    """The pipeline as a board: one column per step, the closed ones below."""

    def get(self, request):
        if not can_create_vendor(request.user) and not request.user.has_role(
            "auditor", "department_staff", "community_staff"
        ):
            raise PermissionDenied(_("只有工作人员可以查看孵化看板。"))
        apps = list(_applications(request.user).order_by("created_at"))
        columns = [
            (step, ApplicationStatus(step).label, [a for a in apps if a.status == step])
            for step in PIPELINE_STEPS
        ]
        closed = [a for a in apps if a.status not in PIPELINE_STEPS]
        return render(
            request,
            "vendors/incubation_board.html",
            {"columns": columns, "closed": closed, "centres": _centres(request.user)},
        )


class ApplicationDetailView(LoginRequiredMixin, DomainErrorMixin, View):
    def get(self, request, pk):
        app = _get(pk, request.user)
        return render(
            request, "vendors/incubation_detail.html", self.context(request, app)
        )

    @staticmethod
    def context(request, app, errors=None, failed_action=""):
        from catalogue.rules import RuleParameterMissing, rule_value

        try:
            weights = rule_value(
                "incubation.admission.criteria",
                app.round.centre.region,
                timezone.localdate(),
            )
        except RuleParameterMissing:
            weights = {}
        return {
            "criteria": [
                (code, CRITERION_LABELS.get(code, code), weight)
                for code, weight in weights.items()
            ],
            "app": app,
            "logs": app.logs.all(),
            "actions": [
                (name, TRANSITIONS[name].label)
                for name in allowed_actions(request.user, app)
            ],
            "log_kinds": LogKind.choices,
            "events": audit_events_for(app)[:30],
            "errors": errors or {},
            "failed_action": failed_action,
            "today": timezone.localdate().isoformat(),
            "is_applicant": can_view_as_applicant(request.user, app),
        }


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


class ActionView(LoginRequiredMixin, DomainErrorMixin, View):
    """POST one named transition; bad input re-renders the page with the reasons (400)."""

    def post(self, request, pk, action):
        if action not in TRANSITIONS and action != "log":
            raise NotFound()
        app = _get(pk, request.user)
        if action != "log":
            decision = transition_decision(request.user, app, action)
            if not decision and decision.code == "permission_denied":
                raise PermissionDenied(decision.reason)
        p = request.POST
        try:
            if action == "admit":
                scores = {
                    k[len("score_") :]: p.get(k) for k in p if k.startswith("score_")
                }
                services.incubation_admit(
                    actor=request.user,
                    application=app,
                    scores=scores,
                    comment=p.get("comment", ""),
                )
            elif action == "reject":
                services.incubation_reject(
                    actor=request.user, application=app, reason=p.get("reason", "")
                )
            elif action == "move_in":
                services.incubation_move_in(
                    actor=request.user,
                    application=app,
                    agreement_no=p.get("agreement_no", ""),
                    seat=p.get("seat", ""),
                    start_date=_date(p.get("start_date", "")),
                )
            elif action == "start":
                services.incubation_start(actor=request.user, application=app)
            elif action == "extend":
                services.incubation_extend(
                    actor=request.user, application=app, reason=p.get("reason", "")
                )
            elif action == "graduate":
                checklist = {
                    "governance": p.get("governance") == "on",
                    "own_finances": p.get("own_finances") == "on",
                    "fulltime_staff": int(p.get("fulltime_staff") or 0)
                    if (p.get("fulltime_staff") or "0").isdigit()
                    else -1,
                    "flagship_months": int(p.get("flagship_months") or 0)
                    if (p.get("flagship_months") or "0").isdigit()
                    else -1,
                    "score": float(p.get("score"))
                    if (p.get("score") or "").replace(".", "", 1).isdigit()
                    else None,
                }
                services.incubation_graduate(
                    actor=request.user, application=app, checklist=checklist
                )
            elif action == "track":
                services.incubation_track(actor=request.user, application=app)
            elif action == "close":
                services.incubation_close(actor=request.user, application=app)
            elif action == "force_exit":
                services.incubation_force_exit(
                    actor=request.user, application=app, reason=p.get("reason", "")
                )
            else:
                services.incubation_log_add(
                    actor=request.user,
                    application=app,
                    kind=p.get("kind", ""),
                    date=_date(p.get("date", "")) or timezone.localdate(),
                    note=p.get("note", ""),
                )
        except ValidationFailed as exc:
            ctx = ApplicationDetailView.context(
                request,
                app,
                errors={**exc.fields, "__all__": [exc.message]},
                failed_action=action,
            )
            return render(request, "vendors/incubation_detail.html", ctx, status=400)
        except DomainError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(str(exc.message)) from exc
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("已办理：%(action)s。")
                % {
                    "action": TRANSITIONS[action].label
                    if action in TRANSITIONS
                    else _("孵化记录")
                },
            )
        return redirect("vendors:incubation-detail", pk=app.pk)


class ApplyView(LoginRequiredMixin, DomainErrorMixin, View):
    """An officer enters a founding team's application (申请)."""

    def _form(self, request, data=None):
        form = ApplyForm(data)
        form.fields["round"].queryset = IntakeRound.objects.filter(
            centre__in=_centres(request.user)
        ).order_by("-opens_on")
        return form

    def get(self, request):
        if not can_create_vendor(request.user):
            raise PermissionDenied(_("只有区级管理员和街道工作人员可以登记入驻申请。"))
        return render(
            request, "vendors/incubation_apply.html", {"form": self._form(request)}
        )

    def post(self, request):
        if not can_create_vendor(request.user):
            raise PermissionDenied(_("只有区级管理员和街道工作人员可以登记入驻申请。"))
        form = self._form(request, request.POST)
        if form.is_valid():
            members = []
            for line in form.cleaned_data["core_members"].splitlines():
                name, _sep, post = line.replace("，", ",").partition(",")
                if name.strip():
                    members.append({"name": name.strip(), "former_post": post.strip()})
            try:
                app = services.incubation_apply(
                    actor=request.user,
                    round=form.cleaned_data["round"],
                    data={**form.cleaned_data, "core_members": members},
                )
            except ValidationFailed as exc:
                from core.forms import apply_domain_error

                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已登记入驻申请。"))
                return redirect("vendors:incubation-detail", pk=app.pk)
        return render(
            request, "vendors/incubation_apply.html", {"form": form}, status=400
        )
