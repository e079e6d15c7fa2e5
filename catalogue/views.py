"""HTML and HTMX adapters for the catalogue: parse, call a selector or service, render."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from accounts.choices import Role
from core.events import audit_events_for
from core.exceptions import DomainError, NotFound, ValidationFailed
from core.forms import apply_domain_error, query_text
from core.tabular import row_errors
from core.views import DomainErrorMixin, domain_error_response

from . import rules, selectors, services
from .choices import DayKind
from .filtersets import ServiceItemFilterSet
from .forms import (
    CalendarClearForm,
    CalendarDayForm,
    DraftForm,
    ImportForm,
    ServiceItemForm,
)
from .importing import export_csv, export_xlsx
from .models import CalendarDay, RuleParameter
from .permissions import can_draft_catalogue, can_edit_catalogue
from .validation import item_errors, item_warnings
from .workflows import TRANSITIONS, transition_decision


def _deny(decision) -> None:
    if not decision:
        raise PermissionDenied(decision.reason)


class VersionListView(LoginRequiredMixin, TemplateView):
    template_name = "catalogue/version_list.html"

    def get_context_data(self, **kwargs):
        versions = list(selectors.version_list_for_user(self.request.user))
        return {**super().get_context_data(**kwargs), "versions": versions}


class VersionDetailView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    """A version with its items: search, filters and pagination (HTMX swaps the table)."""

    template_name = "catalogue/version_detail.html"
    paginate_by = 25

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "item-results":
            return ["catalogue/partials/_item_table.html"]
        return [self.template_name]

    def get_context_data(self, **kwargs):
        user = self.request.user
        version = selectors.version_get_for_user(self.kwargs["pk"], user)
        qs = version.items.select_related("domain").order_by("code")
        params = self.request.GET.copy()
        params.pop("version", None)
        filterset = ServiceItemFilterSet(params, queryset=qs, user=user)
        page = Paginator(filterset.qs, self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        query = params.copy()
        query.pop("page", None)
        actions = []
        for name, t in TRANSITIONS.items():
            if version.status in t.sources:
                actions.append(
                    (
                        name,
                        t.label,
                        transition_decision(user, version, name, run_guards=False),
                    )
                )
        compare_to = selectors.version_default_comparison(version, user)
        return {
            **super().get_context_data(**kwargs),
            "version": version,
            "filterset": filterset,
            "page_obj": page,
            "query": query.urlencode(),
            "actions": actions,
            "can_edit": can_edit_catalogue(user, version),
            "can_draft": can_draft_catalogue(user, version),
            "compare_to": compare_to,
            "events": audit_events_for(version)[:10],
        }


class ItemDetailView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "catalogue/item_detail.html"

    def get_context_data(self, **kwargs):
        item = selectors.item_get_for_user(self.kwargs["pk"], self.request.user)
        return {
            **super().get_context_data(**kwargs),
            "item": item,
            "version": item.version,
            "warnings": item_warnings(item),
            "errors": item_errors(item) if item.version.is_draft else {},
            "can_edit": can_edit_catalogue(self.request.user, item.version),
            "events": audit_events_for(item)[:20],
        }


def _item_initial(item) -> dict:
    data = {
        f: getattr(item, f) for f in ServiceItemForm.base_fields if hasattr(item, f)
    }
    data["domain"] = item.domain
    data["expected_updated_at"] = item.updated_at
    return data


class ItemFormView(LoginRequiredMixin, DomainErrorMixin, View):
    """Create (`version_pk`) or edit (`pk`) an item of a draft."""

    template_name = "catalogue/item_form.html"

    def _objects(self):
        user = self.request.user
        if "pk" in self.kwargs:
            item = selectors.item_get_for_user(self.kwargs["pk"], user)
            return item.version, item
        return selectors.version_get_for_user(self.kwargs["version_pk"], user), None

    def get(self, request, **kwargs):
        version, item = self._objects()
        _deny(can_edit_catalogue(request.user, version))
        form = ServiceItemForm(initial=_item_initial(item) if item else {})
        return render(
            request,
            self.template_name,
            {"form": form, "version": version, "item": item},
        )

    def post(self, request, **kwargs):
        version, item = self._objects()
        _deny(can_edit_catalogue(request.user, version))
        form = ServiceItemForm(request.POST)
        if form.is_valid():
            data = {
                k: v for k, v in form.cleaned_data.items() if k != "expected_updated_at"
            }
            try:
                if item is None:
                    item = services.service_item_create(
                        actor=request.user, version=version, data=data
                    )
                    messages.success(
                        request, _("已新增事项 %(code)s。") % {"code": item.code}
                    )
                else:
                    item = services.service_item_update(
                        actor=request.user,
                        item=item,
                        data=data,
                        expected_updated_at=form.cleaned_data.get(
                            "expected_updated_at"
                        ),
                    )
                    messages.success(
                        request, _("已保存事项 %(code)s。") % {"code": item.code}
                    )
                return redirect(item.get_absolute_url())
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            except DomainError as exc:
                if exc.status_code == 409:
                    form.add_error(None, str(exc.message))
                else:
                    raise
        return render(
            request,
            self.template_name,
            {"form": form, "version": version, "item": item},
            status=400,
        )


class ItemDeleteView(LoginRequiredMixin, DomainErrorMixin, View):
    def post(self, request, pk):
        item = selectors.item_get_for_user(pk, request.user)
        _deny(can_edit_catalogue(request.user, item.version))
        version = item.version
        services.service_item_delete(actor=request.user, item=item)
        messages.success(request, _("已删除事项 %(code)s。") % {"code": item.code})
        return redirect(version.get_absolute_url())


class VersionDraftView(LoginRequiredMixin, DomainErrorMixin, View):
    template_name = "catalogue/version_draft.html"

    def get(self, request, pk):
        source = selectors.version_get_for_user(pk, request.user)
        _deny(can_draft_catalogue(request.user, source))
        form = DraftForm(
            initial={"year": max(source.year + 1, timezone.localdate().year)}
        )
        return render(request, self.template_name, {"form": form, "source": source})

    def post(self, request, pk):
        source = selectors.version_get_for_user(pk, request.user)
        _deny(can_draft_catalogue(request.user, source))
        form = DraftForm(request.POST)
        if form.is_valid():
            try:
                draft = services.catalogue_version_draft(
                    actor=request.user,
                    source=source,
                    year=form.cleaned_data["year"],
                    title=form.cleaned_data["title"],
                )
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("已起草新版本，共 %(n)s 项。") % {"n": draft.items.count()},
                )
                return redirect(draft.get_absolute_url())
        return render(
            request, self.template_name, {"form": form, "source": source}, status=400
        )


class VersionTransitionView(LoginRequiredMixin, DomainErrorMixin, View):
    """POST a named transition (publish, archive)."""

    def post(self, request, pk, action):
        if action not in TRANSITIONS:
            raise Http404
        version = selectors.version_get_for_user(pk, request.user)
        decision = transition_decision(request.user, version, action, run_guards=False)
        if not decision and decision.code == "permission_denied":
            raise PermissionDenied(decision.reason)
        service = {
            "publish": services.catalogue_version_publish,
            "archive": services.catalogue_version_archive,
        }[action]
        try:
            service(
                actor=request.user,
                version=version,
                comment=request.POST.get("comment", "")[:500],
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(str(exc.message)) from exc
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request, _("目录已%(action)s。") % {"action": TRANSITIONS[action].label}
            )
        return redirect(version.get_absolute_url())


class VersionDiffView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "catalogue/version_diff.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        version = selectors.version_get_for_user(self.kwargs["pk"], user)
        against_pk = self.request.GET.get("against")
        if against_pk:
            other = selectors.version_get_for_user(against_pk, user)
        else:
            other = selectors.version_default_comparison(version, user)
            if other is None:
                raise NotFound(_("没有可比较的版本。"))
        old, new = (other, version) if other.year <= version.year else (version, other)
        return {
            **super().get_context_data(**kwargs),
            "version": version,
            "diff": selectors.version_diff(old, new),
            "versions": selectors.version_list_for_user(user)
            .filter(region_id=version.region_id)
            .exclude(pk=version.pk),
            "other": other,
        }


class VersionImportView(LoginRequiredMixin, DomainErrorMixin, View):
    template_name = "catalogue/version_import.html"

    def get(self, request, pk):
        version = selectors.version_get_for_user(pk, request.user)
        _deny(can_edit_catalogue(request.user, version))
        return render(
            request, self.template_name, {"form": ImportForm(), "version": version}
        )

    def post(self, request, pk):
        version = selectors.version_get_for_user(pk, request.user)
        _deny(can_edit_catalogue(request.user, version))
        form = ImportForm(request.POST, request.FILES)
        row_errors: list[tuple[str, str, str]] = []
        if form.is_valid():
            upload = form.cleaned_data["file"]
            if upload.size > settings.CATALOGUE_IMPORT_MAX_BYTES:
                form.add_error(
                    "file",
                    _("文件过大（上限 %(mb)s MB）。")
                    % {"mb": settings.CATALOGUE_IMPORT_MAX_BYTES // 1048576},
                )
            else:
                try:
                    summary = services.catalogue_import(
                        actor=request.user,
                        version=version,
                        filename=upload.name,
                        content=upload.read(),
                        mode=form.cleaned_data["mode"],
                    )
                except ValidationFailed as exc:
                    row_errors = _row_errors(exc)
                    if not row_errors:
                        apply_domain_error(form, exc)
                    else:
                        form.add_error(None, str(exc.message))
                else:
                    messages.success(
                        request,
                        _(
                            "导入完成：新增 %(created)s 项，更新 %(updated)s 项，未变 %(unchanged)s 项，删除 %(removed)s 项。"
                        )
                        % summary,
                    )
                    return redirect(version.get_absolute_url())
        return render(
            request,
            self.template_name,
            {"form": form, "version": version, "row_errors": row_errors},
            status=400,
        )


def _row_errors(exc: ValidationFailed) -> list[tuple[str, str, str]]:
    from .columns import COLUMN_BY_FIELD

    return row_errors(exc, {f: c.label for f, c in COLUMN_BY_FIELD.items()})


@login_required
def version_export(request, pk, fmt):
    try:
        version = selectors.version_get_for_user(pk, request.user)
    except NotFound as exc:
        raise Http404 from exc
    items = list(version.items.select_related("domain").order_by("code"))
    name = f"catalogue-{version.region.code}-{version.year}"
    if fmt == "xlsx":
        content = export_xlsx(items, str(version.year))
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    elif fmt == "csv":
        response = HttpResponse(
            export_csv(items), content_type="text/csv; charset=utf-8"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@login_required
@require_POST
def version_pdf(request, pk):
    try:
        version = selectors.version_get_for_user(pk, request.user)
    except NotFound as exc:
        raise Http404 from exc
    job = services.catalogue_pdf_request(actor=request.user, version=version)
    return redirect(reverse("core:job-detail", args=[job.pk]))


class RuleParameterListView(LoginRequiredMixin, TemplateView):
    """The rule parameters in force for the user's jurisdiction on a date, and every period."""

    template_name = "catalogue/rule_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        try:
            on = dt.date.fromisoformat(self.request.GET.get("on", ""))
        except ValueError:
            on = timezone.localdate()
        region = _user_region(user)
        in_force = rules.rule_parameters_in_force(region, on) if region else []
        history = RuleParameter.objects.select_related("jurisdiction").order_by(
            "key", "jurisdiction__path", "valid_from"
        )
        key = query_text(self.request.GET, "key")
        if key:
            history = history.filter(key__icontains=key)
            in_force = [p for p in in_force if key in p.key]
        return {
            **super().get_context_data(**kwargs),
            "on": on,
            "region": region,
            "in_force": in_force,
            "history": history,
            "key": key,
        }


def _user_region(user):
    """The nearest jurisdiction (district or above) of the user's first organisation."""
    from accounts.choices import JURISDICTION_KINDS
    from accounts.models import Organisation

    paths = sorted(user.applicable_paths(), key=len, reverse=True)
    return (
        Organisation.objects.filter(path__in=paths, kind__in=JURISDICTION_KINDS)
        .order_by("-path")
        .first()
    )


class CalendarView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "catalogue/calendar.html"

    def get_context_data(self, **kwargs):
        year = self.kwargs.get("year") or timezone.localdate().year
        days = CalendarDay.objects.filter(date__year=year).order_by("date")
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "year": year,
            "days": days,
            "holidays": sum(1 for d in days if d.kind == DayKind.HOLIDAY),
            "workdays": sum(1 for d in days if d.kind == DayKind.WORKDAY),
            "can_edit": user.is_superuser or Role.DISTRICT_ADMIN in user.roles(),
            "form": kwargs.get("form") or CalendarDayForm(),
            "years": range(2014, timezone.localdate().year + 2),
        }

    def post(self, request, year):
        if not (
            request.user.is_superuser or Role.DISTRICT_ADMIN in request.user.roles()
        ):
            raise PermissionDenied(_("只有区级管理员可以修改工作日历。"))
        if request.POST.get("clear"):
            form = CalendarClearForm(request.POST)
            if form.is_valid():
                services.calendar_day_clear(
                    actor=request.user, date=form.cleaned_data["date"]
                )
                messages.success(request, _("已恢复为普通日期。"))
                return redirect("catalogue:calendar", year=year)
            return domain_error_response(request, ValidationFailed())
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            services.calendar_day_set(actor=request.user, **form.cleaned_data)
            messages.success(request, _("已保存。"))
            return redirect("catalogue:calendar", year=form.cleaned_data["date"].year)
        response = self.render_to_response(self.get_context_data(year=year, form=form))
        response.status_code = 400
        return response
