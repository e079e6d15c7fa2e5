"""HTML pages of the admission list (准入名单, issue #7 points 6–7).

- `/admission-list/`: the lists the user may read (everyone: those in publicity or
  published, no login needed); a district administrator drafts a year's list.
- `/admission-list/<pk>/`: the entries with their grades and standings, the
  publicity and appeal dates, the list's actions (publicise, publish) and the
  statement that the list gates only 比选 invitations (PM-12); `.xlsx` export.
- `/admission-list/entries/<pk>/`: one organisation's entry: grades, basis,
  objections and appeals, and the forms for who may act on it now (adjust the
  proposal, object or appeal, decide, handle an elimination: the re-tender).

Writes go through `assessments.admission`; a refusal for who the user is is a 403,
one for the list's state a 409 shown above the form, bad input a 400 with the input
kept.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation
from core.forms import form_service_call
from core.tabular import write_xlsx, xlsx_response
from core.views import DomainErrorMixin

from . import admission as adm
from .choices import ListStatus, ObjectionStatus
from .forms_admission import (
    DecideForm,
    EliminateForm,
    ListBuildForm,
    ObjectionForm,
    ProposeForm,
)
from .models import AdmissionEntry


def _call(form: Any, call: Any) -> tuple[bool, Any, int]:
    return form_service_call(form, call, as_permission_denied=True)


def _managed_districts(user: Any) -> list[Organisation]:
    if not user.is_authenticated:
        return []
    if user.is_superuser:
        return list(Organisation.objects.filter(kind=OrganisationKind.DISTRICT))
    ids = [
        m.organisation_id
        for m in user.active_memberships()
        if m.role == Role.DISTRICT_ADMIN
    ]
    return list(Organisation.objects.filter(pk__in=ids, kind=OrganisationKind.DISTRICT))


def _get_list(pk: int, user: Any):
    alist = adm.lists_for_user(user).filter(pk=pk).first()
    if alist is None:
        raise Http404
    return alist


def _counts(entries: list[AdmissionEntry], field: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in entries:
        value = getattr(e, field)
        if value:
            out[value] = out.get(value, 0) + 1
    return out


class AdmissionIndexView(DomainErrorMixin, View):
    """准入名单: every list the user may read, and the form to draft a year's list."""

    def page(self, request, form=None, status=200):
        districts = _managed_districts(request.user)
        if form is None and districts:
            form = ListBuildForm(
                districts=districts, initial={"year": timezone.localdate().year - 1}
            )
        lists = list(
            adm.lists_for_user(request.user).order_by("-year", "district__code")
        )
        return render(
            request,
            "assessments/admission_index.html",
            {"lists": lists, "form": form},
            status=status,
        )

    def get(self, request):
        return self.page(request)

    def post(self, request):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        districts = _managed_districts(request.user)
        if not districts:
            raise PermissionDenied(_("只有区级管理员可以办理准入名单。"))
        form = ListBuildForm(request.POST, districts=districts)
        if not form.is_valid():
            return self.page(request, form, 400)
        d = form.cleaned_data
        ok, alist, status = _call(
            form,
            lambda: adm.admission_list_build(
                actor=request.user, district=d["district"], year=d["year"]
            ),
        )
        if not ok:
            return self.page(request, form, status)
        messages.success(request, _("已根据考核结果拟定名单，请核对后开始公示。"))
        return redirect("admission:detail", pk=alist.pk)


class AdmissionDetailView(DomainErrorMixin, View):
    """One list: its entries (standings, grades, objections), dates and actions."""

    def page(self, request, alist, error="", status=200):
        entries = list(adm.entries_for(alist, request.user))
        staff = adm.is_district_staff(request.user, alist.district)
        can_manage = (
            request.user.is_authenticated
            and adm.can_manage_list(request.user, alist.district).allowed
        )
        own_org_ids = (
            {
                m.organisation_id
                for m in request.user.active_memberships()
                if m.role == Role.VENDOR_STAFF
            }
            if request.user.is_authenticated
            else set()
        )
        return render(
            request,
            "assessments/admission_detail.html",
            {
                "list": alist,
                "entries": entries,
                "proposed_counts": _counts(entries, "proposed"),
                "standing_counts": _counts(entries, "standing"),
                "grade_labels": adm.GRADE_LABELS,
                "staff": staff,
                "own_org_ids": own_org_ids,
                "can_manage": can_manage,
                "open_objections": sum(
                    1
                    for e in entries
                    for o in e.objections.all()
                    if o.status == ObjectionStatus.OPEN
                ),
                "error": error,
                "today": timezone.localdate(),
            },
            status=status,
        )

    def get(self, request, pk):
        alist = _get_list(pk, request.user)
        if request.GET.get("export") == "xlsx":
            return self.export(request, alist)
        return self.page(request, alist)

    def post(self, request, pk):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        alist = _get_list(pk, request.user)
        action = request.POST.get("action")
        calls = {
            "rebuild": lambda: adm.admission_list_build(
                actor=request.user, district=alist.district, year=alist.year
            ),
            "publicise": lambda: adm.admission_list_publicise(
                actor=request.user, admission_list=alist
            ),
            "publish": lambda: adm.admission_list_publish(
                actor=request.user, admission_list=alist
            ),
        }
        if action not in calls:
            return self.page(request, alist, _("未知的操作。"), 400)
        form = forms.Form()
        ok, _result, status = _call(form, calls[action])
        if not ok:
            return self.page(request, alist, " ".join(form.non_field_errors()), status)
        done = {
            "rebuild": _("名单已按最新考核结果重新拟定。"),
            "publicise": _("名单已开始公示。"),
            "publish": _("名单已发布。"),
        }
        messages.success(request, done[action])
        return redirect("admission:detail", pk=alist.pk)

    def export(self, request, alist):
        entries = list(adm.entries_for(alist, request.user))
        header = [
            str(_("承接组织")),
            str(_("上年结论")),
            str(_("考核等级")),
            str(_("拟定结论")),
            str(_("决定结论")),
            str(_("不得受邀参加比选至")),
            str(_("依据")),
        ]
        rows = [
            [
                e.vendor.name,
                e.get_previous_standing_display() if e.previous_standing else "",
                "；".join(
                    f"{g['round']} {g['total']} {adm.GRADE_LABELS.get(g['grade'], g['grade'])}"
                    for g in e.grades
                ),
                e.get_proposed_display(),
                e.get_standing_display() if e.standing else "",
                e.cooling_off_until.isoformat() if e.cooling_off_until else "",
                e.basis,
            ]
            for e in entries
        ]
        content = write_xlsx(
            header, rows, str(alist.year), widths=(36, 10, 40, 10, 10, 16, 60)
        )
        return xlsx_response(
            content, f"admission-list-{alist.district.code}-{alist.year}"
        )


class EntryView(DomainErrorMixin, View):
    """One organisation on a list, with the forms for whoever may act on it now."""

    forms_by_action = {
        "propose": ProposeForm,
        "object": ObjectionForm,
        "decide": DecideForm,
        "eliminate": EliminateForm,
    }

    def entry(self, request, pk) -> AdmissionEntry:
        e = (
            AdmissionEntry.objects.select_related(
                "admission_list__district", "vendor__organisation"
            )
            .filter(pk=pk)
            .first()
        )
        if e is None:
            raise Http404
        alist = _get_list(e.admission_list_id, request.user)
        if not adm.entries_for(alist, request.user).filter(pk=e.pk).exists():
            raise Http404
        return e

    def context(self, request, e, bound=None, error=""):
        alist = e.admission_list
        user = request.user
        manage = (
            user.is_authenticated and adm.can_manage_list(user, alist.district).allowed
        )
        own = user.is_authenticated and adm.can_object(user, e).allowed
        objections = list(e.objections.select_related("filed_by", "decided_by"))
        staff = adm.is_district_staff(user, alist.district)
        bound = bound or {}
        today = timezone.localdate()
        actions: dict[str, Any] = {}
        if manage and alist.status == ListStatus.DRAFT:
            actions["propose"] = bound.get("propose") or ProposeForm(
                initial={"standing": e.proposed}
            )
        open_ones = [o for o in objections if o.status == ObjectionStatus.OPEN]
        # The organisation's form while its window is open and nothing of the kind
        # is pending (the service checks again and names the date).
        kind, until = adm.filing_window(alist)
        if (
            own
            and kind
            and until is not None
            and today <= until
            and not any(o.kind == kind for o in open_ones)
        ) or bound.get("object"):
            actions["object"] = bound.get("object") or ObjectionForm()
        if manage and open_ones:
            actions["decide"] = bound.get("decide") or DecideForm()
        contracts = []
        if (
            manage
            and alist.status == ListStatus.PUBLISHED
            and e.standing == "eliminate"
            and not e.ending
        ):
            actions["eliminate"] = bound.get("eliminate") or EliminateForm(
                initial={"ending": "terminate"}
            )
            contracts = adm.live_contracts(e)
        return {
            "entry": e,
            "list": alist,
            "grade_labels": adm.GRADE_LABELS,
            # Objection texts are between the organisation and the district.
            "objections": objections if (staff or own) else [],
            "open_objection": open_ones[0] if open_ones else None,
            "forms": actions,
            "object_kind": kind,
            "contracts": contracts,
            "retenders": list(e.retenders.all()),
            "error": error,
            "today": today,
        }

    def get(self, request, pk):
        e = self.entry(request, pk)
        return render(
            request, "assessments/admission_entry.html", self.context(request, e)
        )

    def post(self, request, pk):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        e = self.entry(request, pk)
        action = request.POST.get("action", "")
        form_class = self.forms_by_action.get(action)
        if form_class is None:
            return render(
                request,
                "assessments/admission_entry.html",
                self.context(request, e, error=_("未知的操作。")),
                status=400,
            )
        form = form_class(request.POST)
        status = 400
        if form.is_valid():
            ok, _result, status = _call(
                form, lambda: self.run(request, e, action, form.cleaned_data)
            )
            if ok:
                messages.success(request, self.done(action))
                return redirect("admission:entry", pk=e.pk)
        return render(
            request,
            "assessments/admission_entry.html",
            self.context(request, e, bound={action: form}),
            status=status,
        )

    def run(self, request, e, action, d):
        user = request.user
        if action == "propose":
            return adm.admission_entry_propose(
                actor=user, entry=e, standing=d["standing"], reason=d["reason"]
            )
        if action == "object":
            return adm.admission_entry_object(actor=user, entry=e, text=d["text"])
        if action == "decide":
            return adm.admission_entry_decide(
                actor=user,
                entry=e,
                upheld=d["upheld"],
                decision=d["decision"],
                standing=d["standing"] or None,
            )
        return adm.admission_eliminate(
            actor=user,
            entry=e,
            ending=d["ending"],
            ends_on=d["ends_on"] or "",
            interim_arrangement=d["interim_arrangement"],
        )

    @staticmethod
    def done(action: str) -> str:
        return {
            "propose": _("拟定结论已调整。"),
            "object": _("已提交，区级管理员处理后会通知您。"),
            "decide": _("已处理。"),
            "eliminate": _("已起草重新采购项目并记录过渡期安排。"),
        }[action]
