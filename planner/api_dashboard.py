"""``GET /api/v1/cycles/{name}/dashboard/?as_of=&project=&squad=``: the dashboard's JSON twin.

Built by the page's own selector (``planner.dashboard.dashboard``), so the page and the API
show the same numbers on the same day: the state on ``as_of`` from the typed history.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from blueprints.forecast import LEVEL_LABELS
from blueprints.models import BlueprintHistory
from core import clock
from core.as_of import DAY_SCHEMA, BadQueryParameter, parse_as_of
from planner.dashboard import (
    DashboardFilters,
    attention_entries,
    attention_queryset,
    dashboard,
    day_rows,
    default_project,
)
from releases.models import Series
from squads.models import Project, Squad


class TotalsSerializer(serializers.Serializer):
    blueprints = serializers.IntegerField(help_text="Blueprints of the cycle on the day.")
    implemented = serializers.IntegerField(help_text='"Done": Implemented on the day.')
    at_risk = serializers.IntegerField(help_text="Flagged by the forecast on the day.")


class ReviewCountsSerializer(serializers.Serializer):
    open = serializers.IntegerField()
    merged = serializers.IntegerField()
    abandoned = serializers.IntegerField()
    total = serializers.IntegerField()


class SquadSummarySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    blueprints = serializers.IntegerField()
    implemented = serializers.IntegerField()
    at_risk = serializers.IntegerField()
    by_status = serializers.DictField(
        child=serializers.IntegerField(), help_text="Implementation status → blueprints."
    )
    reviews = ReviewCountsSerializer()


class AttentionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    squad = serializers.CharField(allow_null=True)
    priority = serializers.CharField()
    implementation_status = serializers.CharField()
    target_milestone = serializers.CharField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class FlaggedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    title = serializers.CharField()
    squad = serializers.CharField(allow_null=True)
    level = serializers.ChoiceField(choices=list(LEVEL_LABELS))
    score = serializers.IntegerField()
    deadline = serializers.DateField(allow_null=True)


class ForecastSummarySerializer(serializers.Serializer):
    levels = serializers.DictField(child=serializers.IntegerField(), help_text="Level → count.")
    flagged_total = serializers.IntegerField()
    flagged = FlaggedSerializer(many=True, help_text="The riskiest first (capped).")


class DashboardFFESerializer(serializers.Serializer):
    id = serializers.IntegerField()
    blueprint = serializers.CharField()
    squad = serializers.CharField(allow_null=True)
    requested_by = serializers.CharField()
    requested_on = serializers.DateField()
    merge_by = serializers.DateField()
    risk = serializers.CharField()
    status = serializers.CharField(help_text="On the day: Requested or Granted.")


class FFEListsSerializer(serializers.Serializer):
    pending = DashboardFFESerializer(many=True)
    granted = DashboardFFESerializer(many=True)


class DeadlineSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField()
    title = serializers.CharField()
    date = serializers.DateField()
    days = serializers.IntegerField(help_text="Days from as_of to it.")
    week = serializers.CharField(allow_null=True, help_text="Its week (R-N).")


class DashboardSerializer(serializers.Serializer):
    series = serializers.CharField()
    project = serializers.CharField(allow_null=True)
    as_of = serializers.DateField()
    totals = TotalsSerializer(allow_null=True)
    squads = SquadSummarySerializer(many=True)
    needs_attention = AttentionSerializer(many=True, help_text="Capped; see the total.")
    needs_attention_total = serializers.IntegerField()
    forecast = ForecastSummarySerializer(allow_null=True)
    ffes = FFEListsSerializer()
    reviews = ReviewCountsSerializer(allow_null=True)
    next_deadline = DeadlineSerializer(allow_null=True)


def _ffe(f: Any) -> dict[str, Any]:
    return {
        "id": f.pk,
        "blueprint": f.blueprint.name,
        "squad": f.blueprint.squad.slug if f.blueprint.squad_id else None,
        "requested_by": f.requested_by.get_username(),
        "requested_on": f.requested_on,
        "merge_by": f.merge_by,
        "risk": f.risk,
        "status": f.status,
    }


def _attention(bp: Any, reasons: list[str]) -> dict[str, Any]:
    return {
        "id": bp.pk,
        "name": bp.name,
        "title": bp.title,
        "squad": bp.squad.slug if bp.squad else None,
        "priority": bp.priority,
        "implementation_status": bp.implementation_status,
        "target_milestone": bp.target_milestone.key if bp.target_milestone else None,
        "reasons": reasons,
    }


def dashboard_json(context: dict[str, Any]) -> dict[str, Any]:
    """The dashboard selector's result in the API's shape."""
    nxt, week = context["next_event"], context["next_event_week"]
    body: dict[str, Any] = {
        "series": context["series"].name,
        "project": context["project"].name if context["project"] else None,
        "as_of": context["as_of"],
        "next_deadline": {
            "key": nxt.key,
            "kind": nxt.kind,
            "title": nxt.title,
            "date": nxt.date,
            "days": context["days_to_next"],
            "week": week.name if week else None,
        }
        if nxt
        else None,
        "totals": None,
        "squads": [],
        "needs_attention": [],
        "needs_attention_total": 0,
        "forecast": None,
        "ffes": {"pending": [], "granted": []},
        "reviews": None,
    }
    if context["project"] is None:
        return body
    totals = context["totals"]
    body["totals"] = {
        "blueprints": totals["total"],
        "implemented": totals["done"],
        "at_risk": totals["at_risk"],
    }
    body["squads"] = [
        {
            "slug": row.squad.slug,
            "name": row.squad.name,
            "blueprints": row.total,
            "implemented": row.done,
            "at_risk": row.at_risk,
            "by_status": dict(row.by_status),
            "reviews": row.reviews,
        }
        for row in context["squads"]
    ]
    body["needs_attention"] = [_attention(bp, reasons) for bp, reasons in context["attention"]]
    body["needs_attention_total"] = context["attention_total"]
    body["forecast"] = {
        "levels": dict(context["risk_levels"]),
        "flagged_total": context["risk_flagged_total"],
        "flagged": [
            {
                "id": r.blueprint.pk,
                "name": r.blueprint.name,
                "title": r.blueprint.title,
                "squad": r.blueprint.squad.slug if r.blueprint.squad_id else None,
                "level": r.forecast.level,
                "score": r.forecast.score,
                "deadline": r.forecast.deadline,
            }
            for r in context["risk_flagged"]
        ],
    }
    body["ffes"] = {
        "pending": [_ffe(f) for f in context["ffes_pending"]],
        "granted": [_ffe(f) for f in context["ffes_granted"]],
    }
    body["reviews"] = context["reviews"]
    return body


PARAMETERS = [
    OpenApiParameter("as_of", DAY_SCHEMA, description="The day to show (YYYY-MM-DD)."),
    OpenApiParameter("project", str, description="Project name (default: the first)."),
    OpenApiParameter("squad", str, description="Only this squad's blueprints (slug)."),
]


def _params(request: Request, name: str) -> tuple[Series, Project | None, date, DashboardFilters]:
    """The series, project, day and squad filter asked for; 400 naming a bad parameter."""
    series = get_object_or_404(Series, name=name)
    as_of = parse_as_of(request.query_params.get("as_of")) or clock.today()
    project_name = request.query_params.get("project", "").strip()
    if project_name:
        project = Project.objects.filter(name=project_name).first()
        if project is None:
            raise BadQueryParameter("project", f"no project named {project_name[:40]!r}.")
    else:
        project = default_project()
    squad = request.query_params.get("squad", "").strip()
    if squad and not Squad.objects.filter(slug=squad, project=project).exists():
        raise BadQueryParameter("squad", f"no squad {squad[:40]!r} in this project.")
    return series, project, as_of, DashboardFilters(squad=squad)


class CycleDashboardView(APIView):
    """The cycle dashboard as data: totals, squads, needs attention, forecast, FFEs, reviews
    and the next deadline, all as they stood on ``as_of`` (default: the server's today).
    "implemented" counts Implemented blueprints; "at_risk" those the forecast flags."""

    @extend_schema(parameters=PARAMETERS, responses=DashboardSerializer)
    def get(self, request: Request, name: str) -> Response:
        series, project, as_of, filters = _params(request, name)
        context = dashboard(series=series, project=project, as_of=as_of, filters=filters)
        return Response(DashboardSerializer(dashboard_json(context)).data)


class CycleAttentionView(GenericAPIView):
    """Every blueprint needing attention on ``as_of`` (the dashboard shows the first ones),
    highest priority first, paginated."""

    serializer_class = AttentionSerializer
    queryset = BlueprintHistory.objects.none()  # the schema generator's model
    filter_backends: list = []

    @extend_schema(parameters=PARAMETERS, responses=AttentionSerializer(many=True))
    def get(self, request: Request, name: str) -> Response:
        series, project, as_of, filters = _params(request, name)
        if project is None:
            raise BadQueryParameter("project", "there is no project yet.")
        rows = day_rows(project=project, series=series, as_of=as_of, filters=filters)
        found = attention_queryset(rows=rows)
        page = self.paginate_queryset(found.only("pk"))
        page = found.filter(pk__in=[row.pk for row in page])
        return self.get_paginated_response(
            AttentionSerializer(
                [_attention(bp, r) for bp, r in attention_entries(page)], many=True
            ).data
        )
