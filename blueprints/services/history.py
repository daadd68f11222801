"""The typed history of blueprints' planning fields, written by the other services."""

from __future__ import annotations

from django.db.models import Count, Q

from blueprints.models import Blueprint, BlueprintHistory, WorkItemStatus, history_deltas
from core import clock

HISTORY_FIELDS = {
    "series",
    "target_milestone",
    "squad",
    "assignee",
    "priority",
    "definition_status",
    "implementation_status",
}


def history_record(*, blueprint: Blueprint) -> BlueprintHistory:
    """Append ``blueprint``'s planning fields and work-item counts as they stand now, on the
    server's day (``core.clock.today``). Called inside the writing service's transaction, so
    the history never disagrees with the blueprint."""
    counts = blueprint.work_items.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(status=WorkItemStatus.DONE)),
        blocked=Count("pk", filter=Q(status=WorkItemStatus.BLOCKED)),
        postponed=Count("pk", filter=Q(status=WorkItemStatus.POSTPONED)),
    )
    day = clock.today()
    in_series = BlueprintHistory.objects.filter(blueprint=blueprint, series_id=blueprint.series_id)
    previous = (
        in_series.filter(day__lte=day)
        .order_by("-day", "-id")
        .values_list("implementation_status", flat=True)
        .first()
    )
    row = BlueprintHistory.objects.create(
        blueprint=blueprint,
        day=day,
        series_id=blueprint.series_id,
        target_milestone_id=blueprint.target_milestone_id,
        squad_id=blueprint.squad_id,
        assignee_id=blueprint.assignee_id,
        priority=blueprint.priority,
        definition_status=blueprint.definition_status,
        implementation_status=blueprint.implementation_status,
        work_items_total=counts["total"],
        work_items_done=counts["done"],
        work_items_blocked=counts["blocked"],
        work_items_postponed=counts["postponed"],
        **history_deltas(previous_status=previous, status=blueprint.implementation_status),
    )
    # A day replayed before rows already there (a demo's fixed today): the next row now
    # follows this one.
    following = in_series.filter(day__gt=day).order_by("day", "id").first()
    if following is not None:
        deltas = history_deltas(
            previous_status=row.implementation_status, status=following.implementation_status
        )
        BlueprintHistory.objects.filter(pk=following.pk).update(**deltas)
    return row
