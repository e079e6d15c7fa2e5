from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Membership, Organisation, User


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = [
        "username",
        "display_name",
        "email",
        "is_active",
        "has_demo_password",
    ]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("ServicePact", {"fields": ("display_name", "phone")}),
    )
    inlines = [MembershipInline]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code", "short_name"]
    readonly_fields = [
        "code",
        "kind",
        "parent",
        "path",
        "name",
        "short_name",
        "address",
        "contact_phone",
        "is_active",
    ]

    # The tree changes only through accounts.services (checked and audited), from the
    # organisation pages; the admin is for looking.
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
