from rest_framework import serializers

from releases.models import BranchCut, Occurrence, Series


class CycleSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api-cycle-detail", lookup_field="name", read_only=True
    )
    milestones_url = serializers.HyperlinkedIdentityField(
        view_name="api-cycle-milestones", lookup_field="name", read_only=True
    )
    stable_branch = serializers.CharField(read_only=True)

    class Meta:
        model = Series
        fields = [
            "name",
            "release_id",
            "status",
            "initial_release",
            "start_week",
            "release_week",
            "length_weeks",
            "stable_branch",
            "url",
            "milestones_url",
        ]


class MilestoneSerializer(serializers.ModelSerializer):
    """One occurrence of a schedule event: the days it happens on, as a schedule lists it."""

    key = serializers.CharField(source="event.key", help_text="Upstream event id, e.g. o-ff.")
    kind = serializers.CharField(source="event.kind")
    title = serializers.CharField(source="event.title")
    series = serializers.CharField(
        source="event.series.name",
        help_text="The series the event belongs to (a cycle's schedule also lists other "
        "series' events, e.g. the next series' PTG).",
    )
    date = serializers.DateField(help_text="First day.")
    end_date = serializers.DateField(help_text="Last day (the first for a one-day event).")
    week = serializers.SerializerMethodField(
        help_text="The R-N name of the week the schedule lists it in ('' when unnamed)."
    )
    rule = serializers.CharField(help_text="Which date rule produced the dates.")
    team = serializers.CharField(source="event.team", help_text="'' for cross-project events.")
    description = serializers.CharField(source="event.description")
    source = serializers.CharField(help_text="The schedule file that lists it.")
    conflicts = serializers.ListField(
        child=serializers.CharField(),
        source="event.conflicts",
        help_text="Where the sources disagree about this event.",
    )

    class Meta:
        model = Occurrence
        fields = [
            "key",
            "kind",
            "title",
            "series",
            "date",
            "end_date",
            "week",
            "rule",
            "team",
            "description",
            "source",
            "conflicts",
        ]

    def get_week(self, occurrence: Occurrence) -> str:
        return occurrence.week.name if occurrence.week else ""


class BranchCutSerializer(serializers.ModelSerializer):
    """One deliverable's planned stable-branch cut; ``rule_*`` is the plan before a policy."""

    deliverable = serializers.CharField(source="deliverable.name", read_only=True)
    type = serializers.CharField(read_only=True)
    anchor_event = serializers.SerializerMethodField(
        help_text="Upstream id of the schedule event the cut is anchored to (e.g. o-rc1)."
    )
    rule = serializers.CharField(source="rule_label", read_only=True)
    policy = serializers.CharField(source="policy_label", read_only=True)

    class Meta:
        model = BranchCut
        fields = [
            "deliverable",
            "team",
            "release_model",
            "type",
            "branch",
            "anchor_event",
            "anchor_kind",
            "rule",
            "policy",
            "planned_date",
            "backport_window_days",
            "rule_planned_date",
            "rule_backport_window_days",
            "actual_date",
        ]

    def get_anchor_event(self, cut: BranchCut) -> str:
        return cut.anchor_event.key if cut.anchor_event else ""


class MatchStatsSerializer(serializers.Serializer):
    """How far actual cuts fell from the plan; unplanned cuts count as misses."""

    cuts = serializers.IntegerField(help_text="Actual cuts upstream.")
    planned = serializers.IntegerField(help_text="Of those, how many had a plan.")
    within_7_days = serializers.IntegerField()
    share_within_7_days = serializers.FloatField(help_text="Within 7 days of the plan, of all.")
    median_lag_days = serializers.FloatField(
        allow_null=True, help_text="Median of actual minus planned, in days (planned cuts)."
    )


class MatchGroupSerializer(MatchStatsSerializer):
    key = serializers.CharField(help_text="The group: a release model, a type, a series …")


class BranchReportSerializer(serializers.Serializer):
    """``releases.selectors.branch_report``: the plan-vs-actual figures, overall and grouped."""

    first = serializers.CharField()
    last = serializers.CharField()
    overall = MatchStatsSerializer()
    by_release_model = MatchGroupSerializer(many=True)
    by_type = MatchGroupSerializer(many=True)
    by_model_and_type = MatchGroupSerializer(many=True)
    by_series = MatchGroupSerializer(many=True)
