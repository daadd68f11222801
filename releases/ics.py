"""iCalendar feeds of a series' schedule (RFC 5545 through the icalendar library)."""

from collections.abc import Iterable
from datetime import timedelta

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcsEvent

from releases.models import BranchCut, Event, Occurrence, Series

PRODID = "-//cycle-planner//schedule//EN"


def event_uid(event: Event, ordinal: int = 0) -> str:
    """Stable across re-imports and date changes: the series, the upstream event id and, after
    the first, which of the event's days it is (an event's first day keeps the UID it had
    before events had several)."""
    suffix = f".{ordinal + 1}" if ordinal else ""
    return f"{event.series.name}.{event.key}{suffix}@cycle-planner"


def occurrence_uid(occurrence: Occurrence) -> str:
    """One UID per day of an event, whichever series' schedule lists it: a calendar that
    subscribes to two cycles' feeds sees the next series' PTG once."""
    return event_uid(occurrence.event, occurrence.ordinal)


def branch_cut_uid(cut: BranchCut) -> str:
    """Stable across recomputes and date changes: series, deliverable, ``branch-cut``."""
    return f"{cut.series.name}.{cut.deliverable.name}.branch-cut@cycle-planner"


def schedule_calendar(
    *,
    series: Series,
    occurrences: Iterable[Occurrence],
    name: str = "",
    branch_cuts: Iterable[BranchCut] = (),
) -> bytes:
    """One all-day VEVENT per occurrence, with the title and prose as published.

    A span of days is one all-day event over them (DTEND is the day after the last, RFC 5545
    3.6.1). An event of another series (the next series' PTG in this cycle's schedule) says
    whose it is in its description. ``branch_cuts`` adds one VEVENT per planned
    stable-branch cut (deliverable feeds). Text goes through the icalendar library, which
    escapes it: no value can end a line or start a property of its own.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name or f"{series.title} release schedule")
    stamp = series.updated_at or timezone.now()
    for occurrence in occurrences:
        event = occurrence.event
        vevent = IcsEvent()
        vevent.add("uid", occurrence_uid(occurrence))
        vevent.add("dtstamp", stamp)
        vevent.add("summary", event.title)
        vevent.add("dtstart", occurrence.date)
        vevent.add("dtend", occurrence.end_date + timedelta(days=1))
        vevent.add("transp", "TRANSPARENT")
        description = event.description
        if event.series_id != series.pk:
            whose = f"A {event.series.title} event ({event.key})."
            description = f"{whose}\n\n{description}" if description else whose
        if description:
            vevent.add("description", description)
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
