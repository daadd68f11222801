"""Writes to work items: a blueprint's lead and the PTL edit them, the assignee their own."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from blueprints.models import Blueprint, WorkItem, WorkItemStatus
from blueprints.services.history import history_record
from core.actors import Actor
from core.audit import audit_record, save_audited
from core.changes import apply_changes, value_differs
from core.concurrency import lock_and_check
from squads import permissions as perms

ASSIGNEE_EDITABLE = {"title", "status"}
WORK_ITEM_FIELDS = {"title", "status", "assignee", "milestone", "order"}


@transaction.atomic
def work_item_create(
    *,
    blueprint: Blueprint,
    actor: Actor,
    title: str,
    assignee: AbstractBaseUser | None = None,
    status: str = WorkItemStatus.TODO,
    milestone: str = "",
    order: int | None = None,
) -> WorkItem:
    """Add a work item to a blueprint (its squad's lead or the PTL)."""
    perms.check(
        actor,
        perms.can_edit_blueprint(actor, blueprint),
        "Only the PTL, or the lead of the blueprint's squad, adds work items.",
    )
    if order is None:
        last = blueprint.work_items.order_by("-order").values_list("order", flat=True).first()
        order = 0 if last is None else last + 1
    item = WorkItem(
        blueprint=blueprint,
        title=title,
        assignee=assignee,
        status=status,
        milestone=milestone,
        order=order,
    )
    save_audited(
        item,
        actor=actor,
        action="create",
        changes={
            k: (None, v)
            for k, v in {
                "title": title,
                "status": status,
                "assignee": assignee,
                "milestone": milestone,
            }.items()
            if v not in (None, "")
        },
    )
    history_record(blueprint=blueprint)
    return item


@transaction.atomic
def work_item_update(
    *,
    work_item: WorkItem,
    actor: Actor,
    expected: Mapping[str, str] | None = None,
    **changes: Any,
) -> WorkItem:
    """Edit a work item. Its squad's lead and the PTL change anything; the contributor it is
    assigned to may change its title and status, not hand it to someone else. ``expected``
    as in ``blueprint_update``."""
    perms.check(
        actor,
        perms.can_edit_work_item(actor, work_item),
        "Only the PTL, the squad's lead or the item's assignee edits this work item.",
    )
    unknown = set(changes) - WORK_ITEM_FIELDS
    if unknown:
        raise TypeError(f"work_item_update() cannot change {sorted(unknown)}")
    work_item = lock_and_check(work_item, expected)
    if actor is not None and not perms.can_edit_blueprint(actor, work_item.blueprint):
        beyond = sorted(
            field
            for field in set(changes) - ASSIGNEE_EDITABLE
            if value_differs(work_item, field, changes[field])
        )
        perms.require(
            not beyond, f"As the assignee you may change the title and status only, not {beyond}."
        )
    diff = apply_changes(work_item, changes)
    if diff:
        save_audited(work_item, actor=actor, action="update", changes=diff)
    if "status" in diff:
        history_record(blueprint=work_item.blueprint)
    return work_item


@transaction.atomic
def work_item_delete(*, work_item: WorkItem, actor: Actor) -> None:
    """Remove a work item (its squad's lead or the PTL); the blueprint's history keeps it."""
    perms.check(
        actor,
        perms.can_edit_blueprint(actor, work_item.blueprint),
        "Only the PTL, or the lead of the blueprint's squad, removes work items.",
    )
    audit_record(
        actor=actor,
        obj=work_item.blueprint,
        action="update",
        changes={"work_items": ([work_item.title], [])},
    )
    audit_record(
        actor=actor, obj=work_item, action="delete", changes={"title": (work_item.title, None)}
    )
    blueprint = work_item.blueprint
    work_item.delete()
    history_record(blueprint=blueprint)
