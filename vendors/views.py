"""HTML adapters for the supplier register and the vendor portal."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.models import Organisation
from core.events import audit_events_for
from core.exceptions import DomainError, ValidationFailed
from core.forms import apply_domain_error
from core.tabular import xlsx_response
from core.views import DomainErrorMixin

from . import selectors, services
from .eligibility import vendor_check_eligibility
from .filtersets import VendorFilterSet
from .forms import (
    CreditCheckForm,
    DecisionForm,
    DocumentForm,
    ImportForm,
    ProfileForm,
    RelatedPersonForm,
    VendorForm,
)
from .permissions import (
    can_add_evidence,
    can_create_vendor,
    can_decide_change,
    can_edit_vendor,
    can_list_vendors,
    can_record_credit_check,
    can_see_full_id_numbers,
    can_submit_profile,
)


def _deny(decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


class VendorListView(LoginRequiredMixin, TemplateView):
    template_name = "vendors/vendor_list.html"
    paginate_by = 25

    def get(self, request, *args, **kwargs):
        if selectors.vendor_for_staff(request.user) and not can_list_vendors(
            request.user
        ):
            return redirect("vendors:portal")
        _deny(can_list_vendors(request.user))
        return super().get(request, *args, **kwargs)

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "vendor-results":
            return ["vendors/partials/_vendor_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        filterset = VendorFilterSet(
            self.request.GET or None,
            queryset=selectors.vendor_list_for_user(self.request.user),
            user=self.request.user,
        )
        page = Paginator(filterset.qs, self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        return {
            **super().get_context_data(**kwargs),
            "filterset": filterset,
            "page_obj": page,
            "query": query.urlencode(),
            "can_create": can_create_vendor(self.request.user),
        }


def _detail_context(request, vendor, **forms):
    today = timezone.localdate()
    user = request.user
    return {
        "vendor": vendor,
        "today": today,
        "eligibility": vendor_check_eligibility(vendor, today),
        "documents": vendor.documents.all(),
        "credit_checks": vendor.credit_checks.select_related("checked_by")[:30],
        "reports": vendor.annual_reports.all(),
        "persons": vendor.related_persons.all(),
        "show_full_ids": can_see_full_id_numbers(user, vendor),
        "streets": vendor.streets.all(),
        "events": audit_events_for(vendor)[:30],
        "can_edit": can_edit_vendor(user, vendor),
        "can_add_evidence": can_add_evidence(user, vendor),
        "can_record_credit": can_record_credit_check(user, vendor),
        "document_form": forms.get("document_form") or DocumentForm(),
        "credit_form": forms.get("credit_form")
        or CreditCheckForm(
            initial={"checked_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")}
        ),
        "person_form": forms.get("person_form") or RelatedPersonForm(),
        "incubation_ties": selectors.incubation_ties(vendor),
        "incubated_here": selectors.vendors_incubated_by(vendor).select_related(
            "organisation"
        )[:200],
        "incubations": vendor.incubations.select_related(
            "round__centre"
        ).prefetch_related("logs"),
        "pending_change": vendor.change_requests.filter(status="pending")
        .select_related("requested_by")
        .first(),
        "past_changes": vendor.change_requests.exclude(status="pending").select_related(
            "decided_by"
        )[:10],
        "can_submit_profile": can_submit_profile(user, vendor),
        # A vendor's staff may apply for incubation while no application is open.
        "can_apply_incubation": bool(can_submit_profile(user, vendor))
        and not vendor.incubations.open().exists(),
        "can_decide_change": can_decide_change(user, vendor),
    }


class VendorDetailView(LoginRequiredMixin, DomainErrorMixin, View):
    template_name = "vendors/vendor_detail.html"

    def get(self, request, pk):
        vendor = selectors.vendor_get_for_user(pk, request.user)
        return render(request, self.template_name, _detail_context(request, vendor))


class VendorPortalView(LoginRequiredMixin, View):
    """A vendor's staff land on their own organisation's page."""

    def get(self, request):
        vendor = selectors.vendor_for_staff(request.user)
        if vendor is None:
            raise Http404
        return redirect(vendor.get_absolute_url())


class VendorFormView(LoginRequiredMixin, DomainErrorMixin, View):
    template_name = "vendors/vendor_form.html"

    def _vendor(self):
        return (
            selectors.vendor_get_for_user(self.kwargs["pk"], self.request.user)
            if "pk" in self.kwargs
            else None
        )

    def _district(self, vendor):
        if vendor is not None:
            return vendor.organisation.parent
        paths = self.request.user.district_paths()
        return Organisation.objects.filter(path__in=paths).order_by("path").first()

    def get(self, request, **kwargs):
        vendor = self._vendor()
        _deny(
            can_edit_vendor(request.user, vendor)
            if vendor
            else can_create_vendor(request.user)
        )
        initial = {}
        if vendor is not None:
            initial = {
                f: getattr(vendor, f)
                for f in VendorForm.base_fields
                if hasattr(vendor, f)
            }
            initial["name"], initial["short_name"] = (
                vendor.organisation.name,
                vendor.organisation.short_name,
            )
            initial["streets"] = list(vendor.streets.all())
        form = VendorForm(initial=initial, district=self._district(vendor))
        return render(request, self.template_name, {"form": form, "vendor": vendor})

    def post(self, request, **kwargs):
        vendor = self._vendor()
        _deny(
            can_edit_vendor(request.user, vendor)
            if vendor
            else can_create_vendor(request.user)
        )
        district = self._district(vendor)
        form = VendorForm(request.POST, district=district)
        if form.is_valid():
            try:
                if vendor is None:
                    vendor = services.vendor_create(
                        actor=request.user, district=district, data=form.cleaned_data
                    )
                    messages.success(
                        request, _("已登记“%(name)s”。") % {"name": vendor.name}
                    )
                else:
                    vendor = services.vendor_update(
                        actor=request.user, vendor=vendor, data=form.cleaned_data
                    )
                    messages.success(request, _("已保存。"))
                return redirect(vendor.get_absolute_url())
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
        return render(
            request, self.template_name, {"form": form, "vendor": vendor}, status=400
        )


class _VendorSubmitView(LoginRequiredMixin, DomainErrorMixin, View):
    """A POST that adds something to a vendor; bad input re-renders the page (400)."""

    form_class: type = DocumentForm
    form_name = "document_form"

    def decision(self, vendor):  # pragma: no cover - overridden
        raise NotImplementedError

    def perform(self, vendor, data, files):  # pragma: no cover - overridden
        raise NotImplementedError

    def post(self, request, pk):
        vendor = selectors.vendor_get_for_user(pk, request.user)
        _deny(self.decision(vendor))
        form = self.form_class(request.POST, request.FILES)
        if form.is_valid():
            try:
                self.perform(vendor, form.cleaned_data, request.FILES)
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            else:
                return redirect(vendor.get_absolute_url())
        return render(
            request,
            "vendors/vendor_detail.html",
            _detail_context(request, vendor, **{self.form_name: form}),
            status=400,
        )


class DocumentAddView(_VendorSubmitView):
    form_class, form_name = DocumentForm, "document_form"

    def decision(self, vendor):
        return can_add_evidence(self.request.user, vendor)

    def perform(self, vendor, data, files):
        services.document_add(
            actor=self.request.user, vendor=vendor, data=data, upload=files.get("file")
        )
        messages.success(self.request, _("已上传材料。"))


class CreditCheckAddView(_VendorSubmitView):
    form_class, form_name = CreditCheckForm, "credit_form"

    def decision(self, vendor):
        return can_record_credit_check(self.request.user, vendor)

    def perform(self, vendor, data, files):
        services.credit_check_record(
            actor=self.request.user,
            vendor=vendor,
            data=data,
            upload=files.get("evidence"),
        )
        messages.success(self.request, _("已记录信用查询。"))


class RelatedPersonAddView(_VendorSubmitView):
    form_class, form_name = RelatedPersonForm, "person_form"

    def decision(self, vendor):
        return can_add_evidence(self.request.user, vendor)

    def perform(self, vendor, data, files):
        posts = []
        if data.get("former_title"):
            posts.append(
                {
                    "title": data["former_title"],
                    "organisation": data.get("former_organisation", ""),
                }
            )
        services.related_person_add(
            actor=self.request.user,
            vendor=vendor,
            data={
                "name": data["name"],
                "role": data["role"],
                "id_number": data.get("id_number"),
                "former_posts": posts,
            },
        )
        messages.success(self.request, _("已添加关联人员。"))


class ProfileView(LoginRequiredMixin, DomainErrorMixin, View):
    """The vendor portal's profile form: legal-field changes wait for an officer."""

    template_name = "vendors/profile_form.html"

    def get(self, request, pk):
        vendor = selectors.vendor_get_for_user(pk, request.user)
        _deny(can_submit_profile(request.user, vendor))
        initial = {
            f: getattr(vendor, f) for f in ProfileForm.base_fields if hasattr(vendor, f)
        }
        initial["name"], initial["short_name"] = (
            vendor.organisation.name,
            vendor.organisation.short_name,
        )
        return render(
            request,
            self.template_name,
            {"form": ProfileForm(initial=initial), "vendor": vendor},
        )

    def post(self, request, pk):
        vendor = selectors.vendor_get_for_user(pk, request.user)
        _deny(can_submit_profile(request.user, vendor))
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                change = services.vendor_profile_submit(
                    actor=request.user, vendor=vendor, data=form.cleaned_data
                )
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            except DomainError as exc:
                form.add_error(None, str(exc.message))
            else:
                if change is not None:
                    messages.success(
                        request,
                        _("资料已保存；名称、信用代码等法定信息的变更已提交街道审核。"),
                    )
                else:
                    messages.success(request, _("资料已保存。"))
                return redirect(vendor.get_absolute_url())
        return render(
            request, self.template_name, {"form": form, "vendor": vendor}, status=400
        )


class ChangeDecisionView(LoginRequiredMixin, DomainErrorMixin, View):
    """POST approve or reject of a pending change request."""

    def post(self, request, pk, decision):
        if decision not in ("approve", "reject"):
            raise Http404
        change = selectors.change_request_get_for_user(pk, request.user)
        _deny(can_decide_change(request.user, change.vendor))
        form = DecisionForm(request.POST)
        form.is_valid()
        reason = form.cleaned_data.get("reason", "")
        try:
            if decision == "approve":
                services.vendor_change_approve(
                    actor=request.user, request=change, reason=reason
                )
                messages.success(request, _("已批准变更。"))
            else:
                services.vendor_change_reject(
                    actor=request.user, request=change, reason=reason
                )
                messages.success(request, _("已驳回变更。"))
        except DomainError as exc:
            messages.error(
                request,
                str(exc.message)
                + " "
                + "；".join(str(m) for ms in exc.fields.values() for m in ms),
            )
        return redirect(change.vendor.get_absolute_url())


class VendorImportView(LoginRequiredMixin, DomainErrorMixin, View):
    """Register suppliers from a spreadsheet: every row or none, each bad row listed."""

    template_name = "vendors/vendor_import.html"

    def _district(self):
        return (
            Organisation.objects.filter(path__in=self.request.user.district_paths())
            .order_by("path")
            .first()
        )

    def get(self, request):
        _deny(can_create_vendor(request.user))
        return render(request, self.template_name, {"form": ImportForm()})

    def post(self, request):
        from django.conf import settings

        from core.tabular import row_errors

        from .importing import LABELS

        _deny(can_create_vendor(request.user))
        form = ImportForm(request.POST, request.FILES)
        errors: list[tuple[str, str, str]] = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.CATALOGUE_IMPORT_MAX_BYTES:
                form.add_error("file", _("文件过大。"))
            else:
                try:
                    summary = services.vendor_import(
                        actor=request.user,
                        district=self._district(),
                        filename=upload.name,
                        content=upload.read(),
                    )
                except ValidationFailed as exc:
                    errors = row_errors(exc, LABELS)
                    if errors:
                        form.add_error(None, str(exc.message))
                    else:
                        apply_domain_error(form, exc)
                else:
                    messages.success(
                        request, _("导入完成：登记 %(created)s 家。") % summary
                    )
                    return redirect("vendors:vendor-list")
        return render(
            request,
            self.template_name,
            {"form": form, "row_errors": errors},
            status=400,
        )


class VendorExportView(LoginRequiredMixin, View):
    """The register the user can see, as .xlsx with the import's columns."""

    def get(self, request):

        from .importing import export_vendors_xlsx

        _deny(can_list_vendors(request.user))
        vendors = list(selectors.vendor_list_for_user(request.user))
        return xlsx_response(export_vendors_xlsx(vendors), "vendors")
