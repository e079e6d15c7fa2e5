"""Every app's API router, mounted under /api/v1/."""

from django.urls import include, path

app_name = "api"

urlpatterns = [
    path("", include("core.api.urls")),
    path("", include("accounts.api.urls")),
    path("catalogue/", include("catalogue.api.urls")),
    path("", include("vendors.api.urls")),
    path("procurements/", include("procurement.api.urls")),
    path("contracts/", include("contracts.api.urls")),
    path("assessments/", include("assessments.api.urls")),
    path("admission-list/", include("assessments.api.admission")),
    path("residents/", include("assessments.api_residents")),
]
