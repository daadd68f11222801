from django.urls import path
from rest_framework.routers import SimpleRouter

from blueprints import api, api_forecast

router = SimpleRouter()
router.register("blueprints", api.BlueprintViewSet, basename="blueprint")
router.register("work-items", api.WorkItemViewSet, basename="work-item")
router.register("ffes", api.FFEViewSet, basename="ffe")
router.register("ffe-policies", api.FFEPolicyViewSet, basename="ffe-policy")

urlpatterns = [
    *router.urls,
    # Risk forecast and freeze checks.
    path(
        "blueprints/<int:pk>/forecast/",
        api_forecast.BlueprintForecastView.as_view(),
        name="api-blueprint-forecast",
    ),
    path(
        "cycles/<slug:name>/forecast/",
        api_forecast.CycleForecastView.as_view(),
        name="api-cycle-forecast",
    ),
    path("problems/", api_forecast.ProblemListView.as_view(), name="api-problems"),
]
