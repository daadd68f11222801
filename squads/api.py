"""REST API for projects, squads, memberships, area experts and goals.

Views hold no business logic: serializers validate shape, services do the work and check roles
(``core.api.PlannerViewSetMixin`` asks the same ``squads.permissions`` predicates again before an
object is written).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django_filters import rest_framework as filters
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError

from core.api import PlannerViewSetMixin
from core.filters import ExistingValueFilter
from releases.models import Series
from squads import permissions as perms
from squads import selectors, services
from squads.models import (
    AreaExpert,
    GoalStatus,
    Membership,
    Project,
    Squad,
    SquadGoal,
    SquadRole,
)
from squads.serializers import (
    AreaExpertSerializer,
    MembershipSerializer,
    ProjectSerializer,
    SquadGoalSerializer,
    SquadSerializer,
)


# --- projects and squads ----------------------------------------------------------------------
class ProjectViewSet(PlannerViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Projects (set up by an administrator); their PTL group decides FFEs and policies."""

    serializer_class = ProjectSerializer
    lookup_field = "name"
    ordering_fields = ["name"]

    def get_queryset(self):
        return selectors.project_list()


def _named(path: str, queryset: Any, field: str, help_text: str, **kwargs: Any) -> Any:
    return ExistingValueFilter(
        field_name=f"{path}__{field}",
        queryset=queryset,
        to_field_name=field,
        help_text=help_text,
        **kwargs,
    )


def _squad(path: str = "squad") -> ExistingValueFilter:
    return _named(path, Squad.objects.all(), "slug", "Squad slug, e.g. ci.")


def _user(path: str = "user", **kwargs: Any) -> ExistingValueFilter:
    return _named(path, get_user_model().objects.all(), "username", "Username.", **kwargs)


class SquadFilter(filters.FilterSet):
    project = _named("project", Project.objects.all(), "name", "Project name, e.g. tripleo.")
    member = _user("memberships__user", distinct=True)

    class Meta:
        model = Squad
        fields = ["project", "member"]


class SquadViewSet(PlannerViewSetMixin, viewsets.ModelViewSet):
    """Squads of a project; the PTL creates and edits them."""

    serializer_class = SquadSerializer
    lookup_field = "slug"
    filterset_class = SquadFilter
    ordering_fields = ["name", "slug"]
    object_permissions = {
        "update": lambda user, squad: perms.can_manage_squad(user, squad.project),
        "partial_update": lambda user, squad: perms.can_manage_squad(user, squad.project),
        "destroy": lambda user, squad: perms.can_manage_squad(user, squad.project),
    }
    create_parents = ("project",)
    create_permission = staticmethod(
        lambda user, data, project: perms.can_manage_squad(user, project)
    )

    def get_queryset(self):
        return selectors.squad_list()

    def perform_create(self, serializer: SquadSerializer) -> None:
        serializer.instance = services.squad_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: SquadSerializer) -> None:
        data = dict(serializer.validated_data)
        project = data.pop("project", None)
        if project is not None and project.pk != serializer.instance.project_id:
            raise ValidationError(
                {"project": ["A squad cannot move to another project."]}, code="conflict"
            )
        serializer.instance = services.squad_update(
            squad=serializer.instance, actor=self.request.user, **data
        )

    def perform_destroy(self, instance: Any) -> None:
        services.squad_delete(squad=instance, actor=self.request.user)


class MembershipFilter(filters.FilterSet):
    squad = _squad()
    user = _user()
    role = filters.ChoiceFilter(choices=SquadRole.choices)

    class Meta:
        model = Membership
        fields = ["squad", "user", "role"]


def _membership_writer(user: Any, membership: Membership) -> bool:
    return perms.can_change_membership(user, membership.squad, membership.user, membership.role)


class MembershipViewSet(PlannerViewSetMixin, viewsets.ModelViewSet):
    """Who is in which squad: the PTL names leads; anyone joins or leaves as a member."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilter
    ordering_fields = ["role", "user__username"]
    object_permissions = {
        "update": _membership_writer,
        "partial_update": _membership_writer,
        "destroy": _membership_writer,
    }
    create_parents = ("squad",)
    # The PTL adds anyone; anyone else only themselves, as a member: decided on the username
    # as written, before it is looked up.
    create_permission = staticmethod(
        lambda user, data, squad: (
            perms.is_ptl(user, squad.project)
            or (
                user.is_authenticated
                and data.get("user") == user.get_username()
                and data.get("role", SquadRole.MEMBER) == SquadRole.MEMBER
            )
        )
    )

    def get_queryset(self):
        return selectors.membership_list()

    def perform_create(self, serializer: MembershipSerializer) -> None:
        serializer.instance = services.membership_set(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: MembershipSerializer) -> None:
        membership = serializer.instance
        data = serializer.validated_data
        for field in ("squad", "user"):
            if field in data and data[field].pk != getattr(membership, f"{field}_id"):
                raise ValidationError(
                    {field: ["Remove the membership and add a new one."]}, code="conflict"
                )
        serializer.instance = services.membership_set(
            squad=membership.squad,
            user=membership.user,
            actor=self.request.user,
            role=data.get("role", membership.role),
        )

    def perform_destroy(self, instance: Membership) -> None:
        services.membership_delete(membership=instance, actor=self.request.user)


class AreaExpertFilter(filters.FilterSet):
    squad = _squad()
    user = _user()

    class Meta:
        model = AreaExpert
        fields = ["squad", "user"]


def _expert_writer(user: Any, expert: AreaExpert) -> bool:
    return perms.can_manage_squad(user, expert.squad.project)


class AreaExpertViewSet(PlannerViewSetMixin, viewsets.ModelViewSet):
    """People recognised as experts of a squad's area (named by the PTL)."""

    serializer_class = AreaExpertSerializer
    filterset_class = AreaExpertFilter
    ordering_fields = ["user__username"]
    object_permissions = {
        "update": _expert_writer,
        "partial_update": _expert_writer,
        "destroy": _expert_writer,
    }
    create_parents = ("squad",)
    create_permission = staticmethod(
        lambda user, data, squad: perms.can_manage_squad(user, squad.project)
    )

    def get_queryset(self):
        return selectors.area_expert_list()

    def perform_create(self, serializer: AreaExpertSerializer) -> None:
        serializer.instance = services.area_expert_add(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: AreaExpertSerializer) -> None:
        expert = serializer.instance
        data = serializer.validated_data
        for field in ("squad", "user"):
            if field in data and data[field].pk != getattr(expert, f"{field}_id"):
                raise ValidationError(
                    {field: ["Remove the expert and add a new one."]}, code="conflict"
                )
        serializer.instance = services.area_expert_update(
            expert=expert, actor=self.request.user, topic=data.get("topic", expert.topic)
        )

    def perform_destroy(self, instance: AreaExpert) -> None:
        services.area_expert_remove(expert=instance, actor=self.request.user)


class SquadGoalFilter(filters.FilterSet):
    squad = _squad()
    series = _named("series", Series.objects.all(), "name", "Series name, e.g. ocata.")
    status = filters.ChoiceFilter(choices=GoalStatus.choices)

    class Meta:
        model = SquadGoal
        fields = ["squad", "series", "status"]


def _goal_writer(user: Any, goal: SquadGoal) -> bool:
    return perms.can_edit_goal(user, goal.squad)


class SquadGoalViewSet(PlannerViewSetMixin, viewsets.ModelViewSet):
    """A squad's goals per series; its lead or the PTL edits them."""

    serializer_class = SquadGoalSerializer
    filterset_class = SquadGoalFilter
    ordering_fields = ["order", "title", "status"]
    object_permissions = {
        "update": _goal_writer,
        "partial_update": _goal_writer,
        "destroy": _goal_writer,
    }
    create_parents = ("squad",)
    create_permission = staticmethod(lambda user, data, squad: perms.can_edit_goal(user, squad))

    def get_queryset(self):
        return selectors.goal_list()

    def perform_create(self, serializer: SquadGoalSerializer) -> None:
        serializer.instance = services.goal_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: SquadGoalSerializer) -> None:
        goal = serializer.instance
        data = dict(serializer.validated_data)
        for field in ("squad", "series"):
            value = data.pop(field, None)
            if value is not None and value.pk != getattr(goal, f"{field}_id"):
                raise ValidationError(
                    {field: ["A goal cannot move; add a new one."]}, code="conflict"
                )
        serializer.instance = services.goal_update(goal=goal, actor=self.request.user, **data)

    def perform_destroy(self, instance: SquadGoal) -> None:
        services.goal_delete(goal=instance, actor=self.request.user)
