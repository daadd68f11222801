from django.urls import path

from blueprints import views, views_risk, views_squad

urlpatterns = [
    path("squads/<slug:slug>/", views_squad.squad_detail, name="squad-detail"),
    path("blueprints/<int:pk>/", views.blueprint_detail, name="blueprint-detail"),
    path("blueprints/<int:pk>/edit/", views.blueprint_edit, name="blueprint-edit"),
    path("blueprints/<int:pk>/ffe/", views.ffe_request, name="ffe-request"),
    path("work-items/<int:pk>/edit/", views.work_item_edit, name="work-item-edit"),
    path("ffes/<int:pk>/decide/", views.ffe_decide, name="ffe-decide"),
    # Feature-freeze problems of every cycle.
    path("problems/", views_risk.problems, name="problems"),
]
