"""REST API of assessments under /api/v1/assessments/."""

from rest_framework.routers import SimpleRouter

from .panel import PanelMemberViewSet
from .views import AssessmentPlanViewSet, AssessmentRoundViewSet, RoundResultViewSet

router = SimpleRouter()
router.register("plans", AssessmentPlanViewSet, basename="assessment-plan")
router.register("rounds", AssessmentRoundViewSet, basename="assessment-round")
router.register("results", RoundResultViewSet, basename="assessment-result")
router.register("panel", PanelMemberViewSet, basename="assessment-panel")

urlpatterns = router.urls
