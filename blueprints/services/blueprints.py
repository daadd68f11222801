"""Writes to blueprints: create, edit (with Launchpad's lifecycle dates), dependencies.

Each service checks the actor's role (``squads.permissions``), validates (``full_clean``), saves
and writes its audit rows in one transaction. ``actor=None`` is a trusted system process (an
import, the demo loader, a task).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blueprints import rules, selectors, signals
from blueprints.models import Blueprint, BlueprintDependency
from blueprints.services.history import HISTORY_FIELDS, history_record
from core.actors import Actor
from core.audit import audit_record, save_audited
from core.changes import apply_changes
from core.concurrency import lock_and_check
from releases.models import Series
from squads import permissions as perms
from squads.models import Project, Squad

BLUEPRINT_FIELDS = {
    "name",
    "title",
    "summary",
    "spec_url",
    "web_link",
    "series",
    "target_milestone",
    "squad",
    "goal",
    "assignee",
    "drafter",
    "approver",
    "priority",
    "definition_status",
    "implementation_status",
    "whiteboard",
}
LIFECYCLE_DATES = {"date_created", "date_started", "date_completed"}


def _lifecycle_dates(blueprint: Blueprint, now: datetime) -> dict[str, Any]:
    """Dates started/completed after a status change, as Launchpad's
    ``Specification.updateLifecycleStatus`` sets them: stamped when the blueprint becomes
    started/complete, cleared when it stops being so."""
    changes: dict[str, Any] = {}
    if blueprint.is_started and blueprint.date_started is None:
        changes["date_started"] = now
    elif not blueprint.is_started and blueprint.date_started is not None:
        changes["date_started"] = None
    if blueprint.is_complete and blueprint.date_completed is None:
        changes["date_completed"] = now
    elif not blueprint.is_complete and blueprint.date_completed is not None:
        changes["date_completed"] = None
    # A blueprint completed without ever being started (e.g. made Obsolete) keeps no start.
    return changes


@transaction.atomic
def blueprint_create(
    *,
    actor: Actor,
    project: Project,
    series: Series,
    name: str,
    title: str,
    squad: Squad | None = None,
    lifecycle_dates: dict[str, datetime | None] | None = None,
    **fields: Any,
) -> Blueprint:
    """Create a blueprint; the PTL anywhere, a squad lead only in their own squad.

    ``lifecycle_dates`` lets an import keep the source's created/started/completed dates;
    otherwise they are stamped now, following Launchpad's lifecycle rules.
    """
    perms.check(
        actor,
        perms.can_create_blueprint(actor, project, squad),
        "Only the PTL, or the lead of the blueprint's squad, creates blueprints.",
    )
    unknown = set(fields) - BLUEPRINT_FIELDS
    if unknown:
        raise TypeError(f"blueprint_create() got unknown fields {sorted(unknown)}")
    blueprint = Blueprint(
        project=project, series=series, name=name, title=title, squad=squad, **fields
    )
    now = timezone.now()
    if lifecycle_dates is not None:
        unknown = set(lifecycle_dates) - LIFECYCLE_DATES
        if unknown:
            raise TypeError(f"unknown lifecycle dates {sorted(unknown)}")
        for field, value in lifecycle_dates.items():
            if value is not None or field != "date_created":
                setattr(blueprint, field, value)
    else:
        blueprint.date_created = now
        for field, value in _lifecycle_dates(blueprint, now).items():
            setattr(blueprint, field, value)
    values = {"name": name, "title": title, "series": series, "squad": squad, **fields}
    for field in ("priority", "definition_status", "implementation_status"):
        values[field] = getattr(blueprint, field)
    for field in ("date_started", "date_completed"):
        if getattr(blueprint, field) is not None:
            values[field] = getattr(blueprint, field)
    save_audited(
        blueprint,
        actor=actor,
        action="create",
        changes={k: (None, v) for k, v in values.items() if v not in (None, "")},
    )
    history_record(blueprint=blueprint)
    return blueprint


@transaction.atomic
def blueprint_update(
    *,
    blueprint: Blueprint,
    actor: Actor,
    lifecycle_dates: dict[str, datetime | None] | None = None,
    expected: Mapping[str, str] | None = None,
    **changes: Any,
) -> Blueprint:
    """Change a blueprint's fields; its squad's lead or the PTL.

    ``expected`` holds the values the editor saw ({field: value or related key}); if one has
    moved since, the edit is refused with ``StaleEdit`` (optimistic concurrency) and nothing
    is written.

    Moving a blueprint to another squad needs the right to create it there too, so a lead
    cannot hand work to (or take it from) a squad they do not lead. Status changes stamp or
    clear the started/completed dates (Launchpad's lifecycle rules) unless an import gives
    them; each changed field is one audit row (``implementation_status`` rows feed burn-up).
    """
    perms.check(
        actor,
        perms.can_edit_blueprint(actor, blueprint),
        "Only the PTL, or the lead of the blueprint's squad, edits this blueprint.",
    )
    unknown = set(changes) - BLUEPRINT_FIELDS
    if unknown:
        raise TypeError(f"blueprint_update() cannot change {sorted(unknown)}")
    blueprint = lock_and_check(blueprint, expected)
    if "squad" in changes and (changes["squad"] and changes["squad"].pk) != blueprint.squad_id:
        perms.check(
            actor,
            perms.can_create_blueprint(actor, blueprint.project, changes["squad"]),
            "Only the PTL moves a blueprint to a squad its editor does not lead.",
        )
    diff = apply_changes(blueprint, changes)
    if lifecycle_dates is not None:
        diff.update(apply_changes(blueprint, dict(lifecycle_dates)))
    elif {"implementation_status", "definition_status"} & set(diff):
        diff.update(apply_changes(blueprint, _lifecycle_dates(blueprint, timezone.now())))
    if diff:
        save_audited(blueprint, actor=actor, action="update", changes=diff)
    if HISTORY_FIELDS & set(diff):
        history_record(blueprint=blueprint)
    if "implementation_status" in diff:
        old_status, new_status = diff["implementation_status"]
        signals.send_on_commit(
            signals.blueprint_status_changed,
            sender=Blueprint,
            blueprint_id=blueprint.pk,
            old=old_status,
            new=new_status,
            actor_id=_actor_id(actor),
            at=timezone.now(),
        )
    return blueprint


def _actor_id(actor: Actor) -> int | None:
    return actor.pk if actor is not None and actor.is_authenticated else None


@transaction.atomic
def blueprint_set_dependencies(
    *, blueprint: Blueprint, actor: Actor, depends_on: list[Blueprint]
) -> Blueprint:
    """Replace what ``blueprint`` depends on. Dependencies stay inside one project and may
    not form a cycle (a cycle could never complete); both are refused."""
    perms.check(
        actor,
        perms.can_edit_blueprint(actor, blueprint),
        "Only the PTL, or the lead of the blueprint's squad, edits its dependencies.",
    )
    targets = {b.pk: b for b in depends_on}
    if blueprint.pk in targets:
        raise ValidationError({"depends_on": "A blueprint cannot depend on itself."})
    foreign = sorted(b.name for b in targets.values() if b.project_id != blueprint.project_id)
    if foreign:
        raise ValidationError(
            {"depends_on": f"Dependencies must be in project {blueprint.project}: {foreign}."}
        )
    # Lock the project's dependency rows (PostgreSQL) so two concurrent edits cannot each
    # add half of a cycle.
    list(
        BlueprintDependency.objects.select_for_update()
        .filter(blueprint__project=blueprint.project)
        .values_list("pk", flat=True)
    )
    edges = selectors.blueprint_edges(project=blueprint.project)
    cycle = rules.creates_cycle(edges=edges, node=blueprint.pk, new_targets=targets)
    if cycle:
        names = dict(Blueprint.objects.filter(pk__in=cycle).values_list("pk", "name"))
        path = " → ".join(names[pk] for pk in cycle)
        raise ValidationError({"depends_on": f"Dependency cycle refused: {path}."})
    old = set(edges.get(blueprint.pk, set()))
    new = set(targets)
    if old == new:
        return blueprint
    BlueprintDependency.objects.filter(blueprint=blueprint, depends_on_id__in=old - new).delete()
    for pk in sorted(new - old):
        link = BlueprintDependency(blueprint=blueprint, depends_on=targets[pk])
        link.full_clean()
        link.save()
    old_names = sorted(Blueprint.objects.filter(pk__in=old).values_list("name", flat=True))
    audit_record(
        actor=actor,
        obj=blueprint,
        action="update",
        changes={"depends_on": (old_names, sorted(b.name for b in targets.values()))},
    )
    return blueprint
