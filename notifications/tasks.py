"""Celery tasks of notifications: thin wrappers around the services, taking ids."""

from typing import Any

from celery import Task, shared_task
from django.db import OperationalError

from notifications.services import TransientDeliveryError, delivery_attempt, digests_send


class DeliveryTask(Task):
    """Run eagerly (embedded mode, no worker), a delivery's failure stays in its row instead of
    propagating into the write that triggered it; Celery then applies the retries at once."""

    def apply(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("throw") is None:
            kwargs["throw"] = False
        return super().apply(*args, **kwargs)


@shared_task(
    base=DeliveryTask,
    name="notifications.tasks.deliver_webhook",
    autoretry_for=(TransientDeliveryError, OperationalError),
    retry_backoff=10,
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=5,  # services.MAX_ATTEMPTS - 1: the sixth attempt records the failure
    acks_late=True,
    soft_time_limit=90,
    time_limit=120,
)
def deliver_webhook(delivery_id: int) -> str | None:
    """One attempt at a webhook delivery; retried 10 s, 20 s, 40 s … later on transient errors."""
    delivery = delivery_attempt(delivery_id=delivery_id)
    return None if delivery is None else delivery.status


@shared_task(
    name="notifications.tasks.send_deadline_digests",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def send_deadline_digests() -> int:
    """Daily: digests of the coming deadlines to squad leads (idempotent per lead and deadline)."""
    return digests_send()
