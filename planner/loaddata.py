"""A generated planning data set for scale checks (pages, API, benchmarks).

Bulk-created on purpose: this is test and benchmark data, not user work, so it bypasses the
per-row services (and their audit rows are written in bulk too, for the burn-up chart).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from blueprints import forecast_days
from blueprints.models import (
    Blueprint,
    BlueprintDependency,
    BlueprintHistory,
    FeatureFreezeException,
    FFEStatus,
    ImplementationStatus,
    Priority,
    WorkItem,
    WorkItemStatus,
    history_deltas,
)
from core.models import AuditEntry
from releases import selectors as release_selectors
from releases.kinds import MILESTONES
from releases.models import Series
from squads.models import Membership, Project, Squad, SquadRole


@dataclass(frozen=True)
class LoadData:
    project: Project
    squads: int
    blueprints: int
    work_items: int


@transaction.atomic
def generate_load_data(
    *,
    series: Series,
    project_name: str = "loadtest",
    squads: int = 50,
    blueprints: int = 10_000,
    work_items_per_blueprint: int = 4,
    seed: int = 2017,
) -> LoadData:
    """Create a project with ``squads`` squads and ``blueprints`` blueprints in ``series``.

    Statuses, priorities, assignees, milestones, dependencies and FFEs are drawn from a seeded
    generator, so the same arguments give the same data set.
    """
    rng = random.Random(seed)
    User = get_user_model()
    group, _ = Group.objects.get_or_create(name=f"{project_name}-ptl")
    project, _ = Project.objects.get_or_create(
        name=project_name, defaults={"title": project_name.title(), "ptl_group": group}
    )
    milestones = [
        m for n in MILESTONES if (m := release_selectors.milestone(series=series, number=n))
    ]
    freeze = release_selectors.feature_freeze(series=series)
    start = series.start_week or timezone.localdate()

    existing_users = set(
        User.objects.filter(username__startswith=f"{project_name}-").values_list(
            "username", flat=True
        )
    )
    people = [f"{project_name}-dev{i}" for i in range(max(squads * 3, 10))]
    User.objects.bulk_create([User(username=name) for name in people if name not in existing_users])
    users = list(User.objects.filter(username__in=people).order_by("username"))

    first_squad = Squad.objects.filter(project=project).count()
    new_squads = Squad.objects.bulk_create(
        [
            Squad(
                project=project,
                name=f"squad {i}",
                slug=f"{project_name}-squad-{i}",
                area=f"area {i}",
            )
            for i in range(first_squad, first_squad + squads)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(squad=squad, user=users[(i * 3) % len(users)], role=SquadRole.LEAD)
            for i, squad in enumerate(new_squads)
        ]
    )
    statuses = ImplementationStatus.values
    priorities = Priority.values
    offset = Blueprint.objects.filter(project=project).count()
    rows = []
    for i in range(offset, offset + blueprints):
        status = rng.choice(statuses)
        rows.append(
            Blueprint(
                project=project,
                series=series,
                name=f"{project_name}-bp-{i}",
                title=f"Generated blueprint {i}",
                squad=new_squads[i % len(new_squads)] if new_squads else None,
                assignee=rng.choice(users) if rng.random() > 0.1 else None,
                priority=rng.choice(priorities),
                definition_status="Approved",
                implementation_status=status,
                target_milestone=rng.choice(milestones) if milestones else None,
            )
        )
    created = Blueprint.objects.bulk_create(rows, batch_size=1000)
    items = []
    for bp in created:
        for order in range(work_items_per_blueprint):
            items.append(
                WorkItem(
                    blueprint=bp,
                    title=f"step {order}",
                    status=rng.choice(WorkItemStatus.values),
                    order=order,
                    assignee=bp.assignee,
                )
            )
    WorkItem.objects.bulk_create(items, batch_size=2000)
    deps = [
        BlueprintDependency(blueprint=bp, depends_on=created[rng.randrange(0, index)])
        for index, bp in enumerate(created)
        if index and rng.random() < 0.2
    ]
    BlueprintDependency.objects.bulk_create(deps, batch_size=2000, ignore_conflicts=True)
    if freeze is not None:
        FeatureFreezeException.objects.bulk_create(
            [
                FeatureFreezeException(
                    blueprint=bp,
                    requested_by=bp.assignee or users[0],
                    requested_on=freeze.date + timedelta(days=1),
                    rationale="generated",
                    merge_by=freeze.date + timedelta(days=5),
                    **(
                        {
                            "status": FFEStatus.GRANTED,
                            "decided_by": users[0],
                            "decided_on": freeze.date + timedelta(days=2),
                        }
                        if rng.random() < 0.5
                        else {"status": FFEStatus.REQUESTED}
                    ),
                )
                for bp in created
                if bp.implementation_status != ImplementationStatus.IMPLEMENTED
                and rng.random() < 0.02
            ],
            batch_size=1000,
        )
    # History for the burn-up: each blueprint created in the first weeks, some implemented later.
    content_type = ContentType.objects.get_for_model(Blueprint)
    span = max(((series.release_week or start) - start).days, 7)
    audit = []
    for bp in created:
        born = timezone.make_aware(
            datetime.combine(start + timedelta(days=rng.randrange(0, span // 2)), time(12))
        )
        audit.append(
            AuditEntry(
                content_type=content_type,
                object_id=bp.pk,
                object_repr=bp.name,
                action="create",
                field="implementation_status",
                old=None,
                new=ImplementationStatus.NOT_STARTED,
                at=born,
            )
        )
        if bp.implementation_status == ImplementationStatus.IMPLEMENTED:
            audit.append(
                AuditEntry(
                    content_type=content_type,
                    object_id=bp.pk,
                    object_repr=bp.name,
                    action="update",
                    field="implementation_status",
                    old=ImplementationStatus.NOT_STARTED,
                    new=ImplementationStatus.IMPLEMENTED,
                    at=born + timedelta(days=rng.randrange(1, span // 2 + 1)),
                )
            )
    AuditEntry.objects.bulk_create(audit, batch_size=2000)
    _history_rows(created=created, items=items, audit=audit)
    return LoadData(
        project=project, squads=len(new_squads), blueprints=len(created), work_items=len(items)
    )


def _history_rows(*, created: list, items: list, audit: list) -> None:
    """The typed history the generated audit rows describe: created Not started with its work
    items open, then (on the day of its last audited change) its current state."""
    counts: dict[int, dict[str, int]] = {}
    for item in items:
        c = counts.setdefault(
            item.blueprint_id, {"total": 0, "DONE": 0, "BLOCKED": 0, "POSTPONED": 0}
        )
        c["total"] += 1
        if item.status in c:
            c[item.status] += 1
    days: dict[int, list] = {}
    for entry in audit:
        days.setdefault(entry.object_id, []).append(entry.at.date())
    rows = []
    for bp in created:
        c = counts.get(bp.pk, {"total": 0, "DONE": 0, "BLOCKED": 0, "POSTPONED": 0})
        common = {
            "blueprint": bp,
            "series_id": bp.series_id,
            "target_milestone_id": bp.target_milestone_id,
            "squad_id": bp.squad_id,
            "assignee_id": bp.assignee_id,
            "priority": bp.priority,
            "definition_status": bp.definition_status,
            "work_items_total": c["total"],
        }
        born, *later = sorted(days[bp.pk])
        rows.append(
            BlueprintHistory(
                day=born,
                implementation_status="Not started",
                **history_deltas(previous_status=None, status="Not started"),
                **common,
            )
        )
        rows.append(
            BlueprintHistory(
                day=later[-1] if later else born + timedelta(days=7),
                implementation_status=bp.implementation_status,
                **history_deltas(previous_status="Not started", status=bp.implementation_status),
                work_items_done=c["DONE"],
                work_items_blocked=c["BLOCKED"],
                work_items_postponed=c["POSTPONED"],
                **common,
            )
        )
    BlueprintHistory.objects.bulk_create(rows, batch_size=2000)
    # Bulk writes send no signals: days already summarised are recomputed on their next read.
    forecast_days.invalidate_all()
