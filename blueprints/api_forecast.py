"""API of the risk forecast and the freeze checks: read-only, anonymous like the rest.

``GET /api/v1/blueprints/{id}/forecast/``, ``GET /api/v1/cycles/{name}/forecast/``
(``?project=``, ``?squad=``, ``?flagged=true``) and ``GET /api/v1/problems/`` (``?series=``);
every one takes ``?as_of=YYYY-MM-DD``. A separate endpoint rather than a field of the blueprint
list, so the list's query count stays what it is. The two lists are paginated like every list
(``limit``/``offset``), after sorting, so pages never overlap.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from blueprints import forecast as fc
from blueprints import selectors
from blueprints.api import project_filter, series_filter, squad_filter
from blueprints.forecast_selectors import BlueprintRisk, problem_list, risk_get, risk_list
from blueprints.models import Blueprint
from core import clock
from core.as_of import DAY_SCHEMA, parse_as_of
from core.filters import StrictBooleanFilter
from releases.models import Series


class RoundedFloatField(serializers.FloatField):
    """A float shown to ``places`` decimals (rates and weeks read better that way)."""

    def __init__(self, *, places: int, **kwargs: Any) -> None:
        self.places = places
        super().__init__(**kwargs)

    def to_representation(self, value: float) -> float:
        return round(super().to_representation(value), self.places)


class ForecastSerializer(serializers.Serializer):
    score = serializers.IntegerField(help_text="0 (on track) to 100 (certain to miss).")
    level = serializers.ChoiceField(choices=list(fc.LEVEL_LABELS))
    flagged = serializers.BooleanField(help_text="At risk, likely late, or late.")
    deadline = serializers.DateField(allow_null=True)
    deadline_label = serializers.CharField()
    weeks_left = RoundedFloatField(places=1, allow_null=True)
    rate_per_week = RoundedFloatField(
        places=2, source="rate", allow_null=True, help_text="Work items done per week lately."
    )
    needed_per_week = RoundedFloatField(
        places=2, source="needed_rate", allow_null=True, help_text="Needed to make the deadline."
    )
    reasons = serializers.ListField(child=serializers.CharField(), help_text="In words.")


class FreezeProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class BlueprintRiskSerializer(serializers.Serializer):
    """A blueprint with its forecast and the feature-freeze rules it breaks."""

    id = serializers.IntegerField(source="blueprint.pk")
    name = serializers.CharField(source="blueprint.name")
    title = serializers.CharField(source="blueprint.title")
    series = serializers.CharField(source="blueprint.series.name")
    squad = serializers.CharField(source="blueprint.squad.slug", allow_null=True)
    implementation_status = serializers.CharField(source="blueprint.implementation_status")
    target_milestone = serializers.CharField(
        source="blueprint.target_milestone.key", allow_null=True
    )
    forecast = ForecastSerializer()
    freeze_problems = FreezeProblemSerializer(source="problems", many=True)


AS_OF = OpenApiParameter("as_of", DAY_SCHEMA, description="Forecast as of this day.")


def _as_of(request: Request):
    return parse_as_of(request.query_params.get("as_of")) or clock.today()


class BlueprintForecastView(GenericAPIView):
    """One blueprint's forecast and freeze problems, with the reasons in words."""

    serializer_class = BlueprintRiskSerializer
    queryset = Blueprint.objects.none()  # the schema generator's model; the row is read in get()

    @extend_schema(parameters=[AS_OF], responses=BlueprintRiskSerializer)
    def get(self, request: Request, pk: int) -> Response:
        blueprint = get_object_or_404(selectors.blueprint_list(), pk=pk)
        risk = risk_get(blueprint=blueprint, as_of=_as_of(request))
        if risk is None:
            raise NotFound("This blueprint did not exist yet on as_of.")
        return Response(self.get_serializer(risk).data)


class RiskListView(GenericAPIView):
    """A list of forecasts: validated filters, the rows sorted, then one page of them."""

    serializer_class = BlueprintRiskSerializer
    filter_backends = [filters.DjangoFilterBackend]
    queryset = Blueprint.objects.none()  # the schema generator's model; rows come from get()

    def filtered(self, queryset: QuerySet) -> tuple[QuerySet, dict[str, Any]]:
        filterset = self.filterset_class(self.request.query_params, queryset=queryset)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs, filterset.form.cleaned_data

    def page_of(self, rows: list[BlueprintRisk]) -> Response:
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class CycleForecastFilter(filters.FilterSet):
    project = project_filter("project")
    squad = squad_filter("squad")
    # Flagging needs the forecast itself: validated here (so it is in the schema), applied by
    # the view once the forecast is computed.
    flagged = StrictBooleanFilter(method="keep_all", help_text="Only blueprints flagged.")

    class Meta:
        model = Blueprint
        fields = ["project", "squad", "flagged"]

    def keep_all(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset


class CycleForecastView(RiskListView):
    """Forecast of every blueprint of a cycle (one query whatever the number), riskiest first."""

    filterset_class = CycleForecastFilter

    @extend_schema(parameters=[AS_OF], responses=BlueprintRiskSerializer(many=True))
    def get(self, request: Request, name: str) -> Response:
        series = get_object_or_404(Series, name=name)
        as_of = _as_of(request)
        # The cycle's blueprints on that day (those moved in or out since count as then).
        on_day = selectors.history_on(day=as_of).filter(series=series).values("blueprint_id")
        blueprints, values = self.filtered(Blueprint.objects.filter(pk__in=on_day))
        rows = risk_list(blueprints=blueprints.order_by("name", "pk"), as_of=as_of)
        if values.get("flagged"):
            rows = [r for r in rows if r.forecast.flagged]
        rows.sort(key=lambda r: (-r.forecast.score, r.blueprint.name, r.blueprint.pk))
        return self.page_of(rows)


class ProblemFilter(filters.FilterSet):
    series = series_filter("series")

    class Meta:
        model = Blueprint
        fields = ["series"]


class ProblemListView(RiskListView):
    """Every blueprint breaking a feature-freeze rule, in every cycle (or ``?series=``)."""

    filterset_class = ProblemFilter

    @extend_schema(parameters=[AS_OF], responses=BlueprintRiskSerializer(many=True))
    def get(self, request: Request) -> Response:
        _, values = self.filtered(Blueprint.objects.none())
        ids = None
        if name := values.get("series"):
            ids = list(Series.objects.filter(name=name).values_list("pk", flat=True))
        rows = problem_list(as_of=_as_of(request), series_ids=ids)
        return self.page_of(rows)
