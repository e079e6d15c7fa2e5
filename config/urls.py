"""Top-level URLs: HTML pages, the REST API under /api/v1/, schema and docs."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("catalogue/", include("catalogue.urls")),
    path("vendors/", include("vendors.urls")),
    path("procurement/", include("procurement.urls")),
    path("notices/", include("procurement.notice_urls")),
    path("contracts/", include("contracts.urls")),
    path("r/", include("assessments.urls_residents")),
    path("assessments/", include("assessments.urls_residents_admin")),
    path("assessments/dashboard/", include("assessments.urls_dashboards")),
    path("assessments/", include("assessments.urls_panel")),
    path("assessments/", include("assessments.urls")),
    path("admission-list/", include("assessments.urls_admission")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("config.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api-schema"),
        name="api-docs",
    ),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
