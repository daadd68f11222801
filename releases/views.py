"""Pages of the releases app: the list of cycles, a cycle's schedule, its branch cuts.

The calendar feed (``schedule.ics``) is ``planner.views.cycle_ics``: a squad's feed adds its
blueprints.
"""

from collections import defaultdict
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from core import clock
from releases import selectors
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
    """The week-by-week schedule of a series: each week with the occurrences it holds (a span
    in every week it covers, other series' events the schedule lists with their series),
    today marked."""
    series = get_object_or_404(Series, name=name)
    team = request.GET.get("team", "")
    occurrences = list(selectors.occurrence_list(series=series, team=team or None))
    weeks = list(selectors.week_list(series=series))
    by_week = defaultdict(list)
    unplaced = []
    for occurrence in occurrences:
        held = [
            w
            for w in weeks
            if occurrence.date <= w.end + _WEEKEND and occurrence.end_date >= w.start
        ]
        if not held:
            unplaced.append(occurrence)
        for week in held:
            by_week[week.pk].append(occurrence)
    events = list({o.event_id: o.event for o in occurrences}.values())
    today = clock.today()
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
