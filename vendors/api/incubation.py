"""REST adapters for the incubation pipeline: one POST action per transition."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.exceptions import NotFound

from .. import incubation as services
from ..choices import ApplicationStatus, LogKind
from ..models import (
    IncubationApplication,
    IncubationCentre,
    IncubationLog,
    IntakeRound,
    Vendor,
)
from ..workflows import allowed_actions


class CentreSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    operator = serializers.PrimaryKeyRelatedField(read_only=True)
    rounds = serializers.SerializerMethodField()

    class Meta:
        model = IncubationCentre
        fields = [
            "id",
            "name",
            "region",
            "operator",
            "seats",
            "rooms",
            "address",
            "staff",
            "rounds",
        ]

    def get_rounds(self, obj) -> list[dict]:
        return [
            {
                "id": r.id,
                "name": r.name,
                "opens_on": r.opens_on,
                "closes_on": r.closes_on,
            }
            for r in obj.rounds.all()
        ]


class LogSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncubationLog
        fields = ["id", "kind", "date", "note"]


class ApplicationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = IncubationApplication
        fields = [
            "id",
            "round",
            "vendor",
            "team_name",
            "name",
            "purpose",
            "service_plan",
            "core_members",
            "status",
            "status_display",
            "assessment",
            "seat",
            "agreement_no",
            "start_date",
            "planned_end",
            "extended",
            "graduation",
            "graduated_on",
            "tracking_until",
            "exit_reason",
            "decided_reason",
            "updated_at",
            "allowed_actions",
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return allowed_actions(request.user, obj) if request else []


class ApplicationDetailSerializer(ApplicationSerializer):
    logs = LogSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "logs"]


class ApplyInputSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    vendor = serializers.IntegerField(required=False, allow_null=True)
    team_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    purpose = serializers.CharField()
    service_plan = serializers.CharField()
    core_members = serializers.ListField(child=serializers.DictField(), required=False)


class AdmitInputSerializer(serializers.Serializer):
    scores = serializers.DictField(child=serializers.FloatField())
    comment = serializers.CharField(required=False, allow_blank=True)


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class MoveInInputSerializer(serializers.Serializer):
    agreement_no = serializers.CharField(max_length=60)
    seat = serializers.CharField(max_length=40)
    start_date = serializers.DateField()


class GraduateInputSerializer(serializers.Serializer):
    governance = serializers.BooleanField()
    own_finances = serializers.BooleanField()
    fulltime_staff = serializers.IntegerField(min_value=0)
    flagship_months = serializers.IntegerField(min_value=0)
    score = serializers.FloatField()
    registration = serializers.DictField(required=False)


class LogInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LogKind.choices)
    date = serializers.DateField()
    note = serializers.CharField()


class ApplicationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ApplicationStatus.choices)
    centre = django_filters.NumberFilter(field_name="round__centre_id")
    round = django_filters.NumberFilter(field_name="round_id")

    class Meta:
        model = IncubationApplication
        fields = ["status", "centre", "round"]


class CentreViewSet(viewsets.ReadOnlyModelViewSet):
    """Incubation centres of the user's districts."""

    serializer_class = CentreSerializer

    queryset = (
        IncubationCentre.objects.none()
    )  # for the schema; rows come from get_queryset

    def get_queryset(self):
        q = IncubationCentre.objects.none()
        if getattr(self, "swagger_fake_view", False):
            return q
        for path in self.request.user.district_paths():
            q = q | IncubationCentre.objects.filter(region__path__startswith=path)
        return q.select_related("region").prefetch_related("rounds").order_by("pk")


class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Incubation applications: officers see their district's; a vendor sees its own."""

    filterset_class = ApplicationFilterSet

    def get_queryset(self):
        return (
            IncubationApplication.objects.visible_to(self.request.user, "view")
            .select_related("round__centre__region", "vendor__organisation")
            .order_by("-created_at", "-pk")
        )

    def get_serializer_class(self):
        return (
            ApplicationDetailSerializer
            if self.action == "retrieve"
            else ApplicationSerializer
        )

    def _app(self) -> IncubationApplication:
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (IncubationApplication.DoesNotExist, ValueError) as exc:
            raise NotFound() from exc

    def _out(
        self, app: IncubationApplication, code: int = status.HTTP_200_OK
    ) -> Response:
        return Response(
            ApplicationSerializer(app, context={"request": self.request}).data,
            status=code,
        )

    @extend_schema(request=ApplyInputSerializer, responses={201: ApplicationSerializer})
    def create(self, request):
        """申请: apply to an intake round."""
        data = ApplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        rounds = IntakeRound.objects.filter(
            centre__in=CentreViewSet(request=request).get_queryset()
        )
        try:
            round_ = rounds.get(pk=values.pop("round"))
        except IntakeRound.DoesNotExist as exc:
            raise NotFound() from exc
        vendor_pk = values.pop("vendor", None)
        if vendor_pk is not None:
            values["vendor"] = (
                Vendor.objects.visible_to(request.user, "view")
                .filter(pk=vendor_pk)
                .first()
            )
            if values["vendor"] is None:
                raise NotFound()
        app = services.incubation_apply(actor=request.user, round=round_, data=values)
        return self._out(app, status.HTTP_201_CREATED)

    @extend_schema(request=AdmitInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def admit(self, request, pk=None):
        data = AdmitInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            services.incubation_admit(
                actor=request.user, application=self._app(), **data.validated_data
            )
        )

    @extend_schema(request=ReasonInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            services.incubation_reject(
                actor=request.user,
                application=self._app(),
                reason=data.validated_data.get("reason", ""),
            )
        )

    @extend_schema(request=MoveInInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="move-in")
    def move_in(self, request, pk=None):
        data = MoveInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            services.incubation_move_in(
                actor=request.user, application=self._app(), **data.validated_data
            )
        )

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._out(
            services.incubation_start(actor=request.user, application=self._app())
        )

    @extend_schema(request=ReasonInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            services.incubation_extend(
                actor=request.user,
                application=self._app(),
                reason=data.validated_data.get("reason", ""),
            )
        )

    @extend_schema(request=GraduateInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def graduate(self, request, pk=None):
        data = GraduateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        registration = values.pop("registration", None)
        return self._out(
            services.incubation_graduate(
                actor=request.user,
                application=self._app(),
                checklist=values,
                registration=registration,
            )
        )

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def track(self, request, pk=None):
        return self._out(
            services.incubation_track(actor=request.user, application=self._app())
        )

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._out(
            services.incubation_close(actor=request.user, application=self._app())
        )

    @extend_schema(request=ReasonInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="force-exit")
    def force_exit(self, request, pk=None):
        data = ReasonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            services.incubation_force_exit(
                actor=request.user,
                application=self._app(),
                reason=data.validated_data.get("reason", ""),
            )
        )

    @extend_schema(request=LogInputSerializer, responses={201: LogSerializer})
    @action(detail=True, methods=["post"])
    def logs(self, request, pk=None):
        data = LogInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        log = services.incubation_log_add(
            actor=request.user, application=self._app(), **data.validated_data
        )
        return Response(LogSerializer(log).data, status=status.HTTP_201_CREATED)
