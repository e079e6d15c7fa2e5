"""The residents' small JSON endpoint, the twin of the phone page (/r/<token>/), for a
small client: POST /api/v1/residents/answers/ {token, answers, comment} → 201.

No account (AllowAny, no authentication, so no CSRF); rate-limited per client address
with the same limit as the page (`settings.RESIDENTS_RATE_LIMIT`, "30/minute"). An
unknown token is a 404 that says nothing about whether it ever existed; a used token
or a closed round a 409; an answer outside its scale a 400 with the reason.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import APIView

from core.exceptions import NotFound, NotPermitted

from . import services
from .views_residents import DEFAULT_RATE


class ResidentRateThrottle(SimpleRateThrottle):
    """Per client address, the residents' limit (the page's own)."""

    scope = "residents"

    def get_rate(self) -> str:
        from django.conf import settings

        return str(getattr(settings, "RESIDENTS_RATE_LIMIT", DEFAULT_RATE))

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class ResidentAnswerValueField(serializers.Field):
    """One answer: a number (points), a level code, true/false (yes/no) or null (不了解/不适用)."""

    default_error_messages = {
        "invalid": _("每项评分应为数字、等级、true/false 或 null。"),
    }

    def to_internal_value(self, data: Any) -> Any:
        plain = data is None or isinstance(data, bool | int | float)
        if not (plain or (isinstance(data, str) and len(data) <= 60)):
            self.fail("invalid")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class ResidentAnswerInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64, trim_whitespace=True)
    answers = serializers.DictField(
        child=ResidentAnswerValueField(allow_null=True), allow_empty=False
    )
    comment = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )

    def validate_answers(self, value: dict[str, Any]) -> dict[str, Any]:
        if len(value) > 500 or any(len(str(k)) > 30 for k in value):
            raise serializers.ValidationError(_g("评分项过多或编号过长。"))
        return value


class ResidentAnswerOutputSerializer(serializers.Serializer):
    detail = serializers.CharField()


class ResidentAnswerView(APIView):
    """A resident's answer by a one-time token (anonymous, once per token)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ResidentRateThrottle]

    def throttled(self, request: Any, wait: float | None) -> None:
        raise Throttled(wait, detail=_g("请求过于频繁，请稍后再试。"))

    @extend_schema(
        summary="居民匿名评价",
        request=ResidentAnswerInputSerializer,
        responses={
            201: ResidentAnswerOutputSerializer,
            400: OpenApiResponse(description="答案超出量表或输入有误"),
            404: OpenApiResponse(description="评价码无效"),
            409: OpenApiResponse(description="评价码已使用，或本轮考核已停止评分"),
            429: OpenApiResponse(description="请求过于频繁"),
        },
    )
    def post(self, request: Any) -> Response:
        data = ResidentAnswerInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.resident_answer(
                raw_token=data.validated_data["token"],
                answers=data.validated_data["answers"],
                comment=data.validated_data["comment"],
            )
        except NotPermitted as exc:
            # An unknown token: not found, and nothing about whether it existed.
            raise NotFound(_("评价码无效。"), code="token_invalid") from exc
        return Response(
            {"detail": _g("感谢您的评价。")}, status=status.HTTP_201_CREATED
        )


urlpatterns = [
    path("answers/", ResidentAnswerView.as_view(), name="residents-answers"),
]
