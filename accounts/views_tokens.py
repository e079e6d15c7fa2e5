"""HTML pages of the street offices' read-only API tokens (district administrators):
the list with a create form, the page that shows a new key once, and revocation."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.exceptions import NotFound, ValidationFailed
from core.forms import apply_domain_error
from core.views import DomainErrorMixin

from . import services
from .models import ApiToken, Organisation, User
from .permissions import can_manage_api_tokens
from .selectors import streets_of_users_districts


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=100,
        help_text=gettext_lazy("使用该令牌的外部系统，例如“区大数据中心”。"),
    )
    street = forms.ModelChoiceField(
        label=gettext_lazy("街道办事处"),
        queryset=Organisation.objects.none(),
        help_text=gettext_lazy("令牌只能读取该街道的合同。"),
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the streets the user administers; another district's is not offered.
        self.fields["street"].queryset = streets_of_users_districts(user).filter(
            is_active=True
        )


def _require_manager(user: User) -> None:
    decision = can_manage_api_tokens(user)
    if not decision:
        raise PermissionDenied(decision.reason)


class ApiTokenListView(LoginRequiredMixin, DomainErrorMixin, View):
    """The tokens of the user's district (GET), and creation (POST): the new key is
    rendered once in the response and never stored."""

    template_name = "accounts/api_tokens.html"

    def _render(self, request, form: ApiTokenForm, status: int = 200):
        tokens = (
            ApiToken.objects.visible_to(request.user)
            .select_related("street", "created_by", "revoked_by")
            .order_by("-created_at", "-id")
        )
        page = Paginator(tokens, 50).get_page(request.GET.get("page"))
        return TemplateResponse(
            request,
            self.template_name,
            {"page_obj": page, "form": form},
            status=status,
        )

    def get(self, request):
        _require_manager(request.user)
        return self._render(request, ApiTokenForm(user=request.user))

    def post(self, request):
        _require_manager(request.user)
        form = ApiTokenForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                token, key = services.api_token_create(
                    actor=request.user,
                    street=form.cleaned_data["street"],
                    name=form.cleaned_data["name"],
                )
            except ValidationFailed as exc:
                apply_domain_error(form, exc)
            else:
                response = TemplateResponse(
                    request,
                    "accounts/api_token_created.html",
                    {"token": token, "key": key},
                    status=201,
                )
                # The key is on this page only: keep it out of every cache.
                response["Cache-Control"] = "no-store"
                return response
        return self._render(request, form, status=400)


class ApiTokenRevokeView(LoginRequiredMixin, DomainErrorMixin, View):
    def post(self, request, pk: int):
        _require_manager(request.user)
        token = ApiToken.objects.visible_to(request.user).filter(pk=pk).first()
        if token is None:
            raise NotFound()
        services.api_token_revoke(actor=request.user, token=token)
        messages.success(
            request, _("已撤销 API 令牌“%(name)s”。") % {"name": token.name}
        )
        return redirect("accounts:api-token-list")
