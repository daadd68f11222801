"""API of cascade re-planning.

``GET  /api/v1/cycles/{name}/replan/?event=o-ff&date=2017-02-02`` (or ``?shift_days=7``): preview.
``POST /api/v1/cycles/{name}/replan/`` ``{event, date | shift_days, fingerprint}``: apply (201,
``{"id": <re-plan id>, …preview}``); ``POST …/replan/{id}/undo/``: undo. Applying and undoing need
the ``releases.change_event`` permission (``squads.permissions.may_replan``).
"""

from __future__ import annotations

from datetime import date

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.as_of import EARLIEST, LATEST
from planner.forms import MAX_SHIFT_DAYS
from planner.models import Replan
from planner.replan_services import replan_apply, replan_preview, replan_undo
from releases.models import Series


class ReplanInput(serializers.Serializer):
    """The same bounds as the page's form: a shift of at most two years either way, a day
    within ``core.as_of``'s calendar (the cascade adds weeks to it)."""

    event = serializers.CharField(required=False, allow_blank=True, max_length=80)
    date = serializers.DateField(required=False, allow_null=True)
    shift_days = serializers.IntegerField(
        required=False, allow_null=True, min_value=-MAX_SHIFT_DAYS, max_value=MAX_SHIFT_DAYS
    )
    occurrence = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=1000,
        help_text="Which of the event's days moves: 0 (the default) is the first, the event's "
        "date, which the cascade follows; a later day moves alone.",
    )
    fingerprint = serializers.CharField(required=False, allow_blank=True, max_length=32)

    def validate_date(self, value: date | None) -> date | None:
        if value is not None and not EARLIEST <= value <= LATEST:
            raise serializers.ValidationError(f"A day from {EARLIEST} to {LATEST}.")
        return value

    def validate(self, attrs: dict) -> dict:
        if not attrs.get("shift_days") and not (attrs.get("event") and attrs.get("date")):
            raise serializers.ValidationError("Give event and date, or shift_days.")
        return attrs


class EventMoveSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    old = serializers.DateField()
    new = serializers.DateField()
    days = serializers.IntegerField()
    reason = serializers.CharField(help_text="Why it moves (the cascade rule), in words.")
    occurrence = serializers.IntegerField(
        help_text="Which of the event's days moves (0: the first, the event's date)."
    )
    occurrences = serializers.IntegerField(help_text="How many days the event has.")


class BranchCutMoveSerializer(serializers.Serializer):
    deliverable = serializers.CharField()
    anchor = serializers.CharField(allow_null=True, help_text="The event key it is anchored to.")
    old = serializers.DateField()
    new = serializers.DateField()
    backport_window_days = serializers.ListField(
        child=serializers.IntegerField(allow_null=True),
        min_length=2,
        max_length=2,
        help_text="Before and after.",
    )


class FFEMoveSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    blueprint = serializers.CharField()
    status = serializers.CharField()
    old = serializers.DateField(help_text="Its merge-by date now.")
    new = serializers.DateField(help_text="Its merge-by date after the move.")
    reason = serializers.CharField()


class BlueprintLateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    target = serializers.CharField(help_text="Its target milestone's event key.")
    target_date = serializers.DateField()
    reason = serializers.CharField()


def _before_after(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=serializers.DateField(allow_null=True),
        min_length=2,
        max_length=2,
        help_text=help_text,
    )


class ReplanPreviewSerializer(serializers.Serializer):
    """Everything a move changes (``planner.replan_services.Preview``), nothing written."""

    series = serializers.CharField()
    shift_days = serializers.IntegerField()
    fingerprint = serializers.CharField(help_text="Send it back to apply exactly this preview.")
    feature_freeze = _before_after("Feature freeze before and after.")
    rc1 = _before_after("RC1 before and after.")
    events = EventMoveSerializer(many=True)
    branch_cuts = BranchCutMoveSerializer(many=True)
    ffes = FFEMoveSerializer(many=True)
    blueprints = BlueprintLateSerializer(many=True)


class ReplanAppliedSerializer(ReplanPreviewSerializer):
    id = serializers.IntegerField(help_text="The re-plan's id: POST …/replan/{id}/undo/ undoes it.")


class ReplanUndoneSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    undone = serializers.IntegerField(help_text="The id of the re-plan undone.")


def _require_login(request: Request) -> None:
    if not request.user.is_authenticated:
        raise NotAuthenticated()


class ReplanView(APIView):
    """Preview (GET) or apply (POST) a move of one event, or a whole-cycle shift."""

    @extend_schema(
        parameters=[
            OpenApiParameter("event", str),
            OpenApiParameter("date", OpenApiTypes.DATE),
            OpenApiParameter("shift_days", int),
            OpenApiParameter(
                "occurrence", int, description="Which of the event's days moves (0: the first)."
            ),
        ],
        responses=ReplanPreviewSerializer,
    )
    def get(self, request: Request, name: str) -> Response:
        series = get_object_or_404(Series, name=name)
        data = ReplanInput(data=request.query_params)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        preview = replan_preview(
            series=series,
            key=v.get("event") or None,
            new_date=v.get("date"),
            shift_days=v.get("shift_days"),
            occurrence=v.get("occurrence"),
        )
        return Response(ReplanPreviewSerializer(preview.as_dict()).data)

    @extend_schema(request=ReplanInput, responses={201: ReplanAppliedSerializer})
    def post(self, request: Request, name: str) -> Response:
        _require_login(request)
        series = get_object_or_404(Series, name=name)
        data = ReplanInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        replan = replan_apply(
            series=series,
            actor=request.user,
            key=v.get("event") or None,
            new_date=v.get("date"),
            shift_days=v.get("shift_days"),
            occurrence=v.get("occurrence"),
            fingerprint=v.get("fingerprint") or None,
        )
        body = ReplanAppliedSerializer({"id": replan.pk, **replan.preview}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ReplanUndoView(APIView):
    """Undo an applied re-plan: every date it changed goes back."""

    @extend_schema(request=None, responses=ReplanUndoneSerializer)
    def post(self, request: Request, name: str, pk: int) -> Response:
        _require_login(request)
        series = get_object_or_404(Series, name=name)
        replan = get_object_or_404(Replan, pk=pk, series=series)
        replan_undo(replan=replan, actor=request.user)
        return Response(ReplanUndoneSerializer({"id": replan.pk, "undone": replan.pk}).data)
