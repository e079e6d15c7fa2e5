"""HTML adapters of the incubation pipeline: the board, centres and their intakes, an
application and its actions. Every write goes through vendors.incubation."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views import View

from accounts.choices import OrganisationKind
from accounts.models import Membership, Organisation, User
from catalogue.rules import RuleParameterMissing, rule_value
from core.events import audit_events_for
from core.exceptions import DomainError, NotFound, ValidationFailed
from core.forms import apply_domain_error
from core.views import DomainErrorMixin

from . import incubation as services
from . import selectors
from .choices import (
    PIPELINE_STEPS,
    SEAT_STATUSES,
    ApplicationStatus,
    LogKind,
    OrgType,
)
from .filtersets import IncubationApplicationFilterSet
from .forms import IncubationApplyForm, IncubationCentreForm, IntakeRoundForm
from .models import (
    REGISTER_EDITORS,
    IncubationApplication,
    IncubationCentre,
    IntakeRound,
    Vendor,
)
from .permissions import (
    can_create_vendor,
    can_manage_centre,
    can_set_up_centre,
    can_view_incubation,
)
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


# Field names a service may name in an error, as the user reads them.
FIELD_LABELS = {
    "reviewer": _l("评审人"),
    "reviews": _l("评审小组评分"),
    "scores": _l("评分"),
    "agreement_no": _l("入驻协议编号"),
    "seat": _l("工位"),
    "start_date": _l("入驻日期"),
    "reason": _l("理由"),
    "governance": _l("治理结构"),
    "own_finances": _l("财务制度"),
    "fulltime_staff": _l("专职人员"),
    "flagship_months": _l("品牌项目持续月数"),
    "score": _l("出壳评估分数"),
    "registration": _l("登记信息"),
    "kind": _l("类型"),
    "date": _l("日期"),
    "note": _l("记录"),
}


def _error_rows(errors: dict) -> list[tuple[str, str]]:
    """(what, why) for the error box: a criterion's label instead of `scores.team`."""
    rows = []
    for field, msgs in errors.items():
        if field.startswith("scores."):
            code = field.split(".", 1)[1]
            label = str(CRITERION_LABELS.get(code, code))
        elif field.startswith("reg_") or field in ("uscc", "name", "org_type"):
            label = str(FIELD_LABELS["registration"])
        else:
            label = "" if field == "__all__" else str(FIELD_LABELS.get(field, field))
        rows.extend((label, str(m)) for m in msgs)
    return rows


def _applications(user):
    return IncubationApplication.objects.visible_to(user, "view").select_related(
        "round__centre__region", "vendor__organisation"
    )


def _get(pk, user) -> IncubationApplication:
    try:
        return _applications(user).get(pk=pk)
    except (IncubationApplication.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def _centre(pk, user) -> IncubationCentre:
    try:
        return (
            IncubationCentre.objects.visible_to(user)
            .select_related("region", "operator__organisation")
            .get(pk=pk)
        )
    except (IncubationCentre.DoesNotExist, ValueError) as exc:
        raise NotFound() from exc


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


class BoardView(LoginRequiredMixin, DomainErrorMixin, View):
    """The pipeline as a board: one column per step, the closed ones below."""

    def get(self, request):
        can_view_incubation(request.user).raise_if_denied()
        filterset = IncubationApplicationFilterSet(
            request.GET or None,
            queryset=_applications(request.user).order_by("created_at", "pk"),
            user=request.user,
        )
        apps = list(filterset.qs)
        columns = [
            (step, ApplicationStatus(step).label, [a for a in apps if a.status == step])
            for step in PIPELINE_STEPS
        ]
        closed = [a for a in apps if a.status not in PIPELINE_STEPS]
        centres = (
            IncubationCentre.objects.visible_to(request.user)
            .select_related("region", "operator__organisation")
            .annotate(
                occupied=Count(
                    "rounds__applications",
                    filter=Q(rounds__applications__status__in=SEAT_STATUSES),
                )
            )
            .order_by("pk")
        )
        return render(
            request,
            "vendors/incubation_board.html",
            {
                "columns": columns,
                "closed": closed,
                "centres": centres,
                "filter": filterset,
                "can_manage": bool(can_set_up_centre(request.user)),
                "can_apply": bool(can_set_up_centre(request.user)),
            },
        )


class CentreDetailView(LoginRequiredMixin, DomainErrorMixin, View):
    """A centre: operator, staff, capacity, its intakes; officers open a new intake."""

    def get(self, request, pk):
        can_view_incubation(request.user).raise_if_denied()
        centre = _centre(pk, request.user)
        return self.page(request, centre, IntakeRoundForm())

    def post(self, request, pk):
        centre = _centre(pk, request.user)
        can_manage_centre(request.user, centre.region).raise_if_denied()
        form = IntakeRoundForm(request.POST)
        if form.is_valid():
            try:
                services.intake_round_create(
                    actor=request.user, centre=centre, **form.cleaned_data
                )
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已开放新的招募批次。"))
                return redirect("vendors:incubation-centre", pk=centre.pk)
        return self.page(request, centre, form, status=400)

    def page(self, request, centre, round_form, status=200):
        rounds = centre.rounds.annotate(n=Count("applications")).order_by("-opens_on")
        return render(
            request,
            "vendors/incubation_centre.html",
            {
                "centre": centre,
                "rounds": rounds,
                "occupied": services.centre_occupied_seats(centre),
                "staff_accounts": centre.staff_accounts.all(),
                "round_form": round_form,
                "can_manage": bool(can_manage_centre(request.user, centre.region)),
                "events": audit_events_for(centre)[:30],
                "today": timezone.localdate(),
            },
            status=status,
        )


class CentreFormView(LoginRequiredMixin, DomainErrorMixin, View):
    """Set up a centre, or change its operator, staff and capacity."""

    def _choices(self, request):
        paths = request.user.district_paths_for(*REGISTER_EDITORS)
        if request.user.is_superuser:
            paths = list(
                Organisation.objects.filter(kind=OrganisationKind.DISTRICT).values_list(
                    "path", flat=True
                )
            )
        q = Q(pk__in=[])
        for path in paths:
            q |= Q(path__startswith=path)
        regions = Organisation.objects.filter(
            q, kind__in=[OrganisationKind.DISTRICT, OrganisationKind.STREET]
        ).order_by("path")
        # Vendors and memberships both hang off an organisation of those districts.
        vq = Q(pk__in=[])
        for path in paths:
            vq |= Q(organisation__path__startswith=path)
        return {
            "regions": regions,
            "vendors": Vendor.objects.filter(vq)
            .select_related("organisation")
            .order_by("organisation__code"),
            # Staff accounts come from the user's own districts only.
            "users": User.objects.filter(
                pk__in=Membership.objects.filter(vq).values("user_id"),
                is_active=True,
            ).order_by("username"),
        }

    def _form(self, request, centre, data=None):
        initial = {}
        if centre is not None:
            initial = services.centre_values(centre)
            initial["staff"] = "\n".join(
                f"{s.get('name', '')}，{s.get('role', '')}" for s in centre.staff
            )
        return IncubationCentreForm(data, initial=initial, **self._choices(request))

    def _centre(self, request, pk):
        if pk is None:
            can_set_up_centre(request.user).raise_if_denied()
            return None
        centre = _centre(pk, request.user)
        can_manage_centre(request.user, centre.region).raise_if_denied()
        return centre

    def get(self, request, pk=None):
        centre = self._centre(request, pk)
        return render(
            request,
            "vendors/incubation_centre_form.html",
            {"form": self._form(request, centre), "centre": centre},
        )

    def post(self, request, pk=None):
        centre = self._centre(request, pk)
        form = self._form(request, centre, request.POST)
        if form.is_valid():
            try:
                centre = services.incubation_centre_save(
                    actor=request.user, centre=centre, data=form.service_data()
                )
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已保存孵化中心。"))
                return redirect("vendors:incubation-centre", pk=centre.pk)
        return render(
            request,
            "vendors/incubation_centre_form.html",
            {"form": form, "centre": centre},
            status=400,
        )


class ApplicationDetailView(LoginRequiredMixin, DomainErrorMixin, View):
    def get(self, request, pk):
        app = _get(pk, request.user)
        return render(
            request, "vendors/incubation_detail.html", self.context(request, app)
        )

    @staticmethod
    def context(request, app, errors=None, failed_action="", posted=None):
        try:
            weights = rule_value(
                "incubation.admission.criteria",
                app.round.centre.region,
                timezone.localdate(),
            )
        except RuleParameterMissing:
            weights = {}
        reviews = list(app.reviews.all())
        mean = services.panel_mean(reviews)
        actions = allowed_actions(request.user, app)
        is_applicant = can_view_as_applicant(request.user, app)
        posted = posted or {}
        return {
            "criteria": [
                (
                    code,
                    CRITERION_LABELS.get(code, code),
                    weight,
                    posted.get(f"score_{code}", ""),
                )
                for code, weight in weights.items()
            ],
            "app": app,
            "logs": app.logs.all(),
            "reviews": reviews,
            "review_mean": mean,
            "actions": [(name, TRANSITIONS[name].label) for name in actions],
            "can_log": bool(
                services.can_manage_incubation(request.user, app)
                and app.status in services.LOG_STATUSES
            ),
            "reviews_as_officer": bool(
                services.can_manage_incubation(request.user, app)
            ),
            "log_kinds": LogKind.choices,
            "org_types": OrgType.choices,
            # An applicant sees the decisions, not the panel's individual sheets.
            "show_sheets": not is_applicant,
            "events": [] if is_applicant else audit_events_for(app)[:30],
            "errors": _error_rows(errors or {}),
            "failed_action": failed_action,
            "posted": posted,
            "today": timezone.localdate().isoformat(),
            "is_applicant": is_applicant,
        }


def _number(value: str | None) -> int:
    """A whole number from a form field; anything else is -1 (refused by the rules)."""
    value = (value or "0").strip()
    return int(value) if value.isdigit() else -1


def _score(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


class ActionView(LoginRequiredMixin, DomainErrorMixin, View):
    """POST one named transition (or a log); bad input re-renders the page with the
    reasons (400)."""

    def get(self, request, pk, action):
        # A reload of a page re-rendered after a refused POST lands here.
        return redirect("vendors:incubation-detail", pk=_get(pk, request.user).pk)

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
            self.run(request, app, action, p)
        except ValidationFailed as exc:
            ctx = ApplicationDetailView.context(
                request,
                app,
                errors={**exc.fields, "__all__": [exc.message]},
                failed_action=action,
                posted=p,
            )
            return render(request, "vendors/incubation_detail.html", ctx, status=400)
        except DomainError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(str(exc.message)) from exc
            messages.error(request, str(exc.message))
        else:
            label = (
                TRANSITIONS[action].label if action in TRANSITIONS else _("孵化记录")
            )
            messages.success(request, _("已办理：%(action)s。") % {"action": label})
        return redirect("vendors:incubation-detail", pk=app.pk)

    @staticmethod
    def run(request, app, action, p) -> None:
        actor = request.user
        if action == "review":
            services.incubation_review_record(
                actor=actor,
                application=app,
                reviewer=p.get("reviewer", ""),
                scores={
                    k[len("score_") :]: _score(p.get(k))
                    for k in p
                    if k.startswith("score_")
                },
                comment=p.get("comment", ""),
            )
        elif action == "admit":
            services.incubation_admit(
                actor=actor, application=app, comment=p.get("comment", "")
            )
        elif action == "reject":
            services.incubation_reject(
                actor=actor, application=app, reason=p.get("reason", "")
            )
        elif action == "move_in":
            services.incubation_move_in(
                actor=actor,
                application=app,
                agreement_no=p.get("agreement_no", ""),
                seat=p.get("seat", ""),
                start_date=_date(p.get("start_date", "")),
            )
        elif action == "start":
            services.incubation_start(actor=actor, application=app)
        elif action == "extend":
            services.incubation_extend(
                actor=actor, application=app, reason=p.get("reason", "")
            )
        elif action == "graduate":
            services.incubation_graduate(
                actor=actor,
                application=app,
                checklist={
                    "governance": p.get("governance") == "on",
                    "own_finances": p.get("own_finances") == "on",
                    "fulltime_staff": _number(p.get("fulltime_staff")),
                    "flagship_months": _number(p.get("flagship_months")),
                    "score": _score(p.get("score")),
                },
                registration={
                    k[len("reg_") :]: v
                    for k, v in p.items()
                    if k.startswith("reg_") and v.strip()
                }
                or None,
            )
        elif action == "track":
            services.incubation_track(actor=actor, application=app)
        elif action == "close":
            services.incubation_close(actor=actor, application=app)
        elif action == "force_exit":
            services.incubation_force_exit(
                actor=actor, application=app, reason=p.get("reason", "")
            )
        else:
            services.incubation_log_add(
                actor=actor,
                application=app,
                kind=p.get("kind", ""),
                date=_date(p.get("date", "")),
                note=p.get("note", ""),
            )


class ApplyView(LoginRequiredMixin, DomainErrorMixin, View):
    """申请. An officer enters a team's or an organisation's application; a vendor's
    staff apply for their own organisation to an open intake of their district."""

    def _applicant(self, request) -> Vendor | None:
        """The vendor a vendor's staff apply for; None for officers."""
        if can_create_vendor(request.user):
            return None
        vendor = selectors.vendor_for_staff(request.user)
        if vendor is None:
            raise PermissionDenied(_("只有工作人员或承接组织的人员可以提交入驻申请。"))
        return vendor

    def _form(self, request, vendor, data=None):
        rounds = IntakeRound.objects.filter(
            centre__in=IncubationCentre.objects.visible_to(request.user)
        ).select_related("centre")
        if vendor is not None:
            today = timezone.localdate()
            rounds = rounds.filter(opens_on__lte=today, closes_on__gte=today)
            vendors = None
        else:
            vendors = selectors.vendor_list_for_user(request.user).order_by(
                "organisation__code"
            )
        return IncubationApplyForm(
            data,
            rounds=rounds.order_by("-opens_on"),
            vendors=vendors,
            initial={"round": request.GET.get("round")},
        )

    def get(self, request):
        vendor = self._applicant(request)
        return render(
            request,
            "vendors/incubation_apply.html",
            {"form": self._form(request, vendor), "vendor": vendor},
        )

    def post(self, request):
        vendor = self._applicant(request)
        form = self._form(request, vendor, request.POST)
        if form.is_valid():
            data = form.service_data()
            if vendor is not None:
                data["vendor"] = vendor
            try:
                app = services.incubation_apply(
                    actor=request.user, round=data["round"], data=data
                )
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("已提交入驻申请。"))
                return redirect("vendors:incubation-detail", pk=app.pk)
        return render(
            request,
            "vendors/incubation_apply.html",
            {"form": form, "vendor": vendor},
            status=400,
        )
