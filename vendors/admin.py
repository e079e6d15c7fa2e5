from django.contrib import admin

from .models import Vendor


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    """Read-only: the register changes through vendors.services (checked and audited)."""

    list_display = ["__str__", "org_type", "uscc", "grade", "status"]
    list_filter = ["org_type", "grade", "status"]
    search_fields = ["organisation__name", "uscc"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
