"""HTML pages of assessments (issue #7, points 1–4): the plans and the raters' list,
a new plan, the plan with its tree, groups and rounds, a round with its cards and
results and the scoring job, a result explained line by line, and the rater's
scorecard with what the contract stage knows beside each indicator.

Reads go through `assessments.selectors` (invisible → 404); writes through
`assessments.services`; a refusal for who the user is is a 403 with the service's
reason, one for the round's state a 409, bad input a 400 with the input kept.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

import assessments.services as asvc
from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation
from contracts.choices import Grade
from contracts.models import MANAGER_ROLES
from core.exceptions import DomainError, NotFound
from core.forms import form_service_call
from core.ids import as_id
from core.views import DomainErrorMixin

from . import selectors
from .choices import RaterKind, RoundStatus
from .explain import grade_label, kind_label, line_level, render_line
from .forms import PlanCreateForm, RoundOpenForm, ScorecardForm
from .models import RoundResult


def _manager_reason() -> str:
    return _("只有购买主体（本街道工作人员或区级管理员）可以办理考核。")


def is_manager_of(user: Any, buyer: Organisation) -> bool:
    return bool(user.is_superuser or user.has_role(*MANAGER_ROLES, at_path=buyer.path))


def service_call(form: Any, call: Any) -> tuple[bool, Any, int]:
    """`core.forms.form_service_call`: a refusal for who the user is is the site's 403."""
    return form_service_call(form, call, as_permission_denied=True)


def _buyers_for(user: Any) -> list[Organisation]:
    """The street offices the user may create plans for: their own street as a
    street officer, every street of their district as its administrator."""
    if user.is_superuser:
        return list(Organisation.objects.filter(kind=OrganisationKind.STREET))
    paths = [m.scope_path for m in user.active_memberships() if m.role in MANAGER_ROLES]
    if not paths:
        return []
    from django.db.models import Q

    q = Q(pk__in=[])
    for p in paths:
        q |= Q(path__startswith=p)
    return list(
        Organisation.objects.filter(q, kind=OrganisationKind.STREET).order_by("path")
    )


# --- the list --------------------------------------------------------------------------------


class PlanListView(LoginRequiredMixin, DomainErrorMixin, View):
    """考核: the plans the user may see and, for raters, the scorecards waiting for
    them (待评分); both paginated, a fixed number of queries for any page."""

    paginate_by = 25

    def get(self, request):
        user = request.user
        plans = selectors.plan_list_for_user(user)
        rater = selectors.is_rater(user)
        readers = user.is_superuser or bool(
            user.roles() & {Role.DISTRICT_ADMIN, Role.STREET_OFFICER, Role.AUDITOR}
        )
        if not (readers or rater):
            raise PermissionDenied(_("只有购买主体工作人员和评价主体可以查看考核。"))
        page = Paginator(plans, self.paginate_by).get_page(request.GET.get("page"))
        to_rate = selectors.rounds_to_rate_for_user(user) if rater else []
        rate_page = Paginator(to_rate, self.paginate_by).get_page(
            request.GET.get("rate_page")
        )
        return render(
            request,
            "assessments/plan_list.html",
            {
                "page_obj": page,
                "rate_page": rate_page,
                "rater": rater,
                "can_create": bool(_buyers_for(user)),
                "group_labels": dict(RaterKind.choices),
            },
        )


# --- a new plan ------------------------------------------------------------------------------


class PlanCreateView(LoginRequiredMixin, DomainErrorMixin, View):
    """新建考核方案: the street officer's plan for contracts of their street."""

    template_name = "assessments/plan_form.html"

    def _buyers(self, request):
        buyers = _buyers_for(request.user)
        if not buyers:
            raise PermissionDenied(_manager_reason())
        return buyers

    def get(self, request):
        form = PlanCreateForm(buyers=self._buyers(request))
        return render(request, self.template_name, {"form": form})

    def post(self, request):
        form = PlanCreateForm(request.POST, buyers=self._buyers(request))
        if not form.is_valid():
            return render(request, self.template_name, {"form": form}, status=400)
        d = form.cleaned_data
        ok, plan, status = service_call(
            form,
            lambda: asvc.plan_create(
                actor=request.user,
                buyer=d["buyer"],
                name=d["name"],
                year=d["year"],
                period_kind=d["period_kind"],
                contracts=list(d["contracts"]),
                template=d["template"],
                missing_rule=d["missing_rule"],
            ),
        )
        if not ok:
            return render(request, self.template_name, {"form": form}, status=status)
        messages.success(request, _("考核方案已建立。"))
        return redirect("assessments:plan-detail", pk=plan.pk)


# --- the plan --------------------------------------------------------------------------------


class PlanDetailView(LoginRequiredMixin, DomainErrorMixin, View):
    """考核方案: the indicator tree with weights, the rater groups with weights and
    quorum, the rounds with their status, and (for the buyer's officer) a form that
    opens a round."""

    def page(self, request, plan, form, status=200):
        can_manage = is_manager_of(request.user, plan.buyer)
        return render(
            request,
            "assessments/plan_detail.html",
            {
                "plan": plan,
                "tree": selectors.indicator_tree(plan),
                "groups": list(plan.groups.all()),
                "rounds": list(plan.rounds.all()),
                "contracts": list(
                    plan.contracts.select_related("vendor__organisation")
                ),
                "form": form if can_manage else None,
                "can_manage": can_manage,
            },
            status=status,
        )

    def get(self, request, pk):
        plan = selectors.plan_get_for_user(pk, request.user)
        return self.page(request, plan, RoundOpenForm())

    def post(self, request, pk):
        plan = selectors.plan_get_for_user(pk, request.user)
        if not is_manager_of(request.user, plan.buyer):
            raise PermissionDenied(_manager_reason())
        form = RoundOpenForm(request.POST)
        if not form.is_valid():
            return self.page(request, plan, form, status=400)
        d = form.cleaned_data
        ok, rnd, status = service_call(
            form,
            lambda: asvc.round_open(
                plan=plan,
                actor=request.user,
                label=d["label"],
                period_start=d["period_start"],
                period_end=d["period_end"],
            ),
        )
        if not ok:
            return self.page(request, plan, form, status=status)
        messages.success(request, _("考核期已开启，评价主体可以评分。"))
        return redirect("assessments:round-detail", pk=rnd.pk)


# --- the round -------------------------------------------------------------------------------


def round_context(request, rnd) -> dict[str, Any]:
    counts = selectors.round_card_counts(rnd)
    groups = list(rnd.plan.groups.all())
    contracts = list(
        rnd.plan.contracts.select_related("vendor__organisation").order_by("code")
    )
    results = list(
        RoundResult.objects.filter(round=rnd)
        .select_related("contract", "vendor__organisation")
        .order_by("-total", "contract__code")
    )
    return {
        "round": rnd,
        "plan": rnd.plan,
        "groups": groups,
        "rows": [
            {
                "contract": c,
                "groups": [
                    (g, counts.get(c.pk, {}).get(g.kind, {"total": 0})) for g in groups
                ],
            }
            for c in contracts
        ],
        "results": results,
        "grade_labels": dict(Grade.choices),
        "job": rnd.job,
        "can_score": is_manager_of(request.user, rnd.plan.buyer)
        and rnd.status != RoundStatus.CLOSED,
    }


class RoundDetailView(LoginRequiredMixin, DomainErrorMixin, View):
    """考核轮次: per contract the cards received per group and community, the
    scoring job, and the results table."""

    def get(self, request, pk):
        rnd = selectors.round_get_for_user(pk, request.user)
        return render(
            request, "assessments/round_detail.html", round_context(request, rnd)
        )


class RoundScoreView(LoginRequiredMixin, DomainErrorMixin, View):
    """计分: queue the scoring of the round as a job (plain POST; the round page
    then polls the job)."""

    def post(self, request, pk):
        rnd = selectors.round_get_for_user(pk, request.user)
        try:
            asvc.round_score_request(round=rnd, actor=request.user)
        except DomainError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(str(exc.message)) from exc
            raise
        messages.success(request, _("已提交计分任务。"))
        return redirect("assessments:round-detail", pk=rnd.pk)


class RoundJobView(LoginRequiredMixin, DomainErrorMixin, View):
    """The round's scoring job status; HTMX polls it until it is done or failed."""

    def get(self, request, pk):
        rnd = selectors.round_get_for_user(pk, request.user)
        return render(
            request,
            "assessments/partials/_round_job.html",
            {"round": rnd, "job": rnd.job},
        )


# --- a result --------------------------------------------------------------------------------


class ResultDetailView(LoginRequiredMixin, DomainErrorMixin, View):
    """考核结果: the score explained line by line from its breakdown."""

    def get(self, request, pk):
        result = selectors.result_get_for_user(pk, request.user)
        b = result.breakdown or {}
        community_ids = {
            as_id(k) for g in b.get("groups", []) for k in (g.get("by_community") or {})
        } | {as_id(k) for k in (b.get("by_community") or {})}
        names = dict(
            Organisation.objects.filter(
                pk__in=[i for i in community_ids if i]
            ).values_list("pk", "name")
        )

        def community(key: str) -> str:
            cid = as_id(key)
            return names.get(cid, key) if cid else key

        names_by_key = {str(pk): name for pk, name in names.items()}

        indicators = {
            i.code: i.name
            for i in result.round.plan.indicators.all().only("code", "name")
        }
        groups = [
            {
                **g,
                "label": kind_label(g.get("kind", "")),
                "communities": [
                    (community(k), v) for k, v in (g.get("by_community") or {}).items()
                ],
                "indicators": [
                    (k, indicators.get(k, ""), v)
                    for k, v in (g.get("by_indicator") or {}).items()
                ],
            }
            for g in b.get("groups", [])
        ]
        return render(
            request,
            "assessments/result_detail.html",
            {
                "result": result,
                "round": result.round,
                "b": b,
                "groups": groups,
                "by_indicator": [
                    (k, indicators.get(k, ""), v)
                    for k, v in (b.get("by_indicator") or {}).items()
                ],
                "by_community": [
                    (community(k), v) for k, v in (b.get("by_community") or {}).items()
                ],
                "missing": [kind_label(m) for m in b.get("missing", [])],
                "grade_label": grade_label(result.grade),
                # Stored as message codes (or, before, as text): worded now, in the
                # reader's language, with the communities' names.
                "explanation": [
                    (render_line(line, names_by_key).strip(), line_level(line))
                    for line in b.get("explanation") or []
                ],
                "card_scores": b.get("card_scores") or {},
            },
        )


# --- the rater's scorecard -------------------------------------------------------------------


class CardCreateView(LoginRequiredMixin, DomainErrorMixin, View):
    """评分表: one contract (and one community for community staff), one input per
    leaf indicator by its scale, with what the contract stage knows beside each."""

    template_name = "assessments/card_form.html"

    def _setup(self, request, pk):
        params = request.GET
        rnd, row = selectors.rate_row_for(
            request.user, pk, params.get("contract"), params.get("community")
        )
        if row is None:
            raise PermissionDenied(_("您不是本合同的评价主体。"))
        contract = row.contract
        community = row.community
        if community is None and params.get("community"):
            cid = as_id(params.get("community"))
            community = next(
                (c for c in selectors.contract_communities(contract) if c.pk == cid),
                None,
            )
            if community is None:
                raise NotFound()
        tree = selectors.indicator_tree(rnd.plan)
        leaves = [r["indicator"] for r in tree if r["leaf"]]
        return rnd, row, contract, community, tree, leaves

    def page(self, request, rnd, row, contract, community, tree, form, status=200):
        known = selectors.contract_context(contract, community)
        by_item = known["by_item"]
        rows = []
        fields = {ind.pk: bound for ind, bound in form.indicator_fields()}
        for r in tree:
            ind = r["indicator"]
            ctx = by_item.get(ind.item_code, {}) if ind.item_code else None
            rows.append({**r, "field": fields.get(ind.pk), "known": ctx})
        return render(
            request,
            self.template_name,
            {
                "round": rnd,
                "plan": rnd.plan,
                "contract": contract,
                "community": community,
                "row": row,
                "group_label": kind_label(row.group),
                "form": form,
                "rows": rows,
                "known": known["all"],
                "counted_extra": known["counted_extra"],
                "open": rnd.status == RoundStatus.OPEN,
            },
            status=status,
        )

    def get(self, request, pk):
        rnd, row, contract, community, tree, leaves = self._setup(request, pk)
        form = ScorecardForm(
            leaves=leaves, paper_allowed=row.group == RaterKind.COMMUNITY
        )
        return self.page(request, rnd, row, contract, community, tree, form)

    def post(self, request, pk):
        rnd, row, contract, community, tree, leaves = self._setup(request, pk)
        form = ScorecardForm(
            request.POST,
            leaves=leaves,
            paper_allowed=row.group == RaterKind.COMMUNITY,
        )
        if not form.is_valid():
            return self.page(
                request, rnd, row, contract, community, tree, form, status=400
            )
        d = form.cleaned_data
        ok, _card, status = service_call(
            form,
            lambda: asvc.scorecard_submit(
                round=rnd,
                actor=request.user,
                contract=contract,
                answers=d["answers"],
                community=community,
                comment=d.get("comment", ""),
                paper=bool(d.get("paper")),
            ),
        )
        if not ok:
            return self.page(
                request, rnd, row, contract, community, tree, form, status=status
            )
        messages.success(
            request,
            _("纸质问卷已录入。") if d.get("paper") else _("评分表已提交。"),
        )
        if d.get("paper"):
            # Typing in a pile of paper forms: come back to an empty form.
            return redirect(request.get_full_path())
        return redirect(reverse("assessments:plan-list"))
