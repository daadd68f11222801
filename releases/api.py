"""Read-only REST API of release cycles and their milestones (anonymous read allowed)."""

from collections.abc import Callable
from datetime import datetime

from django.db.models import Max
from django.http import Http404
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from core.filters import ExistingValueField, ExistingValueFilter, StrictBooleanFilter
from releases import conditional, selectors
from releases.kinds import EventKind
from releases.models import BranchCut, DeliverableType, Event, Occurrence, ReleaseModel, Series
from releases.serializers import (
    BranchCutSerializer,
    BranchReportSerializer,
    CycleSerializer,
    MilestoneSerializer,
)


class CycleFilter(filters.FilterSet):
    status = ExistingValueFilter(
        field_name="status",
        queryset=Series.objects.all(),
        to_field_name="status",
        help_text="Only series of this status (e.g. maintained, development).",
    )
    scheduled = StrictBooleanFilter(
        field_name="start_week",
        lookup_expr="isnull",
        exclude=True,
        label="Only series with a published schedule.",
    )

    class Meta:
        model = Series
        fields = ["status", "scheduled"]


class TeamField(ExistingValueField):
    """A team some event belongs to, or ``all``."""

    def validate(self, value: object) -> None:
        if value == ALL_TEAMS:
            return
        super().validate(value)


class TeamFilter(ExistingValueFilter):
    field_class = TeamField


ALL_TEAMS = "all"


class MilestoneFilter(filters.FilterSet):
    """The rows of a cycle's schedule (``selectors.occurrence_list`` gives them, by team).

    ``?kind=`` alone keeps the cycle's own shortcut: its own events of that kind (``?kind=rc1``
    is the cycle's RC1, not the next series' listed in its weeks); ``?series=`` names the
    owning series instead.
    """

    team = TeamFilter(
        field_name="event__team",
        queryset=Event.objects.exclude(team=""),
        to_field_name="team",
        method="keep_all",
        help_text="Also this team's project-specific events (e.g. nova); `all` for every team's.",
    )
    kind = filters.ChoiceFilter(
        field_name="event__kind",
        choices=EventKind.choices,
        help_text="Only events of this kind (of the cycle's own events unless `series` is given).",
    )
    series = ExistingValueFilter(
        field_name="event__series__name",
        queryset=Series.objects.all(),
        to_field_name="name",
        help_text="Only events belonging to this series (the cycle itself, the next one …).",
    )

    class Meta:
        model = Occurrence
        fields = ["team", "kind", "series"]

    def keep_all(self, queryset: object, name: str, value: str) -> object:
        return queryset  # the selector applies the team (it decides cross-project + team)


class ConditionalGetMixin:
    """Answer 304 from the data version before the queryset is serialised."""

    conditional_get = True  # the schema documents If-None-Match and the 304 (core.openapi)

    def conditional(
        self,
        request: Request,
        *,
        scope: str,
        updated_at: datetime | None,
        render: Callable[[], Response],
    ) -> Response:
        etag, last_modified = conditional.validators(request, scope=scope, updated_at=updated_at)
        early = conditional.not_modified(request, etag=etag, last_modified=last_modified)
        if early is not None:
            return Response(status=early.status_code, headers={"ETag": etag})
        return conditional.stamp(render(), etag=etag, last_modified=last_modified)


@extend_schema(tags=["cycles"])
class CycleViewSet(ConditionalGetMixin, viewsets.ReadOnlyModelViewSet):
    """Release cycles (series), newest first; ``{name}`` is the series name, e.g. ``ocata``."""

    serializer_class = CycleSerializer
    lookup_field = "name"
    filterset_class = CycleFilter
    ordering_fields = ["position", "name", "release_week"]

    def get_queryset(self):
        return selectors.series_list()

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        updated = Series.objects.aggregate(latest=Max("updated_at"))["latest"]
        return self.conditional(
            request,
            scope="cycles",
            updated_at=updated,
            render=lambda: super(CycleViewSet, self).list(request, *args, **kwargs),
        )

    def retrieve(self, request: Request, *args: object, **kwargs: object) -> Response:
        series = get_object_or_404(Series, name=kwargs["name"])
        return self.conditional(
            request,
            scope=f"cycle:{series.pk}",
            updated_at=series.updated_at,
            render=lambda: Response(self.get_serializer(series).data),
        )

    @extend_schema(responses=MilestoneSerializer(many=True))
    @action(
        detail=True,
        url_path="milestones",
        url_name="milestones",
        pagination_class=None,
        filter_backends=[filters.DjangoFilterBackend],
        filterset_class=MilestoneFilter,
        queryset=Occurrence.objects.none(),
    )
    def milestones(self, request: Request, name: str | None = None) -> Response:
        """The cycle's schedule, one row per occurrence (a day or span of days an event happens
        on), cross-project unless ``?team=`` asks for a team's too.

        It lists everything the cycle's own schedule lists, other series' events included
        (``series`` names whose each is), plus its own events listed only elsewhere. Each row
        says which rule gave its dates (``stated`` in the prose, ``thursday`` of its week…).
        """
        version = conditional.series_version(name or "")
        if version is None:
            raise Http404("No series called that.")
        series_id, updated_at = version
        filterset = MilestoneFilter(request.query_params, queryset=Occurrence.objects.none())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        cleaned = filterset.form.cleaned_data
        team = (cleaned.get("team") or "").strip()
        kind = cleaned.get("kind") or ""
        owner = cleaned.get("series") or ""

        def render() -> Response:
            # The serialised rows are cached per data version: a write moves updated_at, so
            # the next request misses and reads fresh rows; the cache's short timeout bounds
            # writes that do not move it.
            stamp = updated_at.timestamp() if updated_at else 0.0
            key = f"milestones:{series_id}:{stamp}:{team}:{kind}:{owner}"
            data = conditional.cache_get(key)
            if data is None:
                rows = selectors.occurrence_list(
                    series=Series(pk=series_id),
                    team=None if team == ALL_TEAMS else team,
                    include_all_teams=team == ALL_TEAMS,
                )
                if kind:
                    rows = rows.filter(event__kind=kind)
                    if not owner:
                        rows = rows.filter(event__series_id=series_id)
                if owner:
                    rows = rows.filter(event__series__name=owner)
                data = MilestoneSerializer(rows, many=True).data
                conditional.cache_set(key, data)
            return Response(data)

        return self.conditional(
            request, scope=f"milestones:{series_id}", updated_at=updated_at, render=render
        )


# --- Branch cuts -------------------------------------------------------------------------------


class BranchCutFilter(filters.FilterSet):
    team = ExistingValueFilter(
        field_name="team",
        lookup_expr="iexact",
        queryset=BranchCut.objects.all(),
        to_field_name="team__iexact",
        help_text="Only this team's deliverables.",
    )
    model = filters.ChoiceFilter(
        field_name="release_model",
        choices=ReleaseModel.choices,
        help_text="Only this release model.",
    )
    type = filters.ChoiceFilter(choices=DeliverableType.choices, help_text="Only this type.")

    class Meta:
        model = BranchCut
        fields = ["team", "model", "type"]


@extend_schema(tags=["cycles"])
class BranchCutList(ConditionalGetMixin, generics.ListAPIView):
    """The series' planned stable-branch cuts, one row per deliverable, by deliverable name.

    Planned date = the rule's (or the team's/deliverable's policy's) anchor event + offset;
    ``backport_window_days`` runs from the cut to the series' release; ``actual_date`` is when
    the branch really merged upstream, when known.
    """

    serializer_class = BranchCutSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = BranchCutFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no series
            return BranchCut.objects.none()
        return selectors.branch_cut_list(series=self.series)

    def list(self, request: Request, *args: object, **kwargs: object) -> Response:
        self.series = get_object_or_404(Series, name=kwargs["name"])
        return self.conditional(
            request,
            scope=f"branch-cuts:{self.series.pk}",
            updated_at=self.series.updated_at,
            render=lambda: super(BranchCutList, self).list(request, *args, **kwargs),
        )


class BranchReportFilter(filters.FilterSet):
    """``?from=`` and ``?to=``: the first and last series of the report (declared below the
    class, ``from`` being a Python keyword)."""

    class Meta:
        model = Series
        fields: list[str] = []

    def keep_all(self, queryset: object, name: str, value: str) -> object:
        return queryset


BranchReportFilter.base_filters.update(
    {
        param: ExistingValueFilter(
            field_name="name",
            queryset=Series.objects.all(),
            to_field_name="name",
            method="keep_all",
            help_text=f"{which} series of the range, by name (default {default}).",
        )
        for param, which, default in (("from", "First", "ocata"), ("to", "Last", "flamingo"))
    }
)


@extend_schema(tags=["cycles"])
class BranchReportView(generics.GenericAPIView):
    """How far actual cuts fell from the plan (share within 7 days, median lag), overall and per
    release model, type, model+type and series; ``?from=ocata&to=flamingo``."""

    serializer_class = BranchReportSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = BranchReportFilter
    pagination_class = None
    queryset = Series.objects.none()  # the schema generator's model; the report is computed

    def get(self, request: Request) -> Response:
        filterset = BranchReportFilter(request.query_params, queryset=Series.objects.none())
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        first = filterset.form.cleaned_data.get("from") or "ocata"
        last = filterset.form.cleaned_data.get("to") or "flamingo"
        report = selectors.branch_report(first=first, last=last)
        return Response(self.get_serializer(report).data)
