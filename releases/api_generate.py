"""``POST /api/v1/cycles/generate/`` ``{name, release_date, weeks, release_id?}``: create a cycle
with its standard events learned from the imported series (``releases.generate``). For the PTL
(of any project), staff, or holders of ``releases.add_series``; 201 with the new cycle's events
and what placed each."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotAuthenticated, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from releases import generate as gen
from releases.generate_services import schedule_generate
from squads.models import Project


class GenerateInput(serializers.Serializer):
    name = serializers.SlugField(max_length=40)
    release_date = serializers.DateField()
    weeks = serializers.IntegerField(min_value=1, max_value=gen.MAX_WEEKS, default=26)
    release_id = serializers.CharField(max_length=20, required=False, allow_blank=True)


def may_generate(user: object) -> bool:
    """Staff, holders of ``releases.add_series``, or the PTL of a project."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_staff or user.has_perm("releases.add_series"):
        return True
    return Project.objects.filter(ptl_group__user=user).exists()


class CycleGenerateView(APIView):
    """Generate a new cycle's schedule from a release date and a length in weeks."""

    @extend_schema(
        request=GenerateInput,
        responses={201: inline_serializer("GeneratedCycle", {"name": serializers.CharField()})},
    )
    def post(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        if not may_generate(request.user):
            raise PermissionDenied("Only the PTL or staff generate cycles.")
        data = GenerateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            series, plan = schedule_generate(
                actor=request.user,
                name=data.validated_data["name"],
                release_date=data.validated_data["release_date"],
                weeks=data.validated_data["weeks"],
                release_id=data.validated_data.get("release_id", ""),
            )
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            raise ValidationError(detail) from exc
        return Response(
            {
                "name": series.name,
                "release_id": series.release_id,
                "start_week": series.start_week,
                "release_week": series.release_week,
                "length_weeks": series.length_weeks,
                "learned_from": list(plan.series_observed),
                "reference_length": plan.reference_length,
                "notes": list(plan.notes),
                "events": [
                    {
                        "key": e.key,
                        "kind": e.kind,
                        "title": e.title,
                        "date": e.date,
                        "week": e.week_name,
                        "rule": e.rule,
                        "placement": e.placement,
                        "observations": [o.label for o in e.observations],
                    }
                    for e in plan.events
                ],
            },
            status=status.HTTP_201_CREATED,
        )


# Included by releases/api_urls.py at ``cycles/generate/``, ahead of ``cycles/<slug:name>/``.
urlpatterns = [path("", CycleGenerateView.as_view(), name="api-cycle-generate")]
