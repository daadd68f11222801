"""The system-wide list of feature-freeze problems."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from blueprints.forecast_selectors import problem_list
from core import clock
from core.as_of import parse_as_of


@require_GET
def problems(request: HttpRequest) -> HttpResponse:
    """Every blueprint, in every cycle, that breaks a feature-freeze rule (?as_of= a day)."""
    as_of = parse_as_of(request.GET.get("as_of")) or clock.today()
    return render(
        request, "planner/problems.html", {"rows": problem_list(as_of=as_of), "as_of": as_of}
    )
