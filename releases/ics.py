"""iCalendar feeds of a series' schedule (RFC 5545 through the icalendar library)."""

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcsEvent

from releases.models import BranchCut, Event, Series

PRODID = "-//cycle-planner//schedule//EN"


def event_uid(event: Event) -> str:
    """Stable across re-imports and date changes: the series and the upstream event id."""
    return f"{event.series.name}.{event.key}@cycle-planner"


def branch_cut_uid(cut: BranchCut) -> str:
    """Stable across recomputes and date changes: series, deliverable, ``branch-cut``."""
    return f"{cut.series.name}.{cut.deliverable.name}.branch-cut@cycle-planner"


def schedule_calendar(
    *,
    series: Series,
    events: Iterable[Event],
    name: str = "",
    branch_cuts: Iterable[BranchCut] = (),
) -> bytes:
    """One all-day VEVENT per schedule event, with the title and prose as published.

    ``branch_cuts`` adds one VEVENT per planned stable-branch cut (deliverable feeds).
    """
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
    for cut in branch_cuts:
        if cut.planned_date is None:
            continue
        vevent = IcsEvent()
        vevent.add("uid", branch_cut_uid(cut))
        vevent.add("dtstamp", stamp)
        vevent.add("summary", f"{cut.deliverable.name}: cut {cut.branch}")
        vevent.add("dtstart", cut.planned_date)
        vevent.add("dtend", cut.planned_date + timedelta(days=1))
        vevent.add("transp", "TRANSPARENT")
        window = cut.backport_window_days
        vevent.add(
            "description",
            f"Planned by {cut.policy_label or cut.rule_label}"
            + (f"; backport window {window} days to the release." if window is not None else "."),
        )
        vevent.add("categories", ["branch-cut", cut.team])
        calendar.add_component(vevent)
    return calendar.to_ical()
