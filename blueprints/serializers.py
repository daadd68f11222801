"""API shapes of blueprints, work items, FFEs and their history.

Statuses are spelled as Launchpad spells them ("Good progress", "Not started"); people
are usernames, squads slugs, series names, milestones event keys (``o-2``).
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blueprints import rules
from blueprints.models import (
    Blueprint,
    BlueprintHistory,
    FeatureFreezeException,
    FFEPolicy,
    Review,
    WorkItem,
)
from core.models import AuditEntry
from releases.models import Series
from squads.models import Project, Squad, SquadGoal
from squads.serializers import user_field


class TargetMilestoneField(serializers.CharField):
    """The target milestone as its event key; written as a key (``o-2``) or a kind
    (``milestone-2``) of the blueprint's series (resolved by the serializer)."""

    def get_attribute(self, instance: Blueprint) -> str | None:
        milestone = instance.target_milestone
        return milestone.key if milestone else None


class DependsOnField(serializers.ListField):
    """Names of the blueprints (same project) this one depends on."""

    child = serializers.SlugField()

    def get_attribute(self, instance: Blueprint) -> list[str]:
        return [b.name for b in instance.depends_on.all()]


class TargetMilestoneSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    date = serializers.DateField()


class ReviewSerializer(serializers.ModelSerializer):
    """A Gerrit change behind a blueprint; ``project`` is the Gerrit project (repository)."""

    project = serializers.CharField(source="repository", read_only=True)

    class Meta:
        model = Review
        fields = ["number", "project", "subject", "status", "url", "updated"]
        read_only_fields = fields


class BlueprintSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="name", queryset=Project.objects.all())
    series = serializers.SlugRelatedField(slug_field="name", queryset=Series.objects.all())
    squad = serializers.SlugRelatedField(
        slug_field="slug", queryset=Squad.objects.all(), allow_null=True, required=False
    )
    goal = serializers.PrimaryKeyRelatedField(
        queryset=SquadGoal.objects.all(), allow_null=True, required=False
    )
    assignee = user_field(allow_null=True, required=False)
    drafter = user_field(allow_null=True, required=False)
    approver = user_field(allow_null=True, required=False)
    target_milestone = TargetMilestoneField(allow_null=True, required=False)
    target_milestone_detail = TargetMilestoneSerializer(
        source="target_milestone", read_only=True, allow_null=True
    )
    depends_on = DependsOnField(required=False)
    late_dependencies = serializers.SerializerMethodField()
    is_started = serializers.BooleanField(read_only=True)
    is_complete = serializers.BooleanField(read_only=True)
    progress = serializers.SerializerMethodField()
    work_items_total = serializers.SerializerMethodField()
    work_items_done = serializers.SerializerMethodField()
    reviews = ReviewSerializer(many=True, read_only=True)

    class Meta:
        model = Blueprint
        fields = [
            "id",
            "project",
            "name",
            "title",
            "summary",
            "spec_url",
            "web_link",
            "series",
            "target_milestone",
            "target_milestone_detail",
            "squad",
            "goal",
            "assignee",
            "drafter",
            "approver",
            "priority",
            "definition_status",
            "implementation_status",
            "whiteboard",
            "depends_on",
            "late_dependencies",
            "is_started",
            "is_complete",
            "progress",
            "work_items_total",
            "work_items_done",
            "reviews",
            "date_created",
            "date_started",
            "date_completed",
        ]
        read_only_fields = ["date_created", "date_started", "date_completed"]
        # Uniqueness of (project, name) is the database's and the service's to enforce;
        # DRF's validator would also make both fields required on partial updates.
        validators: list = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        instance: Blueprint | None = self.instance
        series = attrs.get("series") or (instance.series if instance else None)
        project = attrs.get("project") or (instance.project if instance else None)
        if "target_milestone" in attrs:
            value = attrs["target_milestone"]
            if value:
                from blueprints.selectors import milestone_resolve

                event = milestone_resolve(series=series, value=value)
                if event is None:
                    raise serializers.ValidationError(
                        {"target_milestone": f"No event {value!r} in series {series.name}."}
                    )
                attrs["target_milestone"] = event
            else:
                attrs["target_milestone"] = None
        if "depends_on" in attrs:
            names = list(dict.fromkeys(attrs["depends_on"]))
            found = {b.name: b for b in Blueprint.objects.filter(project=project, name__in=names)}
            missing = [n for n in names if n not in found]
            if missing:
                raise serializers.ValidationError(
                    {"depends_on": f"Unknown blueprints in {project}: {missing}."}
                )
            attrs["depends_on"] = [found[n] for n in names]
        return attrs

    def _counts(self, blueprint: Blueprint) -> tuple[int, int, int]:
        if hasattr(blueprint, "work_items_total"):
            return (
                blueprint.work_items_total,
                blueprint.work_items_done,
                blueprint.work_items_postponed,
            )
        statuses = list(blueprint.work_items.values_list("status", flat=True))
        return len(statuses), statuses.count("DONE"), statuses.count("POSTPONED")

    @extend_schema_field(OpenApiTypes.INT)
    def get_progress(self, blueprint: Blueprint) -> int:
        """Percent of planned work items done (see ``blueprints.rules.progress_percent``)."""
        total, done, postponed = self._counts(blueprint)
        return rules.progress_percent(
            total=total, done=done, postponed=postponed, complete=blueprint.is_complete
        )

    @extend_schema_field(OpenApiTypes.INT)
    def get_work_items_total(self, blueprint: Blueprint) -> int:
        return self._counts(blueprint)[0]

    @extend_schema_field(OpenApiTypes.INT)
    def get_work_items_done(self, blueprint: Blueprint) -> int:
        return self._counts(blueprint)[1]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_late_dependencies(self, blueprint: Blueprint) -> list[str]:
        """Dependencies targeted at a later milestone than this blueprint (flagged)."""
        target = blueprint.target_milestone
        return rules.late_dependencies(
            target=target.date if target else None,
            dependencies=[
                (b.name, b.target_milestone.date if b.target_milestone else None)
                for b in blueprint.depends_on.all()
            ],
        )


class WorkItemSerializer(serializers.ModelSerializer):
    blueprint = serializers.PrimaryKeyRelatedField(queryset=Blueprint.objects.all())
    blueprint_name = serializers.CharField(source="blueprint.name", read_only=True)
    assignee = user_field(allow_null=True, required=False)

    class Meta:
        model = WorkItem
        fields = [
            "id",
            "blueprint",
            "blueprint_name",
            "title",
            "assignee",
            "status",
            "milestone",
            "order",
        ]
        extra_kwargs = {"order": {"required": False}}


class FFESerializer(serializers.ModelSerializer):
    blueprint = serializers.PrimaryKeyRelatedField(queryset=Blueprint.objects.all())
    blueprint_name = serializers.CharField(source="blueprint.name", read_only=True)
    series = serializers.CharField(source="blueprint.series.name", read_only=True)
    squad = serializers.CharField(source="blueprint.squad.slug", read_only=True, allow_null=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True
    )

    class Meta:
        model = FeatureFreezeException
        fields = [
            "id",
            "blueprint",
            "blueprint_name",
            "series",
            "squad",
            "requested_by",
            "requested_on",
            "rationale",
            "risk",
            "risk_notes",
            "merge_by",
            "status",
            "decided_by",
            "decided_on",
            "decision_note",
            "closed_on",
        ]
        read_only_fields = [
            "requested_on",
            "status",
            "decided_on",
            "decision_note",
            "closed_on",
        ]


class FFEDecisionSerializer(serializers.Serializer):
    granted = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class FFEMergedSerializer(serializers.Serializer):
    """No fields: an FFE is marked merged on the server's day (``core.clock.today``), never on
    one the client chooses; a body naming a day is refused, naming the field."""

    def validate(self, attrs: dict) -> dict:
        for name in ("merged_on", "as_of", "day", "date"):
            if name in (self.initial_data or {}):
                raise serializers.ValidationError(
                    {name: ["The server's day is used: a client does not choose it."]}
                )
        return attrs


class FFEPolicySerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="name", queryset=Project.objects.all())
    series = serializers.SlugRelatedField(slug_field="name", queryset=Series.objects.all())
    granted = serializers.SerializerMethodField()

    class Meta:
        model = FFEPolicy
        fields = ["id", "project", "series", "request_cutoff", "max_granted", "notes", "granted"]
        validators: list = []  # the service upserts per (project, series)

    @extend_schema_field(OpenApiTypes.INT)
    def get_granted(self, policy: FFEPolicy) -> int:
        """FFEs granted so far (annotated by the list's selector)."""
        if hasattr(policy, "granted_count"):
            return policy.granted_count
        from blueprints.selectors import ffe_granted_count

        return ffe_granted_count(project=policy.project, series=policy.series)


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True)
    object_type = serializers.CharField(source="content_type.model", read_only=True)
    old = serializers.JSONField(read_only=True)
    new = serializers.JSONField(read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "field",
            "old",
            "new",
        ]


class BlueprintHistorySerializer(serializers.ModelSerializer):
    """One row of a blueprint's typed history: its planning fields from ``day`` on."""

    series = serializers.SlugRelatedField(slug_field="name", read_only=True)
    target_milestone = serializers.SlugRelatedField(
        slug_field="key", read_only=True, allow_null=True
    )
    squad = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = BlueprintHistory
        fields = [
            "day",
            "series",
            "target_milestone",
            "squad",
            "assignee",
            "priority",
            "definition_status",
            "implementation_status",
            "work_items_total",
            "work_items_done",
            "work_items_blocked",
            "work_items_postponed",
        ]
        read_only_fields = fields
