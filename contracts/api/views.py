"""REST adapters of contracts: reads through the selectors and the shared FilterSet,
every write through one service, one POST action per transition.

Each contract transition is first asked of the transition table (so a refusal is a
403 or a 409 with its reason before any input is judged), then run by its service,
which asks again under the row lock. Sub-objects (tranches, changes, extensions,
deliveries, extra work) are looked up only inside a contract the caller can see, so
anything outside it is a 404.

Clients that poll use the change feed (`changes/`, a cursor over the feed rows every
service writes last in its transaction, see `contracts.feed`) and conditional GETs of
the detail (`ETag` / `If-None-Match`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from core.decisions import ALLOW, Decision
from core.exceptions import NotFound
from core.ids import as_id
from procurement.models import Award, ProcurementProject

from .. import selectors, services
from ..feed import feed_after
from ..filtersets import ContractFilterSet
from ..models import (
    Contract,
    ContractChange,
    DeliveryRecord,
    Evidence,
    ExtensionRequest,
    ExtraWork,
    PaymentTranche,
)
from ..permissions import can_view_contracts
from ..services import delivery as delivery_services
from ..workflows import allowed_actions, tranche_decision, transition_decision
from .serializers import (
    EVIDENCE_PARTS,
    ContractChangeDecisionInputSerializer,
    ContractChangeProposeInputSerializer,
    ContractChangeSerializer,
    ContractCompleteInputSerializer,
    ContractCountersignInputSerializer,
    ContractCreateInputSerializer,
    ContractDetailSerializer,
    ContractFeedEntrySerializer,
    ContractFeedPageSerializer,
    ContractFeedQueryInputSerializer,
    ContractFilingInputSerializer,
    ContractPublicationInputSerializer,
    ContractSerializer,
    ContractTerminateInputSerializer,
    DeliveryConfirmInputSerializer,
    DeliveryDisputeInputSerializer,
    DeliveryQueryInputSerializer,
    DeliveryRecordSerializer,
    DeliveryReportInputSerializer,
    ExtensionDecisionInputSerializer,
    ExtensionRequestInputSerializer,
    ExtensionRequestSerializer,
    ExtraWorkDecisionInputSerializer,
    ExtraWorkDisputeInputSerializer,
    ExtraWorkInputSerializer,
    ExtraWorkSerializer,
    PaymentTranchePayInputSerializer,
    PaymentTrancheSerializer,
    ResidualWorkInputSerializer,
    ResidualWorkSerializer,
)


def _path_id(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH)


def _pk(raw: Any) -> int:
    """A path id as an int; anything else is a 404 (never a 500)."""
    value = as_id(raw)
    if value is None:
        raise NotFound()
    return value


def _may_read_contracts(user: Any) -> Decision:
    """The contract list and feed: staff, community and vendor staff (the lead's
    predicate), and a street API token (reads its street through `visible_to`)."""
    if getattr(user, "token_street_path", None) is not None:
        return ALLOW
    return can_view_contracts(user)


def contract_etag(contract: Contract) -> str:
    """The detail's ETag: the contract, its newest feed row, and today's date (the
    overdue flags and `allowed_actions` guards turn with the calendar, not only with
    writes)."""
    day = timezone.localdate().strftime("%Y%m%d")
    return quote_etag(f"c{contract.pk}.{contract.feed_seq}.{day}")


def _etag_matches(request: Any, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    if "*" in tags:
        return True
    # Weak comparison (RFC 9110 §13.1.2): a proxy may have weakened our tag.
    bare = etag.removeprefix("W/")
    return any(t.removeprefix("W/") == bare for t in tags)


@extend_schema_view(
    list=extend_schema(
        summary="合同列表",
        description="Contracts the caller may see (buyer staff by street, community "
        "staff through their community's items, vendor staff their own, a street API "
        "token its street), filtered like the HTML list.",
    ),
)
class ContractViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Contracts: list, detail, the change feed, and one POST per action."""

    serializer_class = ContractSerializer
    filterset_class = ContractFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "head", "options"]

    # --- reading ------------------------------------------------------------------

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Contract.objects.none()
        return selectors.contract_list_for_user(self.request.user).order_by(
            "-created_at", "-id"
        )

    def list(self, request, *args, **kwargs):
        _may_read_contracts(request.user).raise_if_denied()
        return super().list(request, *args, **kwargs)

    def _contract(self, pk: Any = None) -> Contract:
        return selectors.contract_get_for_user(
            _pk(self.kwargs["pk"] if pk is None else pk), self.request.user
        )

    def _detail(self, contract: Contract) -> dict[str, Any]:
        """Everything the detail shows, with a fixed number of queries."""
        user = self.request.user
        tranches = list(
            PaymentTranche.objects.filter(contract=contract)
            .select_related("acceptance")
            .order_by("number")
        )
        for t in tranches:
            t.contract = contract
        # The selectors read tranches from the prefetch cache when it is there.
        contract._prefetched_objects_cache = {"tranches": tranches}  # type: ignore[attr-defined]
        changes = list(selectors.open_changes(contract).order_by("number"))
        extensions = list(selectors.open_extensions(contract).order_by("requested_at"))
        return {
            "id": contract.pk,
            "code": contract.code,
            "title": contract.title,
            "status": contract.status,
            "status_display": contract.get_status_display(),
            "version": contract.version,
            "buyer": contract.buyer,
            "district": contract.district,
            "vendor": contract.vendor,
            "project": contract.project,
            "award": contract.award_id,
            "term": {
                "start_on": contract.start_on,
                "end_on": contract.end_on,
                "term_years": contract.term_years,
                "multi_year_stated": contract.multi_year_stated,
            },
            "original_value": contract.original_value,
            "value": contract.value,
            "amounts": selectors.contract_amounts(contract),
            "performance_bond": contract.performance_bond,
            "bond_form": contract.bond_form,
            "deadlines": {
                "award_notice_on": contract.award_notice_on,
                "sign_due": contract.sign_due,
                "vendor_signed_at": contract.vendor_signed_at,
                "signed_on": contract.signed_on,
                "publish_due": contract.publish_due,
                "published_on": contract.published_on,
                "publication_url": contract.publication_url,
                "file_due": contract.file_due,
                "filed_on": contract.filed_on,
                "filing_ref": contract.filing_ref,
                **selectors.deadline_flags(contract),
            },
            "termination_kind": contract.termination_kind,
            "termination_reason": contract.termination_reason,
            "terminated_on": contract.terminated_on,
            "completed_on": contract.completed_on,
            "progress": selectors.contract_progress(contract),
            "tranches": tranches,
            "open_changes": changes,
            "open_extensions": extensions,
            "next_obligations": selectors.next_obligations(contract),
            "allowed_actions": allowed_actions(user, contract),
            "feed_seq": contract.feed_seq,
            "created_at": contract.created_at,
            "updated_at": contract.updated_at,
        }

    def _out(self, contract: Contract, code: int = status.HTTP_200_OK) -> Response:
        contract = selectors.contract_get_for_user(contract.pk, self.request.user)
        data = ContractDetailSerializer(
            self._detail(contract), context={"request": self.request}
        ).data
        response = Response(data, status=code)
        response["ETag"] = contract_etag(contract)
        # The body depends on who asks (allowed_actions): no shared cache may reuse it.
        patch_vary_headers(response, ["Authorization", "Cookie"])
        return response

    @extend_schema(
        summary="合同详情",
        responses={
            200: ContractDetailSerializer,
            304: OpenApiResponse(description="unchanged since the ETag sent"),
        },
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="the ETag of a previous response: 304 when unchanged",
            )
        ],
    )
    def retrieve(self, request, pk=None):
        contract = self._contract()
        etag = contract_etag(contract)
        if _etag_matches(request, etag):
            response = Response(
                status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag}
            )
            patch_vary_headers(response, ["Authorization", "Cookie"])
            return response
        return self._out(contract)

    @extend_schema(
        summary="合同变动流（游标分页）",
        description="Changes to the contracts the caller can see, oldest first. Poll "
        "with the `next_cursor` of the previous page: a change is never skipped nor "
        "returned twice, even while writes are happening (feed rows become visible in "
        "id order, see contracts/feed.py).",
        parameters=[ContractFeedQueryInputSerializer],
        responses=ContractFeedPageSerializer,
    )
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def changes(self, request):
        _may_read_contracts(request.user).raise_if_denied()
        query = ContractFeedQueryInputSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cursor = query.validated_data["cursor"]
        rows = feed_after(
            cursor,
            contract_ids_q=Contract.objects.visible_to(request.user).values("pk"),
            limit=query.validated_data["limit"],
        )
        return Response(
            {
                "results": ContractFeedEntrySerializer(rows, many=True).data,
                "next_cursor": str(rows[-1].pk if rows else cursor),
            }
        )

    # --- the one adapter of transitions ---------------------------------------------

    def _values(self, input_serializer: Any) -> dict[str, Any]:
        if input_serializer is None:
            return {}
        data = input_serializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _act(
        self,
        name: str,
        service: Callable[..., Any],
        input_serializer: Any = None,
        prepare: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
    ) -> Response:
        contract = self._contract()
        transition_decision(self.request.user, contract, name).raise_if_denied()
        values = self._values(input_serializer)
        if prepare is not None:
            values = prepare(values)
        contract = service(actor=self.request.user, contract=contract, **values)
        return self._out(contract)

    # --- create ---------------------------------------------------------------------

    @extend_schema(
        summary="由中标结果生成合同草稿",
        request=ContractCreateInputSerializer,
        responses={201: ContractDetailSerializer},
    )
    def create(self, request):
        values = self._values(ContractCreateInputSerializer)
        award = (
            Award.objects.filter(
                pk=values.pop("award"),
                lot__project__in=ProcurementProject.objects.visible_to(request.user),
            )
            .select_related("lot__project")
            .first()
        )
        if award is None:
            raise NotFound()
        if "tranches" in values:
            values["tranches"] = [dict(t) for t in values["tranches"]]
        contract = services.contract_create_from_award(
            award=award, actor=request.user, **values
        )
        return self._out(contract, status.HTTP_201_CREATED)

    # --- signing, publication, filing, the end --------------------------------------

    @extend_schema(
        summary="承接方签署", request=None, responses=ContractDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        return self._act("sign", services.contract_sign_vendor)

    @extend_schema(
        summary="购买主体签署（合同生效）",
        request=ContractCountersignInputSerializer,
        responses=ContractDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def countersign(self, request, pk=None):
        return self._act(
            "countersign",
            services.contract_countersign,
            ContractCountersignInputSerializer,
        )

    @extend_schema(
        summary="登记合同公开（TL-14）",
        request=ContractPublicationInputSerializer,
        responses=ContractDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def publication(self, request, pk=None):
        return self._act(
            "publish",
            services.contract_record_publication,
            ContractPublicationInputSerializer,
        )

    @extend_schema(
        summary="登记合同备案（TL-15）",
        request=ContractFilingInputSerializer,
        responses=ContractDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def filing(self, request, pk=None):
        return self._act(
            "file", services.contract_record_filing, ContractFilingInputSerializer
        )

    @extend_schema(
        summary="终止合同",
        request=ContractTerminateInputSerializer,
        responses=ContractDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        return self._act(
            "terminate", services.contract_terminate, ContractTerminateInputSerializer
        )

    @extend_schema(
        summary="履行完毕",
        request=ContractCompleteInputSerializer,
        responses=ContractDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        return self._act(
            "complete", services.contract_complete, ContractCompleteInputSerializer
        )

    # --- payment tranches -----------------------------------------------------------

    def _tranche(self, contract: Contract, number: Any) -> PaymentTranche:
        tranche = (
            contract.tranches.select_related("acceptance")
            .filter(number=_pk(number))
            .first()
        )
        if tranche is None:
            raise NotFound()
        tranche.contract = contract
        return tranche

    def _tranche_act(
        self,
        name: str,
        service: Callable[..., Any],
        number: Any,
        input_serializer: Any = None,
    ) -> Response:
        contract = self._contract()
        tranche = self._tranche(contract, number)
        tranche_decision(self.request.user, tranche, name).raise_if_denied()
        values = self._values(input_serializer)
        service(actor=self.request.user, tranche=tranche, **values)
        tranche = self._tranche(self._contract(), number)
        return Response(
            PaymentTrancheSerializer(tranche, context={"request": self.request}).data
        )

    @extend_schema(
        summary="申请付款",
        request=None,
        responses=PaymentTrancheSerializer,
        parameters=[_path_id("number")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"tranches/(?P<number>[0-9]+)/request",
        url_name="tranche-request",
    )
    def tranche_request(self, request, pk=None, number=None):
        return self._tranche_act("request", services.payment_tranche_request, number)

    @extend_schema(
        summary="审批付款",
        request=None,
        responses=PaymentTrancheSerializer,
        parameters=[_path_id("number")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"tranches/(?P<number>[0-9]+)/approve",
        url_name="tranche-approve",
    )
    def tranche_approve(self, request, pk=None, number=None):
        return self._tranche_act("approve", services.payment_tranche_approve, number)

    @extend_schema(
        summary="登记支付",
        request=PaymentTranchePayInputSerializer,
        responses=PaymentTrancheSerializer,
        parameters=[_path_id("number")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"tranches/(?P<number>[0-9]+)/pay",
        url_name="tranche-pay",
    )
    def tranche_pay(self, request, pk=None, number=None):
        return self._tranche_act(
            "pay",
            services.payment_tranche_pay,
            number,
            PaymentTranchePayInputSerializer,
        )

    # --- changes (变更 / 补充协议) ----------------------------------------------------

    def _change(self, contract: Contract, number: Any) -> ContractChange:
        change = contract.changes.filter(number=_pk(number)).first()
        if change is None:
            raise NotFound()
        return change

    def _change_out(self, change: ContractChange, code: int = 200) -> Response:
        change.refresh_from_db()
        return Response(ContractChangeSerializer(change).data, status=code)

    @extend_schema(
        summary="提出变更",
        request=ContractChangeProposeInputSerializer,
        responses={201: ContractChangeSerializer},
    )
    @action(detail=True, methods=["post"], url_path="changes")
    def propose_change(self, request, pk=None):
        contract = self._contract()
        transition_decision(request.user, contract, "propose_change").raise_if_denied()
        values = self._values(ContractChangeProposeInputSerializer)
        if "item_changes" in values:
            values["item_changes"] = [dict(r) for r in values["item_changes"]]
        change = services.contract_change_propose(
            contract=contract, actor=request.user, **values
        )
        return self._change_out(change, status.HTTP_201_CREATED)

    def _change_act(
        self,
        service: Callable[..., Any],
        number: Any,
        input_serializer: Any = None,
    ) -> Response:
        change = self._change(self._contract(), number)
        values = self._values(input_serializer)
        change = service(change=change, actor=self.request.user, **values)
        return self._change_out(change)

    @extend_schema(
        summary="同意变更（生效为新版本）",
        request=ContractChangeDecisionInputSerializer,
        responses=ContractChangeSerializer,
        parameters=[_path_id("number")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"changes/(?P<number>[0-9]+)/accept",
        url_name="change-accept",
    )
    def change_accept(self, request, pk=None, number=None):
        return self._change_act(
            services.contract_change_accept,
            number,
            ContractChangeDecisionInputSerializer,
        )

    @extend_schema(
        summary="不同意变更",
        request=ContractChangeDecisionInputSerializer,
        responses=ContractChangeSerializer,
        parameters=[_path_id("number")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"changes/(?P<number>[0-9]+)/reject",
        url_name="change-reject",
    )
    def change_reject(self, request, pk=None, number=None):
        def reject(*, change, actor, note: str = ""):
            return services.contract_change_reject(
                change=change, actor=actor, note=note
            )

        return self._change_act(reject, number, ContractChangeDecisionInputSerializer)

    @extend_schema(
        summary="撤回变更",
        request=None,
        responses=ContractChangeSerializer,
        parameters=[_path_id("number")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"changes/(?P<number>[0-9]+)/withdraw",
        url_name="change-withdraw",
    )
    def change_withdraw(self, request, pk=None, number=None):
        return self._change_act(services.contract_change_withdraw, number)

    # --- extension requests (延期申请) ------------------------------------------------

    def _extension(self, contract: Contract, eid: Any) -> ExtensionRequest:
        ext = (
            contract.extensions.select_related(
                "contract_item__item", "contract_item__community"
            )
            .filter(pk=_pk(eid))
            .first()
        )
        if ext is None:
            raise NotFound()
        return ext

    def _extension_out(self, ext: ExtensionRequest, code: int = 200) -> Response:
        ext = self._extension(self._contract(), ext.pk)
        return Response(ExtensionRequestSerializer(ext).data, status=code)

    @extend_schema(
        summary="申请延期",
        request=ExtensionRequestInputSerializer,
        responses={201: ExtensionRequestSerializer},
    )
    @action(detail=True, methods=["post"], url_path="extensions")
    def request_extension(self, request, pk=None):
        contract = self._contract()
        transition_decision(
            request.user, contract, "request_extension"
        ).raise_if_denied()
        values = self._values(ExtensionRequestInputSerializer)
        ext = services.extension_request_create(
            contract=contract, actor=request.user, **values
        )
        return self._extension_out(ext, status.HTTP_201_CREATED)

    def _extension_act(self, service: Callable[..., Any], eid: Any) -> Response:
        ext = self._extension(self._contract(), eid)
        values = self._values(ExtensionDecisionInputSerializer)
        ext = service(extension=ext, actor=self.request.user, **values)
        return self._extension_out(ext)

    @extend_schema(
        summary="同意延期",
        request=ExtensionDecisionInputSerializer,
        responses=ExtensionRequestSerializer,
        parameters=[_path_id("eid")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"extensions/(?P<eid>[0-9]+)/approve",
        url_name="extension-approve",
    )
    def extension_approve(self, request, pk=None, eid=None):
        return self._extension_act(services.extension_approve, eid)

    @extend_schema(
        summary="不同意延期",
        request=ExtensionDecisionInputSerializer,
        responses=ExtensionRequestSerializer,
        parameters=[_path_id("eid")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"extensions/(?P<eid>[0-9]+)/refuse",
        url_name="extension-refuse",
    )
    def extension_refuse(self, request, pk=None, eid=None):
        def refuse(*, extension, actor, reason: str = ""):
            return services.extension_refuse(
                extension=extension, actor=actor, reason=reason
            )

        return self._extension_act(refuse, eid)

    # --- deliveries (服务记录, 社区签收) -------------------------------------------------

    def _deliveries(self, contract: Contract):
        return (
            DeliveryRecord.objects.filter(contract=contract)
            .select_related("contract_item__item", "contract_item__community")
            .prefetch_related(
                Prefetch("evidence", queryset=Evidence.objects.order_by("id"))
            )
            .order_by("-period_end", "-id")
        )

    def _delivery(self, contract: Contract, did: Any) -> DeliveryRecord:
        delivery = self._deliveries(contract).filter(pk=_pk(did)).first()
        if delivery is None:
            raise NotFound()
        delivery.contract = contract
        return delivery

    @extend_schema(
        methods=["GET"],
        summary="服务记录列表",
        parameters=[DeliveryQueryInputSerializer],
        responses=DeliveryRecordSerializer(many=True),
    )
    @extend_schema(
        methods=["POST"],
        summary="填报服务记录（可附佐证文件）",
        request={
            "multipart/form-data": DeliveryReportInputSerializer,
            "application/json": DeliveryReportInputSerializer,
        },
        responses={201: DeliveryRecordSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def deliveries(self, request, pk=None):
        contract = self._contract()
        if request.method == "GET":
            query = DeliveryQueryInputSerializer(data=request.query_params)
            query.is_valid(raise_exception=True)
            rows = self._deliveries(contract)
            if "status" in query.validated_data:
                rows = rows.filter(status=query.validated_data["status"])
            if "community" in query.validated_data:
                rows = rows.filter(
                    contract_item__community_id=query.validated_data["community"]
                )
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(
                DeliveryRecordSerializer(page, many=True).data
            )
        transition_decision(request.user, contract, "report_delivery").raise_if_denied()
        values = self._values(DeliveryReportInputSerializer)
        files = [
            (kind, upload)
            for part, kind in EVIDENCE_PARTS.items()
            for upload in values.pop(part, [])
        ]
        delivery = delivery_services.delivery_report(
            contract=contract, actor=request.user, files=files, **values
        )
        delivery = self._delivery(contract, delivery.pk)
        return Response(
            DeliveryRecordSerializer(delivery).data, status=status.HTTP_201_CREATED
        )

    def _delivery_act(
        self, name: str, service: Callable[..., Any], did: Any, input_serializer: Any
    ) -> Response:
        contract = self._contract()
        delivery = self._delivery(contract, did)
        delivery_services.delivery_decision(
            self.request.user, delivery, name
        ).raise_if_denied()
        values = self._values(input_serializer)
        service(delivery=delivery, actor=self.request.user, **values)
        return Response(DeliveryRecordSerializer(self._delivery(contract, did)).data)

    @extend_schema(
        summary="社区签收服务记录",
        request=DeliveryConfirmInputSerializer,
        responses=DeliveryRecordSerializer,
        parameters=[_path_id("did")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<did>[0-9]+)/confirm",
        url_name="delivery-confirm",
    )
    def delivery_confirm(self, request, pk=None, did=None):
        return self._delivery_act(
            "confirm",
            delivery_services.delivery_confirm,
            did,
            DeliveryConfirmInputSerializer,
        )

    @extend_schema(
        summary="对服务记录提出异议",
        request=DeliveryDisputeInputSerializer,
        responses=DeliveryRecordSerializer,
        parameters=[_path_id("did")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"deliveries/(?P<did>[0-9]+)/dispute",
        url_name="delivery-dispute",
    )
    def delivery_dispute(self, request, pk=None, did=None):
        return self._delivery_act(
            "dispute",
            delivery_services.delivery_dispute,
            did,
            DeliveryDisputeInputSerializer,
        )

    # --- residual work (社区自办) and extra work (合同外工作) ---------------------------

    @extend_schema(
        summary="登记社区自办",
        request=ResidualWorkInputSerializer,
        responses={201: ResidualWorkSerializer},
    )
    @action(detail=True, methods=["post"], url_path="residual-work")
    def residual_work(self, request, pk=None):
        contract = self._contract()
        transition_decision(request.user, contract, "record_residual").raise_if_denied()
        values = self._values(ResidualWorkInputSerializer)
        row = delivery_services.residual_work_record(
            contract=contract, actor=request.user, **values
        )
        return Response(
            ResidualWorkSerializer(row).data, status=status.HTTP_201_CREATED
        )

    def _extra(self, contract: Contract, xid: Any) -> ExtraWork:
        extra = contract.extra_work.filter(pk=_pk(xid)).first()
        if extra is None:
            raise NotFound()
        extra.contract = contract
        return extra

    @extend_schema(
        summary="登记合同外工作",
        request=ExtraWorkInputSerializer,
        responses={201: ExtraWorkSerializer},
    )
    @action(detail=True, methods=["post"], url_path="extra-work")
    def extra_work(self, request, pk=None):
        contract = self._contract()
        transition_decision(
            request.user, contract, "record_extra_work"
        ).raise_if_denied()
        values = self._values(ExtraWorkInputSerializer)
        extra = delivery_services.extra_work_record(
            contract=contract, actor=request.user, **values
        )
        extra = self._extra(contract, extra.pk)
        return Response(ExtraWorkSerializer(extra).data, status=status.HTTP_201_CREATED)

    def _extra_act(
        self, name: str, service: Callable[..., Any], xid: Any, input_serializer: Any
    ) -> Response:
        contract = self._contract()
        extra = self._extra(contract, xid)
        delivery_services.extra_work_decision(
            self.request.user, extra, name
        ).raise_if_denied()
        values = self._values(input_serializer)
        service(extra=extra, actor=self.request.user, **values)
        return Response(ExtraWorkSerializer(self._extra(contract, xid)).data)

    @extend_schema(
        summary="认定合同外工作",
        request=ExtraWorkDecisionInputSerializer,
        responses=ExtraWorkSerializer,
        parameters=[_path_id("xid")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"extra-work/(?P<xid>[0-9]+)/approve",
        url_name="extra-work-approve",
    )
    def extra_work_approve(self, request, pk=None, xid=None):
        return self._extra_act(
            "approve",
            delivery_services.extra_work_approve,
            xid,
            ExtraWorkDecisionInputSerializer,
        )

    @extend_schema(
        summary="不予认定合同外工作",
        request=ExtraWorkDecisionInputSerializer,
        responses=ExtraWorkSerializer,
        parameters=[_path_id("xid")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"extra-work/(?P<xid>[0-9]+)/refuse",
        url_name="extra-work-refuse",
    )
    def extra_work_refuse(self, request, pk=None, xid=None):
        def refuse(*, extra, actor, note: str = ""):
            return delivery_services.extra_work_refuse(
                extra=extra, actor=actor, note=note
            )

        return self._extra_act("refuse", refuse, xid, ExtraWorkDecisionInputSerializer)

    @extend_schema(
        summary="承接组织对合同外工作提出异议",
        request=ExtraWorkDisputeInputSerializer,
        responses=ExtraWorkSerializer,
        parameters=[_path_id("xid")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"extra-work/(?P<xid>[0-9]+)/dispute",
        url_name="extra-work-dispute",
    )
    def extra_work_dispute(self, request, pk=None, xid=None):
        return self._extra_act(
            "dispute",
            delivery_services.extra_work_dispute,
            xid,
            ExtraWorkDisputeInputSerializer,
        )
