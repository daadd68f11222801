"""Reads for the risk forecast and the freeze checks: one query for any number of blueprints.

Every input of ``blueprints.forecast`` and ``blueprints.freeze`` is a correlated subquery
annotated on the blueprint queryset (work-item counts from the audit history as of a day, the
series' feature freeze, the latest FFE, unfinished dependencies; and, separately, the Gerrit
reviews as of that day: :func:`with_review_inputs`), so the dashboard, the API and the problems
list pay one query whatever the number of blueprints.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import (
    Case,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from blueprints import forecast as fc
from blueprints import freeze as fz
from blueprints import rules
from blueprints.models import (
    Blueprint,
    FeatureFreezeException,
    ImplementationStatus,
    ReviewLink,
    ReviewStatus,
    WorkItem,
    WorkItemStatus,
)
from blueprints.selectors import unfinished_dependencies
from core.models import AuditEntry
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


def _item_rows() -> QuerySet[AuditEntry]:
    """Audited work-item status changes of the outer blueprint's current work items."""
    return AuditEntry.objects.filter(
        content_type__app_label="blueprints",
        content_type__model="workitem",
        field="status",
        object_id__in=WorkItem.objects.filter(blueprint=OuterRef(OuterRef("pk"))).values("pk"),
    )


def _net(condition_in: Q, condition_out: Q, until: datetime) -> Subquery:
    """Items that entered a state minus those that left it, up to ``until`` (audit rows)."""
    rows = (
        _item_rows()
        .filter(at__lte=until)
        .order_by()
        .annotate(
            step=Case(
                When(condition_in, then=Value(1)),
                When(condition_out, then=Value(-1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .annotate(n=Func(F("step"), function="SUM"))
        .values("n")
    )
    return Subquery(rows[:1], output_field=IntegerField())


def _count(rows: QuerySet) -> Subquery:
    # COUNT as a plain function: an aggregate here would add a GROUP BY to the subquery.
    return Subquery(
        rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")[:1],
        output_field=IntegerField(),
    )


def with_risk_inputs(blueprints: QuerySet[Blueprint], *, as_of: date) -> QuerySet[Blueprint]:
    """Annotate everything the forecast and the freeze checks need (still one query)."""
    until = _end_of(as_of)
    since = _end_of(as_of - timedelta(weeks=fc.RATE_WINDOW_WEEKS))
    state = {
        status: _net(
            Q(new=status) & ~Q(old=status),
            Q(old=status, action="update") & ~Q(new=status),
            until,
        )
        for status in ("DONE", "BLOCKED", "POSTPONED")
    }
    freeze = first_event_subquery(series=OuterRef("series"), kinds=FEATURE_FREEZE_KINDS)
    latest_ffe = FeatureFreezeException.objects.filter(blueprint=OuterRef("pk")).order_by(
        "-requested_on", "-pk"
    )
    status_rows = AuditEntry.objects.filter(
        content_type__app_label="blueprints",
        content_type__model="blueprint",
        object_id=OuterRef("pk"),
        field="implementation_status",
        at__lte=until,
    ).order_by("-at", "-pk")
    unfinished = unfinished_dependencies()
    current = WorkItem.objects.filter(blueprint=OuterRef("pk"))
    blueprints = with_review_inputs(blueprints, as_of=as_of)
    return blueprints.select_related("series", "squad", "target_milestone").annotate(
        risk_items_now=_count(current.exclude(status=WorkItemStatus.POSTPONED)),
        risk_done_now=_count(current.filter(status=WorkItemStatus.DONE)),
        risk_blocked_now=_count(current.filter(status=WorkItemStatus.BLOCKED)),
        risk_created=_count(_item_rows().filter(action="create", at__lte=until)),
        risk_done=state["DONE"],
        risk_blocked=state["BLOCKED"],
        risk_postponed=state["POSTPONED"],
        risk_done_recent=_count(
            _item_rows().filter(at__gt=since, at__lte=until, new="DONE").exclude(old="DONE")
        ),
        risk_first_at=Subquery(
            _item_rows()
            .filter(at__lte=until)
            .order_by()
            .annotate(first=Func(F("at"), function="MIN"))
            .values("first")[:1]
        ),
        risk_status=Subquery(status_rows.values("new")[:1]),
        risk_freeze=freeze,
        risk_ffe_status=Subquery(latest_ffe.values("status")[:1]),
        risk_ffe_merge_by=Subquery(latest_ffe.values("merge_by")[:1]),
        risk_unfinished_deps=Coalesce(_count(unfinished), 0),
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


def risk_of(bp: Blueprint, *, as_of: date, dependency_names: tuple[str, ...] = ()) -> BlueprintRisk:
    """Forecast and freeze problems of a blueprint annotated by :func:`with_risk_inputs`.

    Statuses and counts are those of ``as_of`` when the audit history reaches back to it;
    rows written later (a demo loaded today and viewed "as of" 2017) fall back to the current
    values, and the burn rate to "done per week since work started".
    """
    first_at = _as_date(bp.risk_first_at)
    status = bp.risk_status if isinstance(bp.risk_status, str) else bp.implementation_status
    if first_at is not None:
        done, blocked = bp.risk_done or 0, bp.risk_blocked or 0
        planned = (bp.risk_created or 0) - (bp.risk_postponed or 0)
        window = min(max((as_of - first_at).days / 7, 1.0), fc.RATE_WINDOW_WEEKS)
        recent = bp.risk_done_recent or 0
    else:
        done, blocked = bp.risk_done_now or 0, bp.risk_blocked_now or 0
        planned = bp.risk_items_now or 0
        window, recent = 0.0, 0
    target = bp.target_milestone
    started = bp.date_started.date() if bp.date_started else bp.series.start_week
    data = fc.ForecastInput(
        name=bp.name,
        as_of=as_of,
        implementation_status=status,
        definition_status=bp.definition_status,
        target_date=target.date if target else None,
        target_label=target.title if target else "",
        freeze=bp.risk_freeze,
        planned=max(planned, 0),
        done=max(done, 0),
        blocked=max(blocked, 0),
        done_recent=recent,
        window_weeks=window,
        started_on=started,
        unfinished_dependencies=bp.risk_unfinished_deps or 0,
        dependency_names=dependency_names,
        **_review_fields(bp, as_of),
    )
    complete = rules.is_complete(
        implementation_status=status, definition_status=bp.definition_status
    )
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


def risk_get(*, blueprint: Blueprint, as_of: date) -> BlueprintRisk:
    """One blueprint's forecast, naming its unfinished dependencies (prefetched if present)."""
    bp = with_risk_inputs(Blueprint.objects.filter(pk=blueprint.pk), as_of=as_of).get()
    names = tuple(
        sorted(
            d.name
            for d in blueprint.depends_on.all()
            if not rules.is_complete(
                implementation_status=d.implementation_status,
                definition_status=d.definition_status,
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


def dashboard_risk(*, blueprints: QuerySet[Blueprint], as_of: date) -> dict:
    """The dashboard's forecast and freeze sections: counts by level, the riskiest open
    blueprints and the freeze problems (lists capped; one query whatever the size)."""
    rows = risk_list(blueprints=blueprints, as_of=as_of)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.forecast.level] = counts.get(row.forecast.level, 0) + 1
    flagged = sorted(
        (r for r in rows if r.forecast.flagged),
        key=lambda r: (-r.forecast.score, r.blueprint.name),
    )
    problems = [r for r in rows if r.problems]
    return {
        "risk_counts": [
            (fc.LEVEL_LABELS[level], counts.get(level, 0)) for level in fc.LEVEL_LABELS
        ],
        "risk_flagged": flagged[:FORECAST_LIMIT],
        "risk_flagged_total": len(flagged),
        "freeze_problems": problems[:PROBLEM_LIMIT],
        "freeze_problems_total": len(problems),
    }
