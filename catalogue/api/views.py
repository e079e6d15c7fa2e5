"""REST adapters for the catalogue. Reads share the HTML list's FilterSet; writes call services."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Organisation
from core.exceptions import NotFound, ValidationFailed
from core.forms import query_text

from .. import rules, selectors, services
from ..filtersets import ServiceItemFilterSet
from ..importing import export_csv, export_xlsx
from ..models import CatalogueVersion, Category, RuleParameter, ServiceItem
from .serializers import (
    CatalogueVersionSerializer,
    CategorySerializer,
    DraftInputSerializer,
    ImportInputSerializer,
    ImportResultSerializer,
    JobRefSerializer,
    RuleParameterSerializer,
    ServiceItemInputSerializer,
    ServiceItemSerializer,
    TransitionInputSerializer,
    VersionDiffSerializer,
    WorkingDaysSerializer,
)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Catalogue categories: level 1 (A/B) and the 13 service domains."""

    serializer_class = CategorySerializer
    queryset = Category.objects.order_by("level", "position", "code")
    pagination_class = None


class CatalogueVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Catalogue versions per region and year, with their transitions."""

    serializer_class = CatalogueVersionSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.version_list_for_user(self.request.user)

    def _version(self) -> CatalogueVersion:
        return selectors.version_get_for_user(self.kwargs["pk"], self.request.user)

    def _out(
        self, version: CatalogueVersion, code: int = status.HTTP_200_OK
    ) -> Response:
        version = self.get_queryset().get(pk=version.pk)
        return Response(self.get_serializer(version).data, status=code)

    @extend_schema(
        request=DraftInputSerializer, responses={201: CatalogueVersionSerializer}
    )
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        """Draft a new version (for another year) from this published one."""
        data = DraftInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        draft = services.catalogue_version_draft(
            actor=request.user, source=self._version(), **data.validated_data
        )
        return self._out(draft, status.HTTP_201_CREATED)

    @extend_schema(
        request=TransitionInputSerializer, responses=CatalogueVersionSerializer
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.catalogue_version_publish(
            actor=request.user, version=self._version(), **data.validated_data
        )
        return self._out(version)

    @extend_schema(
        request=TransitionInputSerializer, responses=CatalogueVersionSerializer
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        data = TransitionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.catalogue_version_archive(
            actor=request.user, version=self._version(), **data.validated_data
        )
        return self._out(version)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "against", int, description=_("与之比较的版本编号；缺省为起草来源")
            )
        ],
        responses=VersionDiffSerializer,
    )
    @action(detail=True, methods=["get"])
    def diff(self, request, pk=None):
        """Items added, removed and changed (field by field) between two versions."""
        version = self._version()
        against = request.query_params.get("against")
        if against:
            if not against.isdigit():
                raise ValidationFailed(fields={"against": [_("必须是版本编号。")]})
            other = selectors.version_get_for_user(int(against), request.user)
        else:
            other = selectors.version_default_comparison(version, request.user)
            if other is None:
                raise NotFound(_("没有可比较的版本。"))
        old, new = (other, version) if other.year <= version.year else (version, other)
        return Response(VersionDiffSerializer(selectors.version_diff(old, new)).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("file_format", str, enum=["xlsx", "csv"], default="xlsx")
        ],
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def export(self, request, pk=None):
        version = self._version()
        fmt = request.query_params.get("file_format", "xlsx")
        items = list(version.items.select_related("domain").order_by("code"))
        if fmt == "xlsx":
            response = HttpResponse(
                export_xlsx(items, str(version.year)),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        elif fmt == "csv":
            response = HttpResponse(
                export_csv(items), content_type="text/csv; charset=utf-8"
            )
        else:
            raise ValidationFailed(fields={"file_format": [_("只支持 xlsx 或 csv。")]})
        response["Content-Disposition"] = (
            f'attachment; filename="catalogue-{version.region.code}-{version.year}.{fmt}"'
        )
        return response

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses=ImportResultSerializer,
    )
    @action(detail=True, methods=["post"], url_path="import")
    def import_items(self, request, pk=None):
        """Load a draft's items from .xlsx/.csv: every row or nothing. Bad rows come back
        in `fields` as "<row>.<field>"."""
        version = self._version()
        data = ImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > settings.CATALOGUE_IMPORT_MAX_BYTES:
            raise ValidationFailed(fields={"file": [_("文件过大。")]})
        summary = services.catalogue_import(
            actor=request.user,
            version=version,
            filename=upload.name,
            content=upload.read(),
            mode=data.validated_data["mode"],
        )
        return Response(summary)

    @extend_schema(request=None, responses={202: JobRefSerializer})
    @action(detail=True, methods=["post"])
    def pdf(self, request, pk=None):
        """Queue a PDF of the version; poll /api/v1/jobs/{id}/ until it is done."""
        job = services.catalogue_pdf_request(
            actor=request.user, version=self._version()
        )
        job.refresh_from_db()
        return Response(
            {
                "id": job.pk,
                "status": job.status,
                "url": reverse("api:job-detail", args=[job.pk]),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class ServiceItemViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Service items, filtered like the HTML list (version, domain, outsource_scope, q …).
    Writes are allowed only on draft versions and go through the catalogue services."""

    serializer_class = ServiceItemSerializer
    filterset_class = ServiceItemFilterSet

    def get_queryset(self):
        return selectors.item_list_for_user(self.request.user)

    def get_object(self) -> ServiceItem:
        return selectors.item_get_for_user(self.kwargs["pk"], self.request.user)

    @extend_schema(
        request=ServiceItemInputSerializer, responses={201: ServiceItemSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = ServiceItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        version_pk = values.pop("version", None)
        if version_pk is None:
            raise ValidationFailed(fields={"version": [_("请指定草稿版本。")]})
        version = selectors.version_get_for_user(version_pk, request.user)
        item = services.service_item_create(
            actor=request.user, version=version, data=values
        )
        return Response(
            ServiceItemSerializer(item).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ServiceItemInputSerializer, responses=ServiceItemSerializer)
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        item = self.get_object()
        data = ServiceItemInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values.pop("version", None)
        item = services.service_item_update(actor=request.user, item=item, data=values)
        return Response(ServiceItemSerializer(item).data)

    def destroy(self, request, *args, **kwargs):
        services.service_item_delete(actor=request.user, item=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class RuleParameterViewSet(viewsets.ReadOnlyModelViewSet):
    """Effective-dated rule parameters (every period, every jurisdiction layer)."""

    serializer_class = RuleParameterSerializer

    def get_queryset(self):
        qs = RuleParameter.objects.select_related("jurisdiction").order_by(
            "key", "jurisdiction__path", "valid_from"
        )
        key = query_text(self.request.query_params, "key")
        if key:
            qs = qs.filter(key=key)
        return qs

    @extend_schema(
        parameters=[
            OpenApiParameter("key", str, required=True),
            OpenApiParameter(
                "jurisdiction",
                str,
                required=True,
                description=_("辖区编码，如 CN-51-01-07"),
            ),
            OpenApiParameter(
                "on", OpenApiTypes.DATE, description=_("日期，缺省为今天")
            ),
        ],
        responses=RuleParameterSerializer,
    )
    @action(detail=False, methods=["get"])
    def resolve(self, request):
        """The value in force for a jurisdiction on a date (most specific layer wins)."""
        errors = {}
        key = query_text(request.query_params, "key")
        code = query_text(request.query_params, "jurisdiction")
        if not key:
            errors["key"] = [_("请填写参数键。")]
        if not code:
            errors["jurisdiction"] = [_("请填写辖区编码。")]
        on = _date_param(request, "on", errors)
        if errors:
            raise ValidationFailed(fields=errors)
        jurisdiction = Organisation.objects.filter(code=code).first()
        if jurisdiction is None:
            raise ValidationFailed(fields={"jurisdiction": [_("未知的辖区编码。")]})
        param = rules.rule_parameter_resolve(key, jurisdiction, on)
        return Response(
            RuleParameterSerializer(param, context={"request": request}).data
        )


def _date_param(request, name: str, errors: dict) -> dt.date:
    raw = request.query_params.get(name)
    if not raw:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = [_("日期格式应为 YYYY-MM-DD。")]
        return timezone.localdate()


class WorkingDaysViewSet(viewsets.ViewSet):
    """Deadline arithmetic on the working-day calendar."""

    @extend_schema(
        parameters=[
            OpenApiParameter("start", OpenApiTypes.DATE, required=True),
            OpenApiParameter("days", int, required=True),
            OpenApiParameter(
                "kind",
                str,
                enum=["working_days", "calendar_days"],
                default="working_days",
            ),
        ],
        responses=WorkingDaysSerializer,
    )
    def list(self, request):
        errors: dict = {}
        if not request.query_params.get("start"):
            errors["start"] = [_("请填写开始日期。")]
        start = _date_param(request, "start", errors)
        raw_days = request.query_params.get("days", "")
        kind = request.query_params.get("kind", "working_days")
        if not raw_days.isdigit() or int(raw_days) > 3650:
            errors["days"] = [_("必须是 0 到 3650 之间的整数。")]
        if kind not in ("working_days", "calendar_days"):
            errors["kind"] = [_("只能是 working_days 或 calendar_days。")]
        if errors:
            raise ValidationFailed(fields=errors)
        days = int(raw_days)
        result = (
            rules.add_working_days(start, days)
            if kind == "working_days"
            else rules.add_calendar_days(start, days)
        )
        return Response({"start": start, "days": days, "kind": kind, "result": result})
