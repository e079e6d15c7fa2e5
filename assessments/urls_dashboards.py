"""HTML pages: dashboards (namespace `assessments_dashboards`)."""

from django.urls import path

from . import views_dashboards

app_name = "assessments_dashboards"

urlpatterns = [
    path("", views_dashboards.DashboardView.as_view(), name="dashboard"),
]
