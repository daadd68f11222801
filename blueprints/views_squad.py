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
from core.as_of import parse_as_of
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
    as_of = parse_as_of(request.GET.get("as_of"))
    blueprints = selectors.with_review_counts(selectors.blueprint_list())
    if as_of is None:
        blueprints = blueprints.filter(squad=squad, series=series)
    else:
        # The squad's blueprints of that day (its squad and series then), shown as they were.
        on_day = selectors.history_on(day=as_of).filter(squad=squad, series=series)
        blueprints = blueprints.filter(pk__in=on_day.values("blueprint_id"))
        can_edit = False  # edits happen today, on the page without as_of
    blueprints = blueprints.prefetch_related(
        Prefetch(
            "work_items",
            queryset=WorkItem.objects.select_related("assignee").order_by("order", "pk"),
        )
    )
    page = Paginator(blueprints, BLUEPRINTS_PER_PAGE).get_page(request.GET.get("page"))
    if as_of is not None:
        page.object_list = selectors.blueprints_as_of(list(page.object_list), day=as_of)
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
            "as_of": as_of,
            "day_query": f"?as_of={as_of.isoformat()}" if as_of else "",
            "day_amp": f"&as_of={as_of.isoformat()}" if as_of else "",
        },
    )


def _series_from(request: HttpRequest) -> Series | None:
    name = request.GET.get("series")
    if name:
        return get_object_or_404(Series, name=name)
    return release_selectors.current_series()
