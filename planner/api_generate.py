"""``POST /api/v1/cycles/generate/`` ``{name, release_date, weeks, release_id?}``: create a cycle
with its standard events learned from the imported series (``releases.generate``). For the PTL
(of any project), staff, or holders of ``releases.add_series``; 201 with the new cycle's events
and what placed each."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from planner.generate_services import schedule_generate
from releases import generate as gen
from squads import permissions as perms


class GenerateInput(serializers.Serializer):
    name = serializers.SlugField(max_length=40)
    release_date = serializers.DateField()
    weeks = serializers.IntegerField(min_value=1, max_value=gen.MAX_WEEKS, default=26)
    release_id = serializers.CharField(max_length=20, required=False, allow_blank=True)


class GeneratedEventSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    date = serializers.DateField()
    week = serializers.CharField(source="week_name", help_text="R-N: weeks before release.")
    rule = serializers.CharField(help_text="generated (Thursday of its week) or given.")
    placement = serializers.CharField(help_text="How its week was chosen, in words.")
    observations = serializers.SerializerMethodField(
        help_text="The past series' events it was learned from (e.g. 'ocata R-5')."
    )

    def get_observations(self, event: gen.GeneratedEvent) -> list[str]:
        return [o.label for o in event.observations]


class GeneratedCycleSerializer(serializers.Serializer):
    """The new cycle and, for each of its events, what placed it."""

    name = serializers.CharField(source="series.name")
    release_id = serializers.CharField(source="series.release_id")
    start_week = serializers.DateField(source="series.start_week")
    release_week = serializers.DateField(source="series.release_week")
    length_weeks = serializers.IntegerField(source="series.length_weeks")
    learned_from = serializers.ListField(
        child=serializers.CharField(), source="plan.series_observed"
    )
    reference_length = serializers.IntegerField(source="plan.reference_length")
    notes = serializers.ListField(child=serializers.CharField(), source="plan.notes")
    events = GeneratedEventSerializer(source="plan.events", many=True)


class CycleGenerateView(APIView):
    """Generate a new cycle's schedule from a release date and a length in weeks."""

    @extend_schema(
        request=GenerateInput,
        responses={201: GeneratedCycleSerializer},
    )
    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        # Asked before validation, so a refused user learns nothing from the errors.
        perms.require(perms.may_generate(request.user), perms.GENERATE_REFUSED)
        data = GenerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        series, plan = schedule_generate(
            actor=request.user,
            name=data.validated_data["name"],
            release_date=data.validated_data["release_date"],
            weeks=data.validated_data["weeks"],
            release_id=data.validated_data.get("release_id", ""),
        )
        body = GeneratedCycleSerializer({"series": series, "plan": plan}).data
        return Response(body, status=status.HTTP_201_CREATED)
