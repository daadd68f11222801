from django.urls import path

from releases.api import BranchCutList, BranchReportView, CycleViewSet

urlpatterns = [
    path("cycles/", CycleViewSet.as_view({"get": "list"}), name="api-cycle-list"),
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
