"""The Launchpad import: parsed Launchpad blueprints (``blueprints.launchpad``) written through
the blueprint and work-item services, in one transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from blueprints import launchpad
from blueprints.models import Blueprint
from blueprints.services import (
    blueprint_create,
    blueprint_update,
    work_item_create,
    work_item_delete,
    work_item_update,
)
from core.actors import Actor
from core.changes import value_differs
from releases.kinds import first_of_kinds
from releases.models import Event, Series
from squads.models import Project

User = get_user_model()


@dataclass
class LaunchpadImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    work_items_created: int = 0
    work_items_updated: int = 0
    work_items_deleted: int = 0
    users_created: int = 0

    def summary(self) -> str:
        return ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in asdict(self).items())


class LaunchpadImportError(ValidationError):
    """Entries whose values cannot be mapped onto the planner (reported, not guessed)."""

    def __init__(self, problems: list[launchpad.Problem]) -> None:
        self.problems = problems
        super().__init__([str(p) for p in problems])


def _resolve_milestones(
    *, series: Series, entries: list[launchpad.ParsedBlueprint]
) -> tuple[dict[str, Event], list[launchpad.Problem]]:
    cross_project = list(Event.objects.filter(series=series, team=""))
    # The series' event of each kind: its first (releases.kinds.first_of_kinds).
    events = {
        kind: event
        for kind in {e.kind for e in cross_project}
        if (event := first_of_kinds(cross_project, (kind,)))
    }
    resolved: dict[str, Event] = {}
    problems = []
    for entry in entries:
        if entry.milestone is None or entry.milestone in resolved:
            continue
        kind = launchpad.milestone_kind(entry.milestone, series=series.name)
        if kind is None:
            problems.append(
                launchpad.Problem(
                    entry.index,
                    entry.name,
                    "milestone_link",
                    f"milestone {entry.milestone!r} is not a known milestone of {series.name}",
                )
            )
        elif kind not in events:
            problems.append(
                launchpad.Problem(
                    entry.index,
                    entry.name,
                    "milestone_link",
                    f"series {series.name} has no {kind} event in its schedule",
                )
            )
        else:
            resolved[entry.milestone] = events[kind]
    return resolved, problems


@transaction.atomic
def launchpad_import(
    *,
    project: Project,
    series: Series,
    entries: list[launchpad.ParsedBlueprint],
    actor: Actor = None,
) -> LaunchpadImportCounts:
    """Upsert parsed Launchpad blueprints of ``project`` into ``series``, in one transaction.

    Launchpad is the source of truth for what it holds (statuses, people, dates, work
    items); the planner's own fields (squad, goal, dependencies) are kept. Milestones map by
    kind (``ocata-2`` → the series' milestone-2 event); an unknown one fails the whole import.
    People are matched by Launchpad name to usernames and created (without a usable
    password) when new. Work items are matched by position, so status changes are audited
    as changes. Running the same file twice changes nothing.
    """
    milestones, problems = _resolve_milestones(series=series, entries=entries)
    if problems:
        raise LaunchpadImportError(problems)
    counts = LaunchpadImportCounts()
    people = {n for e in entries for n in e.people}
    users = {u.username: u for u in User.objects.filter(username__in=people)}
    for username in sorted(people - set(users)):
        user = User(username=username)
        user.set_unusable_password()
        user.full_clean()
        user.save()
        users[username] = user
        counts.users_created += 1
    existing = {b.name: b for b in Blueprint.objects.filter(project=project)}
    for entry in entries:
        fields = {
            "title": entry.title,
            "summary": entry.summary,
            "web_link": entry.web_link,
            "priority": entry.priority,
            "definition_status": entry.definition_status,
            "implementation_status": entry.implementation_status,
            "whiteboard": entry.whiteboard,
            "target_milestone": milestones.get(entry.milestone) if entry.milestone else None,
            "assignee": users.get(entry.assignee) if entry.assignee else None,
            "drafter": users.get(entry.drafter) if entry.drafter else None,
            "approver": users.get(entry.approver) if entry.approver else None,
        }
        dates = {
            "date_started": entry.date_started,
            "date_completed": entry.date_completed,
        }
        blueprint = existing.get(entry.name)
        if blueprint is None:
            blueprint = blueprint_create(
                actor=actor,
                project=project,
                series=series,
                name=entry.name,
                lifecycle_dates={**dates, "date_created": entry.date_created},
                **fields,
            )
            counts.created += 1
        else:
            if blueprint.series_id != series.pk:
                fields["series"] = series
            if any(value_differs(blueprint, k, v) for k, v in {**fields, **dates}.items()):
                blueprint_update(blueprint=blueprint, actor=actor, lifecycle_dates=dates, **fields)
                counts.updated += 1
            else:
                counts.unchanged += 1
        _sync_work_items(
            blueprint=blueprint, items=entry.work_items, users=users, actor=actor, counts=counts
        )
    return counts


def _sync_work_items(
    *,
    blueprint: Blueprint,
    items: list[launchpad.ParsedWorkItem],
    users: dict[str, Any],
    actor: Actor,
    counts: LaunchpadImportCounts,
) -> None:
    current = list(blueprint.work_items.order_by("order", "id"))
    for position, item in enumerate(items):
        values = {
            "title": item.title,
            "status": item.status,
            "assignee": users.get(item.assignee) if item.assignee else None,
            "milestone": item.milestone,
            "order": position,
        }
        if position < len(current):
            work_item = current[position]
            if any(value_differs(work_item, k, v) for k, v in values.items()):
                work_item_update(work_item=work_item, actor=actor, **values)
                counts.work_items_updated += 1
        else:
            work_item_create(blueprint=blueprint, actor=actor, **values)
            counts.work_items_created += 1
    for work_item in current[len(items) :]:
        work_item_delete(work_item=work_item, actor=actor)
        counts.work_items_deleted += 1
