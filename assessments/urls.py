"""HTML pages of assessments (namespace `assessments`)."""

from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.PlanListView.as_view(), name="plan-list"),
    path("new/", views.PlanCreateView.as_view(), name="plan-create"),
    path("<int:pk>/", views.PlanDetailView.as_view(), name="plan-detail"),
    path("rounds/<int:pk>/", views.RoundDetailView.as_view(), name="round-detail"),
    path(
        "rounds/<int:pk>/calculate/",
        views.RoundScoreView.as_view(),
        name="round-score",
    ),
    path("rounds/<int:pk>/job/", views.RoundJobView.as_view(), name="round-job"),
    path("rounds/<int:pk>/score/", views.CardCreateView.as_view(), name="card-create"),
    path("results/<int:pk>/", views.ResultDetailView.as_view(), name="result-detail"),
]
