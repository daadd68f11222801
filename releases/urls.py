from django.urls import path

from releases import views

urlpatterns = [
    path("", views.cycle_list, name="home"),
    path("cycles/", views.cycle_list, name="cycle-list"),
    path("cycles/<slug:name>/schedule/", views.cycle_schedule, name="cycle-schedule"),
    path("cycles/<slug:name>/branch-cuts/", views.branch_cuts, name="cycle-branch-cuts"),
    path("branch-report/", views.branch_report, name="branch-report"),
]
