"""The vendor FilterSet, shared by the HTML register and the API."""

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from accounts.selectors import streets_of_users_districts

from .choices import ApplicationStatus, CreditResult, Grade, OrgType, VendorStatus
from .models import (
    CreditCheck,
    EligibilityDocument,
    IncubationApplication,
    IncubationCentre,
    Vendor,
)


class VendorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="search", help_text=_("名称、信用代码或法定代表人")
    )
    street = django_filters.ModelChoiceFilter(
        label=_("服务街道"),
        field_name="streets",
        queryset=Organisation.objects.filter(kind=OrganisationKind.STREET),
        to_field_name="code",
        empty_label=_("全部街道"),
    )
    org_type = django_filters.ChoiceFilter(
        label=_("主体类型"), choices=OrgType.choices, empty_label=_("全部")
    )
    grade = django_filters.ChoiceFilter(
        label=_("评估等级"), choices=Grade.choices, empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=VendorStatus.choices, empty_label=_("全部")
    )
    problems = django_filters.BooleanFilter(
        label=_("有资格问题"),
        method="filter_problems",
        help_text=_("有过期材料或被列入信用名单"),
    )
    expiring_within = django_filters.NumberFilter(
        label=_("材料将在几日内到期"),
        method="filter_expiring",
        min_value=1,
        max_value=366,
    )

    class Meta:
        model = Vendor
        fields = [
            "q",
            "street",
            "org_type",
            "grade",
            "status",
            "problems",
            "expiring_within",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = user or getattr(self.request, "user", None)
        if user is not None and user.is_authenticated and not user.is_superuser:
            self.filters["street"].queryset = streets_of_users_districts(user)

    def search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(organisation__short_name__icontains=value)
            | Q(uscc__icontains=value)
            | Q(legal_representative__icontains=value)
        )

    def filter_problems(self, queryset, name, value):
        """Same rule as the eligibility check: an expired document counts when it is of
        a disqualifying kind and no valid document of the same kind replaces it."""
        if value is None:
            return queryset
        from .eligibility import NON_DISQUALIFYING_KINDS

        today = timezone.localdate()
        replacement = EligibilityDocument.objects.filter(
            vendor=OuterRef("vendor"), kind=OuterRef("kind")
        ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        expired = (
            EligibilityDocument.objects.filter(
                vendor=OuterRef("pk"), valid_until__lt=today
            )
            .exclude(kind__in=NON_DISQUALIFYING_KINDS)
            .exclude(Exists(replacement))
        )
        # Only the latest check of each list counts (a later clear check supersedes it).
        later = CreditCheck.objects.filter(
            vendor=OuterRef("vendor"),
            list_kind=OuterRef("list_kind"),
            checked_at__gt=OuterRef("checked_at"),
        )
        listed = CreditCheck.objects.filter(
            vendor=OuterRef("pk"), result=CreditResult.LISTED
        ).exclude(Exists(later))
        cond = Q(Exists(expired)) | Q(Exists(listed))
        return queryset.filter(cond) if value else queryset.exclude(cond)

    def filter_expiring(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        soon = EligibilityDocument.objects.filter(
            vendor=OuterRef("pk"),
            valid_until__gte=today,
            valid_until__lte=today + dt.timedelta(days=int(value)),
        )
        return queryset.filter(Exists(soon))


class IncubationApplicationFilterSet(django_filters.FilterSet):
    """Shared by the incubation board and /api/v1/incubation/applications/."""

    q = django_filters.CharFilter(
        label=_("搜索"), method="search", help_text=_("组织或团队名称")
    )
    centre = django_filters.ModelChoiceFilter(
        label=_("孵化中心"),
        field_name="round__centre",
        queryset=None,
        empty_label=_("全部中心"),
    )
    round = django_filters.NumberFilter(label=_("批次"), field_name="round_id")
    status = django_filters.ChoiceFilter(
        label=_("阶段"), choices=ApplicationStatus.choices, empty_label=_("全部")
    )

    class Meta:
        model = IncubationApplication
        fields = ["q", "centre", "round", "status"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = user or getattr(self.request, "user", None)
        self.filters["centre"].queryset = IncubationCentre.objects.visible_to(
            user
        ).order_by("pk")

    def search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(vendor__organisation__name__icontains=value)
            | Q(team_name__icontains=value)
        )
