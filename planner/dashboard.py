"""The PTL's cycle dashboard, page and JSON twin: one selector, every section as of one day.

Everything reads the state of the cycle on ``as_of`` from the typed history
(``blueprints.selectors.history_on``): squad rows, totals, statuses, needs attention, FFEs,
burn-up and forecast. "Done" is Implemented and "at risk" is what the forecast flags, in every
section. Counts are computed in the database (conditional aggregates, EXISTS), so the page
costs the same number of queries at 10 blueprints as at 10,000; lists are capped.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce

from blueprints import forecast_days
from blueprints.forecast import LEVEL_LABELS
from blueprints.forecast_days import ATTENTION_REASONS
from blueprints.forecast_selectors import FORECAST_LIMIT, PROBLEM_LIMIT, risk_list
from blueprints.models import (
    Blueprint,
    BlueprintDay,
    BlueprintHistory,
    FeatureFreezeException,
    FFEStatus,
    ImplementationStatus,
    Priority,
    ReviewLink,
)
from blueprints.rules import DONE_STATUS
from blueprints.selectors import (
    ffes_on,
    review_counts,
    review_counts_by,
)
from core.models import AuditEntry
from planner import charts
from releases import conditional
from releases import selectors as release_selectors
from releases.kinds import CYCLE_END_KINDS, FEATURE_FREEZE_KINDS, first_of_kinds
from releases.models import Event, Series
from squads.models import Project, Squad, SquadGoal

ATTENTION_LIMIT = 25
BRANCH_CUT_LIMIT = 50
DONE = Q(implementation_status=DONE_STATUS)
LEVELS = list(enumerate(LEVEL_LABELS))  # (index, level): annotation names of the level counts


@dataclass(frozen=True)
class DashboardFilters:
    squad: str = ""
    priority: str = ""
    status: str = ""

    @classmethod
    def from_query(cls, params: Any) -> DashboardFilters:
        return cls(
            squad=params.get("squad", "").strip(),
            priority=params.get("priority", "")
            if params.get("priority") in Priority.values
            else "",
            status=params.get("status", "")
            if params.get("status") in ImplementationStatus.values
            else "",
        )

    def apply(self, rows: QuerySet) -> QuerySet:
        """Narrow rows holding the state on the day (history rows, or the day's forecast rows:
        both have ``squad``, ``priority`` and ``implementation_status``) by those of the day."""
        if self.squad:
            rows = rows.filter(squad__slug=self.squad)
        if self.priority:
            rows = rows.filter(priority=self.priority)
        if self.status:
            rows = rows.filter(implementation_status=self.status)
        return rows

    @property
    def active(self) -> bool:
        return bool(self.squad or self.priority or self.status)


@dataclass
class SquadRow:
    squad: Squad
    total: int = 0
    done: int = 0
    at_risk: int = 0
    by_status: list[tuple[str, int]] = field(default_factory=list)
    goals: list[SquadGoal] = field(default_factory=list)
    reviews: dict[str, int] = field(default_factory=dict)

    @property
    def share_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def default_project() -> Project | None:
    return Project.objects.order_by("pk").first()


def day_rows(
    *, project: Project, series: Series, as_of: date, filters: DashboardFilters
) -> QuerySet[BlueprintDay]:
    """The project's blueprints of ``series`` as they stood on ``as_of``, with their forecast
    and attention flags of that day (``blueprints.forecast_days``: refreshed first; those
    created later are not there), narrowed by ``filters``."""
    rows = forecast_days.rows_on(series=series, day=as_of, project_id=project.pk)
    return filters.apply(rows)


def dashboard(
    *, series: Series, project: Project | None, as_of: date, filters: DashboardFilters
) -> dict[str, Any]:
    """Everything the dashboard (page and JSON) shows, for ``project`` in ``series`` on
    ``as_of``: every count, list and chart reads the state of that day from the history."""
    weeks = list(release_selectors.week_list(series=series))
    # What the schedule shows: every occurrence (spans, repeats, other series' listed events);
    # the series' own events are those of its own first days.
    days = list(release_selectors.occurrence_list(series=series))
    events = [d.event for d in days if d.event.series_id == series.pk and d.ordinal == 0]
    upcoming = [d for d in days if d.end_date >= as_of]
    next_event = upcoming[0] if upcoming else None
    context: dict[str, Any] = {
        "series": series,
        "project": project,
        "as_of": as_of,
        "filters": filters,
        "timeline": charts.timeline(
            weeks=[(w.start, w.end, w.name) for w in weeks],
            events=[(d.date, d.kind, d.title, d.end_date) for d in days],
            today=as_of,
        ),
        "next_event": next_event,
        "days_to_next": max((next_event.date - as_of).days, 0) if next_event else None,
        # The week the deadline falls in ("in 9 days (week R-6)"), not the week of the day.
        "next_event_week": next(
            (w for w in weeks if next_event and w.start <= next_event.date <= w.end), None
        ),
        "upcoming": upcoming[:6],
        "current_week": next((w for w in weeks if w.start <= as_of <= w.end), None),
        "cycle_over": bool(events) and events[-1].date < as_of,
    }
    if project is None:
        return context
    context.update(
        _blueprint_sections(
            series=series, project=project, as_of=as_of, filters=filters, events=events
        )
    )
    return context


def data_version(*, series: Series) -> tuple:
    """What the blueprint sections of a day depend on, in one query: the newest audit row
    (every write through a service leaves one: blueprints, work items, FFEs, reviews), the
    newest history row and the series' schedule version."""
    row = (
        Series.objects.filter(pk=series.pk)
        .annotate(
            audit=Subquery(AuditEntry.objects.order_by("-pk").values("pk")[:1]),
            history=Subquery(BlueprintHistory.objects.order_by("-pk").values("pk")[:1]),
        )
        .values_list("audit", "history", "updated_at")
        .first()
    )
    return tuple(str(v) for v in row or ())


def _blueprint_sections(
    *,
    series: Series,
    project: Project,
    as_of: date,
    filters: DashboardFilters,
    events: list[Event],
) -> dict[str, Any]:
    """The sections read from the blueprints on ``as_of``, kept per (cycle, project, filters,
    day) as long as the data version does not move (``DASHBOARD_CACHE_SECONDS``; 0: off):
    they cost time in proportion to the blueprints, the rest of the page does not."""
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 0)
    key = ""
    if seconds:
        raw = "|".join(
            map(str, (series.pk, project.pk, as_of, filters, *data_version(series=series)))
        )
        key = "dashboard:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()
        cached = conditional.cache_get(key)
        if cached is not None:
            return cached
    sections = _compute_sections(
        series=series, project=project, as_of=as_of, filters=filters, events=events
    )
    if key:
        conditional.cache_set(key, sections, seconds)
    return sections


def _compute_sections(
    *,
    series: Series,
    project: Project,
    as_of: date,
    filters: DashboardFilters,
    events: list[Event],
) -> dict[str, Any]:
    context: dict[str, Any] = {}
    rows = day_rows(project=project, series=series, as_of=as_of, filters=filters)
    # Every count of the page in one GROUP BY per squad and status (the forecast levels as
    # conditional counts: a few hundred groups at most, whatever the number of blueprints).
    groups = list(
        rows.order_by()
        .values("squad_id", "implementation_status")
        .annotate(
            n=Count("pk"),
            flagged_n=Count("pk", filter=Q(flagged=True)),
            attention_n=Count("pk", filter=forecast_days.NEEDS_ATTENTION),
            problems_n=Count("pk", filter=Q(has_freeze_problems=True)),
            **{f"level_{i}": Count("pk", filter=Q(level=level)) for i, level in LEVELS},
        )
    )
    context.update(risk_sections(rows=rows, groups=groups, as_of=as_of))
    context["squads"] = squad_rows(project=project, series=series, groups=groups)
    context["totals"] = {
        "total": sum(g["n"] for g in groups),
        "done": sum(g["n"] for g in groups if g["implementation_status"] == DONE_STATUS),
        "at_risk": context["risk_flagged_total"],
    }
    blueprints = Blueprint.objects.filter(pk__in=rows.values("blueprint_id"))
    # The reviews as they stood on the day, per squad of the day.
    context["reviews"] = review_counts(blueprints=blueprints, as_of=as_of)
    # From the review links (a few) to the day's rows, not from every row to its links.
    links = ReviewLink.objects.filter(blueprint__in=rows.values("blueprint_id")).annotate(
        day_squad=Subquery(rows.filter(blueprint=OuterRef("blueprint")).values("squad_id")[:1])
    )
    reviews_by_squad = review_counts_by(links, group="day_squad", reviews="review", as_of=as_of)
    for row in context["squads"]:
        row.reviews = reviews_by_squad.get(
            row.squad.pk, {"open": 0, "merged": 0, "abandoned": 0, "total": 0}
        )
    context["attention"] = attention_entries(attention_queryset(rows=rows)[:ATTENTION_LIMIT])
    context["attention_total"] = sum(g["attention_n"] for g in groups)
    context["ffes_pending"], context["ffes_granted"] = ffe_lists(
        project=project, series=series, as_of=as_of
    )
    cuts = release_selectors.branch_cut_list(series=series, team=project.name)
    context["branch_cuts"] = list(cuts[:BRANCH_CUT_LIMIT])
    context["branch_cuts_total"] = (
        cuts.count()
        if len(context["branch_cuts"]) == BRANCH_CUT_LIMIT
        else len(context["branch_cuts"])
    )
    context["burn_up"] = burn_up(project=project, series=series, as_of=as_of, events=events)
    context["squad_choices"] = [(row.squad.slug, row.squad.name) for row in context["squads"]]
    return context


def risk_sections(
    *, rows: QuerySet[BlueprintDay], groups: list[dict], as_of: date
) -> dict[str, Any]:
    """The forecast and freeze sections: counts by level from ``groups``, the riskiest
    flagged blueprints and the first freeze problems ranked in SQL, and only those forecast
    again in full (their reasons and problems in words): one query for both lists."""
    counts = {level: sum(g[f"level_{i}"] for g in groups) for i, level in LEVELS}
    riskiest = rows.filter(flagged=True).order_by("-score", "name", "blueprint_id")
    first_problems = rows.filter(has_freeze_problems=True).order_by("name", "blueprint_id")
    # Both lists' blueprints in one query. A flagged blueprint that is there as a problem and
    # not among the riskiest ranks below them (the same order), so sorting and cutting again
    # gives the same lists.
    risks = risk_list(
        blueprints=Blueprint.objects.filter(
            Q(pk__in=riskiest.values("blueprint_id")[:FORECAST_LIMIT])
            | Q(pk__in=first_problems.values("blueprint_id")[:PROBLEM_LIMIT])
        ),
        as_of=as_of,
    )
    flagged = sorted(
        (r for r in risks if r.forecast.flagged),
        key=lambda r: (-r.forecast.score, r.blueprint.name, r.blueprint.pk),
    )
    problems = sorted(
        (r for r in risks if r.problems), key=lambda r: (r.blueprint.name, r.blueprint.pk)
    )
    return {
        "risk_counts": [(label, counts.get(level, 0)) for level, label in LEVEL_LABELS.items()],
        "risk_levels": [(level, counts.get(level, 0)) for level in LEVEL_LABELS],
        "risk_flagged": flagged[:FORECAST_LIMIT],
        "risk_flagged_total": sum(g["flagged_n"] for g in groups),
        "freeze_problems": problems[:PROBLEM_LIMIT],
        "freeze_problems_total": sum(g["problems_n"] for g in groups),
    }


def squad_rows(*, project: Project, series: Series, groups: list[dict]) -> list[SquadRow]:
    """Per squad, on the day: blueprints by implementation status, how many Implemented, how
    many the forecast flags, goals (the counts from the dashboard's GROUP BY)."""
    goals = SquadGoal.objects.filter(series=series).order_by("order", "pk")
    squads = (
        Squad.objects.filter(project=project)
        .prefetch_related(Prefetch("goals", queryset=goals, to_attr="series_goals"))
        .order_by("name")
    )
    result = {s.pk: SquadRow(squad=s, goals=s.series_goals) for s in squads}
    by_status: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for g in groups:
        row = result.get(g["squad_id"])
        if row is None:
            continue
        by_status[g["squad_id"]][g["implementation_status"]] += g["n"]
        row.at_risk += g["flagged_n"]
    for squad_id, counts in by_status.items():
        row = result[squad_id]
        row.total = sum(counts.values())
        row.done = counts.get(DONE_STATUS, 0)
        row.by_status = [
            (status, counts[status]) for status in ImplementationStatus.values if status in counts
        ]
    return list(result.values())


ATTENTION_ORDER = ("priority_rank", F("target_date").asc(nulls_last=True), "name", "blueprint_id")


def attention_queryset(*, rows: QuerySet[BlueprintDay]) -> QuerySet[BlueprintDay]:
    """The day's rows needing attention, highest priority first, then the nearest target. A
    blueprint the forecast flags is always in it."""
    return rows.filter(forecast_days.NEEDS_ATTENTION).order_by(*ATTENTION_ORDER)


def attention_entries(found: QuerySet[BlueprintDay]) -> list[tuple[Blueprint, list[str]]]:
    """A slice of :func:`attention_queryset` as (blueprint as on the day, reasons in words),
    in one query: the slice is ranked on the rows alone, then its blueprints, squads,
    assignees and targets are joined to those few."""
    shown = (
        BlueprintDay.objects.filter(pk__in=found.values("pk"))
        .select_related("blueprint", "squad", "assignee", "target_milestone")
        .order_by(*ATTENTION_ORDER)
    )
    return [
        (_as_on_day(row), [text for name, text in ATTENTION_REASONS.items() if getattr(row, name)])
        for row in shown
    ]


def _as_on_day(row: BlueprintDay) -> Blueprint:
    """The row's blueprint showing its fields of that day (a display copy)."""
    bp = row.blueprint
    for name in ("priority", "definition_status", "implementation_status"):
        setattr(bp, name, getattr(row, name))
    bp.squad, bp.assignee, bp.target_milestone = row.squad, row.assignee, row.target_milestone
    return bp


def ffe_lists(
    *, project: Project, series: Series, as_of: date
) -> tuple[list[FeatureFreezeException], list[FeatureFreezeException]]:
    """FFEs requested on or before ``as_of``, pending or granted on that day."""
    ffes = (
        ffes_on(
            FeatureFreezeException.objects.filter(
                blueprint__project=project, blueprint__series=series
            ),
            day=as_of,
        )
        .filter(status_on__in=[FFEStatus.REQUESTED, FFEStatus.GRANTED])
        .select_related("blueprint", "blueprint__squad", "requested_by")
        .order_by("merge_by", "pk")
    )
    rows = list(ffes)
    for f in rows:
        f.status = f.status_on  # as on the day (a display copy)
    return (
        [f for f in rows if f.status == FFEStatus.REQUESTED],
        [f for f in rows if f.status == FFEStatus.GRANTED],
    )


def burn_up(
    *, project: Project, series: Series, as_of: date, events: list[Event]
) -> charts.BurnUp | None:
    """Implemented vs total blueprints over the cycle, from the typed history.

    A blueprint's first row in the series adds to the scope; a row whose status is Implemented
    after one that was not (or the reverse) moves the done line: each row says which
    (``opens_scope``, ``done_change``, kept by the history's writer), so the chart is one sum
    per day.
    """
    if series.start_week is None:
        return None
    per_day = (
        BlueprintHistory.objects.filter(series=series, blueprint__project=project)
        .order_by()
        .values("day")
        .annotate(
            scope=Count("pk", filter=Q(opens_scope=True)),
            done=Coalesce(Sum("done_change"), 0),
        )
        .order_by("day")
    )
    changes = [
        (entry["day"], entry["scope"], entry["done"])
        for entry in per_day
        if entry["scope"] or entry["done"]
    ]
    end_event = first_of_kinds(events, CYCLE_END_KINDS)
    freeze_event = first_of_kinds(events, FEATURE_FREEZE_KINDS)
    end = end_event.date if end_event else series.release_week
    freeze = freeze_event.date if freeze_event else None
    return charts.burn_up(
        start=series.start_week, end=end, changes=changes, freeze=freeze, today=as_of
    )
