"""HTML pages: dashboards (namespace `assessments_dashboards`)."""

from django.urls import path  # noqa: F401

app_name = "assessments_dashboards"

urlpatterns: list = []
