"""REST API of the admission list under /api/v1/admission-list/.

Reads are public for lists in publicity (公示) or published (no login), and for the
district's staff also drafts; objection texts only to the district's staff and the
organisation itself. Every write is one POST per transition through
`assessments.admission`; an unseen object is a 404, a refusal for who the caller is
a 403 with the reason, one for the list's state a 409, bad input a 400 by field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from accounts.authentication import ApiTokenReadOnly
from accounts.choices import OrganisationKind
from accounts.models import Organisation
from core.exceptions import NotFound, ValidationFailed
from core.ids import as_id
from vendors.choices import Standing

from .. import admission as adm
from ..choices import Ending
from ..models import AdmissionEntry, AdmissionList, AdmissionObjection


class ReadPublicWriteAuthenticated(permissions.BasePermission):
    """Anyone reads (the queryset narrows what); writing needs an account, and a
    read-only street token writes nothing."""

    def has_permission(self, request, view) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


class ObjectionSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AdmissionObjection
        fields = [
            "id",
            "kind",
            "kind_display",
            "text",
            "filed_on",
            "status",
            "status_display",
            "decision",
            "decided_on",
        ]


class EntrySerializer(serializers.ModelSerializer):
    vendor_name = serializers.CharField(source="vendor.name", read_only=True)
    proposed_display = serializers.CharField(
        source="get_proposed_display", read_only=True
    )
    standing_display = serializers.CharField(
        source="get_standing_display", read_only=True
    )
    # Plain strings: "" before a decision (keep / warn / eliminate after it).
    previous_standing = serializers.CharField(read_only=True)
    standing = serializers.CharField(read_only=True)
    retenders = serializers.SerializerMethodField()
    objections = serializers.SerializerMethodField()

    class Meta:
        model = AdmissionEntry
        fields = [
            "id",
            "vendor",
            "vendor_name",
            "previous_standing",
            "proposed",
            "proposed_display",
            "standing",
            "standing_display",
            "grades",
            "basis",
            "status",
            "decided_on",
            "cooling_off_until",
            "ending",
            "ends_on",
            "interim_arrangement",
            "retenders",
            "objections",
        ]

    def get_retenders(self, e) -> list[dict[str, Any]]:
        return [
            {"id": p.pk, "code": p.code, "title": p.title} for p in e.retenders.all()
        ]

    def get_objections(self, e) -> list[dict[str, Any]]:
        """Only the district's staff and the organisation itself read them."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not (
            adm.is_district_staff(user, e.admission_list.district)
            or (user.is_authenticated and adm.can_object(user, e).allowed)
        ):
            return []
        return ObjectionSerializer(e.objections.all(), many=True).data


class ListSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    gates = serializers.SerializerMethodField()

    class Meta:
        model = AdmissionList
        fields = [
            "id",
            "title",
            "district",
            "district_name",
            "year",
            "status",
            "status_display",
            "publicity_start",
            "publicity_end",
            "published_on",
            "appeal_until",
            "gates",
        ]

    def get_gates(self, obj) -> str:
        return str(
            _(
                "仅限制比选邀请；政府采购（公开招标、竞争性磋商）中只显示、不作限制（PM-12）。"
            )
        )


class ListDetailSerializer(ListSerializer):
    entries = serializers.SerializerMethodField()

    class Meta(ListSerializer.Meta):
        fields = [*ListSerializer.Meta.fields, "entries"]

    def get_entries(self, obj) -> list[dict[str, Any]]:
        request = self.context.get("request")
        qs = adm.entries_for(obj, getattr(request, "user", None))
        return EntrySerializer(qs, many=True, context=self.context).data


class BuildInput(serializers.Serializer):
    district = serializers.IntegerField()
    year = serializers.IntegerField(min_value=2000, max_value=2100)


class ProposeInput(serializers.Serializer):
    standing = serializers.ChoiceField(choices=Standing.choices)
    reason = serializers.CharField()


class TextInput(serializers.Serializer):
    text = serializers.CharField(max_length=4000)


class DecideInput(serializers.Serializer):
    upheld = serializers.BooleanField()
    decision = serializers.CharField()
    standing = serializers.ChoiceField(
        choices=Standing.choices, required=False, allow_blank=True
    )


class EliminateInput(serializers.Serializer):
    ending = serializers.ChoiceField(choices=Ending.choices)
    ends_on = serializers.DateField(required=False, allow_null=True)
    interim_arrangement = serializers.CharField()


def _values(serializer_class: Any, data: Any) -> dict[str, Any]:
    s = serializer_class(data=data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


@extend_schema_view(
    list=extend_schema(
        summary="准入名单",
        description="Public: lists in publicity or published. The district's staff "
        "also see drafts.",
    ),
    retrieve=extend_schema(summary="准入名单详情（各组织结论、考核等级）"),
)
class AdmissionListViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    permission_classes = [ReadPublicWriteAuthenticated, ApiTokenReadOnly]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return adm.lists_for_user(self.request.user).order_by("-year", "district__code")

    def get_serializer_class(self):
        return ListDetailSerializer if self.action != "list" else ListSerializer

    def get_object(self):
        pk = as_id(self.kwargs.get("pk"))
        obj = self.get_queryset().filter(pk=pk).first() if pk else None
        if obj is None:
            raise NotFound()
        return obj

    @extend_schema(
        summary="拟定年度名单",
        request=BuildInput,
        responses={201: ListDetailSerializer},
    )
    def create(self, request):
        v = _values(BuildInput, request.data)
        district = Organisation.objects.filter(
            pk=v["district"], kind=OrganisationKind.DISTRICT
        ).first()
        if district is None:
            raise ValidationFailed(fields={"district": [_("请选择区。")]})
        alist = adm.admission_list_build(
            actor=request.user, district=district, year=v["year"]
        )
        return Response(
            ListDetailSerializer(alist, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(summary="开始公示", request=None, responses={200: ListSerializer})
    @action(detail=True, methods=["post"])
    def publicise(self, request, pk=None):
        alist = adm.admission_list_publicise(
            actor=request.user, admission_list=self.get_object()
        )
        return Response(ListSerializer(alist).data)

    @extend_schema(summary="发布名单", request=None, responses={200: ListSerializer})
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        alist = adm.admission_list_publish(
            actor=request.user, admission_list=self.get_object()
        )
        return Response(ListSerializer(alist).data)


@extend_schema_view(retrieve=extend_schema(summary="名单中的一个组织"))
class AdmissionEntryViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [ReadPublicWriteAuthenticated, ApiTokenReadOnly]
    serializer_class = EntrySerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return AdmissionEntry.objects.select_related(
            "admission_list__district", "vendor__organisation"
        ).prefetch_related("objections", "retenders")

    def get_object(self):
        pk = as_id(self.kwargs.get("pk"))
        e = self.get_queryset().filter(pk=pk).first() if pk else None
        if e is None:
            raise NotFound()
        alist = (
            adm.lists_for_user(self.request.user).filter(pk=e.admission_list_id).first()
        )
        if (
            alist is None
            or not adm.entries_for(alist, self.request.user).filter(pk=e.pk).exists()
        ):
            raise NotFound()
        return e

    def _out(self, e):
        e = self.get_queryset().get(pk=e.pk)
        return Response(EntrySerializer(e, context={"request": self.request}).data)

    @extend_schema(
        summary="调整拟定结论", request=ProposeInput, responses={200: EntrySerializer}
    )
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        v = _values(ProposeInput, request.data)
        return self._out(
            adm.admission_entry_propose(
                actor=request.user, entry=self.get_object(), **v
            )
        )

    @extend_schema(
        summary="提出异议（公示期）或申诉（发布后）",
        request=TextInput,
        responses={201: ObjectionSerializer},
    )
    @action(detail=True, methods=["post"])
    def object(self, request, pk=None):
        e = self.get_object()
        v = _values(TextInput, request.data)
        o = adm.admission_entry_object(actor=request.user, entry=e, text=v["text"])
        return Response(ObjectionSerializer(o).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="处理待处理的异议或申诉",
        request=DecideInput,
        responses={200: ObjectionSerializer},
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        e = self.get_object()
        v = _values(DecideInput, request.data)
        o = adm.admission_entry_decide(
            actor=request.user,
            entry=e,
            upheld=v["upheld"],
            decision=v["decision"],
            standing=v.get("standing") or None,
        )
        return Response(ObjectionSerializer(o).data)

    @extend_schema(
        summary="淘汰处置：起草重新采购、处理原合同、记录过渡期安排",
        request=EliminateInput,
        responses={200: EntrySerializer},
    )
    @action(detail=True, methods=["post"])
    def eliminate(self, request, pk=None):
        e = self.get_object()
        v = _values(EliminateInput, request.data)
        adm.admission_eliminate(
            actor=request.user,
            entry=e,
            ending=v["ending"],
            ends_on=v.get("ends_on") or "",
            interim_arrangement=v["interim_arrangement"],
        )
        return self._out(e)


router = SimpleRouter()
router.register("entries", AdmissionEntryViewSet, basename="admission-entry")
router.register("", AdmissionListViewSet, basename="admission-list")

urlpatterns = router.urls
