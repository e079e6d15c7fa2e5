from django.urls import path

from . import views

app_name = "catalogue"

urlpatterns = [
    path("", views.VersionListView.as_view(), name="version-list"),
    path(
        "versions/<int:pk>/", views.VersionDetailView.as_view(), name="version-detail"
    ),
    path(
        "versions/<int:pk>/draft/",
        views.VersionDraftView.as_view(),
        name="version-draft",
    ),
    path(
        "versions/<int:pk>/diff/", views.VersionDiffView.as_view(), name="version-diff"
    ),
    path(
        "versions/<int:pk>/import/",
        views.VersionImportView.as_view(),
        name="version-import",
    ),
    path(
        "versions/<int:pk>/export.<str:fmt>",
        views.version_export,
        name="version-export",
    ),
    path("versions/<int:pk>/pdf/", views.version_pdf, name="version-pdf"),
    path(
        "versions/<int:version_pk>/items/new/",
        views.ItemFormView.as_view(),
        name="item-create",
    ),
    path(
        "versions/<int:pk>/<str:action>/",
        views.VersionTransitionView.as_view(),
        name="version-transition",
    ),
    path("items/<int:pk>/", views.ItemDetailView.as_view(), name="item-detail"),
    path("items/<int:pk>/edit/", views.ItemFormView.as_view(), name="item-edit"),
    path("items/<int:pk>/delete/", views.ItemDeleteView.as_view(), name="item-delete"),
    path("rules/", views.RuleParameterListView.as_view(), name="rule-list"),
    path("calendar/", views.CalendarView.as_view(), name="calendar-current"),
    path("calendar/<int:year>/", views.CalendarView.as_view(), name="calendar"),
]
