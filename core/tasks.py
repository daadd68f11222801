"""Celery tasks of the project package: the outbox drain, and a probe for health checks."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.signals import worker_ready

from core.outbox import send_pending


@shared_task
def send_pending_tasks() -> int:
    """Send the work recorded while the broker was down (periodic, see CELERY_BEAT_SCHEDULE)."""
    return send_pending()


@shared_task
def echo(value: Any) -> Any:
    """Return its argument: proves a worker consumes from the broker (deploy and outage tests)."""
    return value


@worker_ready.connect
def _send_pending_at_worker_start(**_: Any) -> None:
    # A worker starting after an outage sends what piled up without waiting for beat.
    try:
        send_pending()
    except Exception:
        import logging

        logging.getLogger(__name__).exception("sending pending tasks at worker start failed")
