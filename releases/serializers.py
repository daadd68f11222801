from rest_framework import serializers

from releases.models import Event, Series


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
    week = serializers.SerializerMethodField(help_text="The R-N name of the event's week.")
    rule = serializers.CharField(help_text="Which date rule produced the date.")

    class Meta:
        model = Event
        fields = [
            "key",
            "kind",
            "title",
            "date",
            "week",
            "rule",
            "team",
            "description",
            "source",
            "conflicts",
        ]

    def get_week(self, event: Event) -> str:
        return event.week.name if event.week else ""
