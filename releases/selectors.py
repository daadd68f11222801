"""Reads of release data, with the joins each caller needs already applied."""

from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from releases.models import DeliverableSeries, Event, Series, Week


def series_list() -> QuerySet[Series]:
    """Every series, newest first (the order people browse them in)."""
    return Series.objects.order_by("-position")


def series_with_schedule() -> QuerySet[Series]:
    return series_list().filter(start_week__isnull=False)


def current_series(*, today: date | None = None) -> Series | None:
    """The cycle in progress on ``today``; else the next one to start; else the latest one."""
    today = today or timezone.localdate()
    scheduled = Series.objects.filter(start_week__isnull=False, release_week__isnull=False)
    running = (
        scheduled.filter(start_week__lte=today, release_week__gte=today - _WEEK_SPAN)
        .order_by("position")
        .first()
    )
    if running:
        return running
    upcoming = scheduled.filter(start_week__gt=today).order_by("position").first()
    return upcoming or scheduled.order_by("-position").first()


def series_get(*, name: str) -> Series:
    return Series.objects.get(name=name)


def week_list(*, series: Series) -> QuerySet[Week]:
    return Week.objects.filter(series=series).order_by("start")


def event_list(
    *, series: Series, team: str | None = None, include_all_teams: bool = False
) -> QuerySet[Event]:
    """Cross-project events of a series, plus one team's own (``team``) or every team's."""
    events = Event.objects.filter(series=series).select_related("series", "week")
    if include_all_teams:
        return events.order_by("date", "key")
    if team:
        return events.filter(team__in=["", team]).order_by("date", "key")
    return events.filter(team="").order_by("date", "key")


def deliverable_series_list(*, series: Series) -> QuerySet[DeliverableSeries]:
    return (
        DeliverableSeries.objects.filter(series=series)
        .select_related("deliverable", "series")
        .order_by("deliverable__name")
    )


_WEEK_SPAN = timedelta(days=6)
