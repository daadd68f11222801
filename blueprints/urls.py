from django.urls import path

from blueprints import views

urlpatterns = [
    path("blueprints/<int:pk>/", views.blueprint_detail, name="blueprint-detail"),
    path("blueprints/<int:pk>/edit/", views.blueprint_edit, name="blueprint-edit"),
    path("blueprints/<int:pk>/ffe/", views.ffe_request, name="ffe-request"),
    path("work-items/<int:pk>/edit/", views.work_item_edit, name="work-item-edit"),
    path("ffes/<int:pk>/decide/", views.ffe_decide, name="ffe-decide"),
]

# Feature-freeze problems of every cycle (issue 6).
from blueprints import views_risk  # noqa: E402

urlpatterns += [path("problems/", views_risk.problems, name="problems")]
