"""The contract FilterSet, shared by the HTML list and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from accounts.selectors import streets_of_users_districts
from catalogue.models import ServiceItem
from vendors.models import Vendor

from .choices import ContractStatus
from .models import Contract, ContractItem


class ContractFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="search", help_text=_("合同编号、名称或承接组织")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=ContractStatus.choices, empty_label=_("全部")
    )
    street = django_filters.ModelChoiceFilter(
        label=_("街道办事处"),
        field_name="buyer",
        queryset=Organisation.objects.filter(kind=OrganisationKind.STREET),
        empty_label=_("全部街道"),
    )
    vendor = django_filters.ModelChoiceFilter(
        label=_("承接组织"),
        queryset=Vendor.objects.select_related("organisation"),
        empty_label=_("全部"),
    )
    community = django_filters.ModelChoiceFilter(
        label=_("社区"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.COMMUNITY),
        method="by_community",
        empty_label=_("全部社区"),
    )
    item = django_filters.ModelChoiceFilter(
        label=_("服务事项"),
        # Only items that some contract holds: a short list, not every catalogue year.
        queryset=ServiceItem.objects.filter(
            pk__in=ContractItem.objects.values("item_id")
        ).order_by("code", "version_id"),
        method="by_item",
        empty_label=_("全部事项"),
    )
    updated_since = django_filters.IsoDateTimeFilter(
        label=_("更新时间不早于"), field_name="updated_at", lookup_expr="gte"
    )

    class Meta:
        model = Contract
        fields = [
            "q",
            "status",
            "street",
            "vendor",
            "community",
            "item",
            "updated_since",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = user or getattr(self.request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_superuser
            and getattr(user, "token_street_path", None) is None
        ):
            # Offer only the streets whose contracts the user can see at all.
            self.filters["street"].queryset = streets_of_users_districts(user)

    def search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()[:200]
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(title__icontains=value)
            | Q(vendor__organisation__name__icontains=value)
        )

    # Sub-queries, not joins: a contract with 1,500 item rows stays one row.
    @extend_schema_field(OpenApiTypes.INT)
    def by_community(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            pk__in=ContractItem.objects.filter(community=value).values("contract_id")
        )

    @extend_schema_field(OpenApiTypes.INT)
    def by_item(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(
            pk__in=ContractItem.objects.filter(item=value).values("contract_id")
        )
