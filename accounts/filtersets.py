"""FilterSets shared by the HTML lists and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import OrganisationKind
from .models import Organisation


class OrganisationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=OrganisationKind.choices
    )
    parent = django_filters.NumberFilter(label=_("上级组织"), field_name="parent_id")

    class Meta:
        model = Organisation
        fields = ["q", "kind", "parent"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(short_name__icontains=value)
            | Q(code__icontains=value)
        )
