"""The list of squads. A squad's own page lists its blueprints: ``blueprints.views_squad``."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from squads import selectors


@require_GET
def squad_index(request: HttpRequest) -> HttpResponse:
    squads = selectors.squad_list()
    return render(request, "squads/squad_list.html", {"squads": squads})
