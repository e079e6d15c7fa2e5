from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("jobs/<int:pk>/", views.job_status, name="job-detail"),
    path("jobs/<int:pk>/download/", views.job_download, name="job-download"),
]
