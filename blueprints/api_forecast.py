"""API of the risk forecast and the freeze checks (issue 6): read-only, anonymous like the rest.

``GET /api/v1/blueprints/{id}/forecast/``, ``GET /api/v1/cycles/{name}/forecast/``
(``?project=``, ``?squad=``, ``?flagged=true``) and ``GET /api/v1/problems/`` (``?series=``);
every one takes ``?as_of=YYYY-MM-DD``. A separate endpoint rather than a field of the blueprint
list, so the list's query count stays what it is.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from blueprints import selectors
from blueprints.forecast_selectors import problem_list, risk_get, risk_list
from blueprints.models import Blueprint
from core.as_of import parse_as_of
from releases.models import Series


class ForecastSerializer(serializers.Serializer):
    score = serializers.IntegerField()
    level = serializers.CharField()
    flagged = serializers.BooleanField()
    deadline = serializers.DateField(allow_null=True)
    deadline_label = serializers.CharField()
    weeks_left = serializers.FloatField(allow_null=True)
    rate_per_week = serializers.FloatField(allow_null=True)
    needed_per_week = serializers.FloatField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class FreezeProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class BlueprintRiskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    series = serializers.CharField()
    squad = serializers.CharField(allow_null=True)
    implementation_status = serializers.CharField()
    target_milestone = serializers.CharField(allow_null=True)
    forecast = ForecastSerializer()
    freeze_problems = FreezeProblemSerializer(many=True)


AS_OF = OpenApiParameter("as_of", OpenApiTypes.DATE, description="Forecast as of this day.")


def _as_of(request: Request):  # noqa: ANN202
    return parse_as_of(request.query_params.get("as_of")) or timezone.localdate()


class BlueprintForecastView(APIView):
    """One blueprint's forecast and freeze problems, with the reasons in words."""

    @extend_schema(parameters=[AS_OF], responses=BlueprintRiskSerializer)
    def get(self, request: Request, pk: int) -> Response:
        blueprint = get_object_or_404(selectors.blueprint_list(), pk=pk)
        return Response(risk_get(blueprint=blueprint, as_of=_as_of(request)).as_dict())


class CycleForecastView(APIView):
    """Forecast of every blueprint of a cycle (one query whatever the number), riskiest first."""

    @extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter("project", str),
            OpenApiParameter("squad", str),
            OpenApiParameter("flagged", bool),
        ],
        responses=BlueprintRiskSerializer(many=True),
    )
    def get(self, request: Request, name: str) -> Response:
        series = get_object_or_404(Series, name=name)
        blueprints = Blueprint.objects.filter(series=series)
        if project := request.query_params.get("project"):
            blueprints = blueprints.filter(project__name=project)
        if squad := request.query_params.get("squad"):
            blueprints = blueprints.filter(squad__slug=squad)
        rows = risk_list(blueprints=blueprints.order_by("name", "pk"), as_of=_as_of(request))
        if request.query_params.get("flagged") in ("1", "true", "yes"):
            rows = [r for r in rows if r.forecast.flagged]
        rows.sort(key=lambda r: (-r.forecast.score, r.blueprint.name))
        return Response([r.as_dict() for r in rows])


class ProblemListView(APIView):
    """Every blueprint breaking a feature-freeze rule, in every cycle (or ``?series=``)."""

    @extend_schema(
        parameters=[AS_OF, OpenApiParameter("series", str)],
        responses=BlueprintRiskSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        ids = None
        if name := request.query_params.get("series"):
            ids = list(Series.objects.filter(name=name).values_list("pk", flat=True))
        rows = problem_list(as_of=_as_of(request), series_ids=ids)
        return Response([r.as_dict() for r in rows])
