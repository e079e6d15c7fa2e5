"""Serializers of the assessments API: named output serializers, and input
serializers that check only the shape; the rules (weights summing to 100, scores
inside their scale, who rates for which group) live in the services, so the API and
the pages refuse the same things with the same words.

No serializer here names a rater of a resident card or a card's token: residents are
anonymous, and the token's id would link an answer to a printed QR batch.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organisation

from ..choices import MissingGroupRule, PeriodKind, RaterKind, Scale
from ..explain import grade_label, line_level, render_line, render_lines
from ..models import (
    AssessmentPlan,
    AssessmentRound,
    Indicator,
    RaterGroup,
    RoundResult,
    Scorecard,
)

ID = {"min_value": 1, "max_value": 2**63 - 1}
WEIGHT = {"max_digits": 6, "decimal_places": 2}

# --- small pieces ----------------------------------------------------------------------


class AssessmentOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name"]


class AssessmentContractSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()
    vendor = serializers.CharField(source="vendor.organisation.name")


class IndicatorSerializer(serializers.ModelSerializer):
    """A node of the indicator tree (parents come before their children)."""

    scale = serializers.CharField(read_only=True)

    parent = serializers.SerializerMethodField(help_text="the parent's code")
    depth = serializers.SerializerMethodField(help_text="0 for a first-level node")
    scale_display = serializers.CharField(source="get_scale_display", read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "name",
            "parent",
            "depth",
            "weight",
            "scale",
            "scale_display",
            "max_points",
            "levels",
            "standard",
            "item_code",
        ]
        read_only_fields = fields

    def _codes(self) -> dict[int, Indicator]:
        return self.context.get("indicators_by_pk", {})

    def get_parent(self, obj: Indicator) -> str | None:
        parent = self._codes().get(obj.parent_id) if obj.parent_id else None
        return parent.code if parent is not None else None

    def get_depth(self, obj: Indicator) -> int:
        by_pk, depth, node = self._codes(), 0, obj
        while node.parent_id and node.parent_id in by_pk and depth < 50:
            node = by_pk[node.parent_id]
            depth += 1
        return depth


class RaterGroupSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = RaterGroup
        fields = ["kind", "kind_display", "weight", "quorum", "replaces"]
        read_only_fields = fields


class AssessmentRoundBriefSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AssessmentRound
        fields = [
            "id",
            "label",
            "period_start",
            "period_end",
            "status",
            "status_display",
            "scored_at",
        ]
        read_only_fields = fields


# --- plans -----------------------------------------------------------------------------


class AssessmentPlanSerializer(serializers.ModelSerializer):
    """A plan in a list."""

    period_kind = serializers.CharField(read_only=True)
    missing_rule = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)

    buyer = AssessmentOrganisationSerializer(read_only=True)
    district = AssessmentOrganisationSerializer(read_only=True)
    contracts = serializers.SerializerMethodField()
    period_kind_display = serializers.CharField(
        source="get_period_kind_display", read_only=True
    )
    missing_rule_display = serializers.CharField(
        source="get_missing_rule_display", read_only=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = AssessmentPlan
        fields = [
            "id",
            "name",
            "year",
            "period_kind",
            "period_kind_display",
            "missing_rule",
            "missing_rule_display",
            "status",
            "status_display",
            "buyer",
            "district",
            "contracts",
            "created_at",
        ]
        read_only_fields = fields

    def get_contracts(self, obj: AssessmentPlan) -> list[int]:
        return [c.pk for c in obj.contracts.all()]


class AssessmentPlanDetailSerializer(AssessmentPlanSerializer):
    """A plan with its indicator tree, rater groups and rounds."""

    contracts = AssessmentContractSerializer(many=True, read_only=True)
    indicators = serializers.SerializerMethodField()
    groups = RaterGroupSerializer(many=True, read_only=True)
    rounds = AssessmentRoundBriefSerializer(many=True, read_only=True)

    class Meta(AssessmentPlanSerializer.Meta):
        fields = [
            *AssessmentPlanSerializer.Meta.fields,
            "indicators",
            "groups",
            "rounds",
        ]
        read_only_fields = fields

    @extend_schema_field(IndicatorSerializer(many=True))
    def get_indicators(self, obj: AssessmentPlan) -> Any:
        return indicator_tree(list(obj.indicators.all()))


def indicator_tree(indicators: list[Indicator]) -> Any:
    """The indicators, parents first, each with its parent's code and depth."""
    by_pk = {i.pk: i for i in indicators}
    return IndicatorSerializer(
        indicators, many=True, context={"indicators_by_pk": by_pk}
    ).data


class IndicatorInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)
    parent = serializers.CharField(
        max_length=30,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="the parent's code; empty for a first-level indicator",
    )
    weight = serializers.DecimalField(**WEIGHT, help_text="siblings sum to 100")
    scale = serializers.ChoiceField(choices=Scale.choices, default=Scale.POINTS)
    max_points = serializers.DecimalField(
        max_digits=7, decimal_places=2, required=False, default=100
    )
    levels = serializers.DictField(
        child=serializers.DecimalField(max_digits=5, decimal_places=2),
        required=False,
        help_text="level code → percent (scale levels)",
    )
    standard = serializers.CharField(required=False, allow_blank=True, default="")
    item_code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default=""
    )


class RaterGroupInputSerializer(serializers.Serializer):
    # A plain string in the schema (checked here): "kind" names other enums elsewhere.
    kind = serializers.CharField(max_length=20, help_text=" | ".join(RaterKind.values))
    weight = serializers.DecimalField(**WEIGHT, min_value=0)
    quorum = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    replaces = serializers.BooleanField(default=False)

    def validate_kind(self, value: str) -> str:
        if value not in RaterKind.values:
            raise serializers.ValidationError(_("未知的评价主体。"))
        return value


class AssessmentPlanCreateInputSerializer(serializers.Serializer):
    """考核方案 for contracts of one street. The indicator tree is given, or built
    from a template (the four dimensions 决策/过程/产出/效益, or one indicator per
    contracted item); the rater groups are given, or the district's default weights."""

    name = serializers.CharField(max_length=200)
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
    contracts = serializers.ListField(
        child=serializers.IntegerField(**ID), allow_empty=False, max_length=500
    )
    template = serializers.ChoiceField(
        choices=[("dimensions", "dimensions"), ("items", "items")],
        default="dimensions",
    )
    indicators = IndicatorInputSerializer(
        many=True, required=False, help_text="replaces the template"
    )
    groups = RaterGroupInputSerializer(
        many=True, required=False, help_text="default: the district's weights"
    )
    missing_rule = serializers.ChoiceField(
        choices=MissingGroupRule.choices, default=MissingGroupRule.REWEIGHT
    )


# --- rounds ----------------------------------------------------------------------------


class AssessmentRoundOpenInputSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=60)
    period_start = serializers.DateField()
    period_end = serializers.DateField()


class CardCountSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    group = serializers.CharField()
    group_display = serializers.CharField()
    cards = serializers.IntegerField()


class ResultSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = AssessmentContractSerializer()
    status = serializers.CharField()
    total = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    grade = serializers.CharField()
    grade_display = serializers.CharField()


class RoundJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField()


class AssessmentRoundDetailSerializer(serializers.Serializer):
    """A round: its plan, indicator tree and groups, the contracts the caller rates,
    and for the buyer's side the card counts, the scoring job and the results."""

    id = serializers.IntegerField()
    plan = serializers.IntegerField()
    plan_name = serializers.CharField()
    label = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    scored_at = serializers.DateTimeField(allow_null=True)
    indicators = IndicatorSerializer(many=True)
    groups = RaterGroupSerializer(many=True)
    contracts = AssessmentContractSerializer(many=True)
    rated_contracts = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="the contracts the caller may submit a card for",
    )
    card_counts = CardCountSerializer(
        many=True, allow_null=True, help_text="null unless the caller reads the plan"
    )
    job = RoundJobSerializer(
        allow_null=True, help_text="the latest scoring job (GET /api/v1/jobs/{id}/)"
    )
    results = ResultSummarySerializer(many=True, allow_null=True)


class ScorecardSubmitInputSerializer(serializers.Serializer):
    contract = serializers.IntegerField(**ID)
    community = serializers.IntegerField(
        **ID, required=False, allow_null=True, help_text="the community spoken for"
    )
    answers = serializers.DictField(
        help_text="leaf indicator code → points, level code, true/false, or null (n/a)"
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000
    )
    paper = serializers.BooleanField(
        default=False,
        help_text="community staff typing in a resident's paper questionnaire",
    )


class ScorecardSerializer(serializers.ModelSerializer):
    """A submitted card: never its rater's identity for a resident card, never its
    token."""

    group = serializers.CharField(read_only=True)
    source = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)

    group_display = serializers.CharField(source="get_group_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)

    class Meta:
        model = Scorecard
        fields = [
            "id",
            "round",
            "contract",
            "group",
            "group_display",
            "community",
            "source",
            "source_display",
            "answers",
            "comment",
            "status",
            "submitted_at",
        ]
        read_only_fields = fields


# --- results ---------------------------------------------------------------------------


class ExplanationLineSerializer(serializers.Serializer):
    """One line of a score's explanation: its message code and parameters as stored,
    and its text in the request's language (a line stored as text before the codes
    existed has an empty code)."""

    code = serializers.CharField(help_text="message code (assessments.explain.LINES)")
    params = serializers.DictField(help_text="the message's parameters")
    level = serializers.IntegerField(help_text="0: a main line; 1: a detail under it")
    text = serializers.CharField(help_text="the line in the request's language")


class RoundResultSerializer(serializers.ModelSerializer):
    """A contract's result for a round, with the full breakdown and the explanation:
    lines that recompute the total, as text in the request's language
    (`explanation`) and as message codes with their parameters (`explanation_lines`)."""

    contract = AssessmentContractSerializer(read_only=True)
    vendor = serializers.CharField(source="vendor.organisation.name", read_only=True)
    round_label = serializers.CharField(source="round.label", read_only=True)
    grade_display = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    explanation_lines = serializers.SerializerMethodField()
    breakdown = serializers.JSONField(read_only=True)

    class Meta:
        model = RoundResult
        fields = [
            "id",
            "round",
            "round_label",
            "contract",
            "vendor",
            "status",
            "total",
            "grade",
            "grade_display",
            "explanation",
            "explanation_lines",
            "breakdown",
            "inputs_digest",
            "computed_at",
        ]
        read_only_fields = fields

    def get_grade_display(self, obj: RoundResult) -> str:
        return grade_display(obj.grade)

    def get_explanation(self, obj: RoundResult) -> list[str]:
        return render_lines((obj.breakdown or {}).get("explanation"))

    @extend_schema_field(ExplanationLineSerializer(many=True))
    def get_explanation_lines(self, obj: RoundResult) -> list[dict[str, Any]]:
        out = []
        for line in (obj.breakdown or {}).get("explanation") or []:
            structured = isinstance(line, dict)
            out.append(
                {
                    "code": str(line.get("code", "")) if structured else "",
                    "params": (line.get("params") or {}) if structured else {},
                    "level": line_level(line),
                    "text": render_line(line).strip(),
                }
            )
        return out


def grade_display(grade: str) -> str:
    return grade_label(grade) if grade else ""
