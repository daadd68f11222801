"""API of the cross-app features: the dashboard's twin, re-planning and cycle generation."""

from django.urls import path

from planner.api_dashboard import CycleAttentionView, CycleDashboardView
from planner.api_generate import CycleGenerateView
from planner.api_replan import ReplanUndoView, ReplanView

urlpatterns = [
    # Before releases' ``cycles/<slug:name>/``, which would take "generate" for a name.
    path("cycles/generate/", CycleGenerateView.as_view(), name="api-cycle-generate"),
    path("cycles/<slug:name>/dashboard/", CycleDashboardView.as_view(), name="api-cycle-dashboard"),
    path(
        "cycles/<slug:name>/dashboard/attention/",
        CycleAttentionView.as_view(),
        name="api-cycle-dashboard-attention",
    ),
    path("cycles/<slug:name>/replan/", ReplanView.as_view(), name="api-cycle-replan"),
    path(
        "cycles/<slug:name>/replan/<int:pk>/undo/",
        ReplanUndoView.as_view(),
        name="api-cycle-replan-undo",
    ),
]
