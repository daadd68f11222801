"""Reads of blueprints, work items and FFEs, with the joins each caller needs applied."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from blueprints import ffe_rules, rules
from blueprints.models import (
    GRANTED_FFE_STATUSES,
    OPEN_FFE_STATUSES,
    Blueprint,
    BlueprintHistory,
    FeatureFreezeException,
    FFEPolicy,
    Review,
    ReviewLink,
    ReviewStatus,
    WorkItem,
    WorkItemStatus,
)
from core.models import AuditEntry
from releases import selectors as release_selectors
from releases.kinds import FEATURE_FREEZE_KINDS, EventKind, first_of_kinds
from releases.models import Event, Series
from squads.models import Project


def complete_q(prefix: str = "") -> Q:
    """Launchpad's ``is_complete`` (blueprints.rules.is_complete) as a database condition;
    ``prefix`` reaches a related blueprint, e.g. ``"depends_on__"``."""
    return (
        Q(**{f"{prefix}implementation_status": "Implemented"})
        | Q(**{f"{prefix}definition_status__in": rules.DONE_DEFINITIONS})
        | Q(
            **{
                f"{prefix}implementation_status": "Informational",
                f"{prefix}definition_status": "Approved",
            }
        )
    )


def unfinished_dependencies() -> QuerySet:
    """Dependencies of the outer query's blueprint (``OuterRef("pk")``) not yet complete."""
    from blueprints.models import BlueprintDependency

    return BlueprintDependency.objects.filter(blueprint=OuterRef("pk")).exclude(
        complete_q("depends_on__")
    )


# --- the typed history: the state of the cycle on a day ----------------------------------------
def history_on(*, day: date, blueprints: QuerySet[Blueprint] | None = None) -> QuerySet:
    """Each blueprint's planning fields on ``day``: its latest history row with ``day`` <= D
    (one row per blueprint that existed then; those created later have none). One query,
    usable as a subquery: ``DISTINCT ON`` on PostgreSQL, a correlated "latest id" elsewhere.
    ``blueprints`` narrows to those blueprints."""
    rows = BlueprintHistory.objects.filter(day__lte=day)
    if blueprints is not None:
        rows = rows.filter(blueprint__in=blueprints.order_by().values("pk"))
    if connection.vendor == "postgresql":
        latest = rows.order_by("blueprint_id", "-day", "-id").distinct("blueprint_id")
        return BlueprintHistory.objects.filter(pk__in=latest.values("pk"))
    newest = BlueprintHistory.objects.filter(
        blueprint=OuterRef("blueprint"), day__lte=day
    ).order_by("-day", "-id")
    return rows.filter(pk=Subquery(newest.values("pk")[:1]))


def history_exists_on(*, day: date) -> Exists:
    """For a blueprint queryset: the blueprint existed on ``day`` (has a history row then)."""
    return Exists(BlueprintHistory.objects.filter(blueprint=OuterRef("pk"), day__lte=day))


def history_list(*, blueprint: Blueprint) -> QuerySet:
    """A blueprint's typed history, oldest first."""
    return (
        BlueprintHistory.objects.filter(blueprint=blueprint)
        .select_related("series", "target_milestone", "squad", "assignee")
        .order_by("day", "id")
    )


AS_OF_FIELDS = ("priority", "definition_status", "implementation_status")
AS_OF_RELATIONS = ("series", "target_milestone", "squad", "assignee")


def blueprints_as_of(blueprints: list[Blueprint], *, day: date) -> list[Blueprint]:
    """``blueprints`` (instances already read) shown as they stood on ``day``: their planning
    fields and work-item counts replaced by their history row of that day (one query). Not
    to be saved: a display copy."""
    rows = {
        row.blueprint_id: row
        for row in history_on(day=day)
        .filter(blueprint_id__in=[bp.pk for bp in blueprints])
        .select_related(*AS_OF_RELATIONS)
    }
    for bp in blueprints:
        row = rows.get(bp.pk)
        if row is None:
            continue
        for name in AS_OF_FIELDS:
            setattr(bp, name, getattr(row, name))
        for name in AS_OF_RELATIONS:
            setattr(bp, name, getattr(row, name))
        bp.work_items_total = row.work_items_total
        bp.work_items_done = row.work_items_done
        bp.work_items_postponed = row.work_items_postponed
        if bp.date_completed and bp.date_completed.date() > day:
            bp.date_completed = None
        if bp.date_started and bp.date_started.date() > day:
            bp.date_started = None
    return blueprints


def feature_freeze_date(*, series: Series) -> date | None:
    """The day of the series' feature freeze (``releases.selectors.feature_freeze``)."""
    event = release_selectors.feature_freeze(series=series)
    return event.date if event else None


def rc1_date(*, series: Series) -> date | None:
    event = release_selectors.rc1(series=series)
    return event.date if event else None


def milestone_resolve(*, series: Series, value: str) -> Event | None:
    """An event of ``series`` by its key (``o-2``) or its kind (``milestone-2``: the series'
    first event of that kind, as everywhere)."""
    by_key = Event.objects.filter(series=series, key=value).first()
    if by_key is not None:
        return by_key
    return release_selectors.event_of_kinds(series=series, kinds=(value,))


def blueprint_list() -> QuerySet[Blueprint]:
    """Blueprints with everything the API shows, and their work-item counts for progress."""
    return (
        Blueprint.objects.select_related(
            "project",
            "series",
            "target_milestone",
            "squad",
            "goal",
            "assignee",
            "drafter",
            "approver",
        )
        .prefetch_related(
            Prefetch(
                "depends_on",
                queryset=Blueprint.objects.select_related("target_milestone").order_by("name"),
            )
        )
        .annotate(
            work_items_total=_work_item_count(),
            work_items_done=_work_item_count(status=WorkItemStatus.DONE),
            work_items_postponed=_work_item_count(status=WorkItemStatus.POSTPONED),
        )
        .order_by("series__position", "name", "id")
    )


def _work_item_count(**filters: str) -> Coalesce:
    """A blueprint's work items counted in a correlated subquery, not a JOIN + GROUP BY.

    With a join, a page of 50 or 100 blueprints still grouped every work item of every matching
    blueprint (40,000 at 10,000 blueprints) before the LIMIT; a subquery runs for the rows on
    the page only, through the work items' blueprint index.
    """
    rows = (
        WorkItem.objects.filter(blueprint=OuterRef("pk"), **filters)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def blueprint_edges(*, project: Project) -> dict[int, set[int]]:
    """The project's dependency graph: blueprint id → ids it depends on."""
    from blueprints.models import BlueprintDependency

    edges: dict[int, set[int]] = {}
    links = BlueprintDependency.objects.filter(blueprint__project=project).values_list(
        "blueprint_id", "depends_on_id"
    )
    for source, target in links:
        edges.setdefault(source, set()).add(target)
    return edges


def work_item_list() -> QuerySet[WorkItem]:
    return WorkItem.objects.select_related(
        "blueprint", "blueprint__project", "blueprint__squad", "assignee"
    ).order_by("blueprint__name", "blueprint_id", "order", "id")


def ffe_list() -> QuerySet[FeatureFreezeException]:
    return FeatureFreezeException.objects.select_related(
        "blueprint",
        "blueprint__project",
        "blueprint__series",
        "blueprint__squad",
        "requested_by",
        "decided_by",
    ).order_by("-requested_on", "-id")


def ffes_on(ffes: QuerySet[FeatureFreezeException], *, day: date) -> QuerySet:
    """``ffes`` as they stood on ``day``: only those requested by then, each annotated with
    ``status_on`` (Requested until decided, Granted until merged or expired)."""
    from django.db.models import Case, CharField, Value, When

    return ffes.filter(requested_on__lte=day).annotate(
        status_on=Case(
            When(closed_on__lte=day, then=F("status")),
            When(decided_on__lte=day, status__in=GRANTED_FFE_STATUSES, then=Value("Granted")),
            When(decided_on__lte=day, then=F("status")),
            default=Value("Requested"),
            output_field=CharField(),
        )
    )


def ffe_policy_list() -> QuerySet[FFEPolicy]:
    """Policies with ``granted_count``: FFEs granted so far in their series (see the cap)."""
    granted = (
        FeatureFreezeException.objects.filter(
            blueprint__project=OuterRef("project"),
            blueprint__series=OuterRef("series"),
            status__in=GRANTED_FFE_STATUSES,
        )
        .order_by()
        .values("blueprint__project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        FFEPolicy.objects.select_related("project", "series")
        .annotate(granted_count=Coalesce(Subquery(granted), 0))
        .order_by("series__position", "project__name", "id")
    )


def ffe_policy_get(*, project: Project, series: Series) -> FFEPolicy | None:
    return FFEPolicy.objects.filter(project=project, series=series).first()


def ffe_granted_count(*, project: Project, series: Series) -> int:
    """FFEs granted in a series, whatever became of them (merged or expired count too)."""
    return FeatureFreezeException.objects.filter(
        blueprint__project=project, blueprint__series=series, status__in=GRANTED_FFE_STATUSES
    ).count()


def blueprint_history(*, blueprint: Blueprint) -> QuerySet[AuditEntry]:
    """The audit trail of a blueprint, its work items and its FFEs, oldest first."""
    types = ContentType.objects.get_for_models(Blueprint, WorkItem, FeatureFreezeException)
    return (
        AuditEntry.objects.filter(
            Q(content_type=types[Blueprint], object_id=blueprint.pk)
            | Q(
                content_type=types[WorkItem],
                object_id__in=WorkItem.objects.filter(blueprint=blueprint).values("pk"),
            )
            | Q(
                content_type=types[FeatureFreezeException],
                object_id__in=FeatureFreezeException.objects.filter(blueprint=blueprint).values(
                    "pk"
                ),
            )
        )
        .select_related("actor", "content_type")
        .order_by("at", "id")
    )


def ffe_request_facts(
    *,
    blueprint: Blueprint,
    today: date,
    ffes: list[FeatureFreezeException] | None = None,
) -> ffe_rules.RequestFacts:
    """What ``blueprints.ffe_rules`` needs to know of ``blueprint`` on ``today`` (``ffes``: its
    FFEs when the caller has them already)."""
    series = blueprint.series
    policy = ffe_policy_get(project=blueprint.project, series=series)
    kinds = (*FEATURE_FREEZE_KINDS, EventKind.RC1)
    events = list(Event.objects.filter(series=series, team="", kind__in=kinds))
    freeze = first_of_kinds(events, FEATURE_FREEZE_KINDS)
    rc1 = first_of_kinds(events, (EventKind.RC1,))
    if ffes is None:
        has_open = blueprint.ffes.filter(status__in=OPEN_FFE_STATUSES).exists()
    else:
        has_open = any(f.status in OPEN_FFE_STATUSES for f in ffes)
    return ffe_rules.RequestFacts(
        today=today,
        series=series.name,
        freeze=freeze.date if freeze else None,
        rc1=rc1.date if rc1 else None,
        cutoff=policy.request_cutoff if policy else None,
        complete=blueprint.is_complete,
        has_open_request=has_open,
    )


# --- Gerrit reviews -------------------------------------------------------------------------------
def review_list() -> QuerySet[Review]:
    """Reviews, most recently updated first."""
    return Review.objects.order_by("-updated", "-number")


def with_reviews(blueprints: QuerySet[Blueprint]) -> QuerySet[Blueprint]:
    """``blueprints`` with their reviews prefetched: one query more, whatever their number."""
    return blueprints.prefetch_related(Prefetch("reviews", queryset=review_list()))


def squad_review_counts(*, series: Series | None) -> dict[str, Coalesce]:
    """Annotations for a squad queryset: ``reviews_open`` and ``reviews_merged``, the distinct
    reviews behind the squad's blueprints of ``series`` (correlated subqueries: no query of
    their own)."""

    def count(status: str) -> Coalesce:
        rows = (
            Review.objects.filter(
                status=status,
                links__blueprint__squad=OuterRef("pk"),
                links__blueprint__series=series,
            )
            .order_by()
            .annotate(n=Func(F("pk"), function="COUNT", template="COUNT(DISTINCT %(expressions)s)"))
            .values("n")[:1]
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    return {"reviews_open": count(ReviewStatus.NEW), "reviews_merged": count(ReviewStatus.MERGED)}


def _review_count(status: str) -> Coalesce:
    rows = (
        ReviewLink.objects.filter(blueprint=OuterRef("pk"), review__status=status)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_review_counts(blueprints: QuerySet[Blueprint]) -> QuerySet[Blueprint]:
    """Each blueprint with ``reviews_open`` and ``reviews_merged`` (subqueries: no extra
    query, whatever the number of blueprints)."""
    return blueprints.annotate(
        reviews_open=_review_count(ReviewStatus.NEW),
        reviews_merged=_review_count(ReviewStatus.MERGED),
    )


def reviews_on(day: date | None, prefix: str = "") -> dict[str, Q]:
    """The conditions "open", "merged" and "abandoned" on a review (reached by ``prefix``) as
    it stood at the end of ``day`` (None: now), as the forecast reads them
    (``forecast.reviews_as_of``): merged at ``submitted`` (else ``updated``), abandoned at
    ``updated``, open from ``created`` until either. A review uploaded later is none of them."""
    if day is None:
        return {
            "open": Q(**{f"{prefix}status": ReviewStatus.NEW}),
            "merged": Q(**{f"{prefix}status": ReviewStatus.MERGED}),
            "abandoned": Q(**{f"{prefix}status": ReviewStatus.ABANDONED}),
        }
    until = datetime.combine(day, time.max, tzinfo=UTC)
    merged = Q(**{f"{prefix}status": ReviewStatus.MERGED}) & (
        Q(**{f"{prefix}submitted__lte": until})
        | Q(**{f"{prefix}submitted__isnull": True, f"{prefix}updated__lte": until})
    )
    abandoned = Q(**{f"{prefix}status": ReviewStatus.ABANDONED, f"{prefix}updated__lte": until})
    return {
        "open": Q(**{f"{prefix}created__lte": until}) & ~merged & ~abandoned,
        "merged": merged,
        "abandoned": abandoned,
    }


def review_counts(*, blueprints: QuerySet[Blueprint], as_of: date | None = None) -> dict[str, int]:
    """Reviews behind ``blueprints`` by status at the end of ``as_of`` (None: now), each
    review counted once (a change implementing two of them is one review): ``{"open",
    "merged", "abandoned", "total"}``. One query."""
    counts = Review.objects.filter(
        links__blueprint__in=blueprints.order_by().values("pk")
    ).aggregate(
        **{
            name: Count("pk", filter=condition, distinct=True)
            for name, condition in reviews_on(as_of).items()
        }
    )
    counts["total"] = sum(counts.values())
    return counts


def review_counts_by(
    rows: QuerySet, *, group: str, reviews: str, as_of: date | None = None
) -> dict[object, dict[str, int]]:
    """``review_counts`` per value of ``rows``' field ``group``, ``reviews`` the path from a row
    to its reviews; one query. A review behind rows of two groups counts in both."""
    counts = (
        rows.filter(**{f"{reviews}__isnull": False})  # an inner join: from the few reviews
        .order_by()
        .values(group)
        .annotate(
            **{
                name: Count(reviews, filter=condition, distinct=True)
                for name, condition in reviews_on(as_of, prefix=f"{reviews}__").items()
            }
        )
    )
    result: dict[object, dict[str, int]] = {}
    for row in counts:
        found = {name: row[name] for name in ("open", "merged", "abandoned")}
        result[row[group]] = found | {"total": sum(found.values())}
    return result


def review_counts_by_squad(*, blueprints: QuerySet[Blueprint]) -> dict[int | None, dict[str, int]]:
    """``review_counts`` per squad id of ``blueprints`` now (None: no squad); one query."""
    links = ReviewLink.objects.filter(blueprint__in=blueprints.order_by().values("pk"))
    return review_counts_by(links, group="blueprint__squad_id", reviews="review")
