"""What a locked-out login attempt gets back (django-axes' lockout callable):
the API's error shape for /api/, the lockout page for the browser."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_response(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    status = 429
    if request.path.startswith("/api/"):
        minutes = int(settings.AXES_COOLOFF_TIME * 60)
        return JsonResponse(
            {
                "code": "locked_out",
                "detail": _("登录失败次数过多，请 %(minutes)s 分钟后再试。")
                % {"minutes": minutes},
                "fields": {},
            },
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    return render(request, settings.AXES_LOCKOUT_TEMPLATE, status=status)
