from django.contrib import admin
from django.core.exceptions import ValidationError

from core.exceptions import ValidationFailed

from . import services
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

    def has_delete_permission(self, request, obj=None):
        return False  # end a period with valid_to instead; history stays

    def save_model(self, request, obj, form, change):
        services.rule_parameter_save(actor=request.user, parameter=obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)

        class CheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                problem = services.rule_value_problem(
                    self.instance.value_type, self.instance.value
                )
                if problem:
                    self.add_error("value", ValidationError(problem))

        return CheckedForm


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        try:
            services.calendar_day_set(
                actor=request.user, date=obj.date, kind=obj.kind, name=obj.name
            )
        except (
            ValidationFailed
        ) as exc:  # pragma: no cover - the form checks the choices first
            raise ValidationError(str(exc.message)) from exc

    def delete_model(self, request, obj):
        services.calendar_day_clear(actor=request.user, date=obj.date)
