from django.urls import path

from releases import views

urlpatterns = [
    path("", views.cycle_list, name="home"),
    path("cycles/", views.cycle_list, name="cycle-list"),
    path("cycles/<slug:name>/schedule/", views.cycle_schedule, name="cycle-schedule"),
    path("cycles/<slug:name>/schedule.ics", views.cycle_ics, name="cycle-ics"),
    path("cycles/<slug:name>/branch-cuts/", views.branch_cuts, name="cycle-branch-cuts"),
    path("branch-report/", views.branch_report, name="branch-report"),
]

# Cascade re-planning page (issue 6).
from releases import views_replan  # noqa: E402

urlpatterns += [path("cycles/<slug:name>/replan/", views_replan.replan, name="cycle-replan")]
