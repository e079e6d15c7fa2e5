"""REST API of contracts under /api/v1/contracts/."""

from rest_framework.routers import SimpleRouter

from .views import ContractViewSet

router = SimpleRouter()
router.register("", ContractViewSet, basename="contract")

urlpatterns = router.urls
