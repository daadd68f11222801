"""Projects and their squads, as the TripleO squads policy describes them.

Policy (tripleo-specs ``specs/policy/squads.rst``, Ocata): anyone may join or leave a squad;
a person may be in several squads; each squad picks a representative (the squad lead) to the
PTL; "Area Experts" are people recognised as experts of an area.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.db.models import Q

from releases.models import Series


class Project(models.Model):
    """A project team (tripleo). Its PTL role is membership of ``ptl_group``."""

    name = models.SlugField(max_length=60, unique=True, help_text="e.g. tripleo")
    title = models.CharField(max_length=100, blank=True)
    launchpad = models.CharField(
        max_length=100, blank=True, help_text="Launchpad project name, e.g. tripleo."
    )
    ptl_group = models.ForeignKey(
        Group,
        on_delete=models.PROTECT,
        related_name="ptl_of",
        help_text="Members of this group act as the project's PTL.",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Squad(models.Model):
    """A squad of a project, owning an area (CI, upgrades, containers, …)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="squads")
    name = models.CharField(max_length=60, help_text="e.g. ui/cli")
    slug = models.SlugField(max_length=60, unique=True, help_text="e.g. ui-cli")
    area = models.CharField(max_length=200, help_text="What the squad works on.")
    mission = models.TextField(blank=True)
    etherpad_url = models.URLField(blank=True)
    docs_url = models.URLField(blank=True)

    class Meta:
        ordering = ["project__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="squad_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class SquadRole(models.TextChoices):
    LEAD = "lead"
    MEMBER = "member"


class Membership(models.Model):
    """A person in a squad; ``lead`` is the squad's representative to the PTL."""

    squad = models.ForeignKey(Squad, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="squad_memberships"
    )
    role = models.CharField(max_length=10, choices=SquadRole.choices, default=SquadRole.MEMBER)
    joined = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["squad__name", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["squad", "user"], name="membership_unique"),
            models.CheckConstraint(
                condition=Q(role__in=SquadRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.squad} ({self.role})"


class AreaExpert(models.Model):
    """Someone recognised as an expert of a squad's area (the squads policy's "Area Experts")."""

    squad = models.ForeignKey(Squad, on_delete=models.CASCADE, related_name="area_experts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_areas"
    )
    topic = models.CharField(
        max_length=200, blank=True, help_text="Narrower topic inside the area, if any."
    )

    class Meta:
        ordering = ["squad__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["squad", "user"], name="area_expert_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.squad.name} expert)"


class GoalStatus(models.TextChoices):
    PROPOSED = "proposed"
    IN_PROGRESS = "in-progress"
    ACHIEVED = "achieved"
    MISSED = "missed"
    DROPPED = "dropped"


class SquadGoal(models.Model):
    """What a squad aims to achieve in one series (e.g. the CI squad's four Ocata goals)."""

    squad = models.ForeignKey(Squad, on_delete=models.CASCADE, related_name="goals")
    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="squad_goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=GoalStatus.choices, default=GoalStatus.PROPOSED
    )
    links = models.JSONField(default=list, blank=True, help_text="List of URLs.")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["series__position", "squad__name", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["squad", "series", "title"], name="squad_goal_unique_title"
            ),
            models.CheckConstraint(
                condition=Q(status__in=GoalStatus.values), name="squad_goal_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.squad.name}/{self.series.name}: {self.title}"
