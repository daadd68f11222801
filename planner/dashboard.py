"""The PTL's cycle dashboard: every section read with a fixed number of aggregate queries.

Counts and flags are computed in the database (conditional aggregates, EXISTS), so the page
costs the same number of queries at 10 blueprints as at 10,000; lists are capped.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncDate

from blueprints.forecast_selectors import dashboard_risk
from blueprints.models import (
    Blueprint,
    FeatureFreezeException,
    FFEStatus,
    ImplementationStatus,
    Priority,
)
from blueprints.rules import NOT_STARTED_STATUSES
from blueprints.selectors import complete_q, unfinished_dependencies
from core.models import AuditEntry
from planner import charts
from releases import selectors as release_selectors
from releases.kinds import CYCLE_END_KINDS, FEATURE_FREEZE_KINDS, first_of_kinds
from releases.models import Event, Series
from squads.models import Project, Squad, SquadGoal

ATTENTION_LIMIT = 25
BRANCH_CUT_LIMIT = 50

# Launchpad's is_complete, as a database condition (blueprints.rules.is_complete).
COMPLETE = complete_q()
NOT_STARTED = Q(implementation_status__in=NOT_STARTED_STATUSES)
HIGH_PRIORITIES = (Priority.HIGH, Priority.ESSENTIAL)

ATTENTION_REASONS = {
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

    def apply(self, blueprints: QuerySet[Blueprint]) -> QuerySet[Blueprint]:
        if self.squad:
            blueprints = blueprints.filter(squad__slug=self.squad)
        if self.priority:
            blueprints = blueprints.filter(priority=self.priority)
        if self.status:
            blueprints = blueprints.filter(implementation_status=self.status)
        return blueprints

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

    @property
    def share_done(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def attention_flags(*, as_of: date) -> dict[str, Q]:
    """Why a blueprint needs the PTL's attention, each as a database condition."""
    unfinished_dependency = unfinished_dependencies()
    return {
        "overdue": Q(target_milestone__date__lt=as_of) & ~COMPLETE,
        "blocked": Q(implementation_status=ImplementationStatus.BLOCKED),
        "waiting": Q(Exists(unfinished_dependency)) & ~COMPLETE,
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


def dashboard(
    *, series: Series, project: Project | None, as_of: date, filters: DashboardFilters
) -> dict[str, Any]:
    """Everything the dashboard shows, for ``project`` in ``series`` as seen on ``as_of``."""
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
        "upcoming": upcoming[:6],
        "current_week": next((w for w in weeks if w.start <= as_of <= w.end), None),
        "cycle_over": bool(events) and events[-1].date < as_of,
    }
    if project is None:
        return context

    blueprints = filters.apply(Blueprint.objects.filter(project=project, series=series))
    flags = attention_flags(as_of=as_of)
    context["squads"] = squad_rows(
        project=project, series=series, blueprints=blueprints, flags=flags
    )
    context["totals"] = blueprints.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=COMPLETE),
        at_risk=Count("pk", filter=_any(flags)),
    )
    context["attention"], context["attention_total"] = attention_list(
        blueprints=blueprints, flags=flags
    )
    context["ffes_pending"], context["ffes_granted"] = ffe_lists(project=project, series=series)
    cuts = release_selectors.branch_cut_list(series=series, team=project.name)
    context["branch_cuts"] = list(cuts[:BRANCH_CUT_LIMIT])
    context["branch_cuts_total"] = (
        cuts.count()
        if len(context["branch_cuts"]) == BRANCH_CUT_LIMIT
        else len(context["branch_cuts"])
    )
    context["burn_up"] = burn_up(project=project, series=series, as_of=as_of, events=events)
    context["squad_choices"] = [(row.squad.slug, row.squad.name) for row in context["squads"]]
    # Risk forecast and freeze checks: one annotated query for every blueprint.
    context.update(dashboard_risk(blueprints=blueprints, as_of=as_of))
    return context


def squad_rows(
    *, project: Project, series: Series, blueprints: QuerySet[Blueprint], flags: dict[str, Q]
) -> list[SquadRow]:
    """Per squad: blueprints by implementation status, share done, at-risk count, goals."""
    goals = SquadGoal.objects.filter(series=series).order_by("order", "pk")
    squads = (
        Squad.objects.filter(project=project)
        .prefetch_related(Prefetch("goals", queryset=goals, to_attr="series_goals"))
        .order_by("name")
    )
    rows = {s.pk: SquadRow(squad=s, goals=s.series_goals) for s in squads}
    for entry in blueprints.values("squad_id").annotate(
        total=Count("pk"),
        done=Count("pk", filter=COMPLETE),
        at_risk=Count("pk", filter=_any(flags)),
    ):
        row = rows.get(entry["squad_id"])
        if row is not None:
            row.total, row.done, row.at_risk = entry["total"], entry["done"], entry["at_risk"]
    by_status: dict[int, dict[str, int]] = defaultdict(dict)
    for entry in blueprints.values("squad_id", "implementation_status").annotate(n=Count("pk")):
        by_status[entry["squad_id"]][entry["implementation_status"]] = entry["n"]
    for squad_id, counts in by_status.items():
        if squad_id in rows:
            rows[squad_id].by_status = [
                (status, counts[status])
                for status in ImplementationStatus.values
                if status in counts
            ]
    return list(rows.values())


def attention_list(
    *, blueprints: QuerySet[Blueprint], flags: dict[str, Q]
) -> tuple[list[tuple[Blueprint, list[str]]], int]:
    """Blueprints needing attention (capped), each with its reasons in words, and the total."""
    from django.db.models import BooleanField, Case, Value, When

    annotated = blueprints.filter(_any(flags)).annotate(
        **{
            f"flag_{name}": Case(
                When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
            for name, condition in flags.items()
        },
        priority_rank=Case(
            *(When(priority=p, then=Value(i)) for i, p in enumerate(reversed(Priority.values))),
            default=Value(99),
        ),
    )
    total = annotated.count()
    rows = annotated.select_related("squad", "assignee", "target_milestone").order_by(
        "priority_rank", F("target_milestone__date").asc(nulls_last=True), "name"
    )[:ATTENTION_LIMIT]
    return [
        (bp, [text for name, text in ATTENTION_REASONS.items() if getattr(bp, f"flag_{name}")])
        for bp in rows
    ], total


def ffe_lists(
    *, project: Project, series: Series
) -> tuple[list[FeatureFreezeException], list[FeatureFreezeException]]:
    ffes = (
        FeatureFreezeException.objects.filter(
            blueprint__project=project,
            blueprint__series=series,
            status__in=[FFEStatus.REQUESTED, FFEStatus.GRANTED],
        )
        .select_related("blueprint", "blueprint__squad", "requested_by")
        .order_by("merge_by", "pk")
    )
    rows = list(ffes)
    return (
        [f for f in rows if f.status == FFEStatus.REQUESTED],
        [f for f in rows if f.status == FFEStatus.GRANTED],
    )


def burn_up(
    *, project: Project, series: Series, as_of: date, events: list[Event]
) -> charts.BurnUp | None:
    """Implemented vs total blueprints over the cycle, from the audit history.

    Each blueprint's creation adds to the scope; each implementation_status change into or out
    of Implemented moves the done line. Aggregated per day in the database.
    """
    if series.start_week is None:
        return None
    content_type = ContentType.objects.get_for_model(Blueprint)
    ids = Blueprint.objects.filter(project=project, series=series).values("pk")
    rows = (
        AuditEntry.objects.filter(
            content_type=content_type, object_id__in=ids, field="implementation_status"
        )
        .annotate(day=TruncDate("at"))
        .values("day", "action", "old", "new")
        .annotate(n=Count("pk"))
        .order_by()
    )
    changes = []
    implemented = ImplementationStatus.IMPLEMENTED.value
    for row in rows:
        scope = row["n"] if row["action"] == "create" else 0
        done = 0
        if row["new"] == implemented and row["old"] != implemented:
            done = row["n"]
        elif row["old"] == implemented and row["new"] != implemented:
            done = -row["n"]
        if scope or done:
            changes.append((row["day"], scope, done))
    end_event = first_of_kinds(events, CYCLE_END_KINDS)
    freeze_event = first_of_kinds(events, FEATURE_FREEZE_KINDS)
    end = end_event.date if end_event else series.release_week
    freeze = freeze_event.date if freeze_event else None
    return charts.burn_up(
        start=series.start_week, end=end, changes=changes, freeze=freeze, today=as_of
    )
