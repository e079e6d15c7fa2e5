"""HTML pages: panel (namespace `assessments_panel`)."""

from django.urls import path  # noqa: F401

app_name = "assessments_panel"

urlpatterns: list = []
