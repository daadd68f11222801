"""API of the risk forecast and the freeze checks: read-only, anonymous like the rest.

``GET /api/v1/blueprints/{id}/forecast/``, ``GET /api/v1/cycles/{name}/forecast/``
(``?project=``, ``?squad=``, ``?flagged=true``) and ``GET /api/v1/problems/`` (``?series=``);
every one takes ``?as_of=YYYY-MM-DD``. A separate endpoint rather than a field of the blueprint
list, so the list's query count stays what it is.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from blueprints import selectors
from blueprints.forecast_selectors import problem_list, risk_get, risk_list
from blueprints.models import Blueprint
from core import clock
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


def _as_of(request: Request):
    return parse_as_of(request.query_params.get("as_of")) or clock.today()


class BlueprintForecastView(APIView):
    """One blueprint's forecast and freeze problems, with the reasons in words."""

    @extend_schema(parameters=[AS_OF], responses=BlueprintRiskSerializer)
    def get(self, request: Request, pk: int) -> Response:
        blueprint = get_object_or_404(selectors.blueprint_list(), pk=pk)
        return Response(risk_get(blueprint=blueprint, as_of=_as_of(request)).as_dict())


class CycleForecastFilter(filters.FilterSet):
    project = filters.CharFilter(field_name="project__name", help_text="Project name.")
    squad = filters.CharFilter(field_name="squad__slug", help_text="Squad slug, e.g. ci.")
    # Flagging needs the forecast itself: validated here (so it is in the schema), applied by
    # the view once the forecast is computed.
    flagged = filters.BooleanFilter(method="keep_all", help_text="Only blueprints flagged.")

    class Meta:
        model = Blueprint
        fields = ["project", "squad", "flagged"]

    def keep_all(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset


class CycleForecastView(GenericAPIView):
    """Forecast of every blueprint of a cycle (one query whatever the number), riskiest first."""

    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = CycleForecastFilter
    pagination_class = None
    queryset = Blueprint.objects.none()  # the schema generator's model; rows come from get()

    @extend_schema(parameters=[AS_OF], responses=BlueprintRiskSerializer(many=True))
    def get(self, request: Request, name: str) -> Response:
        series = get_object_or_404(Series, name=name)
        filterset = self.filterset_class(
            request.query_params, queryset=Blueprint.objects.filter(series=series)
        )
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        blueprints = filterset.qs.order_by("name", "pk")
        rows = risk_list(blueprints=blueprints, as_of=_as_of(request))
        if filterset.form.cleaned_data.get("flagged"):
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
