"""HTML pages: a plan's expert panel (namespace `assessments_panel`)."""

from django.urls import path

from . import views_panel

app_name = "assessments_panel"

urlpatterns = [
    path("plans/<int:pk>/panel/", views_panel.PanelView.as_view(), name="panel"),
    path(
        "panel/<int:pk>/remove/",
        views_panel.PanelRemoveView.as_view(),
        name="member-remove",
    ),
    path(
        "panel/<int:pk>/declare/",
        views_panel.DeclareView.as_view(),
        name="member-declare",
    ),
    path("panel/mine/", views_panel.MySeatsView.as_view(), name="my-seats"),
]
