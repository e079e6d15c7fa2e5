"""The procurement project FilterSet, shared by the HTML list and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrganisationKind
from accounts.models import Organisation
from accounts.selectors import streets_of_users_districts

from .choices import Method, NoticeKind, ProjectStatus
from .models import Notice, ProcurementProject


class ProcurementProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="search", help_text=_("项目编号、名称或采购人")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=ProjectStatus.choices, empty_label=_("全部")
    )
    method = django_filters.ChoiceFilter(
        label=_("采购方式"), choices=Method.choices, empty_label=_("全部")
    )
    buyer = django_filters.ModelChoiceFilter(
        label=_("采购人"),
        queryset=Organisation.objects.filter(kind=OrganisationKind.STREET),
        empty_label=_("全部街道"),
    )
    fiscal_year = django_filters.NumberFilter(
        label=_("预算年度"), min_value=2000, max_value=2100
    )

    class Meta:
        model = ProcurementProject
        fields = ["q", "status", "method", "buyer", "fiscal_year"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = user or getattr(self.request, "user", None)
        if user is not None and user.is_authenticated and not user.is_superuser:
            # Offer only the streets whose projects the user can see at all.
            self.filters["buyer"].queryset = streets_of_users_districts(user)

    def search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()[:200]
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(title__icontains=value)
            | Q(buyer__name__icontains=value)
        )


class NoticeFilterSet(django_filters.FilterSet):
    """The public notice list: by kind and by words of the title."""

    kind = django_filters.ChoiceFilter(
        label=_("公告类型"), choices=NoticeKind.choices, empty_label=_("全部")
    )
    q = django_filters.CharFilter(label=_("搜索"), method="search")

    class Meta:
        model = Notice
        fields = ["kind", "q"]

    def search(self, queryset, name, value):
        value = value.replace("\x00", "").strip()[:200]
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(project__code__icontains=value)
        )
