"""The catalogue item FilterSet, shared by the HTML list and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import MatterType, OutsourceScope, ServiceClass, Unit
from .models import CatalogueVersion, Category, ServiceItem


class ServiceItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="search", help_text=_("编码、名称、依据或标准中的文字")
    )
    version = django_filters.ModelChoiceFilter(
        label=_("目录版本"), queryset=CatalogueVersion.objects.all()
    )
    domain = django_filters.ModelChoiceFilter(
        label=_("服务领域"),
        queryset=Category.objects.filter(level=2),
        to_field_name="code",
        empty_label=_("全部领域"),
    )
    outsource_scope = django_filters.ChoiceFilter(
        label=_("购买范围"), choices=OutsourceScope.choices, empty_label=_("全部")
    )
    matter_type = django_filters.ChoiceFilter(
        label=_("事项类型"), choices=MatterType.choices, empty_label=_("全部")
    )
    service_class = django_filters.ChoiceFilter(
        label=_("一级分类"), choices=ServiceClass.choices, empty_label=_("全部")
    )
    unit = django_filters.ChoiceFilter(
        label=_("计量单位"), choices=Unit.choices, empty_label=_("全部")
    )

    class Meta:
        model = ServiceItem
        fields = [
            "q",
            "version",
            "domain",
            "outsource_scope",
            "matter_type",
            "service_class",
            "unit",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        user = user or getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            self.filters["version"].queryset = CatalogueVersion.objects.visible_to(
                user, "view"
            )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(code__icontains=value)
            | Q(name__icontains=value)
            | Q(legal_basis__icontains=value)
            | Q(service_standard__icontains=value)
            | Q(deliverable__icontains=value)
        )
