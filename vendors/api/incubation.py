"""REST adapters for the incubation pipeline: one POST action per transition."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Organisation, User
from core.exceptions import NotFound

from .. import incubation as services
from ..choices import LogKind
from ..filtersets import IncubationApplicationFilterSet
from ..models import (
    IncubationApplication,
    IncubationCentre,
    IncubationLog,
    IncubationReview,
    IntakeRound,
    Vendor,
)
from ..workflows import allowed_actions, can_view_as_applicant


class CentreSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    operator = serializers.PrimaryKeyRelatedField(read_only=True)
    staff_accounts = serializers.SlugRelatedField(
        slug_field="username", many=True, read_only=True
    )
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
            "staff_accounts",
            "rounds",
        ]

    def get_rounds(self, obj) -> list[dict]:
        return [
            {
                "id": r.id,
                "name": r.name,
                "opens_on": r.opens_on,
                "closes_on": r.closes_on,
                "description": r.description,
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
    reviews = serializers.SerializerMethodField()

    class Meta(ApplicationSerializer.Meta):
        fields = [*ApplicationSerializer.Meta.fields, "logs", "reviews"]

    def get_reviews(self, obj) -> list[dict]:
        """The panel's sheets; the applicant sees only the decision and its mean."""
        request = self.context.get("request")
        if request is None or can_view_as_applicant(request.user, obj):
            return []
        return ReviewSerializer(obj.reviews.all(), many=True).data


class ApplyInputSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    vendor = serializers.IntegerField(required=False, allow_null=True)
    team_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    purpose = serializers.CharField()
    service_plan = serializers.CharField()
    core_members = serializers.ListField(child=serializers.DictField(), required=False)


class ReviewInputSerializer(serializers.Serializer):
    reviewer = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        help_text="The panel member whose sheet an officer records; an expert scores as themself.",
    )
    scores = serializers.DictField(child=serializers.FloatField())
    comment = serializers.CharField(required=False, allow_blank=True)


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncubationReview
        fields = [
            "id",
            "reviewer",
            "scores",
            "weights",
            "total",
            "comment",
            "created_at",
        ]


class AdmitInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True)


class CentreInputSerializer(serializers.Serializer):
    region = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), required=False
    )
    name = serializers.CharField(max_length=120)
    operator = serializers.PrimaryKeyRelatedField(
        queryset=Vendor.objects.all(), required=False, allow_null=True
    )
    staff = serializers.ListField(child=serializers.DictField(), required=False)
    staff_accounts = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        many=True,
        required=False,
    )
    seats = serializers.IntegerField(min_value=0, required=False)
    rooms = serializers.IntegerField(min_value=0, required=False)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RoundInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    description = serializers.CharField(required=False, allow_blank=True)


class RoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = IntakeRound
        fields = ["id", "name", "opens_on", "closes_on", "description"]


class ReasonInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


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


class CentreViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Incubation centres of the user's districts; officers set them up and open
    intake rounds."""

    serializer_class = CentreSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return IncubationCentre.objects.none()
        return (
            IncubationCentre.objects.visible_to(self.request.user)
            .select_related("region")
            .prefetch_related("rounds", "staff_accounts")
            .order_by("pk")
        )

    def _centre(self) -> IncubationCentre:
        try:
            return self.get_queryset().get(pk=self.kwargs["pk"])
        except (IncubationCentre.DoesNotExist, ValueError) as exc:
            raise NotFound() from exc

    def _data(self, partial: bool) -> dict:
        data = CentreInputSerializer(data=self.request.data, partial=partial)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(request=CentreInputSerializer, responses={201: CentreSerializer})
    def create(self, request):
        """Set up a centre for a district or a street."""
        data = self._data(partial=False)
        centre = services.incubation_centre_save(actor=request.user, data=data)
        return Response(CentreSerializer(centre).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CentreInputSerializer, responses=CentreSerializer)
    def partial_update(self, request, pk=None):
        """Change a centre's operator, staff, capacity or address."""
        centre = self._centre()
        centre = services.incubation_centre_save(
            actor=request.user, centre=centre, data=self._data(partial=True)
        )
        return Response(CentreSerializer(centre).data)

    @extend_schema(request=RoundInputSerializer, responses={201: RoundSerializer})
    @action(detail=True, methods=["post"])
    def rounds(self, request, pk=None):
        """Open an intake round."""
        data = RoundInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        intake = services.intake_round_create(
            actor=request.user, centre=self._centre(), **data.validated_data
        )
        return Response(RoundSerializer(intake).data, status=status.HTTP_201_CREATED)


class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Incubation applications: officers see their district's; a vendor sees its own."""

    filterset_class = IncubationApplicationFilterSet

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
            centre__in=IncubationCentre.objects.visible_to(request.user)
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

    @extend_schema(request=ReviewInputSerializer, responses={201: ReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """评估: one panel member's score sheet."""
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sheet = services.incubation_review_record(
            actor=request.user, application=self._app(), **data.validated_data
        )
        return Response(ReviewSerializer(sheet).data, status=status.HTTP_201_CREATED)

    def _act(self, service, input_serializer=None) -> Response:
        """Validate the body (when the action takes one), run the transition's
        service on the visible application, answer with the application."""
        values: dict = {}
        if input_serializer is not None:
            data = input_serializer(data=self.request.data)
            data.is_valid(raise_exception=True)
            values = dict(data.validated_data)
        return self._out(
            service(actor=self.request.user, application=self._app(), **values)
        )

    @extend_schema(request=AdmitInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def admit(self, request, pk=None):
        return self._act(services.incubation_admit, AdmitInputSerializer)

    @extend_schema(request=ReasonInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._act(services.incubation_reject, ReasonInputSerializer)

    @extend_schema(request=MoveInInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="move-in")
    def move_in(self, request, pk=None):
        return self._act(services.incubation_move_in, MoveInInputSerializer)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        return self._act(services.incubation_start)

    @extend_schema(request=ReasonInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request, pk=None):
        return self._act(services.incubation_extend, ReasonInputSerializer)

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
        return self._act(services.incubation_track)

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._act(services.incubation_close)

    @extend_schema(request=ReasonInputSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], url_path="force-exit")
    def force_exit(self, request, pk=None):
        return self._act(services.incubation_force_exit, ReasonInputSerializer)

    @extend_schema(request=LogInputSerializer, responses={201: LogSerializer})
    @action(detail=True, methods=["post"])
    def logs(self, request, pk=None):
        data = LogInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        log = services.incubation_log_add(
            actor=request.user, application=self._app(), **data.validated_data
        )
        return Response(LogSerializer(log).data, status=status.HTTP_201_CREATED)
