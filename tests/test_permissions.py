"""The permission matrix: every write, through the services and through the API, for each
role. Allowed writes succeed and leave audit rows; refused ones raise / answer 403 and change
nothing (no escalation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from rest_framework.test import APIClient

from blueprints import services as bp_services
from blueprints.models import FFEStatus, WorkItemStatus
from core.models import AuditEntry
from squads import services as squad_services
from tests.factories import (
    AreaExpertFactory,
    BlueprintFactory,
    FFEFactory,
    FFEPolicyFactory,
    MembershipFactory,
    SquadFactory,
    SquadGoalFactory,
    UserFactory,
    WorkItemFactory,
    api_token,
    cast,
    event,
    live_schedule,
)

ROLES = ["anonymous", "contributor", "other_lead", "lead", "ptl"]
ALL_USERS = {"contributor", "other_lead", "lead", "ptl"}
PTL = {"ptl"}
LEADS = {"lead", "ptl"}


@dataclass
class World:
    """Everything a write may touch: ``squad`` (led by ``lead``) and its objects."""

    c: Any
    third_squad: Any
    outsider: Any
    member2_membership: Any
    contributor_membership: Any
    expert: Any
    goal: Any
    blueprint: Any
    blueprint2: Any
    blueprint_other: Any
    work_item: Any
    ffe_requested: Any
    ffe_granted: Any
    policy: Any


@pytest.fixture
def world(db) -> World:
    today = timezone.localdate()
    c = cast(live_schedule(today))
    third = SquadFactory(project=c.project, name="validations", slug="validations")
    outsider = UserFactory(username="outsider")
    member2 = MembershipFactory(squad=c.squad, user=UserFactory(username="member2"))
    contributor_membership = c.squad.memberships.get(user=c.contributor)
    milestone = event(c.series, "milestone-3")
    bp = BlueprintFactory(
        squad=c.squad,
        series=c.series,
        name="composable-upgrades",
        implementation_status="Good progress",
        target_milestone=milestone,
    )
    bp2 = BlueprintFactory(
        squad=c.squad, series=c.series, name="upgrade-tooling", implementation_status="Started"
    )
    bp3 = BlueprintFactory(
        squad=c.squad, series=c.series, name="granted-one", implementation_status="Started"
    )
    other = BlueprintFactory(squad=c.other_squad, series=c.series, name="ci-thing")
    return World(
        c=c,
        third_squad=third,
        outsider=outsider,
        member2_membership=member2,
        contributor_membership=contributor_membership,
        expert=AreaExpertFactory(squad=c.squad, user=c.lead),
        goal=SquadGoalFactory(squad=c.squad, series=c.series, title="Composable upgrades"),
        blueprint=bp,
        blueprint2=bp2,
        blueprint_other=other,
        work_item=WorkItemFactory(blueprint=bp, assignee=c.contributor, title="Heat bits"),
        ffe_requested=FFEFactory(
            blueprint=bp, requested_by=c.contributor, requested_on=today, merge_by=today
        ),
        ffe_granted=FFEFactory(
            blueprint=bp3,
            requested_by=c.lead,
            requested_on=today,
            merge_by=today,
            status=FFEStatus.GRANTED,
            decided_by=c.ptl,
            decided_on=today,
        ),
        policy=FFEPolicyFactory(project=c.project, series=c.series),
    )


# --- through the services ---------------------------------------------------------------------
ServiceOp = Callable[[World, Any], object]

SERVICE_OPS: dict[str, tuple[ServiceOp, set[str]]] = {
    "squad_create": (
        lambda w, a: squad_services.squad_create(
            actor=a, project=w.c.project, name="networking", slug="networking", area="TLS"
        ),
        PTL,
    ),
    "squad_update": (
        lambda w, a: squad_services.squad_update(squad=w.c.squad, actor=a, mission="Upgrades"),
        PTL,
    ),
    "squad_delete": (lambda w, a: squad_services.squad_delete(squad=w.third_squad, actor=a), PTL),
    "membership_add_other": (
        lambda w, a: squad_services.membership_set(squad=w.c.squad, user=w.outsider, actor=a),
        PTL,
    ),
    "membership_name_lead": (
        lambda w, a: squad_services.membership_set(
            squad=w.c.squad, user=w.c.contributor, actor=a, role="lead"
        ),
        PTL,
    ),
    "membership_join_self": (
        lambda w, a: squad_services.membership_set(squad=w.third_squad, user=a, actor=a),
        ALL_USERS,
    ),
    "membership_remove_other": (
        lambda w, a: squad_services.membership_delete(membership=w.member2_membership, actor=a),
        PTL,
    ),
    "area_expert_add": (
        lambda w, a: squad_services.area_expert_add(squad=w.c.squad, user=w.outsider, actor=a),
        PTL,
    ),
    "area_expert_update": (
        lambda w, a: squad_services.area_expert_update(expert=w.expert, actor=a, topic="Heat"),
        PTL,
    ),
    "area_expert_remove": (
        lambda w, a: squad_services.area_expert_remove(expert=w.expert, actor=a),
        PTL,
    ),
    "goal_create": (
        lambda w, a: squad_services.goal_create(
            squad=w.c.squad, series=w.c.series, actor=a, title="Baby steps"
        ),
        LEADS,
    ),
    "goal_update": (
        lambda w, a: squad_services.goal_update(goal=w.goal, actor=a, status="in-progress"),
        LEADS,
    ),
    "goal_delete": (lambda w, a: squad_services.goal_delete(goal=w.goal, actor=a), LEADS),
    "blueprint_create": (
        lambda w, a: bp_services.blueprint_create(
            actor=a,
            project=w.c.project,
            series=w.c.series,
            name="new-bp",
            title="New",
            squad=w.c.squad,
        ),
        LEADS,
    ),
    "blueprint_update": (
        lambda w, a: bp_services.blueprint_update(
            blueprint=w.blueprint, actor=a, implementation_status="Needs Code Review"
        ),
        LEADS,
    ),
    "blueprint_set_dependencies": (
        lambda w, a: bp_services.blueprint_set_dependencies(
            blueprint=w.blueprint, actor=a, depends_on=[w.blueprint_other]
        ),
        LEADS,
    ),
    "work_item_create": (
        lambda w, a: bp_services.work_item_create(blueprint=w.blueprint, actor=a, title="More"),
        LEADS,
    ),
    "work_item_update_status": (
        lambda w, a: bp_services.work_item_update(
            work_item=w.work_item, actor=a, status=WorkItemStatus.DONE
        ),
        LEADS | {"contributor"},
    ),
    "work_item_reassign": (
        lambda w, a: bp_services.work_item_update(
            work_item=w.work_item, actor=a, assignee=w.outsider
        ),
        LEADS,
    ),
    "work_item_delete": (
        lambda w, a: bp_services.work_item_delete(work_item=w.work_item, actor=a),
        LEADS,
    ),
    "ffe_request": (
        lambda w, a: bp_services.ffe_request(
            blueprint=w.blueprint2,
            actor=a,
            rationale="Almost there",
            merge_by=timezone.localdate() + dt.timedelta(days=3),
        ),
        ALL_USERS,
    ),
    "ffe_decide": (
        lambda w, a: bp_services.ffe_decide(ffe=w.ffe_requested, actor=a, granted=True),
        PTL,
    ),
    "ffe_mark_merged": (
        lambda w, a: bp_services.ffe_mark_merged(ffe=w.ffe_granted, actor=a),
        LEADS,
    ),
    "ffe_policy_set": (
        lambda w, a: bp_services.ffe_policy_set(
            project=w.c.project, series=w.c.series, actor=a, max_granted=2
        ),
        PTL,
    ),
    "ffe_policy_delete": (
        lambda w, a: bp_services.ffe_policy_delete(policy=w.policy, actor=a),
        PTL,
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(SERVICE_OPS))
def test_service_write_permissions(world: World, operation: str, role: str) -> None:
    # given
    op, allowed = SERVICE_OPS[operation]
    actor = world.c.user(role) or AnonymousUser()
    audit_before = AuditEntry.objects.count()
    # when / then
    if role in allowed:
        op(world, actor)
        assert AuditEntry.objects.count() > audit_before, "an allowed write leaves audit rows"
    else:
        with pytest.raises(PermissionDenied):
            op(world, actor)
        assert AuditEntry.objects.count() == audit_before


# --- through the API --------------------------------------------------------------------------
def NO_BODY(w: World, a: Any) -> dict:
    return {}


@dataclass
class ApiOp:
    method: str
    url: Callable[[World], str]
    body: Callable[[World, Any], dict]
    allowed: set[str]


API_OPS: dict[str, ApiOp] = {
    "squads.create": ApiOp(
        "post",
        lambda w: "/api/v1/squads/",
        lambda w, a: {
            "project": "tripleo",
            "name": "networking",
            "slug": "networking",
            "area": "TLS",
        },
        PTL,
    ),
    "squads.update": ApiOp(
        "patch", lambda w: "/api/v1/squads/upgrade/", lambda w, a: {"mission": "Upgrades"}, PTL
    ),
    "squads.delete": ApiOp("delete", lambda w: "/api/v1/squads/validations/", NO_BODY, PTL),
    "memberships.add_other": ApiOp(
        "post",
        lambda w: "/api/v1/memberships/",
        lambda w, a: {"squad": "upgrade", "user": "outsider", "role": "member"},
        PTL,
    ),
    "memberships.join_self": ApiOp(
        "post",
        lambda w: "/api/v1/memberships/",
        lambda w, a: {
            "squad": "validations",
            "user": a.username if a else "contributor",
            "role": "member",
        },
        ALL_USERS,
    ),
    "memberships.promote_to_lead": ApiOp(
        "patch",
        lambda w: f"/api/v1/memberships/{w.contributor_membership.pk}/",
        lambda w, a: {"role": "lead"},
        PTL,
    ),
    "memberships.remove_other": ApiOp(
        "delete", lambda w: f"/api/v1/memberships/{w.member2_membership.pk}/", NO_BODY, PTL
    ),
    "area_experts.create": ApiOp(
        "post",
        lambda w: "/api/v1/area-experts/",
        lambda w, a: {"squad": "upgrade", "user": "outsider"},
        PTL,
    ),
    "area_experts.update": ApiOp(
        "patch",
        lambda w: f"/api/v1/area-experts/{w.expert.pk}/",
        lambda w, a: {"topic": "Heat"},
        PTL,
    ),
    "area_experts.delete": ApiOp(
        "delete", lambda w: f"/api/v1/area-experts/{w.expert.pk}/", NO_BODY, PTL
    ),
    "squad_goals.create": ApiOp(
        "post",
        lambda w: "/api/v1/squad-goals/",
        lambda w, a: {"squad": "upgrade", "series": w.c.series.name, "title": "Baby steps"},
        LEADS,
    ),
    "squad_goals.update": ApiOp(
        "patch",
        lambda w: f"/api/v1/squad-goals/{w.goal.pk}/",
        lambda w, a: {"status": "achieved"},
        LEADS,
    ),
    "squad_goals.delete": ApiOp(
        "delete", lambda w: f"/api/v1/squad-goals/{w.goal.pk}/", NO_BODY, LEADS
    ),
    "blueprints.create": ApiOp(
        "post",
        lambda w: "/api/v1/blueprints/",
        lambda w, a: {
            "project": "tripleo",
            "series": w.c.series.name,
            "name": "new-bp",
            "title": "New",
            "squad": "upgrade",
            "target_milestone": "milestone-3",
        },
        LEADS,
    ),
    "blueprints.update": ApiOp(
        "patch",
        lambda w: f"/api/v1/blueprints/{w.blueprint.pk}/",
        lambda w, a: {"implementation_status": "Needs Code Review"},
        LEADS,
    ),
    "blueprints.set_dependencies": ApiOp(
        "patch",
        lambda w: f"/api/v1/blueprints/{w.blueprint.pk}/",
        lambda w, a: {"depends_on": ["ci-thing"]},
        LEADS,
    ),
    "blueprints.move_to_other_squad": ApiOp(
        "patch",
        lambda w: f"/api/v1/blueprints/{w.blueprint.pk}/",
        lambda w, a: {"squad": "ci"},
        PTL,
    ),
    "work_items.create": ApiOp(
        "post",
        lambda w: "/api/v1/work-items/",
        lambda w, a: {"blueprint": w.blueprint.pk, "title": "More"},
        LEADS,
    ),
    "work_items.update_status": ApiOp(
        "patch",
        lambda w: f"/api/v1/work-items/{w.work_item.pk}/",
        lambda w, a: {"status": "DONE"},
        LEADS | {"contributor"},
    ),
    "work_items.reassign": ApiOp(
        "patch",
        lambda w: f"/api/v1/work-items/{w.work_item.pk}/",
        lambda w, a: {"assignee": "outsider"},
        LEADS,
    ),
    "work_items.delete": ApiOp(
        "delete", lambda w: f"/api/v1/work-items/{w.work_item.pk}/", NO_BODY, LEADS
    ),
    "ffes.request": ApiOp(
        "post",
        lambda w: "/api/v1/ffes/",
        lambda w, a: {
            "blueprint": w.blueprint2.pk,
            "rationale": "Almost there",
            "merge_by": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
        },
        ALL_USERS,
    ),
    "ffes.decide": ApiOp(
        "post",
        lambda w: f"/api/v1/ffes/{w.ffe_requested.pk}/decide/",
        lambda w, a: {"granted": True},
        PTL,
    ),
    "ffes.merged": ApiOp(
        "post", lambda w: f"/api/v1/ffes/{w.ffe_granted.pk}/merged/", NO_BODY, LEADS
    ),
    "ffe_policies.create": ApiOp(
        "post",
        lambda w: "/api/v1/ffe-policies/",
        lambda w, a: {"project": "tripleo", "series": w.c.series.name, "max_granted": 2},
        PTL,
    ),
    "ffe_policies.update": ApiOp(
        "patch",
        lambda w: f"/api/v1/ffe-policies/{w.policy.pk}/",
        lambda w, a: {"max_granted": 1},
        PTL,
    ),
    "ffe_policies.delete": ApiOp(
        "delete", lambda w: f"/api/v1/ffe-policies/{w.policy.pk}/", NO_BODY, PTL
    ),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(API_OPS))
def test_api_write_permissions(world: World, operation: str, role: str) -> None:
    # given
    op = API_OPS[operation]
    user = world.c.user(role)
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    body = op.body(world, user) if op.method != "delete" else None
    audit_before = AuditEntry.objects.count()
    # when
    response = getattr(client, op.method)(op.url(world), body, format="json")
    # then
    if role in op.allowed:
        assert 200 <= response.status_code < 300, (response.status_code, response.content)
        assert AuditEntry.objects.count() > audit_before
    else:
        expected = {401, 403} if role == "anonymous" else {403}
        assert response.status_code in expected, (response.status_code, response.content)
        assert AuditEntry.objects.count() == audit_before


def test_every_write_endpoint_is_in_the_matrix() -> None:
    """A new writable route must be added to the matrix above (no untested escalation)."""
    from blueprints.api_urls import router as blueprint_router
    from squads.api_urls import router as squad_router

    writable = {
        prefix
        for prefix, viewset, _ in squad_router.registry + blueprint_router.registry
        if any(hasattr(viewset, m) for m in ("create", "update", "destroy"))
    }
    covered = {name.split(".")[0].replace("_", "-") for name in API_OPS}
    assert writable == covered


def test_contributor_may_leave_a_squad(world: World) -> None:
    squad_services.membership_delete(
        membership=world.contributor_membership, actor=world.c.contributor
    )
    assert not world.c.squad.memberships.filter(user=world.c.contributor).exists()


def test_squad_lead_cannot_edit_other_squads_blueprint(world: World) -> None:
    with pytest.raises(PermissionDenied):
        bp_services.blueprint_update(
            blueprint=world.blueprint_other, actor=world.c.lead, title="Mine now"
        )
    world.blueprint_other.refresh_from_db()
    assert world.blueprint_other.title != "Mine now"


def test_squad_lead_cannot_take_a_blueprint_from_another_squad(world: World) -> None:
    with pytest.raises(PermissionDenied):
        bp_services.blueprint_update(
            blueprint=world.blueprint_other, actor=world.c.lead, squad=world.c.squad
        )


def test_lead_cannot_demote_themselves_and_keep_promotion_power(world: World) -> None:
    """A lead stepping down is the PTL's call, so nobody swaps leads behind the PTL's back."""
    with pytest.raises(PermissionDenied):
        squad_services.membership_set(
            squad=world.c.squad, user=world.c.lead, actor=world.c.lead, role="member"
        )


def test_contributor_cannot_edit_work_items_assigned_to_others(world: World) -> None:
    item = WorkItemFactory(blueprint=world.blueprint, assignee=world.outsider)
    with pytest.raises(PermissionDenied):
        bp_services.work_item_update(work_item=item, actor=world.c.contributor, status="DONE")


def test_token_authentication_writes_as_the_token_owner(world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(world.c.lead)}")
    response = client.patch(
        f"/api/v1/blueprints/{world.blueprint.pk}/", {"priority": "High"}, format="json"
    )
    assert response.status_code == 200, response.content
    entry = AuditEntry.objects.filter(field="priority").get()
    assert entry.actor == world.c.lead
    assert (entry.old, entry.new) == ("Undefined", "High")


def test_superuser_acts_as_ptl(world: World) -> None:
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    bp_services.ffe_decide(ffe=world.ffe_requested, actor=admin, granted=False)
    world.ffe_requested.refresh_from_db()
    assert world.ffe_requested.status == FFEStatus.DENIED
