"""Serializers of the procurement API: named output serializers and input serializers
that only check the shape; the rules (and their field-named messages) live in the
services.

Sealed bids: `SealedBidSerializer` has no field that could carry what a bid says;
`OpenedBidSerializer` is used only when `selectors.bid_content_visible(project)`.
"""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Organisation
from core.models import JobStatus

from .. import planning, selectors
from ..choices import (
    FINISHED_STATUSES,
    MemberRole,
    Method,
    ProjectStatus,
)
from ..models import (
    Award,
    BidLot,
    Challenge,
    CommitteeMember,
    Lot,
    Notice,
    ProcurementProject,
    ScoreSheet,
    TenderDocument,
)
from ..permissions import committee_seat
from ..selectors import invitations_with_standing
from ..services import SC11_CASES
from ..workflows import allowed_actions

# --- small pieces ----------------------------------------------------------------------


class OrganisationRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "code", "name"]


class VendorRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _vendor_ref(vendor: Any) -> dict[str, Any]:
    return {"id": vendor.pk, "name": vendor.organisation.name}


def _user(request: Any) -> Any:
    return request.user if request is not None else None


# --- projects --------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    buyer = OrganisationRefSerializer(read_only=True)
    method_display = serializers.CharField(source="get_method_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    lot_count = serializers.SerializerMethodField()
    budget_total = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = ProcurementProject
        fields = [
            "id",
            "code",
            "title",
            "buyer",
            "fiscal_year",
            "method",
            "method_display",
            "scoring_method",
            "status",
            "status_display",
            "lot_count",
            "budget_total",
            "intention_published_on",
            "notice_published_on",
            "documents_from",
            "documents_until",
            "bid_deadline",
            "opened_at",
            "evaluated_at",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]

    def get_lot_count(self, obj) -> int:
        n = getattr(obj, "lot_count", None)
        return n if n is not None else len(obj.lots.all())

    @extend_schema_field(serializers.DecimalField(max_digits=16, decimal_places=2))
    def get_budget_total(self, obj) -> str:
        total = getattr(obj, "budget_total", None)
        if total is None:
            total = sum(lot.budget for lot in obj.lots.all())
        return f"{total:.2f}"

    def get_allowed_actions(self, obj) -> list[str]:
        request = self.context.get("request")
        return allowed_actions(request.user, obj) if request is not None else []


class LotItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="item.id")
    code = serializers.CharField(source="item.code")
    name = serializers.CharField(source="item.name")
    outsource_scope = serializers.CharField(source="item.outsource_scope")
    steps = serializers.ListField(child=serializers.CharField())


class EvaluationRowSerializer(serializers.Serializer):
    bid = serializers.IntegerField()
    vendor = serializers.CharField()
    price = serializers.CharField()
    adjusted_price = serializers.CharField()
    price_points = serializers.CharField()
    criteria = serializers.DictField(child=serializers.CharField())
    per_member = serializers.DictField(child=serializers.CharField(), required=False)
    total = serializers.CharField()
    rank = serializers.IntegerField()
    tie = serializers.BooleanField()


class LotSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    items = LotItemSerializer(many=True, read_only=True)
    communities = OrganisationRefSerializer(many=True, read_only=True)
    max_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True
    )
    evaluation = serializers.SerializerMethodField()

    class Meta:
        model = Lot
        fields = [
            "id",
            "number",
            "name",
            "budget",
            "ceiling",
            "max_price",
            "budget_source",
            "budget_note",
            "status",
            "failed_reason",
            "communities",
            "items",
            "evaluation",
        ]

    @extend_schema_field(EvaluationRowSerializer(many=True, allow_null=True))
    def get_evaluation(self, obj) -> list[dict[str, Any]] | None:
        """The lot's result rows once computed: the buyer and the committee see all of
        them; a bidder sees only its own row once the result is announced (TL-12)."""
        project = self.context["project"]
        rows = (obj.evaluation or {}).get("rows")
        if not rows or not selectors.bid_content_visible(project):
            return None
        user = _user(self.context.get("request"))
        if user is None:
            return None
        if user.is_superuser or selectors.is_buyer_reader(user, project):
            return rows
        if committee_seat(user, project) is not None:
            return rows
        if project.status not in (ProjectStatus.AWARDED, ProjectStatus.FINAL):
            return None
        own = self.context.get("own_bid_ids", set())
        return [
            {k: v for k, v in r.items() if k != "per_member"}
            for r in rows
            if r["bid"] in own
        ]


class NoticeSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    project = serializers.SerializerMethodField()
    buyer = serializers.SerializerMethodField()

    class Meta:
        model = Notice
        fields = [
            "id",
            "project",
            "buyer",
            "kind",
            "kind_display",
            "title",
            "body",
            "published_on",
            "period_ends",
        ]

    def get_project(self, obj) -> str:
        return obj.project.code

    def get_buyer(self, obj) -> str:
        return obj.project.buyer.name


class TenderJobRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    progress = serializers.IntegerField()
    url = serializers.CharField(help_text="GET it to poll the job")


class TenderDocumentSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="job.status", read_only=True)
    job = serializers.SerializerMethodField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = TenderDocument
        fields = [
            "id",
            "version",
            "status",
            "note",
            "created_at",
            "job",
            "download_url",
        ]

    @extend_schema_field(TenderJobRefSerializer(allow_null=True))
    def get_job(self, obj) -> dict[str, Any] | None:
        request = self.context.get("request")
        user = _user(request)
        # The job record is the requester's (core.Job visibility); others see the
        # document's status only.
        if user is None or not (user.is_superuser or obj.job.created_by_id == user.pk):
            return None
        return {
            "id": obj.job_id,
            "status": obj.job.status,
            "progress": obj.job.progress,
            "url": reverse("api:job-detail", args=[obj.job_id]),
        }

    def get_download_url(self, obj) -> str | None:
        if obj.job.status != JobStatus.DONE or not obj.job.file:
            return None
        return reverse(
            "api:procurement-document-download", args=[obj.project_id, obj.pk]
        )


class CommitteeMemberSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()
    role = serializers.CharField(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    status = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    declared = serializers.SerializerMethodField()
    signed = serializers.SerializerMethodField()
    conflict_reasons = serializers.SerializerMethodField()
    is_me = serializers.SerializerMethodField()

    class Meta:
        model = CommitteeMember
        fields = [
            "id",
            "name",
            "role",
            "role_display",
            "is_chair",
            "drawn",
            "status",
            "status_display",
            "declared",
            "signed",
            "agrees",
            "conflict_reasons",
            "is_me",
        ]

    def _names(self) -> bool:
        return bool(self.context.get("names_visible"))

    def get_name(self, obj) -> str | None:
        """Experts' names stay confidential until the award notice (COM-10)."""
        return str(obj.user) if self._names() else None

    def get_declared(self, obj) -> bool:
        return obj.declared_at is not None

    def get_signed(self, obj) -> bool:
        return obj.signed_at is not None

    def get_conflict_reasons(self, obj) -> list[str]:
        user = _user(self.context.get("request"))
        if self.context.get("manager") or (user and obj.user_id == user.pk):
            return [str(r) for r in obj.conflict_reasons]
        return []

    def get_is_me(self, obj) -> bool:
        user = _user(self.context.get("request"))
        return bool(user and obj.user_id == user.pk)


class AwardSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    lot_number = serializers.IntegerField(source="lot.number", read_only=True)
    vendor = serializers.SerializerMethodField()

    class Meta:
        model = Award
        fields = [
            "id",
            "lot",
            "lot_number",
            "bid",
            "vendor",
            "amount",
            "status",
            "confirmed_at",
            "challenge_until",
            "final_at",
        ]

    @extend_schema_field(VendorRefSerializer)
    def get_vendor(self, obj) -> dict[str, Any]:
        return _vendor_ref(obj.bid.vendor)


class ChallengeSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True)
    vendor = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = [
            "id",
            "vendor",
            "filed_at",
            "grounds",
            "status",
            "reply_due",
            "reply",
            "upheld",
            "replied_at",
        ]

    @extend_schema_field(VendorRefSerializer)
    def get_vendor(self, obj) -> dict[str, Any]:
        return _vendor_ref(obj.vendor)


class StandingSerializer(serializers.Serializer):
    """An organisation's latest standing on the district's admission list."""

    year = serializers.IntegerField()
    standing = serializers.CharField()
    standing_display = serializers.CharField(source="get_standing_display")
    decided_on = serializers.DateField()
    cooling_off_until = serializers.DateField(allow_null=True)


class InvitationSerializer(serializers.Serializer):
    """An organisation invited to a 比选 (邀请比选, PM-11)."""

    id = serializers.IntegerField()
    vendor = serializers.SerializerMethodField()
    standing = serializers.SerializerMethodField()
    invited_by = serializers.SerializerMethodField()
    invited_at = serializers.DateTimeField()
    note = serializers.CharField()

    @extend_schema_field(VendorRefSerializer)
    def get_vendor(self, obj) -> dict[str, Any]:
        return _vendor_ref(obj.vendor)

    @extend_schema_field(StandingSerializer(allow_null=True))
    def get_standing(self, obj) -> dict[str, Any] | None:
        standing = getattr(obj, "standing", None)
        return StandingSerializer(standing).data if standing is not None else None

    def get_invited_by(self, obj) -> str | None:
        return str(obj.invited_by) if obj.invited_by_id else None


class InviteInputSerializer(serializers.Serializer):
    vendor = serializers.IntegerField(help_text="The organisation (vendor id).")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200
    )


class UninviteInputSerializer(serializers.Serializer):
    vendor = serializers.IntegerField(help_text="The invited organisation (vendor id).")


class TimelineStepSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    due = serializers.DateField(allow_null=True)
    done = serializers.DateField(allow_null=True)
    state = serializers.ChoiceField(choices=["done", "pending", "due", "overdue"])
    rule_id = serializers.CharField()
    note = serializers.CharField()


class ProjectDetailSerializer(ProjectSerializer):
    """The whole project for one reader: lots (with results once visible), timeline,
    notices, documents, committee, awards and challenges. Nothing a sealed bid says."""

    district = OrganisationRefSerializer(read_only=True)
    lots = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    next_step = serializers.SerializerMethodField()
    notices = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    committee = serializers.SerializerMethodField()
    awards = serializers.SerializerMethodField()
    challenges = serializers.SerializerMethodField()
    invitations = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "district",
            "description",
            "method_reasons",
            "method_warnings",
            "price_weight",
            "criteria",
            "qualification_conditions",
            "term_years",
            "multi_year_stated",
            "payment_terms",
            "acceptance_plan",
            "sme_exemption",
            "sme_exemption_reason",
            "sme_price_deduction",
            "bid_bond",
            "outcome_reason",
            "restarted_from",
            "committee_drawn_at",
            "lots",
            "timeline",
            "next_step",
            "notices",
            "documents",
            "committee",
            "awards",
            "challenges",
            "invitations",
        ]

    def _awards(self, obj) -> list[Award]:
        if "_awards" not in self.context:
            self.context["_awards"] = list(
                Award.objects.filter(lot__project=obj)
                .select_related("lot", "bid__vendor__organisation")
                .order_by("lot__number", "-confirmed_at")
            )
        return self.context["_awards"]

    def _steps(self, obj) -> list[planning.Step]:
        if "_steps" not in self.context:
            live = [a for a in self._awards(obj) if a.status != "cancelled"]
            self.context["_steps"] = planning.timeline(obj, live)
        return self.context["_steps"]

    @extend_schema_field(LotSerializer(many=True))
    def get_lots(self, obj) -> list[dict[str, Any]]:
        lots = (
            obj.lots.prefetch_related("communities", "items__item")
            .order_by("number")
            .all()
        )
        return LotSerializer(lots, many=True, context=self.context).data

    @extend_schema_field(TimelineStepSerializer(many=True))
    def get_timeline(self, obj) -> list[dict[str, Any]]:
        return [s.as_dict() for s in self._steps(obj)]

    @extend_schema_field(TimelineStepSerializer(allow_null=True))
    def get_next_step(self, obj) -> dict[str, Any] | None:
        step = planning.next_step(self._steps(obj))
        if step is None or obj.status in FINISHED_STATUSES:
            return None
        return step.as_dict()

    @extend_schema_field(NoticeSerializer(many=True))
    def get_notices(self, obj) -> list[dict[str, Any]]:
        notices = obj.notices.select_related("project__buyer").order_by(
            "published_on", "pk"
        )
        return NoticeSerializer(notices, many=True).data

    @extend_schema_field(TenderDocumentSerializer(many=True))
    def get_documents(self, obj) -> list[dict[str, Any]]:
        docs = obj.documents.select_related("job").order_by("-version")
        return TenderDocumentSerializer(docs, many=True, context=self.context).data

    @extend_schema_field(CommitteeMemberSerializer(many=True))
    def get_committee(self, obj) -> list[dict[str, Any]]:
        user = _user(self.context.get("request"))
        if user is None:
            return []
        ctx = {
            **self.context,
            "names_visible": selectors.committee_names_visible(user, obj),
            "manager": self.context.get("manager", False),
        }
        members = sorted(
            obj.committee.all(),
            key=lambda m: (not m.is_chair, m.role != MemberRole.EXPERT, m.pk),
        )
        return CommitteeMemberSerializer(members, many=True, context=ctx).data

    @extend_schema_field(AwardSerializer(many=True))
    def get_awards(self, obj) -> list[dict[str, Any]]:
        return AwardSerializer(self._awards(obj), many=True).data

    @extend_schema_field(ChallengeSerializer(many=True))
    def get_challenges(self, obj) -> list[dict[str, Any]]:
        """The buyer sees every challenge; a vendor its own."""
        user = _user(self.context.get("request"))
        if user is None:
            return []
        qs = obj.challenges.select_related("vendor__organisation").order_by("filed_at")
        if not (user.is_superuser or selectors.is_buyer_reader(user, obj)):
            own = self.context.get("own_vendor_ids", set())
            qs = qs.filter(vendor_id__in=own)
        return ChallengeSerializer(qs, many=True).data

    @extend_schema_field(InvitationSerializer(many=True))
    def get_invitations(self, obj) -> list[dict[str, Any]]:
        """邀请比选 only: the buyer's staff see every invitation with the standing on
        the admission list; a vendor its own invitation. Empty for other methods."""
        user = _user(self.context.get("request"))
        if user is None or obj.method != Method.BIXUAN:
            return []
        if user.is_superuser or selectors.is_buyer_reader(user, obj):
            rows = invitations_with_standing(obj, timezone.localdate())
        else:
            own = self.context.get("own_vendor_ids", set())
            rows = list(
                obj.invitations.filter(vendor_id__in=own).select_related(
                    "vendor__organisation", "invited_by"
                )
            )
        return InvitationSerializer(rows, many=True).data


# --- bids ------------------------------------------------------------------------------


class SealedBidSerializer(serializers.Serializer):
    """Who bid and when — all anyone may know of a bid before the opening."""

    id = serializers.IntegerField()
    vendor = serializers.SerializerMethodField()
    submitted_at = serializers.DateTimeField()
    status = serializers.CharField()
    files = serializers.SerializerMethodField()

    @extend_schema_field(VendorRefSerializer)
    def get_vendor(self, obj) -> dict[str, Any]:
        return _vendor_ref(obj.vendor)

    def get_files(self, obj) -> int:
        return self.context.get("file_counts", {}).get(obj.pk, 0)


class BidLotSerializer(serializers.ModelSerializer):
    lot_number = serializers.IntegerField(source="lot.number", read_only=True)

    class Meta:
        model = BidLot
        fields = [
            "id",
            "lot",
            "lot_number",
            "price",
            "adjusted_price",
            "valid",
            "invalid_reason",
            "abnormal_reasons",
            "explanation",
            "explanation_accepted",
        ]


class BidFileSerializer(serializers.Serializer):
    """A bid document opened at the opening, with its download address."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, obj) -> str:
        return reverse(
            "api:procurement-bid-file",
            args=[obj.bid.project_id, obj.bid_id, obj.pk],
        )


class OpenedBidSerializer(SealedBidSerializer):
    """A bid after the opening: prices per lot, the response, declaration, bond and
    the qualification result."""

    opened_at = serializers.DateTimeField(allow_null=True)
    prices = serializers.SerializerMethodField()
    technical_response = serializers.CharField()
    declaration = serializers.JSONField()
    bond_form = serializers.CharField()
    bond_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True
    )
    qualification = serializers.JSONField()
    qualified = serializers.BooleanField(allow_null=True)
    files = serializers.SerializerMethodField()

    @extend_schema_field(BidLotSerializer(many=True))
    def get_prices(self, obj) -> list[dict[str, Any]]:
        rows = self.context.get("bid_lots", {}).get(obj.pk, [])
        return BidLotSerializer(rows, many=True).data

    @extend_schema_field(BidFileSerializer(many=True))
    def get_files(self, obj) -> list[dict[str, Any]]:
        rows = self.context.get("bid_files", {}).get(obj.pk, [])
        return BidFileSerializer(rows, many=True, context=self.context).data


class BidSubmitInputSerializer(serializers.Serializer):
    """A bid: `prices` maps lot ids to amounts ("123.45"). In multipart, send
    `prices` as a JSON object string and the documents as repeated `files`."""

    vendor = serializers.IntegerField(
        required=False, help_text="The bidding vendor; default: the user's own."
    )
    prices = serializers.JSONField()
    technical_response = serializers.CharField(required=False, allow_blank=True)
    declare_no_conflict = serializers.BooleanField(required=False, default=False)
    declare_credit = serializers.BooleanField(required=False, default=False)
    conflict_note = serializers.CharField(required=False, allow_blank=True)
    sme = serializers.BooleanField(required=False, default=False)
    bond_form = serializers.CharField(required=False, allow_blank=True)
    bond_amount = serializers.CharField(required=False, allow_blank=True)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list
    )

    def validate_prices(self, value):
        shape = _("报价应为 {包ID: 金额} 形式的 JSON 对象。")
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError as exc:
                raise serializers.ValidationError(shape) from exc
        if not isinstance(value, dict):
            raise serializers.ValidationError(shape)
        return {
            str(k): (v if isinstance(v, str | int | float) or v is None else str(v))
            for k, v in value.items()
        }


# --- project input ---------------------------------------------------------------------


class LotInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    budget = serializers.CharField(required=False, allow_blank=True)
    ceiling = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    budget_source = serializers.CharField(required=False, allow_blank=True)
    budget_note = serializers.CharField(
        required=False, allow_blank=True, max_length=200
    )
    communities = serializers.ListField(
        child=serializers.IntegerField(), required=False
    )
    items = serializers.ListField(
        child=serializers.CharField(max_length=40),
        required=False,
        help_text="Catalogue item ids or codes",
    )


class CriterionInputSerializer(serializers.Serializer):
    code = serializers.CharField(required=False, allow_blank=True, max_length=40)
    name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    weight = serializers.CharField(required=False, allow_blank=True)
    kind = serializers.CharField(required=False, allow_blank=True)
    guide = serializers.CharField(required=False, allow_blank=True)


class PaymentTermInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    share = serializers.CharField(required=False, allow_blank=True)
    condition = serializers.CharField(required=False, allow_blank=True)


class ProjectInputSerializer(serializers.Serializer):
    """采购项目. Checks only the shape; the service names each field at fault
    (lots as `lots.<n>.<field>`)."""

    buyer = serializers.IntegerField(
        required=False, help_text="The street office; default: the user's own street."
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    fiscal_year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100
    )
    method = serializers.CharField(required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    acceptance_plan = serializers.CharField(required=False, allow_blank=True)
    scoring_method = serializers.CharField(required=False, allow_blank=True)
    price_weight = serializers.CharField(required=False, allow_blank=True)
    criteria = CriterionInputSerializer(many=True, required=False)
    qualification_conditions = serializers.ListField(
        child=serializers.CharField(max_length=500), required=False
    )
    term_years = serializers.IntegerField(required=False, min_value=0, max_value=99)
    multi_year_stated = serializers.BooleanField(required=False)
    payment_terms = PaymentTermInputSerializer(many=True, required=False)
    sme_exemption = serializers.BooleanField(required=False)
    sme_exemption_reason = serializers.CharField(required=False, allow_blank=True)
    sme_price_deduction = serializers.CharField(required=False, allow_blank=True)
    bid_bond = serializers.CharField(required=False, allow_blank=True)
    drafted_by = serializers.ListField(child=serializers.IntegerField(), required=False)
    lots = LotInputSerializer(many=True, required=False)


# --- transitions -----------------------------------------------------------------------


class GenerateDocumentInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=255)


class AnnounceInputSerializer(serializers.Serializer):
    bid_deadline = serializers.DateTimeField()
    documents_from = serializers.DateField(required=False)
    documents_until = serializers.DateField(required=False)
    urgent_reason = serializers.CharField(required=False, allow_blank=True)


class CorrectInputSerializer(serializers.Serializer):
    body = serializers.CharField(allow_blank=True)
    affects_bids = serializers.BooleanField(default=False)


class DrawCommitteeInputSerializer(serializers.Serializer):
    experts = serializers.IntegerField(min_value=0, max_value=99)
    buyer_representatives = serializers.ListField(
        child=serializers.IntegerField(), required=False, default=list
    )


class CloseQualificationInputSerializer(serializers.Serializer):
    continue_with_fewer = serializers.BooleanField(required=False, default=False)
    approval = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=200,
        help_text="The finance department's approval, when a tender goes on with two (SUP-04).",
    )


class TerminateInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class ReturnSheetsInputSerializer(serializers.Serializer):
    members = serializers.ListField(child=serializers.IntegerField())
    case = serializers.ChoiceField(choices=sorted(SC11_CASES))
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SignReportInputSerializer(serializers.Serializer):
    agrees = serializers.BooleanField()
    dissent = serializers.CharField(required=False, allow_blank=True, default="")


class DeclareInputSerializer(serializers.Serializer):
    conflict = serializers.BooleanField()
    declaration = serializers.CharField(required=False, allow_blank=True, default="")


class ReplaceInputSerializer(serializers.Serializer):
    replacement = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Another officer for a buyer representative; experts are redrawn.",
    )


class ConditionInputSerializer(serializers.Serializer):
    met = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class QualifyInputSerializer(serializers.Serializer):
    conditions = serializers.DictField(
        child=ConditionInputSerializer(),
        required=False,
        default=dict,
        help_text="{condition number (1-based): {met, note}}",
    )


class SheetInputSerializer(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField(allow_blank=True)),
        help_text="{bid id: {criterion code: points}}",
    )
    submit = serializers.BooleanField(required=False, default=False)


class AbnormalInputSerializer(serializers.Serializer):
    explanation = serializers.CharField(allow_blank=True)
    accepted = serializers.BooleanField()


class ChallengeInputSerializer(serializers.Serializer):
    vendor = serializers.IntegerField(required=False)
    grounds = serializers.CharField(allow_blank=True)


class ChallengeAnswerInputSerializer(serializers.Serializer):
    reply = serializers.CharField(allow_blank=True)
    upheld = serializers.BooleanField()


# --- sheets ----------------------------------------------------------------------------


class ScoreSheetSerializer(serializers.ModelSerializer):
    member = serializers.IntegerField(source="member_id")
    status = serializers.CharField(read_only=True)
    mine = serializers.SerializerMethodField()

    class Meta:
        model = ScoreSheet
        fields = ["id", "member", "mine", "status", "scores", "submitted_at"]

    def get_mine(self, obj) -> bool:
        user = _user(self.context.get("request"))
        return bool(user and obj.member.user_id == user.pk)


class CriterionSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    weight = serializers.CharField()
    kind = serializers.CharField()


class ScorableBidSerializer(serializers.Serializer):
    bid = serializers.IntegerField()
    vendor = serializers.CharField()
    price = serializers.CharField()
    abnormal_reasons = serializers.ListField(child=serializers.CharField())
    explanation_accepted = serializers.BooleanField(allow_null=True)


class SheetViewSerializer(serializers.Serializer):
    lot = serializers.IntegerField()
    criteria = CriterionSerializer(many=True)
    bids = ScorableBidSerializer(many=True)
    sheets = ScoreSheetSerializer(many=True)
