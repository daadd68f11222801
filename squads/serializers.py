"""API shapes of projects and squads. People are named by username, squads by slug,
series by name."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from releases.models import Series
from squads.models import AreaExpert, Membership, Project, Squad, SquadGoal

User = get_user_model()


def user_field(**kwargs: object) -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), **kwargs
    )


class ProjectSerializer(serializers.ModelSerializer):
    ptl_group = serializers.CharField(source="ptl_group.name", read_only=True)

    class Meta:
        model = Project
        fields = ["name", "title", "launchpad", "ptl_group"]


class SquadMemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Membership
        fields = ["username", "role"]


class SquadExpertSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AreaExpert
        fields = ["username", "topic"]


class SquadSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="name", queryset=Project.objects.all())
    leads = serializers.SerializerMethodField()
    members = SquadMemberSerializer(source="memberships", many=True, read_only=True)
    area_experts = SquadExpertSerializer(many=True, read_only=True)

    class Meta:
        model = Squad
        fields = [
            "id",
            "project",
            "name",
            "slug",
            "area",
            "mission",
            "etherpad_url",
            "docs_url",
            "leads",
            "members",
            "area_experts",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_leads(self, squad: Squad) -> list[str]:
        return [m.user.username for m in squad.memberships.all() if m.role == "lead"]


class MembershipSerializer(serializers.ModelSerializer):
    squad = serializers.SlugRelatedField(slug_field="slug", queryset=Squad.objects.all())
    user = user_field()

    class Meta:
        model = Membership
        fields = ["id", "squad", "user", "role", "joined"]
        read_only_fields = ["joined"]
        # The service upserts (a second POST changes the role); no unique-together 400.
        validators: list = []


class AreaExpertSerializer(serializers.ModelSerializer):
    squad = serializers.SlugRelatedField(slug_field="slug", queryset=Squad.objects.all())
    user = user_field()

    class Meta:
        model = AreaExpert
        fields = ["id", "squad", "user", "topic"]


class SquadGoalSerializer(serializers.ModelSerializer):
    squad = serializers.SlugRelatedField(slug_field="slug", queryset=Squad.objects.all())
    series = serializers.SlugRelatedField(slug_field="name", queryset=Series.objects.all())
    links = serializers.ListField(child=serializers.URLField(), required=False)

    class Meta:
        model = SquadGoal
        fields = ["id", "squad", "series", "title", "description", "status", "links", "order"]
        extra_kwargs = {"order": {"required": False}}
