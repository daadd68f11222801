"""Celery tasks of blueprints: periodic work (scheduled in settings.CELERY_BEAT_SCHEDULE) and
the specs import, thin wrappers around services."""

from celery import shared_task
from django.db import OperationalError

from blueprints.services import ffe_expire_overdue
from blueprints.specs_import import specs_import
from squads.models import Project


@shared_task(
    name="blueprints.tasks.expire_ffes",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def expire_ffes() -> int:
    """Expire granted FFEs whose merge-by date has passed; idempotent (run daily)."""
    return ffe_expire_overdue()


@shared_task(
    name="blueprints.tasks.import_specs",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
    acks_late=True,
    time_limit=10 * 60,
    soft_time_limit=9 * 60,
)
def import_specs(
    path: str, project: str, series: str | None = None, base_url: str | None = None
) -> dict | None:
    """Import the specs repository checked out at ``path`` (on the worker) into ``project``
    (its name); quietly nothing if the project is gone. Idempotent: a second run changes
    nothing. A bad file raises (``SpecError`` / ``SpecsImportError``, with file and line)."""
    found = Project.objects.filter(name=project).first()
    if found is None:
        return None
    return specs_import(path=path, project=found, series=series, base_url=base_url).as_dict()
