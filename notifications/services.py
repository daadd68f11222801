"""Writes of notifications: webhooks, deliveries (one HTTP attempt at a time) and digests."""

from __future__ import annotations

import http.client
import logging
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from core import clock
from core.actors import Actor
from core.audit import audit_record
from core.outbox import enqueue_on_commit
from notifications import digest as dg
from notifications import egress, selectors, signing
from notifications.models import Delivery, DeliveryStatus, DigestSent, Webhook, WebhookEvent

logger = logging.getLogger(__name__)


# deliver_webhook's max_retries + 1: the last attempt records the failure instead of raising.
MAX_ATTEMPTS = 6
USER_AGENT = "cycle-planner-webhooks/1"


class TransientDeliveryError(Exception):
    """A connection error, a timeout or a 5xx: worth another attempt later."""


def _timeout() -> float:
    return float(getattr(settings, "NOTIFICATIONS_WEBHOOK_TIMEOUT", 5))


def days_ahead_default() -> int:
    return int(getattr(settings, "NOTIFICATIONS_DIGEST_DAYS_AHEAD", dg.DEFAULT_DAYS_AHEAD))


# --- webhooks ---------------------------------------------------------------------------------
@transaction.atomic
def webhook_save(*, webhook: Webhook, actor: Actor, changed: list[str] | None = None) -> Webhook:
    """Create or change a webhook (the admin calls this); the secret is never written to the
    audit trail, only that it changed."""
    creating = webhook.pk is None
    webhook.full_clean()
    webhook.save()
    fields = changed if changed is not None else ["name", "url", "events", "active", "secret"]
    changes = {
        f: (None, "(changed)" if f == "secret" else getattr(webhook, f))
        for f in fields
        if hasattr(webhook, f)
    }
    audit_record(
        actor=actor, obj=webhook, action="create" if creating else "update", changes=changes
    )
    return webhook


def event_publish(*, event: str, source: str, data: dict[str, Any]) -> list[int]:
    """A delivery per active webhook subscribed to ``event``, each sent after commit.

    Idempotent per ``source``: publishing the same cause twice creates no second delivery.
    Returns the ids of the deliveries created now.
    """
    created = []
    for webhook in Webhook.objects.filter(active=True).order_by("pk"):
        if not webhook.wants(event):
            continue
        try:
            with transaction.atomic():
                delivery = Delivery.objects.create(
                    webhook=webhook, event=event, source=source[:200], payload={}
                )
        except IntegrityError:
            continue  # already published for this cause
        delivery.payload = {
            "event": event,
            "delivery": delivery.pk,
            "created_at": delivery.created_at.isoformat(),
            "data": data,
        }
        Delivery.objects.filter(pk=delivery.pk).update(payload=delivery.payload)
        created.append(delivery.pk)
        from notifications.tasks import deliver_webhook

        enqueue_on_commit(deliver_webhook, delivery.pk)
    return created


def delivery_attempt(*, delivery_id: int) -> Delivery | None:
    """POST the delivery's payload once and record the attempt in its row.

    Raises ``TransientDeliveryError`` on a connection error, a timeout or a 5xx answer while
    attempts remain (the task retries with backoff); the last attempt, any 4xx, and a URL that
    now resolves to an address webhooks may not reach (``notifications.egress``) mark the
    delivery failed. A delivered (or vanished) delivery is left alone: tasks run at least once.
    """
    delivery = Delivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED):
        return delivery
    webhook = delivery.webhook
    body = signing.body_of(delivery.payload)
    code: int | None = None
    error = ""
    refused = False
    try:
        # Resolved and checked again now (DNS may have changed since the webhook was saved);
        # the connection goes to the address checked.
        destination = egress.resolve(webhook.url)
        code = egress.post(
            destination,
            body,
            {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                signing.EVENT_HEADER: delivery.event,
                signing.DELIVERY_HEADER: str(delivery.pk),
                signing.SIGNATURE_HEADER: signing.signature(body, webhook.secret),
            },
            _timeout(),
        )
    except egress.UnsafeDestination as exc:
        refused, error = True, f"refused: {exc}"
    except egress.UnresolvableHost:
        error = "the host does not resolve"
    except (OSError, http.client.HTTPException):
        # One coarse error for refused, reset, timed out or not HTTP: the log must not tell
        # which ports of a host are open.
        error = "no HTTP answer (connection failed or timed out)"
    if code is not None and not 200 <= code < 300:
        error = f"HTTP {code}"
    now = timezone.now()
    attempts = delivery.attempts + 1
    transient = not refused and (code is None or code >= 500)
    ok = code is not None and 200 <= code < 300
    if ok:
        status = DeliveryStatus.DELIVERED
    elif transient and attempts < MAX_ATTEMPTS:
        status = DeliveryStatus.RETRYING
    else:
        status = DeliveryStatus.FAILED
    Delivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        attempt_log=[
            *delivery.attempt_log,
            {"at": now.isoformat(), "response_code": code, "error": error[:500]},
        ],
        last_error=error[:2000],
        response_code=code,
        last_attempt_at=now,
        delivered_at=now if ok else None,
        status=status,
    )
    if status == DeliveryStatus.RETRYING:
        raise TransientDeliveryError(f"delivery {delivery.pk}: {error or code}")
    if status == DeliveryStatus.FAILED:
        logger.warning("webhook delivery %s failed: %s", delivery.pk, error or code)
    delivery.refresh_from_db()
    return delivery


# --- digests ----------------------------------------------------------------------------------
def digests_send(*, today: date | None = None, days_ahead: int | None = None) -> int:
    """Send each squad lead a digest of the current series' deadlines in the next
    ``days_ahead`` days (by email when the lead has an address, and to "digest" webhooks).

    Idempotent: a ``DigestSent`` row per (lead, deadline) is written in the same transaction as
    the sending, so a second run (or a redelivered task) sends nothing new; a failing mail
    server rolls the rows back and the next run tries again. Returns how many digests went out.
    """
    today = today or clock.today()
    days_ahead = days_ahead_default() if days_ahead is None else days_ahead
    series, deadlines = selectors.upcoming_deadlines(today=today, days_ahead=days_ahead)
    if series is None or not deadlines:
        return 0
    sent = 0
    for lead, squads in selectors.squads_by_lead().items():
        ids = [d.id for d in deadlines]
        fresh = dg.new_deadlines(
            deadlines, selectors.sent_deadline_ids(lead=lead, deadline_ids=ids)
        )
        if not fresh:
            continue
        digest = selectors.digest_build(
            lead=lead,
            squads=squads,
            series=series,
            deadlines=fresh,
            today=today,
            days_ahead=days_ahead,
        )
        if _digest_send_one(lead=lead, digest=digest):
            sent += 1
    return sent


def _digest_send_one(*, lead: AbstractBaseUser, digest: dg.Digest) -> bool:
    payload = digest.as_payload()
    try:
        with transaction.atomic():
            DigestSent.objects.bulk_create(
                [
                    DigestSent(
                        lead=lead,
                        deadline_id=d.id,
                        as_of=digest.as_of,
                        emailed=bool(lead.email),
                        content=signing_safe(payload),
                    )
                    for d in digest.deadlines
                ]
            )
            event_publish(
                event=WebhookEvent.DIGEST,
                source=f"digest:{lead.pk}:" + ",".join(str(d.id) for d in digest.deadlines),
                data=signing_safe(payload),
            )
            if lead.email:
                body = render_to_string("notifications/digest.txt", {"digest": digest})
                send_mail(
                    digest.subject,
                    body,
                    getattr(settings, "DEFAULT_FROM_EMAIL", None),
                    [lead.email],
                )
    except IntegrityError:
        # Another run recorded one of these deadlines for this lead meanwhile.
        return False
    return True


def signing_safe(payload: dict) -> dict:
    """The payload as JSON would give it back (dates as ISO strings), for JSON fields."""
    import json

    return json.loads(signing.body_of(payload))
