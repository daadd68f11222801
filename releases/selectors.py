"""Reads of release data, with the joins each caller needs already applied."""

from collections.abc import Sequence
from datetime import date, timedelta

from django.db.models import Case, OuterRef, Q, QuerySet, Subquery, Value, When

from core import clock
from releases.kinds import FEATURE_FREEZE_KINDS, MILESTONES, TARGET_KINDS, EventKind, first_of_kinds
from releases.models import DeliverableSeries, Event, Occurrence, Series, Week


def series_list() -> QuerySet[Series]:
    """Every series, newest first (the order people browse them in)."""
    return Series.objects.order_by("-position")


def series_with_schedule() -> QuerySet[Series]:
    return series_list().filter(start_week__isnull=False)


def current_series(*, today: date | None = None) -> Series | None:
    """The cycle in progress on ``today``; else the next one to start; else the latest one.

    One query over the few scheduled series: it runs on every page (the navigation bar).
    """
    today = today or clock.today()
    scheduled = list(
        Series.objects.filter(start_week__isnull=False, release_week__isnull=False).order_by(
            "position"
        )
    )
    running = [s for s in scheduled if s.start_week <= today <= s.release_week + _WEEK_SPAN]
    upcoming = [s for s in scheduled if s.start_week > today]
    return (running or upcoming or scheduled[-1:] or [None])[0]


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


def occurrence_list(
    *, series: Series, team: str | None = None, include_all_teams: bool = False
) -> QuerySet[Occurrence]:
    """Every day a cycle's schedule shows, by date: what its own files list (events of other
    series too: the next series' PTG and elections), plus the days of its own events that only
    other series' files list (their ``primary`` listing). Cross-project events, plus one team's
    own (``team``) or every team's."""
    rows = Occurrence.objects.filter(
        Q(listing=series) | Q(event__series=series, primary=True)
    ).select_related("event", "event__series", "week")
    if not include_all_teams:
        rows = rows.filter(event__team__in=["", team] if team else [""])
    return rows.order_by("date", "event__key", "end_date", "id")


# --- which event is the series' feature freeze, RC1, milestone N --------------------------------


def event_of_kinds(*, series: Series, kinds: Sequence[str]) -> Event | None:
    """The event that is ``series``' ``kinds[0]`` (else ``kinds[1]`` …): the first cross-project
    event of the first kind present (``releases.kinds.first_of_kinds``)."""
    events = Event.objects.filter(series=series, team="", kind__in=list(kinds))
    return first_of_kinds(events, kinds)


def feature_freeze(*, series: Series) -> Event | None:
    """The series' feature freeze: its first ``feature-freeze`` event, else its first
    ``milestone-3`` (older schedules list only the milestone)."""
    return event_of_kinds(series=series, kinds=FEATURE_FREEZE_KINDS)


def rc1(*, series: Series) -> Event | None:
    return event_of_kinds(series=series, kinds=(EventKind.RC1,))


def milestone(*, series: Series, number: int) -> Event | None:
    """The series' milestone ``number`` (1–3)."""
    return event_of_kinds(series=series, kinds=(MILESTONES[number],))


def first_event_subquery(
    *, series: OuterRef, kinds: Sequence[str], field: str = "date"
) -> Subquery:
    """The same rule in SQL, for annotations over many rows: ``field`` of the first
    cross-project event of the first kind in ``kinds`` of the outer row's ``series``."""
    preference = Case(
        *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(kinds)),
        default=Value(len(kinds)),
    )
    events = (
        Event.objects.filter(series=series, team="", kind__in=list(kinds))
        .annotate(kind_rank=preference)
        .order_by("kind_rank", "date", "key")
    )
    return Subquery(events.values(field)[:1])


def target_event_list(*, series: Series) -> QuerySet[Event]:
    """What a blueprint of ``series`` may target: its milestones, freeze and RC1, by date."""
    return Event.objects.filter(series=series, team="", kind__in=TARGET_KINDS).order_by(
        "date", "key"
    )


def deliverable_series_list(*, series: Series) -> QuerySet[DeliverableSeries]:
    return (
        DeliverableSeries.objects.filter(series=series)
        .select_related("deliverable", "series")
        .order_by("deliverable__name")
    )


_WEEK_SPAN = timedelta(days=6)


# --- Branch cuts -------------------------------------------------------------------------------


def branch_cut_list(
    *, series: Series, team: str = "", release_model: str = "", type: str = ""
) -> QuerySet:
    """A series' planned branch cuts, by deliverable name, with every join the API row needs."""
    from releases.models import BranchCut

    cuts = BranchCut.objects.filter(series=series).select_related(
        "deliverable", "anchor_event", "rule", "policy", "series"
    )
    if team:
        cuts = cuts.filter(team__iexact=team)
    if release_model:
        cuts = cuts.filter(release_model=release_model)
    if type:
        cuts = cuts.filter(type=type)
    return cuts.order_by("deliverable__name", "pk")


def series_range(*, first: str = "ocata", last: str = "flamingo") -> list[Series]:
    """The series from ``first`` to ``last`` inclusive, oldest first."""
    bounds = dict(Series.objects.filter(name__in=[first, last]).values_list("name", "position"))
    if len(bounds) < 2 and first != last:
        return []
    return list(
        Series.objects.filter(
            position__gte=bounds.get(first, 0), position__lte=bounds.get(last, 0)
        ).order_by("position")
    )


def branch_samples(*, series: list[Series]) -> list:
    """Every actual cut of each series' own stable branch, set against its stored plan.

    Cuts in the history whose deliverable has no file in that series have no plan: they count
    as misses, so the match rate is over every upstream cut, not only the planned ones.
    """
    from releases.branch_history import Sample
    from releases.models import BranchActual, BranchCut

    samples = []
    for s in series:
        cuts = {
            name: (model, type_, planned)
            for name, model, type_, planned in BranchCut.objects.filter(series=s).values_list(
                "deliverable__name", "release_model", "type", "planned_date"
            )
        }
        actuals = BranchActual.objects.filter(series=s, branch=s.stable_branch).values_list(
            "deliverable", "merged_on"
        )
        for name, merged_on in actuals:
            model, type_, planned = cuts.get(name, ("(no file)", "(no file)", None))
            samples.append(
                Sample(
                    series=s.name,
                    deliverable=name,
                    release_model=model,
                    type=type_,
                    actual=merged_on,
                    planned=planned,
                )
            )
    return samples


def branch_report(*, first: str = "ocata", last: str = "flamingo") -> dict:
    """How far actual cuts fell from the plan: overall, per release model, type, model+type
    and series (share within 7 days, median lag; unplanned cuts count as misses)."""
    from releases.branch_history import match_stats

    series = series_range(first=first, last=last)
    samples = branch_samples(series=series)

    def grouped(key) -> list[dict]:
        groups: dict[str, list] = {}
        for sample in samples:
            groups.setdefault(key(sample), []).append(sample)
        return [{"key": k, **match_stats(v).as_dict()} for k, v in sorted(groups.items())]

    order = {s.name: i for i, s in enumerate(series)}
    by_series = grouped(lambda s: s.series)
    by_series.sort(key=lambda row: order[row["key"]])
    return {
        "first": first,
        "last": last,
        "overall": match_stats(samples).as_dict(),
        "by_release_model": grouped(lambda s: s.release_model),
        "by_type": grouped(lambda s: s.type),
        "by_model_and_type": grouped(lambda s: f"{s.release_model}/{s.type}"),
        "by_series": by_series,
    }
