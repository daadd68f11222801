from rest_framework.routers import SimpleRouter

from squads import api

router = SimpleRouter()
router.register("projects", api.ProjectViewSet, basename="project")
router.register("squads", api.SquadViewSet, basename="squad")
router.register("memberships", api.MembershipViewSet, basename="membership")
router.register("area-experts", api.AreaExpertViewSet, basename="area-expert")
router.register("squad-goals", api.SquadGoalViewSet, basename="squad-goal")

urlpatterns = router.urls
