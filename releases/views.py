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
    """``/cycles/<name>/schedule.ics``: cross-project events, plus ``?team=``'s own."""
    series = get_object_or_404(Series, name=name)
    team = request.GET.get("team", "").strip()
    events = selectors.event_list(series=series, team=team or None)
    title = f"{series.title} release schedule" + (f" ({team})" if team else "")
    response = HttpResponse(
        schedule_calendar(series=series, events=events, name=title),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="{series.name}-schedule.ics"'
    return response


_WEEKEND = timedelta(days=2)
