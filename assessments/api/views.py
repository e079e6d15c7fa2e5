"""REST adapters of assessments under /api/v1/assessments/: reads through the
selectors of `access.py` (plans by `AssessmentPlan.objects.visible_to`, rounds also for
their raters), every write through one of the lead's services, one POST per
transition. An object the caller cannot see is a 404; a visible one the caller may not
act on is a 403 with the reason (the service's own refusal)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

import assessments.services as asvc
from accounts.choices import OrganisationKind
from accounts.models import Organisation
from contracts.models import Contract
from core.api.views import JobSerializer
from core.exceptions import NotFound, ValidationFailed
from core.ids import as_id

from ..choices import CardStatus, RaterKind
from ..models import AssessmentPlan, AssessmentRound, Indicator, RoundResult, Scorecard
from . import access
from .serializers import (
    AssessmentPlanCreateInputSerializer,
    AssessmentPlanDetailSerializer,
    AssessmentPlanSerializer,
    AssessmentRoundBriefSerializer,
    AssessmentRoundDetailSerializer,
    AssessmentRoundOpenInputSerializer,
    RoundResultSerializer,
    ScorecardSerializer,
    ScorecardSubmitInputSerializer,
    grade_display,
)

CONTRACT_RELATED = ("vendor__organisation",)


def _pk(raw: Any) -> int:
    """A path id as an int; anything else is a 404 (never a 500)."""
    value = as_id(raw)
    if value is None:
        raise NotFound()
    return value


def _values(serializer_class: Any, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class AssessmentPlanFilterSet(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year", min_value=1, max_value=9999)
    street = django_filters.CharFilter(
        method="filter_street", help_text="the buying street office's id or code"
    )

    class Meta:
        model = AssessmentPlan
        fields = ["year", "street"]

    def filter_street(self, queryset, name, value):
        pk = as_id(value)
        return queryset.filter(Q(buyer__code=value) | Q(buyer_id=pk or 0))


def _parents_first(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The indicator rows reordered so a parent is created before its children (the
    service links a child to an already created parent); rows whose parent is unknown
    or in a cycle keep their place at the end for the service to refuse."""
    placed: set[str] = set()
    out: list[dict[str, Any]] = []
    pending = list(rows)
    while pending:
        ready = [
            r for r in pending if not r.get("parent") or str(r["parent"]) in placed
        ]
        if not ready:
            return out + pending
        for r in ready:
            out.append(r)
            placed.add(str(r["code"]))
        pending = [r for r in pending if r not in ready]
    return out


@extend_schema_view(
    list=extend_schema(
        summary="考核方案列表",
        description="Plans the caller reads: the buyer's staff (street, district, "
        "departments, auditors) and a street's read-only API token, for its street.",
    ),
    retrieve=extend_schema(
        summary="考核方案详情（指标体系、评价主体、考核轮次）",
        responses=AssessmentPlanDetailSerializer,
    ),
)
class AssessmentPlanViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Assessment plans: list, detail, create, and opening a round."""

    serializer_class = AssessmentPlanSerializer
    filterset_class = AssessmentPlanFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AssessmentPlan.objects.none()
        qs = (
            access.plans_for_user(self.request.user)
            .select_related("buyer", "district")
            .order_by("-year", "-id")
        )
        if self.action == "retrieve":
            return qs.prefetch_related(
                Prefetch(
                    "contracts",
                    queryset=Contract.objects.select_related(*CONTRACT_RELATED),
                ),
                Prefetch("indicators", queryset=Indicator.objects.order_by("position")),
                "groups",
                "rounds",
            )
        return qs.prefetch_related(
            Prefetch("contracts", queryset=Contract.objects.only("pk"))
        )

    def list(self, request, *args, **kwargs):
        access.can_list_plans(request.user).raise_if_denied()
        return super().list(request, *args, **kwargs)

    def get_object(self):
        plan = self.get_queryset().filter(pk=_pk(self.kwargs["pk"])).first()
        if plan is None:
            raise NotFound()
        return plan

    def get_serializer_class(self):
        if self.action == "retrieve":
            return AssessmentPlanDetailSerializer
        return AssessmentPlanSerializer

    def _detail(self, plan: AssessmentPlan, code: int = status.HTTP_200_OK):
        self.action = "retrieve"
        fresh = self.get_queryset().get(pk=plan.pk)
        return Response(AssessmentPlanDetailSerializer(fresh).data, status=code)

    @extend_schema(
        summary="新建考核方案",
        request=AssessmentPlanCreateInputSerializer,
        responses={201: AssessmentPlanDetailSerializer},
    )
    def create(self, request):
        values = _values(AssessmentPlanCreateInputSerializer, request.data)
        ids = list(dict.fromkeys(values.pop("contracts")))
        contracts = list(
            Contract.objects.visible_to(request.user)
            .select_related("buyer")
            .filter(pk__in=ids)
        )
        if len(contracts) != len(ids):
            # A contract the caller cannot see does not exist for them.
            raise NotFound()
        contracts.sort(key=lambda c: ids.index(c.pk))
        indicators = values.pop("indicators", None)
        if indicators is not None:
            indicators = _parents_first(
                [
                    {k: v for k, v in row.items() if v is not None and v != ""}
                    for row in indicators
                ]
            )
        plan = asvc.plan_create(
            actor=request.user,
            buyer=contracts[0].buyer,
            contracts=contracts,
            indicators=indicators,
            groups=values.pop("groups", None),
            **values,
        )
        return self._detail(plan, status.HTTP_201_CREATED)

    @extend_schema(
        summary="开启考核轮次",
        request=AssessmentRoundOpenInputSerializer,
        responses={201: AssessmentRoundBriefSerializer},
    )
    @action(detail=True, methods=["post"])
    def rounds(self, request, pk=None):
        plan = self.get_object()
        values = _values(AssessmentRoundOpenInputSerializer, request.data)
        rnd = asvc.round_open(plan=plan, actor=request.user, **values)
        return Response(
            AssessmentRoundBriefSerializer(rnd).data, status=status.HTTP_201_CREATED
        )


@extend_schema_view(
    retrieve=extend_schema(
        summary="考核轮次详情（评分表数量、计分任务、结果摘要）",
        description="Visible to the plan's readers and to the raters of the round "
        "(community staff, resident-unit assessors, experts of a plan with an expert "
        "panel); raters get the indicator tree and the contracts they rate, and "
        "`card_counts`, `job` and `results` as null.",
    ),
)
class AssessmentRoundViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A round: detail, scoring, scorecards and results."""

    serializer_class = AssessmentRoundDetailSerializer
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AssessmentRound.objects.none()
        return access.rounds_for_user(self.request.user).select_related(
            "plan__buyer", "plan__district", "job"
        )

    def get_object(self):
        rnd = self.get_queryset().filter(pk=_pk(self.kwargs["pk"])).first()
        if rnd is None:
            raise NotFound()
        return rnd

    def retrieve(self, request, pk=None):
        rnd = self.get_object()
        plan = rnd.plan
        reader = access.is_plan_reader(request.user, plan)
        contracts = list(
            plan.contracts.select_related(*CONTRACT_RELATED).order_by("code", "pk")
        )
        rated = [c.pk for c in access.rated_contracts(request.user, rnd)]
        indicators = list(plan.indicators.order_by("position", "id"))
        data: dict[str, Any] = {
            "id": rnd.pk,
            "plan": plan.pk,
            "plan_name": plan.name,
            "label": rnd.label,
            "period_start": rnd.period_start,
            "period_end": rnd.period_end,
            "status": rnd.status,
            "status_display": rnd.get_status_display(),
            "scored_at": rnd.scored_at,
            "indicators": indicators,
            "groups": list(plan.groups.all()),
            # A rater sees only the contracts they rate.
            "contracts": contracts
            if reader
            else [c for c in contracts if c.pk in rated],
            "rated_contracts": rated,
            "card_counts": None,
            "job": None,
            "results": None,
        }
        if reader:
            labels = dict(RaterKind.choices)
            data["card_counts"] = [
                {
                    "contract": row["contract_id"],
                    "group": row["group"],
                    "group_display": str(labels.get(row["group"], row["group"])),
                    "cards": row["n"],
                }
                for row in Scorecard.objects.filter(
                    round=rnd, status=CardStatus.SUBMITTED
                )
                .values("contract_id", "group")
                .annotate(n=Count("id"))
                .order_by("contract_id", "group")
            ]
            if rnd.job is not None:
                data["job"] = {
                    "id": rnd.job.pk,
                    "status": rnd.job.status,
                    "progress": rnd.job.progress,
                }
            data["results"] = [
                {
                    "id": r.pk,
                    "contract": r.contract,
                    "status": r.status,
                    "total": r.total,
                    "grade": r.grade,
                    "grade_display": grade_display(r.grade),
                }
                for r in rnd.results.select_related(
                    *(f"contract__{f}" for f in CONTRACT_RELATED)
                ).order_by("-total", "id")
            ]
        by_pk = {i.pk: i for i in indicators}
        return Response(
            AssessmentRoundDetailSerializer(
                data, context={"indicators_by_pk": by_pk}
            ).data
        )

    @extend_schema(
        summary="计分（后台任务）",
        description="Queues the scoring of the round; poll the job at "
        "/api/v1/jobs/{id}/.",
        request=None,
        responses={202: JobSerializer},
    )
    @action(detail=True, methods=["post"])
    def score(self, request, pk=None):
        rnd = self.get_object()
        job = asvc.round_score_request(round=rnd, actor=request.user)
        return Response(JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="提交评分表",
        request=ScorecardSubmitInputSerializer,
        responses={201: ScorecardSerializer},
    )
    @action(detail=True, methods=["post"])
    def cards(self, request, pk=None):
        rnd = self.get_object()
        access.can_rate_round(request.user, rnd).raise_if_denied()
        values = _values(ScorecardSubmitInputSerializer, request.data)
        contract = (
            rnd.plan.contracts.select_related("buyer")
            .filter(pk=values["contract"])
            .first()
        )
        if contract is None:
            raise ValidationFailed(
                fields={"contract": [_("该合同不在本考核方案中。")]},
            )
        community = None
        if values.get("community") is not None:
            community = Organisation.objects.filter(
                pk=values["community"], kind=OrganisationKind.COMMUNITY
            ).first()
            if community is None:
                raise ValidationFailed(fields={"community": [_("请选择社区。")]})
            if not contract.items.filter(community=community).exists():
                # The service's own refusal, asked before who rates for it.
                raise ValidationFailed(
                    fields={"community": [_("该社区不在本合同的服务范围内。")]}
                )
        access.can_submit_card(
            request.user, rnd, contract, community, values["paper"]
        ).raise_if_denied()
        card = asvc.scorecard_submit(
            round=rnd,
            actor=request.user,
            contract=contract,
            answers=values["answers"],
            community=community,
            comment=values["comment"],
            paper=values["paper"],
        )
        return Response(ScorecardSerializer(card).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="本轮考核结果",
        responses=RoundResultSerializer(many=True),
    )
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        rnd = self.get_object()
        access.can_read_round_results(request.user, rnd.plan).raise_if_denied()
        rows = (
            rnd.results.select_related(
                "round", "vendor__organisation", "contract__vendor__organisation"
            )
            .order_by("-total", "id")
            .all()
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RoundResultSerializer(page, many=True).data)


@extend_schema_view(
    retrieve=extend_schema(summary="考核结果详情（计分明细及说明）"),
)
class RoundResultViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A contract's result with its breakdown and explanation (the plan's readers)."""

    serializer_class = RoundResultSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RoundResult.objects.none()
        return access.results_for_user(self.request.user).select_related(
            "round", "vendor__organisation", "contract__vendor__organisation"
        )

    def get_object(self):
        result = self.get_queryset().filter(pk=_pk(self.kwargs["pk"])).first()
        if result is None:
            raise NotFound()
        return result
