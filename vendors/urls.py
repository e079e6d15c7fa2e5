from django.urls import path

from . import incubation_views, views

app_name = "vendors"

urlpatterns = [
    path("", views.VendorListView.as_view(), name="vendor-list"),
    path("new/", views.VendorFormView.as_view(), name="vendor-create"),
    path("portal/", views.VendorPortalView.as_view(), name="portal"),
    path("import/", views.VendorImportView.as_view(), name="vendor-import"),
    path("export.xlsx", views.VendorExportView.as_view(), name="vendor-export"),
    path("<int:pk>/", views.VendorDetailView.as_view(), name="vendor-detail"),
    path("<int:pk>/edit/", views.VendorFormView.as_view(), name="vendor-edit"),
    path("<int:pk>/documents/", views.DocumentAddView.as_view(), name="document-add"),
    path(
        "<int:pk>/credit-checks/",
        views.CreditCheckAddView.as_view(),
        name="credit-check-add",
    ),
    path(
        "<int:pk>/related-persons/",
        views.RelatedPersonAddView.as_view(),
        name="related-person-add",
    ),
    path("<int:pk>/profile/", views.ProfileView.as_view(), name="profile"),
    path(
        "change-requests/<int:pk>/<str:decision>/",
        views.ChangeDecisionView.as_view(),
        name="change-decide",
    ),
    path("incubation/", incubation_views.BoardView.as_view(), name="incubation-board"),
    path(
        "incubation/apply/",
        incubation_views.ApplyView.as_view(),
        name="incubation-apply",
    ),
    path(
        "incubation/centres/new/",
        incubation_views.CentreFormView.as_view(),
        name="incubation-centre-create",
    ),
    path(
        "incubation/centres/<int:pk>/",
        incubation_views.CentreDetailView.as_view(),
        name="incubation-centre",
    ),
    path(
        "incubation/centres/<int:pk>/edit/",
        incubation_views.CentreFormView.as_view(),
        name="incubation-centre-edit",
    ),
    path(
        "incubation/<int:pk>/",
        incubation_views.ApplicationDetailView.as_view(),
        name="incubation-detail",
    ),
    path(
        "incubation/<int:pk>/<str:action>/",
        incubation_views.ActionView.as_view(),
        name="incubation-action",
    ),
]
