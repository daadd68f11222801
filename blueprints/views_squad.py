"""A squad's page: what a squad lead works from (members, goals, the squad's blueprints with
inline edits). In ``blueprints`` because it lists blueprints; the squad list is ``squads``'."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from blueprints import selectors
from blueprints.models import ImplementationStatus, WorkItem, WorkItemStatus
from releases import selectors as release_selectors
from releases.models import Series
from squads import permissions as perms
from squads import selectors as squad_selectors
from squads.models import SquadGoal

BLUEPRINTS_PER_PAGE = 50


@require_GET
def squad_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """Members, goals and the squad's blueprints in a series, editable inline by its lead."""
    series = _series_from(request)
    # The squad's open/merged review counts ride on its own query (correlated subqueries).
    squad = get_object_or_404(
        squad_selectors.squad_list().annotate(**selectors.squad_review_counts(series=series)),
        slug=slug,
    )
    # Permission once per page, not per row: every blueprint here is this squad's.
    can_edit = perms.can_edit_squad_blueprints(request.user, squad)
    goals = SquadGoal.objects.filter(squad=squad, series=series).order_by("order", "pk")
    blueprints = (
        selectors.with_review_counts(selectors.blueprint_list())
        .filter(squad=squad, series=series)
        .prefetch_related(
            Prefetch(
                "work_items",
                queryset=WorkItem.objects.select_related("assignee").order_by("order", "pk"),
            )
        )
    )
    page = Paginator(blueprints, BLUEPRINTS_PER_PAGE).get_page(request.GET.get("page"))
    editable = {
        item.pk
        for bp in page
        for item in bp.work_items.all()
        if can_edit or perms.is_work_item_assignee(request.user, item)
    }
    milestones = list(release_selectors.target_event_list(series=series)) if series else []
    people = get_user_model().objects.filter(squad_memberships__squad=squad).order_by("username")
    return render(
        request,
        "squads/squad_detail.html",
        {
            "squad": squad,
            "series": series,
            "goals": goals,
            "page": page,
            "review_counts": {"open": squad.reviews_open, "merged": squad.reviews_merged},
            "can_edit": can_edit,
            "editable_work_items": editable,
            "milestones": milestones,
            "people": list(people),
            "statuses": ImplementationStatus.values,
            "work_item_statuses": WorkItemStatus.values,
            "series_choices": release_selectors.series_with_schedule(),
        },
    )


def _series_from(request: HttpRequest) -> Series | None:
    name = request.GET.get("series")
    if name:
        return get_object_or_404(Series, name=name)
    return release_selectors.current_series()
