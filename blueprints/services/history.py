"""The typed history of blueprints' planning fields, written by the other services."""

from __future__ import annotations

from django.db.models import Count, Q

from blueprints.models import Blueprint, BlueprintHistory, WorkItemStatus
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
    return BlueprintHistory.objects.create(
        blueprint=blueprint,
        day=clock.today(),
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
    )
