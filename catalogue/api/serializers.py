from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import AuxStep
from ..models import CatalogueVersion, Category, RuleParameter, ServiceItem
from ..services import ImportMode
from ..workflows import allowed_actions


class CategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "level", "parent"]


class CatalogueVersionSerializer(serializers.ModelSerializer):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    region_name = serializers.CharField(source="region.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = CatalogueVersion
        fields = [
            "id",
            "region",
            "region_name",
            "year",
            "title",
            "status",
            "status_display",
            "based_on",
            "item_count",
            "published_at",
            "archived_at",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return allowed_actions(request.user, obj) if request else []


class ServiceItemSerializer(serializers.ModelSerializer):
    """Output of an item. `allowed_steps` are stable step codes."""

    domain = serializers.SlugRelatedField(slug_field="code", read_only=True)
    domain_name = serializers.CharField(source="domain.name", read_only=True)
    outsource_scope_display = serializers.CharField(
        source="get_outsource_scope_display", read_only=True
    )
    unit_display = serializers.CharField(source="get_unit_display", read_only=True)
    reference_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, read_only=True
    )

    class Meta:
        model = ServiceItem
        fields = [
            "id",
            "version",
            "code",
            "name",
            "domain",
            "domain_name",
            "service_class",
            "matter_type",
            "legal_basis",
            "decision_authority",
            "authority_level",
            "outsource_scope",
            "outsource_scope_display",
            "allowed_steps",
            "deliverable",
            "prohibited_reason",
            "unit",
            "unit_display",
            "service_standard",
            "assessment_standard",
            "assessment_method",
            "price_basis",
            "reference_price",
            "annual_volume",
            "change_note",
            "updated_at",
        ]


class ServiceItemInputSerializer(serializers.Serializer):
    """Input for creating or changing an item of a draft; the service checks the rules."""

    version = serializers.IntegerField(
        required=False, help_text=_("创建时必填：草稿版本的编号")
    )
    code = serializers.CharField(max_length=20)
    name = serializers.CharField(max_length=120)
    domain = serializers.CharField(max_length=20, help_text=_("服务领域编码，如 A03"))
    service_class = serializers.CharField(max_length=20)
    matter_type = serializers.CharField(max_length=40)
    legal_basis = serializers.CharField()
    decision_authority = serializers.CharField(max_length=200)
    authority_level = serializers.CharField(max_length=20)
    outsource_scope = serializers.CharField(max_length=20)
    allowed_steps = serializers.ListField(
        child=serializers.ChoiceField(choices=AuxStep.choices), required=False
    )
    deliverable = serializers.CharField(required=False, allow_blank=True)
    prohibited_reason = serializers.CharField(required=False, allow_blank=True)
    unit = serializers.CharField(max_length=20)
    service_standard = serializers.CharField()
    assessment_standard = serializers.CharField()
    assessment_method = serializers.CharField()
    price_basis = serializers.CharField(max_length=20, required=False)
    reference_price = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=0
    )
    annual_volume = serializers.IntegerField(
        min_value=0, max_value=10_000_000, required=False
    )
    change_note = serializers.CharField(required=False, allow_blank=True)


class DraftInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)


class TransitionInputSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=500, required=False, allow_blank=True)


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.MERGE)


class ImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    removed = serializers.IntegerField()
    rows = serializers.IntegerField()


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.JSONField()
    new = serializers.JSONField()


class ItemChangeSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class DiffItemSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class VersionDiffSerializer(serializers.Serializer):
    old = serializers.IntegerField(source="old.pk")
    new = serializers.IntegerField(source="new.pk")
    added = DiffItemSerializer(many=True)
    removed = DiffItemSerializer(many=True)
    changed = ItemChangeSerializer(many=True)
    unchanged = serializers.IntegerField()


class RuleParameterSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.SlugRelatedField(slug_field="code", read_only=True)
    description = serializers.CharField(read_only=True)

    class Meta:
        model = RuleParameter
        fields = [
            "id",
            "key",
            "jurisdiction",
            "valid_from",
            "valid_to",
            "value_type",
            "value",
            "rule_ids",
            "source",
            "verification",
            "confidence",
            "description",
        ]


class JobRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    url = serializers.CharField()


class WorkingDaysSerializer(serializers.Serializer):
    start = serializers.DateField()
    days = serializers.IntegerField()
    kind = serializers.CharField()
    result = serializers.DateField()
