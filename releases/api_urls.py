from django.urls import path

from releases.api import BranchCutList, BranchReportView, CycleViewSet

urlpatterns = [
    path("cycles/", CycleViewSet.as_view({"get": "list"}), name="api-cycle-list"),
    path("cycles/<slug:name>/", CycleViewSet.as_view({"get": "retrieve"}), name="api-cycle-detail"),
    path(
        "cycles/<slug:name>/milestones/",
        # The action's own settings (no pagination, its own parameters) must reach the view
        # wired by hand, or the schema describes another endpoint than the one that answers.
        CycleViewSet.as_view({"get": "milestones"}, **CycleViewSet.milestones.kwargs),
        name="api-cycle-milestones",
    ),
    path(
        "cycles/<slug:name>/branch-cuts/",
        BranchCutList.as_view(),
        name="api-cycle-branch-cuts",
    ),
    path("branch-report/", BranchReportView.as_view(), name="api-branch-report"),
]
