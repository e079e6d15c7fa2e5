from rest_framework.routers import SimpleRouter

from .views import VendorChangeRequestViewSet, VendorViewSet

router = SimpleRouter()
router.register("vendors", VendorViewSet, basename="vendor")
router.register(
    "vendor-change-requests",
    VendorChangeRequestViewSet,
    basename="vendor-change-request",
)

urlpatterns = router.urls
