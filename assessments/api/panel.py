"""REST adapters of a plan's expert panel under /api/v1/assessments/panel/: the
members (the plan's readers see every seat of the plans they read, a member their
own seats), adding and removing a member (the buyer's officer), the member's own
declaration, and the panel's composition problems. Every write is one of
`assessments.panel`'s services, so the API refuses what the pages refuse, with the
same words."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import User
from core.exceptions import NotFound, ValidationFailed
from core.ids import as_id

from .. import panel as svc
from ..choices import PanelRole
from ..models import PanelMember
from . import access
from .serializers import ID


class PanelMemberSerializer(serializers.ModelSerializer):
    user_name = serializers.CharField(source="user.__str__", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = PanelMember
        fields = [
            "id",
            "plan",
            "user",
            "user_name",
            "role",
            "role_display",
            "declared_at",
            "no_conflict",
            "conflict_note",
            "recused",
            "added_at",
        ]
        read_only_fields = fields


class PanelMemberAddInputSerializer(serializers.Serializer):
    plan = serializers.IntegerField(**ID)
    user = serializers.IntegerField(**ID, help_text="the account id of a pool expert")
    role = serializers.ChoiceField(choices=PanelRole.choices)


class PanelDeclareInputSerializer(serializers.Serializer):
    no_conflict = serializers.BooleanField(
        help_text="true: no conflict of interest; false: a conflict (the member recuses)"
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )


class PanelCheckSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    has_expert_panel = serializers.BooleanField()
    target_experts = serializers.IntegerField(allow_null=True)
    target_peers = serializers.IntegerField(allow_null=True)
    odd_size_required = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.CharField())


class PanelMemberFilterSet(django_filters.FilterSet):
    plan = django_filters.NumberFilter(field_name="plan_id", min_value=1)

    class Meta:
        model = PanelMember
        fields = ["plan"]


def _values(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


@extend_schema_view(
    list=extend_schema(
        summary="考核专家评审组成员",
        description="Seats of the plans the caller reads, and the caller's own seats.",
    ),
    retrieve=extend_schema(summary="评审组成员详情"),
    destroy=extend_schema(summary="移出评审组（尚未评分的成员）"),
)
class PanelMemberViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """A plan's expert panel: members, their declarations, and the composition."""

    serializer_class = PanelMemberSerializer
    filterset_class = PanelMemberFilterSet
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PanelMember.objects.none()
        user = self.request.user
        plans = access.plans_for_user(user).values("pk")
        own = Q(user_id=user.pk) if getattr(user, "pk", None) else Q(pk__in=[])
        return (
            PanelMember.objects.filter(Q(plan__in=plans) | own)
            .select_related("user", "plan__buyer", "plan__district")
            .order_by("plan_id", "role", "pk")
        )

    def get_object(self):
        member = self.get_queryset().filter(pk=as_id(self.kwargs["pk"]) or 0).first()
        if member is None:
            raise NotFound()
        return member

    @extend_schema(
        summary="加入评审组",
        request=PanelMemberAddInputSerializer,
        responses={201: PanelMemberSerializer},
    )
    def create(self, request):
        values = _values(PanelMemberAddInputSerializer, request.data)
        plan = (
            access.plans_for_user(request.user)
            .select_related("buyer", "district")
            .filter(pk=values["plan"])
            .first()
        )
        if plan is None:
            raise NotFound()
        user = User.objects.filter(pk=values["user"]).first()
        member = svc.panel_member_add(
            actor=request.user, plan=plan, user=user, role=values["role"]
        )
        return Response(
            PanelMemberSerializer(member).data, status=status.HTTP_201_CREATED
        )

    def destroy(self, request, pk=None):
        member = self.get_object()
        svc.panel_member_remove(actor=request.user, member=member)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="利害关系声明（成员本人）",
        request=PanelDeclareInputSerializer,
        responses={200: PanelMemberSerializer},
    )
    @action(detail=True, methods=["post"])
    def declare(self, request, pk=None):
        member = self.get_object()
        values = _values(PanelDeclareInputSerializer, request.data)
        member = svc.panel_declare(
            actor=request.user,
            member=member,
            no_conflict=values["no_conflict"],
            note=values["note"],
        )
        return Response(PanelMemberSerializer(member).data)

    @extend_schema(
        summary="评审组组成检查（目标组成与存在的问题）",
        parameters=[OpenApiParameter("plan", int, required=True)],
        responses={200: PanelCheckSerializer},
    )
    @action(detail=False, methods=["get"])
    def check(self, request):
        raw = request.query_params.get("plan")
        if not raw:
            raise ValidationFailed(fields={"plan": [_("请指定考核方案。")]})
        plan = (
            access.plans_for_user(request.user)
            .select_related("district")
            .filter(pk=as_id(raw) or 0)
            .first()
        )
        if plan is None:
            raise NotFound()
        targets = svc.panel_targets(plan)
        data = {
            "plan": plan.pk,
            "has_expert_panel": svc.has_expert_panel(plan),
            "target_experts": targets.experts,
            "target_peers": targets.peers,
            "odd_size_required": targets.odd,
            "problems": svc.panel_check(plan, targets=targets),
        }
        return Response(PanelCheckSerializer(data).data)
