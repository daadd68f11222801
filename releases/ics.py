"""iCalendar feeds of a series' schedule (RFC 5545 through the icalendar library)."""

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcsEvent

from releases.models import Event, Series

PRODID = "-//cycle-planner//schedule//EN"


def event_uid(event: Event) -> str:
    """Stable across re-imports and date changes: the series and the upstream event id."""
    return f"{event.series.name}.{event.key}@cycle-planner"


def schedule_calendar(*, series: Series, events: Iterable[Event], name: str = "") -> bytes:
    """One all-day VEVENT per schedule event, with the title and prose as published."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name or f"{series.title} release schedule")
    stamp = series.updated_at or timezone.now()
    for event in events:
        vevent = IcsEvent()
        vevent.add("uid", event_uid(event))
        vevent.add("dtstamp", stamp)
        vevent.add("summary", event.title)
        vevent.add("dtstart", event.date)
        vevent.add("dtend", event.date + timedelta(days=1))
        vevent.add("transp", "TRANSPARENT")
        if event.description:
            vevent.add("description", event.description)
        vevent.add("categories", [event.kind] + ([event.team] if event.team else []))
        calendar.add_component(vevent)
    return calendar.to_ical()
