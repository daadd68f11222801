"""The what-if page: move an event (or the whole cycle), see what follows, apply or discard."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.forms import form_errors
from planner.forms import ReplanForm
from planner.models import Replan
from planner.replan_services import replan_apply, replan_history, replan_preview, replan_undo
from releases import selectors
from releases.models import Series
from squads import permissions as perms


@require_http_methods(["GET", "POST"])
def replan(request: HttpRequest, name: str) -> HttpResponse:
    """GET previews (?event=o-ff&date=… or ?shift_days=7); POST applies; POST undo=<id> undoes."""
    series = get_object_or_404(Series, name=name)
    url = reverse("cycle-replan", args=[series.name])
    if request.method == "POST":
        form = ReplanForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors(form))
            return HttpResponseRedirect(url)
        try:
            if undo := form.cleaned_data.get("undo"):
                record = get_object_or_404(Replan, pk=undo, series=series)
                replan_undo(replan=record, actor=request.user)
                messages.success(request, "Re-plan undone: every date is back.")
            else:
                record = replan_apply(
                    series=series,
                    actor=request.user,
                    fingerprint=form.cleaned_data.get("fingerprint") or None,
                    **form.params(),
                )
                messages.success(request, f"Re-plan applied (#{record.pk}); it can be undone.")
        except PermissionDenied as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(url)
    form = ReplanForm(request.GET)
    preview, error, params = (
        None,
        "",
        {
            "key": None,
            "new_date": None,
            "shift_days": None,
            "occurrence": None,
        },
    )
    if not form.is_valid():
        error = form_errors(form)
    else:
        params = form.params()
        if form.asks_for_preview:
            try:
                preview = replan_preview(series=series, **params)
            except ValidationError as exc:
                error = " ".join(exc.messages)
    return render(
        request,
        "planner/replan.html",
        {
            "series": series,
            "events": selectors.event_list(series=series, include_all_teams=True),
            "preview": preview,
            "params": params,
            "error": error,
            "history": replan_history(series=series),
            "may_apply": perms.may_replan(request.user),
        },
    )
