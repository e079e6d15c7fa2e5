"""Read-only admin: procurement changes only through procurement.services (checked
and audited). Bids show who bid and when; their content never appears here, sealed
or not (the ciphertext fields are excluded and the plain ones are not listed)."""

from django.contrib import admin

from .models import Bid, Notice, ProcurementProject


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProcurementProject)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "buyer", "method", "status", "bid_deadline"]
    list_filter = ["method", "status"]
    search_fields = ["code", "title"]
    fields = [
        "code",
        "title",
        "buyer",
        "method",
        "status",
        "notice_published_on",
        "bid_deadline",
        "opened_at",
    ]


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    """Who bid and when, nothing more."""

    list_display = ["project", "vendor", "status", "submitted_at"]
    list_filter = ["status"]
    fields = ["project", "vendor", "status", "submitted_at", "withdrawn_at"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "published_on"]
    list_filter = ["kind"]
    search_fields = ["title"]
