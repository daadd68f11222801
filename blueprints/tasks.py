"""Periodic work on blueprints (scheduled in settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task
from django.db import OperationalError

from blueprints.services import ffe_expire_overdue


@shared_task(
    name="blueprints.tasks.expire_ffes",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def expire_ffes() -> int:
    """Expire granted FFEs whose merge-by date has passed; idempotent (run daily)."""
    return ffe_expire_overdue()
