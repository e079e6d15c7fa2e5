"""Reads of the catalogue, shared by HTML, API and tasks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from core.exceptions import NotFound

from .columns import COLUMN_BY_FIELD, DIFF_FIELDS
from .models import CatalogueVersion, Category, ServiceItem


def version_list_for_user(user: Any) -> QuerySet[CatalogueVersion]:
    return (
        CatalogueVersion.objects.visible_to(user, "view")
        .select_related("region", "based_on")
        .annotate(
            item_count=Count("items", distinct=True),
            aux_count=Count(
                "items", filter=Q(items__outsource_scope="aux_only"), distinct=True
            ),
            prohibited_count=Count(
                "items", filter=Q(items__outsource_scope="prohibited"), distinct=True
            ),
        )
        .order_by("region__path", "-year")
    )


def version_get_for_user(
    pk: object, user: Any, action: str = "view"
) -> CatalogueVersion:
    """Raises:
    NotFound: the version does not exist or is not visible to the user.
    """
    try:
        return (
            CatalogueVersion.objects.visible_to(user, action)
            .select_related("region", "based_on")
            .get(pk=pk)
        )
    except (CatalogueVersion.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def item_list_for_user(user: Any) -> QuerySet[ServiceItem]:
    return (
        ServiceItem.objects.visible_to(user, "view")
        .select_related("domain", "version", "version__region")
        .order_by("version_id", "code")
    )


def item_get_for_user(pk: int | str, user: Any, action: str = "view") -> ServiceItem:
    """Raises:
    NotFound: the item does not exist or its version is not visible to the user.
    """
    try:
        return (
            ServiceItem.objects.visible_to(user, action)
            .select_related("domain", "domain__parent", "version", "version__region")
            .get(pk=pk)
        )
    except (ServiceItem.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound() from exc


def domains() -> QuerySet[Category]:
    return Category.objects.filter(level=2).order_by("position", "code")


def domain_map() -> dict[str, Category]:
    return {c.code: c for c in domains()}


@dataclass
class FieldChange:
    field: str
    label: Any
    old: Any
    new: Any

    def _show(self, value: Any) -> Any:
        column = COLUMN_BY_FIELD[self.field]
        if column.choices is None:
            return value
        labels = dict(column.choices.choices)
        if column.multi:
            return "、".join(str(labels.get(v, v)) for v in value or [])
        return labels.get(value, value)

    @property
    def old_display(self) -> Any:
        return self._show(self.old)

    @property
    def new_display(self) -> Any:
        return self._show(self.new)


@dataclass
class ItemChange:
    code: str
    name: str
    old_id: int
    new_id: int
    changes: list[FieldChange] = field(default_factory=list)


@dataclass
class VersionDiff:
    old: CatalogueVersion
    new: CatalogueVersion
    added: list[ServiceItem]
    removed: list[ServiceItem]
    changed: list[ItemChange]
    unchanged: int

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _display(item: ServiceItem, name: str) -> Any:
    if name == "domain":
        return item.domain.code
    value = getattr(item, name)
    column = COLUMN_BY_FIELD[name]
    if column.multi:
        return list(value or [])
    return value


def version_diff(old: CatalogueVersion, new: CatalogueVersion) -> VersionDiff:
    """What changed from `old` to `new`, item by item (matched by code; two queries)."""
    old_items = {i.code: i for i in old.items.select_related("domain").order_by("code")}
    new_items = {i.code: i for i in new.items.select_related("domain").order_by("code")}
    added = [new_items[c] for c in sorted(new_items.keys() - old_items.keys())]
    removed = [old_items[c] for c in sorted(old_items.keys() - new_items.keys())]
    changed: list[ItemChange] = []
    unchanged = 0
    for code in sorted(old_items.keys() & new_items.keys()):
        a, b = old_items[code], new_items[code]
        fields = [
            FieldChange(f, COLUMN_BY_FIELD[f].label, _display(a, f), _display(b, f))
            for f in DIFF_FIELDS
            if _display(a, f) != _display(b, f)
        ]
        if fields:
            changed.append(ItemChange(code, b.name, a.pk, b.pk, fields))
        else:
            unchanged += 1
    return VersionDiff(old, new, added, removed, changed, unchanged)


def version_default_comparison(
    version: CatalogueVersion, user: Any
) -> CatalogueVersion | None:
    """The version to compare with by default: the one it was drafted from, else the
    previous year's visible version of the same region."""
    if version.based_on_id:
        try:
            return version_get_for_user(version.based_on_id, user)
        except NotFound:
            return None
    return (
        CatalogueVersion.objects.visible_to(user, "view")
        .filter(region_id=version.region_id, year__lt=version.year)
        .order_by("-year")
        .first()
    )
