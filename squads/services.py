"""Writes to squads: each one checks the actor's role, validates, saves and audits in one
transaction. ``actor=None`` is a trusted system process (see ``squads.permissions``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from core.actors import Actor
from core.audit import audit_record, save_audited
from core.changes import apply_changes
from releases.models import Series
from squads import permissions as perms
from squads.models import AreaExpert, Membership, Project, Squad, SquadGoal, SquadRole


# --- projects ---------------------------------------------------------------------------------
@transaction.atomic
def project_create(
    *, actor: Actor, name: str, ptl_group: Any, title: str = "", launchpad: str = ""
) -> Project:
    """Projects are set up by an administrator (superuser) or a system process."""
    perms.check(actor, bool(actor and actor.is_superuser), "Only an administrator adds projects.")
    project = Project(name=name, title=title, launchpad=launchpad, ptl_group=ptl_group)
    fields = {"name": name, "title": title, "launchpad": launchpad, "ptl_group": ptl_group}
    save_audited(
        project, actor=actor, action="create", changes={k: (None, v) for k, v in fields.items()}
    )
    return project


@transaction.atomic
def ptl_appoint(*, project: Project, user: AbstractBaseUser, actor: Actor) -> bool:
    """Make ``user`` a PTL of ``project`` (a member of its PTL group), by an administrator or a
    system process; returns False when they already were."""
    perms.check(actor, bool(actor and actor.is_superuser), "Only an administrator names PTLs.")
    if user.groups.filter(pk=project.ptl_group_id).exists():
        return False
    user.groups.add(project.ptl_group)
    audit_record(
        actor=actor,
        obj=project,
        action="ptl-appoint",
        changes={"ptl": (None, user.get_username())},
    )
    return True


# --- squads -----------------------------------------------------------------------------------
SQUAD_FIELDS = {"name", "slug", "area", "mission", "etherpad_url", "docs_url"}


@transaction.atomic
def squad_create(
    *,
    actor: Actor,
    project: Project,
    name: str,
    slug: str,
    area: str,
    mission: str = "",
    etherpad_url: str = "",
    docs_url: str = "",
) -> Squad:
    """Create a squad of ``project`` (the PTL's call)."""
    perms.check(actor, perms.can_manage_squad(actor, project), "Only the PTL creates squads.")
    values = {
        "name": name,
        "slug": slug,
        "area": area,
        "mission": mission,
        "etherpad_url": etherpad_url,
        "docs_url": docs_url,
    }
    squad = Squad(project=project, **values)
    save_audited(
        squad, actor=actor, action="create", changes={k: (None, v) for k, v in values.items()}
    )
    return squad


@transaction.atomic
def squad_update(*, squad: Squad, actor: Actor, **changes: Any) -> Squad:
    """Rename a squad or change its area, mission or links (the PTL's call)."""
    perms.check(actor, perms.can_manage_squad(actor, squad.project), "Only the PTL edits squads.")
    unknown = set(changes) - SQUAD_FIELDS
    if unknown:
        raise TypeError(f"squad_update() cannot change {sorted(unknown)}")
    diff = apply_changes(squad, changes)
    if diff:
        save_audited(squad, actor=actor, action="update", changes=diff)
    return squad


@transaction.atomic
def squad_delete(*, squad: Squad, actor: Actor) -> None:
    perms.check(actor, perms.can_manage_squad(actor, squad.project), "Only the PTL removes squads.")
    audit_record(actor=actor, obj=squad, action="delete", changes={"name": (squad.name, None)})
    squad.delete()


# --- memberships ------------------------------------------------------------------------------
@transaction.atomic
def membership_set(
    *, squad: Squad, user: AbstractBaseUser, actor: Actor, role: str = SquadRole.MEMBER
) -> Membership:
    """Put ``user`` in ``squad`` with ``role`` (create or change the role).

    The PTL names leads; anyone may join as a member (squads policy: "anyone may join or
    leave"; a person may be in several squads).
    """
    perms.check(
        actor,
        perms.can_change_membership(actor, squad, user, role),
        "Only the PTL names squad leads or adds other people to a squad.",
    )
    membership = Membership.objects.filter(squad=squad, user=user).first()
    if membership is None:
        membership = Membership(squad=squad, user=user, role=role)
        save_audited(
            membership,
            actor=actor,
            action="create",
            changes={"squad": (None, squad), "user": (None, user), "role": (None, role)},
        )
    elif membership.role != role:
        # A lead stepping down to member keeps the PTL's say: changing a role needs the
        # permission for both roles.
        perms.check(
            actor,
            perms.can_change_membership(actor, squad, user, membership.role),
            "Only the PTL changes a squad lead's role.",
        )
        diff = apply_changes(membership, {"role": role})
        save_audited(membership, actor=actor, action="update", changes=diff)
    return membership


@transaction.atomic
def membership_delete(*, membership: Membership, actor: Actor) -> None:
    """Leave a squad (a member removing themselves) or be removed by the PTL."""
    perms.check(
        actor,
        perms.can_change_membership(actor, membership.squad, membership.user, membership.role),
        "Only the PTL removes other people or leads from a squad.",
    )
    audit_record(
        actor=actor,
        obj=membership,
        action="delete",
        changes={"user": (membership.user, None), "role": (membership.role, None)},
    )
    membership.delete()


# --- area experts -----------------------------------------------------------------------------
@transaction.atomic
def area_expert_add(
    *, squad: Squad, user: AbstractBaseUser, actor: Actor, topic: str = ""
) -> AreaExpert:
    """Recognise ``user`` as an expert of the squad's area (the PTL's call)."""
    perms.check(
        actor, perms.can_manage_squad(actor, squad.project), "Only the PTL names area experts."
    )
    expert = AreaExpert(squad=squad, user=user, topic=topic)
    save_audited(
        expert,
        actor=actor,
        action="create",
        changes={"squad": (None, squad), "user": (None, user), "topic": (None, topic)},
    )
    return expert


@transaction.atomic
def area_expert_update(*, expert: AreaExpert, actor: Actor, topic: str) -> AreaExpert:
    perms.check(
        actor,
        perms.can_manage_squad(actor, expert.squad.project),
        "Only the PTL edits area experts.",
    )
    diff = apply_changes(expert, {"topic": topic})
    if diff:
        save_audited(expert, actor=actor, action="update", changes=diff)
    return expert


@transaction.atomic
def area_expert_remove(*, expert: AreaExpert, actor: Actor) -> None:
    perms.check(
        actor,
        perms.can_manage_squad(actor, expert.squad.project),
        "Only the PTL removes area experts.",
    )
    audit_record(actor=actor, obj=expert, action="delete", changes={"user": (expert.user, None)})
    expert.delete()


# --- goals ------------------------------------------------------------------------------------
GOAL_FIELDS = {"title", "description", "status", "links", "order"}


@transaction.atomic
def goal_create(
    *,
    squad: Squad,
    series: Series,
    actor: Actor,
    title: str,
    description: str = "",
    status: str = "proposed",
    links: list[str] | None = None,
    order: int | None = None,
) -> SquadGoal:
    """Add a goal of ``squad`` for ``series`` (its lead or the PTL)."""
    perms.check(
        actor, perms.can_edit_goal(actor, squad), "Only the squad's lead or the PTL sets goals."
    )
    if order is None:
        order = SquadGoal.objects.filter(squad=squad, series=series).count()
    goal = SquadGoal(
        squad=squad,
        series=series,
        title=title,
        description=description,
        status=status,
        links=links or [],
        order=order,
    )
    save_audited(
        goal,
        actor=actor,
        action="create",
        changes={"title": (None, title), "status": (None, status), "series": (None, series)},
    )
    return goal


@transaction.atomic
def goal_update(*, goal: SquadGoal, actor: Actor, **changes: Any) -> SquadGoal:
    perms.check(
        actor,
        perms.can_edit_goal(actor, goal.squad),
        "Only the squad's lead or the PTL edits goals.",
    )
    unknown = set(changes) - GOAL_FIELDS
    if unknown:
        raise TypeError(f"goal_update() cannot change {sorted(unknown)}")
    diff = apply_changes(goal, changes)
    if diff:
        save_audited(goal, actor=actor, action="update", changes=diff)
    return goal


@transaction.atomic
def goal_delete(*, goal: SquadGoal, actor: Actor) -> None:
    perms.check(
        actor,
        perms.can_edit_goal(actor, goal.squad),
        "Only the squad's lead or the PTL removes goals.",
    )
    audit_record(actor=actor, obj=goal, action="delete", changes={"title": (goal.title, None)})
    goal.delete()
