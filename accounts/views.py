"""HTML adapters for login, the organisation tree and role management."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.exceptions import DomainError, ValidationFailed
from core.forms import apply_domain_error
from core.views import DomainErrorMixin

from . import selectors, services
from .filtersets import OrganisationFilterSet
from .forms import (
    MembershipGrantForm,
    OrganisationEditForm,
    OrganisationForm,
    UserCreateForm,
)
from .permissions import can_list_organisations, can_manage_organisation


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class OrganisationListView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "accounts/organisation_list.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        decision = can_list_organisations(self.request.user)
        if not decision:
            raise PermissionDenied(decision.reason)
        qs = selectors.organisation_list_for_user(self.request.user)
        filterset = OrganisationFilterSet(self.request.GET or None, queryset=qs)
        page = Paginator(filterset.qs, self.paginate_by).get_page(
            self.request.GET.get("page")
        )
        return {
            **super().get_context_data(**kwargs),
            "filterset": filterset,
            "page_obj": page,
        }


class OrganisationDetailView(LoginRequiredMixin, DomainErrorMixin, TemplateView):
    template_name = "accounts/organisation_detail.html"

    def get_context_data(self, **kwargs):
        org = selectors.organisation_get_for_user(self.kwargs["pk"], self.request.user)
        manage = can_manage_organisation(self.request.user, org)
        return {
            **super().get_context_data(**kwargs),
            "organisation": org,
            "children": org.children.order_by("kind", "code"),
            "memberships": selectors.membership_list_for_organisation(org),
            "can_manage": manage,
            "grant_form": kwargs.get("grant_form") or MembershipGrantForm(),
            "user_form": kwargs.get("user_form") or UserCreateForm(),
            "child_form": kwargs.get("child_form") or OrganisationForm(),
            "edit_form": kwargs.get("edit_form")
            or OrganisationEditForm(
                initial={
                    "name": org.name,
                    "short_name": org.short_name,
                    "address": org.address,
                    "contact_phone": org.contact_phone,
                    "is_active": org.is_active,
                }
            ),
        }


class _OrganisationPostView(LoginRequiredMixin, DomainErrorMixin, View):
    """POST endpoints on an organisation page; on bad input the page is re-rendered
    with the errors in place (status 400), on success it redirects back."""

    form_class: type = MembershipGrantForm
    form_name = "grant_form"

    def post(self, request, pk):
        org = selectors.organisation_get_for_user(pk, request.user)
        decision = can_manage_organisation(request.user, org)
        if not decision:
            raise PermissionDenied(decision.reason)
        form = self.form_class(request.POST)
        if form.is_valid():
            try:
                self.perform(org, form.cleaned_data)
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            else:
                return redirect(org.get_absolute_url())
        view = OrganisationDetailView.as_view()
        response = view(request, pk=pk, **{self.form_name: form})
        response.status_code = 400
        return response

    def perform(self, org, data):  # pragma: no cover - overridden
        raise NotImplementedError


class MembershipGrantView(_OrganisationPostView):
    form_class = MembershipGrantForm
    form_name = "grant_form"

    def perform(self, org, data):
        services.membership_grant(
            actor=self.request.user,
            user=data["username"],
            organisation=org,
            role=data["role"],
        )
        messages.success(self.request, _("已授予角色。"))


class UserCreateView(_OrganisationPostView):
    form_class = UserCreateForm
    form_name = "user_form"

    def perform(self, org, data):
        services.user_create(
            actor=self.request.user,
            username=data["username"],
            display_name=data["display_name"],
            email=data.get("email") or "",
            password=data["password"],
            organisation=org,
            role=data["role"],
        )
        messages.success(self.request, _("已创建账号。"))


class OrganisationCreateView(_OrganisationPostView):
    form_class = OrganisationForm
    form_name = "child_form"

    def perform(self, org, data):
        child = services.organisation_create(
            actor=self.request.user, parent=org, **data
        )
        messages.success(
            self.request, _("已创建组织“%(name)s”。") % {"name": child.name}
        )


class OrganisationUpdateView(_OrganisationPostView):
    form_class = OrganisationEditForm
    form_name = "edit_form"

    def perform(self, org, data):
        services.organisation_update(actor=self.request.user, organisation=org, **data)
        messages.success(self.request, _("已保存。"))


class MembershipRevokeView(LoginRequiredMixin, DomainErrorMixin, View):
    def post(self, request, pk):
        membership = selectors.membership_get_for_user(pk, request.user, action="view")
        org = membership.organisation
        try:
            services.membership_revoke(actor=request.user, membership=membership)
        except DomainError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(str(exc.message)) from exc
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("已撤销角色。"))
        return redirect(reverse("accounts:organisation-detail", args=[org.pk]))


class NotificationListView(LoginRequiredMixin, TemplateView):
    """The user's notifications, newest first; POST marks them read."""

    template_name = "accounts/notification_list.html"

    def get_context_data(self, **kwargs):
        from .models import Notification

        qs = Notification.objects.visible_to(self.request.user).order_by(
            "-created_at", "-id"
        )
        page = Paginator(qs, 30).get_page(self.request.GET.get("page"))
        return {**super().get_context_data(**kwargs), "page_obj": page}

    def post(self, request):
        services.notification_mark_read(user=request.user)
        return redirect("accounts:notification-list")
