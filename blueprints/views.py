"""Blueprint pages and the form posts of the squad and blueprint pages.

Every post goes through a service (permissions, audit, FFE rules live there); the view turns
the outcome into a Django message and redirects back. Edits carry the values the editor saw,
so a change made meanwhile by someone else is refused instead of silently overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from blueprints import ffe_rules, selectors, services
from blueprints.forecast_selectors import risk_get
from blueprints.forms import (
    BlueprintEditForm,
    FFEDecisionForm,
    FFERequestForm,
    WorkItemEditForm,
)
from blueprints.graph import dependency_graph
from blueprints.models import (
    Blueprint,
    BlueprintSpec,
    FeatureFreezeException,
    FFERisk,
    ImplementationStatus,
    SpecRole,
    WorkItem,
    WorkItemStatus,
)
from blueprints.spec_sections import rendered_sections
from core import clock
from core.as_of import parse_as_of
from core.concurrency import StaleEdit
from core.forms import form_errors
from releases import selectors as release_selectors
from squads import permissions as perms


@require_GET
def blueprint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Details, the spec it comes from, dependency graph, work items, Gerrit reviews, history,
    FFE request form and decisions."""
    blueprint = get_object_or_404(
        selectors.with_reviews(selectors.blueprint_list()).select_related("spec"), pk=pk
    )
    document = getattr(blueprint, "spec", None)  # the spec it was imported from, if any
    user = request.user
    is_ptl = perms.is_ptl(user, blueprint.project)
    can_edit = is_ptl or perms.can_edit_blueprint(user, blueprint)
    work_items = list(blueprint.work_items.select_related("assignee").order_by("order", "pk"))
    all_ffes = list(
        FeatureFreezeException.objects.filter(blueprint=blueprint)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_on", "-pk")
    )
    # The request rules are today's (a request is made on the server's day).
    facts = selectors.ffe_request_facts(blueprint=blueprint, today=clock.today(), ffes=all_ffes)
    ffes = all_ffes
    as_of = parse_as_of(request.GET.get("as_of"))
    existed = True
    if as_of is not None:
        # Shown as it stood on that day: its planning fields from the history, the FFEs
        # requested by then with their decision of that day; edits are today's, so not here.
        existed = selectors.history_on(day=as_of).filter(blueprint=blueprint).exists()
        blueprint = selectors.blueprints_as_of([blueprint], day=as_of)[0]
        ffes = list(
            selectors.ffes_on(FeatureFreezeException.objects.filter(blueprint=blueprint), day=as_of)
            .select_related("requested_by", "decided_by")
            .order_by("-requested_on", "-pk")
        )
        for ffe in ffes:
            if ffe.status != ffe.status_on:
                ffe.status = ffe.status_on
                ffe.closed_on = None
                if ffe.status_on == "Requested":
                    ffe.decided_on = ffe.decided_by = None
                    ffe.decision_note = ""
        can_edit = False
    # The rules the service applies: the form is offered only when a request can succeed.
    ffe_refusal = ffe_rules.request_refusal(facts)
    return render(
        request,
        "blueprints/blueprint_detail.html",
        {
            "bp": blueprint,
            "graph": dependency_graph(blueprint=blueprint),
            "work_items": work_items,
            "editable_work_items": {
                wi.pk for wi in work_items if can_edit or perms.is_work_item_assignee(user, wi)
            },
            "history": selectors.blueprint_history(blueprint=blueprint),
            "ffes": ffes,
            "as_of": as_of,
            "existed": existed,
            "day_query": f"?as_of={as_of.isoformat()}" if as_of else "",
            "day_amp": f"&as_of={as_of.isoformat()}" if as_of else "",
            "is_ptl": is_ptl,
            "can_edit": can_edit,
            "can_request_ffe": perms.can_request_ffe(user, blueprint) and ffe_refusal is None,
            "ffe_refusal": ffe_refusal,
            "freeze": facts.freeze,
            "rc1": facts.rc1,
            "risks": FFERisk.choices,
            "statuses": ImplementationStatus.values,
            "work_item_statuses": WorkItemStatus.values,
            "milestones": release_selectors.target_event_list(series=blueprint.series),
            # Risk forecast and freeze checks, as of ?as_of= (default today).
            "risk": _risk(blueprint, request),
            "spec": document,
            "spec_sections": rendered_sections(document) if document else [],
            "spec_people": _spec_people(document),
            "spec_changes": _spec_changes(document),
        },
    )


def _spec_people(document: BlueprintSpec | None) -> dict[str, list[dict[str, str | None]]]:
    """The spec's people by role, as it names them (with the account when one matched)."""
    people: dict[str, list[dict[str, str | None]]] = {role: [] for role in SpecRole.values}
    for person in document.people if document else []:
        people.setdefault(person["role"], []).append(person)
    return people


def _spec_changes(document: BlueprintSpec | None) -> list[tuple[str, str]]:
    """(label, URL) of the Gerrit changes a spec names; the URL only when it is http(s)."""
    changes: dict[str, str] = {}
    for ref in document.gerrit if document else []:
        url = ref["url"] if ref["url"].startswith(("https://", "http://")) else ""
        label = str(ref["number"]) if ref["number"] else ref["change_id"] or ref["url"]
        changes[label] = changes.get(label) or url  # a change named twice is listed once
    return list(changes.items())


@login_required
@require_POST
def blueprint_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Status / target milestone / assignee from the squad page or the blueprint page."""
    blueprint = get_object_or_404(
        Blueprint.objects.select_related("project", "squad", "series"), pk=pk
    )
    form = BlueprintEditForm(request.POST, blueprint=blueprint)
    return _apply(
        request,
        form,
        lambda: services.blueprint_update(
            blueprint=blueprint, actor=request.user, expected=form.expected(), **form.changes()
        ),
        allowed=perms.can_edit_blueprint(request.user, blueprint),
        refused="Only the PTL, or the lead of the blueprint's squad, edits this blueprint.",
        success=f"Saved {blueprint.title}.",
        fallback=reverse("blueprint-detail", args=[blueprint.pk]),
    )


@login_required
@require_POST
def work_item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(
        WorkItem.objects.select_related("blueprint", "blueprint__project", "blueprint__squad"),
        pk=pk,
    )
    form = WorkItemEditForm(request.POST)
    return _apply(
        request,
        form,
        lambda: services.work_item_update(
            work_item=item,
            actor=request.user,
            expected=form.expected(),
            status=form.cleaned_data["status"],
        ),
        allowed=perms.can_edit_work_item(request.user, item),
        refused="Only the PTL, the squad's lead or the item's assignee edits this work item.",
        success=f"Saved work item “{item.title}”.",
        fallback=reverse("blueprint-detail", args=[item.blueprint_id]),
    )


@login_required
@require_POST
def ffe_request(request: HttpRequest, pk: int) -> HttpResponse:
    blueprint = get_object_or_404(
        Blueprint.objects.select_related("project", "series", "squad"), pk=pk
    )
    form = FFERequestForm(request.POST)
    return _apply(
        request,
        form,
        lambda: services.ffe_request(blueprint=blueprint, actor=request.user, **form.cleaned_data),
        allowed=perms.can_request_ffe(request.user, blueprint),
        refused="Log in to request an FFE.",
        success="Feature-freeze exception requested; the PTL decides.",
        fallback=reverse("blueprint-detail", args=[pk]),
    )


@login_required
@require_POST
def ffe_decide(request: HttpRequest, pk: int) -> HttpResponse:
    ffe = get_object_or_404(
        FeatureFreezeException.objects.select_related(
            "blueprint", "blueprint__project", "blueprint__series"
        ),
        pk=pk,
    )
    form = FFEDecisionForm(request.POST)
    return _apply(
        request,
        form,
        lambda: services.ffe_decide(
            ffe=ffe, actor=request.user, granted=form.granted, note=form.cleaned_data["note"]
        ),
        allowed=perms.can_decide_ffe(request.user, ffe),
        refused="Only the PTL decides FFEs.",
        success=lambda: f"FFE for {ffe.blueprint.title} {'granted' if form.granted else 'denied'}.",
        fallback=reverse("blueprint-detail", args=[ffe.blueprint_id]),
    )


def _apply(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[], object],
    *,
    allowed: bool,
    refused: str,
    success: str | Callable[[], str],
    fallback: str,
) -> HttpResponse:
    """Ask the permission, validate ``form``, run the service, say how it went, and go back
    where the user was. The permission comes first: a user who may not make this edit learns
    nothing from it ("no such user" against "not allowed" would tell which accounts exist)."""
    if not allowed:
        messages.error(request, refused)
        return _back(request, fallback)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return _back(request, fallback)
    try:
        action()
    except StaleEdit as exc:
        messages.error(request, str(exc))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You may not do this.")
    except ValidationError as exc:
        messages.error(request, _validation_text(exc))
    else:
        messages.success(request, success() if callable(success) else success)
    return _back(request, fallback)


def _validation_text(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return " ".join(
            f"{'' if field == '__all__' else field.replace('_', ' ').capitalize() + ': '}{m}"
            for field, msgs in exc.message_dict.items()
            for m in msgs
        )
    return " ".join(exc.messages)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = fallback
    return HttpResponseRedirect(target or fallback)


def _risk(blueprint: Blueprint, request: HttpRequest) -> Any:
    """The forecast as of ``?as_of=`` (default the server's today); None when the blueprint
    did not exist yet on that day."""
    as_of = parse_as_of(request.GET.get("as_of")) or clock.today()
    return risk_get(blueprint=blueprint, as_of=as_of)
