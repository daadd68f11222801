from django.urls import path

from releases.api import CycleViewSet

urlpatterns = [
    path("cycles/", CycleViewSet.as_view({"get": "list"}), name="api-cycle-list"),
    path(
        "cycles/<slug:name>/", CycleViewSet.as_view({"get": "retrieve"}), name="api-cycle-detail"
    ),
    path(
        "cycles/<slug:name>/milestones/",
        CycleViewSet.as_view({"get": "milestones"}),
        name="api-cycle-milestones",
    ),
]
