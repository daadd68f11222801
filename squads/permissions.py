"""Who may write what: every permission predicate of the planner, in one place.

The services call them with the acting user and raise ``PermissionDenied`` when they say no; the
API (``core.api.RolePermission``) and the pages ask them again to decide what to offer. Roles:
- anonymous: reads everything public, writes nothing;
- contributor (any logged-in user): requests FFEs, edits work items assigned to them, and
  joins or leaves squads as a member (squads policy: "anyone may join or leave");
- squad lead: edits the blueprints, work items and goals of their own squad only;
- PTL (member of the project's ``ptl_group``, or a superuser): edits everything and alone
  decides FFEs and FFE policies; may generate a new cycle's schedule;
- release manager (the ``releases.change_event`` permission): moves cross-project schedule
  events, so applies re-plans (the PTL may preview them).

Services call these with the acting user and raise ``PermissionDenied`` when they say no.
``actor=None`` means a trusted system process (a management command, a Celery task); views
always pass ``request.user`` (possibly anonymous), never None.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.core.exceptions import PermissionDenied

from core.actors import Actor
from squads.models import Project, Squad

User = Actor


# What the predicates read of the objects of apps above this one (blueprints), described by
# shape so that this module needs no import from them.
class BlueprintLike(Protocol):
    project: Project
    squad: Squad | None


class WorkItemLike(Protocol):
    blueprint: BlueprintLike
    assignee_id: int | None


class FFELike(Protocol):
    blueprint: BlueprintLike


def _authenticated(user: User) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def is_ptl(user: User, project: Project) -> bool:
    """PTL role = membership of the project's PTL group (a superuser counts as PTL)."""
    if not _authenticated(user):
        return False
    if user.is_superuser:
        return True
    return user.groups.filter(pk=project.ptl_group_id).exists()


def leads_squad(user: User, squad: Squad | None) -> bool:
    if squad is None or not _authenticated(user):
        return False
    # Asked afresh each time: roles change (leads step down) and a stale answer would
    # grant a write the user no longer has.
    return squad.memberships.filter(user_id=user.pk, role="lead").exists()


# --- squads -----------------------------------------------------------------------------------
def can_manage_squad(user: User, project: Project) -> bool:
    """Squads themselves (create, rename, area experts, leads) are the PTL's."""
    return is_ptl(user, project)


def can_change_membership(user: User, squad: Squad, member: Any, role: str) -> bool:
    """The PTL manages memberships; anyone may join or leave a squad as a plain member
    (squads policy: "anyone may join or leave")."""
    if is_ptl(user, squad.project):
        return True
    return _authenticated(user) and member is not None and member.pk == user.pk and role == "member"


def can_edit_goal(user: User, squad: Squad) -> bool:
    return is_ptl(user, squad.project) or leads_squad(user, squad)


# --- blueprints -------------------------------------------------------------------------------
def can_create_blueprint(user: User, project: Project, squad: Squad | None) -> bool:
    """The PTL creates any blueprint; a squad lead only in their own squad."""
    return is_ptl(user, project) or leads_squad(user, squad)


def can_edit_blueprint(user: User, blueprint: BlueprintLike) -> bool:
    return is_ptl(user, blueprint.project) or leads_squad(user, blueprint.squad)


def can_edit_squad_blueprints(user: User, squad: Squad) -> bool:
    """What can_edit_blueprint says of every blueprint of ``squad``, asked once per page."""
    return is_ptl(user, squad.project) or leads_squad(user, squad)


def can_edit_work_item(user: User, work_item: WorkItemLike) -> bool:
    """Leads and the PTL edit any item of their blueprints; the assignee edits their own."""
    return can_edit_blueprint(user, work_item.blueprint) or is_work_item_assignee(user, work_item)


def is_work_item_assignee(user: User, work_item: WorkItemLike) -> bool:
    """The contributor a work item is assigned to (no query: pages ask it of every row)."""
    return _authenticated(user) and work_item.assignee_id == user.pk


def can_request_ffe(user: User, blueprint: BlueprintLike) -> bool:
    return _authenticated(user)


def can_decide_ffe(user: User, ffe: FFELike) -> bool:
    """Only the PTL grants or denies FFEs."""
    return is_ptl(user, ffe.blueprint.project)


def can_close_ffe(user: User, ffe: FFELike) -> bool:
    """Marking a granted FFE merged: whoever edits the blueprint (its lead, the PTL)."""
    return can_edit_blueprint(user, ffe.blueprint)


def can_set_ffe_policy(user: User, project: Project) -> bool:
    return is_ptl(user, project)


# --- release schedule ---------------------------------------------------------------------------
REPLAN_REFUSED = "Only release managers (permission to change events) re-plan."


def may_replan(user: User) -> bool:
    """Applying or undoing a re-plan moves cross-project events: a release manager's right
    (``releases.change_event``); anyone may preview."""
    return _authenticated(user) and user.has_perm("releases.change_event")


GENERATE_REFUSED = "Only the PTL or staff generate cycles."


def may_generate(user: User) -> bool:
    """Generating a new cycle's schedule: staff, holders of ``releases.add_series``, or the PTL
    of a project."""
    if not _authenticated(user):
        return False
    if user.is_staff or user.has_perm("releases.add_series"):
        return True
    return Project.objects.filter(ptl_group__user=user).exists()


def require(allowed: bool, message: str = "You may not do this.") -> None:
    """Raise ``PermissionDenied`` unless ``allowed``."""
    if not allowed:
        raise PermissionDenied(message)


def check(user: User, allowed_for_user: bool, message: str) -> None:
    """``require`` for a service: ``user`` None is a trusted system process."""
    if user is None:
        return
    require(allowed_for_user, message)
