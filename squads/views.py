"""Squad pages: what a squad lead works from (members, goals, blueprints with inline edits)."""

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from blueprints import selectors as blueprint_selectors
from blueprints.models import ImplementationStatus, WorkItem, WorkItemStatus
from releases import selectors as release_selectors
from releases.models import Event, Series
from squads import permissions as perms
from squads import selectors
from squads.models import SquadGoal

BLUEPRINTS_PER_PAGE = 50


@require_GET
def squad_index(request: HttpRequest) -> HttpResponse:
    squads = selectors.squad_list()
    return render(request, "squads/squad_list.html", {"squads": squads})


@require_GET
def squad_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Members, goals and the squad's blueprints in a series, editable inline by its lead."""
    squad = get_object_or_404(selectors.squad_list(), slug=slug)
    series = _series_from(request)
    # Permission once per page, not per row: every blueprint here is this squad's.
    can_edit = perms.can_edit_squad_blueprints(request.user, squad)
    goals = SquadGoal.objects.filter(squad=squad, series=series).order_by("order", "pk")
    blueprints = (
        blueprint_selectors.blueprint_list()
        .filter(squad=squad, series=series)
        .prefetch_related(
            Prefetch(
                "work_items",
                queryset=WorkItem.objects.select_related("assignee").order_by("order", "pk"),
            )
        )
    )
    page = Paginator(blueprints, BLUEPRINTS_PER_PAGE).get_page(request.GET.get("page"))
    milestones = (
        list(
            Event.objects.filter(series=series, team="", kind__in=MILESTONE_KINDS).order_by("date")
        )
        if series
        else []
    )
    people = get_user_model().objects.filter(squad_memberships__squad=squad).order_by("username")
    return render(
        request,
        "squads/squad_detail.html",
        {
            "squad": squad,
            "series": series,
            "goals": goals,
            "page": page,
            "can_edit": can_edit,
            "milestones": milestones,
            "people": list(people),
            "statuses": ImplementationStatus.values,
            "work_item_statuses": WorkItemStatus.values,
            "user_id": request.user.pk,
            "series_choices": release_selectors.series_with_schedule(),
        },
    )


# Blueprints target the cycle's milestones (and its feature freeze / RC1 when a team does).
MILESTONE_KINDS = ("milestone-1", "milestone-2", "milestone-3", "feature-freeze", "rc1")


def _series_from(request: HttpRequest) -> Series | None:
    name = request.GET.get("series")
    if name:
        return get_object_or_404(Series, name=name)
    return release_selectors.current_series()
