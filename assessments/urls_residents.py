"""The residents' phone page, opened from a printed QR code (no login): /r/<token>/."""

from django.urls import path

from . import views_residents as views

app_name = "residents"

urlpatterns = [
    path("thanks/", views.resident_thanks, name="thanks"),
    path("<str:token>/", views.ResidentAnswerView.as_view(), name="answer"),
]
