"""Reads of squads, with the joins each caller needs already applied."""

from django.db.models import Prefetch, QuerySet

from squads.models import AreaExpert, Membership, Project, Squad, SquadGoal


def project_list() -> QuerySet[Project]:
    return Project.objects.select_related("ptl_group").order_by("name", "id")


def squad_list() -> QuerySet[Squad]:
    """Squads with their members and area experts (usernames) prefetched."""
    return (
        Squad.objects.select_related("project")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("user").order_by(
                    "role", "user__username"
                ),
            ),
            Prefetch(
                "area_experts",
                queryset=AreaExpert.objects.select_related("user").order_by("user__username"),
            ),
        )
        .order_by("project__name", "name", "id")
    )


def membership_list() -> QuerySet[Membership]:
    return Membership.objects.select_related("squad", "squad__project", "user").order_by(
        "squad__name", "role", "user__username", "id"
    )


def area_expert_list() -> QuerySet[AreaExpert]:
    return AreaExpert.objects.select_related("squad", "squad__project", "user").order_by(
        "squad__name", "user__username", "id"
    )


def goal_list() -> QuerySet[SquadGoal]:
    return SquadGoal.objects.select_related("squad", "squad__project", "series").order_by(
        "series__position", "squad__name", "order", "id"
    )
