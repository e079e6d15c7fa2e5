from rest_framework import serializers

from ..choices import (
    CreditList,
    CreditResult,
    DocumentKind,
    OrgType,
    PersonRole,
    ReportResult,
)
from ..models import (
    AnnualReport,
    CreditCheck,
    EligibilityDocument,
    RelatedPerson,
    Vendor,
)
from ..permissions import (
    can_add_evidence,
    can_edit_vendor,
    can_record_credit_check,
    can_see_full_id_numbers,
)


class VendorSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="organisation.code", read_only=True)
    name = serializers.CharField(source="organisation.name", read_only=True)
    short_name = serializers.CharField(source="organisation.short_name", read_only=True)
    org_type_display = serializers.CharField(
        source="get_org_type_display", read_only=True
    )
    streets = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Vendor
        fields = [
            "id",
            "code",
            "name",
            "short_name",
            "org_type",
            "org_type_display",
            "uscc",
            "registration_authority",
            "registration_date",
            "legal_representative",
            "address",
            "streets",
            "fulltime_staff",
            "parttime_staff",
            "volunteers",
            "grade",
            "graded_on",
            "status",
            "updated_at",
            "allowed_actions",
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        user = request.user
        actions = []
        if can_edit_vendor(user, obj):
            actions += ["edit", "record_annual_report"]
        if can_add_evidence(user, obj):
            actions += ["add_document", "add_related_person"]
        if can_record_credit_check(user, obj):
            actions.append("record_credit_check")
        return actions


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = EligibilityDocument
        fields = [
            "id",
            "kind",
            "title",
            "valid_from",
            "valid_until",
            "file",
            "created_at",
        ]


class CreditCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = CreditCheck
        fields = [
            "id",
            "list_kind",
            "channel",
            "checked_at",
            "result",
            "note",
            "evidence",
        ]


class AnnualReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = AnnualReport
        fields = ["year", "result"]


class RelatedPersonSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField()

    class Meta:
        model = RelatedPerson
        fields = ["id", "name", "role", "id_number", "former_posts"]

    def get_id_number(self, obj) -> str:
        request = self.context.get("request")
        if request is not None and can_see_full_id_numbers(request.user, obj.vendor):
            return obj.id_number_plain
        return obj.masked_id_number


class VendorDetailSerializer(VendorSerializer):
    documents = DocumentSerializer(many=True, read_only=True)
    credit_checks = CreditCheckSerializer(many=True, read_only=True)
    annual_reports = AnnualReportSerializer(many=True, read_only=True)
    related_persons = RelatedPersonSerializer(many=True, read_only=True)

    class Meta(VendorSerializer.Meta):
        fields = [
            *VendorSerializer.Meta.fields,
            "documents",
            "credit_checks",
            "annual_reports",
            "related_persons",
        ]


class VendorInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    org_type = serializers.ChoiceField(choices=OrgType.choices)
    uscc = serializers.CharField(
        max_length=18, required=False, allow_blank=True, allow_null=True
    )
    registration_authority = serializers.CharField(
        max_length=100, required=False, allow_blank=True
    )
    registration_date = serializers.DateField(required=False, allow_null=True)
    legal_representative = serializers.CharField(
        max_length=60, required=False, allow_blank=True
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    streets = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="street codes"
    )
    fulltime_staff = serializers.IntegerField(min_value=0, required=False)
    parttime_staff = serializers.IntegerField(min_value=0, required=False)
    volunteers = serializers.IntegerField(min_value=0, required=False)
    grade = serializers.CharField(max_length=2, required=False, allow_blank=True)
    graded_on = serializers.DateField(required=False, allow_null=True)


class DocumentInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    valid_from = serializers.DateField(required=False, allow_null=True)
    valid_until = serializers.DateField(required=False, allow_null=True)
    file = serializers.FileField()


class CreditCheckInputSerializer(serializers.Serializer):
    list_kind = serializers.ChoiceField(choices=CreditList.choices)
    channel = serializers.CharField(max_length=120)
    checked_at = serializers.DateTimeField()
    result = serializers.ChoiceField(choices=CreditResult.choices)
    note = serializers.CharField(required=False, allow_blank=True)
    evidence = serializers.FileField(required=False)


class AnnualReportInputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    result = serializers.ChoiceField(choices=ReportResult.choices)


class RelatedPersonInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)
    role = serializers.ChoiceField(choices=PersonRole.choices)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    former_posts = serializers.ListField(child=serializers.DictField(), required=False)


class EligibilityFailureSerializer(serializers.Serializer):
    rule_id = serializers.CharField()
    code = serializers.CharField()
    reason = serializers.CharField()


class EligibilitySerializer(serializers.Serializer):
    vendor = serializers.IntegerField()
    on = serializers.DateField()
    eligible = serializers.BooleanField()
    failures = EligibilityFailureSerializer(many=True)


class ProfileInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    short_name = serializers.CharField(max_length=60, required=False, allow_blank=True)
    uscc = serializers.CharField(max_length=18, required=False, allow_blank=True)
    legal_representative = serializers.CharField(
        max_length=60, required=False, allow_blank=True
    )
    registration_authority = serializers.CharField(
        max_length=100, required=False, allow_blank=True
    )
    registration_date = serializers.DateField(required=False, allow_null=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    fulltime_staff = serializers.IntegerField(min_value=0, required=False)
    parttime_staff = serializers.IntegerField(min_value=0, required=False)
    volunteers = serializers.IntegerField(min_value=0, required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ChangeRequestSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        from ..models import VendorChangeRequest

        model = VendorChangeRequest
        fields = [
            "id",
            "vendor",
            "changes",
            "status",
            "status_display",
            "created_at",
            "decided_at",
            "reason",
            "allowed_actions",
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        from ..permissions import can_decide_change

        request = self.context.get("request")
        if (
            request is None
            or obj.status != "pending"
            or not can_decide_change(request.user, obj.vendor)
        ):
            return []
        return ["approve", "reject"]


class DecisionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True)


class ProfileResultSerializer(serializers.Serializer):
    vendor = VendorSerializer()
    change_request = ChangeRequestSerializer(allow_null=True)


class VendorImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()


class VendorImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    rows = serializers.IntegerField()
