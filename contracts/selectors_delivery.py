"""Reads about delivery: the records of a contract, flagged photos, the work community
staff still do themselves, and the share of work given outside the contract.

Visibility is the contract's: whoever may see a contract
(`Contract.objects.visible_to(user)`) sees its deliveries, residual and extra work;
anyone else gets NotFound.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from accounts.models import Organisation
from core.exceptions import NotFound
from core.ids import as_id
from vendors.models import Vendor

from .choices import DeliveryStatus, ExtraWorkStatus
from .models import Contract, ContractItem, DeliveryRecord, Evidence, ExtraWork
from .services.delivery import (
    DELIVERY_TRANSITIONS,
    EXTRA_WORK_TRANSITIONS,
    delivery_decision,
    extra_work_decision,
)

# Extra work that counts as work done outside the contract: confirmed by the buyer,
# or pushed back on by the vendor (its dispute does not undo that the work was
# asked for); merely recorded (undecided) and refused records do not count.
COUNTED_EXTRA = (ExtraWorkStatus.APPROVED, ExtraWorkStatus.DISPUTED)
RATIO_PLACES = Decimal("0.0001")


def _visible_contract(contract: Contract, user: Any) -> None:
    if not Contract.objects.visible_to(user).filter(pk=contract.pk).exists():
        raise NotFound()


def deliveries_for(contract: Contract, user: Any) -> QuerySet[DeliveryRecord]:
    """Every delivery record of a contract the user may see, newest period first,
    with its item, community, people and evidence (a fixed number of queries).

    Raises:
        NotFound: the contract is not visible to the user.
    """
    _visible_contract(contract, user)
    return (
        DeliveryRecord.objects.filter(contract=contract)
        .select_related(
            "contract_item__item",
            "contract_item__community",
            "reported_by",
            "reviewed_by",
        )
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.select_related("duplicate_of").order_by("id"),
            )
        )
    )


def delivery_get_for_user(pk: Any, user: Any) -> DeliveryRecord:
    """One delivery record, if its contract is visible to the user.

    Raises:
        NotFound: no such record, or its contract is invisible.
    """
    record_id = as_id(pk)
    record = (
        DeliveryRecord.objects.filter(
            pk=record_id, contract__in=Contract.objects.visible_to(user)
        )
        .select_related(
            "contract__buyer",
            "contract__vendor__organisation",
            "contract_item__item",
            "contract_item__community",
        )
        .first()
        if record_id is not None
        else None
    )
    if record is None:
        raise NotFound()
    return record


def delivery_allowed_actions(user: Any, delivery: DeliveryRecord) -> list[str]:
    """The names of what `user` may do to the record now (buttons, `allowed_actions`)."""
    return [
        n for n in DELIVERY_TRANSITIONS if delivery_decision(user, delivery, n).allowed
    ]


def extra_work_for(contract: Contract, user: Any) -> QuerySet[ExtraWork]:
    """The extra-work records of a visible contract.

    Raises:
        NotFound: the contract is not visible to the user.
    """
    _visible_contract(contract, user)
    return ExtraWork.objects.filter(contract=contract).select_related(
        "community", "recorded_by", "decided_by"
    )


def extra_work_get_for_user(pk: Any, user: Any) -> ExtraWork:
    """One extra-work record, if its contract is visible to the user.

    Raises:
        NotFound: no such record, or its contract is invisible.
    """
    record_id = as_id(pk)
    record = (
        ExtraWork.objects.filter(
            pk=record_id, contract__in=Contract.objects.visible_to(user)
        )
        .select_related(
            "contract__buyer", "contract__vendor__organisation", "community"
        )
        .first()
        if record_id is not None
        else None
    )
    if record is None:
        raise NotFound()
    return record


def extra_work_allowed_actions(user: Any, extra: ExtraWork) -> list[str]:
    return [
        n for n in EXTRA_WORK_TRANSITIONS if extra_work_decision(user, extra, n).allowed
    ]


def duplicate_photos(contract: Contract) -> QuerySet[Evidence]:
    """The contract's evidence flagged as the same as, or near-identical to, an
    earlier photo (of any contract or vendor), with where that photo was used."""
    return (
        Evidence.objects.filter(delivery__contract=contract, duplicate_of__isnull=False)
        .select_related(
            "delivery__contract_item__item",
            "delivery__contract_item__community",
            "duplicate_of__delivery__contract__vendor",
            "duplicate_of__delivery__contract_item__community",
        )
        .order_by("id")
    )


@dataclass(frozen=True)
class RatioRow:
    """One vendor's or community's extra-work ratio."""

    id: int
    name: str
    extra_count: int
    extra_hours: Decimal
    delivery_count: int

    @property
    def ratio(self) -> Decimal | None:
        """extra_count ÷ (extra_count + delivery_count), None when both are 0."""
        total = self.extra_count + self.delivery_count
        if not total:
            return None
        return (Decimal(self.extra_count) / Decimal(total)).quantize(
            RATIO_PLACES, rounding=ROUND_HALF_UP
        )

    @property
    def percent(self) -> Decimal | None:
        r = self.ratio
        return None if r is None else (r * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ExtraWorkRatios:
    by_vendor: list[RatioRow]
    by_community: list[RatioRow]


def _count_sub(qs: QuerySet[Any], group: str) -> Subquery:
    return Subquery(
        qs.order_by().values(group).annotate(n=Count("pk")).values("n")[:1],
        output_field=IntegerField(),
    )


def _hours_sub(qs: QuerySet[Any], group: str) -> Subquery:
    return Subquery(
        qs.order_by().values(group).annotate(h=Sum("hours")).values("h")[:1],
        output_field=DecimalField(max_digits=12, decimal_places=1),
    )


def extra_work_ratio(
    contract: Contract | None = None,
    vendor: Vendor | None = None,
    community: Organisation | None = None,
    *,
    contracts: QuerySet[Contract] | None = None,
) -> ExtraWorkRatios:
    """How much of a vendor's (and a community's) work was given outside the contract.

    The ratio is counted in records, because delivery records carry counts in the
    item's own unit (件 / 户次 / 场次) and no hours, while extra work carries hours:

        ratio = E ÷ (E + D)

    - E: extra-work records approved by the buyer or disputed by the vendor
      (undecided and refused ones are not counted);
    - D: delivery records confirmed by the community (社区签收).

    E.g. 3 counted extra-work records beside 9 confirmed deliveries give 3 ÷ 12 =
    0.25. The hours of the counted extra work are reported beside it (`extra_hours`).
    Per community, extra work recorded without a community (a department's or the
    vendor's own) is not attributed to any community.

    `contract`, `vendor`, `community` narrow what is counted; `contracts` (e.g. the
    contracts visible to a user) bounds it. Rows are the vendors and communities with
    at least one counted record. One query per grouping (GROUP BY in subqueries).
    """
    scope = Contract.objects.all() if contracts is None else contracts
    if contract is not None:
        scope = scope.filter(pk=contract.pk)
    if vendor is not None:
        scope = scope.filter(vendor=vendor)
    extra = ExtraWork.objects.filter(
        status__in=COUNTED_EXTRA, contract__in=scope.values("pk")
    )
    delivered = DeliveryRecord.objects.filter(
        status=DeliveryStatus.CONFIRMED, contract__in=scope.values("pk")
    )
    if community is not None:
        extra = extra.filter(community=community)
        delivered = delivered.filter(contract_item__community=community)

    def rows(
        base: QuerySet[Any], name: str, extra_key: str, delivery_key: str
    ) -> list[RatioRow]:
        e = extra.filter(**{extra_key: OuterRef("pk")})
        d = delivered.filter(**{delivery_key: OuterRef("pk")})
        zero_h = Value(
            Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=1)
        )
        qs = (
            base.annotate(
                extra_count=Coalesce(_count_sub(e, extra_key), 0),
                extra_hours=Coalesce(_hours_sub(e, extra_key), zero_h),
                delivery_count=Coalesce(_count_sub(d, delivery_key), 0),
            )
            .filter(Q(extra_count__gt=0) | Q(delivery_count__gt=0))
            .values_list("pk", name, "extra_count", "extra_hours", "delivery_count")
        )
        return [RatioRow(*row) for row in qs]

    vendors = Vendor.objects.filter(pk__in=scope.values("vendor_id")).order_by(
        "organisation__name"
    )
    communities = Organisation.objects.filter(
        pk__in=ContractItem.objects.filter(contract__in=scope.values("pk")).values(
            "community_id"
        )
    ).order_by("path")
    if community is not None:
        communities = communities.filter(pk=community.pk)
    return ExtraWorkRatios(
        by_vendor=rows(
            vendors, "organisation__name", "contract__vendor", "contract__vendor"
        ),
        by_community=rows(communities, "name", "community", "contract_item__community"),
    )


def residual_summary(contract: Contract) -> list[dict[str, Any]]:
    """Per contract item × community: how many times and hours community staff still
    did the item themselves (社区自办), in one query; every item of the contract
    appears, with zeros where nothing was recorded."""
    zero_h = Value(
        Decimal("0"), output_field=DecimalField(max_digits=12, decimal_places=1)
    )
    return list(
        ContractItem.objects.filter(contract=contract)
        .annotate(
            residual_records=Count("residual_work"),
            residual_hours=Coalesce(Sum("residual_work__hours"), zero_h),
        )
        .values(
            "pk",
            "item__code",
            "item__name",
            "community_id",
            "community__name",
            "unit",
            "target",
            "residual_records",
            "residual_hours",
        )
        .order_by("item__code", "community__code")
    )
