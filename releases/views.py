"""Pages and feeds of the releases app: the list of cycles, a cycle's schedule, its ICS."""

from collections import defaultdict
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import condition, require_GET

from releases import selectors
from releases.ics import schedule_calendar
from releases.models import Series


@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    series = list(selectors.series_with_schedule())
    return render(
        request,
        "releases/cycle_list.html",
        {"series_list": series, "current": selectors.current_series()},
    )


@require_GET
def cycle_schedule(request: HttpRequest, name: str) -> HttpResponse:
    """The week-by-week schedule of a series: each week with its events, today marked."""
    series = get_object_or_404(Series, name=name)
    team = request.GET.get("team", "")
    events = list(selectors.event_list(series=series, team=team or None))
    weeks = list(selectors.week_list(series=series))
    by_week = defaultdict(list)
    unplaced = []
    for event in events:
        week = next((w for w in weeks if w.start <= event.date <= w.end + _WEEKEND), None)
        if week is None:
            unplaced.append(event)
        else:
            by_week[week.pk].append(event)
    today = timezone.localdate()
    rows = [
        {
            "week": w,
            "events": by_week.get(w.pk, []),
            "is_current": w.start <= today <= w.end + _WEEKEND,
            "is_past": w.end < today,
        }
        for w in weeks
    ]
    teams = sorted(
        set(
            selectors.event_list(series=series, include_all_teams=True)
            .exclude(team="")
            .values_list("team", flat=True)
        )
    )
    return render(
        request,
        "releases/cycle_schedule.html",
        {
            "series": series,
            "rows": rows,
            "unplaced": unplaced,
            "team": team,
            "teams": teams,
            "conflicts": [e for e in events if e.conflicts],
            "today": today,
        },
    )


def _schedule_updated(request: HttpRequest, name: str) -> object:
    return Series.objects.filter(name=name).values_list("updated_at", flat=True).first()


@require_GET
@condition(last_modified_func=_schedule_updated)
def cycle_ics(request: HttpRequest, name: str) -> HttpResponse:
    """``/cycles/<name>/schedule.ics``: cross-project events, plus ``?team=``'s own.

    With ``?team=`` or ``?deliverable=`` it also carries the planned stable-branch cuts of the
    matching deliverables.
    """
    series = get_object_or_404(Series, name=name)
    team = request.GET.get("team", "").strip()
    deliverable = request.GET.get("deliverable", "").strip()
    events = selectors.event_list(series=series, team=team or None)
    who = team or deliverable
    title = f"{series.title} release schedule" + (f" ({who})" if who else "")
    cuts = []
    if team or deliverable:
        cuts = selectors.branch_cut_list(series=series, team=team)
        if deliverable:
            cuts = cuts.filter(deliverable__name=deliverable)
    body = schedule_calendar(series=series, events=events, name=title, branch_cuts=cuts)
    if squad_slug := request.GET.get("squad", "").strip():
        # A squad's feed (issue 6): its blueprints' target dates and open FFEs' merge-by dates.
        from blueprints.ics_squad import add_squad_dates
        from squads.models import Squad

        squad = get_object_or_404(Squad, slug=squad_slug)
        body = add_squad_dates(body, series=series, squad=squad)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{series.name}-schedule.ics"'
    return response


_WEEKEND = timedelta(days=2)


@require_GET
def branch_cuts(request: HttpRequest, name: str) -> HttpResponse:
    """A series' planned stable-branch cuts; overrides show the rule's plan next to theirs."""
    series = get_object_or_404(Series, name=name)
    team = request.GET.get("team", "").strip()
    cuts = list(selectors.branch_cut_list(series=series, team=team))
    return render(
        request,
        "releases/branch_cuts.html",
        {
            "series": series,
            "cuts": cuts,
            "team": team,
            "overridden": [c for c in cuts if c.policy_id],
        },
    )


@require_GET
def branch_report(request: HttpRequest) -> HttpResponse:
    """Plan vs actual: how far the upstream cuts fell from the plan."""
    first = request.GET.get("from", "ocata")
    last = request.GET.get("to", "flamingo")
    return render(
        request,
        "releases/branch_report.html",
        {"report": selectors.branch_report(first=first, last=last)},
    )
