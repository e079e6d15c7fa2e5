"""REST adapters for the supplier register; writes call the vendors services."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.models import Organisation
from core.exceptions import NotPermitted, ValidationFailed

from .. import selectors, services
from ..eligibility import vendor_check_eligibility
from ..filtersets import VendorFilterSet
from ..models import Vendor
from ..permissions import can_list_vendors
from .serializers import (
    AnnualReportInputSerializer,
    AnnualReportSerializer,
    ChangeRequestSerializer,
    CreditCheckInputSerializer,
    CreditCheckSerializer,
    DecisionInputSerializer,
    DocumentInputSerializer,
    DocumentSerializer,
    EligibilitySerializer,
    ProfileInputSerializer,
    ProfileResultSerializer,
    RelatedPersonInputSerializer,
    RelatedPersonSerializer,
    VendorDetailSerializer,
    VendorImportInputSerializer,
    VendorImportResultSerializer,
    VendorInputSerializer,
    VendorSerializer,
)


class ProfileMixin:
    @extend_schema(request=ProfileInputSerializer, responses=ProfileResultSerializer)
    @action(detail=True, methods=["post"])
    def profile(self, request, pk=None):
        """The vendor's own staff edit the profile; legal-field changes become a change request."""
        vendor = selectors.vendor_get_for_user(pk, request.user)
        data = ProfileInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.vendor_profile_submit(
            actor=request.user, vendor=vendor, data=data.validated_data
        )
        vendor = selectors.vendor_get_for_user(pk, request.user)
        ctx = {"request": request}
        return Response(
            {
                "vendor": VendorSerializer(vendor, context=ctx).data,
                "change_request": ChangeRequestSerializer(change, context=ctx).data
                if change
                else None,
            }
        )


class VendorViewSet(
    ProfileMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """The supplier register. Vendor staff see only their own organisation."""

    filterset_class = VendorFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.vendor_list_for_user(self.request.user)

    def get_serializer_class(self):
        return VendorDetailSerializer if self.action == "retrieve" else VendorSerializer

    def get_object(self):
        vendor = selectors.vendor_get_for_user(self.kwargs["pk"], self.request.user)
        if self.action == "retrieve":
            return (
                type(vendor)
                .objects.prefetch_related(
                    "streets",
                    "documents",
                    "credit_checks",
                    "annual_reports",
                    "related_persons",
                )
                .select_related("organisation")
                .get(pk=vendor.pk)
            )
        return vendor

    def list(self, request, *args, **kwargs):
        # Vendor staff have no register to list: their own record is at /vendors/{id}/.
        if not can_list_vendors(request.user) and not selectors.vendor_for_staff(
            request.user
        ):
            raise NotPermitted(can_list_vendors(request.user).reason)
        return super().list(request, *args, **kwargs)

    def _district(self):
        paths = self.request.user.district_paths()
        district = Organisation.objects.filter(path__in=paths).order_by("path").first()
        if district is None:
            raise NotPermitted(_("只有区级管理员和街道工作人员可以登记承接组织。"))
        return district

    @extend_schema(request=VendorInputSerializer, responses={201: VendorSerializer})
    def create(self, request, *args, **kwargs):
        data = VendorInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vendor = services.vendor_create(
            actor=request.user, district=self._district(), data=data.validated_data
        )
        return Response(
            VendorSerializer(vendor, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=VendorInputSerializer, responses=VendorSerializer)
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        vendor = self.get_object()
        data = VendorInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        vendor = services.vendor_update(
            actor=request.user, vendor=vendor, data=data.validated_data
        )
        return Response(VendorSerializer(vendor, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": VendorImportInputSerializer},
        responses=VendorImportResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_vendors(self, request):
        """Register suppliers from .xlsx/.csv: every row or none; bad rows come back in
        `fields` as "<row>.<field>"."""
        from django.conf import settings

        data = VendorImportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > settings.CATALOGUE_IMPORT_MAX_BYTES:
            raise ValidationFailed(fields={"file": [_("文件过大。")]})
        summary = services.vendor_import(
            actor=request.user,
            district=self._district(),
            filename=upload.name,
            content=upload.read(),
        )
        return Response(summary)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "on", OpenApiTypes.DATE, description="date to check; default today"
            )
        ],
        responses=EligibilitySerializer,
    )
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        """Every failed eligibility condition with its rule ID (GPS-06/07, CR-01/08, evidence)."""
        vendor = selectors.vendor_get_for_user(pk, request.user)
        raw = request.query_params.get("on")
        try:
            on = dt.date.fromisoformat(raw) if raw else timezone.localdate()
        except ValueError as exc:
            raise ValidationFailed(
                fields={"on": [_("日期格式应为 YYYY-MM-DD。")]}
            ) from exc
        return Response(vendor_check_eligibility(vendor, on).as_dict())

    @extend_schema(
        request={"multipart/form-data": DocumentInputSerializer},
        responses={201: DocumentSerializer},
    )
    @action(detail=True, methods=["post"])
    def documents(self, request, pk=None):
        vendor = selectors.vendor_get_for_user(pk, request.user)
        data = DocumentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        upload = values.pop("file")
        doc = services.document_add(
            actor=request.user, vendor=vendor, data=values, upload=upload
        )
        return Response(DocumentSerializer(doc).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=CreditCheckInputSerializer, responses={201: CreditCheckSerializer}
    )
    @action(detail=True, methods=["post"], url_path="credit-checks")
    def credit_checks(self, request, pk=None):
        vendor = selectors.vendor_get_for_user(pk, request.user)
        data = CreditCheckInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        upload = values.pop("evidence", None)
        check = services.credit_check_record(
            actor=request.user, vendor=vendor, data=values, upload=upload
        )
        return Response(
            CreditCheckSerializer(check).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=AnnualReportInputSerializer, responses={201: AnnualReportSerializer}
    )
    @action(detail=True, methods=["post"], url_path="annual-reports")
    def annual_reports(self, request, pk=None):
        vendor = selectors.vendor_get_for_user(pk, request.user)
        data = AnnualReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.annual_report_record(
            actor=request.user, vendor=vendor, **data.validated_data
        )
        return Response(
            AnnualReportSerializer(report).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=RelatedPersonInputSerializer, responses={201: RelatedPersonSerializer}
    )
    @action(detail=True, methods=["post"], url_path="related-persons")
    def related_persons(self, request, pk=None):
        vendor = selectors.vendor_get_for_user(pk, request.user)
        data = RelatedPersonInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        person = services.related_person_add(
            actor=request.user, vendor=vendor, data=data.validated_data
        )
        return Response(
            RelatedPersonSerializer(person, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class VendorChangeRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Legal-field change requests of the vendors the user can see."""

    serializer_class = ChangeRequestSerializer

    def get_queryset(self):
        from ..models import VendorChangeRequest

        return (
            VendorChangeRequest.objects.filter(
                vendor__in=Vendor.objects.visible_to(self.request.user, "view")
            )
            .select_related("vendor", "vendor__organisation")
            .order_by("-created_at")
        )

    def _decide(self, request, pk, approve: bool):
        change = selectors.change_request_get_for_user(pk, request.user)
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reason = data.validated_data.get("reason", "")
        if approve:
            change = services.vendor_change_approve(
                actor=request.user, request=change, reason=reason
            )
        else:
            change = services.vendor_change_reject(
                actor=request.user, request=change, reason=reason
            )
        return Response(
            ChangeRequestSerializer(change, context={"request": request}).data
        )

    @extend_schema(request=DecisionInputSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, pk, approve=True)

    @extend_schema(request=DecisionInputSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, pk, approve=False)
