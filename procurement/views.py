"""HTML pages of procurement for the buyer's staff: the project list, the create and
edit form, the project page, tender documents and the procedure's action pages.

Every read goes through `selectors` (invisible → 404) and every write through
`services`; bids are shown only as far as `selectors.bid_content_visible` allows.
The vendor portal lives in `views_bids`, the committee's screens in
`views_committee`, the public notices in `views_notices`.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.choices import OrganisationKind, Role
from accounts.models import Membership, Organisation
from core.events import audit_events_for
from core.ids import as_id
from core.views import DomainErrorMixin

from . import planning, selectors, services
from .choices import (
    AwardStatus,
    BidStatus,
    ChallengeStatus,
    LotStatus,
    MemberStatus,
    ProjectStatus,
)
from .filtersets import ProcurementProjectFilterSet
from .forms import (
    MAX_LOTS,
    AnnounceForm,
    ChallengeAnswerForm,
    CloseQualificationForm,
    CommitteeForm,
    CorrectionForm,
    DocumentForm,
    EmptyForm,
    ProjectForm,
    QualifyForm,
    ReplaceMemberForm,
    ReturnSheetsForm,
    TerminateForm,
    form_service_call,
    lot_count_of,
    project_initial,
)
from .methods import committee_rules, profile
from .models import BUYER_ROLES, Award, BidLot, Challenge, ProcurementProject
from .permissions import (
    can_create_project,
    can_manage_project,
    can_view_procurement,
    committee_seat,
)
from .workflows import TRANSITIONS, allowed_actions, transition_decision

# Actions run from a button on the project page (nothing to fill in).
BUTTON_ACTIONS = (
    "publish_intention",
    "generate_document",
    "open",
    "award",
    "finalise",
    "restart",
)
# Actions with their own page and form.
PAGE_ACTIONS = (
    "announce",
    "correct",
    "draw_committee",
    "close_qualification",
    "return_sheets",
    "terminate",
)
REPRESENTATIVE_ROLES = (Role.STREET_OFFICER, Role.DISTRICT_ADMIN, Role.DEPARTMENT_STAFF)


def _project(request: Any, pk: Any) -> ProcurementProject:
    return selectors.project_get_for_user(pk, request.user)


def _deny(decision: Any) -> None:
    """A refusal for who the user is is a 403; one for the project's state, a 409."""
    if not decision:
        if decision.code == "permission_denied":
            raise PermissionDenied(decision.reason)
        decision.raise_if_denied()


class ProjectErrorMixin(DomainErrorMixin):
    """DomainErrorMixin for a project's pages: when the browser sent no referer, the
    error page's way back is the project (its `pk`), not the home page."""

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().dispatch(request, *args, **kwargs)
        context = getattr(response, "context_data", None)
        if (
            response.status_code >= 400
            and context is not None
            and "error" in context
            and not context.get("back")
            and kwargs.get("pk") is not None
        ):
            context["back"] = reverse("procurement:project-detail", args=[kwargs["pk"]])
        return response


def result_rows(rows: list[dict], criteria: list[dict]) -> list[dict]:
    """A lot's evaluation rows with each criterion's points in the criteria's order
    (`criteria_list`, "—" where a row has none), for the results tables."""
    return [
        {
            **r,
            "criteria_list": [
                r.get("criteria", {}).get(c["code"], "—") for c in criteria
            ],
        }
        for r in rows
    ]


# --- the list --------------------------------------------------------------------------


class ProjectListView(LoginRequiredMixin, DomainErrorMixin, View):
    """采购项目: the projects the user may see, filtered and paginated."""

    paginate_by = 25

    def get(self, request):
        _deny(can_view_procurement(request.user))
        filterset = ProcurementProjectFilterSet(
            request.GET or None,
            queryset=selectors.project_list_for_user(request.user),
            user=request.user,
        )
        # Meta.ordering does not apply to the aggregated list query: order here.
        rows = filterset.qs.order_by("-created_at", "-pk")
        page = Paginator(rows, self.paginate_by).get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {
            "filterset": filterset,
            "page_obj": page,
            "query": query.urlencode(),
            "can_create": bool(can_create_project(request.user)),
            "is_vendor": request.user.has_role(Role.VENDOR_STAFF),
        }
        template = (
            "procurement/partials/_project_table.html"
            if request.htmx and request.htmx.target == "project-results"
            else "procurement/project_list.html"
        )
        return render(request, template, context)


# --- create and edit -------------------------------------------------------------------


def _buyers(user: Any) -> list[Organisation]:
    """The street offices the user may buy for."""
    streets = Organisation.objects.filter(
        kind=OrganisationKind.STREET, is_active=True
    ).select_related("parent")
    if not user.is_superuser:
        q = Q(pk__in=[])
        for m in user.active_memberships():
            if m.role in BUYER_ROLES:
                q |= Q(path__startswith=m.scope_path)
        streets = streets.filter(q)
    return list(streets.order_by("code"))


def _officers(project_or_buyer: Any) -> list[Any]:
    """The buyer's staff who may sit on its committee as representatives."""
    buyer = getattr(project_or_buyer, "buyer", project_or_buyer)
    rows = (
        Membership.objects.filter(
            role__in=REPRESENTATIVE_ROLES,
            organisation__is_active=True,
            user__is_active=True,
        )
        .select_related("user", "organisation__parent")
        .order_by("user__username")
    )
    seen: dict[int, Any] = {}
    for m in rows:
        if buyer.path.startswith(m.scope_path) and m.user_id not in seen:
            seen[m.user_id] = m.user
    return list(seen.values())


def _year(raw: Any, default: int) -> int:
    try:
        year = int(str(raw).strip())
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


class ProjectFormView(LoginRequiredMixin, ProjectErrorMixin, View):
    """立项 (new) or the edit of a draft, with its lots (包), items from the published
    catalogue. 「增加一个包」 and 「删除第N包」 post the form as typed and show it
    again with one lot more or less; nothing is saved until 「立项」/「保存修改」."""

    template_name = "procurement/project_form.html"

    def _setup(self, request, pk):
        if pk is None:
            _deny(can_create_project(request.user))
            buyers = _buyers(request.user)
            if not buyers:
                raise PermissionDenied(_("您没有可以立项采购的街道。"))
            return None, buyers
        project = _project(request, pk)
        _deny(transition_decision(request.user, project, "update"))
        return project, [project.buyer]

    def _form(self, request, project, buyers, data=None, initial=None):
        source = data if data is not None else (initial or {})
        buyer = next(
            (b for b in buyers if str(b.pk) == str(source.get("buyer"))), buyers[0]
        )
        year = _year(source.get("fiscal_year"), timezone.localdate().year)
        version = services.published_catalogue(buyer.parent, year)
        items = (
            list(
                version.items.select_related("domain").order_by("domain__code", "code")
            )
            if version is not None
            else []
        )
        communities = list(
            Organisation.objects.filter(
                parent__in=buyers, kind=OrganisationKind.COMMUNITY, is_active=True
            )
            .select_related("parent")
            .order_by("parent__code", "code")
        )
        form = ProjectForm(
            data,
            initial=initial,
            buyers=buyers,
            communities=communities,
            items=items,
            fixed_buyer=project is not None,
        )
        return form, buyer, version

    def get(self, request, pk=None):
        project, buyers = self._setup(request, pk)
        if project is None:
            initial = {
                "buyer": str(buyers[0].pk),
                "fiscal_year": timezone.localdate().year,
                "lots": lot_count_of(request.GET),
            }
        else:
            initial = project_initial(services.project_data(project), project.buyer)
        form, buyer, version = self._form(request, project, buyers, initial=initial)
        return self.page(request, project, form, buyer, version, initial)

    def post(self, request, pk=None):
        project, buyers = self._setup(request, pk)
        form, buyer, version = self._form(request, project, buyers, data=request.POST)
        reshape = _lot_change(request.POST, form.lot_count)
        if reshape is not None:
            # 增加/删除一个包: the same page again, as typed, nothing checked or saved.
            initial = form.reshaped(**reshape)
            form, buyer, version = self._form(request, project, buyers, initial=initial)
            return self.page(request, project, form, buyer, version, initial)
        status = 400
        if form.is_valid():
            ok, saved, status = form_service_call(
                form,
                lambda: self._save(request, project, buyer, form),
                as_permission_denied=True,
            )
            if ok:
                return redirect(saved.get_absolute_url())
        return self.page(
            request, project, form, buyer, version, request.POST, status=status
        )

    @staticmethod
    def _save(request, project, buyer, form):
        if project is None:
            project = services.project_create(
                actor=request.user, buyer=buyer, data=form.service_data()
            )
            messages.success(request, _("已立项：%(code)s。") % {"code": project.code})
            return project
        project = services.project_update(
            actor=request.user, project=project, data=form.service_data()
        )
        messages.success(request, _("已保存修改。"))
        return project

    def page(self, request, project, form, buyer, version, source, status=200):
        return render(
            request,
            self.template_name,
            {
                "form": form,
                "project": project,
                "version": version,
                "preview": _method_preview(buyer, _budget_total(source)),
                "lot_blocks": form.lot_blocks(),
                "can_add_lot": form.lot_count < MAX_LOTS,
                "main_fields": [
                    f for f in form if not form.is_lot_field(f.name) and not f.is_hidden
                ],
            },
            status=status,
        )


def _lot_change(post: Any, count: int) -> dict[str, Any] | None:
    """The lot button pressed, if any: `remove_lot=<n>` or `add_lot`."""
    number = as_id(post.get("remove_lot"))
    if number is not None and number <= count and count > 1:
        return {"remove": number}
    if "remove_lot" in post:
        return {}
    if "add_lot" in post:
        return {"add": True}
    return None


def _budget_total(source: Any) -> Decimal | None:
    """The sum of the lots' budgets as typed (`lot-<n>-budget`, or `lot_budget`),
    the figure the method is chosen by; amounts that are not numbers are left out."""
    total = Decimal(0)
    for key in source or ():
        if key != "lot_budget" and not (
            key.startswith("lot-") and key.endswith("-budget")
        ):
            continue
        try:
            budget = Decimal(str(source.get(key) or "").replace(",", "").strip())
        except InvalidOperation:
            continue
        if budget.is_finite() and 0 < budget < Decimal("1e12"):
            total += budget
    return total or None


def _method_preview(buyer: Any, raw_budget: Any) -> dict[str, Any] | None:
    """The methods a budget allows at the buyer's district today, with the reasons."""
    try:
        budget = Decimal(str(raw_budget or "").replace(",", "").strip())
    except InvalidOperation:
        return None
    if not budget.is_finite() or budget <= 0 or budget >= Decimal("1e12"):
        return None
    choice = planning.method_choice(buyer.parent, timezone.localdate(), budget)
    return {
        "recommended": choice.recommended,
        "recommended_label": profile(choice.recommended).label,
        "allowed": [profile(m).label for m in choice.allowed],
        "reasons": [str(r) for r in choice.reasons],
        "warnings": [str(w) for w in choice.warnings],
    }


class MethodPreviewView(LoginRequiredMixin, DomainErrorMixin, View):
    """HTMX partial of the create form: the method the budget calls for, and why."""

    def get(self, request):
        _deny(can_create_project(request.user))
        buyers = _buyers(request.user)
        buyer = next(
            (b for b in buyers if str(b.pk) == request.GET.get("buyer")),
            buyers[0] if buyers else None,
        )
        if buyer is None:
            raise PermissionDenied(_("您没有可以立项采购的街道。"))
        return render(
            request,
            "procurement/partials/_method_preview.html",
            {"preview": _method_preview(buyer, _budget_total(request.GET))},
        )


# --- the project page ------------------------------------------------------------------


def _lots(project: ProcurementProject) -> list[Any]:
    return list(project.lots.for_project().order_by("number"))


def detail_context(request: Any, project: ProcurementProject, **extra: Any) -> dict:
    """Everything the project page shows, each part only to who may see it."""
    from .views_bids import vendor_panel
    from .views_invitations import invitations_context

    user = request.user
    lots = _lots(project)
    reader = bool(user.is_superuser or selectors.is_buyer_reader(user, project))
    manage = bool(can_manage_project(user, project))
    seat = committee_seat(user, project)
    visible = selectors.bid_content_visible(project)
    actions = allowed_actions(user, project)

    bids = selectors.bids_for(user, project)
    by_bid: dict[int, list[BidLot]] = defaultdict(list)
    if visible and bids:
        for bl in (
            BidLot.objects.filter(bid__in=[b.pk for b in bids])
            .select_related("lot")
            .order_by("lot__number")
        ):
            by_bid[bl.bid_id].append(bl)
    files_by_bid: dict[int, list[Any]] = defaultdict(list)
    if visible and bids:
        for f in selectors.opened_files([b.pk for b in bids]):
            files_by_bid[f.bid_id].append(f)
    bid_rows = [
        {"bid": b, "lots": by_bid.get(b.pk, []), "files": files_by_bid.get(b.pk, [])}
        for b in bids
    ]

    awards = list(
        Award.objects.filter(lot__project=project)
        .exclude(status=AwardStatus.CANCELLED)
        .select_related("lot", "bid__vendor__organisation")
        .order_by("lot__number")
    )
    steps = planning.timeline(project, awards)
    documents = list(project.documents.select_related("job").order_by("-version"))
    if not reader:
        documents = [d for d in documents if d.job.status == "done" and d.job.file]

    members = list(project.committee.all())
    vendor_ctx = vendor_panel(request, project, **extra)
    own_vendor = vendor_ctx.get("vendor")

    # Results: the buyer's staff and the committee see every row once computed; a
    # bidder sees its own row after the award (TL-12).
    show_all_results = reader or seat is not None
    own_bid_ids = {b.pk for b in bids} if own_vendor is not None else set()
    results = []
    criteria = project.criteria or []
    for lot in lots:
        rows = (lot.evaluation or {}).get("rows") or []
        if not show_all_results:
            if project.status not in (ProjectStatus.AWARDED, ProjectStatus.FINAL):
                rows = []
            rows = [r for r in rows if r["bid"] in own_bid_ids]
        if rows:
            results.append(
                {
                    "lot": lot,
                    "rows": result_rows(rows, criteria),
                    "disagreements": (lot.evaluation or {}).get("disagreements") or [],
                }
            )

    challenges = list(
        Challenge.objects.filter(project=project)
        .select_related("vendor__organisation")
        .order_by("filed_at")
    )
    if not reader:
        challenges = [
            c
            for c in challenges
            if own_vendor is not None and c.vendor_id == own_vendor.pk
        ]

    return {
        "project": project,
        "lots": lots,
        "reader": reader,
        "manage": manage,
        "seat": seat,
        "content_visible": visible,
        "bid_rows": bid_rows,
        "show_bids": reader or seat is not None or own_vendor is not None,
        "awards": awards,
        "steps": steps,
        "next_step": planning.next_step(steps),
        "notices": list(project.notices.order_by("-published_on", "-pk")),
        "documents": documents,
        "members": members,
        "active_members": [m for m in members if m.status == MemberStatus.ACTIVE],
        "names_visible": selectors.committee_names_visible(user, project),
        "committee_problems": services.committee_problems(project)
        if manage and members
        else [],
        "results": results,
        "criteria": criteria,
        "challenges": challenges,
        "events": list(audit_events_for(project)[:200]) if reader else [],
        "button_actions": [
            (name, TRANSITIONS[name].label)
            for name in actions
            if name in BUTTON_ACTIONS
        ],
        "page_actions": [
            (name, TRANSITIONS[name].label) for name in actions if name in PAGE_ACTIONS
        ],
        "can_update": "update" in actions,
        "can_qualify": "qualify" in actions,
        "can_replace": "replace_member" in actions,
        "can_answer": "answer_challenge" in actions,
        "can_score": "score" in actions,
        "can_sign": "sign_report" in actions
        and seat is not None
        and seat.signed_at is None,
        "open_lots": [lot for lot in lots if lot.status == LotStatus.OPEN],
        "sealed_statuses": (
            BidStatus.SUBMITTED,
            BidStatus.WITHDRAWN,
            BidStatus.REPLACED,
        ),
        "challenge_open": ChallengeStatus.OPEN,
        **vendor_ctx,
        **invitations_context(
            request, project, reader=reader, bids=bids, vendor=own_vendor, **extra
        ),
    }


class ProjectDetailView(LoginRequiredMixin, ProjectErrorMixin, View):
    def get(self, request, pk):
        project = _project(request, pk)
        return render(
            request,
            "procurement/project_detail.html",
            detail_context(request, project),
        )


# --- tender documents ------------------------------------------------------------------


def _document(request, pk, version):
    project = _project(request, pk)
    doc = (
        project.documents.select_related("job").filter(version=version).first()
        if str(version).isdigit()
        else None
    )
    if doc is None:
        raise Http404
    reader = request.user.is_superuser or selectors.is_buyer_reader(
        request.user, project
    )
    if not reader and doc.job.status != "done":
        raise Http404
    return project, doc


class DocumentStatusView(LoginRequiredMixin, ProjectErrorMixin, View):
    """The version's job status; HTMX polls it until the PDF is done or failed."""

    def get(self, request, pk, version):
        project, doc = _document(request, pk, version)
        return render(
            request,
            "procurement/partials/_document_status.html",
            {"project": project, "doc": doc, "job": doc.job},
        )


class DocumentDownloadView(LoginRequiredMixin, ProjectErrorMixin, View):
    """The PDF of a finished version, for whoever may see the project (vendors once
    the project is announced)."""

    def get(self, request, pk, version):
        project, doc = _document(request, pk, version)
        if doc.job.status != "done" or not doc.job.file:
            raise Http404
        return FileResponse(
            doc.job.file.open("rb"),
            as_attachment=True,
            filename=f"{project.code}-v{doc.version}.pdf",
            content_type="application/pdf",
        )


# --- the procedure's action pages ------------------------------------------------------


def _committee_rules(project: ProcurementProject) -> dict[str, Any]:
    """The committee's composition rules for the project's total budget, today."""
    budget = sum((lot.budget for lot in project.lots.all()), Decimal(0))
    return committee_rules(
        project.method, project.district, timezone.localdate(), budget
    )


def _action_form(action: str, project: ProcurementProject, data: Any = None) -> Any:
    if action == "generate_document":
        return DocumentForm(data)
    if action == "announce":
        return AnnounceForm(data)
    if action == "correct":
        return CorrectionForm(data)
    if action == "draw_committee":
        initial = {"experts": max(1, int(_committee_rules(project)["min_size"]) - 1)}
        return CommitteeForm(data, initial=initial, officers=_officers(project))
    if action == "close_qualification":
        return CloseQualificationForm(data)
    if action == "return_sheets":
        return ReturnSheetsForm(
            data,
            cases=services.SC11_CASES,
            members=selectors.active_members(project),
        )
    if action == "terminate":
        return TerminateForm(data)
    return EmptyForm(data)


def _run_action(
    request: Any, action: str, project: ProcurementProject, form: Any
) -> tuple[str, str]:
    """Call the service; return the message and where to go."""
    user, d = request.user, form.cleaned_data
    url = project.get_absolute_url()
    label = TRANSITIONS[action].label
    if action == "publish_intention":
        services.project_publish_intention(actor=user, project=project)
    elif action == "generate_document":
        doc = services.tender_document_generate(
            actor=user, project=project, note=d.get("note", "")
        )
        return _("已开始生成第 %(v)s 版采购文件。") % {
            "v": doc.version
        }, url + "#documents"
    elif action == "announce":
        services.project_announce(
            actor=user,
            project=project,
            bid_deadline=d["bid_deadline"],
            documents_from=d.get("documents_from"),
            documents_until=d.get("documents_until"),
            urgent_reason=d.get("urgent_reason", ""),
        )
    elif action == "correct":
        services.project_correct(
            actor=user, project=project, body=d["body"], affects_bids=d["affects_bids"]
        )
    elif action == "draw_committee":
        services.committee_draw(
            actor=user,
            project=project,
            experts=d["experts"],
            buyer_representatives=form.representatives(),
        )
        url += "#committee"
    elif action == "open":
        services.project_open(actor=user, project=project)
        url += "#bids"
    elif action == "close_qualification":
        services.project_close_qualification(
            actor=user,
            project=project,
            continue_with_fewer=d["continue_with_fewer"],
            approval=d["approval"],
        )
    elif action == "return_sheets":
        services.sheets_return(
            actor=user,
            project=project,
            members=form.chosen(),
            case=d["case"],
            note=d.get("note", ""),
        )
    elif action == "award":
        services.project_award(actor=user, project=project)
    elif action == "finalise":
        services.award_finalise(actor=user, project=project)
    elif action == "terminate":
        services.project_terminate(actor=user, project=project, reason=d["reason"])
    elif action == "restart":
        new = services.project_restart(actor=user, project=project)
        return _("已重新立项：%(code)s。") % {"code": new.code}, new.get_absolute_url()
    return _("已完成：%(action)s。") % {"action": label}, url


class ProjectActionView(LoginRequiredMixin, ProjectErrorMixin, View):
    """One named transition: GET shows its form, POST runs it. Refused input is shown
    on the form with the reason (400, or 409 for the project's state)."""

    template_name = "procurement/project_action.html"

    def _setup(self, request, pk, action):
        if action not in BUTTON_ACTIONS + PAGE_ACTIONS:
            raise Http404
        project = _project(request, pk)
        _deny(transition_decision(request.user, project, action))
        return project

    def get(self, request, pk, action):
        project = self._setup(request, pk, action)
        return self.page(request, project, action, _action_form(action, project))

    def post(self, request, pk, action):
        project = self._setup(request, pk, action)
        form = _action_form(action, project, request.POST)
        status = 400
        if form.is_valid():
            ok, done, status = form_service_call(
                form,
                lambda: _run_action(request, action, project, form),
                as_permission_denied=True,
            )
            if ok:
                message, url = done
                messages.success(request, message)
                return redirect(url)
        return self.page(request, project, action, form, status=status)

    def page(self, request, project, action, form, status=200):
        context = {
            "project": project,
            "action": action,
            "label": TRANSITIONS[action].label,
            "form": form,
        }
        if action == "announce":
            today = timezone.localdate()
            context["minimum"] = planning.minimum_dates(
                project.method, project.district, today
            )
            context["document"] = (
                project.documents.filter(job__status="done")
                .order_by("-version")
                .first()
            )
        if action == "draw_committee":
            context["rules"] = _committee_rules(project)
            context["committee_name"] = profile(project.method).committee_name
            context["pool_size"] = len(services.expert_pool(project))
        return render(request, self.template_name, context, status=status)


def _object_page(request, project, template, context, status=200):
    return render(request, template, {"project": project, **context}, status=status)


class BidQualifyView(LoginRequiredMixin, ProjectErrorMixin, View):
    """资格审查 of one opened bid: the project's own conditions, judged one by one; the
    eligibility, bond, declaration and CR-07 checks run in the service."""

    template_name = "procurement/bid_qualify.html"

    def _setup(self, request, pk, bid_pk):
        project = _project(request, pk)
        _deny(transition_decision(request.user, project, "qualify"))
        bid = (
            project.bids.select_related("vendor__organisation")
            .filter(pk=bid_pk)
            .first()
            if str(bid_pk).isdigit()
            else None
        )
        if bid is None or bid.status not in (
            BidStatus.OPENED,
            BidStatus.QUALIFIED,
            BidStatus.DISQUALIFIED,
        ):
            raise Http404
        return project, bid

    def _form(self, project, bid, data=None):
        initial = {}
        for n, c in enumerate((bid.qualification or {}).get("conditions", []), start=1):
            initial[f"met_{n}"] = "yes" if c.get("met") else "no"
            initial[f"note_{n}"] = c.get("note", "")
        return QualifyForm(
            data, initial=initial, conditions=list(project.qualification_conditions)
        )

    def get(self, request, pk, bid_pk):
        project, bid = self._setup(request, pk, bid_pk)
        return self.page(request, project, bid, self._form(project, bid))

    def post(self, request, pk, bid_pk):
        project, bid = self._setup(request, pk, bid_pk)
        form = self._form(project, bid, request.POST)
        status = 400
        if form.is_valid():
            ok, qualified, status = form_service_call(
                form,
                lambda: services.bid_qualify(
                    actor=request.user, bid=bid, conditions=form.service_conditions()
                ),
            )
            if ok:
                messages.success(
                    request,
                    _("%(v)s：%(r)s")
                    % {
                        "v": qualified.vendor.organisation.name,
                        "r": qualified.get_status_display(),
                    },
                )
                return redirect(project.get_absolute_url() + "#bids")
        return self.page(request, project, bid, form, status=status)

    def page(self, request, project, bid, form, status=200):
        return _object_page(
            request,
            project,
            self.template_name,
            {
                "bid": bid,
                "form": form,
                "prices": list(bid.lots.select_related("lot").order_by("lot__number")),
            },
            status,
        )


class MemberReplaceView(LoginRequiredMixin, ProjectErrorMixin, View):
    """Replace a member who must recuse: an expert by a new draw, a representative by
    another of the buyer's staff."""

    template_name = "procurement/member_replace.html"

    def _setup(self, request, pk, member_pk):
        project = _project(request, pk)
        _deny(transition_decision(request.user, project, "replace_member"))
        member = next(
            (m for m in project.committee.all() if str(m.pk) == str(member_pk)), None
        )
        if member is None or member.status != MemberStatus.ACTIVE:
            raise Http404
        return project, member

    def get(self, request, pk, member_pk):
        project, member = self._setup(request, pk, member_pk)
        form = ReplaceMemberForm(officers=_officers(project))
        return self.page(request, project, member, form)

    def post(self, request, pk, member_pk):
        project, member = self._setup(request, pk, member_pk)
        form = ReplaceMemberForm(request.POST, officers=_officers(project))
        status = 400
        if form.is_valid():
            ok, _result, status = form_service_call(
                form,
                lambda: services.member_replace(
                    actor=request.user, member=member, replacement=form.user()
                ),
            )
            if ok:
                messages.success(request, _("已替换评审小组成员。"))
                return redirect(project.get_absolute_url() + "#committee")
        return self.page(request, project, member, form, status=status)

    def page(self, request, project, member, form, status=200):
        return _object_page(
            request,
            project,
            self.template_name,
            {"member": member, "form": form},
            status,
        )


class ChallengeAnswerView(LoginRequiredMixin, ProjectErrorMixin, View):
    """答复质疑 (TL-18)."""

    template_name = "procurement/challenge_answer.html"

    def _setup(self, request, pk, challenge_pk):
        project = _project(request, pk)
        _deny(transition_decision(request.user, project, "answer_challenge"))
        challenge = (
            project.challenges.select_related("vendor__organisation")
            .filter(pk=challenge_pk)
            .first()
            if str(challenge_pk).isdigit()
            else None
        )
        if challenge is None:
            raise Http404
        return project, challenge

    def get(self, request, pk, challenge_pk):
        project, challenge = self._setup(request, pk, challenge_pk)
        return self.page(request, project, challenge, ChallengeAnswerForm())

    def post(self, request, pk, challenge_pk):
        project, challenge = self._setup(request, pk, challenge_pk)
        form = ChallengeAnswerForm(request.POST)
        status = 400
        if form.is_valid():
            ok, _result, status = form_service_call(
                form,
                lambda: services.challenge_answer(
                    actor=request.user,
                    challenge=challenge,
                    reply=form.cleaned_data["reply"],
                    upheld=form.cleaned_data["upheld"],
                ),
            )
            if ok:
                messages.success(request, _("已答复质疑。"))
                return redirect(project.get_absolute_url() + "#challenges")
        return self.page(request, project, challenge, form, status=status)

    def page(self, request, project, challenge, form, status=200):
        return _object_page(
            request,
            project,
            self.template_name,
            {"challenge": challenge, "form": form},
            status,
        )


__all__ = [
    "BidQualifyView",
    "ChallengeAnswerView",
    "DocumentDownloadView",
    "DocumentStatusView",
    "MemberReplaceView",
    "MethodPreviewView",
    "ProjectActionView",
    "ProjectDetailView",
    "ProjectFormView",
    "ProjectListView",
    "detail_context",
]
