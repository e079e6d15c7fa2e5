from rest_framework.routers import SimpleRouter

from .views import (
    CatalogueVersionViewSet,
    CategoryViewSet,
    RuleParameterViewSet,
    ServiceItemViewSet,
    WorkingDaysViewSet,
)

router = SimpleRouter()
router.register("categories", CategoryViewSet, basename="catalogue-category")
router.register("versions", CatalogueVersionViewSet, basename="catalogue-version")
router.register("items", ServiceItemViewSet, basename="catalogue-item")
router.register("rule-parameters", RuleParameterViewSet, basename="rule-parameter")
router.register("working-days", WorkingDaysViewSet, basename="working-days")

urlpatterns = router.urls
