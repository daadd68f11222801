from rest_framework.routers import SimpleRouter

from blueprints import api

router = SimpleRouter()
router.register("blueprints", api.BlueprintViewSet, basename="blueprint")
router.register("work-items", api.WorkItemViewSet, basename="work-item")
router.register("ffes", api.FFEViewSet, basename="ffe")
router.register("ffe-policies", api.FFEPolicyViewSet, basename="ffe-policy")

urlpatterns = router.urls
