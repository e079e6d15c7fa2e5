"""HTML pages of contracts (the buyer's staff, community staff, vendors)."""

from django.urls import path

from . import views, views_delivery

app_name = "contracts"

urlpatterns = [
    path("", views.ContractListView.as_view(), name="contract-list"),
    path("new/", views.ContractCreateView.as_view(), name="contract-create"),
    path("<int:pk>/", views.ContractDetailView.as_view(), name="contract-detail"),
    path(
        "<int:pk>/actions/<str:action>/",
        views.ContractActionView.as_view(),
        name="contract-action",
    ),
    path(
        "<int:pk>/ledger.xlsx",
        views.ContractLedgerView.as_view(),
        name="contract-ledger",
    ),
    path(
        "<int:pk>/tranches/<int:tranche_pk>/<str:action>/",
        views.TrancheActionView.as_view(),
        name="tranche-action",
    ),
    path(
        "<int:pk>/changes/new/", views.ChangeCreateView.as_view(), name="change-create"
    ),
    path(
        "<int:pk>/changes/<int:change_pk>/<str:action>/",
        views.ChangeActionView.as_view(),
        name="change-action",
    ),
    path(
        "<int:pk>/versions/<int:a>/<int:b>/",
        views.VersionDiffView.as_view(),
        name="version-diff",
    ),
    path(
        "<int:pk>/extensions/new/",
        views.ExtensionCreateView.as_view(),
        name="extension-create",
    ),
    path(
        "<int:pk>/extensions/<int:ext_pk>/<str:action>/",
        views.ExtensionActionView.as_view(),
        name="extension-action",
    ),
    path(
        "<int:pk>/acceptances/new/",
        views.AcceptanceCreateView.as_view(),
        name="acceptance-create",
    ),
    path(
        "<int:pk>/acceptances/<int:acc_pk>/",
        views.AcceptanceDetailView.as_view(),
        name="acceptance-detail",
    ),
    path(
        "<int:pk>/acceptances/<int:acc_pk>/record/",
        views.AcceptanceRecordView.as_view(),
        name="acceptance-record",
    ),
    path(
        "<int:pk>/acceptances/<int:acc_pk>/publish/",
        views.AcceptancePublishView.as_view(),
        name="acceptance-publish",
    ),
    path(
        "<int:pk>/deliveries/",
        views_delivery.DeliveryListView.as_view(),
        name="delivery-list",
    ),
    path(
        "<int:pk>/deliveries/new/",
        views_delivery.DeliveryCreateView.as_view(),
        name="delivery-create",
    ),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/",
        views_delivery.DeliveryDetailView.as_view(),
        name="delivery-detail",
    ),
    path(
        "<int:pk>/deliveries/<int:delivery_pk>/<str:action>/",
        views_delivery.DeliveryActionView.as_view(),
        name="delivery-action",
    ),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/",
        views_delivery.EvidenceDownloadView.as_view(),
        name="evidence-download",
    ),
    path(
        "<int:pk>/residual/new/",
        views_delivery.ResidualCreateView.as_view(),
        name="residual-create",
    ),
    path(
        "<int:pk>/extra-work/new/",
        views_delivery.ExtraWorkCreateView.as_view(),
        name="extra-work-create",
    ),
    path(
        "<int:pk>/extra-work/<int:extra_pk>/<str:action>/",
        views_delivery.ExtraWorkActionView.as_view(),
        name="extra-work-action",
    ),
]
