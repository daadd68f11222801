"""Cross-app pages: the PTL's cycle dashboard and the calendar feed of a cycle."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import condition, require_GET

from blueprints.ics_squad import add_squad_dates
from blueprints.models import ImplementationStatus, Priority
from core import clock
from core.as_of import parse_as_of
from planner.dashboard import DashboardFilters, dashboard, default_project
from releases import selectors as release_selectors
from releases.ics import schedule_calendar
from releases.models import Series
from squads.models import Project, Squad


@require_GET
def cycle_dashboard(request: HttpRequest, name: str) -> HttpResponse:
    series = get_object_or_404(Series, name=name)
    project_name = request.GET.get("project", "")
    project = get_object_or_404(Project, name=project_name) if project_name else default_project()
    as_of_param = parse_as_of(request.GET.get("as_of"))
    as_of = as_of_param or clock.today()
    filters = DashboardFilters.from_query(request.GET)
    context = dashboard(series=series, project=project, as_of=as_of, filters=filters)
    # Links from the dashboard keep the day shown (a blueprint, a squad, the problems list),
    # also when it is the server's fixed day (a demo replaying a past cycle).
    keep = as_of_param or getattr(settings, "PLANNER_TODAY", None)
    day = f"as_of={as_of.isoformat()}" if keep else ""
    context.update(
        day_query=f"?{day}" if day else "",
        day_amp=f"&{day}" if day else "",
        as_of_param=as_of_param,
        priorities=Priority.values,
        statuses=ImplementationStatus.values,
    )
    return render(request, "planner/dashboard.html", context)


def _schedule_updated(request: HttpRequest, name: str) -> object:
    return Series.objects.filter(name=name).values_list("updated_at", flat=True).first()


@require_GET
@condition(last_modified_func=_schedule_updated)
def cycle_ics(request: HttpRequest, name: str) -> HttpResponse:
    """``/cycles/<name>/schedule.ics``: cross-project events, plus ``?team=``'s own.

    With ``?team=`` or ``?deliverable=`` it also carries the planned stable-branch cuts of the
    matching deliverables; with ``?squad=`` the squad's blueprint target dates and open FFEs'
    merge-by dates.
    """
    series = get_object_or_404(Series, name=name)
    team = request.GET.get("team", "").strip()
    deliverable = request.GET.get("deliverable", "").strip()
    occurrences = release_selectors.occurrence_list(series=series, team=team or None)
    who = team or deliverable
    title = f"{series.title} release schedule" + (f" ({who})" if who else "")
    cuts = []
    if team or deliverable:
        cuts = release_selectors.branch_cut_list(series=series, team=team)
        if deliverable:
            cuts = cuts.filter(deliverable__name=deliverable)
    body = schedule_calendar(series=series, occurrences=occurrences, name=title, branch_cuts=cuts)
    if squad_slug := request.GET.get("squad", "").strip():
        squad = get_object_or_404(Squad, slug=squad_slug)
        body = add_squad_dates(body, series=series, squad=squad)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{series.name}-schedule.ics"'
    return response
