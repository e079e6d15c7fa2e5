"""REST adapters of procurement: reads through the selectors, every write through one
service, one POST action per transition. Each transition is first asked of the
transition table (so a refusal is a 403 or a 409 with its reason before any input
is judged), then run by its service, which asks again under the row lock.

Sealed bids: every bid and project response branches on
`selectors.bid_content_visible(project)`; before the opening only who bid and when
leaves this module.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Count, Prefetch
from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from accounts.choices import OrganisationKind, Role
from accounts.models import Organisation, User
from core.exceptions import NotFound, NotPermitted, ValidationFailed
from core.models import JobStatus
from vendors.models import Vendor
from vendors.permissions import is_vendor_staff
from vendors.selectors import vendor_for_staff

from .. import selectors, services
from ..filtersets import NoticeFilterSet, ProcurementProjectFilterSet
from ..models import (
    BUYER_ROLES,
    BidFile,
    BidLot,
    Challenge,
    CommitteeMember,
    Lot,
    ProcurementProject,
)
from ..permissions import (
    bidding_vendor,
    can_create_project,
    can_invite,
    can_manage_project,
    can_view_procurement,
    committee_seat,
)
from ..scoring import criteria_from
from ..workflows import transition_decision
from .serializers import (
    AbnormalInputSerializer,
    AnnounceInputSerializer,
    BidLotSerializer,
    BidSubmitInputSerializer,
    ChallengeAnswerInputSerializer,
    ChallengeInputSerializer,
    ChallengeSerializer,
    CloseQualificationInputSerializer,
    CommitteeMemberSerializer,
    CorrectInputSerializer,
    DeclareInputSerializer,
    DrawCommitteeInputSerializer,
    GenerateDocumentInputSerializer,
    InviteInputSerializer,
    NoticeSerializer,
    OpenedBidSerializer,
    ProjectDetailSerializer,
    ProjectInputSerializer,
    ProjectSerializer,
    QualifyInputSerializer,
    ReplaceInputSerializer,
    ReturnSheetsInputSerializer,
    SealedBidSerializer,
    SheetInputSerializer,
    SheetViewSerializer,
    SignReportInputSerializer,
    TenderDocumentSerializer,
    TerminateInputSerializer,
    UninviteInputSerializer,
)

BidResponse = PolymorphicProxySerializer(
    component_name="ProcurementBid",
    serializers=[SealedBidSerializer, OpenedBidSerializer],
    resource_type_field_name=None,
    many=True,
)


def _path_id(name: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH)


def _pk(raw: Any) -> int:
    """A path id as an int; anything else is a 404 (never a 500)."""
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise NotFound() from None
    if value <= 0 or value > 2**63 - 1:
        raise NotFound()
    return value


def _own_vendor_ids(user: Any) -> set[int]:
    org_ids = [
        m.organisation_id
        for m in user.active_memberships()
        if m.role == Role.VENDOR_STAFF
    ]
    if not org_ids:
        return set()
    return set(
        Vendor.objects.filter(organisation_id__in=org_ids).values_list("pk", flat=True)
    )


@extend_schema_view(
    list=extend_schema(summary="采购项目列表"),
    retrieve=extend_schema(summary="采购项目详情", responses=ProjectDetailSerializer),
)
class ProcurementProjectViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Procurement projects the user may see (the buyer's staff, committee members,
    vendor staff once announced); invisible projects are a 404."""

    serializer_class = ProjectSerializer
    filterset_class = ProcurementProjectFilterSet
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    # --- reading ------------------------------------------------------------------

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProcurementProject.objects.none()
        return (
            selectors.project_list_for_user(self.request.user)
            .prefetch_related(
                Prefetch("committee", queryset=CommitteeMember.objects.order_by("pk"))
            )
            .order_by("-created_at", "-pk")
        )

    def list(self, request, *args, **kwargs):
        can_view_procurement(request.user).raise_if_denied()
        return super().list(request, *args, **kwargs)

    def _project(self) -> ProcurementProject:
        return selectors.project_get_for_user(_pk(self.kwargs["pk"]), self.request.user)

    def _context(self, project: ProcurementProject) -> dict[str, Any]:
        user = self.request.user
        own = _own_vendor_ids(user)
        return {
            "request": self.request,
            "project": project,
            "manager": bool(can_manage_project(user, project)),
            "own_vendor_ids": own,
            "own_bid_ids": set(
                project.bids.filter(vendor_id__in=own).values_list("pk", flat=True)
            )
            if own
            else set(),
        }

    def _out(self, project: ProcurementProject, code: int = status.HTTP_200_OK):
        project = selectors.project_get_for_user(project.pk, self.request.user)
        return Response(
            ProjectDetailSerializer(project, context=self._context(project)).data,
            status=code,
        )

    def retrieve(self, request, pk=None):
        return self._out(self._project())

    # --- the one adapter of transitions ---------------------------------------------

    def _values(self, input_serializer: Any) -> dict[str, Any]:
        if input_serializer is None:
            return {}
        data = input_serializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    def _allowed(self, project: ProcurementProject, name: str) -> None:
        """Ask the transition table first: 403 (who) or 409 (state), with the reason."""
        transition_decision(self.request.user, project, name).raise_if_denied()

    def _act(
        self,
        name: str,
        service: Callable[..., Any],
        input_serializer: Any = None,
        prepare: Callable[[ProcurementProject, dict[str, Any]], dict[str, Any]]
        | None = None,
    ) -> Response:
        project = self._project()
        self._allowed(project, name)
        values = self._values(input_serializer)
        if prepare is not None:
            values = prepare(project, values)
        result = service(actor=self.request.user, project=project, **values)
        if isinstance(result, ProcurementProject):
            return self._out(result)
        return self._out(project)

    # --- create and edit ------------------------------------------------------------

    def _buyer(self, raw: int | None) -> Organisation:
        user = self.request.user
        if raw is None:
            streets = {
                m.organisation_id
                for m in user.active_memberships()
                if m.role in BUYER_ROLES
                and m.organisation.kind == OrganisationKind.STREET
            }
            if len(streets) == 1:
                return Organisation.objects.get(pk=streets.pop())
            raise ValidationFailed(
                fields={"buyer": [_("请选择采购人（街道办事处）。")]}
            )
        buyer = Organisation.objects.filter(
            pk=raw, kind=OrganisationKind.STREET
        ).first()
        if buyer is None:
            raise ValidationFailed(fields={"buyer": [_("所选采购人不是街道办事处。")]})
        return buyer

    @extend_schema(
        summary="新建采购项目",
        request=ProjectInputSerializer,
        responses={201: ProjectDetailSerializer},
    )
    def create(self, request):
        can_create_project(request.user).raise_if_denied()
        values = self._values(ProjectInputSerializer)
        buyer = self._buyer(values.pop("buyer", None))
        project = services.project_create(actor=request.user, buyer=buyer, data=values)
        return self._out(project, status.HTTP_201_CREATED)

    @extend_schema(
        summary="修改草稿项目",
        request=ProjectInputSerializer,
        responses=ProjectDetailSerializer,
        description="Fields not sent keep their value; `lots`, when sent, replace "
        "every lot.",
    )
    def partial_update(self, request, pk=None):
        project = self._project()
        self._allowed(project, "update")
        data = ProjectInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "buyer" in values and values.pop("buyer") != project.buyer_id:
            raise ValidationFailed(fields={"buyer": [_("采购人不能修改。")]})
        merged = services.project_data(project)
        merged.update(values)
        project = services.project_update(
            actor=request.user, project=project, data=merged
        )
        return self._out(project)

    # --- notices and documents ------------------------------------------------------

    @extend_schema(request=None, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"], url_path="publish-intention")
    def publish_intention(self, request, pk=None):
        """公开采购意向 (TL-01)."""
        return self._act("publish_intention", services.project_publish_intention)

    @extend_schema(
        request=GenerateDocumentInputSerializer,
        responses={201: TenderDocumentSerializer},
    )
    @action(detail=True, methods=["post"], url_path="generate-document")
    def generate_document(self, request, pk=None):
        """Queue the next version of the 招标 / 磋商 / 比选 document; poll its job."""
        project = self._project()
        self._allowed(project, "generate_document")
        values = self._values(GenerateDocumentInputSerializer)
        doc = services.tender_document_generate(
            actor=request.user, project=project, note=values.get("note", "")
        )
        doc = project.documents.select_related("job").get(pk=doc.pk)
        return Response(
            TenderDocumentSerializer(doc, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY),
        },
        parameters=[_path_id("document_id")],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"documents/(?P<document_id>[^/.]+)/download",
        url_name="document-download",
    )
    def document_download(self, request, pk=None, document_id=None):
        """The rendered document (a finished version) of a project the user sees."""
        project = self._project()
        doc = (
            project.documents.select_related("job").filter(pk=_pk(document_id)).first()
        )
        if doc is None or doc.job.status != JobStatus.DONE or not doc.job.file:
            raise NotFound()
        name = f"{project.code}-v{doc.version}.pdf"
        return FileResponse(
            doc.job.file.open("rb"),
            as_attachment=True,
            filename=name,
            content_type="application/pdf",
        )

    @extend_schema(
        request=None,
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY)
        },
        parameters=[_path_id("bid_id"), _path_id("file_id")],
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"bids/(?P<bid_id>[^/.]+)/files/(?P<file_id>[^/.]+)",
        url_name="bid-file",
    )
    def bid_file(self, request, pk=None, bid_id=None, file_id=None):
        """A bid document, after the opening, for whoever may read that bid."""
        project = self._project()
        f = selectors.bid_file_for_user(
            request.user, project, _pk(bid_id), _pk(file_id)
        )
        return FileResponse(
            f.file.open("rb"), as_attachment=True, filename=f.name or "bid-file"
        )

    @extend_schema(request=AnnounceInputSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def announce(self, request, pk=None):
        """发布采购公告: documents on offer and the bid deadline (TL-03, TL-04, TL-07)."""
        return self._act("announce", services.project_announce, AnnounceInputSerializer)

    @extend_schema(request=CorrectInputSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def correct(self, request, pk=None):
        """更正公告; a change affecting bids may move the deadline (TL-05)."""
        return self._act("correct", services.project_correct, CorrectInputSerializer)

    # --- invitations (比选 only, PM-11; never for 公开招标 or 磋商, PM-12) -----------

    def _invitee(self, raw: int) -> Vendor:
        vendor = Vendor.objects.select_related("organisation").filter(pk=raw).first()
        if vendor is None:
            raise ValidationFailed(fields={"vendor": [_("所选组织不存在。")]})
        return vendor

    @extend_schema(
        summary="邀请组织参加比选",
        request=InviteInputSerializer,
        responses={201: ProjectDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """邀请比选: only a 比选, draft or announced, before the deadline; an
        organisation eliminated from the admission list and still cooling off is
        refused on `vendor`."""
        project = self._project()
        can_invite(request.user, project).raise_if_denied()
        values = self._values(InviteInputSerializer)
        services.project_invite(
            actor=request.user,
            project=project,
            vendor=self._invitee(values["vendor"]),
            note=values.get("note", ""),
        )
        return self._out(project, status.HTTP_201_CREATED)

    @extend_schema(
        summary="撤销比选邀请",
        request=UninviteInputSerializer,
        responses=ProjectDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def uninvite(self, request, pk=None):
        """撤销邀请 before the deadline, unless the organisation has responded."""
        project = self._project()
        can_invite(request.user, project).raise_if_denied()
        values = self._values(UninviteInputSerializer)
        services.project_uninvite(
            actor=request.user,
            project=project,
            vendor=self._invitee(values["vendor"]),
        )
        return self._out(project)

    # --- committee ------------------------------------------------------------------

    def _draw_values(
        self, project: ProcurementProject, values: dict[str, Any]
    ) -> dict[str, Any]:
        ids = values.pop("buyer_representatives", [])
        users = list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))
        if len(users) != len(set(ids)):
            raise ValidationFailed(
                fields={"buyer_representatives": [_("所选用户不存在。")]}
            )
        values["buyer_representatives"] = users
        return values

    @extend_schema(
        request=DrawCommitteeInputSerializer, responses=ProjectDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="draw-committee")
    def draw_committee(self, request, pk=None):
        """抽取评审专家 with a recorded random seed, plus the buyer's representatives."""
        return self._act(
            "draw_committee",
            services.committee_draw,
            DrawCommitteeInputSerializer,
            self._draw_values,
        )

    def _member(self, project: ProcurementProject, member_id: Any) -> CommitteeMember:
        wanted = _pk(member_id)
        member = next((m for m in project.committee.all() if m.pk == wanted), None)
        if member is None:
            raise NotFound()
        return member

    def _member_out(
        self, project: ProcurementProject, member: CommitteeMember, code: int = 200
    ):
        project = selectors.project_get_for_user(project.pk, self.request.user)
        member = CommitteeMember.objects.select_related("user").get(pk=member.pk)
        ctx = {
            **self._context(project),
            "names_visible": selectors.committee_names_visible(
                self.request.user, project
            ),
        }
        return Response(
            CommitteeMemberSerializer(member, context=ctx).data,
            status=code,
        )

    @extend_schema(
        request=DeclareInputSerializer,
        responses=CommitteeMemberSerializer,
        parameters=[_path_id("member_id")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"members/(?P<member_id>[^/.]+)/declare",
        url_name="member-declare",
    )
    def member_declare(self, request, pk=None, member_id=None):
        """A member's own declaration on conflicts of interest (COM-08)."""
        project = self._project()
        member = self._member(project, member_id)
        values = self._values(DeclareInputSerializer)
        member = services.member_declare(
            actor=request.user,
            member=member,
            conflict=values["conflict"],
            text=values["declaration"],
        )
        return self._member_out(project, member)

    @extend_schema(
        request=ReplaceInputSerializer,
        responses={201: CommitteeMemberSerializer},
        parameters=[_path_id("member_id")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"members/(?P<member_id>[^/.]+)/replace",
        url_name="member-replace",
    )
    def member_replace(self, request, pk=None, member_id=None):
        """Replace a member who must recuse: an expert by a new draw."""
        project = self._project()
        self._allowed(project, "replace_member")
        member = self._member(project, member_id)
        values = self._values(ReplaceInputSerializer)
        replacement = None
        if values.get("replacement") is not None:
            replacement = User.objects.filter(
                pk=values["replacement"], is_active=True
            ).first()
            if replacement is None:
                raise ValidationFailed(fields={"replacement": [_("所选用户不存在。")]})
        new = services.member_replace(
            actor=request.user, member=member, replacement=replacement
        )
        return self._member_out(project, new, status.HTTP_201_CREATED)

    # --- opening and qualification --------------------------------------------------

    @extend_schema(request=None, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request, pk=None):
        """开标: after the deadline; the only moment bids are decrypted."""
        return self._act("open", services.project_open)

    @extend_schema(
        request=CloseQualificationInputSerializer, responses=ProjectDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="close-qualification")
    def close_qualification(self, request, pk=None):
        """The supplier-count outcome per lot (SUP-01..06)."""
        return self._act(
            "close_qualification",
            services.project_close_qualification,
            CloseQualificationInputSerializer,
        )

    # --- bids -----------------------------------------------------------------------

    def _bids_payload(
        self, project: ProcurementProject, bids: list[Any]
    ) -> list[dict[str, Any]]:
        ids = [b.pk for b in bids]
        counts = dict(
            BidFile.objects.filter(bid_id__in=ids)
            .values("bid_id")
            .annotate(n=Count("pk"))
            .values_list("bid_id", "n")
        )
        if not selectors.bid_content_visible(project):
            return SealedBidSerializer(
                bids, many=True, context={"file_counts": counts}
            ).data
        bid_lots: dict[int, list[BidLot]] = {}
        for bl in (
            BidLot.objects.filter(bid_id__in=ids)
            .select_related("lot")
            .order_by("lot__number")
        ):
            bid_lots.setdefault(bl.bid_id, []).append(bl)
        bid_files: dict[int, list[BidFile]] = {}
        for f in selectors.opened_files(ids).select_related("bid"):
            bid_files.setdefault(f.bid_id, []).append(f)
        return OpenedBidSerializer(
            bids,
            many=True,
            context={
                "file_counts": counts,
                "bid_lots": bid_lots,
                "bid_files": bid_files,
            },
        ).data

    def _visible_bid(self, project: ProcurementProject, bid_id: Any) -> Any:
        wanted = _pk(bid_id)
        bid = next(
            (
                b
                for b in selectors.bids_for(self.request.user, project)
                if b.pk == wanted
            ),
            None,
        )
        if bid is None:
            raise NotFound()
        return bid

    def _vendor(self, raw: int | None) -> Vendor:
        """The vendor the user acts for: the one named (if it is theirs) or their own
        (`vendors.selectors.vendor_for_staff`); `bidding_vendor` decides."""
        user = self.request.user
        if raw is None:
            vendor = vendor_for_staff(user)
        else:
            vendor = (
                Vendor.objects.select_related("organisation").filter(pk=raw).first()
            )
        if vendor is None:
            raise NotPermitted(_("只有承接组织的人员可以投标或提出质疑。"))
        bidding_vendor(user, vendor).raise_if_denied()
        return vendor

    def _sealed_out(
        self,
        project: ProcurementProject,
        bid: Any,
        file_counts: dict[int, int],
        code: int = status.HTTP_200_OK,
    ) -> Response:
        bid = project.bids.select_related("vendor__organisation").get(pk=bid.pk)
        return Response(
            SealedBidSerializer(bid, context={"file_counts": file_counts}).data,
            status=code,
        )

    @extend_schema(
        methods=["GET"],
        summary="投标列表（开标前只显示投标人和递交时间）",
        request=None,
        responses=BidResponse,
    )
    @extend_schema(
        methods=["POST"],
        summary="递交或替换投标",
        request={
            "application/json": BidSubmitInputSerializer,
            "multipart/form-data": BidSubmitInputSerializer,
        },
        responses={201: SealedBidSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def bids(self, request, pk=None):
        """GET: the bids the user may know of (selectors.bids_for); before the opening
        only who bid, when, the status and the number of files. POST: vendor staff
        submit (or replace) a sealed bid before the deadline."""
        project = self._project()
        if request.method == "GET":
            bids = selectors.bids_for(request.user, project)
            return Response(self._bids_payload(project, bids))
        values = self._values(BidSubmitInputSerializer)
        vendor = self._vendor(values.pop("vendor", None))
        files = values.pop("files", []) or []
        bid = services.bid_submit(
            actor=request.user,
            project=project,
            vendor=vendor,
            data=values,
            files=files,
        )
        return self._sealed_out(
            project, bid, {bid.pk: len(files)}, status.HTTP_201_CREATED
        )

    @extend_schema(
        request=None,
        responses=SealedBidSerializer,
        parameters=[_path_id("bid_id")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"bids/(?P<bid_id>[^/.]+)/withdraw",
        url_name="bid-withdraw",
    )
    def bid_withdraw(self, request, pk=None, bid_id=None):
        """Withdraw the vendor's bid before the deadline."""
        project = self._project()
        bid = self._visible_bid(project, bid_id)
        bid = services.bid_withdraw(actor=request.user, bid=bid)
        return self._sealed_out(project, bid, {})

    @extend_schema(
        request=QualifyInputSerializer,
        responses=OpenedBidSerializer,
        parameters=[_path_id("bid_id")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"bids/(?P<bid_id>[^/.]+)/qualify",
        url_name="bid-qualify",
    )
    def bid_qualify(self, request, pk=None, bid_id=None):
        """资格审查 of one opened bid, with the officer's judgement of each condition."""
        project = self._project()
        self._allowed(project, "qualify")
        bid = self._visible_bid(project, bid_id)
        values = self._values(QualifyInputSerializer)
        conditions = {str(k): dict(v) for k, v in values["conditions"].items()}
        bid = services.bid_qualify(actor=request.user, bid=bid, conditions=conditions)
        project = selectors.project_get_for_user(project.pk, request.user)
        bid = project.bids.select_related("vendor__organisation").get(pk=bid.pk)
        return Response(self._bids_payload(project, [bid])[0])

    # --- scoring --------------------------------------------------------------------

    def _lot(self, project: ProcurementProject, lot_id: Any) -> Lot:
        lot = project.lots.filter(pk=_pk(lot_id)).first()
        if lot is None:
            raise NotFound()
        lot.project = project
        return lot

    def _sheet_view(self, project: ProcurementProject, lot: Lot) -> dict[str, Any]:
        user = self.request.user
        bids = []
        if selectors.bid_content_visible(project):
            bids = [
                {
                    "bid": bl.bid_id,
                    "vendor": bl.bid.vendor.organisation.name,
                    "price": str(bl.price),
                    "abnormal_reasons": [str(r) for r in bl.abnormal_reasons],
                    "explanation_accepted": bl.explanation_accepted,
                }
                for bl in services.scorable_bids(lot)
            ]
        sheets = selectors.sheets_visible_to(user, project, lot)
        criteria = [
            {
                "code": c.code,
                "name": c.name,
                "weight": str(c.weight),
                "kind": "objective" if c.objective else "subjective",
            }
            for c in criteria_from(project.criteria)
        ]
        return SheetViewSerializer(
            {"lot": lot.pk, "criteria": criteria, "bids": bids, "sheets": sheets},
            context={"request": self.request},
        ).data

    @extend_schema(
        methods=["GET"],
        summary="评分表",
        request=None,
        responses=SheetViewSerializer,
        parameters=[_path_id("lot_id")],
    )
    @extend_schema(
        methods=["PUT", "POST"],
        summary="保存或提交评分",
        request=SheetInputSerializer,
        responses=SheetViewSerializer,
        parameters=[_path_id("lot_id")],
    )
    @action(
        detail=True,
        methods=["get", "put", "post"],
        url_path=r"lots/(?P<lot_id>[^/.]+)/sheet",
        url_name="lot-sheet",
    )
    def lot_sheet(self, request, pk=None, lot_id=None):
        """A member's own score sheet of a lot, and the others' once theirs is
        submitted; the buyer's staff read every sheet after the evaluation."""
        project = self._project()
        lot = self._lot(project, lot_id)
        user = request.user
        is_member = committee_seat(user, project) is not None
        if request.method == "GET":
            if not (
                is_member
                or user.is_superuser
                or selectors.is_buyer_reader(user, project)
            ):
                raise NotPermitted(_("只有评审小组成员和采购人可以查看评分表。"))
            return Response(self._sheet_view(project, lot))
        self._allowed(project, "score")
        values = self._values(SheetInputSerializer)
        services.sheet_save(
            actor=user, lot=lot, scores=values["scores"], submit=values["submit"]
        )
        project = selectors.project_get_for_user(project.pk, user)
        return Response(
            self._sheet_view(project, self._lot(project, lot_id)),
        )

    @extend_schema(
        request=AbnormalInputSerializer,
        responses=BidLotSerializer,
        parameters=[_path_id("bid_lot_id")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"bid-lots/(?P<bid_lot_id>[^/.]+)/abnormal",
        url_name="bid-lot-abnormal",
    )
    def bid_lot_abnormal(self, request, pk=None, bid_lot_id=None):
        """The committee's decision on an abnormally low price (SC-13), recorded by
        the chair."""
        project = self._project()
        self._allowed(project, "decide_abnormal")
        bl = (
            BidLot.objects.select_related("lot__project", "bid")
            .filter(pk=_pk(bid_lot_id), lot__project=project)
            .first()
        )
        if bl is None:
            raise NotFound()
        values = self._values(AbnormalInputSerializer)
        bl = services.abnormal_price_decide(actor=request.user, bid_lot=bl, **values)
        bl = BidLot.objects.select_related("lot").get(pk=bl.pk)
        return Response(BidLotSerializer(bl).data)

    def _return_values(
        self, project: ProcurementProject, values: dict[str, Any]
    ) -> dict[str, Any]:
        ids = set(values["members"])
        members = [m for m in project.committee.all() if m.pk in ids]
        if len(members) != len(ids):
            raise ValidationFailed(fields={"members": [_("所选成员不在评审小组中。")]})
        values["members"] = members
        return values

    @extend_schema(
        request=ReturnSheetsInputSerializer, responses=ProjectDetailSerializer
    )
    @action(detail=True, methods=["post"], url_path="return-sheets")
    def return_sheets(self, request, pk=None):
        """Return submitted sheets for correction, only in a statutory case (SC-11)."""
        return self._act(
            "return_sheets",
            services.sheets_return,
            ReturnSheetsInputSerializer,
            self._return_values,
        )

    @extend_schema(request=SignReportInputSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"], url_path="sign-report")
    def sign_report(self, request, pk=None):
        """A member signs the evaluation report; dissent needs reasons (COM-09)."""
        return self._act("sign_report", services.report_sign, SignReportInputSerializer)

    # --- award and challenges -------------------------------------------------------

    @extend_schema(request=None, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def award(self, request, pk=None):
        """确定中标人 and publish the award notice (TL-10, TL-11)."""
        return self._act("award", services.project_award)

    @extend_schema(request=None, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def finalise(self, request, pk=None):
        """The result becomes final after the challenge window (TL-17, TL-20)."""
        return self._act("finalise", services.award_finalise)

    @extend_schema(request=TerminateInputSerializer, responses=ProjectDetailSerializer)
    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        """终止采购 with a reason; the notice is published (DIS-10)."""
        return self._act(
            "terminate", services.project_terminate, TerminateInputSerializer
        )

    @extend_schema(request=None, responses={201: ProjectDetailSerializer})
    @action(detail=True, methods=["post"])
    def restart(self, request, pk=None):
        """A failed or terminated procurement starts again as a new draft."""
        project = self._project()
        self._allowed(project, "restart")
        new = services.project_restart(actor=request.user, project=project)
        return self._out(new, status.HTTP_201_CREATED)

    def _challenge_out(
        self, challenge: Challenge, code: int = status.HTTP_200_OK
    ) -> Response:
        challenge = Challenge.objects.select_related("vendor__organisation").get(
            pk=challenge.pk
        )
        return Response(ChallengeSerializer(challenge).data, status=code)

    @extend_schema(
        request=ChallengeInputSerializer, responses={201: ChallengeSerializer}
    )
    @action(detail=True, methods=["post"])
    def challenges(self, request, pk=None):
        """质疑: a bidder's staff challenge the result within the window (TL-17)."""
        project = self._project()
        values = self._values(ChallengeInputSerializer)
        vendor = self._vendor(values.get("vendor"))
        challenge = services.challenge_file(
            actor=request.user,
            project=project,
            vendor=vendor,
            grounds=values["grounds"],
        )
        return self._challenge_out(challenge, status.HTTP_201_CREATED)

    @extend_schema(
        request=ChallengeAnswerInputSerializer,
        responses=ChallengeSerializer,
        parameters=[_path_id("challenge_id")],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"challenges/(?P<challenge_id>[^/.]+)/answer",
        url_name="challenge-answer",
    )
    def challenge_answer(self, request, pk=None, challenge_id=None):
        """The buyer's written answer (TL-18)."""
        project = self._project()
        challenge = (
            project.challenges.select_related("vendor__organisation")
            .filter(pk=_pk(challenge_id))
            .first()
        )
        if challenge is None:
            raise NotFound()
        if not (
            request.user.is_superuser
            or selectors.is_buyer_reader(request.user, project)
            or is_vendor_staff(request.user, challenge.vendor)
        ):
            raise NotFound()
        self._allowed(project, "answer_challenge")
        values = self._values(ChallengeAnswerInputSerializer)
        challenge = services.challenge_answer(
            actor=request.user, challenge=challenge, **values
        )
        return self._challenge_out(challenge)


@extend_schema_view(
    list=extend_schema(summary="已发布的采购公告（无需登录）"),
    retrieve=extend_schema(summary="采购公告"),
)
class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """The public notices: published ones only, no login needed."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilterSet
    permission_classes = [permissions.AllowAny]

    def get_queryset(self):
        return selectors.published_notices().order_by("-published_on", "-pk")

    def get_object(self):
        notice = self.get_queryset().filter(pk=_pk(self.kwargs["pk"])).first()
        if notice is None:
            raise NotFound()
        return notice
