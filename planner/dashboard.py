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
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from blueprints.forecast_selectors import dashboard_risk, unfinished_dependencies_on
from blueprints.models import (
    Blueprint,
    BlueprintHistory,
    FeatureFreezeException,
    FFEStatus,
    ImplementationStatus,
    Priority,
)
from blueprints.rules import DONE_STATUS, NOT_STARTED_STATUSES
from blueprints.selectors import (
    complete_q,
    ffes_on,
    history_on,
    review_counts,
    review_counts_by_squad,
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

# Launchpad's is_complete (blueprints.rules.is_complete) on history rows; "done" is Implemented.
COMPLETE = complete_q()
DONE = Q(implementation_status=DONE_STATUS)
NOT_STARTED = Q(implementation_status__in=NOT_STARTED_STATUSES)
HIGH_PRIORITIES = (Priority.HIGH, Priority.ESSENTIAL)

ATTENTION_REASONS = {
    "flagged": "the forecast flags it",
    "overdue": "targeted at a milestone already past",
    "blocked": "blocked",
    "waiting": "depends on unfinished work",
    "unassigned": "no assignee",
    "high_not_started": "high priority, not started",
}


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

    def apply(self, rows: QuerySet[BlueprintHistory]) -> QuerySet[BlueprintHistory]:
        """Narrow history rows (the state on the day) by the squad, priority and status then."""
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


def attention_flags(*, as_of: date) -> dict[str, Q]:
    """Why a blueprint needs the PTL's attention on ``as_of``, each as a condition on its
    history row of that day."""
    return {
        "overdue": Q(target_milestone__date__lt=as_of) & ~COMPLETE,
        "blocked": Q(implementation_status=ImplementationStatus.BLOCKED),
        "waiting": Q(Exists(unfinished_dependencies_on(as_of, outer="blueprint"))) & ~COMPLETE,
        "unassigned": Q(assignee__isnull=True) & ~COMPLETE,
        "high_not_started": Q(priority__in=HIGH_PRIORITIES) & NOT_STARTED & ~COMPLETE,
    }


def _any(flags: dict[str, Q]) -> Q:
    combined = Q(pk__in=[])
    for condition in flags.values():
        combined |= condition
    return combined


def default_project() -> Project | None:
    return Project.objects.order_by("pk").first()


def cycle_rows(
    *, project: Project, series: Series, as_of: date, filters: DashboardFilters
) -> QuerySet[BlueprintHistory]:
    """The project's blueprints of ``series`` as they stood on ``as_of`` (one history row
    each; those created later are not there), narrowed by ``filters``."""
    rows = history_on(day=as_of).filter(series=series, blueprint__project=project)
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
    rows = cycle_rows(project=project, series=series, as_of=as_of, filters=filters)
    blueprints = Blueprint.objects.filter(pk__in=rows.values("blueprint_id"))
    risk = dashboard_risk(blueprints=blueprints, as_of=as_of)
    flagged_by_squad: dict[int | None, int] = risk.pop("flagged_by_squad")
    flagged_ids: list[int] = risk.pop("flagged_ids")  # every flagged one: not kept
    context.update(risk)
    context["squads"] = squad_rows(
        project=project, series=series, rows=rows, flagged_by_squad=flagged_by_squad
    )
    context["totals"] = rows.aggregate(total=Count("pk"), done=Count("pk", filter=DONE))
    context["totals"]["at_risk"] = risk["risk_flagged_total"]
    context["reviews"] = review_counts(blueprints=blueprints)
    reviews_by_squad = review_counts_by_squad(blueprints=blueprints)
    for row in context["squads"]:
        row.reviews = reviews_by_squad.get(
            row.squad.pk, {"open": 0, "merged": 0, "abandoned": 0, "total": 0}
        )
    context["attention"], context["attention_total"] = attention_list(
        rows=rows, as_of=as_of, flagged_ids=flagged_ids
    )
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


def squad_rows(
    *,
    project: Project,
    series: Series,
    rows: QuerySet[BlueprintHistory],
    flagged_by_squad: dict[int | None, int],
) -> list[SquadRow]:
    """Per squad, on the day: blueprints by implementation status, how many Implemented, how
    many the forecast flags, goals. Grouped in the database."""
    goals = SquadGoal.objects.filter(series=series).order_by("order", "pk")
    squads = (
        Squad.objects.filter(project=project)
        .prefetch_related(Prefetch("goals", queryset=goals, to_attr="series_goals"))
        .order_by("name")
    )
    result = {s.pk: SquadRow(squad=s, goals=s.series_goals) for s in squads}
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for entry in (
        rows.order_by().values("squad_id", "implementation_status").annotate(n=Count("pk"))
    ):
        by_status[entry["squad_id"]][entry["implementation_status"]] = entry["n"]
    for squad_id, counts in by_status.items():
        row = result.get(squad_id)
        if row is None:
            continue
        row.total = sum(counts.values())
        row.done = counts.get(DONE_STATUS, 0)
        row.by_status = [
            (status, counts[status]) for status in ImplementationStatus.values if status in counts
        ]
    for squad_id, n in flagged_by_squad.items():
        if squad_id in result:
            result[squad_id].at_risk = n
    return list(result.values())


def attention_queryset(
    *, rows: QuerySet[BlueprintHistory], as_of: date, flagged_ids: list[int]
) -> QuerySet[BlueprintHistory]:
    """History rows of the day needing attention, highest priority first, each annotated
    with ``flag_<reason>``. A blueprint the forecast flags is always in it."""
    flags = {"flagged": Q(blueprint_id__in=flagged_ids), **attention_flags(as_of=as_of)}
    return (
        rows.filter(_any(flags))
        .annotate(
            **{
                f"flag_{name}": Case(
                    When(condition, then=Value(True)),
                    default=Value(False),
                    output_field=BooleanField(),
                )
                for name, condition in flags.items()
            },
            priority_rank=Case(
                *(When(priority=p, then=Value(i)) for i, p in enumerate(reversed(Priority.values))),
                default=Value(99),
            ),
        )
        .select_related("blueprint", "squad", "assignee", "target_milestone")
        .order_by(
            "priority_rank",
            F("target_milestone__date").asc(nulls_last=True),
            "blueprint__name",
            "pk",
        )
    )


def attention_entries(found: Any) -> list[tuple[Blueprint, list[str]]]:
    """Rows of :func:`attention_queryset` as (blueprint as on the day, reasons in words)."""
    return [
        (
            _as_on_day(row),
            [text for name, text in ATTENTION_REASONS.items() if getattr(row, f"flag_{name}")],
        )
        for row in found
    ]


def attention_list(
    *, rows: QuerySet[BlueprintHistory], as_of: date, flagged_ids: list[int]
) -> tuple[list[tuple[Blueprint, list[str]]], int]:
    """Blueprints needing attention on the day (the first ``ATTENTION_LIMIT``) and the total."""
    found = attention_queryset(rows=rows, as_of=as_of, flagged_ids=flagged_ids)
    return attention_entries(found[:ATTENTION_LIMIT]), found.count()


def _as_on_day(row: BlueprintHistory) -> Blueprint:
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
    after one that was not (or the reverse) moves the done line. Aggregated per day in the
    database: the previous row of each row is a correlated subquery.
    """
    if series.start_week is None:
        return None
    rows = BlueprintHistory.objects.filter(series=series, blueprint__project=project)
    previous = BlueprintHistory.objects.filter(
        blueprint=OuterRef("blueprint"), series=series
    ).filter(Q(day__lt=OuterRef("day")) | Q(day=OuterRef("day"), pk__lt=OuterRef("pk")))
    previous = previous.order_by("-day", "-pk").values("implementation_status")[:1]
    per_day = (
        rows.annotate(before=Subquery(previous))
        .order_by()
        .values("day")
        .annotate(
            scope=Count("pk", filter=Q(before__isnull=True)),
            done_in=Count("pk", filter=DONE & (Q(before__isnull=True) | ~Q(before=DONE_STATUS))),
            done_out=Count("pk", filter=~DONE & Q(before=DONE_STATUS)),
        )
    )
    changes = [
        (entry["day"], entry["scope"], entry["done_in"] - entry["done_out"])
        for entry in per_day
        if entry["scope"] or entry["done_in"] or entry["done_out"]
    ]
    end_event = first_of_kinds(events, CYCLE_END_KINDS)
    freeze_event = first_of_kinds(events, FEATURE_FREEZE_KINDS)
    end = end_event.date if end_event else series.release_week
    freeze = freeze_event.date if freeze_event else None
    return charts.burn_up(
        start=series.start_week, end=end, changes=changes, freeze=freeze, today=as_of
    )
