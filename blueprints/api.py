"""REST API for blueprints, work items, FFEs and FFE policies.

``perform_create``/``perform_update`` call the services, which check roles again and write
the audit trail; ``RolePermission`` refuses writes on objects the user may not touch.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from blueprints import selectors, services
from blueprints.models import (
    Blueprint,
    BlueprintHistory,
    DefinitionStatus,
    FeatureFreezeException,
    FFEPolicy,
    FFEStatus,
    ImplementationStatus,
    Priority,
    WorkItem,
    WorkItemStatus,
)
from blueprints.serializers import (
    AuditEntrySerializer,
    BlueprintHistorySerializer,
    BlueprintSerializer,
    FFEDecisionSerializer,
    FFEMergedSerializer,
    FFEPolicySerializer,
    FFESerializer,
    WorkItemSerializer,
)
from blueprints.services.work_items import ASSIGNEE_EDITABLE
from core.api import PlannerViewSetMixin
from core.as_of import DAY_SCHEMA, parse_as_of
from core.etags import ETagConcurrencyMixin, ETagDestroyMixin
from core.filters import ExistingIdFilter, ExistingValueFilter, StrictOrderingFilter
from releases.models import Event, Series
from squads import permissions as perms
from squads.models import Project, Squad


def project_filter(path: str) -> ExistingValueFilter:
    return ExistingValueFilter(
        field_name=f"{path}__name",
        queryset=Project.objects.all(),
        to_field_name="name",
        help_text="Project name, e.g. tripleo.",
    )


def series_filter(path: str) -> ExistingValueFilter:
    return ExistingValueFilter(
        field_name=f"{path}__name",
        queryset=Series.objects.all(),
        to_field_name="name",
        help_text="Series name, e.g. ocata.",
    )


def squad_filter(path: str) -> ExistingValueFilter:
    return ExistingValueFilter(
        field_name=f"{path}__slug",
        queryset=Squad.objects.all(),
        to_field_name="slug",
        help_text="Squad slug, e.g. ci.",
    )


def user_filter(path: str) -> ExistingValueFilter:
    return ExistingValueFilter(
        field_name=f"{path}__username",
        queryset=get_user_model().objects.all(),
        to_field_name="username",
        help_text="Username.",
    )


class BlueprintFilter(filters.FilterSet):
    project = project_filter("project")
    series = series_filter("series")
    squad = squad_filter("squad")
    priority = filters.ChoiceFilter(choices=Priority.choices)
    definition_status = filters.ChoiceFilter(choices=DefinitionStatus.choices)
    implementation_status = filters.ChoiceFilter(choices=ImplementationStatus.choices)
    milestone = ExistingValueFilter(
        method="filter_milestone",
        queryset=Event.objects.all(),
        to_field_name=("key", "kind"),
        help_text="Event key (o-2) or kind (milestone-2).",
    )
    assignee = user_filter("assignee")

    class Meta:
        model = Blueprint
        fields = [
            "project",
            "series",
            "squad",
            "priority",
            "definition_status",
            "implementation_status",
            "milestone",
            "assignee",
        ]

    def filter_milestone(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(Q(target_milestone__key=value) | Q(target_milestone__kind=value))


class BlueprintOnDayFilter(BlueprintFilter):
    """The same parameters, on the blueprints' history rows of a day (``?as_of=``): a
    blueprint is filtered by its squad, status, milestone… of that day."""

    project = project_filter("blueprint__project")

    class Meta(BlueprintFilter.Meta):
        model = BlueprintHistory


AS_OF = OpenApiParameter(
    "as_of",
    DAY_SCHEMA,
    description="Show each blueprint as it stood on this day (its planning fields and "
    "work-item counts from its history); blueprints created after it are left out.",
)


def _blueprint_writer(user: Any, blueprint: Blueprint) -> bool:
    return perms.can_edit_blueprint(user, blueprint)


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF]), retrieve=extend_schema(parameters=[AS_OF])
)
class BlueprintViewSet(
    ETagConcurrencyMixin,  # ETag on GET, If-Match -> 412 when stale
    PlannerViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Blueprints. Not deleted (as on Launchpad): retire one with definition status
    Obsolete or Superseded."""

    serializer_class = BlueprintSerializer
    filterset_class = BlueprintFilter
    ordering_fields = ["name", "priority", "implementation_status", "target_milestone__date"]
    object_permissions = {"update": _blueprint_writer, "partial_update": _blueprint_writer}
    create_parents = ("project", "squad")
    create_permission = staticmethod(
        lambda user, data, project, squad: perms.can_create_blueprint(user, project, squad)
    )

    def get_queryset(self) -> QuerySet[Blueprint]:
        if self.action in ("history", "planning_history"):
            return selectors.blueprint_list()
        return selectors.with_reviews(selectors.blueprint_list())

    def as_of(self) -> date | None:
        """``?as_of=`` on the reads (list and detail); writes ignore it."""
        if self.action not in ("list", "retrieve"):
            return None
        return parse_as_of(self.request.query_params.get("as_of"))

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        day = self.as_of()
        if day is None or self.action != "list":
            return super().filter_queryset(queryset)
        # As of a day: the filters apply to each blueprint's history row of that day.
        rows = BlueprintOnDayFilter(
            self.request.query_params, queryset=selectors.history_on(day=day), request=self.request
        )
        if not rows.is_valid():
            raise ValidationError(rows.errors)
        queryset = queryset.filter(pk__in=rows.qs.values("blueprint_id"))
        ordering = StrictOrderingFilter().get_ordering(self.request, queryset, self)
        return self._order_on_day(queryset, ordering or [], day)

    # The planning fields ``?ordering=`` sorts by, read from each blueprint's row of the day.
    ON_DAY_ORDERING = {
        "priority": "priority",
        "implementation_status": "implementation_status",
        "target_milestone__date": "target_milestone__date",
    }

    def _order_on_day(self, queryset: QuerySet, ordering: list[str], day: date) -> QuerySet:
        """``ordering`` applied to what each blueprint was on ``day``: its priority, status
        and target date of that day's history row, not today's."""
        row = BlueprintHistory.objects.filter(blueprint=OuterRef("pk"), day__lte=day).order_by(
            "-day", "-id"
        )
        terms = []
        for term in ordering:
            name = term.lstrip("-")
            field = self.ON_DAY_ORDERING.get(name)
            if field is None:
                terms.append(term)
                continue
            alias = f"on_day_{name}"
            queryset = queryset.alias(**{alias: Subquery(row.values(field)[:1])})
            terms.append(f"-{alias}" if term.startswith("-") else alias)
        return queryset.order_by(*terms) if terms else queryset

    def paginate_queryset(self, queryset: QuerySet) -> list | None:
        page = super().paginate_queryset(queryset)
        day = self.as_of()
        if page is not None and day is not None:
            page = selectors.blueprints_as_of(list(page), day=day)
        return page

    def get_object(self) -> Blueprint:
        blueprint = super().get_object()
        day = self.as_of()
        if day is not None and self.action == "retrieve":
            if not selectors.history_on(day=day).filter(blueprint=blueprint).exists():
                raise NotFound("This blueprint did not exist yet on as_of.")
            blueprint = selectors.blueprints_as_of([blueprint], day=day)[0]
        return blueprint

    @transaction.atomic
    def perform_create(self, serializer: BlueprintSerializer) -> None:
        data = dict(serializer.validated_data)
        depends_on = data.pop("depends_on", None)
        blueprint = services.blueprint_create(actor=self.request.user, **data)
        if depends_on:
            services.blueprint_set_dependencies(
                blueprint=blueprint, actor=self.request.user, depends_on=depends_on
            )
        serializer.instance = blueprint

    @transaction.atomic
    def perform_update(self, serializer: BlueprintSerializer) -> None:
        blueprint = serializer.instance
        data = dict(serializer.validated_data)
        depends_on = data.pop("depends_on", None)
        project = data.pop("project", None)
        if project is not None and project.pk != blueprint.project_id:
            raise ValidationError(
                {"project": ["A blueprint cannot move to another project."]}, code="conflict"
            )
        blueprint = services.blueprint_update(blueprint=blueprint, actor=self.request.user, **data)
        if depends_on is not None:
            services.blueprint_set_dependencies(
                blueprint=blueprint, actor=self.request.user, depends_on=depends_on
            )
        # Re-read through the selector so the response carries fresh counts and links.
        serializer.instance = selectors.with_reviews(selectors.blueprint_list()).get(
            pk=blueprint.pk
        )

    @extend_schema(responses=AuditEntrySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every recorded change of the blueprint, its work items and FFEs, oldest first:
        field, old and new values, who and when (feeds burn-up charts)."""
        blueprint = self.get_object()
        entries = selectors.blueprint_history(blueprint=blueprint)
        page = self.paginate_queryset(entries)
        if page is not None:
            return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)
        return Response(AuditEntrySerializer(entries, many=True).data)

    @extend_schema(responses=BlueprintHistorySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], url_path="planning-history")
    def planning_history(self, request: Request, pk: str | None = None) -> Response:
        """The blueprint's typed history, oldest first: each row holds its planning fields
        (status, target, squad, series, assignee, priority, work items done/total) from
        ``day`` on. What ``?as_of=D`` shows is the last row with ``day`` <= D."""
        blueprint = self.get_object()
        rows = selectors.history_list(blueprint=blueprint)
        page = self.paginate_queryset(rows)
        if page is not None:
            return self.get_paginated_response(BlueprintHistorySerializer(page, many=True).data)
        return Response(BlueprintHistorySerializer(rows, many=True).data)


class WorkItemFilter(filters.FilterSet):
    blueprint = ExistingIdFilter(
        field_name="blueprint_id", queryset=Blueprint.objects.all(), help_text="Blueprint id."
    )
    blueprint_name = ExistingValueFilter(
        field_name="blueprint__name",
        queryset=Blueprint.objects.all(),
        to_field_name="name",
        help_text="Blueprint name.",
    )
    series = series_filter("blueprint__series")
    squad = squad_filter("blueprint__squad")
    assignee = user_filter("assignee")
    status = filters.ChoiceFilter(choices=WorkItemStatus.choices)

    class Meta:
        model = WorkItem
        fields = ["blueprint", "blueprint_name", "series", "squad", "assignee", "status"]


class WorkItemViewSet(ETagDestroyMixin, PlannerViewSetMixin, viewsets.ModelViewSet):
    """Work items; the assignee may change the title and status of their own."""

    serializer_class = WorkItemSerializer
    filterset_class = WorkItemFilter
    ordering_fields = ["order", "status", "title"]
    object_permissions = {
        "update": perms.can_edit_work_item,
        "partial_update": perms.can_edit_work_item,
        "destroy": lambda user, item: perms.can_edit_blueprint(user, item.blueprint),
    }
    create_parents = ("blueprint",)
    create_permission = staticmethod(
        lambda user, data, blueprint: perms.can_edit_blueprint(user, blueprint)
    )

    def get_queryset(self) -> QuerySet[WorkItem]:
        return selectors.work_item_list()

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The assignee may change the title and status only: asked before the body is
        # validated, so a value in another field (a username) is never looked up for them.
        item = self.get_object()
        if not perms.can_edit_blueprint(request.user, item.blueprint):
            current = self.get_serializer(item).data
            beyond = sorted(
                key
                for key, value in dict(request.data).items()
                if key not in ASSIGNEE_EDITABLE
                and key in current
                and str(value) != str(current[key])
            )
            if beyond:
                message = f"As the assignee you may change the title and status only, not {beyond}."
                self.permission_denied(request, message=message)
        return super().update(request, *args, **kwargs)

    def perform_create(self, serializer: WorkItemSerializer) -> None:
        serializer.instance = services.work_item_create(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: WorkItemSerializer) -> None:
        item = serializer.instance
        data = dict(serializer.validated_data)
        blueprint = data.pop("blueprint", None)
        if blueprint is not None and blueprint.pk != item.blueprint_id:
            raise ValidationError(
                {"blueprint": ["A work item cannot move to another blueprint."]}, code="conflict"
            )
        serializer.instance = services.work_item_update(
            work_item=item, actor=self.request.user, **data
        )

    def perform_destroy(self, instance: WorkItem) -> None:
        services.work_item_delete(work_item=instance, actor=self.request.user)


class FFEFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=FFEStatus.choices)
    series = series_filter("blueprint__series")
    squad = squad_filter("blueprint__squad")
    blueprint = ExistingIdFilter(
        field_name="blueprint_id", queryset=Blueprint.objects.all(), help_text="Blueprint id."
    )
    project = project_filter("blueprint__project")

    class Meta:
        model = FeatureFreezeException
        fields = ["status", "series", "squad", "blueprint", "project"]


class FFEViewSet(
    PlannerViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Feature-freeze exceptions: any logged-in contributor requests one; the PTL decides
    (``decide``); the squad's lead or the PTL marks a granted one merged (``merged``);
    granted ones past their merge-by date expire daily."""

    serializer_class = FFESerializer
    filterset_class = FFEFilter
    ordering_fields = ["requested_on", "merge_by", "status"]
    object_permissions = {"decide": perms.can_decide_ffe, "merged": perms.can_close_ffe}
    create_parents = ("blueprint",)
    create_permission = staticmethod(
        lambda user, data, blueprint: perms.can_request_ffe(user, blueprint)
    )

    def get_queryset(self) -> QuerySet[FeatureFreezeException]:
        return selectors.ffe_list()

    def perform_create(self, serializer: FFESerializer) -> None:
        serializer.instance = services.ffe_request(
            actor=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=FFEDecisionSerializer, responses=FFESerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Grant or deny a requested FFE (the PTL only)."""
        ffe = self.get_object()
        decision = FFEDecisionSerializer(data=request.data)
        decision.is_valid(raise_exception=True)
        ffe = services.ffe_decide(ffe=ffe, actor=request.user, **decision.validated_data)
        return Response(FFESerializer(selectors.ffe_list().get(pk=ffe.pk)).data)

    @extend_schema(request=FFEMergedSerializer, responses=FFESerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def merged(self, request: Request, pk: str | None = None) -> Response:
        """Mark a granted FFE merged (the squad's lead or the PTL)."""
        ffe = self.get_object()
        body = FFEMergedSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ffe = services.ffe_mark_merged(ffe=ffe, actor=request.user, **body.validated_data)
        return Response(FFESerializer(selectors.ffe_list().get(pk=ffe.pk)).data)


class FFEPolicyFilter(filters.FilterSet):
    project = project_filter("project")
    series = series_filter("series")

    class Meta:
        model = FFEPolicy
        fields = ["project", "series"]


def _policy_writer(user: Any, policy: FFEPolicy) -> bool:
    return perms.can_set_ffe_policy(user, policy.project)


class FFEPolicyViewSet(PlannerViewSetMixin, viewsets.ModelViewSet):
    """Per-series FFE policy (request cut-off, cap on grants); the PTL sets it."""

    serializer_class = FFEPolicySerializer
    filterset_class = FFEPolicyFilter
    ordering_fields = ["request_cutoff"]
    object_permissions = {
        "update": _policy_writer,
        "partial_update": _policy_writer,
        "destroy": _policy_writer,
    }
    create_parents = ("project",)
    create_permission = staticmethod(
        lambda user, data, project: perms.can_set_ffe_policy(user, project)
    )

    def get_queryset(self) -> QuerySet[FFEPolicy]:
        return selectors.ffe_policy_list()

    def perform_create(self, serializer: FFEPolicySerializer) -> None:
        serializer.instance = services.ffe_policy_set(
            actor=self.request.user, **serializer.validated_data
        )

    def perform_update(self, serializer: FFEPolicySerializer) -> None:
        policy = serializer.instance
        data = dict(serializer.validated_data)
        for field in ("project", "series"):
            value = data.pop(field, None)
            if value is not None and value.pk != getattr(policy, f"{field}_id"):
                raise ValidationError(
                    {field: ["A policy cannot move; create another one."]}, code="conflict"
                )
        values = {
            "request_cutoff": policy.request_cutoff,
            "max_granted": policy.max_granted,
            "notes": policy.notes,
            **data,
        }
        services.ffe_policy_set(
            project=policy.project, series=policy.series, actor=self.request.user, **values
        )
        serializer.instance = selectors.ffe_policy_list().get(pk=policy.pk)

    def perform_destroy(self, instance: FFEPolicy) -> None:
        services.ffe_policy_delete(policy=instance, actor=self.request.user)
