"""Cross-app pages: the PTL's cycle dashboard."""

from datetime import date

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from blueprints.models import ImplementationStatus, Priority
from planner.dashboard import DashboardFilters, dashboard, default_project
from releases.models import Series
from squads.models import Project


def parse_as_of(value: str | None) -> date | None:
    """``?as_of=2017-01-10`` shows the cycle as it stood that day (e.g. the Ocata demo)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@require_GET
def cycle_dashboard(request: HttpRequest, name: str) -> HttpResponse:
    series = get_object_or_404(Series, name=name)
    project_name = request.GET.get("project", "")
    project = get_object_or_404(Project, name=project_name) if project_name else default_project()
    as_of_param = parse_as_of(request.GET.get("as_of"))
    as_of = as_of_param or timezone.localdate()
    filters = DashboardFilters.from_query(request.GET)
    context = dashboard(series=series, project=project, as_of=as_of, filters=filters)
    context.update(
        as_of_param=as_of_param,
        priorities=Priority.values,
        statuses=ImplementationStatus.values,
    )
    return render(request, "planner/dashboard.html", context)
