"""Writes of schedule generation: a new series with its weeks and standard events, learned from
the imported series (rule in ``releases.generate``). In ``planner`` because who may generate is
a project role (the PTL)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from core.actors import Actor
from core.audit import audit_record
from releases import generate as gen
from releases.kinds import EventKind, first_of_kinds
from releases.models import Event, Occurrence, Series, Week
from squads import permissions as perms


def generation_observations() -> list[gen.Observation]:
    """One observation per (imported series with a schedule, standard kind): the series' event
    of that kind (``releases.kinds.first_of_kinds``, its first one). Generated series are not
    learned from (their events carry the ``generated`` rule), so generating twice never feeds on
    itself."""
    events = (
        Event.objects.filter(
            team="",
            kind__in=gen.STANDARD_KINDS,
            series__start_week__isnull=False,
            series__release_week__isnull=False,
        )
        .exclude(series__events__rule=gen.RULE_GENERATED)
        .select_related("series")
        .order_by("series__position", "date", "key")
        .distinct()
    )
    by_series: dict[int, list[Event]] = {}
    for event in events:
        by_series.setdefault(event.series_id, []).append(event)
    observations = []
    for series_events in by_series.values():
        series = series_events[0].series
        for kind in sorted({e.kind for e in series_events}):
            event = first_of_kinds(series_events, (kind,))
            observations.append(
                gen.Observation(
                    series=series.name,
                    kind=kind,
                    offset=(gen.monday_of(event.date) - series.release_week).days // 7,
                    weekday=event.date.weekday(),
                    length_weeks=(series.release_week - series.start_week).days // 7 + 1,
                )
            )
    return observations


@transaction.atomic
def schedule_generate(
    *,
    actor: Actor,
    name: str,
    release_date: date,
    weeks: int,
    release_id: str = "",
) -> tuple[Series, gen.GeneratedSchedule]:
    """Create series ``name`` releasing on ``release_date`` after ``weeks`` weeks: its weeks and
    the standard events at the R-weeks the imported series used (``releases.generate``), for
    the PTL to edit afterwards. Refuses an existing name or a release date on a weekend; writes
    the series, weeks and events in one transaction with one audit row naming what placed each
    event."""
    perms.check(actor, perms.may_generate(actor), perms.GENERATE_REFUSED)
    if Series.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": ValidationError(f"A series named {name!r} already exists.", code="conflict")}
        )
    if release_date.weekday() > 4:
        raise ValidationError({"release_date": f"{release_date} is not a weekday."})
    try:
        plan = gen.generate(
            observations=generation_observations(),
            release_date=release_date,
            weeks=weeks,
            series_letter=name[:1].lower() or "x",
        )
    except gen.GenerateError as exc:
        raise ValidationError({"weeks": str(exc)}) from exc
    position = (Series.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    series = Series(
        name=name,
        position=position,
        release_id=release_id,
        status="planning",
        initial_release=release_date,
        start_week=plan.start_week,
        release_week=plan.release_week,
        length_weeks=weeks,
    )
    series.full_clean()
    series.save()
    week_rows = [Week(series=series, start=w.start, end=w.end, name=w.name) for w in plan.weeks]
    for week in week_rows:
        week.full_clean(exclude=["series"])
    Week.objects.bulk_create(week_rows)
    week_ids = dict(Week.objects.filter(series=series).values_list("start", "pk"))
    source = f"generated from {len(plan.series_observed)} series"
    event_rows = []
    for e in plan.events:
        event = Event(
            series=series,
            key=e.key,
            kind=e.kind,
            title=f"{series.name.capitalize()} {e.title.lower()}"
            if e.kind.startswith("milestone")
            else e.title,
            description=e.description,
            date=e.date,
            rule=e.rule,
            week_id=week_ids.get(gen.monday_of(e.date)),
            source=source,
            conflicts=[n for n in plan.notes if n.startswith("release on")]
            if e.kind == EventKind.RELEASE
            else [],
        )
        event.full_clean(exclude=["series", "week"])
        event_rows.append(event)
    Event.objects.bulk_create(event_rows)
    # Each generated event happens on one day, listed in its own series' schedule.
    Occurrence.objects.bulk_create(
        Occurrence(
            event=event,
            listing=series,
            date=event.date,
            end_date=event.date,
            week_id=event.week_id,
            rule=event.rule,
            source=source,
        )
        for event in Event.objects.filter(series=series)
    )
    audit_record(
        actor=actor,
        obj=series,
        action="create",
        changes={
            "generated": (
                None,
                {
                    "release_date": release_date,
                    "weeks": weeks,
                    "reference_length": plan.reference_length,
                    "learned_from": list(plan.series_observed),
                    "events": {e.key: [e.date, e.week_name, e.placement] for e in plan.events},
                    "notes": list(plan.notes),
                },
            )
        },
    )
    return series, plan
