"""Read-only admin: contracts change only through contracts.services (checked,
audited and written to the change feed)."""

from django.contrib import admin

from procurement.admin import ReadOnlyAdmin

from .models import Contract, DeliveryRecord, ExtraWork


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "buyer", "vendor", "status", "value", "end_on"]
    list_filter = ["status"]
    search_fields = ["code", "title"]


@admin.register(DeliveryRecord)
class DeliveryRecordAdmin(ReadOnlyAdmin):
    list_display = ["contract", "contract_item", "period_end", "count", "status"]
    list_filter = ["status"]


@admin.register(ExtraWork)
class ExtraWorkAdmin(ReadOnlyAdmin):
    list_display = ["contract", "side", "assigned_on", "hours", "status"]
    list_filter = ["status", "side"]
