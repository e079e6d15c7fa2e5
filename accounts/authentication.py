"""Read-only API tokens of street offices, for outside systems (issue #6).

A client sends its key as

    Authorization: Bearer spt_…

(`Bearer`, so it never collides with the personal `Token …` keys of
`rest_framework.authtoken`). The request then acts as the token's principal: a
login-less user with no roles whose `token_street_path` is the street's path, which
the querysets that honour it (the contracts' `visible_to`) read as "this street
only"; everything else sees a user without roles, i.e. nothing.

Such a principal can never write. The rule lives in `api_token_write_refusal` and is
enforced twice: by `ApiTokenReadOnly`, the permission class every API view gets from
`DEFAULT_PERMISSION_CLASSES`, and by the authenticator itself, so a view that sets its
own `permission_classes` is covered too. An unknown or revoked key is a 401.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS, BasePermission

from .models import ApiToken, User

KEYWORD = "Bearer"
# `last_used_at` is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def api_token_write_refusal(user: Any, method: str) -> str | None:
    """Why this request may not proceed, or None. Street tokens only read."""
    if getattr(user, "token_street_path", None) is None:
        return None
    if method.upper() in SAFE_METHODS:
        return None
    return str(_("只读 API 令牌不能修改任何数据。"))


def api_token_for_key(key: str) -> ApiToken | None:
    """The active token with this key, or None (unknown, revoked, street closed)."""
    token = (
        ApiToken.objects.select_related("street", "user")
        .filter(key_hash=ApiToken.hash_key(key))
        .first()
    )
    if (
        token is None
        or token.revoked_at is not None
        or not token.street.is_active
        or not token.user.is_active
    ):
        return None
    return token


def _principal(token: ApiToken) -> User:
    user = token.user
    user.token_street_path = token.street.path  # type: ignore[attr-defined]
    user.api_token = token
    # No roles, ever: even if someone granted the principal a membership, the token
    # still reads as its street only.
    user._membership_cache = []
    user._district_cache = []
    return user


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <key>` → the token's read-only principal."""

    keyword = KEYWORD

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Authorization 头格式应为“Bearer <密钥>”。")
            )
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("API 密钥无效或已撤销。")) from None
        token = api_token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("API 密钥无效或已撤销。"))
        user = _principal(token)
        refusal = api_token_write_refusal(user, request.method)
        if refusal:
            raise exceptions.PermissionDenied(refusal)
        self._touch(token)
        return (user, token)

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'

    @staticmethod
    def _touch(token: ApiToken) -> None:
        now = timezone.now()
        if (
            token.last_used_at is None
            or now - token.last_used_at > LAST_USED_RESOLUTION
        ):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now


class ApiTokenReadOnly(BasePermission):
    """Refuse every unsafe method (POST, PUT, PATCH, DELETE) to a street token, on
    every endpoint of every app, with the reason (403)."""

    message: Any = _("只读 API 令牌不能修改任何数据。")

    def has_permission(self, request, view) -> bool:
        refusal = api_token_write_refusal(request.user, request.method)
        if refusal:
            self.message = refusal
            return False
        return True


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The street token in the OpenAPI schema (an HTTP bearer scheme)."""

    target_class = "accounts.authentication.ApiTokenAuthentication"
    name = "streetApiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A street office's read-only API key (created by a "
            "district administrator): `Authorization: Bearer spt_…`. GET only; "
            "every write is refused with 403.",
        }
