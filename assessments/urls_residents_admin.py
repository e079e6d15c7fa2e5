"""The buyer's officer page of residents' tokens: /assessments/rounds/<pk>/tokens/."""

from django.urls import path

from . import views_residents as views

app_name = "residents_admin"

urlpatterns = [
    path(
        "rounds/<str:round_pk>/tokens/",
        views.TokenBatchView.as_view(),
        name="token-batches",
    ),
]
