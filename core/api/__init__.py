"""REST conventions shared by every app: one error shape, pagination."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions as drf_exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ..exceptions import DomainError


class StandardPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, list):
        out: list[str] = []
        for d in detail:
            out.extend(_flatten(d))
        return out
    if isinstance(detail, dict):
        return [f"{k}: {m}" for k, v in detail.items() for m in _flatten(v)]
    return [str(detail)]


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Turn every error into {"code", "detail", "fields"} in the user's language."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        data = exc.detail
        fields: dict[str, list[str]] = {}
        general: list[str] = []
        if isinstance(data, dict):
            for key, value in data.items():
                if key in ("non_field_errors", "__all__"):
                    general.extend(_flatten(value))
                else:
                    fields[key] = _flatten(value)
        else:
            general.extend(_flatten(data))
        detail = "；".join(general) if general else _("输入有误，请检查标出的字段。")
        response.data = {"code": "invalid", "detail": detail, "fields": fields}
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, drf_exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    detail = getattr(exc, "detail", str(exc))
    response.data = {"code": code, "detail": str(detail), "fields": {}}
    return response
