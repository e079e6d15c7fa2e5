"""REST API of procurement under /api/v1/procurements/."""

from rest_framework.routers import SimpleRouter

from .views import NoticeViewSet, ProcurementProjectViewSet

router = SimpleRouter()
# Notices first: "notices" would otherwise be read as a project id.
router.register("notices", NoticeViewSet, basename="procurement-notice")
router.register("", ProcurementProjectViewSet, basename="procurement")

urlpatterns = router.urls
