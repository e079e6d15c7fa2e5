from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.exceptions import NotFound, ValidationFailed

from .. import selectors, services
from ..filtersets import OrganisationFilterSet
from ..models import ApiToken, Membership, Organisation
from ..permissions import can_list_organisations, can_manage_api_tokens
from .serializers import (
    ApiTokenCreatedSerializer,
    ApiTokenCreateInputSerializer,
    ApiTokenSerializer,
    MembershipGrantInputSerializer,
    MembershipSerializer,
    MeSerializer,
    NotificationReadInputSerializer,
    NotificationReadOutputSerializer,
    NotificationSerializer,
    OrganisationSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
)


class TokenObtainView(APIView):
    """Exchange a username and password for an API token (throttled; django-axes
    counts failures like the login page does)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "token"

    @extend_schema(request=TokenInputSerializer, responses={200: TokenOutputSerializer})
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request=request._request, **data.validated_data)
        if user is None or not user.is_active:
            raise ValidationFailed(
                _("用户名或密码不正确。"), code="invalid_credentials"
            )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)


class MeView(APIView):
    """The current user, with their roles and organisations."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class OrganisationViewSet(viewsets.ReadOnlyModelViewSet):
    """The organisation tree as far as the user can see it."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet

    def get_queryset(self):
        if not can_list_organisations(self.request.user):
            return (
                Organisation.objects.none()
                if self.action == "list"
                else Organisation.objects.visible_to(self.request.user)
            )
        return (
            Organisation.objects.visible_to(self.request.user)
            .select_related("parent")
            .order_by("path")
        )

    def list(self, request, *args, **kwargs):
        can_list_organisations(request.user).raise_if_denied()
        return super().list(request, *args, **kwargs)


class MembershipViewSet(
    mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Who holds which role. Writes are for district administrators."""

    serializer_class = MembershipSerializer

    def get_queryset(self):
        orgs = Organisation.objects.visible_to(self.request.user)
        qs = (
            Membership.objects.filter(organisation__in=orgs)
            .select_related("user", "organisation")
            .order_by("pk")
        )
        org = self.request.query_params.get("organisation")
        if org and org.isdigit():
            qs = qs.filter(organisation_id=int(org))
        return qs

    def list(self, request, *args, **kwargs):
        can_list_organisations(request.user).raise_if_denied()
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=MembershipGrantInputSerializer, responses={201: MembershipSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = MembershipGrantInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        org = selectors.organisation_get_for_user(
            data.validated_data["organisation"], request.user
        )
        membership = services.membership_grant(
            actor=request.user,
            user=data.validated_data["username"],
            organisation=org,
            role=data.validated_data["role"],
        )
        return Response(
            MembershipSerializer(membership).data, status=status.HTTP_201_CREATED
        )

    def destroy(self, request, *args, **kwargs):
        membership = self.get_object()
        services.membership_revoke(actor=request.user, membership=membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The current user's notifications (unread first via ?unread=true)."""

    serializer_class = NotificationSerializer

    def get_queryset(self):
        from ..models import Notification

        qs = Notification.objects.visible_to(self.request.user).order_by(
            "-created_at", "-id"
        )
        if self.request.query_params.get("unread") == "true":
            qs = qs.filter(read_at__isnull=True)
        return qs

    @extend_schema(
        request=NotificationReadInputSerializer,
        responses=NotificationReadOutputSerializer,
    )
    @action(detail=False, methods=["post"])
    def read(self, request):
        data = NotificationReadInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        marked = services.notification_mark_read(
            user=request.user, notification_ids=data.validated_data.get("ids")
        )
        return Response({"marked": marked})


class ApiTokenViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Read-only API tokens of street offices, for district administrators (signed in
    or with their personal token; a street token cannot manage tokens)."""

    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return (
            ApiToken.objects.visible_to(self.request.user)
            .select_related("street", "created_by", "revoked_by")
            .order_by("-created_at", "-id")
        )

    def list(self, request, *args, **kwargs):
        can_manage_api_tokens(request.user).raise_if_denied()
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="新建只读 API 令牌（密钥仅此一次返回）",
        request=ApiTokenCreateInputSerializer,
        responses={201: ApiTokenCreatedSerializer},
    )
    def create(self, request, *args, **kwargs):
        can_manage_api_tokens(request.user).raise_if_denied()
        data = ApiTokenCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        street = selectors.organisation_get_for_user(
            data.validated_data["street"], request.user
        )
        token, key = services.api_token_create(
            actor=request.user, street=street, name=data.validated_data["name"]
        )
        token.key = key
        return Response(
            ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(summary="撤销 API 令牌", request=None, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        can_manage_api_tokens(request.user).raise_if_denied()
        token = self.get_queryset().filter(pk=_pk(pk)).first()
        if token is None:
            raise NotFound()
        token = services.api_token_revoke(actor=request.user, token=token)
        return Response(ApiTokenSerializer(token).data)


def _pk(raw) -> int:
    """A path id as an int; anything else is a 404 (never a 500)."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise NotFound() from None
    if value <= 0 or value > 2**63 - 1:
        raise NotFound()
    return value
