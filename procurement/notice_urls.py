"""The public notice pages (no login): /notices/."""

from django.urls import path

from . import views_notices

app_name = "notices"

urlpatterns = [
    path("", views_notices.NoticeListView.as_view(), name="list"),
    path("<int:pk>/", views_notices.NoticeDetailView.as_view(), name="detail"),
]
