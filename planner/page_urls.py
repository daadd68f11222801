"""Cross-app pages: the cycle dashboard, re-planning and the calendar feed (they compose
releases, squads and blueprints)."""

from django.urls import path

from planner import views, views_replan

urlpatterns = [
    path("cycles/<slug:name>/", views.cycle_dashboard, name="cycle-dashboard"),
    path("cycles/<slug:name>/replan/", views_replan.replan, name="cycle-replan"),
    path("cycles/<slug:name>/schedule.ics", views.cycle_ics, name="cycle-ics"),
]
