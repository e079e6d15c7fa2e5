"""Serializers of the contracts API: named output serializers, and input serializers
that check only the shape; the rules (and their field-named messages) live in the
services, so the API and the pages refuse the same things with the same words."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Organisation

from ..choices import (
    ChangeKind,
    ChangeReason,
    DeliveryStatus,
    EvidenceKind,
    ExtraWorkSide,
    TerminationKind,
)
from ..models import (
    Contract,
    ContractChange,
    ContractFeedEntry,
    DeliveryRecord,
    Evidence,
    ExtensionRequest,
    ExtraWork,
    PaymentTranche,
    ResidualWork,
)

MONEY = {"max_digits": 14, "decimal_places": 2}

# --- small pieces ----------------------------------------------------------------------


class ContractPartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name"]


class ContractVendorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="organisation.name")
    organisation = serializers.IntegerField(source="organisation_id")


class ContractProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    title = serializers.CharField()


# --- contracts -------------------------------------------------------------------------


class ContractSerializer(serializers.ModelSerializer):
    """A contract in a list: who, what, status, term and value."""

    buyer = ContractPartySerializer(read_only=True)
    district = ContractPartySerializer(read_only=True)
    vendor = ContractVendorSerializer(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "code",
            "title",
            "status",
            "status_display",
            "version",
            "buyer",
            "district",
            "vendor",
            "award",
            "value",
            "original_value",
            "start_on",
            "end_on",
            "term_years",
            "signed_on",
            "published_on",
            "filed_on",
            "terminated_on",
            "completed_on",
            "feed_seq",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContractAmountsSerializer(serializers.Serializer):
    value = serializers.DecimalField(**MONEY)
    paid = serializers.DecimalField(**MONEY)
    approved = serializers.DecimalField(**MONEY, help_text="approved, not yet paid")
    deductions = serializers.DecimalField(**MONEY)
    outstanding = serializers.DecimalField(**MONEY, help_text="still to pay (due)")
    overdue = serializers.DecimalField(**MONEY, help_text="planned date passed, unpaid")


class ContractTermSerializer(serializers.Serializer):
    start_on = serializers.DateField()
    end_on = serializers.DateField()
    term_years = serializers.IntegerField()
    multi_year_stated = serializers.BooleanField()


class ContractDeadlinesSerializer(serializers.Serializer):
    """TL-13 signing, TL-14 publication and TL-15 filing: due dates, acts, flags."""

    award_notice_on = serializers.DateField()
    sign_due = serializers.DateField()
    vendor_signed_at = serializers.DateTimeField(allow_null=True)
    signed_on = serializers.DateField(allow_null=True)
    publish_due = serializers.DateField(allow_null=True)
    published_on = serializers.DateField(allow_null=True)
    publication_url = serializers.CharField()
    file_due = serializers.DateField(allow_null=True)
    filed_on = serializers.DateField(allow_null=True)
    filing_ref = serializers.CharField()
    sign_overdue = serializers.BooleanField()
    publish_overdue = serializers.BooleanField()
    file_overdue = serializers.BooleanField()


class ContractProgressRowSerializer(serializers.Serializer):
    """One item in one community: target, delivered (confirmed by the community),
    awaiting confirmation, disputed, % done, and what community staff still do."""

    id = serializers.IntegerField(help_text="contract item id")
    item_id = serializers.IntegerField()
    item_code = serializers.CharField()
    item_name = serializers.CharField()
    community_id = serializers.IntegerField()
    community = serializers.CharField()
    unit = serializers.CharField()
    unit_label = serializers.CharField()
    target = serializers.IntegerField()
    delivered = serializers.IntegerField()
    awaiting = serializers.IntegerField()
    disputed = serializers.IntegerField()
    pct = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    residual_records = serializers.IntegerField()
    residual_hours = serializers.DecimalField(max_digits=9, decimal_places=1)


class ContractObligationSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="sign, publish, file, tranche:<n>, end")
    label = serializers.CharField()
    due_on = serializers.DateField()
    overdue = serializers.BooleanField()


class PaymentTrancheSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    payable = serializers.DecimalField(**MONEY, read_only=True)
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = PaymentTranche
        fields = [
            "number",
            "kind",
            "kind_display",
            "share",
            "amount",
            "due_on",
            "needs_acceptance",
            "period_label",
            "min_grade",
            "deduction_share",
            "status",
            "status_display",
            "grade",
            "score",
            "deduction",
            "deduction_reason",
            "payable",
            "requested_at",
            "approved_at",
            "paid_on",
            "paid_amount",
            "payment_ref",
            "allowed_actions",
        ]
        read_only_fields = fields

    def get_allowed_actions(self, obj: PaymentTranche) -> list[str]:
        from ..workflows import tranche_allowed_actions

        request = self.context.get("request")
        return tranche_allowed_actions(request.user, obj) if request else []


class ContractChangeSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    reason_display = serializers.CharField(
        source="get_reason_code_display", read_only=True
    )
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ContractChange
        fields = [
            "id",
            "number",
            "kind",
            "kind_display",
            "reason_code",
            "reason_display",
            "rationale",
            "value_delta",
            "new_end_on",
            "item_changes",
            "status",
            "status_display",
            "proposed_by_vendor",
            "proposed_at",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields


class ExtensionRequestSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    item = serializers.SerializerMethodField()

    class Meta:
        model = ExtensionRequest
        fields = [
            "id",
            "contract_item",
            "item",
            "reason",
            "current_end_on",
            "requested_end_on",
            "snapshot",
            "status",
            "status_display",
            "requested_at",
            "decided_at",
            "decision_reason",
        ]
        read_only_fields = fields

    def get_item(self, obj: ExtensionRequest) -> str | None:
        ci = obj.contract_item
        return None if ci is None else f"{ci.item.code} · {ci.community.name}"


class ContractDetailSerializer(serializers.Serializer):
    """A contract with everything a client polls for: status, parties, term, value,
    paid and due amounts, per-community progress, tranches, open changes and
    extension requests, the next obligations and what the caller may do now."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_display = serializers.CharField()
    version = serializers.IntegerField()
    buyer = ContractPartySerializer()
    district = ContractPartySerializer()
    vendor = ContractVendorSerializer()
    project = ContractProjectSerializer()
    award = serializers.IntegerField()
    term = ContractTermSerializer()
    original_value = serializers.DecimalField(**MONEY)
    value = serializers.DecimalField(**MONEY)
    amounts = ContractAmountsSerializer()
    performance_bond = serializers.DecimalField(**MONEY, allow_null=True)
    bond_form = serializers.CharField()
    deadlines = ContractDeadlinesSerializer()
    termination_kind = serializers.CharField()
    termination_reason = serializers.CharField()
    terminated_on = serializers.DateField(allow_null=True)
    completed_on = serializers.DateField(allow_null=True)
    progress = ContractProgressRowSerializer(many=True)
    tranches = PaymentTrancheSerializer(many=True)
    open_changes = ContractChangeSerializer(many=True)
    open_extensions = ExtensionRequestSerializer(many=True)
    next_obligations = ContractObligationSerializer(many=True)
    allowed_actions = serializers.ListField(child=serializers.CharField())
    feed_seq = serializers.IntegerField(help_text="id of the newest change-feed row")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


# --- the change feed -------------------------------------------------------------------


class ContractFeedQueryInputSerializer(serializers.Serializer):
    cursor = serializers.IntegerField(
        required=False,
        default=0,
        min_value=0,
        max_value=2**63 - 1,
        help_text="next_cursor of the previous page (0 or omitted: from the start)",
    )
    limit = serializers.IntegerField(
        required=False, default=100, min_value=1, max_value=500
    )


class ContractFeedEntrySerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="contract.code", read_only=True)
    at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ContractFeedEntry
        fields = ["id", "contract", "code", "action", "status", "version", "at"]
        read_only_fields = fields


class ContractFeedPageSerializer(serializers.Serializer):
    results = ContractFeedEntrySerializer(many=True)
    next_cursor = serializers.CharField(
        help_text="pass as `cursor` next time: the id of the last row, or the given "
        "cursor when there was nothing new"
    )


# --- inputs of the contract's own transitions ------------------------------------------


class ContractTrancheInputSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False, allow_blank=True)
    share = serializers.CharField(required=False, allow_blank=True)
    due_on = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    needs_acceptance = serializers.BooleanField(required=False, default=False)
    period_label = serializers.CharField(
        required=False, allow_blank=True, max_length=60
    )
    min_grade = serializers.CharField(required=False, allow_blank=True)
    deduction_share = serializers.CharField(required=False, allow_blank=True)


class ContractCreateInputSerializer(serializers.Serializer):
    """合同 from a final award. Everything but the award has a default: the term
    from the procurement, the tranches from the district's rule parameters, the
    statutory clauses from the award."""

    award = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    start_on = serializers.DateField(required=False)
    end_on = serializers.DateField(required=False)
    code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    performance_bond = serializers.CharField(
        required=False, allow_blank=True, allow_null=True
    )
    bond_form = serializers.CharField(required=False, allow_blank=True, max_length=60)
    tranches = ContractTrancheInputSerializer(many=True, required=False)
    clauses = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False
    )


class ContractCountersignInputSerializer(serializers.Serializer):
    signed_on = serializers.DateField(required=False, help_text="default: today")


class ContractPublicationInputSerializer(serializers.Serializer):
    published_on = serializers.DateField()
    url = serializers.URLField(required=False, allow_blank=True, max_length=200)


class ContractFilingInputSerializer(serializers.Serializer):
    filed_on = serializers.DateField()
    ref = serializers.CharField(required=False, allow_blank=True, max_length=80)


class ContractTerminateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=TerminationKind.choices)
    reason = serializers.CharField()
    terminated_on = serializers.DateField()


class ContractCompleteInputSerializer(serializers.Serializer):
    completed_on = serializers.DateField(required=False, help_text="default: today")


class PaymentTranchePayInputSerializer(serializers.Serializer):
    paid_on = serializers.DateField()
    payment_ref = serializers.CharField(required=False, allow_blank=True, max_length=80)
    amount = serializers.CharField(
        required=False, allow_blank=True, help_text="default: the payable amount"
    )


# --- changes and extensions ------------------------------------------------------------


class ContractItemChangeInputSerializer(serializers.Serializer):
    item = serializers.CharField(help_text="catalogue item id or code")
    community = serializers.CharField(help_text="community id or code")
    target = serializers.IntegerField(min_value=0, help_text="0 cancels the item")


class ContractChangeProposeInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    reason_code = serializers.ChoiceField(choices=ChangeReason.choices)
    rationale = serializers.CharField()
    value_delta = serializers.CharField(required=False, allow_blank=True, default="0")
    new_end_on = serializers.DateField(required=False, allow_null=True)
    item_changes = ContractItemChangeInputSerializer(many=True, required=False)


class ContractChangeDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="required when rejecting"
    )


class ExtensionRequestInputSerializer(serializers.Serializer):
    reason = serializers.CharField()
    requested_end_on = serializers.DateField()
    contract_item = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="one deliverable (contract item id); omit for the whole contract",
    )


class ExtensionDecisionInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text="required when refusing"
    )


# --- deliveries, residual and extra work -----------------------------------------------


class DeliveryEvidenceSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    duplicate_of = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "size",
            "sha256",
            "captured_at",
            "latitude",
            "longitude",
            "duplicate_of",
            "duplicate_distance",
            "uploaded_at",
        ]
        read_only_fields = fields


class DeliveryRecordSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    item_code = serializers.CharField(source="contract_item.item.code", read_only=True)
    community = serializers.IntegerField(
        source="contract_item.community_id", read_only=True
    )
    community_name = serializers.CharField(
        source="contract_item.community.name", read_only=True
    )
    evidence = DeliveryEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = DeliveryRecord
        fields = [
            "id",
            "contract_item",
            "item_code",
            "community",
            "community_name",
            "period_start",
            "period_end",
            "count",
            "notes",
            "status",
            "status_display",
            "reported_at",
            "reviewed_at",
            "dispute_reason",
            "evidence",
        ]
        read_only_fields = fields


class DeliveryReportInputSerializer(serializers.Serializer):
    """A delivery report. As multipart: the fields, plus the evidence files as
    repeated `photos`, `sign_in_sheets` and `files` parts."""

    contract_item = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="contract item id"
    )
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    count = serializers.IntegerField(help_text="output in the item's unit")
    notes = serializers.CharField(required=False, allow_blank=True)
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, allow_empty=True
    )
    sign_in_sheets = serializers.ListField(
        child=serializers.FileField(), required=False, allow_empty=True
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, allow_empty=True
    )


# Multipart part name → evidence kind.
EVIDENCE_PARTS = {
    "photos": EvidenceKind.PHOTO,
    "sign_in_sheets": EvidenceKind.SIGN_IN,
    "files": EvidenceKind.FILE,
}


class DeliveryQueryInputSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=DeliveryStatus.choices, required=False)
    community = serializers.IntegerField(
        required=False, min_value=1, max_value=2**63 - 1
    )


class DeliveryConfirmInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True)


class DeliveryDisputeInputSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ResidualWorkSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResidualWork
        fields = [
            "id",
            "contract_item",
            "happened_on",
            "description",
            "hours",
            "reason",
            "recorded_at",
        ]
        read_only_fields = fields


class ResidualWorkInputSerializer(serializers.Serializer):
    contract_item = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="contract item id"
    )
    happened_on = serializers.DateField()
    description = serializers.CharField()
    hours = serializers.CharField(help_text="hours, e.g. 2.5")
    reason = serializers.CharField()


class ExtraWorkSerializer(serializers.ModelSerializer):
    side_display = serializers.CharField(source="get_side_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ExtraWork
        fields = [
            "id",
            "community",
            "side",
            "side_display",
            "requested_by_name",
            "description",
            "assigned_on",
            "hours",
            "status",
            "status_display",
            "compensated",
            "compensation",
            "vendor_response",
            "decision_note",
            "recorded_at",
            "decided_at",
        ]
        read_only_fields = fields


class ExtraWorkInputSerializer(serializers.Serializer):
    side = serializers.ChoiceField(
        choices=ExtraWorkSide.choices,
        help_text="who records it: a department, a community, or the vendor itself",
    )
    requested_by_name = serializers.CharField(
        max_length=120, help_text="who asked (unit / name)"
    )
    description = serializers.CharField()
    assigned_on = serializers.DateField()
    hours = serializers.CharField(help_text="hours, e.g. 4")
    community = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )


class ExtraWorkDecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(
        required=False, allow_blank=True, help_text="required when refusing"
    )


class ExtraWorkDisputeInputSerializer(serializers.Serializer):
    response = serializers.CharField(help_text="the vendor's reasons")
