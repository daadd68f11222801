"""A squad's calendar: the cycle schedule plus its blueprints' target dates and FFE merge-by
dates (``/cycles/<name>/schedule.ics?squad=<slug>``)."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from icalendar import Event as IcsEvent

from blueprints.models import OPEN_FFE_STATUSES, Blueprint, FeatureFreezeException
from releases.models import Series
from squads.models import Squad


def _day(uid: str, summary: str, day, description: str, stamp, categories: list[str]):
    vevent = IcsEvent()
    vevent.add("uid", uid)
    vevent.add("dtstamp", stamp)
    vevent.add("summary", summary)
    vevent.add("dtstart", day)
    vevent.add("dtend", day + timedelta(days=1))
    vevent.add("transp", "TRANSPARENT")
    vevent.add("description", description)
    vevent.add("categories", categories)
    return vevent


def add_squad_dates(calendar_bytes: bytes, *, series: Series, squad: Squad) -> bytes:
    """Add one VEVENT per targeted blueprint of ``squad`` (on its milestone's date) and one per
    open FFE (on its merge-by date). UIDs are stable across date changes."""
    calendar = Calendar.from_ical(calendar_bytes)
    stamp = series.updated_at
    blueprints = (
        Blueprint.objects.filter(series=series, squad=squad, target_milestone__isnull=False)
        .select_related("target_milestone")
        .order_by("target_milestone__date", "name")
    )
    for bp in blueprints:
        calendar.add_component(
            _day(
                f"{series.name}.blueprint.{bp.pk}.target@cycle-planner",
                f"{bp.title}: target {bp.target_milestone.title}",
                bp.target_milestone.date,
                f"{bp.name} ({bp.implementation_status}) is targeted at "
                f"{bp.target_milestone.title}.",
                stamp,
                ["blueprint-target", squad.slug],
            )
        )
    ffes = FeatureFreezeException.objects.filter(
        blueprint__series=series, blueprint__squad=squad, status__in=OPEN_FFE_STATUSES
    ).select_related("blueprint")
    for ffe in ffes.order_by("merge_by", "pk"):
        calendar.add_component(
            _day(
                f"{series.name}.ffe.{ffe.pk}.merge-by@cycle-planner",
                f"FFE merge-by: {ffe.blueprint.title}",
                ffe.merge_by,
                f"Feature-freeze exception ({ffe.status}) for {ffe.blueprint.name}: the work "
                "must merge by this day.",
                stamp,
                ["ffe-merge-by", squad.slug],
            )
        )
    name = f"{series.title} release schedule ({squad.name} squad)"
    calendar["x-wr-calname"] = name
    return calendar.to_ical()
