"""Each blueprint's forecast and attention flags on a day, kept as rows the dashboard counts.

The dashboard of a cycle on day D counts blueprints by squad, status and forecast level, and
ranks the riskiest ones. Forecasting every blueprint on every view is linear in the blueprints
(about two seconds at 10,000), so the answers are kept as :class:`BlueprintDay` rows, one per
blueprint and day, computed by the same functions every page uses (``risk_list``, the
attention rules below): the dashboard reads them with ``GROUP BY`` and ``ORDER BY … LIMIT``.

How they stay current:

* :func:`refresh` makes a series' rows of a day current before they are read. The first read
  of a (series, day) computes every blueprint of it (linear, once; ``ForecastDay`` records
  that it was done); after that only the *dirty* rows are recomputed. Any day may be asked
  for (``?as_of=``), so only the ``FORECAST_DAYS_KEPT`` days computed last (60) keep rows
  per series, besides today's.
* Every write that can change an answer marks the rows it touches dirty, in its own
  transaction (``blueprints.receivers``): a history row (the blueprint's rows from its day on,
  and those of the blueprints waiting for it), a dependency, an FFE, a review or its link, a
  blueprint's own fields, a schedule change (every row of the series). A blueprint created on
  a day some (series, day) already has rows for gets a dirty placeholder there.
* Dirty is a token, not a flag: a recompute clears only the token it read, so a write landing
  while a row is recomputed leaves it dirty for the next read.

Bulk loads (``planner.loaddata``) call :func:`invalidate_all`.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, Q, QuerySet, Value, When

from blueprints import rules
from blueprints.forecast_selectors import risk_list, unfinished_dependencies_on
from blueprints.models import (
    Blueprint,
    BlueprintDay,
    BlueprintDependency,
    ForecastDay,
    ImplementationStatus,
    Priority,
)
from blueprints.selectors import complete_q, history_on
from core import clock
from releases.models import Series

COMPLETE = complete_q()
NOT_STARTED = Q(implementation_status__in=rules.NOT_STARTED_STATUSES)
HIGH_PRIORITIES = (Priority.HIGH, Priority.ESSENTIAL)
# Essential first: the order the attention list shows.
PRIORITY_RANK = {p: i for i, p in enumerate(reversed(Priority.values))}

ATTENTION_REASONS = {
    "flagged": "the forecast flags it",
    "overdue": "targeted at a milestone already past",
    "blocked": "blocked",
    "waiting": "depends on unfinished work",
    "unassigned": "no assignee",
    "high_not_started": "high priority, not started",
}
NEEDS_ATTENTION = (
    Q(flagged=True)
    | Q(overdue=True)
    | Q(blocked=True)
    | Q(waiting=True)
    | Q(unassigned=True)
    | Q(high_not_started=True)
)
COMPUTED_FIELDS = (
    "series",
    "project",
    "squad",
    "assignee",
    "target_milestone",
    "name",
    "priority",
    "definition_status",
    "implementation_status",
    "target_date",
    "level",
    "score",
    "flagged",
    "has_freeze_problems",
    "overdue",
    "blocked",
    "waiting",
    "unassigned",
    "high_not_started",
    "priority_rank",
)
WRITE_BATCH = 500


def attention_flags(*, as_of: date) -> dict[str, Q]:
    """Why a blueprint needs the PTL's attention on ``as_of`` (besides the forecast flagging
    it), each as a condition on its history row of that day."""
    return {
        "overdue": Q(target_milestone__date__lt=as_of) & ~COMPLETE,
        "blocked": Q(implementation_status=ImplementationStatus.BLOCKED),
        "waiting": Q(Exists(unfinished_dependencies_on(as_of, outer="blueprint"))) & ~COMPLETE,
        "unassigned": Q(assignee__isnull=True) & ~COMPLETE,
        "high_not_started": Q(priority__in=HIGH_PRIORITIES) & NOT_STARTED & ~COMPLETE,
    }


def _token() -> int:
    return secrets.randbits(62) + 1


def compute(*, blueprints: QuerySet[Blueprint], day: date) -> dict[int, BlueprintDay]:
    """The rows of ``blueprints`` on ``day`` (unsaved), by blueprint id: two queries whatever
    their number. Blueprints that did not exist yet on ``day`` have none."""
    flags = attention_flags(as_of=day)
    states = (
        history_on(day=day, blueprints=blueprints)
        .annotate(
            **{
                name: Case(When(condition, then=Value(True)), default=Value(False))
                for name, condition in flags.items()
            }
        )
        .values(
            "blueprint_id",
            "blueprint__name",
            "blueprint__project_id",
            "series_id",
            "squad_id",
            "assignee_id",
            "target_milestone_id",
            "priority",
            "definition_status",
            "implementation_status",
            "target_milestone__date",
            *flags,
        )
    )
    risks = {r.blueprint.pk: r for r in risk_list(blueprints=blueprints.order_by(), as_of=day)}
    rows: dict[int, BlueprintDay] = {}
    for state in states:
        risk = risks.get(state["blueprint_id"])
        if risk is None:
            continue
        rows[state["blueprint_id"]] = BlueprintDay(
            blueprint_id=state["blueprint_id"],
            day=day,
            series_id=state["series_id"],
            project_id=state["blueprint__project_id"],
            squad_id=state["squad_id"],
            assignee_id=state["assignee_id"],
            target_milestone_id=state["target_milestone_id"],
            name=state["blueprint__name"],
            priority=state["priority"],
            definition_status=state["definition_status"],
            implementation_status=state["implementation_status"],
            target_date=state["target_milestone__date"],
            level=risk.forecast.level,
            score=risk.forecast.score,
            flagged=risk.forecast.flagged,
            has_freeze_problems=bool(risk.problems),
            priority_rank=PRIORITY_RANK.get(state["priority"], 99),
            **{name: bool(state[name]) for name in flags},
        )
    return rows


def refresh(*, series: Series, day: date) -> None:
    """Make the rows of ``series`` on ``day`` current: all of them the first time that day is
    asked for, afterwards the dirty ones (of every series: a blueprint that moved between
    series is counted where it now is)."""
    if not ForecastDay.objects.filter(series=series, day=day).exists():
        _materialise(series=series, day=day)
    dirty_rows = BlueprintDay.objects.filter(day=day).exclude(dirty=0)
    dirty = list(dirty_rows.values_list("pk", "blueprint_id", "dirty"))
    if not dirty:
        return
    # A subquery, not a list of ids: after a schedule change every row of the series is dirty.
    fresh = compute(
        blueprints=Blueprint.objects.filter(pk__in=dirty_rows.values("blueprint_id")), day=day
    )
    gone = [(pk, token) for pk, b, token in dirty if b not in fresh]
    for start in range(0, len(gone), WRITE_BATCH):
        BlueprintDay.objects.filter(_matching(gone[start : start + WRITE_BATCH])).delete()
    _write_back([(pk, token, fresh[b]) for pk, b, token in dirty if b in fresh])


def _materialise(*, series: Series, day: date) -> None:
    _evict(series=series, keep=getattr(settings, "FORECAST_DAYS_KEPT", 60) - 1)
    # The marker first: a write from now on dirties (or adds) its rows instead of missing them.
    ForecastDay.objects.bulk_create([ForecastDay(series=series, day=day)], ignore_conflicts=True)
    present = history_on(day=day).filter(series=series).values("blueprint_id")
    rows = compute(blueprints=Blueprint.objects.filter(pk__in=present), day=day)
    with transaction.atomic():
        # Rows already there (a placeholder a write added, another reader's) are kept: the
        # dirty ones are recomputed right after.
        BlueprintDay.objects.bulk_create(rows.values(), batch_size=1000, ignore_conflicts=True)


def _evict(*, series: Series, keep: int) -> None:
    """Drop the rows of the series' days computed longest ago beyond the newest ``keep``
    (any day may be asked for: what is stored stays bounded). Today's are kept."""
    old = (
        ForecastDay.objects.filter(series=series)
        .exclude(day=clock.today())
        .order_by("-computed_at", "-pk")
        .values_list("day", flat=True)[max(keep, 0) :]
    )
    days = list(old)
    if days:
        BlueprintDay.objects.filter(series=series, day__in=days).delete()
        ForecastDay.objects.filter(series=series, day__in=days).delete()


def _matching(rows: Iterable[tuple[int, int]]) -> Q:
    condition = Q(pk__in=[])
    for pk, token in rows:
        condition |= Q(pk=pk, dirty=token)
    return condition


def _write_back(rows: list[tuple[int, int, BlueprintDay]]) -> None:
    """Store recomputed rows in place, each only if its token is still the one read: one
    prepared UPDATE run for every row (``executemany``), in one transaction. In place, so a
    write dirtying a row meanwhile is never lost (a replaced row could escape its UPDATE)."""
    fields = [BlueprintDay._meta.get_field(name) for name in COMPUTED_FIELDS]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(BlueprintDay._meta.db_table)} SET {assignments}, {quote('dirty')} = 0 "
        f"WHERE {quote('id')} = %s AND {quote('dirty')} = %s"
    )
    params = [
        [*(f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields), pk, token]
        for pk, token, row in rows
    ]
    if not params:
        return
    # In one transaction: SQLite would otherwise commit each row.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, params)


def rows_on(*, series: Series, day: date, project_id: int | None = None) -> QuerySet[BlueprintDay]:
    """The current rows of ``series`` on ``day`` (refreshed first), of one project or all."""
    refresh(series=series, day=day)
    rows = BlueprintDay.objects.filter(series=series, day=day)
    if project_id is not None:
        rows = rows.filter(project_id=project_id)
    return rows


# Invalidation: called by the receivers inside the writing transaction.


def invalidate_history(*, blueprint: Blueprint, series_id: int, day: date) -> None:
    """``blueprint`` has a new history row on ``day`` in ``series_id``: its rows from that day
    on, and those of the blueprints depending on it, are dirty; a (series, day) with rows and
    no row for it (a new blueprint, or one moved in) gets a dirty placeholder."""
    token = _token()
    # One statement for the rows already there (its own and the waiting blueprints'), first:
    # the upsert below then meets only rows this transaction holds, or new ones.
    waiting = BlueprintDependency.objects.filter(depends_on=blueprint).values("blueprint_id")
    BlueprintDay.objects.filter(
        Q(blueprint=blueprint) | Q(blueprint__in=waiting), day__gte=day
    ).update(dirty=token)
    days = ForecastDay.objects.filter(series_id=series_id, day__gte=day).values_list(
        "day", flat=True
    )
    placeholders = [
        BlueprintDay(
            blueprint_id=blueprint.pk,
            day=d,
            series_id=series_id,
            project_id=blueprint.project_id,
            dirty=token,
        )
        for d in days
    ]
    if placeholders:
        BlueprintDay.objects.bulk_create(
            placeholders,
            update_conflicts=True,
            unique_fields=["blueprint", "day"],
            update_fields=["dirty"],
        )


def invalidate_blueprints(blueprint_ids: Iterable[int]) -> None:
    """Every row of these blueprints is dirty (what changed is not dated: a dependency, an
    FFE, a review, the blueprint's own fields)."""
    ids = list(blueprint_ids)
    if ids:
        BlueprintDay.objects.filter(blueprint_id__in=ids).update(dirty=_token())


def invalidate_series(series_ids: Iterable[int] | QuerySet) -> None:
    """Every row of these series (ids, or a ``values("series_id")`` queryset) is dirty: their
    schedule moved (deadlines, the freeze)."""
    ids = series_ids if isinstance(series_ids, QuerySet) else list(series_ids)
    BlueprintDay.objects.filter(series_id__in=ids).update(dirty=_token())


def invalidate_all() -> None:
    """Every row is dirty and every day is computed again on its next read, blueprints it
    lacks included (after a bulk load, which sends no signals)."""
    BlueprintDay.objects.update(dirty=_token())
    ForecastDay.objects.all().delete()
