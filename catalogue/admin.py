from django.contrib import admin

from .models import CalendarDay, CatalogueVersion, Category, RuleParameter


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(admin.ModelAdmin):
    """Read-only: versions change only through the catalogue services (audited)."""

    list_display = ["title", "region", "year", "status"]
    list_filter = ["status", "year"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RuleParameter)
class RuleParameterAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "jurisdiction",
        "valid_from",
        "valid_to",
        "value_type",
        "value",
        "verification",
    ]
    list_filter = ["verification", "value_type"]
    search_fields = ["key", "description_zh"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
