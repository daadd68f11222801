"""Webhooks on blueprint status changes and FFE decisions, without touching the services.

The services write the change and its audit rows (``core.audit``, with ``bulk_create``,
which sends no ``post_save``) in one transaction. We listen to the model's ``post_save`` and,
only once that transaction commits, read the audit rows the save produced
(``implementation_status`` on a blueprint, ``status`` on an FFE) and publish one event per row
(``source = audit:<id>``, so a row is published once). A rolled-back write publishes nothing;
inside a transaction nothing is read or sent, so the services' query counts do not change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from blueprints.models import Blueprint, FeatureFreezeException, FFEStatus
from notifications.models import WebhookEvent

DECISIONS = {FFEStatus.GRANTED.value, FFEStatus.DENIED.value}


def _after_commit(model: type, pk: int, since: datetime, field: str, event: str) -> None:
    def publish() -> None:
        from core.models import AuditEntry
        from notifications.models import Webhook
        from notifications.services import event_publish

        if not any(w.wants(event) for w in Webhook.objects.filter(active=True)):
            return
        rows = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=pk,
            field=field,
            at__gte=since,
        ).select_related("actor")
        obj = model.objects.filter(pk=pk).first()
        for row in rows.exclude(action="create").order_by("at", "id"):
            if event == WebhookEvent.FFE_DECISION and row.new not in DECISIONS:
                continue
            data = _describe(obj, pk) | {
                "field": row.field,
                "old": row.old,
                "new": row.new,
                "actor": row.actor.get_username() if row.actor_id else None,
                "at": row.at.isoformat(),
                "audit_id": row.pk,
            }
            event_publish(event=event, source=f"audit:{row.pk}", data=data)

    transaction.on_commit(publish)


def _describe(obj: Any, pk: int) -> dict:
    if isinstance(obj, Blueprint):
        return {
            "blueprint": {
                "id": obj.pk,
                "name": obj.name,
                "title": obj.title,
                "series": obj.series.name,
                "squad": obj.squad.slug if obj.squad_id else None,
                "implementation_status": obj.implementation_status,
            }
        }
    if isinstance(obj, FeatureFreezeException):
        return {
            "ffe": {
                "id": obj.pk,
                "blueprint": obj.blueprint.name,
                "status": obj.status,
                "merge_by": obj.merge_by.isoformat(),
                "decided_by": obj.decided_by.get_username() if obj.decided_by_id else None,
                "decision_note": obj.decision_note,
            }
        }
    return {"id": pk}


@receiver(post_save, sender=Blueprint, dispatch_uid="notifications-blueprint-status")
def blueprint_saved(sender: type, instance: Blueprint, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    # The service writes its audit rows just after save(): they are at or after this moment.
    since = timezone.now()
    _after_commit(Blueprint, instance.pk, since, "implementation_status", "blueprint.status")


@receiver(post_save, sender=FeatureFreezeException, dispatch_uid="notifications-ffe-decision")
def ffe_saved(
    sender: type, instance: FeatureFreezeException, raw: bool = False, **kwargs: Any
) -> None:
    if raw or instance.status not in DECISIONS:
        return
    _after_commit(FeatureFreezeException, instance.pk, timezone.now(), "status", "ffe.decision")
