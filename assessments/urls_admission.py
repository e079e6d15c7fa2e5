"""HTML pages of the admission list (namespace `admission`), under /admission-list/."""

from django.urls import path

from . import views_admission as views

app_name = "admission"

urlpatterns = [
    path("", views.AdmissionIndexView.as_view(), name="index"),
    path("<int:pk>/", views.AdmissionDetailView.as_view(), name="detail"),
    path("entries/<int:pk>/", views.EntryView.as_view(), name="entry"),
]
