"""Cross-app pages (the cycle dashboard composes releases, squads and blueprints)."""

from django.urls import path

from planner import views

urlpatterns = [
    path("cycles/<slug:name>/", views.cycle_dashboard, name="cycle-dashboard"),
]
