from django.urls import path

from squads import views

urlpatterns = [
    path("squads/", views.squad_index, name="squad-list"),
]
