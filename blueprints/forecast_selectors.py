"""Reads for the risk forecast and the freeze checks: one query for any number of blueprints.

Every input of ``blueprints.forecast`` and ``blueprints.freeze`` is a correlated subquery
annotated on the blueprint queryset (statuses and work-item counts from the typed history as of
a day, the
series' feature freeze, the latest FFE, unfinished dependencies; and, separately, the Gerrit
reviews as of that day: :func:`with_review_inputs`), so the dashboard, the API and the problems
list pay one query whatever the number of blueprints.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, JSONObject

from blueprints import forecast as fc
from blueprints import freeze as fz
from blueprints import rules, selectors
from blueprints.models import (
    Blueprint,
    BlueprintDependency,
    BlueprintHistory,
    FeatureFreezeException,
    ImplementationStatus,
    ReviewLink,
    ReviewStatus,
)
from releases.kinds import FEATURE_FREEZE_KINDS
from releases.selectors import first_event_subquery


@dataclass(frozen=True)
class BlueprintRisk:
    """A blueprint with its forecast and freeze problems (what pages and the API show)."""

    blueprint: Blueprint
    forecast: fc.Forecast
    problems: tuple[fz.FreezeProblem, ...]

    def as_dict(self) -> dict:
        bp = self.blueprint
        return {
            "id": bp.pk,
            "name": bp.name,
            "title": bp.title,
            "series": bp.series.name,
            "squad": bp.squad.slug if bp.squad_id else None,
            "implementation_status": bp.implementation_status,
            "target_milestone": bp.target_milestone.key if bp.target_milestone_id else None,
            "forecast": self.forecast.as_dict(),
            "freeze_problems": [p.as_dict() for p in self.problems],
        }


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def _count(rows: QuerySet) -> Subquery:
    # COUNT as a plain function: an aggregate here would add a GROUP BY to the subquery.
    return Subquery(
        rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
        output_field=IntegerField(),
    )


def _latest(blueprint: OuterRef | F, day: date) -> QuerySet[BlueprintHistory]:
    return BlueprintHistory.objects.filter(blueprint=blueprint, day__lte=day).order_by(
        "-day", "-id"
    )


def unfinished_dependencies_on(
    day: date, *, outer: str = "pk", blueprint: Blueprint | None = None
) -> QuerySet:
    """Dependencies of the outer blueprint (its ``outer`` field), or of ``blueprint``, not
    complete on ``day``, by their history."""
    dependency = _latest(OuterRef("depends_on"), day)
    of = blueprint if blueprint is not None else OuterRef(outer)
    return (
        BlueprintDependency.objects.filter(blueprint=of)
        .annotate(
            dep_status=Subquery(dependency.values("implementation_status")[:1]),
            dep_definition=Subquery(dependency.values("definition_status")[:1]),
        )
        .filter(dep_status__isnull=False)
        .exclude(
            Q(dep_status=ImplementationStatus.IMPLEMENTED)
            | Q(dep_definition__in=rules.DONE_DEFINITIONS)
            | Q(dep_status=ImplementationStatus.INFORMATIONAL, dep_definition="Approved")
        )
    )


def with_risk_inputs(blueprints: QuerySet[Blueprint], *, as_of: date) -> QuerySet[Blueprint]:
    """Annotate everything the forecast and the freeze checks need, as of ``as_of``, from the
    typed history (``BlueprintHistory``): still one query. Blueprints without a history row on
    ``as_of`` (created later) are left out."""
    latest = _latest(OuterRef("pk"), as_of)
    before = _latest(OuterRef("pk"), as_of - timedelta(weeks=fc.RATE_WINDOW_WEEKS))

    # The day's history row as one JSON object: one correlated subquery, not one per field.
    row = latest.annotate(
        state=JSONObject(
            status="implementation_status",
            definition="definition_status",
            target_date="target_milestone__date",
            target_label="target_milestone__title",
            squad="squad_id",
            total="work_items_total",
            done="work_items_done",
            blocked="work_items_blocked",
            postponed="work_items_postponed",
        )
    ).values("state")[:1]
    freeze = first_event_subquery(series=OuterRef("series"), kinds=FEATURE_FREEZE_KINDS)
    latest_ffe = selectors.ffes_on(
        FeatureFreezeException.objects.filter(blueprint=OuterRef("pk")), day=as_of
    ).order_by("-requested_on", "-pk")
    first = (
        BlueprintHistory.objects.filter(blueprint=OuterRef("pk"))
        .order_by()
        .annotate(first=Func(F("day"), function="MIN"))
        .values("first")[:1]
    )
    blueprints = with_review_inputs(blueprints, as_of=as_of)
    return (
        blueprints.select_related("series", "squad", "target_milestone")
        .annotate(risk_row=Subquery(row, output_field=JSONField()))
        .filter(risk_row__isnull=False)
        .annotate(
            risk_done_before=Coalesce(Subquery(before.values("work_items_done")[:1]), 0),
            risk_first_day=Subquery(first),
            risk_freeze=freeze,
            risk_ffe_status=Subquery(latest_ffe.values("status_on")[:1]),
            risk_ffe_merge_by=Subquery(latest_ffe.values("merge_by")[:1]),
            risk_unfinished_deps=Coalesce(_count(unfinished_dependencies_on(as_of)), 0),
        )
    )


def with_review_inputs(blueprints: QuerySet[Blueprint], *, as_of: date) -> QuerySet[Blueprint]:
    """The forecast's review inputs on ``as_of`` (``forecast.reviews_as_of`` in SQL): reviews
    merged by then (merged at ``submitted``, else ``updated``), merged in the rate window, open
    then (uploaded, not yet merged or abandoned; an abandoned change at its ``updated``), and
    the oldest open one's upload. Correlated subqueries: still one query."""
    until = _end_of(as_of)
    since = _end_of(as_of - timedelta(weeks=fc.RATE_WINDOW_WEEKS))
    links = ReviewLink.objects.filter(blueprint=OuterRef("pk")).annotate(
        closed=Coalesce("review__submitted", "review__updated")
    )
    merged = Q(review__status=ReviewStatus.MERGED, closed__lte=until)
    abandoned = Q(review__status=ReviewStatus.ABANDONED, review__updated__lte=until)
    open_ = links.filter(review__created__lte=until).exclude(merged).exclude(abandoned)
    return blueprints.annotate(
        review_merged=Coalesce(_count(links.filter(merged)), 0),
        review_merged_recent=Coalesce(_count(links.filter(merged, closed__gt=since)), 0),
        review_open=Coalesce(_count(open_), 0),
        review_oldest_open=Subquery(
            open_.order_by()
            .annotate(first=Func(F("review__created"), function="MIN"))
            .values("first")[:1]
        ),
    )


def _review_fields(bp: Blueprint, as_of: date) -> dict[str, int | None]:
    """ForecastInput's review fields from :func:`with_review_inputs`' annotations."""
    oldest = _as_date(getattr(bp, "review_oldest_open", None))
    return {
        "reviews_merged": getattr(bp, "review_merged", 0) or 0,
        "reviews_open": getattr(bp, "review_open", 0) or 0,
        "reviews_merged_recent": getattr(bp, "review_merged_recent", 0) or 0,
        "oldest_open_days": (as_of - oldest).days if oldest else None,
    }


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return datetime.fromisoformat(str(value)).date()


def _state(bp: Blueprint) -> dict:
    """The blueprint's history row of the day, as :func:`with_risk_inputs` annotated it (a
    JSON object: a string on backends that do not decode it)."""
    state = bp.risk_row
    if isinstance(state, str):
        state = json.loads(state)
    bp.risk_squad, bp.risk_status = state["squad"], state["status"]
    return state


def risk_of(bp: Blueprint, *, as_of: date, dependency_names: tuple[str, ...] = ()) -> BlueprintRisk:
    """Forecast and freeze problems of a blueprint annotated by :func:`with_risk_inputs`:
    statuses, target and work-item counts as its history row of ``as_of`` holds them, the
    burn rate from the items done since its row of four weeks before."""
    first_day = _as_date(bp.risk_first_day)
    state = _state(bp)
    status = state["status"]
    definition = state["definition"]
    window = 0.0
    if first_day is not None:
        window = min(max((as_of - first_day).days / 7, 1.0), fc.RATE_WINDOW_WEEKS)
    started = bp.date_started.date() if bp.date_started else bp.series.start_week
    target_date = _as_date(state["target_date"])
    data = fc.ForecastInput(
        name=bp.name,
        as_of=as_of,
        implementation_status=status,
        definition_status=definition,
        target_date=target_date,
        target_label=state["target_label"] or "",
        freeze=bp.risk_freeze,
        planned=max((state["total"] or 0) - (state["postponed"] or 0), 0),
        done=state["done"] or 0,
        blocked=state["blocked"] or 0,
        done_recent=max((state["done"] or 0) - (bp.risk_done_before or 0), 0),
        window_weeks=window,
        started_on=started,
        unfinished_dependencies=bp.risk_unfinished_deps or 0,
        dependency_names=dependency_names,
        **_review_fields(bp, as_of),
    )
    complete = rules.is_complete(implementation_status=status, definition_status=definition)
    completed_on = bp.date_completed.date() if bp.date_completed else None
    if completed_on is not None and completed_on > as_of:
        completed_on = None
    facts = fz.FreezeFacts(
        as_of=as_of,
        freeze=bp.risk_freeze,
        complete=complete,
        completed_on=completed_on,
        target_date=data.target_date,
        target_label=data.target_label,
        ffe_status=bp.risk_ffe_status or "",
        ffe_merge_by=bp.risk_ffe_merge_by,
        deferred=status == ImplementationStatus.DEFERRED,
    )
    return BlueprintRisk(
        blueprint=bp, forecast=fc.forecast(data), problems=tuple(fz.freeze_problems(facts))
    )


def risk_list(*, blueprints: QuerySet[Blueprint], as_of: date) -> list[BlueprintRisk]:
    """Forecast and freeze checks of every blueprint of ``blueprints`` (one query)."""
    return [risk_of(bp, as_of=as_of) for bp in with_risk_inputs(blueprints, as_of=as_of)]


def risk_get(*, blueprint: Blueprint, as_of: date) -> BlueprintRisk | None:
    """One blueprint's forecast on ``as_of``, naming its unfinished dependencies; None when it
    did not exist yet."""
    bp = with_risk_inputs(Blueprint.objects.filter(pk=blueprint.pk), as_of=as_of).first()
    if bp is None:
        return None
    names = tuple(
        sorted(
            unfinished_dependencies_on(as_of, blueprint=blueprint).values_list(
                "depends_on__name", flat=True
            )
        )
    )
    return risk_of(bp, as_of=as_of, dependency_names=names)


def problem_list(*, as_of: date, series_ids: list[int] | None = None) -> list[BlueprintRisk]:
    """Every blueprint (of every series, or of ``series_ids``) breaking a freeze rule."""
    blueprints = Blueprint.objects.all()
    if series_ids is not None:
        blueprints = blueprints.filter(series_id__in=series_ids)
    blueprints = blueprints.select_related("project").order_by("series__position", "name", "pk")
    return [r for r in risk_list(blueprints=blueprints, as_of=as_of) if r.problems]


FORECAST_LIMIT = 15
PROBLEM_LIMIT = 25
