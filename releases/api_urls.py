from django.urls import path

from releases.api import BranchCutList, BranchReportView, CycleViewSet

urlpatterns = [
    path("cycles/", CycleViewSet.as_view({"get": "list"}), name="api-cycle-list"),
    path("cycles/generate/", ("releases.api_generate", None, None)),  # include() before <name>
    path("cycles/<slug:name>/", CycleViewSet.as_view({"get": "retrieve"}), name="api-cycle-detail"),
    path(
        "cycles/<slug:name>/milestones/",
        CycleViewSet.as_view({"get": "milestones"}),
        name="api-cycle-milestones",
    ),
    path(
        "cycles/<slug:name>/branch-cuts/",
        BranchCutList.as_view(),
        name="api-cycle-branch-cuts",
    ),
    path("branch-report/", BranchReportView.as_view(), name="api-branch-report"),
]

# Cascade re-planning (issue 6).
from releases.api_replan import ReplanUndoView, ReplanView  # noqa: E402

urlpatterns += [
    path("cycles/<slug:name>/replan/", ReplanView.as_view(), name="api-cycle-replan"),
    path(
        "cycles/<slug:name>/replan/<int:pk>/undo/",
        ReplanUndoView.as_view(),
        name="api-cycle-replan-undo",
    ),
]
