from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    ApiTokenViewSet,
    MembershipViewSet,
    MeView,
    NotificationViewSet,
    OrganisationViewSet,
    TokenObtainView,
)

router = SimpleRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("api-tokens", ApiTokenViewSet, basename="api-token")

urlpatterns = [
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
]
