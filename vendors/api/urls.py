from rest_framework.routers import SimpleRouter

from .incubation import ApplicationViewSet, CentreViewSet
from .views import VendorChangeRequestViewSet, VendorViewSet

router = SimpleRouter()
router.register("vendors", VendorViewSet, basename="vendor")
router.register(
    "vendor-change-requests",
    VendorChangeRequestViewSet,
    basename="vendor-change-request",
)
router.register("incubation/centres", CentreViewSet, basename="incubation-centre")
router.register(
    "incubation/applications", ApplicationViewSet, basename="incubation-application"
)

urlpatterns = router.urls
