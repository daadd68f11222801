"""Webhooks on blueprint status changes and FFE decisions, from the blueprints' domain events.

The services send ``blueprints.signals.blueprint_status_changed`` and ``ffe_decided`` once their
transaction commits (a rolled-back write sends nothing); each event becomes one delivery per
subscribed webhook (``source = <event>:<change id>``, so an event is published once).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.dispatch import receiver

from blueprints import signals
from blueprints.models import Blueprint, FeatureFreezeException
from notifications.models import Webhook, WebhookEvent
from notifications.services import event_publish


def _wanted(event: str) -> bool:
    return any(w.wants(event) for w in Webhook.objects.filter(active=True))


def _username(actor_id: int | None) -> str | None:
    if actor_id is None:
        return None
    user = get_user_model().objects.filter(pk=actor_id).first()
    return user.get_username() if user is not None else None


@receiver(signals.blueprint_status_changed, dispatch_uid="notifications-blueprint-status")
def blueprint_status_changed(
    sender: type,
    *,
    blueprint_id: int,
    old: str,
    new: str,
    actor_id: int | None,
    at: datetime,
    change_id: str,
    **kwargs: Any,
) -> None:
    if not _wanted(WebhookEvent.BLUEPRINT_STATUS):
        return
    bp = Blueprint.objects.select_related("series", "squad").filter(pk=blueprint_id).first()
    described = (
        {
            "blueprint": {
                "id": bp.pk,
                "name": bp.name,
                "title": bp.title,
                "series": bp.series.name,
                "squad": bp.squad.slug if bp.squad_id else None,
                "implementation_status": bp.implementation_status,
            }
        }
        if bp is not None
        else {"id": blueprint_id}
    )
    event_publish(
        event=WebhookEvent.BLUEPRINT_STATUS,
        source=f"blueprint-status:{change_id}",
        data=described
        | {
            "field": "implementation_status",
            "old": old,
            "new": new,
            "actor": _username(actor_id),
            "at": at.isoformat(),
            "change_id": change_id,
        },
    )


@receiver(signals.ffe_decided, dispatch_uid="notifications-ffe-decision")
def ffe_decided(
    sender: type,
    *,
    ffe_id: int,
    old: str,
    status: str,
    actor_id: int | None,
    at: datetime,
    change_id: str,
    **kwargs: Any,
) -> None:
    if not _wanted(WebhookEvent.FFE_DECISION):
        return
    ffe = (
        FeatureFreezeException.objects.select_related("blueprint", "decided_by")
        .filter(pk=ffe_id)
        .first()
    )
    described = (
        {
            "ffe": {
                "id": ffe.pk,
                "blueprint": ffe.blueprint.name,
                "status": ffe.status,
                "merge_by": ffe.merge_by.isoformat(),
                "decided_by": ffe.decided_by.get_username() if ffe.decided_by_id else None,
                "decision_note": ffe.decision_note,
            }
        }
        if ffe is not None
        else {"id": ffe_id}
    )
    event_publish(
        event=WebhookEvent.FFE_DECISION,
        source=f"ffe-decision:{change_id}",
        data=described
        | {
            "field": "status",
            "old": old,
            "new": status,
            "actor": _username(actor_id),
            "at": at.isoformat(),
            "change_id": change_id,
        },
    )
